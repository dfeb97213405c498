"""A small deterministic embedder for unit tests: no model, no randomness, no network.

It hashes word unigrams and character trigrams into a fixed number of buckets, so texts that
share words land near each other. It is not a language model, only a stand-in with the
right shape and a stable output.
"""

from __future__ import annotations

import hashlib
import re
from typing import Sequence

import numpy as np

from embeddings.base import l2_normalize

_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Feature-hashing embedder (word unigrams + character trigrams)."""

    def __init__(self, dim: int = 256, languages: tuple[str, ...] | None = ("en",)) -> None:
        self.dim = dim
        self.model_id = "fake-hashing" if dim == 256 else f"fake-hashing-{dim}"
        self.weights_hash = hashlib.sha256(self.model_id.encode()).hexdigest()
        self.languages = languages
        self.calls = 0

    def _bucket(self, feature: str) -> int:
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        return int.from_bytes(digest, "little") % self.dim

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                out[row, self._bucket("w:" + word)] += 2.0
                padded = f"#{word}#"
                for i in range(len(padded) - 2):
                    out[row, self._bucket("c:" + padded[i : i + 3])] += 0.5
        return l2_normalize(out)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self._embed(texts)
