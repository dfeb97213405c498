"""Known names of several words (retrieval/lang/data/known_names.txt, from the UN General Debate
speeches: "UN Women", "World Cup"): finding them in a question's words. Whether the corpus has
one is decided in retrieval.grounding, against the index."""

from __future__ import annotations

import functools
from typing import Sequence

from retrieval.lang import en, en_names
from retrieval.tokens import spelling_variant, words


def content_words(text: str) -> tuple[str, ...]:
    """The words of `text` but function words, lower case."""
    return without_function_words(words(text))


def without_function_words(name: Sequence[str]) -> tuple[str, ...]:
    """The words of `name` (lower-case words) but function words."""
    return tuple(w for w in name if w not in en.STOPWORDS)


# A known name is in a paragraph that has its words with at most this many other words between
# ("UN Security Council" for "un security council"), or a shorter known name with its first and
# last words ("the Paris Agreement" for "the paris climate agreement").
KNOWN_NAME_SLACK = 1
MAX_KNOWN_NAME_WORDS = 8


def folded(name: Sequence[str]) -> tuple[str, ...]:
    """`name` in one spelling for British and American forms ("organisation" -> organization)."""
    return tuple(spelling_variant(w) for w in name)


def known_names_in(words: Sequence[str], known: frozenset[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The known names among `words` (lower case, function words kept), longest first from the
    left, none overlapping, as written: "un convention on the rights of the child" ->
    ("convention", "on", "the", "rights", "of", "the", "child"). `known` is `folded`."""
    found, i, spelt = [], 0, folded(words)
    while i < len(words):
        ends = range(min(len(words), i + MAX_KNOWN_NAME_WORDS), i + 1, -1)
        j = next((j for j in ends if spelt[i:j] in known), None)
        if j:
            found.append(tuple(words[i:j]))
        i = j or i + 1
    return found


def shorter_forms(spelt: tuple[str, ...]) -> list[tuple[str, ...]]:
    """`spelt` without some of its inner words, its first and last kept: ("paris", "climate",
    "agreement") -> [("paris", "agreement")]."""
    inner = spelt[1:-1]
    return [(spelt[0], *(w for k, w in enumerate(inner) if keep >> k & 1), spelt[-1])
            for keep in range(2 ** len(inner) - 1)] if len(spelt) > 2 else []


@functools.lru_cache(maxsize=1)
def known_folded() -> frozenset[tuple[str, ...]]:
    """The known names, `folded`, but those holding a title of office ("iranian president",
    "president putin", "un secretary general"): they name an office or its holder, which the
    declarations write their own way ("President of the Islamic Republic of Iran Hassan Rouhani")."""
    return frozenset(folded(name) for name in en.known_names() if not holds_title(name))


def holds_title(name: Sequence[str]) -> bool:
    """`name` has the words of a title of office in a row (en_names.OFFICE_TITLES)."""
    return any(tuple(name[i:i + len(title)]) == title for title in _titles() for i in range(len(name)))


@functools.lru_cache(maxsize=1)
def _titles() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(words(title)) for title in en_names.OFFICE_TITLES)


@functools.lru_cache(maxsize=1)
def known_spelt() -> frozenset[tuple[str, ...]]:
    """The known names without their function words, `folded`."""
    return frozenset(without_function_words(name) for name in known_folded())
