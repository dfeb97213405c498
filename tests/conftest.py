"""Shared fixtures: engines over the shipped corpus with the fake and the real embedder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from embeddings import HashingEmbedder
from retrieval.loader import open_engine
from retrieval.settings import EngineSettings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED = CORPUS / "sco_2012_beijing_declaration.txt"
SHARED = ROOT.parent / "shared"
UNGDC = SHARED / "corpus" / "ungdc_2012"
# The UN General Debate speeches are read from ../shared, never copied into the repo: CI has them
# beside the project; a clone elsewhere skips the tests that parse them, saying why.
needs_shared = pytest.mark.skipif(not (SHARED / "corpus" / "ungdc").is_dir() or not UNGDC.is_dir(),
                                  reason="../shared/corpus (the UN speeches) is not beside the project")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Hermetic: the documents a user added with `quotebot add` (in the platform's user data folder,
# also when a test resolves settings with env={}) and their variables never reach the tests.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="quotebot-test-data-")
os.environ.pop("QUOTEBOT_USER_CORPUS", None)


@pytest.fixture(scope="session")
def index_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("indexes")


@pytest.fixture(scope="session")
def fake_engine(index_root):
    """The shipped corpus indexed with the deterministic fake embedder."""
    settings = EngineSettings.resolve([str(CORPUS)], None, str(index_root), env={})
    return open_engine(settings, embedder=HashingEmbedder()).engine


def engine_over(texts: dict[str, str], tmp_path_factory, always_likely: bool = False):
    """An engine with the fake embedder over a small corpus: file name -> text. With
    `always_likely`, its confidence model finds every answer likely, so that only grounding
    decides whether it abstains."""
    folder = tmp_path_factory.mktemp("corpus")
    for name, text in texts.items():
        (folder / name).write_text(text, "utf-8")
    settings = EngineSettings.resolve([str(folder)], None, str(tmp_path_factory.mktemp("idx")), env={})
    engine = open_engine(settings, embedder=HashingEmbedder()).engine
    if always_likely:
        from retrieval.confidence import ConfidenceModel, Evidence

        n = len(Evidence.names())
        engine.model = ConfidenceModel(Evidence.names(), (0.0,) * n, (1.0,) * n, (0.0,) * n, 50.0, 0.5)
    return engine


@pytest.fixture(scope="session")
def real_embedder():
    from embeddings import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def real_engine(index_root, real_embedder):
    settings = EngineSettings.resolve([str(CORPUS)], None, str(index_root), env={})
    return open_engine(settings, embedder=real_embedder).engine


@pytest.fixture(scope="session")
def seed_engine(index_root, real_embedder):
    settings = EngineSettings.resolve([str(SEED)], None, str(index_root), env={})
    return open_engine(settings, embedder=real_embedder).engine


@pytest.fixture(scope="module")
def fake():
    """A local Bot API server (tests/fake_telegram.py) for the end-to-end tests of one module."""
    from .e2e_support import TOKEN
    from .fake_telegram import FakeTelegram

    server = FakeTelegram(TOKEN).start()
    yield server
    server.stop()
