"""Words and stems: the tokens the lexical side of retrieval compares."""

from __future__ import annotations

import functools
import itertools
import re
from typing import Iterable, Mapping, Sequence

from retrieval.lang import en

# Bump when tokens or stems of a text change: indexes built before are rebuilt.
LEXICAL_VERSION = 4
_TOKEN = re.compile(r"[a-z0-9]+(?:['’´ʼ][a-z]+)?|[а-яё0-9]+", re.IGNORECASE)
_APOSTROPHES = str.maketrans({"’": "'", "´": "'", "ʼ": "'"})  # all written as "'" in a token
_BRITISH = tuple((re.compile(pattern), replacement) for pattern, replacement in en.BRITISH_TO_AMERICAN)


@functools.lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("PyStemmer is missing: pip install PyStemmer") from exc
    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased word tokens, stopwords kept."""
    found = written_words(text)
    # Lower-cased at once: tokens hold no space, and no letter of the token pattern lower-cases by
    # its neighbours (only the Greek sigma does), so this is each token lower-cased, faster.
    return " ".join(found).lower().split(" ") if found else []


# What ends a run of words between two of them: a sentence's or a clause's punctuation (also in
# full width, and "…"), a bracket, a slash or bar, a double or low quote mark, a line break, a dash
# between spaces or an en or em dash ("kyrgyzstan? jeenbekov", "pakistan / india"); not a hyphen
# ("cross-border"), nor the full stop of a short abbreviation ("St. Petersburg", "u.n. security").
_CLAUSE_MARK = re.compile(r"""[?!,;:…()\[\]{}/|"“”„«»\n\uff01-\uff0f\uff1a-\uff1f\u3001\u3002]|\s[-–—]+\s|[–—]""")
_FULL_STOP = re.compile(r"\.(?!\w)")
MAX_ABBREVIATION = 2  # letters of a word before a full stop that ends no clause: "St.", "Mr.", "u.n."


def clause_breaks(text: str) -> frozenset[int]:
    """The positions i of `written_words(text)` after which a clause mark ends a run of words."""
    spans = [m.span() for m in _TOKEN.finditer(text)]
    return frozenset(i for i, ((begin, end), (start, _)) in enumerate(zip(spans, spans[1:]))
                     if _CLAUSE_MARK.search(text, end, start)
                     or (end - begin > MAX_ABBREVIATION and _FULL_STOP.search(text, end, start)))


def written_words(text: str) -> list[str]:
    """The word tokens of `text` as written (the case kept), aligned with `words(text)`."""
    found = _TOKEN.findall(text)
    return [w.translate(_APOSTROPHES) for w in found] if any(a in text for a in "’´ʼ") else found


@functools.lru_cache(maxsize=100_000)
def spelling_variant(token: str) -> str:
    """One spelling for British and American forms (applied to queries and texts alike)."""
    for pattern, repl in _BRITISH:
        token = pattern.sub(repl, token)
    return token


_STEM_OF: dict[str, str | None] = {}  # token -> its stem, None for a stopword: a build stems each word once
_STEM_CACHE_MAX = 1_000_000


def stems(tokens: Iterable[str]) -> list[str]:
    """Stems of the tokens that are not stopwords, British and American spellings merged."""
    global _STEM_OF
    tokens = list(tokens)
    stem_of = _STEM_OF
    new = [t for t in dict.fromkeys(tokens) if t not in stem_of]
    if new:
        if len(stem_of) + len(new) > _STEM_CACHE_MAX:  # a fresh memo: every token of this text is new
            stem_of = _STEM_OF = {}  # to it, and another thread reading the old one keeps it whole
            new = list(dict.fromkeys(tokens))
        kept = [t for t in new if t not in en.STOPWORDS and len(t) > 1]
        stem_of.update(dict.fromkeys(new))
        stem_of.update(zip(kept, _stemmer().stemWords([spelling_variant(t) for t in kept])))
    return [s for s in map(stem_of.__getitem__, tokens) if s is not None]


def fold_words(text: str) -> str:
    """`text` as its words between spaces, British and American spellings as one, for finding a
    quoted phrase as written ("missile defense" in "missile defence")."""
    return f" {' '.join(spelling_variant(w) for w in words(text))} "


def phrase_forms(phrase: str) -> tuple[str, ...]:
    """A quoted phrase folded as by `fold_words`, and again with its acronyms spelt out
    (`en.acronym_expansions`): "a nucleus in the wto" is in "a nucleus in the World Trade
    Organisation"."""
    tokens = words(phrase)
    spelt = [en.acronym_expansions().get(t, t) for t in tokens]
    return tuple(dict.fromkeys([fold_words(phrase), fold_words(" ".join(spelt))]))


def has_phrases(folded: str, phrases: Iterable[tuple[str, ...]]) -> bool:
    """Whether a text folded by `fold_words` has every phrase, in any of its forms (`phrase_forms`)."""
    return all(any(form in folded for form in forms) for forms in phrases)


NEIGHBOUR_REACH = 2  # stems this far apart are neighbours: "rule of [international] law" (stopwords are no stems)


def neighbour_pairs(text_stems: list[str], reach: int = NEIGHBOUR_REACH) -> frozenset[tuple[str, str]]:
    """Every ordered pair of a text's stems at most `reach` stems apart, in the text's order."""
    return frozenset((a, text_stems[i + d]) for i, a in enumerate(text_stems)
                     for d in range(1, reach + 1) if i + d < len(text_stems))


def adjacent_share(wanted: tuple[frozenset[tuple[str, str]], ...], pairs: frozenset[tuple[str, str]]) -> float:
    """The share of `wanted` (per pair of neighbouring question words, its stem pairs: any counts)
    that a text with neighbour pairs `pairs` has."""
    return sum(not w.isdisjoint(pairs) for w in wanted) / len(wanted) if wanted else 0.0


def neighbour_sets(content: Sequence[str], terms: Sequence[tuple[str, ...]],
                   expansions: Mapping[str, str]) -> tuple[frozenset[tuple[str, str]], ...]:
    """Per pair of neighbouring topic words of a question (`content`, each with its stems and
    forms, `terms`), the pairs of stems that have them side by side: each word's own forms, and of
    an acronym's expansion the word next to the other ("wto rules": organ, rule; not world, rule)."""
    if len(content) != len(terms):
        return tuple(frozenset(itertools.product(a, b)) for a, b in zip(terms, terms[1:]))
    ends = []
    for word, alternatives in zip(content, terms):
        spelt = stems(words(expansions.get(word, "")))
        own = [a for a in alternatives if a not in spelt]
        ends.append((own + spelt[-1:], own + spelt[:1]))  # as the first of a pair, as the second
    return tuple(frozenset(itertools.product(a[0], b[1])) for a, b in zip(ends, ends[1:]))
