"""The sentence-transformers backend: the only module that imports `sentence_transformers`."""

from __future__ import annotations

import logging
import os
from typing import Sequence

import numpy as np

from embeddings.base import EmbeddingError, l2_normalize

log = logging.getLogger(__name__)

def set_threads(threads: int) -> None:
    """Torch's intra-op threads for this process (see benchmarks/bench_threads.py)."""
    import torch

    torch.set_num_threads(threads)


def single_threaded_blas() -> None:
    """numpy's (and FAISS's) OpenBLAS to one thread in a process that runs torch. After each call
    OpenBLAS keeps its idle threads spinning; on a small machine they take the cores from torch's
    threads, and a question took twice as long (14 ms instead of 29 on 2 cores, p95 16 ms instead
    of 71: benchmarks/bench_scale.py). The products OpenBLAS does here are small."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a dependency of sentence-transformers (scikit-learn)
        return
    threadpool_limits(1, user_api="blas")


QUERY_BATCH_SIZE = 32
PASSAGE_BATCH_SIZE = 64


class SentenceTransformerEmbedder:
    """Wraps a local sentence-transformers model; never downloads anything."""

    def __init__(
        self,
        model_path: str,
        model_id: str,
        weights_hash: str,
        languages: tuple[str, ...] | None = ("en",),
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:  # the weight-loading progress bar is noise on every start
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()
            transformers_logging.set_verbosity_error()
        except ImportError:  # pragma: no cover
            pass
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise EmbeddingError(
                "sentence-transformers is not installed: pip install sentence-transformers"
            ) from exc
        try:
            self._model = SentenceTransformer(model_path, device="cpu", local_files_only=True)
        except Exception as exc:  # the library raises many types for a bad path
            raise EmbeddingError(f"cannot load model {model_id!r} from {model_path}: {exc}") from exc
        single_threaded_blas()
        self.model_id = model_id
        self.weights_hash = weights_hash
        self.languages = languages
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:
            dim = int(self._encode(["probe"], is_query=True).shape[1])
        self.dim = int(dim)

    def _encode(self, texts: Sequence[str], is_query: bool, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        encode = self._model.encode_query if is_query else self._model.encode_document
        vectors = encode(
            list(texts),
            batch_size=QUERY_BATCH_SIZE if is_query else PASSAGE_BATCH_SIZE,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=progress,
        )
        return l2_normalize(vectors)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=True)

    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self._encode(texts, is_query=False, progress=progress)
