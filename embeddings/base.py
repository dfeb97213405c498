"""The embedder interface shared by every backend."""

from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

import numpy as np


class EmbeddingError(RuntimeError):
    """A model could not be found, verified or loaded."""


class ModelNotFoundError(EmbeddingError):
    """The model named by an option or setting is nowhere on this machine (the CLI exits with 2)."""


@runtime_checkable
class Embedder(Protocol):
    """Turns text into float32, L2-normalised vectors.

    `model_id` names the model, `weights_hash` identifies its exact weights (an index built
    with other weights is stale), `languages` lists the ISO codes it handles (None = any).
    """

    model_id: str
    weights_hash: str
    dim: int
    languages: tuple[str, ...] | None

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray: ...


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    """Return `vectors` as a float32 C-contiguous array whose rows have unit length."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors.reshape(1, -1)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)
