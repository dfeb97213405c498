"""The embedding cache: what has been encoded once is never encoded again.

One segment per document and model: the vectors of the document's rows, keyed by the model (id
and weights hash) and the exact texts of those rows. Segments live beside the indexes
(`<index root>/segments/<model>/`), so every index of that model shares them: adding a
declaration to a large corpus encodes that declaration only; a corpus unchanged since the last
build, or with one file changed, reuses every other segment. The words' vectors (for grounding)
are a segment of their own, merged as new words come.

Plain `.npy` files (no pickle) with a JSON sidecar giving their shape and sha256; each is written
to a temporary file and renamed into place, so a build killed at any point leaves whole segments
behind, and the next build starts where it stopped.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np

WORDS = "words"


def model_key(model_id: str, weights_hash: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in model_id)[-40:]
    return f"{safe}-{weights_hash[:16]}"


def texts_key(texts: list[str]) -> str:
    """Identifies a list of texts exactly (length-prefixed, so no two lists share a key)."""
    digest = hashlib.sha256()
    for text in texts:
        data = text.encode("utf-8")
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()[:40]


class SegmentStore:
    """Segments of one model under `folder`."""

    def __init__(self, folder: Path, dim: int) -> None:
        self.folder = Path(folder)
        self.dim = dim

    @classmethod
    def for_model(cls, index_root: Path, model_id: str, weights_hash: str, dim: int) -> "SegmentStore":
        return cls(Path(index_root) / "segments" / model_key(model_id, weights_hash), dim)

    def load(self, key: str, rows: int) -> np.ndarray | None:
        """The vectors stored under `key`, if whole and of the expected shape; else None."""
        data, meta = self.folder / f"{key}.npy", self.folder / f"{key}.json"
        try:
            info = json.loads(meta.read_text("utf-8"))
            if info.get("rows") != rows or info.get("dim") != self.dim:
                return None
            stored = data.read_bytes()  # read once: checked, then parsed
            if hashlib.sha256(stored).hexdigest() != info.get("sha256"):
                return None
            vectors = np.load(io.BytesIO(stored), allow_pickle=False)
        except (OSError, ValueError, TypeError, AttributeError):
            return None
        return vectors if vectors.shape == (rows, self.dim) and vectors.dtype == np.float32 else None

    def save(self, key: str, vectors: np.ndarray) -> None:
        """Store `vectors` under `key` atomically (the data, then the sidecar that vouches for it)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        data = write_atomic(self.folder / f"{key}.npy", lambda handle: np.save(handle, vectors, allow_pickle=False))
        meta = {"rows": int(vectors.shape[0]), "dim": self.dim, "sha256": hashlib.sha256(data).hexdigest()}
        write_atomic(self.folder / f"{key}.json", lambda handle: handle.write(json.dumps(meta).encode()))

    def encode(self, segments: list[list[str]], encode: Callable[[list[str]], np.ndarray]) -> list[np.ndarray]:
        """The vectors of each list of texts, encoded in one call (each distinct text once, so
        batches are long and alike) and stored, segment by segment."""
        distinct = list(dict.fromkeys(t for texts in segments for t in texts))
        encoded = encode(distinct) if distinct else np.zeros((0, self.dim), dtype=np.float32)
        position = {text: i for i, text in enumerate(distinct)}
        out = []
        for texts in segments:
            vectors = np.ascontiguousarray(encoded[[position[t] for t in texts]], dtype=np.float32)
            vectors = vectors.reshape(len(texts), self.dim)
            self.save(texts_key(texts), vectors)
            out.append(vectors)
        return out

    def word_vectors(self, words: list[str], encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """The vectors of `words`, encoding only the words never encoded before with this model."""
        known: dict[str, int] = {}
        stored = np.zeros((0, self.dim), dtype=np.float32)
        try:
            known_words = json.loads((self.folder / f"{WORDS}.list.json").read_text("utf-8"))
            loaded = self.load(WORDS, len(known_words))
            if loaded is not None:
                stored, known = loaded, {w: i for i, w in enumerate(known_words)}
        except (OSError, ValueError):
            pass
        missing = [w for w in words if w not in known]
        if missing:
            stored = np.concatenate([stored, np.asarray(encode(missing), dtype=np.float32)])
            all_words = list(known) + missing
            known = {w: i for i, w in enumerate(all_words)}
            self.save(WORDS, stored)
            write_atomic(self.folder / f"{WORDS}.list.json",
                          lambda handle: handle.write(json.dumps(all_words, ensure_ascii=False).encode("utf-8")))
        return stored[[known[w] for w in words]] if words else np.zeros((0, self.dim), dtype=np.float32)


class VectorFile:
    """A float32 matrix written straight into an .npy file, rows in any order (each document's
    vectors as they come from the cache or the encoder), then memory-mapped: a build never holds
    the index's vectors in its own memory, nor writes them twice (store.py keeps the file)."""

    def __init__(self, path: Path, rows: int, dim: int) -> None:
        head = io.BytesIO()
        np.lib.format.write_array_header_1_0(head, {"descr": "<f4", "fortran_order": False, "shape": (rows, dim)})
        self.path, self.offset, self.dim = Path(path), len(head.getvalue()), dim
        with self.path.open("wb") as out:
            out.write(head.getvalue())
            out.truncate(self.offset + rows * dim * 4)
        self._fd = os.open(self.path, os.O_WRONLY)

    def put(self, row: int, vectors: np.ndarray) -> None:
        """Write `vectors` as rows `row`, `row + 1`, ..."""
        data = memoryview(np.ascontiguousarray(vectors, dtype="<f4")).cast("B")
        position = self.offset + row * self.dim * 4
        while data:
            written = os.pwrite(self._fd, data, position)
            data, position = data[written:], position + written

    def close(self) -> np.ndarray:
        """The matrix, memory-mapped from the file (closed for writing: calling again is harmless)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        return np.load(self.path, mmap_mode="r", allow_pickle=False)


def write_atomic(path: Path, write: Callable) -> bytes:
    """Write through a temporary sibling renamed over `path`; returns the bytes written."""
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False)
    try:
        with handle:
            write(handle)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return path.read_bytes()


def previous_segments(target: Path) -> dict | None:
    """The segments of the index at `target` as it was (None: there was none to compare with)."""
    try:
        segments = json.loads((target / "manifest.json").read_text("utf-8")).get("segments")
    except (OSError, ValueError, AttributeError):
        return None
    return segments if isinstance(segments, dict) else None


def changes(before: dict | None, after: dict) -> dict:
    """What a build changed, per document: added, changed, removed, unchanged; and how many
    documents' vectors came from the cache (reused) or were encoded."""
    before = before or {}
    key = lambda segment: segment.get("key") if isinstance(segment, dict) else None  # noqa: E731
    return {
        "added": sorted(d for d in after if d not in before),
        "changed": sorted(d for d in after if d in before and key(before[d]) != key(after[d])),
        "removed": sorted(d for d in before if d not in after),
        "unchanged": sum(1 for d in after if d in before and key(before[d]) == key(after[d])),
        "reused": sum(1 for s in after.values() if s["reused"]),
        "encoded": sum(1 for s in after.values() if not s["reused"]),
    }
