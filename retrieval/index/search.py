"""Vector search: the cosine of a question with the rows that can matter.

Below EXACT_MAX_ROWS rows every row is scored exactly: one matrix-vector product over the
(memory-mapped) vectors, which is faster there than any approximate index. Above it, an IVF index
(FAISS, 8-bit scalar quantisation: a byte per dimension) proposes candidate rows; their paragraphs,
and the paragraphs the caller adds (the lexical ones), are then scored exactly, every row of each.
A filter whose documents hold few enough rows is searched exactly over those rows alone, so a
filtered question never loses an answer to the approximation. The choice is made when the index is
built and recorded in its manifest (`search`).
"""

from __future__ import annotations

import math

import numpy as np

EXACT_MAX_ROWS = 150_000  # above this many rows, candidates come from the IVF index
ANN_ROWS = 600  # rows the IVF index proposes for a question
NPROBE = 24  # lists of the IVF index searched for a question
TRAIN_SAMPLE = 40_000  # rows the IVF's centroids are trained on
RETRAIN_DRIFT = 0.25  # centroids are trained again when the lists √rows asks for differ by more than this
#                       share from the trained ones (the corpus grew or shrank by about half)


def search_kind(rows: int) -> str:
    return "exact" if rows <= EXACT_MAX_ROWS else "ivf"


def reusable(trained, rows: int, dim: int) -> bool:
    """Whether the centroids of `trained` (the IVF index of the index before) can serve `rows`
    rows: same dimension, and a number of lists within RETRAIN_DRIFT of the one `rows` would get."""
    lists = max(16, int(math.sqrt(rows)))
    return trained is not None and trained.d == dim and abs(trained.nlist - lists) <= RETRAIN_DRIFT * lists


def build_ann(vectors: np.ndarray, trained=None):
    """An IVF index with 8-bit scalar quantisation over `vectors` (inner product). With `trained`,
    the IVF index of the index before, whose centroids are re-used when `reusable`: an add to a
    large index then skips the training (k-means over TRAIN_SAMPLE rows)."""
    import faiss

    n, dim = vectors.shape
    if reusable(trained, n, dim):
        ann = faiss.clone_index(trained)
        ann.reset()  # the trained centroids and quantiser ranges, without the rows
    else:
        lists = max(16, int(math.sqrt(n)))
        quantizer = faiss.IndexFlatIP(dim)
        ann = faiss.IndexIVFScalarQuantizer(quantizer, dim, lists, faiss.ScalarQuantizer.QT_8bit,
                                            faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(0)
        sample = vectors[np.sort(rng.choice(n, size=min(n, max(TRAIN_SAMPLE, 40 * lists)), replace=False))]
        ann.train(np.ascontiguousarray(sample, dtype=np.float32))
    for start in range(0, n, 100_000):
        ann.add(np.ascontiguousarray(vectors[start:start + 100_000], dtype=np.float32))
    ann.nprobe = NPROBE
    return ann


def ann_from_bytes(data: bytes):
    """An IVF index from the bytes of its file (`ann.faiss`); None if they are not one."""
    import faiss

    try:
        return faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
    except Exception:  # noqa: BLE001 - unreadable: its centroids are trained again, nothing lost
        return None


class VectorSearch:
    """Cosines of questions with the rows of one index (see the module's docstring)."""

    def __init__(self, vectors: np.ndarray, doc_ranges: np.ndarray, paragraph_starts: np.ndarray, ann=None) -> None:
        self.vectors = vectors  # float32, row i of the index (may be a memory map)
        self.doc_ranges = doc_ranges  # (start, end) rows of each document, which are contiguous
        self.starts = paragraph_starts  # first row of each paragraph; its rows run to the next one's
        self.ends = np.append(paragraph_starts[1:], len(vectors))
        self.ann = ann
        if ann is not None:
            ann.nprobe = NPROBE

    def rows_of(self, docs) -> int:
        return int(sum(self.doc_ranges[d][1] - self.doc_ranges[d][0] for d in docs))

    def exact(self, vector: np.ndarray, allowed: set[int] | None) -> np.ndarray:
        """Cosine with every row (of the allowed documents; -1 elsewhere)."""
        if allowed is None:
            return np.asarray(self.vectors @ vector, dtype=np.float32)
        sims = np.full(len(self.vectors), -1.0, dtype=np.float32)
        for d in allowed:
            a, b = self.doc_ranges[d]
            sims[a:b] = self.vectors[a:b] @ vector
        return sims

    def needs_candidates(self, allowed: set[int] | None) -> bool:
        """Whether this question goes through candidates (else every allowed row is exact)."""
        if self.ann is None:
            return False
        return allowed is None or self.rows_of(allowed) > EXACT_MAX_ROWS

    def ann_paragraphs(self, vector: np.ndarray, allowed: set[int] | None = None) -> np.ndarray:
        """Positions of the paragraphs of the rows the IVF index proposes (among the allowed
        documents' rows only, when a filter is set: its candidates are never all filtered away)."""
        import faiss

        params = None
        if allowed is not None:
            rows = np.concatenate([np.arange(*self.doc_ranges[d]) for d in sorted(allowed)])
            params = faiss.SearchParametersIVF(sel=faiss.IDSelectorBatch(rows.astype(np.int64)), nprobe=NPROBE)
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        _, ids = self.ann.search(query, ANN_ROWS, params=params)
        rows = ids[0][ids[0] >= 0]
        return np.unique(np.searchsorted(self.starts, rows, side="right") - 1)

    def candidates(self, vector: np.ndarray, paragraphs: np.ndarray) -> np.ndarray:
        """Cosine with every row of the paragraphs at `paragraphs` (positions); -1 elsewhere."""
        sims = np.full(len(self.vectors), -1.0, dtype=np.float32)
        if len(paragraphs):
            rows = np.concatenate([np.arange(self.starts[p], self.ends[p]) for p in paragraphs])
            sims[rows] = self.vectors[rows] @ vector
        return sims
