"""The index in memory: documents, rows, vectors (FAISS), BM25 and the lexicon, and how it is built."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Callable, TypeVar

import numpy as np

from embeddings.base import Embedder
from retrieval.answer_types import SIGNING_STEMS
from retrieval.bm25 import BM25Index
from retrieval.errors import IndexStoreError
from retrieval.index.word_vectors import WordVectors
from retrieval.index.parsed import ParseCache
from retrieval.index.passages import Passage, passages_of, rendered_files, signature_flags
from retrieval.index.progress import BuildProgress
from retrieval.index.search import VectorSearch, build_ann, search_kind
from retrieval.index.segments import SegmentStore, VectorFile, texts_key
from retrieval.lang import en
from retrieval.lexicon import Lexicon, defined_acronyms
from retrieval.parsers import Corpus
from retrieval.tokens import stems, words
from retrieval.types import Document, Paragraph

T = TypeVar("T")
FORMAT_VERSION = 8  # 7: signature blocks are indexed; 8: and the stems only they have are listed
GROUP_ROWS = 4096  # rows encoded in one sorted call: long enough for alike batches, short enough to keep
#                   a stopped build's work (segments are stored group by group)


class Index:
    """Everything retrieval needs. Row i of `passages` is row i of `vectors` (float32, memory-mapped
    when loaded from disk, so processes on one host share one copy)."""

    def __init__(self, documents, passages, vectors, bm25, lexicon, word_vectors, manifest, path=None,
                 ann=None, rendered: dict[str, bytes] | None = None) -> None:
        self.documents: list[Document] = documents
        self.passages: list[Passage] = passages
        self.vectors: np.ndarray = vectors
        self.bm25: BM25Index = bm25
        self.lexicon: Lexicon = lexicon
        self.word_vectors: WordVectors = word_vectors
        self.manifest: dict = manifest
        self.path = path
        self.rendered = rendered or {}  # files the build rendered while it waited (store.py writes them)
        self.paragraph_rows = [p.row for p in passages if p.kind == "paragraph"]
        whole_row = {(p.doc, p.para): p.row for p in passages if p.kind == "paragraph"}
        self.units_of: dict[int, list[int]] = {}  # paragraph row -> its sentence and window rows
        self.quotable_of: dict[int, list[int]] = {}  # paragraph row -> its sentence rows
        for p in passages:
            if p.kind != "paragraph":
                parent = whole_row[(p.doc, p.para)]
                self.units_of.setdefault(parent, []).append(p.row)
                if p.kind == "sentence":
                    self.quotable_of.setdefault(parent, []).append(p.row)
        self.paragraph_rows_array = np.asarray(self.paragraph_rows, dtype=np.int64)
        # per paragraph: a signature block, an answer to questions about signing only (scoring.py)
        self.signature = np.array(signature_flags(documents, passages), dtype=bool)
        self._row_stems: dict[int, frozenset[str]] = {}
        self._paragraph_stems: dict[int, list[str]] = {}
        self.row_doc = np.asarray([p.doc for p in passages], dtype=np.int64)
        self.paragraph_doc = self.row_doc[self.paragraph_rows_array]  # document of each paragraph
        self.has_units_mask = np.zeros(len(passages), dtype=bool)  # paragraph rows with sub-units
        self.has_units_mask[list(self.units_of)] = True
        self.search = VectorSearch(vectors, _doc_ranges(passages, len(documents)), self.paragraph_rows_array, ann)

    def row_stems(self, row: int) -> frozenset[str]:
        """The stems of a row's text, computed on first use."""
        cached = self._row_stems.get(row)
        if cached is None:
            passage = self.passages[row]
            cached = frozenset(stems(words(self.paragraph(passage).text[passage.start : passage.end])))
            self._row_stems[row] = cached
        return cached

    def paragraph_stems(self, position: int) -> list[str]:
        """The stems of the paragraph at `position` (in `paragraph_rows` order), in order; cached."""
        cached = self._paragraph_stems.get(position)
        if cached is None:
            text = self.paragraph(self.passages[self.paragraph_rows[position]]).text
            cached = self._paragraph_stems[position] = stems(words(text))
        return cached

    def paragraph(self, passage: Passage) -> Paragraph:
        return self.documents[passage.doc].paragraphs[passage.para]

    def paragraph_texts(self) -> list[str]:
        """The text of each indexed paragraph, in the order of `paragraph_rows`."""
        return [self.paragraph(self.passages[row]).text for row in self.paragraph_rows]

    @classmethod
    def build(cls, corpus: Corpus, embedder: Embedder, progress: BuildProgress | None = None,
              facts: dict | None = None, store: SegmentStore | None = None, trained=None,
              vectors_path=None, parsed: ParseCache | None = None) -> "Index":
        """Embed every row of the corpus and index the paragraphs' words. `facts` are added to
        the manifest (corpus hash, files, ranking configuration); `progress` reports the build and
        may stop it (BuildCancelled); `store` holds the vectors encoded before (segments.py), and
        with it the vectors are written to `vectors_path` (the new version's vectors.npy) and the
        words of the documents `parsed` returned are read from it (parsed.py);
        `trained` is the IVF index of the index before, whose centroids may be re-used (search.py)."""
        passages, texts = passages_of(corpus.documents, embedder.languages)
        if not passages:
            raise IndexStoreError(
                "no paragraph to index: the corpus has no body text in the model's languages "
                f"({', '.join(embedder.languages or ())})"
            )
        started = time.perf_counter()
        progress = progress or BuildProgress()
        vectors, segments, (lexicon, vocabulary, bm25, rendered) = _vectors_and_words(
            corpus.documents, passages, texts, embedder, progress, store, vectors_path, parsed)
        kind = search_kind(len(vectors))
        ann = build_ann(vectors, trained) if kind == "ivf" else None
        word_vectors = WordVectors(vocabulary, _word_vectors(vocabulary, embedder, progress, store).astype(np.float16))
        manifest = {
            "format_version": FORMAT_VERSION,
            "model_id": embedder.model_id,
            "weights_sha256": embedder.weights_hash,
            "languages": list(embedder.languages) if embedder.languages else None,
            "dim": embedder.dim,
            **(facts or {}),
            "corpus_errors": list(corpus.errors),
            "counts": {
                "documents": len(corpus.documents),
                "paragraphs": sum(p.kind == "paragraph" for p in passages),
                "sentences": sum(p.kind == "sentence" for p in passages),
                "windows": sum(p.kind == "window" for p in passages),
                "vectors": len(passages),
                "words": len(vocabulary),
            },
            "search": kind,
            "segments": segments,
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 2),
        }
        return cls(list(corpus.documents), passages, vectors, bm25, lexicon, word_vectors, manifest, ann=ann,
                   rendered=rendered)


