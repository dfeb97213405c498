"""Large indexes: candidates from an IVF index, then exact scoring; filters stay exact."""

from __future__ import annotations

import pytest

from embeddings import HashingEmbedder
from retrieval.engine import Engine
from retrieval.index import open_index, search as search_module
from retrieval.parsers import corpus_files
from retrieval.types import Filters

from .conftest import CORPUS

QUESTIONS = ["missile defense", "Afghanistan", "COVID-19 pandemic", "energy security", "youth", "terrorism",
             "outer space", "drug trafficking", "Iran nuclear programme", "tourism", "climate change",
             "food security", "the Shanghai Spirit", "information security", "digital economy", "UN reform",
             "observer states", "Belt and Road", "new members", "water resources"]


def _top(engine, question, filters=None, k=3):
    return [(h.citation.doc_id, h.paragraph.number) for h in engine.answer(question, filters, k=k).hits]


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    """The shipped corpus twice: searched exactly, and through the IVF index (as a large one is)."""
    embedder = HashingEmbedder()
    files = corpus_files([CORPUS])
    exact = Engine(open_index(files, embedder, tmp_path_factory.mktemp("exact") / "idx")[0], embedder)
    patch = pytest.MonkeyPatch()
    patch.setattr(search_module, "EXACT_MAX_ROWS", 1000)
    ann_index, _ = open_index(files, embedder, tmp_path_factory.mktemp("ann") / "idx")
    yield exact, Engine(ann_index, embedder), patch
    patch.undo()


def test_a_large_index_is_searched_through_candidates(engines):
    exact, ann, _ = engines
    assert exact.index.manifest["search"] == "exact" and ann.index.manifest["search"] == "ivf"
    assert ann.index.search.ann is not None and ann.index.search.ann.ntotal == len(ann.index.vectors)


def test_candidates_find_what_exact_search_finds(engines):
    exact, ann, _ = engines
    first = [_top(exact, q, k=1) == _top(ann, q, k=1) for q in QUESTIONS]
    top3 = [set(_top(exact, q)) == set(_top(ann, q)) for q in QUESTIONS]
    assert sum(first) >= 19 and sum(top3) >= 18, (first, top3)
    # the scores of what both return are the same: candidates are scored exactly
    a, b = exact.answer("missile defense", k=1).hits[0], ann.answer("missile defense", k=1).hits[0]
    assert a.score == pytest.approx(b.score, abs=1e-6)


@pytest.mark.parametrize("filters", [Filters(doc_ids=("2012-beijing-declaration",)), Filters(years=(2021,))])
def test_a_filter_on_few_rows_is_searched_exactly(engines, filters):
    exact, ann, _ = engines
    assert ann.index.search.rows_of(ann.catalog.allowed(ann.validate(filters))) <= search_module.EXACT_MAX_ROWS
    for question in QUESTIONS:
        assert _top(ann, question, filters, k=5) == _top(exact, question, filters, k=5), question


def test_a_filter_on_many_rows_searches_candidates_inside_it(engines):
    exact, ann, _ = engines
    filters = Filters(years=(2018, 2019, 2020))  # more rows than the (lowered) exact limit
    allowed = ann.catalog.allowed(ann.validate(filters))
    assert ann.index.search.rows_of(allowed) > search_module.EXACT_MAX_ROWS
    same = 0
    for question in QUESTIONS:
        hits = ann.answer(question, filters, k=5).hits
        assert len(hits) == 5 and {h.citation.date.year for h in hits} <= {2018, 2019, 2020}
        same += _top(ann, question, filters, k=1) == _top(exact, question, filters, k=1)
    assert same >= 18


def _large_index_without_a_declaration(tmp_path, monkeypatch):
    """The shipped corpus without the 2023 New Delhi declaration, indexed as a large index (IVF);
    returns its folder, the index, and a function that puts the declaration back."""
    import shutil

    monkeypatch.setattr(search_module, "EXACT_MAX_ROWS", 1000)
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    held = corpus / "sco" / "20230704_1628339.json"
    held_text = held.read_bytes()
    held.unlink()
    index, _ = open_index(corpus_files([corpus]), HashingEmbedder(), tmp_path / "root" / "idx")
    return corpus, index, lambda: held.write_bytes(held_text)


def _centroids_offered(monkeypatch) -> list:
    """(the IVF index a build offers for its centroids or None, whether `reusable` took it), each build."""
    offered, original = [], search_module.reusable

    def reusable(trained, *args):
        offered.append((trained, original(trained, *args)))
        return offered[-1][1]

    monkeypatch.setattr(search_module, "reusable", reusable)
    return offered


def test_an_add_reuses_the_trained_centroids_and_still_finds_what_exact_finds(tmp_path, monkeypatch):
    """Adding a document to a large index re-uses the IVF's centroids (no new training)."""
    import numpy as np

    corpus, before, put_back = _large_index_without_a_declaration(tmp_path, monkeypatch)
    embedder, target = HashingEmbedder(), tmp_path / "root" / "idx"
    put_back()
    offered = _centroids_offered(monkeypatch)
    after, built = open_index(corpus_files([corpus]), embedder, target)
    assert built and [taken for _, taken in offered] == [True] and after.manifest["changes"]["added"] == ["2023-new-delhi-declaration"]

    def centroids(index):
        quantizer = index.search.ann.quantizer
        return quantizer.reconstruct_n(0, quantizer.ntotal)

    assert np.array_equal(centroids(before), centroids(after))
    assert after.search.ann.ntotal == len(after.vectors) > len(before.vectors)
    monkeypatch.setattr(search_module, "EXACT_MAX_ROWS", 10**9)  # the reference: every row scored
    exact = Engine(open_index(corpus_files([corpus]), embedder, tmp_path / "exact" / "idx")[0], embedder)
    monkeypatch.setattr(search_module, "EXACT_MAX_ROWS", 1000)
    ann = Engine(after, embedder)
    assert sum(_top(exact, q, k=1) == _top(ann, q, k=1) for q in QUESTIONS) >= 19


@pytest.mark.parametrize("rows, lists, reused", [(250_000, 500, True), (640_000, 500, False), (100_000, 500, False),
                                                 (250_000, 400, True), (250_000, 300, False)])
def test_centroids_are_trained_again_when_the_corpus_size_drifts(rows, lists, reused):
    class Trained:
        d, nlist = 384, lists

    assert search_module.reusable(Trained(), rows, 384) is reused
    assert search_module.reusable(Trained(), rows, 256) is False
    assert search_module.reusable(None, rows, 384) is False


@pytest.mark.parametrize("damage", ["checksum", "weights"])
def test_centroids_of_a_damaged_or_foreign_ivf_index_are_never_reused(tmp_path, monkeypatch, damage):
    corpus, _, put_back = _large_index_without_a_declaration(tmp_path, monkeypatch)
    target, embedder = tmp_path / "root" / "idx", HashingEmbedder()
    if damage == "checksum":
        with (target / "ann.faiss").open("ab") as handle:
            handle.write(b"\0")
    else:  # the same model id with other weights: another embedding space
        embedder.weights_hash = "0" * 64
    put_back()
    offered = _centroids_offered(monkeypatch)
    index, built = open_index(corpus_files([corpus]), embedder, target)
    assert built and offered == [(None, False)] and index.search.ann.ntotal == len(index.vectors)
