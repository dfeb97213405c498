"""The on-disk index: FAISS vectors, BM25, passages and a manifest, in one directory.

Layout (plain files, no pickle):
  manifest.json     format version, model id + weights hash, dimension, corpus hash,
                    counts, created_at, sha256 of every other file
  documents.json    the parsed documents (metadata, paragraphs, sentence spans)
  passages.jsonl    row i <-> vector i: a paragraph or a sentence/clause of one
  vectors.faiss     exact inner-product FAISS index of L2-normalised vectors
  lexical/          bm25s index over the paragraphs (JSON + .npy)
  lexicon.json      corpus vocabulary and acronyms for query correction

It is written to a temporary directory and renamed into place; a lock file keeps two
processes from building the same index at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from embeddings.base import Embedder
from retrieval.errors import IndexStoreError
from retrieval.lexical import LEXICAL_VERSION, BM25Index, Lexicon, builtin_acronyms, defined_acronyms, stems, words
from retrieval.parsers import Corpus, parse_files
from retrieval.text import clause_spans
from retrieval.types import Document, Paragraph

log = logging.getLogger(__name__)
_WORD_SPAN = re.compile(r"\S+")

FORMAT_VERSION = 3
PARSER_VERSION = 3  # bump when parsing changes what documents contain
_FILES = ("documents.json", "passages.jsonl", "vectors.faiss", "lexicon.json")


class StaleIndex(Exception):
    """The index on disk does not match the corpus or the model (internal signal)."""


@dataclass(frozen=True)
class Passage:
    """One indexed row: a whole paragraph ("paragraph"), a sentence or clause of it that may
    be quoted ("sentence"), or a window of words inside a long sentence, used for scoring
    only ("window"). `start`/`end` index into the paragraph's text."""

    row: int
    doc: int
    para: int
    start: int
    end: int
    kind: str

    @property
    def whole(self) -> bool:
        return self.kind == "paragraph"


