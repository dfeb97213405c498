"""The index: rows and vectors (passages), the in-memory index (core) and its directory (store)."""

from retrieval.index.core import FORMAT_VERSION, Index
from retrieval.index.passages import Passage
from retrieval.index.progress import BuildCancelled, BuildProgress
from retrieval.index.store import StaleIndex, build_lock, corpus_hash, load_index, open_index, save_index

__all__ = ["FORMAT_VERSION", "BuildCancelled", "BuildProgress", "Index", "Passage", "StaleIndex", "build_lock", "corpus_hash", "load_index",
           "open_index", "save_index"]
