"""An embedder that loads its model only when it has something to encode.

Importing sentence-transformers and loading a model takes about 6 s on this machine (torch,
transformers, scikit-learn), which `quotebot docs`, `about` and an `index` with nothing new to
encode do not need: the index on disk is found by the model's id and weights hash, which are known
without loading it. The dimension is read from the model's folder when it states it plainly (see
`loader.stated_dim`); otherwise asking for it loads the model.

`prepare()` starts loading the model in a child process at once (worker.py), for a build that knows
it will encode: its other work then overlaps the loading, and the encoding happens in the child.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from embeddings.base import Embedder, EmbeddingError


class LazyEmbedder:
    """`spec` ({"name", "languages", "threads"} of `load_embedder`) lets `prepare` load the same
    model in a child process; without it, `prepare` does nothing."""

    def __init__(self, load: Callable[[], Embedder], model_id: str, weights_hash: str,
                 languages: tuple[str, ...] | None, dim: int | None = None, spec: dict | None = None) -> None:
        self._load = load
        self._spec = spec
        self._model: Embedder | None = None
        self._checked = False
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

    def prepare(self) -> None:
        """Start loading the model in a child process now, unless it is loaded or being loaded."""
        if self._model is None and self._spec is not None:
            from embeddings.worker import EncoderProcess

            self._model = EncoderProcess(self._spec)

    def model(self) -> Embedder:
        """The real embedder, loaded on first use; it must be the model found (id, weights hash)
        and encode the dimension stated."""
        if self._model is None:
            self._model = self._load()
        if not self._checked:
            model = self._model
            if (model.model_id, model.weights_hash) != (self.model_id, self.weights_hash):
                raise EmbeddingError(f"the model loaded is {model.model_id!r} ({model.weights_hash[:12]}), "
                                     f"not the {self.model_id!r} ({self.weights_hash[:12]}) found before")
            if self._dim is not None and model.dim != self._dim:
                raise EmbeddingError(f"model {self.model_id!r} encodes {model.dim} dimensions, "
                                     f"its files say {self._dim}")
            self._checked = True
        return self._model

    def close(self) -> None:
        """End the child process of `prepare`, if there is one."""
        close = getattr(self._model, "close", None)
        if close is not None:
            close()
            self._model, self._checked = None, False

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.model().embed_queries(texts)

    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self.model().embed_passages(texts, progress)
