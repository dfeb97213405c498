"""The vector of each word of the corpus, stored with the index, for grounding subjects
(retrieval.grounding)."""

from __future__ import annotations

from typing import Iterable

import numpy as np

from retrieval.tokens import words


class WordVectors:
    """A vector for each word the corpus uses (but stopwords), for grounding subjects."""

    def __init__(self, vocabulary: list[str], vectors: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.vectors = vectors  # float16 rows, L2-normalised
        self._ids = {w: i for i, w in enumerate(vocabulary)}

    def vector(self, word: str) -> np.ndarray | None:
        """The vector of `word` (float32), None for a word the corpus does not use."""
        i = self._ids.get(word)
        return None if i is None else self.vectors[i].astype(np.float32)

    def of_text(self, text: str, besides: Iterable[str] = ()) -> np.ndarray:
        """The vectors of the distinct words of `text` that have one, but the words `besides`
        (float32)."""
        skip = set(besides)
        ids = sorted({self._ids[w] for w in words(text) if w in self._ids and w not in skip})
        return self.vectors[ids].astype(np.float32)
