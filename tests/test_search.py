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
