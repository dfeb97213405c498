"""An embedder that loads its model only when it has something to encode.

Importing sentence-transformers and loading a model takes about 6 s on this machine (torch,
transformers, scikit-learn), which `quotebot docs`, `about` and an `index` with nothing new to
encode do not need: the index on disk is found by the model's id and weights hash, which are known
without loading it. The dimension is read from the model's folder when it states it plainly (see
`loader.stated_dim`); otherwise asking for it loads the model.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from embeddings.base import Embedder, EmbeddingError


class LazyEmbedder:
    def __init__(self, load: Callable[[], Embedder], model_id: str, weights_hash: str,
                 languages: tuple[str, ...] | None, dim: int | None = None) -> None:
        self._load = load
        self._model: Embedder | None = None
        self._dim = dim
        self.model_id = model_id
        self.weights_hash = weights_hash
        self.languages = languages

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def dim(self) -> int:
        return self._dim if self._dim is not None else self.model().dim

    def model(self) -> Embedder:
        """The real embedder, loaded on first use; its dimension must be the one stated."""
        if self._model is None:
            model = self._load()
            if self._dim is not None and model.dim != self._dim:
                raise EmbeddingError(f"model {self.model_id!r} encodes {model.dim} dimensions, "
                                     f"its files say {self._dim}")
            self._model = model
        return self._model

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.model().embed_queries(texts)

    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self.model().embed_passages(texts, progress)
