"""The files of one version of the index (listed in store.py), written, hashed and read back."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from retrieval.index.core import Index
from retrieval.index.passages import Passage, rendered_files
from retrieval.index.segments import VectorFile

FILES = ("documents.json", "passages.jsonl", "vectors.npy", "lexicon.json", "words.json", "word_vectors.npy")


def file_sha(path: Path) -> str:
    """sha256 of a file (read in blocks: a large one is never held in memory) or of a folder."""
    digest = hashlib.sha256()
    if path.is_dir():
        for child in sorted(path.iterdir()):
            digest.update(child.name.encode() + file_sha(child).encode())
        return digest.hexdigest()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def write_files(index: Index, folder: Path) -> dict[str, str]:
    """Write the index's files; the sha256 of those hashed as they were written (the others are
    hashed from the page cache by the caller)."""
    import faiss

    rendered = index.rendered or rendered_files(index.documents, index.passages)
    shas = {}
    for name, data in rendered.items():
        (folder / name).write_bytes(data)
        shas[name] = hashlib.sha256(data).hexdigest()
    vectors = folder / "vectors.npy"
    if not (isinstance(index.vectors, np.memmap) and Path(index.vectors.filename) == vectors.resolve()):
        written = VectorFile(vectors, *index.vectors.shape)  # else the build wrote them there already
        written.put(0, index.vectors)
        written.close()
    if index.search.ann is not None:
        data = faiss.serialize_index(index.search.ann)  # the bytes of faiss.write_index
        (folder / "ann.faiss").write_bytes(data)
        shas["ann.faiss"] = hashlib.sha256(data).hexdigest()
    index.bm25.save(folder / "lexical")
    (folder / "lexicon.json").write_text(json.dumps(index.lexicon.to_json(), ensure_ascii=False), "utf-8")
    (folder / "words.json").write_text(json.dumps(index.word_vectors.vocabulary, ensure_ascii=False), "utf-8")
    np.save(folder / "word_vectors.npy", index.word_vectors.vectors, allow_pickle=False)
    return shas


def read_passages(path: Path) -> list[Passage]:
    passages = []
    with path.open(encoding="utf-8") as rows:
        for line in rows:
            row = json.loads(line)
            passages.append(Passage(row["row"], row["doc"], row["para"], row["start"], row["end"], row["kind"]))
    return passages
