"""Grounding: a question's subject that the corpus never names can never get a confident quote.

Small synthetic corpora, the deterministic fake embedder, and a confidence model that always
finds the best paragraph likely to answer: what is left to abstain is the grounding rule.
"""

from __future__ import annotations

import numpy as np
import pytest

from embeddings import HashingEmbedder
from retrieval.confidence import ConfidenceModel, Evidence
from retrieval.grounding import Subject, grounding, subjects_of, ungrounded
from retrieval.loader import open_engine
from retrieval.query import AbsentWord
from retrieval.settings import EngineSettings

TEXTS = {
    "cooperation.txt": "Cooperation declaration\n\nThe member states support cooperation in trade, energy and "
                       "security.\n\nThey welcome cooperation on Afghanistan and on drug trafficking.",
    "security.txt": "Security statement\n\nThe member states condemn terrorism and support security "
                    "cooperation.\n\nThey call for cooperation in energy security and trade.",
}
ALWAYS_LIKELY = ConfidenceModel(Evidence.names(), (0.0,) * 6, (1.0,) * 6, (0.0,) * 6, 50.0, 0.5)
CORPUS_WORDS = ["cooperation", "trade", "energy", "security", "member", "states", "support", "terrorism"]
ABSENT = ["Kashmir", "zorblax", "G7", "whaling", "Quuxland", "mpox"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    for name, text in TEXTS.items():
        (folder / name).write_text(text, "utf-8")
    settings = EngineSettings.resolve([str(folder)], None, str(tmp_path_factory.mktemp("idx")), env={})
    engine = open_engine(settings, embedder=HashingEmbedder()).engine
    engine.model = ALWAYS_LIKELY
    return engine


@pytest.mark.parametrize("subject", ABSENT)
def test_an_absent_subject_never_gets_a_confident_answer_whatever_the_other_words(engine, subject):
    rng = np.random.default_rng(len(subject))
    for n in range(0, 6):
        others = list(rng.choice(CORPUS_WORDS, size=n, replace=False))
        words = others[: n // 2] + [subject] + others[n // 2:]
        answer = engine.answer("what about " + " ".join(words))
        assert answer.abstained, words
        assert answer.note == f"the declarations never mention {subject}"
        assert answer.hits  # the closest matches are still shown, as such


@pytest.mark.parametrize("question", ["cooperation on Afghanistan", "what about drug trafficking",
                                      "terrorism", "energy security and trade"])
def test_a_subject_the_corpus_names_gets_an_answer(engine, question):
    answer = engine.answer(question)
    assert not answer.abstained and answer.note is None


def test_the_words_of_every_paragraph_have_vectors(engine):
    vectors = engine.index.word_vectors
    assert {"cooperation", "afghanistan", "trafficking"} <= set(vectors.vocabulary)
    assert "the" not in vectors.vocabulary  # stopwords are never a subject's counterpart
    assert vectors.of_text("Afghanistan and the drug trade").shape == (3, engine.embedder.dim)


def _unit(*values):
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def _subject(word, vector, aboutness=1.0):
    return Subject(AbsentWord(word, word), vector, aboutness)


def test_grounding_is_the_closest_word_of_the_least_grounded_subject():
    tehran, cats = _subject("tehran", _unit(1, 0, 0)), _subject("cats", _unit(0, 0, 1))
    paragraph = np.stack([_unit(0.8, 0.6, 0), _unit(0, 1, 0)])  # "iran", "security"
    assert grounding((tehran,), paragraph) == pytest.approx(0.8)
    assert grounding((tehran, cats), paragraph) == pytest.approx(0.0)
    assert grounding((), paragraph) == 1.0
    assert [s.word.word for s in ungrounded((tehran, cats), paragraph, 0.5)] == ["cats"]
    assert [s.word.word for s in ungrounded((tehran,), np.zeros((0, 3)), 0.5)] == ["tehran"]


def test_words_far_from_what_the_question_is_about_are_no_subject():
    from retrieval.query import Query
    from retrieval.types import Filters

    query = Query("do they want kashmir", "do they want kashmir", (), ("want", "kashmir"), Filters(),
                  absent=(AbsentWord("want", "want"), AbsentWord("kashmir", "kashmir")))
    question = _unit(0.2, 1, 0)
    words = {"want": _unit(1, 0, 0.1), "kashmir": _unit(0.1, 1, 0)}
    found = subjects_of(query, question, words, min_aboutness=0.35)
    assert [s.word.word for s in found] == ["kashmir"]
