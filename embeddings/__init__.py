"""Text embedders: the `Embedder` protocol and its backends.

Nothing here loads a model at import time; `load_embedder` does it on request.
"""

from embeddings.base import Embedder, EmbeddingError, l2_normalize
from embeddings.fake import HashingEmbedder
from embeddings.loader import DEFAULT_MODEL, load_embedder

__all__ = [
    "DEFAULT_MODEL",
    "Embedder",
    "EmbeddingError",
    "HashingEmbedder",
    "l2_normalize",
    "load_embedder",
]
