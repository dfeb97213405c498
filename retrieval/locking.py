"""Exclusive locks between processes: a lock file beside what it guards (fcntl.flock).

Used for an index being built (retrieval/index/store.py) and for a corpus folder documents are
added to or removed from (retrieval/intake.py): two processes never do either at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import time
from pathlib import Path
from typing import Callable

LOCK_POLL = 0.2  # seconds between two tries of a lock another process holds


@contextlib.contextmanager
def exclusive(lock_file: Path, waiting: Callable[[], None] | None = None,
              fail: Callable[[OSError], Exception] | None = None):
    """Hold an exclusive lock on `lock_file` (created, with its folder, if missing). While another
    process holds it, try again every LOCK_POLL seconds, calling `waiting()` first, which may raise
    to stop waiting. If the file cannot be created, raise `fail(the OSError)` (or the OSError)."""
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_file, "a")
    except OSError as exc:
        if fail is None:
            raise
        raise fail(exc) from exc
    with handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if waiting:
                    waiting()
                time.sleep(LOCK_POLL)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
