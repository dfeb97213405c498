"""BM25 over paragraph stems (bm25s), stored as JSON + .npy files (no pickle)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np


def _bm25s():
    """Import bm25s, which sets its own logger to DEBUG on import; keep it at WARNING."""
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


class BM25Index:
    """The paragraphs' stems as a bm25s index: postings for coverage, scores for the baseline."""

    def __init__(self, model) -> None:
        self._model = model
        self._vocab = model.vocab_dict

    @classmethod
    def build(cls, stem_lists: Sequence[list[str]]) -> "BM25Index":
        """Index paragraphs given as their stems (see `retrieval.tokens.stems`)."""
        model = _bm25s().BM25()
        model.index([s or [""] for s in stem_lists], show_progress=False)
        return cls(model)

    def save(self, directory: Path) -> None:
        self._model.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> "BM25Index":
        return cls(_bm25s().BM25.load(str(directory), show_progress=False))

    def postings(self, stem: str) -> np.ndarray:
        """Positions of the paragraphs that contain `stem` (from the sparse score matrix)."""
        token = self._vocab.get(stem)
        if token is None:
            return np.zeros(0, dtype=np.int64)
        scores = self._model.scores
        return scores["indices"][scores["indptr"][token] : scores["indptr"][token + 1]]

    def scores(self, query_stems: Sequence[str]) -> np.ndarray:
        known = [s for s in query_stems if s in self._vocab]
        if not known:
            return np.zeros(self._model.scores["num_docs"], dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)
