"""Stages 4 and 5: spelling correction, then the words the ranker matches and what they mean."""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.lang import en
from retrieval.lexicon import Lexicon
from retrieval.tokens import stems, words

_SHOUTED = re.compile(r"\b[A-Z]{2,}\b")  # a word in capitals: an acronym
_NAME = re.compile(r"\b[A-Z][A-Za-z]+\b")


def correct(tokens: list[str], lexicon: Lexicon) -> tuple[list[str], tuple[tuple[str, str], ...]]:
    """Each token corrected against the corpus vocabulary, and the corrections made."""
    corrected = [lexicon.correct(t) for t in tokens]
    return corrected, tuple((a, b) for a, b in zip(tokens, corrected) if a != b)


@dataclass(frozen=True)
class Terms:
    content: tuple[str, ...]  # the corrected topic words
    terms: tuple[tuple[str, ...], ...]  # per topic word: its stem and the stems of its other forms
    stems: tuple[str, ...]  # stems of every corrected word and of the acronyms' expansions
    dense_text: str  # the text to embed: corrected, with expansions, when anything changed
    unknown_names: tuple[str, ...]  # capitalised words the corpus never uses ("Iraq")
    corrections: tuple[tuple[str, str], ...]  # (as written, corrected)


def topic_words(tokens: list[str], corrected: list[str], ignored: set[str]) -> tuple[str, ...]:
    """Corrected tokens that name a topic: no stopword, no single letter, nothing in `ignored`
    (words pointing at the source, the scope's years and places), as written or corrected."""
    return tuple(c for t, c in zip(tokens, corrected)
                 if c not in en.STOPWORDS and len(c) > 1 and c not in ignored and t not in ignored)


def alternatives(word: str, lexicon: Lexicon) -> tuple[str, ...]:
    """The stems that count as `word` being present: its own, its other forms', its expansion's."""
    return tuple(dict.fromkeys(stems([word]) + lexicon.related_stems(word)
                               + stems(words(lexicon.expansions.get(word, "")))))


def unknown_names(text: str, corrections: dict[str, str], lexicon: Lexicon) -> tuple[str, ...]:
    """Capitalised words of `text` that the corpus never uses, after spelling correction."""
    return tuple(dict.fromkeys(
        name for name in _NAME.findall(text)
        if (low := corrections.get(name.lower(), name.lower())) not in en.STOPWORDS
        and low not in lexicon.vocabulary and low not in lexicon.expansions
    ))


def terms_of(text: str, ignored: set[str], lexicon: Lexicon) -> Terms:
    """The topic words of `text` and their forms; `ignored` words are no topic."""
    tokens = words(text)
    corrected, corrections = correct(tokens, lexicon)
    content = topic_words(tokens, corrected, ignored)
    # Acronyms expand when written in capitals ("NPT", "WHO") or when not an English stopword.
    shouted = {w.lower() for w in _SHOUTED.findall(text)}
    expansions = lexicon.expand([t for t in corrected if t in shouted or t not in en.STOPWORDS])
    dense = " ".join([" ".join(corrected)] + expansions) if corrections or expansions else text
    return Terms(
        content=content,
        terms=tuple(t for t in (alternatives(w, lexicon) for w in content) if t),
        stems=tuple(stems(corrected + [w for e in expansions for w in words(e)])),
        dense_text=dense.strip(),
        unknown_names=unknown_names(text, dict(corrections), lexicon),
        corrections=corrections,
    )
