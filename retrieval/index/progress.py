"""A build's progress: shown as it goes, and the way to stop it.

Embedding is done in chunks of CHUNK texts. Between chunks the build reports how far it is (a bar
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

CHUNK = 256  # texts embedded between two checks (about a second on 2 cores)
EVERY = 10.0  # seconds between two progress lines


class BuildCancelled(IndexStoreError):
    """The build was asked to stop; the previous index is untouched."""


class BuildProgress:
    def __init__(self, bar: bool = False, write: Callable[[str], None] | None = None,
                 cancel: threading.Event | None = None, every: float = EVERY) -> None:
        self.bar = bar
        self.write = write
        self.cancel = cancel or threading.Event()
        self.every = every

    def check(self) -> None:
        if self.cancel.is_set():
            raise BuildCancelled("the index build was stopped; the previous index is kept")

    def embed(self, texts: list[str], encode: Callable[[list[str]], np.ndarray], what: str) -> np.ndarray:
        """`encode` applied to `texts` chunk by chunk, reporting and checking between chunks."""
        bar = None
        if self.bar and len(texts) > CHUNK:
            from tqdm import tqdm

            bar = tqdm(total=len(texts), unit=" texts", desc=what, leave=False)
        parts, last = [], time.monotonic()
        try:
            for start in range(0, len(texts), CHUNK):
                self.check()
                parts.append(encode(texts[start:start + CHUNK]))
                done = min(start + CHUNK, len(texts))
                if bar is not None:
                    bar.update(done - bar.n)
                elif self.write and time.monotonic() - last >= self.every:
                    self.write(f"building the index: {what} {done}/{len(texts)} ({100 * done // len(texts)}%)")
                    last = time.monotonic()
        finally:
            if bar is not None:
                bar.close()
        self.check()
        return np.concatenate(parts) if parts else encode([])
