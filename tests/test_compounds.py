"""Compound subjects, numbered acronyms and derived forms: the words a user puts together, or writes
differently from the declarations.

Pure functions on small inputs, then engines over small synthetic corpora with the fake embedder
and a confidence model that finds every answer likely: what is left to abstain is grounding.
"""

from __future__ import annotations

import numpy as np
import pytest

from embeddings.fake import HashingEmbedder
from retrieval import compounds
from retrieval.lexicon import Lexicon, ordinal
from retrieval.query import Run

from .conftest import engine_over


def _run(*words, **kind):
    return Run(tuple(words), tuple(words), **kind)


@pytest.mark.parametrize("pair, known", [(("carbon", "market"), True), (("emissions", "trading"), True),
                                         (("stock", "exchanges"), True), (("fight", "narcotics"), False),
                                         (("ww2", "recognised"), False), (("pakistan", "never"), False)])
def test_a_known_compound_is_a_pair_the_un_speeches_use_in_any_form(pair, known):
    assert compounds.is_compound(pair) is known


def test_unused_pairs_are_known_compounds_no_paragraph_has_together():
    together = {("member", "states")}.__contains__
    runs = [_run("sco", "carbon", "market"), _run("member", "states"), _run("fight", "narcotics"),
            _run("carbon", "market"), _run("stock", "exchange", head_first=True)]
    assert compounds.unused_pairs(runs, together) == ("carbon market",)
    assert compounds.unused_pairs(runs, lambda pair: True) == ()


def test_subjects_are_the_pairs_close_to_the_question():
    vectors = {"carbon market": np.array([1.0, 0.0]), "sco carbon": np.array([0.0, 1.0])}
    assert compounds.subjects(["carbon market", "sco carbon"], np.array([0.9, 0.1]), vectors, 0.65) == ["carbon market"]


def test_phrases_around_a_position_are_the_runs_of_two_to_four_words_holding_it():
    tokens = "a b c d e f".split()
    assert compounds.phrases_around(tokens, [0], sizes=(2,)) == ["a b"]
    assert compounds.phrases_around(tokens, [2], sizes=(2, 3)) == ["b c", "c d", "a b c", "b c d", "c d e"]
    assert compounds.phrases_around(tokens, [5, 4], sizes=(2,)) == ["e f", "d e"]
    assert len(compounds.phrases_around(tokens, range(6), limit=4)) == 4


def test_positions_near_are_the_pair_s_own_words_first_then_words_close_to_one():
    vectors = {"market": np.array([1.0, 0.0]), "carbon": np.array([0.0, 1.0]), "trade": np.array([0.8, 0.6]),
               "farm": np.array([0.0, -1.0])}
    words = "the markets for farm trade".split()
    assert compounds.positions_near(words, "carbon market", vectors.get) == [1, 4]


def test_a_pair_is_grounded_only_by_a_phrase_close_to_it():
    embedder = HashingEmbedder()
    pair = "carbon market"
    vectors = {pair: embedder.embed_queries([pair])[0]}
    word_vector = lambda w: embedder.embed_queries([w])[0]  # noqa: E731
    with_it = "They will build a regional carbon market by 2030."
    without = "They support the market for grain and the carbon industry."
    assert compounds.ungrounded([pair], with_it, vectors, word_vector, embedder.embed_queries, 0.6) == []
    assert compounds.ungrounded([pair], without, vectors, word_vector, embedder.embed_queries, 0.6) == [pair]
    assert compounds.ungrounded([pair], "Nothing here.", vectors, lambda w: None, embedder.embed_queries, 0.6) == [pair]


