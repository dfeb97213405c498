"""Grounding: is the subject of a question in the paragraph that answers it?

A question's *subjects* are its topic words that the corpus never uses in any form and that name
something: a name, acronym or alphanumeric ("Kashmir", "NATO", "G7", "mpox"), whatever else the
question says; or a lowercase word that carries the question's meaning ("whaling"): the word alone
is close to the whole question (`aboutness`). Words of asking ("want", "happens", "any word on")
are absent too, but far from what the question is about, so they are no subject.

A subject is grounded in a paragraph when one of the paragraph's words, other than the question's
own, is close to it in meaning (for "crops", "agriculture"): the cosine of the subject with the
paragraph's words, whose vectors the index holds. The thresholds are measured on labelled
questions (see docs/ranking.md).

A name of several words whose words the corpus uses, but never together in one paragraph ("Paris
Olympics", "International Criminal Court"), is a subject too; so is a known name (one the UN General
Debate speeches write capitalised: "UN Women", "World Cup") that no paragraph has. They and a number
("2008") are grounded only by themselves, never by words close in meaning ("2022").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from retrieval.known_names import (KNOWN_NAME_SLACK, content_words, folded, known_folded, known_names_in, known_spelt,
                                   shorter_forms, without_function_words)
from retrieval.lang import en, en_names
from retrieval.lexicon import numbered_acronym
from retrieval.memo import Memo
from retrieval.query import AbsentWord, Query, Run
from retrieval.query.terms import alternatives
from retrieval.tokens import stems

MAX_SHARED = 500  # paragraphs read at most to find two words together (Grounder.used_together)
PHRASE_SLACK = 3  # words a name's words may be apart in a paragraph ("Paris Agreement on climate")
MAX_FOUND = 50_000  # names and pairs whose answer (found or not) is kept per index


@dataclass(frozen=True)
class Subject:
    word: AbsentWord
    vector: np.ndarray
    aboutness: float  # cosine of the word alone with the whole question


def subjects_of(query: Query, question_vector: np.ndarray, word_vectors: dict[str, np.ndarray],
                min_aboutness: float) -> tuple[Subject, ...]:
    """The absent words of `query` that are names or carry its meaning."""
    found = []
    for absent in query.absent:
        vector = word_vectors[absent.word]
        aboutness = float(vector @ question_vector)
        if absent.name or aboutness >= min_aboutness:
            found.append(Subject(absent, vector, aboutness))
    return tuple(found)


def absent_names(runs: Iterable[Run], is_name: Callable[[str], bool],
                 paragraphs_with: Callable[[str], set[int]],
                 has_phrase: Callable[..., bool]) -> tuple[AbsentWord, ...]:
    """Names of several words that the corpus never uses, though it uses each word:
    - a run of the question's words holding two or more names that no paragraph has together:
      "paris olympics" when the corpus speaks of the Paris Agreement and of the Olympic Games.
      A name is a word the corpus writes as one (`is_name`) or the question writes with a capital;
    - a run ending with the head of a name ("asian development bank", "green climate fund",
      en_names.NAME_HEADS), or a body's name opened by its head ("organisation of islamic
      cooperation"), that no paragraph has as a phrase (`has_phrase`, in the paragraphs given);
    - a name the question gives with its acronym ("asia cooperation dialogue (acd)") whose words
      no paragraph has next to each other."""
    found: list[AbsentWord] = []
    for run in sorted(runs, key=lambda r: not r.defined):  # a name the question defines first
        if any(set(run.words) <= set(f.word.split()) or set(f.word.split()) <= set(run.words) for f in found):
            continue  # the same name once: "trade security fund (tsf)"
        names = [w for w, written in zip(run.words, run.aligned)
                 if written[:1].isupper() or (is_name(w) and not _plain(w))]
        paragraphs = [paragraphs_with(w) for w in names]
        # every name is in the corpus (an absent word is a subject of its own), never all together
        apart = len(names) >= 2 and all(paragraphs) and not set.intersection(*paragraphs)
        unused = None if apart else _unused_name(run, paragraphs_with, has_phrase)
        numbered = None if apart or unused else _numbered(run, paragraphs_with)
        dated = _unused_name(run, paragraphs_with, has_phrase, numbered) if numbered is not None else None
        if apart or unused or dated:
            name = run if apart else unused or dated
            written = f"{name.written} ({', '.join(run.numbers)})" if dated else name.written
            found.append(AbsentWord(" ".join(name.words), written, name=True, literal=True))
    return tuple(found)


MAX_NAME_WORDS = 4


def _unused_name(run: Run, paragraphs_with: Callable[[str], set[int]],
                 has_phrase: Callable[..., bool], numbered: set[int] | None = None) -> Run | None:
    """The part of the run that is a name no paragraph has, if any: its words up to its first head
    of a name ("middle corridor" of "middle corridor trade route"), a body's name opened by its
    head ("organisation of islamic cooperation"), or a name the question gives with its acronym.
    Only the paragraphs `numbered` may have it, when given (`_numbered`)."""
    if run.defined:  # "asia cooperation dialogue (acd)": a name, so its words close together
        return None if _together(run.words, paragraphs_with, has_phrase, 0) else run
    if run.head_first:  # "organisation of islamic cooperation"; not with an absent word ("bank of china lending")
        places = [paragraphs_with(w) for w in run.words]
        return None if not all(places) or has_phrase(run.words, _limited(set.intersection(*places), numbered)) else run
    # "big sea", "new bank": a plain word before a head is a description as often ("black sea" is
    # a known name); "energy charter treaty" goes on to its next head
    head = next((i for i, w in enumerate(run.words) if w in en_names.NAME_HEADS
                 and not (i == 1 and _plain(run.words[0]) and not run.aligned[0][:1].isupper())), None)
    if head is None or not 1 <= head < MAX_NAME_WORDS:
        return None
    name = Run(run.words[: head + 1], run.aligned[: head + 1])
    places = [paragraphs_with(w) for w in name.words]
    if not all(places):  # "gulf cooperation council": no paragraph can have it
        plain = any(_plain_unused(w) for w, p in zip(name.words[:-1], places) if not p)  # the head: a subject
        return name if plain and len(name.words) >= MIN_PLAIN_NAME else None
    return None if has_phrase(name.words, _limited(set.intersection(*places), numbered)) else name


def _numbered(run: Run, paragraphs_with: Callable[[str], set[int]]) -> set[int] | None:
    """The paragraphs that have every number of the run ("the 2023 sco women's forum": the forum of
    another year is another one); None without numbers, or with one no paragraph has (a subject)."""
    places = [paragraphs_with(n) for n in run.numbers]
    return set.intersection(*places) if places and all(places) else None


def _limited(paragraphs: set[int], numbered: set[int] | None) -> set[int]:
    return paragraphs if numbered is None else paragraphs & numbered


# A plain English word the corpus never uses makes a name of this many words or more absent: in
# two words it is as often a chatty adjective ("the upcoming council", "awesome council").
MIN_PLAIN_NAME = 3


def _together(words: tuple[str, ...], paragraphs_with: Callable[[str], set[int]], has_phrase: Callable[..., bool],
              *slack: int) -> bool:
    """Some paragraph has every one of `words`, close together (see Grounder.has_phrase)."""
    places = [paragraphs_with(w) for w in words]
    return bool(words) and all(places) and has_phrase(words, set.intersection(*places), *slack)


def _plain(word: str) -> bool:
    """A plain English word ("big", "sea", "premier"): a name of the corpus only when the question
    writes it with a capital (the corpus's "Big Eurasian Partnership" makes no name of "big")."""
    return word in en.english_words() and word not in en.proper_nouns()


def _plain_unused(word: str) -> bool:
    """A whole English word that the corpus never uses ("gulf", "cup", "skies"), no name of its
    own (a name, "kashmiri" of "kashmiri bank", is a subject already),
    no clipped or compound word ("inf", "bioweapons": the corpus may spell the thing out) and no
    word with an expansion ("pm")."""
    return _plain(word) and word not in en.expansions()


def grounding(subjects: tuple[Subject, ...], paragraph_words: np.ndarray) -> float:
    """How well the least grounded subject is grounded: min over subjects of the max cosine with a
    word of the paragraph (1.0 without subjects, 0.0 for a paragraph with no word vectors)."""
    if not subjects:
        return 1.0
    return float(min(_grounding(s, paragraph_words) for s in subjects))


def _grounding(subject: Subject, paragraph_words: np.ndarray) -> float:
    if subject.word.literal or not len(paragraph_words):
        return 0.0
    return float((paragraph_words @ subject.vector).max())


def ungrounded(subjects: tuple[Subject, ...], paragraph_words: np.ndarray, floor: float,
               name_floor: float | None = None) -> list[Subject]:
    """The subjects with no word of the paragraph at `floor` or closer; for a name, at
    `name_floor` (default: `floor`) or closer: another name is seldom the same thing ("Qingdao" ~
    "Beijing" 0.55, "Taliban" ~ "Afghanistan" 0.77)."""
    def needed(subject: Subject) -> float:
        return name_floor if subject.word.name and name_floor is not None else floor

    return [s for s in subjects if _grounding(s, paragraph_words) < needed(s)]


class Grounder:
    """Grounding against one index: the names a question uses that the corpus never does, and the
    words of a paragraph that may ground a subject."""

    def __init__(self, index, scorer) -> None:
        self.index = index
        self.scorer = scorer
        self._found: Memo[bool] = Memo(MAX_FOUND)  # (what, words) -> whether some paragraph has them

    def absent_names(self, runs: Iterable[Run]) -> tuple[AbsentWord, ...]:
        return absent_names(runs, self.scorer.names.is_name, self.paragraphs_with, self.has_phrase)

    def absent_known_names(self, words: Sequence[str], besides: Iterable[AbsentWord]) -> tuple[AbsentWord, ...]:
        """Known names of several words (en.known_names(): "un women", "world cup") that no
        paragraph has, though the corpus may use each word; not those holding a name already
        absent (`besides`: "doha" of "doha agreement"). Names, grounded only by themselves."""
        taken = [set(a.word.split()) for a in besides if a.name]
        found = []
        for name in known_names_in(words, known_folded()):
            spelt = without_function_words(name)
            if len(spelt) < 2 or any(t & set(spelt) for t in taken) or self._has_name(spelt):
                continue
            written = " ".join(name)
            found.append(AbsentWord(written, written, name=True, literal=True))
            taken.append(set(spelt))
        return tuple(found)

    def _has_name(self, spelt: tuple[str, ...]) -> bool:
        """Some paragraph has the known name `spelt`, or a shorter known form of it."""
        return self._found.get(("name",) + spelt, lambda: self._find_name(spelt))

    def _find_name(self, spelt: tuple[str, ...]) -> bool:
        forms = [spelt] + [f for f in shorter_forms(spelt) if folded(f) in known_spelt()]
        return any(_together(s, self.paragraphs_with, self.has_phrase, KNOWN_NAME_SLACK)
                   for form in forms for s in self.spellings(form))

    def absent_acronyms(self, content: Iterable[str]) -> tuple[AbsentWord, ...]:
        """Acronyms of the question that the corpus writes neither as such nor spelt out: "CTBT"
        when no paragraph has "comprehensive nuclear test ban treaty", though it has each word
        but "ban". Names, grounded only by themselves."""
        lexicon, found = self.index.lexicon, []
        for word in dict.fromkeys(content):
            expansion = en.acronym_expansions().get(word)
            if expansion is None or any(s in lexicon.stem_df for s in stems([word])):
                continue
            if not any(self.together(spelt) for spelt in self.spellings(content_words(expansion))):
                found.append(AbsentWord(word, word.upper(), name=True, literal=True))
        return tuple(found)

    def numbered(self, word: str) -> bool:
        """A numbered meeting written with its acronym and number ("cop24") that some paragraph
        spells out with its ordinal ("the 24th Conference of the Parties"): a word the corpus uses."""
        numbered = numbered_acronym(word)
        return bool(numbered) and any(self.together(spelt + (numbered[1],))
                                      for spelt in self.spellings(content_words(numbered[0])))

    def spellings(self, spelt: tuple[str, ...]) -> list[tuple[str, ...]]:
        """`spelt`, and with the expansion of an acronym the corpus uses written as that acronym
        ("united nations children fund" -> "un children fund")."""
        found = [spelt]
        for acronym, expansion in en.acronym_expansions().items():
            inner = content_words(expansion)
            if not inner or not any(s in self.index.lexicon.stem_df for s in stems([acronym])):
                continue
            for i in range(len(spelt) - len(inner) + 1):
                if spelt[i:i + len(inner)] == inner:
                    found.append(spelt[:i] + (acronym,) + spelt[i + len(inner):])
        return found

    def together(self, spelt: tuple[str, ...]) -> bool:
        """Some paragraph has every one of the words `spelt`, close together."""
        return _together(spelt, self.paragraphs_with, self.has_phrase)

    def used_together(self, pair: tuple[str, ...]) -> bool:
        """Like `together`, but words that share more than MAX_SHARED paragraphs count as used
        together unread: common words, and reading each paragraph would be slow in a large index."""
        return self._found.get(("pair",) + tuple(pair), lambda: self._find_together(pair))

    def _find_together(self, pair: tuple[str, ...]) -> bool:
        places = [self.postings_of(w) for w in pair]
        shared = functools.reduce(np.intersect1d, places) if all(len(p) for p in places) else np.zeros(0)
        return len(shared) > MAX_SHARED or (bool(len(shared)) and self.has_phrase(pair, set(shared.tolist())))

    def has_phrase(self, run: tuple[str, ...], positions: set[int], slack: int = PHRASE_SLACK) -> bool:
        """Whether a paragraph at `positions` has every word of `run`, in any of its forms, close
        together, in any order: each less than len(run) + `slack` words (stopwords skipped) from
        the first: "the Paris Agreement on climate change" has "paris climate agreement"."""
        forms = [set(alternatives(w, self.index.lexicon)) for w in run]
        span = len(run) + slack
        for p in positions:
            sequence = self.index.paragraph_stems(p)
            found = [[i for i, s in enumerate(sequence) if s in f] for f in forms]
            if any(all(any(abs(j - i) < span for j in places) for places in found[1:]) for i in found[0]):
                return True
        return False

    def paragraphs_with(self, word: str) -> set[int]:
        """The paragraphs that have `word` in any of its forms, an acronym's expansion included
        (not a synonym's: "paris" is not wherever "agreement" is)."""
        return set(self.postings_of(word).tolist())

    def postings_of(self, word: str) -> np.ndarray:
        """`paragraphs_with`, as a sorted array."""
        lexicon = self.index.lexicon
        forms = alternatives(word, lexicon) if word not in en.synonym_only() else tuple(
            dict.fromkeys(stems([word]) + lexicon.related_stems(word)))
        return np.unique(self.scorer.postings(forms)) if forms else np.zeros(0, dtype=np.int64)

    def paragraph_words(self, candidate, query: Query) -> np.ndarray:
        """The vectors of the paragraph's words but the question's own, to ground its subjects."""
        text = self.index.paragraph(self.index.passages[candidate.row]).text
        return self.index.word_vectors.of_text(text, besides=query.content)
