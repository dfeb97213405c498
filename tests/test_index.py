"""The on-disk index: round trip, plain files, rebuild on change, corruption, atomicity."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from embeddings import HashingEmbedder
from retrieval.index import Index, open_index
from retrieval.parsers import corpus_files, load_corpus

from .conftest import CORPUS, SEED


@pytest.fixture()
def corpus_dir(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    shutil.copy(CORPUS / "sco" / "20180610_1625982.json", folder / "epidemics.json")
    return folder


def _open(folder, target, embedder=None, **kw):
    return open_index(corpus_files([folder]), embedder or HashingEmbedder(), target, **kw)


def test_round_trip_and_plain_files(corpus_dir, tmp_path):
    # an undated plain-text document too: its index must load, not be rebuilt on every start
    (corpus_dir / "notes.md").write_text("# Notes\n\nThe parties discussed energy security.\n", "utf-8")
    target = tmp_path / "idx"
    built, was_built = _open(corpus_dir, target)
    assert was_built
    loaded, was_built = _open(corpus_dir, target)
    assert not was_built
    assert any(d.date is None for d in loaded.documents)
    assert [p.row for p in loaded.passages] == [p.row for p in built.passages]
    assert loaded.documents == built.documents
    assert np.allclose(loaded.vectors, built.vectors)
    names = {p.name for p in target.iterdir()}
    assert {"manifest.json", "documents.json", "passages.jsonl", "vectors.npy", "lexical", "lexicon.json"} <= names
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["format_version"] and manifest["model_id"] == "fake-hashing"
    assert manifest["counts"]["vectors"] == len(loaded.vectors) == len(loaded.passages)
    assert isinstance(loaded.vectors, np.memmap) and manifest["search"] == "exact"
    for npy in (target / "lexical").glob("*.npy"):
        np.load(npy, allow_pickle=False)  # no pickle anywhere
    rows = [json.loads(line) for line in (target / "passages.jsonl").read_text().splitlines()]
    assert all(r["row"] == i for i, r in enumerate(rows))
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_corpus_change_rebuilds(corpus_dir, tmp_path):
    target = tmp_path / "idx"
    _open(corpus_dir, target)
    (corpus_dir / "extra.txt").write_text("Extra\n\nA new paragraph about glaciers.\n", "utf-8")
    index, was_built = _open(corpus_dir, target)
    assert was_built
    assert any("glaciers" in p.text for d in index.documents for p in d.paragraphs)
    edited = corpus_dir / "extra.txt"
    edited.write_text("Extra\n\nA changed paragraph about deserts.\n", "utf-8")
    index, was_built = _open(corpus_dir, target)
    assert was_built and not any("glaciers" in p.text for d in index.documents for p in d.paragraphs)


def test_model_change_rebuilds(corpus_dir, tmp_path):
    target = tmp_path / "idx"
    _open(corpus_dir, target)
    index, was_built = _open(corpus_dir, target, HashingEmbedder(dim=128))
    assert was_built and index.manifest["dim"] == 128


@pytest.mark.parametrize("damage", ["manifest", "manifest-null", "manifest-list", "manifest-files", "vectors",
                                    "passages", "missing", "words"])
def test_corrupt_index_is_rebuilt_not_trusted(corpus_dir, tmp_path, damage):
    target = tmp_path / "idx"
    _open(corpus_dir, target)
    if damage == "manifest":
        (target / "manifest.json").write_text("{not json", "utf-8")
    elif damage.startswith("manifest-"):
        content = {"manifest-null": "null", "manifest-list": "[]",
                   "manifest-files": json.dumps({**json.loads((target / "manifest.json").read_text()), "files": 7})}
        (target / "manifest.json").write_text(content[damage], "utf-8")
    elif damage == "words":
        (target / "words.json").write_text('["one"]', "utf-8")
    elif damage == "vectors":
        data = (target / "vectors.npy").read_bytes()
        (target / "vectors.npy").write_bytes(data[: len(data) // 2])
    elif damage == "passages":
        with (target / "passages.jsonl").open("a") as f:
            f.write('{"row": 99999}\n')
    else:
        (target / "lexicon.json").unlink()
    index, was_built = _open(corpus_dir, target)
    assert was_built
    assert len(index.vectors) == len(index.passages)


def test_failed_build_leaves_no_half_index(corpus_dir, tmp_path):
    class Exploding(HashingEmbedder):
        def embed_passages(self, texts, progress=False):
            raise RuntimeError("boom")

    target = tmp_path / "idx"
    with pytest.raises(RuntimeError):
        _open(corpus_dir, target, Exploding())
    assert not target.exists()
    good, _ = _open(corpus_dir, target)
    with pytest.raises(RuntimeError):
        _open(corpus_dir, target, Exploding(dim=64))
    still, was_built = _open(corpus_dir, target)  # the old index survived the failed rebuild
    assert not was_built and still.manifest["corpus_hash"] == good.manifest["corpus_hash"]


def test_a_killed_build_leaves_leftovers_the_next_build_removes(corpus_dir, tmp_path):
    target = tmp_path / "idx"
    for leftover in (".idx.tmp-abc123", ".idx.old-999"):
        (tmp_path / leftover).mkdir()
        (tmp_path / leftover / "vectors.faiss").write_bytes(b"half")
    _open(corpus_dir, target)
    current = target.readlink().name  # the index is a link to its current version
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".idx")) == sorted([".idx.lock", current])


def test_an_index_folder_that_cannot_be_written_is_one_clear_error(corpus_dir, tmp_path):
    from retrieval.errors import IndexStoreError

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    with pytest.raises(IndexStoreError, match="cannot write the index folder"):
        _open(corpus_dir, blocker / "idx")


def test_only_english_is_indexed_for_an_english_model():
    bilingual = load_corpus([CORPUS / "sco" / "20190614_1626259.json"])
    index = Index.build(bilingual, HashingEmbedder())
    assert {index.paragraph(p).lang for p in index.passages} == {"en"}
    multilingual = Index.build(bilingual, HashingEmbedder(languages=None))
    assert {multilingual.paragraph(p).lang for p in multilingual.passages} == {"en", "ru"}
    # the signature block is indexed (it answers "who signed ...?" only: tests/test_answer_types.py)
    assert {index.paragraph(p).kind for p in index.passages} == {"body", "signature"}
    assert index.signature.sum() == 1 and index.paragraph_texts()[int(np.argmax(index.signature))].startswith(
        "Prime Minister Republic of India Narendra Modi")


def test_waiting_for_another_build_stops_when_cancelled(tmp_path):
    import threading

    from retrieval.index import BuildCancelled, BuildProgress
    from retrieval.index.store import build_lock

    target = tmp_path / "idx"
    cancel = threading.Event()
    with build_lock(target):  # another build holds the lock
        cancel.set()
        with pytest.raises(BuildCancelled):
            with build_lock(target, BuildProgress(cancel=cancel)):
                pass


def test_a_cancelled_build_raises_between_chunks_and_keeps_the_old_index(corpus_dir, tmp_path):
    import threading

    from retrieval.index import BuildCancelled, BuildProgress

    class Slow(HashingEmbedder):
        def __init__(self, cancel):
            super().__init__(dim=128)  # another model: nothing in the cache
            self.cancel, self.chunks = cancel, 0

        def embed_passages(self, texts, progress=False):
            self.chunks += 1
            if self.chunks == 2:
                self.cancel.set()  # a stop signal arrives during the second chunk
            return super().embed_passages(texts)

    target = tmp_path / "idx"
    good, _ = _open(corpus_dir, target)
    cancel = threading.Event()
    embedder = Slow(cancel)
    with pytest.raises(BuildCancelled):
        _open(corpus_dir, target, embedder, force=True, progress=BuildProgress(cancel=cancel))
    assert embedder.chunks == 2  # stopped at the next check, not at the end
    still, was_built = _open(corpus_dir, target)
    assert not was_built and still.manifest["created_at"] == good.manifest["created_at"]


def test_a_build_says_how_far_it_is_when_no_bar_can_be_shown(corpus_dir, tmp_path):
    from retrieval.index import BuildProgress

    lines = []
    _open(corpus_dir, tmp_path / "idx", progress=BuildProgress(write=lines.append, every=0))
    assert lines and lines[0].startswith("building the index: passages ") and "%)" in lines[0]
    assert lines[-1].startswith("building the index: words") and lines[-1].endswith("(100%)")
    passages = [line for line in lines if " passages " in line]
    assert passages[-1].endswith("(100%)") and len(set(passages)) == len(passages)  # the last, once


def test_a_stage_too_short_to_report_prints_nothing_at_its_end():
    from retrieval.index import BuildProgress

    lines = []
    progress = BuildProgress(write=lines.append, every=3600)
    progress.start("passages", 10)
    progress.advance(10)
    progress.finish()
    assert lines == []


def test_progress_counts_each_distinct_text_once_and_reaches_100(tmp_path):
    """A text repeated in a corpus is encoded once: the count must not stop short of its total."""
    from retrieval.index import BuildProgress

    folder = tmp_path / "c"
    folder.mkdir()
    repeated = "The parties agree that sea turtles deserve protection in every ocean."
    (folder / "turtles.md").write_text(f"# Turtles\n\n{repeated}\n\nThey meet again.\n\n{repeated}\n", "utf-8")
    lines = []
    _open(folder, tmp_path / "idx", progress=BuildProgress(write=lines.append, every=0))
    passages = [line for line in lines if " passages " in line]
    assert passages and passages[-1].endswith("(100%)"), lines


def test_the_corpus_hash_covers_the_expansions_the_lexicon_bakes_in(tmp_path, monkeypatch):
    from retrieval.index import corpus_hash
    from retrieval.index import store
    from retrieval.lang import en

    doc = tmp_path / "a.txt"
    doc.write_text("Title\n\nThe member states meet at the summit.", "utf-8")
    before = corpus_hash([doc])
    assert corpus_hash([doc]) == before
    shipped = en.expansions()
    monkeypatch.setattr(store.en, "expansions", lambda: {**shipped, "summit": "meeting of the council"})
    assert corpus_hash([doc]) != before  # an upgrade with another synonym rebuilds the index
