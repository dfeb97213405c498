"""Adjacency: among the best paragraphs, one that has the question's neighbouring topic words side
by side ("rule of law") ranks above one that has them apart ("as a rule ... under law").

Pure functions on small inputs, then an engine over a small synthetic corpus with the fake
embedder, with and without the adjacency weight.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from retrieval.ranking_config import DEFAULT_RANKING
from retrieval.tokens import adjacent_share, neighbour_pairs, neighbour_sets, stems, words

from .conftest import engine_over


def test_neighbour_pairs_are_stems_at_most_two_apart_in_order():
    pairs = neighbour_pairs(["rule", "intern", "law", "trade"])
    assert ("rule", "intern") in pairs and ("rule", "law") in pairs and ("intern", "trade") in pairs
    assert ("rule", "trade") not in pairs  # three apart
    assert ("law", "rule") not in pairs  # the text's order only


def test_stopwords_between_two_words_do_not_keep_them_apart():
    assert ("rule", "law") in neighbour_pairs(stems(words("the rule of the law")))


def test_adjacent_share_counts_each_pair_of_question_words_once():
    wanted = (frozenset({("rule", "law")}), frozenset({("law", "trade"), ("law", "commerc")}))
    assert adjacent_share(wanted, frozenset({("rule", "law")})) == 0.5
    assert adjacent_share(wanted, frozenset({("rule", "law"), ("law", "commerc")})) == 1.0
    assert adjacent_share(wanted, frozenset()) == 0.0
    assert adjacent_share((), frozenset({("rule", "law")})) == 0.0


APART = "As a rule, states keep peace under law."
SIDE = "The member states respect the rule of law in trade and order across the region and beyond it."
TEXTS = {"law.txt": f"Law statement\n\n{APART}\n\n{SIDE}\n\nThey support the growth of tourism.\n\n{SIDE}"}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return engine_over(TEXTS, tmp_path_factory, always_likely=True)


def _ranked(engine, question: str, weight: float, k: int = 3) -> list:
    engine.scorer.config = replace(DEFAULT_RANKING, adjacency_weight=weight)
    try:
        return list(engine.answer(question, k=k).hits)
    finally:
        engine.scorer.config = DEFAULT_RANKING


def test_the_paragraph_with_the_words_side_by_side_ranks_first(engine):
    assert _ranked(engine, "rule of law", DEFAULT_RANKING.adjacency_weight)[0].text == SIDE
    # the test can fail: without adjacency, the short paragraph with the words apart is closer
    assert _ranked(engine, "rule of law", 0.0)[0].text == APART


def test_adjacency_adds_its_weight_times_the_share_to_the_score(engine):
    with_it = {h.text: h.score for h in _ranked(engine, "rule of law", 0.15)}
    without = {h.text: h.score for h in _ranked(engine, "rule of law", 0.0)}
    assert with_it[SIDE] == pytest.approx(without[SIDE] + 0.15)
    assert with_it[APART] == pytest.approx(without[APART])


def test_a_question_of_one_topic_word_is_ranked_as_without_adjacency(engine):
    assert [(h.text, h.score) for h in _ranked(engine, "tourism", 0.15)] == \
           [(h.text, h.score) for h in _ranked(engine, "tourism", 0.0)]


def test_a_paragraph_twice_in_the_corpus_is_ranked_once(engine):
    texts = [h.text for h in _ranked(engine, "rule of law", 0.15, k=5)]
    assert texts.count(SIDE) == 1 and len(texts) == len(set(texts))


def test_best_of_ranks_only_the_positions_given(engine):
    query = engine.understand("rule of law")
    vectors, _ = engine.embed([query])
    features = engine.scorer.features(query, vectors[0], None)
    texts = engine.scorer.paragraph_texts
    apart = np.array([texts.index(APART)])
    best = engine.scorer.best_of(features, apart, 2)
    assert [texts[c.position] for c in best] == [APART]
    assert best[0].score == features.score[apart[0]]  # the words apart: no adjacency added


def test_an_acronym_s_expansion_is_side_by_side_only_by_its_word_next_to_the_other():
    expansions = {"wto": "World Trade Organization"}
    (before,) = neighbour_sets(["wto", "rules"], [("wto", "world", "trade", "organiz"), ("rule",)], expansions)
    assert before == {("wto", "rule"), ("organiz", "rule")}  # "world trade organization rules"
    (after,) = neighbour_sets(["economy", "wto"], [("economi",), ("wto", "world", "trade", "organiz")], expansions)
    assert after == {("economi", "wto"), ("economi", "world")}  # not "world economy"


QUESTIONS = ["osce cooperation?", "do they work with the OSCE", "rule of law", "trade and economic cooperation",
             "the fight against terrorism and extremism", "youth policy and sports", "member states respect"]


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_first_answers_are_the_same_however_many_are_asked_for(fake_engine, question):
    few = [(h.text, h.score) for h in fake_engine.answer(question, k=3).hits]
    many = [(h.text, h.score) for h in fake_engine.answer(question, k=50).hits]
    assert many[:3] == few and len(many) == 50


def test_k_distinct_answers_come_back_when_most_paragraphs_are_copies(tmp_path_factory):
    text = "Trade statement\n\n" + "\n\n".join(f"Paragraph {i} on trade and law number {i}." for i in range(30))
    copies = engine_over({f"copy{n}.txt": text for n in range(3)}, tmp_path_factory, always_likely=True)
    for k in (10, 20, 30):
        hits = copies.answer("trade and law", k=k).hits
        assert len(hits) == k and len({h.text for h in hits}) == k


def test_ties_are_ranked_in_index_order(engine):
    query = engine.understand("rule of law")
    vectors, _ = engine.embed([query])
    features = engine.scorer.features(query, vectors[0], None)
    flat = replace(features, score=np.zeros_like(features.score), neighbours=())
    positions, _ = engine.scorer.reranked(flat, np.arange(len(flat.score)))
    assert positions.tolist() == list(range(len(flat.score)))