def in_background(work: Callable[[], T]) -> Callable[[], T]:
    """Start `work` in a thread; the function returned waits for its result (or raises its error).
    A daemon thread: a build that fails meanwhile leaves it to finish, never waits for it."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="quotebot-build", daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]
    return result


def _vectors_and_words(documents, passages, texts, embedder, progress, store, vectors_path, parsed):
    """The vectors of every row, the segment of each document, and what `_lexical` gives."""
    whole_texts = [texts[p.row] for p in passages if p.whole]
    signature = signature_flags(documents, passages)
    if store is None:
        return progress.embed(texts, embedder.embed_passages, "passages"), {}, _lexical(whole_texts, signature)
    made = _Vectors(documents, passages, texts, store, vectors_path)
    if made.missing and hasattr(embedder, "prepare"):  # e.g. a file parsed before a build was stopped
        embedder.prepare()  # a lazy model starts loading in a child process now (embeddings/worker.py)
    # The words need no model: they are indexed while this thread waits for the encoder (the model
    # loading in a child process, embeddings/worker.py, or torch's threads releasing the GIL).
    lexical = in_background(lambda: _lexical(whole_texts, signature, documents, passages, parsed))
    try:
        made.encode_missing(embedder.embed_passages, progress)
    finally:
        made.close()
    return made.vectors(), made.segments(), lexical()


def _lexical(whole_texts: list[str], signature: list[bool], documents=None, passages=None,
             parsed: ParseCache | None = None):
    """The paragraphs' words: the lexicon (with the acronyms the corpus defines), the vocabulary
    that gets word vectors (no stopwords), and BM25 over the stems; `signature` tells the
    signature blocks among the paragraphs. With `documents` and
    `passages`, also the index files that need no vector, rendered (store.py writes them).
    `parsed` has the words of the documents it parsed (computed once per file)."""
    if parsed is None:
        tokens = [words(t) for t in whole_texts]
        stem_lists = [stems(t) for t in tokens]
    else:
        of_doc = {d: parsed.words(doc) for d, doc in enumerate(documents)}
        whole = [p for p in passages if p.whole]
        tokens = [of_doc[p.doc][0][p.para] for p in whole]
        stem_lists = [of_doc[p.doc][1][p.para] for p in whole]
    # a signature block is the signing itself, though it never says "signed" (retrieval.scoring)
    stem_lists = [s + sorted(SIGNING_STEMS) if signed else s for s, signed in zip(stem_lists, signature)]
    lexicon = Lexicon.from_tokens(tokens, stem_lists, {**defined_acronyms(whole_texts), **en.expansions()}, signature)
    vocabulary = sorted({w for t in tokens for w in t} - en.STOPWORDS)
    rendered = {} if documents is None else rendered_files(documents, passages, parsed)
    return lexicon, vocabulary, BM25Index.build(stem_lists), rendered


def _doc_ranges(passages: list[Passage], documents: int) -> np.ndarray:
    """(start, end) rows of each document, (0, 0) for one without rows: a document's rows are
    contiguous and in document order (passages_of)."""
    row_doc = np.fromiter((p.doc for p in passages), dtype=np.int64, count=len(passages))
    ranges = np.stack([np.searchsorted(row_doc, np.arange(documents), side=side) for side in ("left", "right")], axis=1)
    ranges[ranges[:, 0] == ranges[:, 1]] = 0
    return ranges


class _Vectors:
    """The vectors of every row, in the making: first those the store holds (per document, by the
    key of its texts), then the missing documents encoded in groups of about GROUP_ROWS rows, each
    group's segments stored as soon as it is done (a build stopped half-way keeps them)."""

    def __init__(self, documents, passages, texts, store: SegmentStore, path=None) -> None:
        self.ranges = _doc_ranges(passages, len(documents))
        self.rows = {d: texts[start:end] for d, (start, end) in enumerate(self.ranges.tolist()) if end > start}
        self.keys = {d: texts_key(self.rows[d]) for d in self.rows}
        # filled document by document: in the file `path` (VectorFile), else in memory
        self._file = VectorFile(path, len(passages), store.dim) if path else None
        self._memory = None if path else np.empty((len(passages), store.dim), dtype=np.float32)
        self.reused = set()
        for d, texts_of in self.rows.items():
            cached = store.load(self.keys[d], len(texts_of))
            if cached is not None:
                self._put(d, cached)
                self.reused.add(d)
        self.doc_ids = [d.doc_id for d in documents]
        self.store = store

    def _put(self, d: int, vectors: np.ndarray) -> None:
        if self._file is not None:
            self._file.put(int(self.ranges[d, 0]), vectors)
        else:
            self._memory[self.ranges[d, 0] : self.ranges[d, 1]] = vectors

    def vectors(self) -> np.ndarray:
        return self._file.close() if self._file is not None else self._memory

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    @property
    def missing(self) -> list[int]:
        """The documents no segment holds: to encode."""
        return [d for d in self.rows if d not in self.reused]

    def encode_missing(self, encode, progress: BuildProgress) -> None:
        rows = self.rows
        groups = _groups(self.missing, rows)
        # each group encodes its distinct texts (SegmentStore.encode): that is what progress counts
        progress.start("passages", sum(len({t for d in group for t in rows[d]}) for group in groups))
        encode = progress.encoder(encode)
        try:
            for group in groups:
                for d, part in zip(group, self.store.encode([rows[d] for d in group], encode)):
                    self._put(d, part)
        finally:
            progress.finish()

    def segments(self) -> dict:
        """{doc_id: {"key", "rows", "reused"}} of each document with rows."""
        return {self.doc_ids[d]: {"key": self.keys[d], "rows": len(texts_of), "reused": d in self.reused}
                for d, texts_of in self.rows.items()}


def _groups(docs: list[int], rows: dict[int, list[str]]) -> list[list[int]]:
    """`docs` in order, cut into groups of at least GROUP_ROWS rows (the last may have fewer)."""
    groups, current, size = [], [], 0
    for d in docs:
        current.append(d)
        size += len(rows[d])
        if size >= GROUP_ROWS:
            groups.append(current)
            current, size = [], 0
    return groups + ([current] if current else [])


def _word_vectors(vocabulary, embedder, progress, store):
    if store is None:
        return progress.embed(vocabulary, embedder.embed_passages, "words")
    return store.word_vectors(vocabulary, lambda missing: progress.embed(missing, embedder.embed_passages, "words"))