TEXTS = {
    "economy.txt": "Economy declaration\n\nThe member states support an open market for grain and farm produce.\n\n"
                   "They welcome the growth of the carbon industry and of coal mining.\n\n"
                   "They welcome the results of the 24th Conference of the Parties to the climate convention.\n\n"
                   "The heads of parliamentary committees held their first meeting in Bishkek.",
    "trade.txt": "Trade statement\n\nThe member states call for more trade in grain and steel.\n\n"
                 "They will fight narcotics and drug trafficking together.",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return engine_over(TEXTS, tmp_path_factory, always_likely=True)


@pytest.mark.parametrize("question", ["carbon market", "what about a carbon market?", "any carbon market"])
def test_a_compound_no_paragraph_has_never_gets_a_confident_answer(engine, question):
    answer = engine.answer(question)
    assert answer.abstained
    assert answer.note == "the declarations never use the words “carbon market” together"
    assert answer.hits  # the closest matches, shown as such


def test_a_compound_a_paragraph_has_is_answered(tmp_path_factory):
    texts = dict(TEXTS, **{"carbon.txt": "Carbon statement\n\nThey will build a regional carbon market by 2030."})
    answer = engine_over(texts, tmp_path_factory, always_likely=True).answer("what about a carbon market?")
    assert not answer.abstained and answer.note is None
    assert "carbon market" in answer.hits[0].quote


@pytest.mark.parametrize("question", ["fight narcotics", "what do they say about the carbon industry",
                                      "open market for grain"])
def test_pairs_that_are_no_compound_or_that_a_paragraph_has_are_answered(engine, question):
    answer = engine.answer(question)
    assert not answer.abstained and answer.note is None


def test_an_acronym_with_a_number_is_found_spelt_out_with_its_ordinal(engine):
    answer = engine.answer("cop24?")
    assert not answer.abstained and answer.note is None
    assert "24th Conference of the Parties" in answer.hits[0].quote
    assert engine.index.lexicon.expansion("cop24") == "24th Conference of the Parties"


def test_an_acronym_with_a_number_no_paragraph_spells_out_is_absent(engine):
    answer = engine.answer("cop28?")
    assert answer.abstained
    assert answer.note == "the declarations never mention cop28"


@pytest.mark.parametrize("n, written", [(1, "1st"), (2, "2nd"), (3, "3rd"), (11, "11th"), (12, "12th"), (22, "22nd"),
                                        (24, "24th"), (101, "101st"), (113, "113th")])
def test_ordinals(n, written):
    assert ordinal(n) == written


def test_a_long_stem_begins_its_derived_words():
    lexicon = Lexicon.from_texts(["The heads of parliamentary committees met.", "Parliamentarians spoke."], {})
    assert set(lexicon.compounds("parliaments")) == {"parliamentary", "parliamentarians"}
    assert lexicon.compounds("parliamentary") == []  # a word the corpus uses has no compounds
    assert lexicon.compounds("polar") == []  # too short a stem: "polarization" is another word


def test_a_word_found_through_its_derived_form_is_no_absent_subject(engine):
    answer = engine.answer("meetings of parliaments")
    assert not answer.abstained and answer.note is None
    assert "parliamentary" in answer.hits[0].quote


def test_a_slip_in_a_form_the_corpus_never_writes_is_corrected_to_the_corpus_word():
    lexicon = Lexicon.from_texts(["The summit was held in Bishkek.", "Another summit followed."], {})
    assert lexicon.correct("sumits") == "summit"  # the corpus writes "summit" only
    assert lexicon.correct("summit") == "summit"
    assert lexicon.correct("zummat") == "zummat"  # two slips are no slip


@pytest.mark.parametrize("word", ["where'd", "how's", "when's", "why'd", "whered"])
def test_question_words_contracted_are_stopwords(word):
    from retrieval.lang import en

    assert (word in en.STOPWORDS) is (word != "whered")


OBSERVANCES = {
    "culture.txt": "Culture statement\n\nThe member states declared 2021 the Year of Culture of the organisation.\n\n"
                   "They support the youth exchanges and the sport events of the region.",
}


@pytest.fixture(scope="module")
def observances(tmp_path_factory):
    return engine_over(OBSERVANCES, tmp_path_factory, always_likely=True)


@pytest.mark.parametrize("lead", ["sco", "international", "un", "world"])
def test_a_year_of_something_no_paragraph_names_is_never_answered(observances, lead):
    answer = observances.answer(f"which year was the {lead} year of youth")
    assert answer.abstained and "year of youth" in answer.note


@pytest.mark.parametrize("question", ["youth in the year of culture", "sport events in a year of youth"])
def test_a_year_of_something_without_whose_year_is_no_name(observances, question):
    assert not observances.answer(question).abstained


def test_a_year_of_something_a_paragraph_names_is_answered(observances):
    answer = observances.answer("which year was the sco year of culture")
    assert not answer.abstained and "Year of Culture" in answer.hits[0].quote


@pytest.mark.parametrize("word", ["acess", "iraan", "syira", "sumit", "parliment"])
def test_the_mended_slips_are_exactly_the_candidates_is_slip_accepts(word):
    from retrieval.lexicon import is_slip, slips_mended

    mended = slips_mended(word)
    assert all(is_slip(word, c) for c in mended)
    for candidate in ("access", "iran", "syria", "summit", "parliament", word + "zz"):
        assert (candidate in mended) is is_slip(word, candidate)
    assert word not in mended  # the word itself is no slip mended


def test_deferred_phrases_are_encoded_once_in_one_batch():
    embedder = HashingEmbedder()
    phrases = compounds.PhraseVectors(embedder.embed_queries, deferred=True)
    assert phrases(["carbon market", "open market"]).shape == (2, 0)  # none yet: grounds nothing
    assert phrases(["open market", "grain trade"]).shape == (2, 0)
    assert phrases.pending == 3
    calls = embedder.calls
    phrases.encode_pending()
    assert embedder.calls == calls + 1 and phrases.pending == 0
    assert np.allclose(phrases(["grain trade", "carbon market"]), embedder.embed_queries(["grain trade", "carbon market"]))
    assert embedder.calls == calls + 2  # the check above; the phrases came from memory


def test_answers_in_a_batch_are_the_answers_one_by_one(tmp_path_factory):
    texts = dict(TEXTS, **{"carbon.txt": "Carbon statement\n\nThey will build a regional carbon market by 2030."})
    engine = engine_over(texts, tmp_path_factory, always_likely=True)
    questions = ["what about a carbon market?", "open market for grain", "carbon market", "cop24?", "any carbon market"]
    alone = [engine.answer(q) for q in questions]
    assert engine.answer_many(questions) == alone
    assert not alone[0].abstained


def test_a_batch_encodes_the_phrases_of_all_its_questions_at_once(engine):
    questions = ["carbon market", "fight narcotics", "what about a carbon market?", "open market for grain"]
    alone = [engine.answer(q) for q in questions]
    calls = engine.embedder.calls
    assert engine.answer_many(questions) == alone
    assert engine.embedder.calls == calls + 2  # the questions, then the phrases of the two that asked
    assert [a.abstained for a in alone] == [True, False, True, False]


def test_a_question_asked_twice_in_a_batch_gets_the_same_answer_twice(tmp_path_factory):
    texts = dict(TEXTS, **{"carbon.txt": "Carbon statement\n\nThey will build a regional carbon market by 2030."})
    engine = engine_over(texts, tmp_path_factory, always_likely=True)
    question = "what about a carbon market?"
    phrases = compounds.PhraseVectors(engine.embedder.embed_queries, deferred=True)
    phrases(["a b"]), phrases(["a b"])
    assert phrases.deferrals == 2 and phrases.pending == 1  # the same phrase, asked twice, counts twice
    assert engine.answer_many([question, question, "carbon market"]) == [engine.answer(q) for q in
                                                                          (question, question, "carbon market")]


def test_a_failed_phrase_batch_answers_those_questions_alone():
    calls = []

    def encode(texts):
        raise RuntimeError("the model is gone")

    def answer(i, phrases):
        calls.append((i, phrases is None))
        return phrases(["x y"]) if i == 1 and phrases is not None else f"answer {i}"

    answers = compounds.answered_in_batch(3, answer, lambda i: f"alone {i}", encode)
    assert answers[0] == "answer 0" and answers[2] == "answer 2" and answers[1] == "alone 1"
