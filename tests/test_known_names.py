"""Known names of several words (retrieval/lang/data/known_names.txt, mined from the UN General
Debate speeches by tools/known_names.py): a question naming one the corpus never has is never
answered with confidence, whatever the words of the name the corpus uses apart."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from retrieval.known_names import known_names_in, shorter_forms
from retrieval.lang import en

from .conftest import engine_over

ROOT = Path(__file__).resolve().parent.parent

TEXTS = {
    "forum.txt": "Forum declaration\n\nThe member states welcome the women's forum and the youth forum.\n\n"
                 "They work with the UN on trade and support cooperation in the world economy.\n\n"
                 "They stress the importance of the Paris Agreement for the climate.",
    "sport.txt": "Sport statement\n\nThe member states support sport and the football championship.\n\n"
                 "The UN Security Council has the primary responsibility for peace.",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return engine_over(TEXTS, tmp_path_factory, always_likely=True)


def test_the_shipped_list_holds_names_not_phrases_mostly_written_in_lower_case():
    known = en.known_names()
    assert {("un", "women"), ("world", "cup"), ("international", "criminal", "court"),
            ("convention", "on", "the", "rights", "of", "the", "child")} <= known
    # capitalised in some speeches, in lower case in most: no names
    assert not {("human", "rights"), ("climate", "change"), ("security", "cooperation")} & known
    for name in known:
        assert sum(w not in en.STOPWORDS for w in name) >= 2 and name[0] not in en.STOPWORDS, name
        assert all(w == w.lower() for w in name), name


def test_known_names_are_found_longest_first_from_the_left_without_overlap():
    known = frozenset({("un", "women"), ("world", "cup"), ("cup", "final"), ("un", "women", "forum")})
    assert known_names_in("is un women at the world cup final".split(), known) == [("un", "women"), ("world", "cup")]
    assert known_names_in("the un women forum".split(), known) == [("un", "women", "forum")]
    assert known_names_in("un".split(), known) == []


def test_known_names_are_found_in_british_and_american_spelling():
    from retrieval.known_names import known_folded

    found = known_names_in("the un world tourism organisation".split(), known_folded())
    assert ("world", "tourism", "organisation") in found  # the list has "world tourism organization"


def test_shorter_forms_keep_the_first_and_last_words():
    assert shorter_forms(("paris", "climate", "agreement")) == [("paris", "agreement")]
    assert sorted(shorter_forms(("a", "b", "c", "d"))) == [("a", "b", "d"), ("a", "c", "d"), ("a", "d")]
    assert shorter_forms(("un", "women")) == []


@pytest.mark.parametrize("question, name", [
    ("does the women's forum work with un women", "un women"),
    ("UN Women and the youth forum", "UN Women"),  # a name of capitalised words already: said once
    ("did they say anything on the world cup", "world cup"),
])
def test_a_known_name_the_corpus_never_has_is_never_answered(engine, question, name):
    # "un", "women", "world" are all in the corpus; "cup" is not, and is no subject on its own
    answer = engine.answer(question)
    assert answer.abstained, question
    assert answer.note == f"the declarations never mention {name}"
    assert answer.hits  # the closest matches are still shown, as such


@pytest.mark.parametrize("question", [
    "what about the women's forum",  # no known name
    "the un security council",  # a known name the corpus has
    "the paris climate agreement",  # a known name whose shorter known form the corpus has
    "cooperation in the world economy",
])
def test_the_names_and_words_the_corpus_has_are_answered(engine, question):
    answer = engine.answer(question)
    assert not answer.abstained and answer.note is None, question


def test_a_name_already_absent_is_named_once(engine):
    # "doha" is absent itself: "the declarations never mention doha agreement" would say it twice
    query = engine.understand("the doha agreement")
    assert [a.word for a in query.absent] == ["doha"]


def _tool():
    spec = importlib.util.spec_from_file_location("known_names", ROOT / "tools" / "known_names.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_the_tool_takes_runs_of_capitalised_words_split_at_and():
    names = _tool().names_in("We thank the World Bank and the IMF, and UN Women. The Convention on the Rights\n"
                             "of the Child matters. In Europe we", en.STOPWORDS)
    assert names == {("world", "bank"), ("un", "women"), ("convention", "on", "the", "rights", "of", "the", "child")}


def test_the_tool_keeps_names_capitalised_more_often_than_not():
    texts = ["Security Cooperation matters; security cooperation grows; more security cooperation.",
             "UN Women met. UN Women spoke. Expo 2017 opened, the expo 2017 site."]
    share = _tool().capitalised_share(texts, {("security", "cooperation"), ("un", "women"), ("expo", "2017")},
                                      en.STOPWORDS)
    assert share == {("security", "cooperation"): pytest.approx(1 / 3), ("un", "women"): 1.0, ("expo", "2017"): 0.5}


def test_a_number_is_in_its_ordinal_and_a_magnitude_is_its_number():
    from retrieval.query.terms import number_forms

    assert "75th" in number_forms("75") and number_forms("100bn")[0] == "100"
    assert number_forms("2nd") == [] and number_forms("ww2") == [] and number_forms("g7") == []


NUMBER_TEXTS = {
    "victory.txt": "Victory statement\n\nThe member states mark the 75th anniversary of Victory in World War II.\n\n"
                   "Developed countries must provide $100 billion a year for climate finance.",
}


@pytest.fixture(scope="module")
def number_engine(tmp_path_factory):
    return engine_over(NUMBER_TEXTS, tmp_path_factory, always_likely=True)


@pytest.mark.parametrize("question", ["75 years since victory in ww2", "the 100bn for climate finance",
                                      "did they say anything on wwii", "75 yrs since victory in ww2"])
def test_numbers_and_chat_names_of_what_the_corpus_says_are_answered(number_engine, question):
    answer = number_engine.answer(question)
    assert not answer.abstained and answer.note is None, question
    assert "yrs" not in [a.word for a in number_engine.understand(question).absent]  # "years" (synonyms.json)


def test_a_plain_word_the_corpus_once_capitalises_makes_no_name_of_a_run(tmp_path_factory):
    # "Big" is capitalised in the corpus only, never beside "Caspian": typed in lower case it is no name
    filler = "".join(f"\n\nThey support cooperation in field number {n}." for n in range(8))
    texts = {"ports.txt": "Ports\n\nThe Big Eurasian Partnership links the states.\n\n"
                          "They develop ports on the Caspian Sea and logistics hubs." + filler}
    engine = engine_over(texts, tmp_path_factory)
    names = engine.grounder.absent_names(engine.understand("the big caspian ports").runs)
    assert names == ()
    assert [a.word for a in engine.grounder.absent_names(engine.understand("the Big Caspian").runs)] == ["big caspian"]


def test_a_plain_word_before_a_head_is_a_description_unless_a_head_follows(tmp_path_factory):
    filler = "".join(f"\n\nThey support cooperation in field number {n}." for n in range(8))
    texts = {"heads.txt": "Heads\n\nThe big ports of the region grow.\n\nThey protect the sea and its coasts.\n\n"
                          "Energy is vital.\n\nThe charter guides them.\n\nThe treaty binds them." + filler}
    engine = engine_over(texts, tmp_path_factory)

    def absent(question):
        return [a.word for a in engine.grounder.absent_names(engine.understand(question).runs)]

    assert absent("big sea ports") == []  # "big sea": no name of its own
    assert absent("the energy charter treaty") == ["energy charter treaty"]  # on to the next head
    assert absent("the Big Sea") == ["big sea"]  # written as a name


def test_an_acronym_in_brackets_may_spell_an_acronym_among_the_words_whole():
    from retrieval.query.terms import defined_names
    from retrieval.tokens import written_words

    def defined(text):
        written = written_words(text)
        tokens = [w.lower() for w in written]
        return [r.words for r in defined_names(text, tokens, tokens, written)]

    assert defined("the un economic commission for europe (unece)") == [("un", "economic", "commission", "europe")]
    assert defined("the asia cooperation dialogue (acd)") == [("asia", "cooperation", "dialogue")]
    assert defined("u.n. (un) reform") == [] and defined("the un (unx)") == []
    assert defined("economic commission for europe (unece)") == []  # letters left over


def test_an_acronym_in_brackets_that_spells_out_nothing_stays_absent(engine):
    # "xyz" stands for no words of the question: the corpus never uses it, whatever the name
    # defined next to it ("un women (unw)")
    query = engine.understand("un women (unw) and the forum (xyzq)")
    assert "xyzq" in [a.word for a in query.absent]
    assert "unw" not in [a.word for a in query.absent]  # its name stands for it


def test_a_known_name_holding_a_title_of_office_is_no_name_to_find():
    from retrieval.known_names import holds_title, known_folded

    # "Iranian President" is capitalised in the UN speeches, but it names an office, which the
    # declarations write their own way: "President of the Islamic Republic of Iran Hassan Rouhani"
    assert ("iranian", "president") in en.known_names() and ("iranian", "president") not in known_folded()
    assert holds_title(("un", "secretary", "general")) and holds_title(("president", "putin"))
    assert not holds_title(("general", "assembly")) and not holds_title(("united", "kingdom"))
    assert ("world", "cup") in known_folded()


def test_an_office_named_otherwise_in_the_corpus_is_answered(tmp_path_factory):
    texts = {"summit.txt": "Summit report\n\nThe meeting was attended by President of the Islamic Republic of "
                           "Iran Hassan Rouhani.\n\nThe member states support trade."}
    engine = engine_over(texts, tmp_path_factory, always_likely=True)
    answer = engine.answer("was the iranian president at the meeting")
    assert not answer.abstained and answer.note is None
    assert "Rouhani" in answer.hits[0].text


def test_a_known_name_in_british_spelling_is_still_known(tmp_path_factory):
    # the list knows "israel defense forces" only; the question spells it the British way, and the
    # corpus has its words, but never together
    texts = {"forces.txt": "Forces statement\n\nIsrael and Iran talked.\n\nThe defence of the region matters.\n\n"
                           "The armed forces met in the region."}
    engine = engine_over(texts, tmp_path_factory, always_likely=True)
    answer = engine.answer("what about the israel defence forces")
    assert answer.abstained and answer.note == "the declarations never mention israel defence forces"
