"""The engine with the fake embedder: filters, scope in questions, contract of answers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from retrieval.errors import EmptyQuestionError, UnknownDocumentError
from retrieval.filters import question_scope
from retrieval.tokens import phrase_forms, words
from retrieval.types import Filters


def test_answer_shape_and_verbatim_quote(fake_engine):
    answer = fake_engine.answer("missile defense systems", k=3)
    assert 1 <= len(answer.hits) <= 3
    assert [h.rank for h in answer.hits] == list(range(1, len(answer.hits) + 1))
    scores = [h.score for h in answer.hits]
    assert scores == sorted(scores, reverse=True)
    for hit in answer.hits:
        assert hit.quote and hit.quote in hit.text
        assert hit.paragraph.kind == "body" and hit.paragraph.lang == "en"
        data = hit.to_json()
        assert set(data) == {"rank", "score", "doc_id", "title", "date", "place", "section", "paragraph",
                             "text", "quote", "citation", "url"}
        assert data["citation"].startswith(hit.citation.short_title)


def test_citation_format(fake_engine):
    answer = fake_engine.answer("missile defense", Filters(doc_ids=("2012-beijing-declaration",)), k=1)
    assert str(answer.hits[0].citation) == "SCO Beijing Declaration, 7 June 2012, Beijing — §II ¶14"
    moscow = fake_engine.answer("COVID-19 pandemic", Filters(doc_ids=("2020-moscow-declaration",)), k=1)
    assert moscow.hits[0].citation.url == "https://eng.sectsco.org/20201110/1626651.html"


@pytest.mark.parametrize(
    "filters, expected",
    [
        (Filters(years=(2019,)), {"2019-bishkek-declaration", "2019-bishkek-press-release"}),
        (Filters(places=("samarkand",)), {"2022-samarkand-declaration"}),
        (Filters(doc_ids=("2023-new-delhi",)), {"2023-new-delhi-declaration"}),  # unique prefix
        (Filters(doc_ids=("20201110_1626651",)), {"2020-moscow-declaration"}),  # file name
        (Filters(doc_ids=("20201110_1626651.json",)), {"2020-moscow-declaration"}),  # with its suffix
    ],
)
def test_filters_restrict_documents(fake_engine, filters, expected):
    answer = fake_engine.answer("cooperation in security and trade", filters, k=20)
    assert answer.hits and {h.citation.doc_id for h in answer.hits} <= expected


@pytest.mark.parametrize(
    "question, years, places, kinds",
    [
        ("what did the 2020 Moscow declaration say about COVID?", (2020,), ("Moscow",), ("declaration",)),
        ("terrorism in Samarkand", (), ("Samarkand",), ()),
        ("Afghanistan in 2012", (2012,), (), ()),
        ("what did the Bishkek declaration say on drugs", (), ("Bishkek",), ("declaration",)),
        ("the 2022 World Cup in Qatar", (), (), ()),  # a year that is not a document's scope
        ("Moscow format consultations on Afghanistan", (), (), ()),
        ("Which country's presidency in 2022-2023 was praised?", (), (), ()),  # a period, no document
        ("what did the 2021 communiqués say about energy", (2021,), (), ("communique",)),
        ("Uzbekistan's chairmanship in 2021–2022", (), (), ()),
    ],
)
def test_scope_is_understood_from_the_question(fake_engine, question, years, places, kinds):
    query = fake_engine.understand(question)
    assert (query.filters.years, query.filters.places, query.filters.kinds) == (years, places, kinds)


@pytest.mark.parametrize(
    "question, years, places, kinds",
    [
        ("missile defense beijing", (), ("Beijing",), ()),
        ("afghanistan 2021", (2021,), (), ()),
        ("What does the joint address say about youth?", (), (), ("address",)),
        ("what did this press release say on the summit", (), (), ("press-release",)),
        ("How do they address climate change?", (), (), ()),  # a verb, no document kind
        ("what did the 2020 Moscow declaration say about COVID?", (), (), ()),  # a scope, not a hint
    ],
)
def test_loosely_named_years_places_and_kinds_are_hints(fake_engine, question, years, places, kinds):
    hints = fake_engine.understand(question).hints
    assert (hints.years, hints.places, hints.kinds) == (years, places, kinds)


def test_hints_favour_matching_documents_without_filtering(fake_engine):
    query = fake_engine.understand("missile defense beijing 2019")
    assert query.filters == Filters()
    vector = fake_engine.embed([query])[0][0]
    hinted = fake_engine.scorer.features(query, vector, None).score
    plain = fake_engine.scorer.features(dataclasses.replace(query, hints=Filters()), vector, None).score
    body = ~fake_engine.index.signature  # signature blocks answer questions about signing only
    assert np.isneginf(hinted[~body]).all() and body.sum() > len(body) - 10
    docs = [fake_engine.documents[d] for d in fake_engine.index.paragraph_doc[body]]
    expected = [fake_engine.config.hint_bonus * ((d.place == "Beijing") + (d.year == 2019)) / 2 for d in docs]
    assert np.allclose(hinted[body] - plain[body], expected)
    assert np.isfinite(hinted[body]).all()  # every document still answers


@pytest.mark.parametrize(
    "question, content",
    [
        ("Does the declaration mention climate change?", ("climate", "change")),
        ("What does this joint communiqué say about energy?", ("energy",)),  # "joint communiqué": a kind
        ("What do the leaders say to young people in their joint address?", ("leaders", "young", "people")),
        ("Does the text want fair trade?", ("want", "fair", "trade")),
        # a name, not the source: the word stays a topic
        ("the Universal Declaration of Human Rights", ("universal", "declaration", "human", "rights")),
    ],
)
def test_words_pointing_at_the_source_are_no_topic(fake_engine, question, content):
    assert fake_engine.understand(question).content == content


@pytest.mark.parametrize(
    "question, text",
    [
        ("What did the SCO say about hydrogen energy?", "What did say about hydrogen energy?"),
        ("Where does the SCO stand on drugs?", "Where does stand on drugs?"),
        ("What is the SCO's position on Syria?", "What is position on Syria?"),
        ("What is the Shanghai Cooperation Organization's view on Syria?", "What is view on Syria?"),
        # the organisation as the topic, not the speaker: kept
        ("When was Iran admitted as a full member of the SCO?", "When was Iran admitted as a full member of the SCO?"),
        ("SCO Development Bank", "SCO Development Bank"),
    ],
)
def test_the_corpus_own_voice_is_no_topic(fake_engine, question, text):
    assert fake_engine.understand(question).text == text


def test_a_rare_acronym_is_never_taken_for_the_speaker(fake_engine):
    assert "npt" in fake_engine.understand("What does the NPT say about disarmament?").text.lower()


@pytest.mark.parametrize(
    "question, content",
    [
        ("terrorism in Samarkand", ("terrorism",)),
        ("Which country took over the chairmanship after the Samarkand summit?",
         ("country", "took", "chairmanship", "summit")),
        ("What did they say about COVID in 2021?", ("covid",)),
    ],
)
def test_the_scope_is_no_topic_word(fake_engine, question, content):
    # every paragraph searched is from Samarkand (or 2021): the word tells none of them apart
    assert fake_engine.understand(question).content == content


def test_chat_contractions_are_no_topic(fake_engine):
    assert fake_engine.understand("whats their take on syria").content == ("take", "syria")
    assert fake_engine.understand("what's the deal w/ drugs, dont they care?").content == ("deal", "drugs", "care")


def test_a_word_absent_from_the_scope_is_named_when_abstaining(fake_engine):
    # the 2021 communiqué never mentions Afghanistan, other documents do
    answer = fake_engine.answer("Afghanistan", Filters(years=(2021,)))
    assert answer.abstained and answer.note == "no paragraph searched mentions “afghanistan”"
    assert fake_engine.answer("Afghanistan").note is None


@pytest.mark.parametrize(
    "question, phrases",
    [
        ('"equal and indivisible security"', ("equal and indivisible security",)),
        ("who said “a community of common destiny”?", ("a community of common destiny",)),
        ("the 'Shanghai Spirit' and \"three evils\"", ("shanghai spirit", "three evils")),
        ("Iran's nuclear programme, the members' view", ()),  # apostrophes are no quotation marks
        ('what about "the" green silk road', ()),  # stopwords alone: every paragraph has them
    ],
)
def test_quoted_phrases_are_found(fake_engine, question, phrases):
    assert fake_engine.understand(question).phrases == phrases


def test_a_quoted_phrase_is_looked_up_as_written(fake_engine):
    answer = fake_engine.answer('who said "equal and indivisible security"?', k=3)
    assert not answer.abstained
    assert "equal and indivisible security" in answer.hits[0].quote
    # every paragraph that has the words ranks above every one that has not
    hits = fake_engine.answer('"indivisible security"', k=20).hits
    has = [" indivisible security " in f" {' '.join(words(h.text))} " for h in hits]
    assert has == sorted(has, reverse=True) and 2 <= sum(has) < len(has)
    # words no paragraph has, anywhere: the words asked for are nowhere, whatever else matches
    missing = fake_engine.answer('"three evils" and terrorism', k=3)
    assert missing.abstained and missing.note.startswith("the declarations never use the words “three evils”")
    assert missing.hits  # the closest matches are shown as such
    # words some paragraph has, but none searched: said so, and the answer falls back to meaning
    elsewhere = fake_engine.answer('"indivisible security"', Filters(years=(2021,)), k=3)
    assert "no paragraph searched has the exact words “indivisible security”" in elsewhere.note


def test_a_quoted_phrase_of_the_text_the_index_leaves_out_is_no_unused_phrase(fake_engine):
    # the Russian text of the 2019 declaration is not indexed (an English model), yet it is the corpus's
    answer = fake_engine.answer('"Государства-члены будут и впредь" trade', k=3)
    assert "never use" not in (answer.note or "")
    assert "no paragraph searched has the exact words" in answer.note


def test_a_quoted_phrase_is_found_in_either_spelling(fake_engine):
    american, british = (fake_engine.answer(q, k=10) for q in ('"missile defense systems"', '"missile defence systems"'))
    assert not american.abstained and not british.abstained
    found = [{h.text for h in a.hits if h.score > 1.0} for a in (american, british)]  # the phrase bonus
    assert found[0] == found[1]
    assert any("missile defense systems" in t for t in found[0]) and any("missile defence systems" in t for t in found[0])


def test_a_quoted_phrase_has_a_form_with_its_acronyms_spelt_out():
    assert phrase_forms("rule of law") == (" rule of law ",)
    plain, spelt = phrase_forms("a nucleus in the WTO")
    assert plain == " a nucleus in the wto " and spelt in (" a nucleus in the world trade organization ",
                                                           " a nucleus in the world trade organisation ")


def test_a_quoted_phrase_with_an_acronym_is_found_spelt_out(fake_engine):
    answer = fake_engine.answer("'multilateral trade system with a nucleus in the wto' - which text says that?", k=3)
    assert answer.note is None
    assert "with a nucleus in the World Trade Organisation" in answer.hits[0].quote
    assert answer.hits[0].score > 1.0  # the phrase bonus


PLATFORM = "a solid platform for strengthening mutual understanding"


def test_a_quoted_phrase_outside_the_scope_the_question_names_is_looked_for_everywhere(fake_engine):
    answer = fake_engine.answer(f"'{PLATFORM}' - where's that from, the bishkek declaration?", k=3)
    assert answer.note.startswith(f"the exact words “{PLATFORM}” are in no document asked for (place Bishkek")
    assert answer.note.endswith("searched all documents")
    assert PLATFORM[2:] in answer.hits[0].quote and not answer.filters
    # the question's scope stays when a document in it has the words
    kept = fake_engine.answer(f"'{PLATFORM}' - bishkek press release?", k=3)
    assert kept.filters and PLATFORM[2:] in kept.hits[0].quote and not (kept.note or "").startswith("the exact")


def test_filters_the_user_set_are_never_widened_for_a_quoted_phrase(fake_engine):
    answer = fake_engine.answer(f"'{PLATFORM}'", Filters(years=(2022,)), k=3)
    assert answer.filters == Filters(years=(2022,))
    assert "no paragraph searched has the exact words" in answer.note


def test_question_scope_widens_for_phrases_only_within_the_user_s_filters(fake_engine):
    catalog = fake_engine.catalog
    moscow = {i for i, d in enumerate(catalog.documents) if d.doc_id == "2020-moscow-declaration"}
    found = Filters(places=("Bishkek",))
    filters, allowed, note = question_scope(catalog, Filters(), found, ("x y",), lambda: moscow)
    assert filters == Filters() and allowed is None and "“x y”" in note
    user = Filters(years=(2019,))
    filters, allowed, note = question_scope(catalog, user, found, ("x y",), lambda: moscow)
    assert note is None and filters.years == (2019,) and filters.places == ("Bishkek",)
    assert question_scope(catalog, Filters(), found)[2] is None  # no phrase: nothing to widen for


def test_scope_in_question_filters_the_answer(fake_engine):
    answer = fake_engine.answer("what did the 2020 Moscow declaration say about COVID?")
    assert {h.citation.doc_id for h in answer.hits} == {"2020-moscow-declaration"}
    assert "COVID" not in answer.filters.describe() and "Moscow" in answer.filters.describe()


def test_unknown_filters_are_clear_errors(fake_engine):
    with pytest.raises(UnknownDocumentError, match="unknown document 'nope'.*known documents: 2012-beijing"):
        fake_engine.answer("x y", Filters(doc_ids=("nope",)))
    with pytest.raises(UnknownDocumentError, match="ambiguous document '2019-bishkek': it begins 2019-bishkek-dec"):
        fake_engine.answer("security", Filters(doc_ids=("2019-bishkek",)))
    with pytest.raises(UnknownDocumentError, match="no document from 2015; years available: 2012"):
        fake_engine.answer("security", Filters(years=(2015,)))
    with pytest.raises(UnknownDocumentError, match="no document from 'Paris'"):
        fake_engine.answer("security", Filters(places=("Paris",)))


def test_conflicting_filters_abstain_with_a_note(fake_engine):
    answer = fake_engine.answer("security", Filters(years=(2012,), places=("Moscow",)))
    assert answer.abstained and not answer.hits and "no document matches" in answer.note


@pytest.mark.parametrize("question", ["", "   ", "?!", "@quotebot", "\u200b\u200b"])
def test_empty_questions_are_rejected(fake_engine, question):
    with pytest.raises(EmptyQuestionError, match="the question is empty"):
        fake_engine.answer(question)


@pytest.mark.parametrize(
    "question, message",
    [
        ("the of and", "names no topic"),
        ("What does the declaration say?", "names no topic"),
        ("What did the SCO say?", "names no topic"),
        ("in Samarkand", "names documents but no topic"),
        ("the 2020 Moscow declaration", "names documents but no topic"),
    ],
)
def test_questions_without_a_topic_are_told_so(fake_engine, question, message):
    with pytest.raises(EmptyQuestionError, match=message):
        fake_engine.answer(question)
    with pytest.raises(EmptyQuestionError, match=message):
        fake_engine.compare(question)


def test_hostile_and_huge_input_is_handled(fake_engine):
    for question in ("<b>missile</b> &amp; defense", "ракетная оборона", "مرحبا missile", "🚀 missile 🚀",
                     "missile " * 3000):
        answer = fake_engine.answer(question)
        assert answer.hits
    assert fake_engine.answer("missile " * 3000).note.startswith("the question was cut")


def test_answer_many_matches_answer(fake_engine):
    questions = ["missile defense", "Afghanistan", "energy security"]
    many = fake_engine.answer_many(questions)
    single = [fake_engine.answer(q) for q in questions]
    assert [[h.text for h in a.hits] for a in many] == [[h.text for h in a.hits] for a in single]


def test_compare_is_oldest_first_one_per_document(fake_engine):
    answers = fake_engine.compare("missile defence")
    docs = [a.filters.doc_ids[0] for a in answers]
    assert len(docs) == len(set(docs)) == 13
    dates = [fake_engine.documents[[d.doc_id for d in fake_engine.documents].index(x)].date for x in docs]
    assert dates == sorted(dates)


@pytest.mark.parametrize("topic", ["missile defence", "terrorism in 2019", "energy"])
def test_compare_picks_what_a_search_of_each_document_would(fake_engine, topic):
    for answer in fake_engine.compare(topic):
        alone = fake_engine.answer(topic, Filters(doc_ids=answer.filters.doc_ids), k=1)
        assert answer.filters == alone.filters and answer.abstained == alone.abstained
        assert [(h.paragraph, h.quote, round(h.score, 6)) for h in answer.hits] == [
            (h.paragraph, h.quote, round(h.score, 6)) for h in alone.hits]


def test_context_returns_neighbours(fake_engine):
    around = fake_engine.context("2012-beijing-declaration", 14, radius=1)
    assert [p.number for p in around] == [13, 14, 15]


def test_the_same_file_twice_gives_each_paragraph_once(tmp_path):
    import shutil

    from embeddings import HashingEmbedder
    from retrieval.loader import open_engine
    from retrieval.settings import EngineSettings

    from .conftest import SEED

    folder = tmp_path / "twice"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.txt")
    shutil.copy(SEED, folder / "b.txt")
    settings = EngineSettings.resolve([str(folder)], None, str(tmp_path / "idx"), env={})
    engine = open_engine(settings, embedder=HashingEmbedder()).engine
    assert len(engine.documents) == 2
    hits = engine.answer("missile defense", k=10).hits
    assert len({h.text for h in hits}) == len(hits) == 10


def test_a_note_cuts_a_very_long_unknown_word(fake_engine):
    answer = fake_engine.answer("what about " + "x" * 900)
    assert answer.abstained and answer.note == "the declarations never mention " + "x" * 39 + "…"


def test_a_kind_of_document_the_question_names_in_no_document_of_its_year_is_widened(fake_engine):
    # the 2020 statement on information security is a text inside the 2020 Moscow Declaration
    answer = fake_engine.answer("the 2020 statement on information security")
    assert answer.note.startswith("no document matches year 2020; type statement: searched year 2020")
    assert answer.hits and {h.citation.doc_id for h in answer.hits} == {"2020-moscow-declaration"}
    assert answer.filters == Filters(years=(2020,))


def test_filters_the_user_sets_are_never_widened(fake_engine):
    answer = fake_engine.answer("information security", Filters(years=(2020,), kinds=("statement",)))
    assert answer.abstained and not answer.hits
    assert answer.note == "no document matches year 2020; type statement"


@pytest.mark.parametrize("question", ["что лидеры говорят о пропаганде терроризма в интернете?", "ШОС", "ШОС и ВТО (WTO)"])
def test_a_question_in_a_script_the_index_does_not_hold_asks_for_english(fake_engine, question):
    answer = fake_engine.answer(question, k=3)
    assert answer.abstained
    assert answer.note.startswith("the question is in Russian, and the index holds the English text only: ask in English")
    assert "never mention" not in answer.note  # not every word listed as absent


def test_a_question_in_english_naming_a_russian_word_is_answered_as_usual(fake_engine):
    answer = fake_engine.answer("missile defense (ПРО)", k=3)
    assert "Russian" not in (answer.note or "") and "missile defense" in answer.hits[0].quote
