"""The encoder in a child process (embeddings/worker.py): the same vectors, clear errors, no orphan."""

from __future__ import annotations

import numpy as np
import pytest

from embeddings import EmbeddingError, HashingEmbedder, load_embedder
from embeddings.lazy import LazyEmbedder
from embeddings.worker import EncoderProcess

FAKE = {"name": "fake-hashing", "languages": ["en"], "threads": None}
TEXTS = ["missile defense", "energy cooperation", "", "Ш" * 3000]


def test_the_child_encodes_what_this_process_would():
    child = EncoderProcess(FAKE)
    try:
        here = HashingEmbedder()
        assert (child.model_id, child.weights_hash, child.dim) == (here.model_id, here.weights_hash, here.dim)
        assert np.array_equal(child.embed_passages(TEXTS), here.embed_passages(TEXTS))
        assert np.array_equal(child.embed_queries(TEXTS[:1]), here.embed_queries(TEXTS[:1]))
        assert child.embed_passages([]).shape == (0, here.dim)
        child._child.stdin.close()  # this process has gone: the child ends by itself
        assert child._child.wait(timeout=30) == 0
    finally:
        child.close()


def test_a_model_the_child_cannot_load_is_a_clear_error():
    child = EncoderProcess({"name": "/nonexistent/model", "languages": None, "threads": None})
    try:
        with pytest.raises(EmbeddingError, match="neither a local directory"):
            child.embed_passages(["energy"])
    finally:
        child.close()


def test_a_child_that_dies_is_an_error_not_a_hang():
    child = EncoderProcess(FAKE)
    child.ready()
    child._child.kill()
    with pytest.raises(EmbeddingError, match="encoder process stopped"):
        child.embed_passages(["energy"])
    child.close()


def test_prepare_moves_a_lazy_embedders_encoding_to_the_child():
    found = HashingEmbedder()
    lazy = LazyEmbedder(lambda: pytest.fail("prepared: nothing is loaded in this process"), found.model_id,
                        found.weights_hash, ("en",), found.dim, spec=FAKE)
    lazy.prepare()
    lazy.prepare()  # once only
    try:
        assert np.array_equal(lazy.embed_passages(TEXTS), found.embed_passages(TEXTS)) and lazy.loaded
    finally:
        lazy.close()
    assert not lazy.loaded


def test_a_child_loading_another_model_than_the_one_found_is_refused():
    found = HashingEmbedder(dim=64)  # the child loads the 256-dimension fake
    lazy = LazyEmbedder(lambda: found, found.model_id, found.weights_hash, ("en",), 64, spec=FAKE)
    lazy.prepare()
    try:
        with pytest.raises(EmbeddingError, match="not the 'fake-hashing-64'"):
            lazy.embed_passages(["energy"])
    finally:
        lazy.close()


@pytest.mark.model
def test_the_real_model_in_a_child_gives_the_same_vectors(real_embedder):
    lazy = load_embedder(None, lazy=True)
    lazy.prepare()
    try:
        texts = ["The SCO opposes the unilateral build-up of missile defense systems.", "energy", "a" * 2000]
        assert np.allclose(lazy.embed_passages(texts), real_embedder.embed_passages(texts), atol=1e-6)
        assert np.allclose(lazy.embed_queries(texts[:1]), real_embedder.embed_queries(texts[:1]), atol=1e-6)
    finally:
        lazy.close()


def test_a_build_with_new_files_starts_the_model_at_once_and_answers_as_in_process(tmp_path):
    import shutil

    from retrieval.engine import Engine
    from retrieval.index import open_index
    from retrieval.parsers import corpus_files

    from .conftest import CORPUS, SEED

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in (SEED, CORPUS / "sco" / "20201110_1626651.json", CORPUS / "sco" / "20220916_1626299.json"):
        shutil.copy(path, corpus / path.name)
    found = HashingEmbedder()
    prepared = []

    def lazy() -> LazyEmbedder:
        embedder = LazyEmbedder(lambda: pytest.fail("loaded in this process"), found.model_id, found.weights_hash,
                                ("en",), found.dim, spec=FAKE)
        real = embedder.prepare
        embedder.prepare = lambda: prepared.append(1) or real()
        return embedder

    def answers(index, embedder):
        return [[(h.citation.doc_id, h.paragraph.number, round(h.score, 6)) for h in Engine(index, embedder).answer(q).hits]
                for q in ("missile defense", "energy security")]

    embedder = lazy()
    try:
        index, built = open_index(corpus_files([corpus]), embedder, tmp_path / "root" / "idx")
        assert built and prepared and embedder.loaded  # encoded in the child
    finally:
        embedder.close()
    alone, _ = open_index(corpus_files([corpus]), found, tmp_path / "alone" / "idx")
    assert answers(index, found) == answers(alone, found)
    prepared.clear()
    for change in ("nothing", "removal"):
        if change == "removal":
            (corpus / "20220916_1626299.json").unlink()
        embedder = lazy()
        _, built = open_index(corpus_files([corpus]), embedder, tmp_path / "root" / "idx")
        assert built == (change == "removal") and not prepared and not embedder.loaded  # nothing to encode


def test_a_module_in_the_current_folder_never_replaces_the_childs(tmp_path, monkeypatch):
    for name in ("embeddings.py", "numpy.py"):  # a user's own files, where the command is run
        (tmp_path / name).write_text("raise SystemExit('the wrong module was imported')\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    child = EncoderProcess(FAKE)
    try:
        assert np.array_equal(child.embed_passages(TEXTS[:2]), HashingEmbedder().embed_passages(TEXTS[:2]))
    finally:
        child.close()


def _gone(pid: int) -> bool:
    """Whether process `pid` has ended (a zombie waiting for a parent that never reaps it has)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.model
def test_the_child_ends_when_its_parent_is_killed(tmp_path):
    """Killed at once, not after the 5 s of loading the model and reading the end of its input."""
    import subprocess
    import sys
    import time

    from .conftest import ROOT

    real = {"name": None, "languages": ["en"], "threads": None}
    code = ("import os, time; from embeddings.worker import EncoderProcess; "
            f"child = EncoderProcess({real!r}); print(child._child.pid, flush=True); time.sleep(1.5); "
            "os.kill(os.getpid(), 9)")  # while the child loads the model; no clean-up of any kind
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)  # the child shares no pipe with this test
    pid = int(parent.stdout.readline())
    parent.wait(timeout=60)
    parent.stdout.close()
    killed = time.monotonic()
    while not _gone(pid) and time.monotonic() - killed < 10:
        time.sleep(0.05)
    assert _gone(pid) and time.monotonic() - killed < 2.0
