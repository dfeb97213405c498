"""Stages 4 and 5: spelling correction, then the words the ranker matches and what they mean."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from retrieval.lang import en, en_names
from retrieval.lexicon import Lexicon
from retrieval.tokens import clause_breaks, stems, words, written_words

_SHOUTED = re.compile(r"\b[A-Z]{2,}\b")  # a word in capitals: an acronym


def correct(tokens: list[str], lexicon: Lexicon, written: list[str] | None = None
            ) -> tuple[list[str], tuple[tuple[str, str], ...]]:
    """Each token corrected against the corpus vocabulary, and the corrections made. A word
    written in capitals ("IAEA", "NATO") is an acronym, never a misspelt word ("idea")."""
    written = written or tokens
    corrected = [t if w.isupper() and len(w) > 1 else lexicon.correct(t) for t, w in zip(tokens, written)]
    return corrected, tuple((a, b) for a, b in zip(tokens, corrected) if a != b)


@dataclass(frozen=True)
class AbsentWord:
    """A topic word of the question that no paragraph uses, in any of its forms."""

    word: str  # lower case
    written: str  # as the user wrote it ("Kashmir", "G7"), for telling them
    name: bool = False  # written like a name: a capital, a digit, or no English word ("mpox")
    literal: bool = False  # grounded only by itself: a number ("2008"), a name of several words ("Paris Olympics")
    signatory: bool = False  # in signature blocks only ("zhaparov"), for a question not about signing


@dataclass(frozen=True)
class Run:
    """Consecutive topic words of the question ("paris olympics", "international criminal court")."""

    words: tuple[str, ...]  # corrected, lower case
    written_words: tuple[str, ...]  # as the user wrote them
    head_first: bool = False  # a body's name opened by its head: "organisation of islamic cooperation"
    defined: str = ""  # the acronym the question gives for this name: "acd" of "asia cooperation dialogue (acd)"
    numbers: tuple[str, ...] = ()  # the numbers that opened or closed it: "2022" of "the 2022 sco women's forum"

    @property
    def written(self) -> str:
        return " ".join(self.written_words)

    @property
    def aligned(self) -> tuple[str, ...]:
        """What the user wrote for each of `words` (the link of a head-first name left out)."""
        if self.defined:
            return tuple(w for w in self.written_words if w.lower() not in en.STOPWORDS)
        return self.written_words[:1] + self.written_words[2:] if self.head_first else self.written_words


MIN_UNKNOWN_NAME = 4  # shorter words that are no English word are mostly chat ("teh", "mtg")


def looks_like_a_name(written: str) -> bool:
    """A word written with a capital or a digit ("Kashmir", "NATO", "G7"), a word English writes
    only with a capital ("tehran", "latin": en.proper_nouns()), or no English word at all ("mpox",
    "rohingya"): it names something, whatever else the question says."""
    lower = written.lower()
    return (written[:1].isupper() or any(ch.isdigit() for ch in written) or lower in en.proper_nouns()
            or (len(written) >= MIN_UNKNOWN_NAME and not is_english(lower)))


MIN_COMPOUND_PART = 4  # "black|list" is a compound; "bit|coin", "tik|tok" are names


def is_english(word: str) -> bool:
    """An English word, a form of one ("parliaments", "auditors"), one with a prefix ("misuse",
    "bioweapons") or a compound of two ("blacklist"), by the words of en.english_words()."""
    if _word_or_form(word):
        return True
    if any(word.startswith(p) and is_english_form(word[len(p):], MIN_AFTER_PREFIX) for p in en.WORD_PREFIXES):
        return True
    parts = range(MIN_COMPOUND_PART, len(word) - MIN_COMPOUND_PART + 1)
    return any(word[:i] in en.english_words() and is_english_form(word[i:]) for i in parts)


MIN_AFTER_PREFIX = 3  # "mis|use"; not "eco|was" (ECOWAS), "anti|fa"


def is_english_form(word: str, min_length: int = 2) -> bool:
    """An English word or a form of one, of `min_length` letters or more, no function word."""
    return len(word) >= min_length and word not in en.STOPWORDS and _word_or_form(word)


def _word_or_form(word: str) -> bool:
    """In en.english_words(), or a form of one of them (a function word has no stem: no form)."""
    return word in en.english_words() or any(s in english_stems() for s in stems([word]))


@functools.lru_cache(maxsize=1)
def english_stems() -> frozenset[str]:
    """The stems of en.english_words(): "auditors" is a form of "auditor"."""
    return frozenset(stems(sorted(en.english_words())))


@dataclass(frozen=True)
class Terms:
    content: tuple[str, ...]  # the corrected topic words
    terms: tuple[tuple[str, ...], ...]  # per topic word: its stem and the stems of its other forms
    stems: tuple[str, ...]  # stems of every corrected word and of the acronyms' expansions
    dense_text: str  # the text to embed: corrected, with expansions, when anything changed
    absent: tuple[AbsentWord, ...]  # topic words the corpus never uses in any form ("Kashmir", "G7")
    corrections: tuple[tuple[str, str], ...]  # (as written, corrected)
    runs: tuple[Run, ...] = ()  # runs of two or more consecutive topic words
    words: tuple[str, ...] = ()  # every word, corrected, lower case, function words kept


def topic_positions(tokens: list[str], corrected: list[str], ignored: set[str]) -> list[int]:
    """Positions of the tokens that name a topic: no stopword, no single letter, nothing in
    `ignored` (words pointing at the source, the scope's years and places), as written or corrected."""
    return [i for i, (t, c) in enumerate(zip(tokens, corrected))
            if c not in en.STOPWORDS and len(c) > 1 and c not in ignored and t not in ignored]


def topic_words(tokens: list[str], corrected: list[str], ignored: set[str]) -> tuple[str, ...]:
    """The corrected topic words (see `topic_positions`)."""
    return tuple(corrected[i] for i in topic_positions(tokens, corrected, ignored))


def alternatives(word: str, lexicon: Lexicon) -> tuple[str, ...]:
    """The stems that count as `word` being present: its own, its other forms', its expansion's,
    and for a number its other ways of writing (`number_forms`)."""
    return tuple(dict.fromkeys(stems([word]) + lexicon.related_stems(word)
                               + stems(words(lexicon.expansions.get(word, ""))) + stems(number_forms(word))))


_NUMBER = re.compile(rf"(\d+)({en.alternation(en_names.MAGNITUDES)})?")


def number_forms(word: str) -> list[str]:
    """A number's other ways of writing: "75" is in "the 75th anniversary" ("75 years since"), and
    "100bn" is "100" ("$100 billion"). Not the other way: "2nd" is no "2" (of "2 June")."""
    match = _NUMBER.fullmatch(word)
    if not match:
        return []
    number = match.group(1)
    return ([number] if match.group(2) else []) + [number + s for s in en_names.ORDINAL_SUFFIXES]


def runs_of(positions: list[int], corrected: list[str], written: list[str], breaks: frozenset[int]) -> tuple[Run, ...]:
    """The runs of two or more consecutive topic positions, no clause mark between (`breaks`:
    tokens.clause_breaks)."""
    runs, current = [], []
    for i in positions + [-2]:
        if current and (i != current[-1] + 1 or current[-1] in breaks):
            inner = _without_outer_numbers(current, corrected)
            if len(inner) > 1:
                numbers = tuple(corrected[j] for j in current if j not in inner)
                runs.append(Run(tuple(corrected[j] for j in inner), tuple(written[j] for j in inner), numbers=numbers))
            current = []
        current.append(i)
    return tuple(runs)


def _without_outer_numbers(run: list[int], corrected: list[str]) -> list[int]:
    """A run without the numbers that open or close it: "the 2022 sco women's forum" names the
    forum, the year says which one (`Run.numbers`: a paragraph with the name must have it too)."""
    while run and corrected[run[0]].isdigit():
        run = run[1:]
    while run and corrected[run[-1]].isdigit():
        run = run[:-1]
    return run


# Words of a name after its head and link: "commission on HUMAN RIGHTS"; more are mostly the
# question's own ("commission on narcotic drugs RESOLUTIONS").
MAX_AFTER_LINK = 2


def head_first_runs(positions: list[int], tokens: list[str], corrected: list[str], written: list[str],
                    breaks: frozenset[int]) -> tuple[Run, ...]:
    """Names of bodies and observances opened by their head and a link ("organisation of islamic
    cooperation", "year of youth"):
    the head, then the consecutive topic words after the link (up to MAX_AFTER_LINK), no clause
    mark between (`breaks`: "the bank of china, russia ..." is "bank of china"); the link is kept
    in what the user wrote, for telling them."""
    topical, runs = set(positions), []
    for i in positions:
        if corrected[i] in en_names.OBSERVANCE_HEADS and (i == 0 or corrected[i - 1] not in en_names.OBSERVANCE_LEADS):
            continue
        if (corrected[i] not in en_names.HEAD_FIRST or i + 2 >= len(tokens)
                or tokens[i + 1] not in en_names.NAME_LINKS or {i, i + 1} & breaks):
            continue
        end = i + 2
        while end in topical and end - i - 2 < MAX_AFTER_LINK and end - 1 not in breaks:
            end += 1
        if end > i + 2:
            runs.append(Run((corrected[i], *corrected[i + 2:end]), tuple(written[i:end]), head_first=True))
    return tuple(runs)


_ACRONYM_IN_BRACKETS = re.compile(r"\(\s*([A-Za-z]{2,8})\s*\)")


def defined_names(text: str, tokens: list[str], corrected: list[str], written: list[str]) -> tuple[Run, ...]:
    """Names the question gives with their acronym in brackets, the acronym's letters being the
    initials of the words before it, function words skipped: "the asia cooperation dialogue
    (acd)". A name, whatever its words."""
    runs = []
    for match in _ACRONYM_IN_BRACKETS.finditer(text):
        letters, end = match.group(1).lower(), len(written_words(text[: match.start()]))
        picked = _spelling_out(letters, [i for i in range(end) if tokens[i] not in en.STOPWORDS], tokens)
        if len(picked) > 1 and all(len(tokens[i]) > 1 for i in picked):  # not "u.n. (un)"
            runs.append(Run(tuple(corrected[i] for i in picked), tuple(written[picked[0]:end]), defined=letters))
    return tuple(runs)


def _spelling_out(letters: str, positions: list[int], tokens: list[str]) -> list[int]:
    """The last words at `positions` whose initials spell `letters`, an acronym among them
    giving all its letters ("un economic commission for europe (unece)"); none if they do not."""
    picked: list[int] = []
    for i in reversed(positions):
        if not letters:
            break
        word = tokens[i]
        if word in en.acronym_expansions() and letters.endswith(word):
            letters = letters[: -len(word)]
        elif letters.endswith(word[0]):
            letters = letters[:-1]
        else:
            return []
        picked.insert(0, i)
    return picked if not letters else []


def is_absent(word: str, lexicon: Lexicon, signing: bool = False) -> bool:
    """No paragraph uses `word`, nor any of its forms; no expansion is known for it. Only a
    question about `signing` may find it in a signature block alone."""
    return word not in lexicon.expansions and not any(
        a in lexicon.stem_df and (signing or a not in lexicon.signature_only) for a in alternatives(word, lexicon))


def terms_of(text: str, ignored: set[str], lexicon: Lexicon, signing: bool = False) -> Terms:
    """The topic words of `text` and their forms; `ignored` words are no topic; `signing`: the
    question asks about signing, and may be answered from a signature block."""
    written, breaks = written_words(text), clause_breaks(text)
    tokens = [w.lower() for w in written]
    corrected, corrections = correct(tokens, lexicon, written)
    positions = topic_positions(tokens, corrected, ignored)
    content = tuple(corrected[i] for i in positions)
    defined = defined_names(text, tokens, corrected, written)
    spelt = {run.defined for run in defined}  # "acd": its name stands for it
    # a number ("2008") is a name no other word can stand for: only itself grounds it
    absent = {corrected[i]: AbsentWord(corrected[i], written[i], looks_like_a_name(written[i]), corrected[i].isdigit(),
                                       not is_absent(corrected[i], lexicon, True))
              for i in positions if is_absent(corrected[i], lexicon, signing) and corrected[i] not in spelt}
    # Acronyms expand when written in capitals ("NPT", "WHO") or when not an English stopword.
    shouted = {w.lower() for w in _SHOUTED.findall(text)}
    expansions = lexicon.expand([t for t in corrected if t in shouted or t not in en.STOPWORDS])
    dense = " ".join([" ".join(corrected)] + expansions) if corrections or expansions else text
    return Terms(
        content=content,
        terms=tuple(t for t in (alternatives(w, lexicon) for w in content) if t),
        stems=tuple(stems(corrected + [w for e in expansions for w in words(e)])),
        dense_text=dense.strip(),
        absent=tuple(absent.values()),
        corrections=corrections,
        runs=runs_of(positions, corrected, written, breaks) + head_first_runs(positions, tokens, corrected, written, breaks)
        + defined,
        words=tuple(corrected),
    )
