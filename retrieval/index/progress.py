"""A build's progress: shown as it goes, and the way to stop it.

Embedding is done in chunks of at most CHUNK texts and CHUNK_CHARS characters. Between chunks the build reports how far it is (a bar
on a terminal, a line every `every` seconds otherwise: a first build may take minutes) and checks
whether it was asked to stop (a bot shutting down during /reindex): it then raises BuildCancelled
within one chunk, and the index on disk stays as it was.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

import numpy as np

from retrieval.errors import IndexStoreError

CHUNK = 256  # texts embedded between two checks at most (about a second on 2 cores for short ones)
CHUNK_CHARS = 48_000  # and characters at most: 256 of the longest paragraphs took 13 s, 40 take 2
EVERY = 10.0  # seconds between two progress lines


def chunks(lengths: list[int], most: int = CHUNK, chars: int = CHUNK_CHARS) -> list[slice]:
    """Consecutive slices over texts of these lengths, each of at most `most` texts and `chars`
    characters (one text at least), so that a stop request waits seconds, not minutes."""
    slices, start, size = [], 0, 0
    for i, length in enumerate(lengths):
        if i > start and (i - start == most or size + length > chars):
            slices.append(slice(start, i))
            start, size = i, 0
        size += length
    if start < len(lengths):
        slices.append(slice(start, len(lengths)))
    return slices


class BuildCancelled(IndexStoreError):
    """The build was asked to stop; the previous index is untouched."""


class BuildProgress:
    def __init__(self, bar: bool = False, write: Callable[[str], None] | None = None,
                 cancel: threading.Event | None = None, every: float = EVERY) -> None:
        self.bar = bar
        self.write = write
        self.cancel = cancel or threading.Event()
        self.every = every
        self.what, self.total, self.done = "", 0, 0
        self._bar = None
        self._last = time.monotonic()
        self._written = -1  # how far this stage's last progress line said (-1: none written yet)

    def check(self) -> None:
        if self.cancel.is_set():
            raise BuildCancelled("the index build was stopped; the previous index is kept")

    def start(self, what: str, total: int) -> None:
        """A new stage of `total` texts to encode (fewer when the cache has some)."""
        self.finish()
        self.what, self.total, self.done = what, total, 0
        if self.bar and total > CHUNK:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit=" texts", desc=what, leave=False)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if self._written >= 0 and self._written != self.done:  # a stage that reported: its last line
            self._line()
        self._written = -1

    def advance(self, count: int) -> None:
        self.done += count
        if self._bar is not None:
            self._bar.update(count)
        elif self.write and self.total and time.monotonic() - self._last >= self.every:
            self._line()

    def _line(self) -> None:
        self.write(f"building the index: {self.what} {self.done}/{self.total} ({100 * self.done // self.total}%)")
        self._last, self._written = time.monotonic(), self.done

    def encoder(self, encode: Callable[[list[str]], np.ndarray]) -> Callable[[list[str]], np.ndarray]:
        """`encode`, applied chunk by chunk, reporting and checking between chunks."""
        def chunked(texts: list[str]) -> np.ndarray:
            # Longest first, as sentence-transformers orders one batch: the texts of a chunk
            # are then alike in length, and a batch pads little (benchmarks/bench_scale.py).
            order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
            parts = []
            for chunk in chunks([len(texts[i]) for i in order]):
                self.check()
                parts.append(encode([texts[i] for i in order[chunk]]))
                self.advance(len(parts[-1]))
            self.check()
            if not parts:
                return encode([])
            vectors = np.empty_like(parts[0], shape=(len(texts), parts[0].shape[1]))
            vectors[order] = np.concatenate(parts)
            return vectors
        return chunked

    def embed(self, texts: list[str], encode: Callable[[list[str]], np.ndarray], what: str) -> np.ndarray:
        """`encode` applied to `texts` as one stage."""
        self.start(what, len(texts))
        try:
            return self.encoder(encode)(texts)
        finally:
            self.finish()