def corpus_hash(files: list[Path]) -> str:
    digest = hashlib.sha256(f"parser-{PARSER_VERSION}-lexical-{LEXICAL_VERSION}".encode())
    for path in sorted(files):
        digest.update(str(path).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _file_sha(path: Path) -> str:
    if path.is_dir():
        digest = hashlib.sha256()
        for child in sorted(path.iterdir()):
            digest.update(child.name.encode() + _file_sha(child).encode())
        return digest.hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def indexed(paragraph: Paragraph, languages: tuple[str, ...] | None) -> bool:
    """Body paragraphs in a language the model handles; signature blocks never."""
    return paragraph.kind == "body" and (languages is None or paragraph.lang in languages)


WINDOW_WORDS = 16  # sentences longer than WINDOW_MIN_WORDS get windows of this many words
WINDOW_STRIDE = 8
WINDOW_MIN_WORDS = 24


def _quotable(paragraph: Paragraph) -> list[tuple[int, int]]:
    """Sentences (long ones cut into clauses) of a paragraph with more than one of them."""
    spans = [c for a, b in paragraph.sentences for c in clause_spans(paragraph.text, a, b)]
    return spans if len(spans) > 1 else []


def _windows(paragraph: Paragraph) -> list[tuple[int, int]]:
    """Overlapping word windows inside long sentences: a question often matches one phrase
    of a long sentence better than the whole of it."""
    spans = []
    for a, b in paragraph.sentences:
        words = [m.span() for m in _WORD_SPAN.finditer(paragraph.text, a, b)]
        if len(words) <= WINDOW_MIN_WORDS:
            continue
        for i in range(0, len(words) - WINDOW_STRIDE, WINDOW_STRIDE):
            chunk = words[i : i + WINDOW_WORDS]
            spans.append((chunk[0][0], chunk[-1][1]))
    return spans


def _doc_to_json(doc: Document) -> dict:
    data = asdict(doc)
    data["date"] = doc.date.isoformat() if doc.date else None
    return data


def _doc_from_json(data: dict) -> Document:
    paragraphs = tuple(
        Paragraph(**{**p, "sentences": tuple(tuple(s) for s in p["sentences"])})
        for p in data.pop("paragraphs")
    )
    date = data.pop("date")  # None for an undated document (plain text)
    return Document(**data, date=dt.date.fromisoformat(date) if date else None, paragraphs=paragraphs)


class Index:
    """Everything retrieval needs, in memory."""

    def __init__(self, documents, passages, faiss_index, bm25, lexicon, manifest, path=None) -> None:
        self.documents: list[Document] = documents
        self.passages: list[Passage] = passages
        self.faiss = faiss_index
        self.bm25: BM25Index = bm25
        self.lexicon: Lexicon = lexicon
        self.manifest: dict = manifest
        self.path: Path | None = path
        self.vectors = faiss_index.reconstruct_n(0, faiss_index.ntotal)
        self.paragraph_rows = [p.row for p in passages if p.whole]
        self.whole_row = {(p.doc, p.para): p.row for p in passages if p.whole}
        self.units_of: dict[int, list[int]] = {}  # paragraph row -> its sentence and window rows
        self.quotable_of: dict[int, list[int]] = {}  # paragraph row -> its sentence rows
        for p in passages:
            if not p.whole:
                parent = self.whole_row[(p.doc, p.para)]
                self.units_of.setdefault(parent, []).append(p.row)
                if p.kind == "sentence":
                    self.quotable_of.setdefault(parent, []).append(p.row)
        self.paragraph_rows_array = np.asarray(self.paragraph_rows, dtype=np.int64)
        self._row_stems: dict[int, frozenset[str]] = {}
        self.row_doc = np.asarray([p.doc for p in passages], dtype=np.int64)
        self.paragraph_doc = self.row_doc[self.paragraph_rows_array]  # document of each paragraph
        self.has_units_mask = np.zeros(len(passages), dtype=bool)  # paragraph rows with sub-units
        self.has_units_mask[list(self.units_of)] = True

    def row_stems(self, row: int) -> frozenset[str]:
        """The stems of a row's text, computed on first use."""
        cached = self._row_stems.get(row)
        if cached is None:
            passage = self.passages[row]
            cached = frozenset(stems(words(self.paragraph(passage).text[passage.start : passage.end])))
            self._row_stems[row] = cached
        return cached

    def paragraph(self, passage: Passage) -> Paragraph:
        return self.documents[passage.doc].paragraphs[passage.para]

    def paragraph_texts(self) -> list[str]:
        """The text of each indexed paragraph, in the order of `paragraph_rows`."""
        return [self.paragraph(self.passages[row]).text for row in self.paragraph_rows]

    # ---- building -----------------------------------------------------------------
    @classmethod
    def build(cls, corpus: Corpus, embedder: Embedder, progress: bool = False) -> "Index":
        import faiss

        passages: list[Passage] = []
        texts: list[str] = []
        for d, doc in enumerate(corpus.documents):
            for i, paragraph in enumerate(doc.paragraphs):
                if not indexed(paragraph, embedder.languages):
                    continue
                passages.append(Passage(len(passages), d, i, 0, len(paragraph.text), "paragraph"))
                texts.append(paragraph.text)
                for kind, spans in (("sentence", _quotable(paragraph)), ("window", _windows(paragraph))):
                    for a, b in spans:
                        passages.append(Passage(len(passages), d, i, a, b, kind))
                        texts.append(paragraph.text[a:b])
        if not passages:
            raise IndexStoreError(
                "no paragraph to index: the corpus has no body text in the model's languages "
                f"({', '.join(embedder.languages or ())})"
            )
        started = time.perf_counter()
        vectors = embedder.embed_passages(texts, progress=progress)
        index = faiss.IndexFlatIP(embedder.dim)
        index.add(vectors)
        whole_texts = [texts[p.row] for p in passages if p.whole]
        tokens = [words(t) for t in whole_texts]
        stem_lists = [stems(t) for t in tokens]
        bm25 = BM25Index.build(stem_lists)
        acronyms = {**defined_acronyms(whole_texts), **builtin_acronyms()}
        lexicon = Lexicon.from_tokens(tokens, stem_lists, acronyms)
        manifest = {
            "format_version": FORMAT_VERSION,
            "model_id": embedder.model_id,
            "weights_sha256": embedder.weights_hash,
            "languages": list(embedder.languages) if embedder.languages else None,
            "dim": embedder.dim,
            "corpus_hash": corpus_hash(corpus.files),
            "corpus_files": [str(p) for p in corpus.files],
            "corpus_errors": list(corpus.errors),
            "counts": {
                "documents": len(corpus.documents),
                "paragraphs": len(whole_texts),
                "sentences": sum(p.kind == "sentence" for p in passages),
                "windows": sum(p.kind == "window" for p in passages),
                "vectors": len(passages),
            },
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 2),
        }
        return cls(list(corpus.documents), passages, index, bm25, lexicon, manifest)

    # ---- saving and loading -------------------------------------------------------
    def save(self, target: Path) -> None:
        """Write atomically: a temporary sibling directory renamed over `target`."""
        import faiss

        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
        try:
            (tmp / "documents.json").write_text(
                json.dumps([_doc_to_json(d) for d in self.documents], ensure_ascii=False), "utf-8"
            )
            with (tmp / "passages.jsonl").open("w", encoding="utf-8") as out:
                for p in self.passages:
                    doc = self.documents[p.doc]
                    para = doc.paragraphs[p.para]
                    row = {**asdict(p), "doc_id": doc.doc_id, "paragraph": para.number,
                           "text": para.text[p.start : p.end]}
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
            faiss.write_index(self.faiss, str(tmp / "vectors.faiss"))
            self.bm25.save(tmp / "lexical")
            (tmp / "lexicon.json").write_text(json.dumps(self.lexicon.to_json(), ensure_ascii=False), "utf-8")
            manifest = dict(self.manifest)
            manifest["files"] = {name: _file_sha(tmp / name) for name in (*_FILES, "lexical")}
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
            old = None
            if target.exists():
                old = target.with_name(f".{target.name}.old-{os.getpid()}")
                target.rename(old)
            tmp.rename(target)
            if old:
                shutil.rmtree(old, ignore_errors=True)
            self.manifest, self.path = manifest, target
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(cls, path: Path, expect: dict | None = None) -> "Index":
        """Load and verify; raise StaleIndex when missing, corrupt or not matching `expect`."""
        import faiss

        try:
            manifest = json.loads((path / "manifest.json").read_text("utf-8"))
            if manifest.get("format_version") != FORMAT_VERSION:
                raise StaleIndex(f"format version {manifest.get('format_version')}")
            for key, value in (expect or {}).items():
                if manifest.get(key) != value:
                    raise StaleIndex(f"{key} changed")
            for name, sha in manifest["files"].items():
                if _file_sha(path / name) != sha:
                    raise StaleIndex(f"{name} does not match its checksum")
            documents = [_doc_from_json(d) for d in json.loads((path / "documents.json").read_text("utf-8"))]
            passages = []
            with (path / "passages.jsonl").open(encoding="utf-8") as rows:
                for line in rows:
                    row = json.loads(line)
                    passages.append(Passage(row["row"], row["doc"], row["para"], row["start"], row["end"], row["kind"]))
            faiss_index = faiss.read_index(str(path / "vectors.faiss"))
            bm25 = BM25Index.load(path / "lexical")
            lexicon = Lexicon.from_json(json.loads((path / "lexicon.json").read_text("utf-8")))
        except StaleIndex:
            raise
        except FileNotFoundError as exc:
            raise StaleIndex(f"missing {Path(exc.filename or '?').name}") from exc
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
            raise StaleIndex(f"unreadable ({exc.__class__.__name__}: {exc})") from exc
        if faiss_index.ntotal != len(passages) or faiss_index.d != manifest["dim"]:
            raise StaleIndex("vector count or dimension does not match the passages")
        return cls(documents, passages, faiss_index, bm25, lexicon, manifest, path)


@contextlib.contextmanager
def build_lock(target: Path):
    """An exclusive lock beside `target`, held while one process builds it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_index(files: list[Path], embedder: Embedder, target: Path, progress: bool = False,
               force: bool = False) -> tuple[Index, bool]:
    """Load the index at `target`, or parse `files` and build it if missing, stale or corrupt.

    Returns (index, built).
    """
    expect = {
        "model_id": embedder.model_id,
        "weights_sha256": embedder.weights_hash,
        "corpus_hash": corpus_hash(files),
        "languages": list(embedder.languages) if embedder.languages else None,
    }
    if not force:
        try:
            return Index.load(target, expect), False
        except StaleIndex as why:
            if target.exists():
                log.warning("rebuilding the index at %s: %s", target, why)
    with build_lock(target):
        if not force:
            try:  # another process may have built it while we waited
                return Index.load(target, expect), False
            except StaleIndex:
                pass
        index = Index.build(parse_files(files), embedder, progress=progress)
        try:
            index.save(target)
        except OSError as exc:
            raise IndexStoreError(f"cannot write the index to {target}: {exc.strerror or exc}") from exc
        return index, True
