"""The index on disk: one directory of plain files (no pickle), written atomically.

  manifest.json     format version, model id + weights hash, dimension, corpus hash, counts,
                    ranking configuration, created_at, sha256 of every other file
  documents.json    the parsed documents (metadata, paragraphs, sentence spans)
  passages.jsonl    row i <-> vector i: a paragraph, or a sentence/clause/window of one
  vectors.npy       row i's L2-normalised vector (float32), memory-mapped when loaded
  ann.faiss         for a large index only: the IVF index that proposes candidates (search.py)
  lexical/          bm25s index over the paragraphs (JSON + .npy)
  lexicon.json      corpus vocabulary and expansions for reading questions
  words.json        the corpus's words (but stopwords) ...
  word_vectors.npy  ... and their vectors (float16), for grounding a question's subject

It is written to a temporary directory and renamed into place; a lock file keeps two processes
from building the same index at once. Anything that does not match is rebuilt, never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from embeddings.base import Embedder
from retrieval.bm25 import BM25Index
from retrieval.errors import IndexStoreError
from retrieval.index.word_vectors import WordVectors
from retrieval.index.core import FORMAT_VERSION, Index
from retrieval.index.files import FILES, file_sha, read_passages, write_files
from retrieval.index.parsed import ParseCache, doc_from_json
from retrieval.index.progress import BuildProgress
from retrieval.index.search import ann_from_bytes
from retrieval.index.segments import SegmentStore, changes, previous_segments
from retrieval.lang import en
from retrieval.lexicon import Lexicon
from retrieval.locking import exclusive
from retrieval.parsers import PARSER_VERSION, parse_files, sidecar_path
from retrieval.parsers.config import config_path
from retrieval.tokens import LEXICAL_VERSION

log = logging.getLogger(__name__)

class StaleIndex(Exception):
    """The index on disk does not match the corpus or the model (internal signal)."""


def corpus_hash(files: list[Path]) -> str:
    """Identifies the parsed corpus: versions of the parser and tokens, every file's path and
    content, the corpus configuration files and metadata sidecars that apply to them, and the
    expansions of acronyms and synonyms the lexicon is built with (retrieval/lang/data)."""
    digest = hashlib.sha256(f"parser-{PARSER_VERSION}-lexical-{LEXICAL_VERSION}".encode())
    digest.update(json.dumps(en.expansions(), sort_keys=True).encode())
    configs = {c for c in (config_path(p) for p in files) if c}
    sidecars = {s for s in (sidecar_path(p) for p in files) if s}
    for path in sorted(files) + sorted(configs) + sorted(sidecars):
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError as exc:  # the parser reports the file; the hash notes it cannot be read
            digest.update(f"unreadable: {exc.strerror}".encode())
    return digest.hexdigest()


def remove_leftovers(target: Path) -> None:
    """What killed builds left beside `target`: temporary folders, and versions `target` does not
    point to (call under the lock)."""
    current = os.readlink(target) if target.is_symlink() else None
    for pattern in (f".{target.name}.tmp-*", f".{target.name}.old-*", f".{target.name}.v-*",
                    f".{target.name}.link-*"):
        for leftover in target.parent.glob(pattern):
            if leftover.name == current:
                continue
            if leftover.is_symlink() or leftover.is_file():
                leftover.unlink(missing_ok=True)
            else:
                shutil.rmtree(leftover, ignore_errors=True)


def new_version(target: Path) -> Path:
    """A temporary folder beside `target` for its next version (call under the lock: what killed
    builds left there is removed first)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))


def save_index(index: Index, target: Path, tmp: Path | None = None) -> None:
    """Write atomically. The index is written to a new version folder beside `target` (`tmp`, from
    `new_version`, which may hold files the build wrote); `target` is a symbolic link that is
    then swapped to it in one step (os.replace), so a reader, or a build killed at any point,
    always finds a whole index."""
    tmp = tmp or new_version(target)
    try:
        hashed = write_files(index, tmp)
        manifest = dict(index.manifest)
        stored = (*FILES, "lexical", *(["ann.faiss"] if index.search.ann is not None else []))
        manifest["files"] = {name: hashed.get(name) or file_sha(tmp / name) for name in stored}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
        version = tmp.with_name(f".{target.name}.v-{tmp.name.rsplit('-', 1)[-1]}")
        tmp.rename(version)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _point(target, version)
    index.manifest, index.path, index.rendered = manifest, target, {}


def _point(target: Path, version: Path) -> None:
    """Make `target` a link to `version`, atomically; the version it pointed to is removed."""
    previous = target.parent / os.readlink(target) if target.is_symlink() else None
    link = target.with_name(f".{target.name}.link-{version.name}")
    link.unlink(missing_ok=True)
    os.symlink(version.name, link)
    if target.exists() and not target.is_symlink():  # an index of the layout before links: moved once
        target.rename(target.with_name(f".{target.name}.old-{os.getpid()}"))
    os.replace(link, target)
    if previous is not None and previous != version:
        shutil.rmtree(previous, ignore_errors=True)
    remove_leftovers(target)


def _checked_manifest(path: Path, expect: dict | None) -> dict:
    manifest = json.loads((path / "manifest.json").read_text("utf-8"))
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise StaleIndex("the manifest is not an object with its files")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise StaleIndex(f"format version {manifest.get('format_version')}")
    for key, value in (expect or {}).items():
        if manifest.get(key) != value:
            raise StaleIndex(f"{key} changed")
    for name, sha in manifest["files"].items():
        if file_sha(path / name) != sha:
            raise StaleIndex(f"{name} does not match its checksum")
    return manifest


