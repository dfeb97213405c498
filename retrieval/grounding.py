"""Grounding: is the subject of a question in the paragraph that answers it?

A question's *subjects* are its topic words that the corpus never uses in any form and that name
something: a name, acronym or alphanumeric ("Kashmir", "NATO", "G7", "mpox"), whatever else the
question says; or a lowercase word that carries the question's meaning ("whaling"): the word alone
is close to the whole question (`aboutness`). Words of asking ("want", "happens", "any word on")
are absent too, but far from what the question is about, so they are no subject.

A subject is grounded in a paragraph when one of the paragraph's words is close to it in meaning
(for "Tehran", "Iran"): the cosine of the subject with the paragraph's words, whose vectors the
index holds. The thresholds are measured on labelled questions (see docs/ranking.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.query import AbsentWord, Query
from retrieval.tokens import words


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


class WordVectors:
    """A vector for each word the corpus uses (but stopwords), for grounding subjects."""

    def __init__(self, vocabulary: list[str], vectors: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.vectors = vectors  # float16 rows, L2-normalised
        self._ids = {w: i for i, w in enumerate(vocabulary)}

    def of_text(self, text: str) -> np.ndarray:
        """The vectors of the distinct words of `text` that have one (float32)."""
        ids = sorted({self._ids[w] for w in words(text) if w in self._ids})
        return self.vectors[ids].astype(np.float32)


def grounding(subjects: tuple[Subject, ...], paragraph_words: np.ndarray) -> float:
    """How well the least grounded subject is grounded: min over subjects of the max cosine with a
    word of the paragraph (1.0 without subjects, 0.0 for a paragraph with no word vectors)."""
    if not subjects:
        return 1.0
    if not len(paragraph_words):
        return 0.0
    return float(min((paragraph_words @ s.vector).max() for s in subjects))


def ungrounded(subjects: tuple[Subject, ...], paragraph_words: np.ndarray, floor: float) -> list[Subject]:
    """The subjects with no word of the paragraph at `floor` or closer."""
    if not len(paragraph_words):
        return list(subjects)
    return [s for s in subjects if float((paragraph_words @ s.vector).max()) < floor]
