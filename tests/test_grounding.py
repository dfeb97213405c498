"""Grounding: a question's subject that the corpus never names can never get a confident quote.

Small synthetic corpora, the deterministic fake embedder, and a confidence model that always
finds the best paragraph likely to answer: what is left to abstain is the grounding rule.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.grounding import Subject, grounding, subjects_of, ungrounded
from retrieval.query import AbsentWord

from .conftest import engine_over

ROOT = Path(__file__).resolve().parent.parent

TEXTS = {
    "cooperation.txt": "Cooperation declaration\n\nThe member states support cooperation in trade, energy and "
                       "security.\n\nThey welcome cooperation on Afghanistan and on drug trafficking.\n\n"
                       "They set up a development fund for the region.",
    "security.txt": "Security statement\n\nThe member states condemn terrorism and support security "
                    "cooperation.\n\nThey call for cooperation in energy security and trade.",
}
CORPUS_WORDS = ["cooperation", "trade", "energy", "security", "member", "states", "support", "terrorism"]
ABSENT = ["Kashmir", "zorblax", "G7", "whaling", "Quuxland", "mpox"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return engine_over(TEXTS, tmp_path_factory, always_likely=True)


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


def _run(*written):
    from retrieval.query import Run

    return Run(tuple(w.lower() for w in written), tuple(written))


def test_names_of_several_corpus_words_never_used_together_are_subjects():
    from retrieval.grounding import absent_names

    paragraphs = {"paris": {1}, "olympics": {2}, "world": {1, 3}, "bank": {3, 4}, "asian": {4}, "development": {4},
                  "criminal": {5}, "court": {6}, "international": {5, 6}, "sea": {7}, "aral": {7}}
    with_word = lambda w: paragraphs.get(w, set())  # noqa: E731
    names = {"paris", "olympics", "asian", "aral"}
    is_name = names.__contains__
    next_to_each_other = {("world", "bank"), ("aral", "sea")}
    has_phrase = lambda run, where: tuple(run) in next_to_each_other and bool(where)  # noqa: E731
    found = absent_names([_run("paris", "olympics"), _run("world", "bank"), _run("asian", "development", "bank"),
                          _run("International", "Criminal", "Court"), _run("aral", "sea", "drying")],
                         is_name, with_word, has_phrase)
    assert [a.written for a in found] == ["paris olympics", "asian development bank", "International Criminal Court"]
    assert all(a.literal and a.name for a in found)


def test_a_name_with_a_plain_word_the_corpus_never_uses_is_absent():
    from retrieval.grounding import absent_names

    paragraphs = {"cooperation": {1}, "council": {1, 2}, "bank": {3}, "treaty": {4}, "broad": {5}}
    found = absent_names([_run("gulf", "cooperation", "council"), _run("kashmiri", "bank"), _run("inf", "treaty"),
                          _run("broad", "agreement")],
                         lambda w: False, lambda w: paragraphs.get(w, set()), lambda run, where: True)
    # "kashmiri" is a name, a subject of its own; "inf" no whole English word (the corpus may spell
    # it out); "agreement" the head, a subject of its own if the question is about it
    assert [a.written for a in found] == ["gulf cooperation council"]
    chatty = absent_names([_run("awesome", "council", "decide")], lambda w: False,
                          lambda w: paragraphs.get(w, set()), lambda run, where: True)
    assert chatty == ()  # two words: as often a chatty adjective as a name


def test_a_body_named_head_first_is_only_its_head_and_the_two_words_after_the_link():
    from retrieval.grounding import absent_names
    from retrieval.query.terms import head_first_runs
    from retrieval.tokens import written_words

    text = "commission on narcotic drugs resolutions"
    written = written_words(text)
    tokens = [w.lower() for w in written]
    runs = head_first_runs([0, 2, 3, 4], tokens, tokens, written, frozenset())
    assert [r.words for r in runs] == [("commission", "narcotic", "drugs")]
    places = {"commission": {1}, "narcotic": {1}, "drugs": {1, 2}, "china": {3}, "bank": {3}}
    with_word = lambda w: places.get(w, set())  # noqa: E731
    assert absent_names(runs, lambda w: False, with_word, lambda run, where: bool(where)) == ()
    lending = head_first_runs([0, 2, 3], ["bank", "of", "china", "lending"], ["bank", "of", "china", "lending"],
                              ["bank", "of", "china", "lending"], frozenset())
    assert absent_names(lending, lambda w: False, with_word, lambda run, where: False) == ()  # "lending": absent


def test_a_name_given_with_its_acronym_is_a_name_that_needs_its_words_together(engine):
    from retrieval.query.terms import defined_names
    from retrieval.tokens import written_words

    text = "do they back the Trade Security Fund (TSF)? and energy (xyz)"
    written = written_words(text)
    tokens = [w.lower() for w in written]
    runs = defined_names(text, tokens, tokens, written)
    assert [(r.words, r.written, r.defined) for r in runs] == [(("trade", "security", "fund"), "Trade Security Fund", "tsf")]
    dotted = "what about the u.n. (un)"
    assert defined_names(dotted, [w.lower() for w in written_words(dotted)], [w.lower() for w in written_words(dotted)],
                         written_words(dotted)) == ()  # single letters
    # the corpus has "trade", "security" and "fund", never together: the name is absent, and its
    # acronym is no subject of its own
    answer = engine.answer("what about the trade security fund (tsf)")
    assert answer.abstained and answer.note == "the declarations never mention trade security fund"
    assert not engine.answer("their development fund (df)").abstained  # "a development fund for the region"


def test_a_set_of_treaties_is_a_name_too():
    from retrieval.grounding import absent_names

    paragraphs = {"geneva": {1}, "conventions": {2}, "un": {2}}
    found = absent_names([_run("geneva", "conventions"), _run("un", "conventions")], lambda w: False,
                         lambda w: paragraphs.get(w, set()), lambda run, where, *slack: bool(where))
    assert [a.written for a in found] == ["geneva conventions"]


def test_a_phrase_subject_is_never_grounded_by_one_word():
    phrase = Subject(AbsentWord("paris olympics", "paris olympics", name=True, literal=True), _unit(1, 0, 0), 1.0)
    paragraph = np.stack([_unit(1, 0, 0)])  # even a word identical to it
    assert grounding((phrase,), paragraph) == 0.0 and ungrounded((phrase,), paragraph, 0.1) == [phrase]


def test_a_multi_word_name_the_corpus_lacks_is_never_answered(engine):
    # "trade", "energy" and "fund" are all in the corpus, never as the name of a fund
    answer = engine.answer("what about the trade energy fund")
    assert answer.abstained and answer.note == "the declarations never mention trade energy fund"
    assert not engine.answer("their development fund").abstained
    assert not engine.answer("cooperation on trade and energy").abstained


def test_a_body_named_by_its_head_first_is_a_run_of_its_own():
    from retrieval.query.terms import head_first_runs
    from retrieval.tokens import clause_breaks, written_words

    def runs(text):
        written = written_words(text)
        tokens = [w.lower() for w in written]
        positions = [i for i, t in enumerate(tokens) if t not in ("any", "statement", "to", "the", "on", "of", "which", "and")]
        return [(r.words, r.written) for r in head_first_runs(positions, tokens, tokens, written, clause_breaks(text))]

    assert runs("any statement to the UN Commission on Human Rights") == [
        (("commission", "human", "rights"), "Commission on Human Rights")]
    assert runs("which treaty on nuclear arms") == []  # a treaty "on" something is as often a description
    assert runs("the commission on") == []
    # a clause mark ends the name: "the bank of china, russia and india" is no "bank of china russia"
    assert runs("the bank of china, russia and india") == [(("bank", "china"), "bank of china")]
    assert runs("the bank of, china") == []


def test_a_body_named_by_its_head_first_that_the_corpus_lacks_is_never_answered(engine):
    # "fund", "trade" and "security" are all in the corpus, never as one fund's name
    answer = engine.answer("what about the fund for trade security")
    assert answer.abstained and answer.note == "the declarations never mention fund for trade security"
    assert not engine.answer("the fund for the region").abstained  # "a development fund for the region"


def test_a_name_needs_a_closer_word_than_another_subject():
    qingdao = Subject(AbsentWord("qingdao", "Qingdao", name=True), _unit(1, 0, 0), 1.0)
    whaling = Subject(AbsentWord("whaling", "whaling"), _unit(1, 0, 0), 1.0)
    paragraph = np.stack([_unit(0.6, 0.8, 0)])  # "beijing": 0.6 from both
    assert ungrounded((qingdao, whaling), paragraph, 0.35) == []  # one floor for all
    assert ungrounded((qingdao, whaling), paragraph, 0.35, name_floor=0.7) == [qingdao]
    assert ungrounded((qingdao,), np.stack([_unit(0.75, 0.66, 0)]), 0.35, name_floor=0.7) == []


def test_the_default_name_floor_refuses_a_name_close_to_another():
    from retrieval.ranking_config import DEFAULT_RANKING

    # "Taliban" ~ "Afghanistan" 0.77, "Tehran" ~ "Iranian" 0.75: no counterpart at the default floor
    taliban = Subject(AbsentWord("taliban", "taliban", name=True), _unit(1, 0, 0), 1.0)
    afghanistan = np.stack([_unit(0.77, 0.638, 0)])
    assert ungrounded((taliban,), afghanistan, DEFAULT_RANKING.ground_floor, DEFAULT_RANKING.name_ground_floor) == [taliban]
    same = np.stack([_unit(0.85, 0.527, 0)])  # a spelling of the same name
    assert ungrounded((taliban,), same, DEFAULT_RANKING.ground_floor, DEFAULT_RANKING.name_ground_floor) == []


@pytest.mark.parametrize("word", ["parliaments", "auditors", "misuse", "bioweapons", "blacklist", "cooperation"])
def test_forms_prefixes_and_compounds_of_english_words_are_no_names(word):
    from retrieval.query.terms import is_english, looks_like_a_name

    assert is_english(word) and not looks_like_a_name(word)


@pytest.mark.parametrize("word", ["rohingya", "undp", "bitcoin", "tiktok", "cpec", "mpox"])
def test_words_of_no_english_are_names(word):
    from retrieval.query.terms import is_english, looks_like_a_name

    assert not is_english(word) and looks_like_a_name(word)


# morocco, japan, turkey: countries that are English words too (morocco leather), so no proper
# noun of the dictionary (en.COUNTRIES_ALSO_WORDS)
@pytest.mark.parametrize("word", ["tehran", "latin", "african", "montreal", "kashmir", "morocco", "japan", "turkey"])
def test_words_english_writes_with_a_capital_are_names_in_lower_case(word):
    from retrieval.query.terms import is_english, looks_like_a_name

    assert is_english(word) and looks_like_a_name(word)


@pytest.mark.parametrize("word", ["ozone", "animal", "gulf", "women", "railways"])
def test_common_nouns_in_lower_case_are_no_names(word):
    from retrieval.query.terms import looks_like_a_name

    assert not looks_like_a_name(word)


def test_proper_nouns_are_the_words_a_dictionary_has_only_capitalised():
    import importlib.util

    spec = importlib.util.spec_from_file_location("english_words", ROOT / "tools" / "english_words.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    dictionary = ["Tehran", "Bush", "bush", "ozone", "NATO", "Paris's", "Latin"]
    assert tool.proper_nouns(["bush", "latin", "nato", "ozone", "tehran", "rome"], dictionary) == ["latin", "tehran"]


ACRONYM_TEXTS = {
    "weapons.txt": "Weapons statement\n\nThe member states oppose weapons of mass destruction.\n\n"
                   "They support the nuclear treaty and a comprehensive test of their security.\n\n"
                   "They work with the UN and with the UN Children's Fund.",
}


@pytest.fixture(scope="module")
def acronym_engine(tmp_path_factory):
    return engine_over(ACRONYM_TEXTS, tmp_path_factory, always_likely=True)


def test_an_acronym_the_corpus_never_spells_out_is_an_absent_name(acronym_engine):
    # CTBT: comprehensive, nuclear, test and treaty are there, "ban" and the phrase are not
    absent = acronym_engine.grounder.absent_acronyms(("ctbt", "wmd", "security"))
    assert [(a.word, a.written, a.name, a.literal) for a in absent] == [("ctbt", "CTBT", True, True)]
    answer = acronym_engine.answer("the nuclear treaty and the ctbt")
    assert answer.abstained and answer.note == "the declarations never mention CTBT"
    assert acronym_engine.answer("ctbt or CTBT, ctbt").note == "the declarations never mention CTBT"  # once
    assert not acronym_engine.answer("what about WMD").abstained  # spelt out in the corpus
    # "United Nations Children's Fund", written with the acronym the corpus uses for the UN
    assert acronym_engine.grounder.absent_acronyms(("unicef",)) == ()


def test_a_run_of_words_ends_at_a_clause_mark(engine):
    from retrieval.tokens import clause_breaks

    assert clause_breaks("kyrgyzstan? jeenbekov, trade / energy - terrorism") == {0, 1, 2, 3}
    assert clause_breaks("cross-border trade") == frozenset()  # a hyphen joins
    assert clause_breaks("Afghanistan… Terrorism\nenergy «trade» security") == {0, 1, 2, 3}
    assert clause_breaks("St. Petersburg forum. u.n. council") == {2}  # no break after an abbreviation
    # "Afghanistan" and "terrorism" are never in one paragraph: as one run they would make an
    # absent name; a question mark between makes them two questions
    assert [a.word for a in engine.understand("Afghanistan Terrorism").absent] == ["afghanistan terrorism"]
    assert engine.understand("what about Afghanistan? Terrorism too").absent == ()
    assert not engine.answer("what about Afghanistan? Terrorism too").abstained


@pytest.mark.parametrize("question", ["shouldnt they condemn terrorism", "they wouldnt support trade, would they",
                                      "terrorism - couldn't they cooperate", "energy b4 trade", "theyre against terrorism",
                                      "weve trade cooperation", "shouldn´t they support trade", "they ain't for terrorism"])
def test_negations_and_chat_words_are_no_subjects(engine, question):
    assert engine.understand(question).absent == ()
    assert not engine.answer(question).abstained


FORUM = {"forum.txt": "Forum statement\n\nThey welcomed the results of the SCO Women's Forum (Bishkek, 16 May 2019).\n\n"
                      "In 2023 the member states held a meeting on trade.\n\nThe member states support security."}


@pytest.mark.parametrize("question, note", [
    ("the 2019 sco women's forum", None),  # the year of a forum the corpus has
    ("sco women's forum 2019 - where was it", None),
    ("the 2023 sco women's forum", "the declarations never mention sco women's forum (2023)"),  # another year's
    ("the 2035 sco women's forum", "the declarations never mention 2035"),  # a year the corpus never uses
])
def test_a_year_opening_or_closing_a_name_says_which_one(tmp_path_factory, question, note):
    answer = engine_over(FORUM, tmp_path_factory, always_likely=True).answer(question)
    assert answer.abstained == bool(note) and answer.note == note
    if not note:
        assert "Women's Forum" in answer.hits[0].quote
