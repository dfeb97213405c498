"""Model loading: the bundled default is verified; other models load by path, offline."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pytest

from embeddings import EmbeddingError, HashingEmbedder, load_embedder
from embeddings import loader as loader_module


def test_fake_embedder_is_deterministic_and_normalised():
    a = HashingEmbedder().embed_queries(["missile defense", "energy"])
    b = HashingEmbedder().embed_passages(["missile defense", "energy"])
    assert a.dtype == np.float32 and np.allclose(a, b)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0)


def test_weights_are_checked_against_their_sha256(tmp_path):
    weights = tmp_path / "model.safetensors"
    with pytest.raises(EmbeddingError, match="not found"):
        loader_module.verify_weights(weights, "0" * 64)
    weights.write_bytes(b"weights")
    with pytest.raises(EmbeddingError, match="expected 0000"):
        loader_module.verify_weights(weights, "0" * 64)
    loader_module.verify_weights(weights, hashlib.sha256(b"weights").hexdigest())


@pytest.mark.model
def test_the_bundled_weights_are_checked(monkeypatch):
    assert loader_module.default_model_path().is_dir()
    monkeypatch.setattr(loader_module, "DEFAULT_WEIGHTS_SHA256", "0" * 64)
    with pytest.raises(EmbeddingError, match="expected 0000"):
        loader_module.default_model_path()


def test_unknown_model_is_a_clear_error():
    with pytest.raises(EmbeddingError, match="neither a local directory nor in the local Hugging Face cache"):
        load_embedder("no-such-org/no-such-model")


@pytest.mark.model
def test_another_model_loads_by_path(tmp_path, real_embedder):
    copy = tmp_path / "my-model"
    shutil.copytree(loader_module.default_model_path(), copy)
    other = load_embedder(str(copy))
    assert other.model_id == str(copy) and other.dim == 384
    assert other.weights_hash == loader_module.DEFAULT_WEIGHTS_SHA256
    assert other.languages == ("en",)
    vectors = other.embed_queries(["missile defense"])
    assert np.allclose(vectors, real_embedder.embed_queries(["missile defense"]), atol=1e-5)
    assert loader_module.guess_languages("paraphrase-multilingual-MiniLM-L12-v2") is None


@pytest.mark.model
def test_openblas_runs_on_one_thread_beside_torch(real_embedder):
    # Its spinning idle threads would take the cores from torch's (embeddings/sentence_transformer.py).
    from threadpoolctl import threadpool_info

    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)


def test_a_lazy_embedder_loads_its_model_once_and_only_to_encode():
    from embeddings.lazy import LazyEmbedder

    loads = []

    def load():
        loads.append(1)
        return HashingEmbedder(dim=64)

    found = HashingEmbedder(dim=64)
    lazy = LazyEmbedder(load, found.model_id, found.weights_hash, ("en",), dim=64)
    assert (lazy.model_id, lazy.dim, lazy.languages) == (found.model_id, 64, ("en",)) and not lazy.loaded and not loads
    assert np.allclose(lazy.embed_passages(["energy"]), found.embed_passages(["energy"]))
    lazy.embed_queries(["energy"])
    assert lazy.loaded and loads == [1]
    wrong = LazyEmbedder(load, found.model_id, found.weights_hash, ("en",), dim=384)  # its files said otherwise
    with pytest.raises(EmbeddingError, match="encodes 64 dimensions, its files say 384"):
        wrong.embed_queries(["energy"])
    unknown = LazyEmbedder(load, found.model_id, found.weights_hash, ("en",))
    assert unknown.dim == 64 and unknown.loaded  # no dimension stated: asking for it loads the model
    other = LazyEmbedder(load, "another-model", found.weights_hash, ("en",), dim=64)  # not the model found
    with pytest.raises(EmbeddingError, match="not the 'another-model'"):
        other.embed_passages(["energy"])


@pytest.mark.parametrize("modules, pooling, dim", [
    (["Transformer", "Pooling", "Normalize"], {"pooling_mode_mean_tokens": True}, 384),
    (["Transformer", "Pooling"], {"pooling_mode_cls_token": True}, 384),
    (["Transformer", "Pooling", "Dense", "Normalize"], {"pooling_mode_mean_tokens": True}, None),
    (["Transformer", "Pooling"], {"pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": True}, None),
])
def test_the_dimension_a_model_folder_states(tmp_path, modules, pooling, dim):
    import json

    (tmp_path / "1_Pooling").mkdir()
    listed = [{"idx": i, "name": str(i), "path": "1_Pooling" if kind == "Pooling" else "",
               "type": f"sentence_transformers.models.{kind}"} for i, kind in enumerate(modules)]
    (tmp_path / "modules.json").write_text(json.dumps(listed), "utf-8")
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 384, **pooling}))
    assert loader_module.stated_dim(tmp_path) == dim
    assert loader_module.stated_dim(tmp_path / "missing") is None


@pytest.mark.model
def test_docs_about_and_an_unchanged_index_never_load_the_model(tmp_path):
    """About 6 s of imports saved: the index is found by the model's id and weights hash. Even the
    build that encodes never imports torch here: its model loads in a child process (worker.py)."""
    import os
    import subprocess
    import sys

    from .conftest import ROOT, SEED

    assert loader_module.stated_dim(loader_module.default_model_path()) == 384
    env = {**os.environ, "QUOTEBOT_INDEX_DIR": str(tmp_path / "idx"), "HF_HUB_OFFLINE": "1"}
    env.pop("QUOTEBOT_MODEL", None)
    code = ("import sys; from quotebot.cli import main; rc = main(sys.argv[1:]); "
            "print('torch' in sys.modules, file=sys.stderr); sys.exit(rc)")
    runs = {}
    for command in ("index", "index", "docs", "about"):
        result = subprocess.run([sys.executable, "-c", code, command, "--corpus", str(SEED)], env=env, cwd=ROOT,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
        runs.setdefault(command, []).append(result.stderr.strip().splitlines()[-1])
        runs.setdefault(f"{command} says", []).append(result.stdout.split(":")[0] if command == "index" else "")
    assert runs.pop("index says") == ["index built", "index up to date (cached)"]
    assert {k: v for k, v in runs.items() if "says" not in k} == {"index": ["False", "False"], "docs": ["False"],
                                                                   "about": ["False"]}
    manifest = json.loads(next((tmp_path / "idx").glob("*/manifest.json")).read_text("utf-8"))
    assert manifest["changes"]["encoded"] == 1 and manifest["model_id"] == "all-MiniLM-L6-v2"
