"""Model loading: the bundled default is verified; other models load by path, offline."""

from __future__ import annotations

import hashlib
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
