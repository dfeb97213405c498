"""Encoding in a child process, so that loading the model overlaps other work.

Importing sentence-transformers and loading the model takes about 5 s before a single text can be
encoded. A build that adds one declaration to a large index has as much work that needs no model
(parsing, rows, words, BM25); started first, the child loads the model on the second core while
this process does that work. A thread would not overlap them: the import holds the GIL (measured,
8.2 s either way; docs/scale.md).

    python -P -m embeddings.worker '{"name": null, "languages": ["en"], "threads": null, "parent": PID}'

The child answers on its stdout (its prints and the libraries' go to stderr), in frames of a
4-byte little-endian length and a payload. First a JSON object, {"model_id", "weights_hash", "dim"}
once the model is loaded or {"error": message}; then for each request (JSON {"texts": [...],
"query": bool}) a JSON header ({"rows": n} or {"error": message}) and, after a header with rows,
the float32 vectors' bytes. The child ends when its stdin closes, and is killed when this process
ends (on Linux), however it ends.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import BinaryIO, Sequence

import numpy as np

from embeddings.base import EmbeddingError

_ROOT = Path(__file__).resolve().parent.parent  # the child imports this package from here


def _send(stream: BinaryIO, payload: bytes) -> None:
    stream.write(len(payload).to_bytes(4, "little") + payload)
    stream.flush()


def _receive(stream: BinaryIO) -> bytes | None:
    """One frame, or None at the end of the stream (the other side has gone)."""
    head = stream.read(4)
    if len(head) < 4:
        return None
    size = int.from_bytes(head, "little")
    payload = stream.read(size)
    return payload if len(payload) == size else None


class EncoderProcess:
    """An Embedder whose model lives in a child process started at once (see the module's doc).
    `spec` is what `load_embedder` takes: {"name", "languages", "threads"}. Its id, weights hash
    and dimension are known once the child has loaded the model; asking for them waits."""

    def __init__(self, spec: dict) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))}
        # -P: a module in the current folder (an `embeddings.py`, a `numpy.py`) is never imported instead
        self._child = subprocess.Popen([sys.executable, "-P", "-m", "embeddings.worker",
                                        json.dumps({**spec, "parent": os.getpid()})],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.languages = tuple(spec["languages"]) if spec.get("languages") is not None else None
        self._info: dict | None = None
        atexit.register(self.close)  # never an orphan loading a model after this process is done

    def _reply(self) -> dict:
        frame = _receive(self._child.stdout)
        if frame is None:
            code = self._child.wait()
            raise EmbeddingError(f"the encoder process stopped (exit code {code}); its messages are above")
        reply = json.loads(frame)
        if "error" in reply:
            raise EmbeddingError(reply["error"])
        return reply

    def ready(self) -> dict:
        """Wait until the child has loaded the model: its id, weights hash and dimension."""
        if self._info is None:
            self._info = self._reply()
        return self._info

    @property
    def model_id(self) -> str:
        return self.ready()["model_id"]

    @property
    def weights_hash(self) -> str:
        return self.ready()["weights_hash"]

    @property
    def dim(self) -> int:
        return self.ready()["dim"]

    def _encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        dim = self.dim
        try:
            _send(self._child.stdin, json.dumps({"texts": list(texts), "query": query}).encode("utf-8"))
        except OSError:  # the child has gone: _reply says how
            pass
        rows = self._reply()["rows"]
        data = _receive(self._child.stdout)
        if data is None or len(data) != rows * dim * 4:
            raise EmbeddingError("the encoder process stopped while sending vectors")
        return np.frombuffer(data, dtype=np.float32).reshape(rows, dim).copy()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, query=True)

    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self._encode(texts, query=False)

    def close(self) -> None:
        """End the child at once: it holds nothing to save (every reply is read when it comes),
        and letting it exit by itself costs a second of torch's teardown, waited for."""
        if self._child.poll() is None:
            self._child.kill()
            self._child.wait()
        for stream in (self._child.stdin, self._child.stdout):
            try:
                stream.close()
            except OSError:  # a write the child never read: nothing to flush to a dead pipe
                pass


def _serve(spec: dict, requests: BinaryIO, replies: BinaryIO) -> None:
    from embeddings.loader import load_embedder

    try:
        languages = tuple(spec["languages"]) if spec.get("languages") is not None else None
        model = load_embedder(spec.get("name"), languages, spec.get("threads"))
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the parent is told and raises
        _send(replies, json.dumps({"error": str(exc) or exc.__class__.__name__}).encode())
        return
    _send(replies, json.dumps({"model_id": model.model_id, "weights_hash": model.weights_hash,
                               "dim": model.dim}).encode())
    while (frame := _receive(requests)) is not None:
        try:
            request = json.loads(frame)
            encode = model.embed_queries if request["query"] else model.embed_passages
            vectors = np.ascontiguousarray(encode(request["texts"]), dtype=np.float32)
        except Exception as exc:  # noqa: BLE001
            _send(replies, json.dumps({"error": f"encoding failed: {exc}"}).encode())
            continue
        _send(replies, json.dumps({"rows": len(vectors)}).encode())
        _send(replies, vectors.tobytes())


def _end_with(parent: int | None) -> None:
    """Be killed when the parent process ends, however it ends (Linux's PR_SET_PDEATHSIG); a child
    whose parent has already gone ends now."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the child still ends at EOF on its input
        pass
    if parent is not None and os.getppid() != parent:
        sys.exit(0)


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent; the child then sees EOF
    spec = json.loads(sys.argv[1])
    _end_with(spec.get("parent"))
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # anything printed goes to stderr, not the frames
    try:
        _serve(spec, sys.stdin.buffer, replies)
    except BrokenPipeError:  # the parent has gone
        pass


if __name__ == "__main__":
    main()
