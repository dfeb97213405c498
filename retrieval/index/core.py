"""The index in memory: documents, rows, vectors (FAISS), BM25 and the lexicon, and how it is built."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np

from embeddings.base import Embedder
from retrieval.bm25 import BM25Index
from retrieval.errors import IndexStoreError
from retrieval.grounding import WordVectors
from retrieval.index.passages import Passage, passages_of
from retrieval.index.progress import BuildProgress
from retrieval.index.search import VectorSearch, build_ann, search_kind
from retrieval.index.segments import SegmentStore, texts_key
from retrieval.lang import en
from retrieval.lexicon import Lexicon, defined_acronyms
from retrieval.parsers import Corpus
from retrieval.tokens import stems, words
from retrieval.types import Document, Paragraph

FORMAT_VERSION = 6
GROUP_ROWS = 4096  # rows encoded in one sorted call: long enough for alike batches, short enough to keep
#                   a stopped build's work (segments are stored group by group)


class Index:
    """Everything retrieval needs. Row i of `passages` is row i of `vectors` (float32, memory-mapped
    when loaded from disk, so processes on one host share one copy)."""

    def __init__(self, documents, passages, vectors, bm25, lexicon, word_vectors, manifest, path=None,
                 ann=None) -> None:
        self.documents: list[Document] = documents
        self.passages: list[Passage] = passages
        self.vectors: np.ndarray = vectors
        self.bm25: BM25Index = bm25
        self.lexicon: Lexicon = lexicon
        self.word_vectors: WordVectors = word_vectors
        self.manifest: dict = manifest
        self.path = path
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
              facts: dict | None = None, store: SegmentStore | None = None, trained=None) -> "Index":
        """Embed every row of the corpus and index the paragraphs' words. `facts` are added to
        the manifest (corpus hash, files, ranking configuration); `progress` reports the build and
        may stop it (BuildCancelled); `store` holds the vectors encoded before (segments.py);
        `trained` is the IVF index of the index before, whose centroids may be re-used (search.py)."""
        passages, texts = passages_of(corpus.documents, embedder.languages)
        if not passages:
            raise IndexStoreError(
                "no paragraph to index: the corpus has no body text in the model's languages "
                f"({', '.join(embedder.languages or ())})"
            )
        started = time.perf_counter()
        progress = progress or BuildProgress()
        vectors, segments = _passage_vectors(corpus.documents, passages, texts, embedder, progress, store)
        kind = search_kind(len(vectors))
        ann = build_ann(vectors, trained) if kind == "ivf" else None
        whole_texts = [texts[p.row] for p in passages if p.whole]
        tokens = [words(t) for t in whole_texts]
        stem_lists = [stems(t) for t in tokens]
        lexicon = Lexicon.from_tokens(tokens, stem_lists, {**defined_acronyms(whole_texts), **en.expansions()})
        vocabulary = sorted({w for t in tokens for w in t} - en.STOPWORDS)
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
                "paragraphs": len(whole_texts),
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
        return cls(list(corpus.documents), passages, vectors, BM25Index.build(stem_lists), lexicon, word_vectors,
                   manifest, ann=ann)


def _doc_ranges(passages: list[Passage], documents: int) -> np.ndarray:
    """(start, end) rows of each document: a document's rows are contiguous (passages_of)."""
    ranges = np.zeros((documents, 2), dtype=np.int64)
    for p in passages:
        if ranges[p.doc, 1] == 0:
            ranges[p.doc, 0] = p.row
        ranges[p.doc, 1] = p.row + 1
    return ranges


def _passage_vectors(documents, passages, texts, embedder, progress, store):
    """The vectors of every row, from the store for the documents it has; the others encoded in
    groups of about GROUP_ROWS rows, each group's segments stored as soon as it is done (a build
    stopped half-way keeps them). Also the segment of each document ({doc_id: {"key", "rows",
    "reused"}})."""
    if store is None:
        return progress.embed(texts, embedder.embed_passages, "passages"), {}
    rows_of: dict[int, list[int]] = {}
    for p in passages:
        rows_of.setdefault(p.doc, []).append(p.row)
    keys = {d: texts_key([texts[r] for r in rows]) for d, rows in rows_of.items()}
    cached = {d: store.load(keys[d], len(rows)) for d, rows in rows_of.items()}
    reused = {d for d, v in cached.items() if v is not None}
    missing = [d for d in rows_of if d not in reused]
    groups = _groups(missing, rows_of)
    # each group encodes its distinct texts (SegmentStore.encode): that is what progress counts
    progress.start("passages", sum(len({texts[r] for d in group for r in rows_of[d]}) for group in groups))
    encode = progress.encoder(embedder.embed_passages)
    try:
        for group in groups:
            encoded = store.encode([[texts[r] for r in rows_of[d]] for d in group], encode)
            cached.update(zip(group, encoded))
    finally:
        progress.finish()
    segments = {documents[d].doc_id: {"key": keys[d], "rows": len(rows), "reused": d in reused}
                for d, rows in rows_of.items()}
    return np.concatenate([cached[d] for d in rows_of]), segments


def _groups(docs: list[int], rows_of: dict[int, list[int]]) -> list[list[int]]:
    """`docs` in order, cut into groups of at least GROUP_ROWS rows (the last may have fewer)."""
    groups, current, size = [], [], 0
    for d in docs:
        current.append(d)
        size += len(rows_of[d])
        if size >= GROUP_ROWS:
            groups.append(current)
            current, size = [], 0
    return groups + ([current] if current else [])


def _word_vectors(vocabulary, embedder, progress, store):
    if store is None:
        return progress.embed(vocabulary, embedder.embed_passages, "words")
    return store.word_vectors(vocabulary, lambda missing: progress.embed(missing, embedder.embed_passages, "words"))