def load_index(path: Path, expect: dict | None = None) -> Index:
    """Load and verify; raise StaleIndex when missing, corrupt or not matching `expect`."""
    import faiss

    try:
        manifest = _checked_manifest(path, expect)
        documents = [doc_from_json(d) for d in json.loads((path / "documents.json").read_text("utf-8"))]
        passages = read_passages(path / "passages.jsonl")
        vectors = np.load(path / "vectors.npy", mmap_mode="r", allow_pickle=False)
        ann = faiss.read_index(str(path / "ann.faiss")) if manifest.get("search") == "ivf" else None
        bm25 = BM25Index.load(path / "lexical")
        lexicon = Lexicon.from_json(json.loads((path / "lexicon.json").read_text("utf-8")))
        word_vectors = WordVectors(json.loads((path / "words.json").read_text("utf-8")),
                                   np.load(path / "word_vectors.npy", allow_pickle=False))
    except StaleIndex:
        raise
    except FileNotFoundError as exc:
        raise StaleIndex(f"missing {Path(exc.filename or '?').name}") from exc
    except Exception as exc:  # noqa: BLE001 - whatever the files hold, the index is never trusted
        raise StaleIndex(f"unreadable ({exc.__class__.__name__}: {exc})") from exc
    if vectors.shape != (len(passages), manifest["dim"]) or vectors.dtype != np.float32:
        raise StaleIndex("vector count or dimension does not match the passages")
    if ann is not None and (ann.ntotal != len(passages) or ann.d != manifest["dim"]):
        raise StaleIndex("the approximate index does not match the vectors")
    if len(word_vectors.vocabulary) != len(word_vectors.vectors):
        raise StaleIndex("word vectors do not match the words")
    return Index(documents, passages, vectors, bm25, lexicon, word_vectors, manifest, path, ann=ann)


def _trained(target: Path, embedder: Embedder):
    """The IVF index of the version at `target`, for its centroids: only if it was made by the same
    model and weights and matches its checksum (anything else is trained anew)."""
    try:
        manifest = json.loads((target / "manifest.json").read_text("utf-8"))
        if (manifest["model_id"], manifest["weights_sha256"]) != (embedder.model_id, embedder.weights_hash):
            return None
        data = (target / "ann.faiss").read_bytes()  # read once: checked, then parsed
        if hashlib.sha256(data).hexdigest() != manifest["files"]["ann.faiss"]:
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return ann_from_bytes(data)


@contextlib.contextmanager
def build_lock(target: Path, progress: BuildProgress | None = None):
    """An exclusive lock beside `target`, held while one process builds it. Waiting for another
    process's build stops when `progress` is cancelled."""
    def fail(exc: OSError) -> Exception:
        return IndexStoreError(f"cannot write the index folder {target.parent}: {exc.strerror or exc}")

    with exclusive(target.parent / f".{target.name}.lock", progress.check if progress else None, fail):
        yield


def open_index(files: list[Path], embedder: Embedder, target: Path, progress: BuildProgress | None = None,
               force: bool = False, facts: dict | None = None) -> tuple[Index, bool]:
    """Load the index at `target`, or parse `files` and build it if missing, stale or corrupt.
    `facts` are recorded in a new index's manifest. Returns (index, built)."""
    expect = {
        "model_id": embedder.model_id,
        "weights_sha256": embedder.weights_hash,
        "corpus_hash": corpus_hash(files),
        "languages": list(embedder.languages) if embedder.languages else None,
    }
    if not force:
        try:
            return load_index(target, expect), False
        except StaleIndex as why:
            if target.exists():  # a changed corpus is routine; anything else is worth a warning
                (log.info if str(why) == "corpus_hash changed" else log.warning)(
                    "rebuilding the index at %s: %s", target, why)
    with build_lock(target, progress):
        if not force:
            try:  # another process may have built it while we waited
                return load_index(target, expect), False
            except StaleIndex:
                pass
        facts = {"corpus_hash": expect["corpus_hash"], "corpus_files": [str(p) for p in files], **(facts or {})}
        try:
            return _build(files, embedder, target, progress, force, facts), True
        except OSError as exc:
            raise IndexStoreError(f"cannot write the index to {target}: {exc.strerror or exc}") from exc


def _build(files: list[Path], embedder: Embedder, target: Path, progress, force: bool, facts: dict) -> Index:
    """Build the index of `files` into a new version of `target` (under the lock)."""
    store = SegmentStore.for_model(target.parent, embedder.model_id, embedder.weights_hash, embedder.dim)
    # a file parsed anew may need encoding: a lazy model starts loading in a child process at
    # once, beside the rest of the build (embeddings/worker.py); force parses every file again
    parsed = ParseCache.for_root(target.parent, refresh=force, on_new=getattr(embedder, "prepare", None))
    tmp = new_version(target)
    try:
        index = Index.build(parse_files(files, parsed.parse), embedder, progress=progress, facts=facts, store=store,
                            trained=None if force else _trained(target, embedder), vectors_path=tmp / "vectors.npy",
                            parsed=parsed)
        index.manifest["changes"] = changes(previous_segments(target), index.manifest["segments"])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    save_index(index, target, tmp)
    return index
