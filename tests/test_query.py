"""The stages of reading a question, each on its own, with a small hand-made lexicon."""

from __future__ import annotations

import datetime as dt

import pytest

from retrieval.lang import en
from retrieval.lexicon import Lexicon
from retrieval.query import ScopeFinder, scope_words, understand
from retrieval.query.normalise import MAX_QUESTION_CHARS, normalise
from retrieval.query.speaker import source_words, strip_speaker
from retrieval.query.terms import correct, is_absent, runs_of, terms_of, topic_words
from retrieval.types import Document, Filters

TEXTS = [
    "The SCO member states oppose missile defence systems. The SCO supports the test ban.",
    "The SCO welcomes the Shanghai Cooperation Organisation Development Bank.",
    "Trade and fair competition; the SCO wants open markets.",
    "Afghanistan must be peaceful, the SCO says.",
]


@pytest.fixture(scope="module")
def lexicon():
    return Lexicon.from_texts(TEXTS, {"sco": "Shanghai Cooperation Organisation", **en.expansions()})


def _doc(doc_id, year, place, kind):
    return Document(doc_id, doc_id, doc_id, dt.date(year, 6, 1), place, None, f"{doc_id}.json", kind)


@pytest.fixture(scope="module")
def finder():
    return ScopeFinder([_doc("a", 2012, "Beijing", "declaration"), _doc("b", 2019, "Bishkek", "press-release"),
                        _doc("c", 2022, "New Delhi", "communique")])


@pytest.mark.parametrize(
    "question, text, phrases",
    [
        ("hey bot, anything on outer space?", "anything on outer space?", ()),
        ("/ask@QuoteBot missile defense", "missile defense", ()),
        ("@quotebot what about \u200bSyria??", "what about Syria??", ()),
        ('who said "indivisible security"?', 'who said "indivisible security"?', ("indivisible security",)),
        ("ok so   please, tell me", "tell me", ()),
    ],
)
def test_normalise_removes_chat_noise(question, text, phrases):
    normal = normalise(question)
    assert (normal.text, normal.phrases, normal.truncated) == (text, phrases, False)


def test_normalise_cuts_long_questions():
    normal = normalise("x" * (MAX_QUESTION_CHARS + 5))
    assert normal.truncated and len(normal.text) == MAX_QUESTION_CHARS


@pytest.mark.parametrize(
    "question, scope, hints, text",
    [
        ("drugs in the 2019 press release", Filters(years=(2019,), kinds=("press-release",)), Filters(),
         "drugs  "),
        ("the 2012 declarations on drugs", Filters(years=(2012,), kinds=("declaration",)), Filters(), "  on drugs"),
        ("trade in new delhi", Filters(places=("New Delhi",)), Filters(), "trade in new delhi"),
        ("trade bishkek 2019", Filters(), Filters(years=(2019,), places=("Bishkek",)), "trade bishkek 2019"),
        ("what does this joint communiqué say", Filters(), Filters(kinds=("communique",)),
         "what does this joint communiqué say"),
        ("the presidency in 2019-2020", Filters(), Filters(years=(2019,)), "the presidency in 2019-2020"),
    ],
)
def test_scope_and_hints(finder, question, scope, hints, text):
    found = finder.find(question)
    assert (found.filters, found.hints, found.text) == (scope, hints, text)


def test_every_document_noun_names_its_kind():
    assert en.noun_kind("Communiqués") == "communique"
    assert en.noun_kind("press  releases") == "press-release"
    assert en.noun_kind("summit") is None and en.noun_kind("banana") is None
    kinds = {k.kind for k in en.DOCUMENT_KINDS}
    assert {n.kind for n in en.DOCUMENT_NOUNS if n.kind} <= kinds


@pytest.mark.parametrize(
    "question, stripped",
    [
        ("What did the SCO say about trade?", "What did say about trade?"),
        ("the SCO's position on Afghanistan", "position on Afghanistan"),
        ("What is the Shanghai Cooperation Organization view on trade", "What is view on trade"),
        ("SCO Development Bank", "SCO Development Bank"),  # the SCO as the topic: kept
    ],
)
def test_the_corpus_own_voice_is_stripped(lexicon, question, stripped):
    assert strip_speaker(question, lexicon) == stripped


@pytest.mark.parametrize(
    "text, words",
    [
        ("Does the declaration mention trade?", {"declaration"}),
        ("what do they say in their joint address", {"joint", "address"}),
        ("which texts mention it", {"texts"}),
        ("the Universal Declaration of Human Rights", set()),  # a name, not the source
    ],
)
def test_words_pointing_at_the_source(text, words):
    assert source_words(text) == words


def test_correction_keeps_english_words_and_fixes_typos(lexicon):
    corrected, corrections = correct(["afganistan", "text", "missle"], lexicon)
    assert corrected == ["afghanistan", "text", "missile"]
    assert corrections == (("afganistan", "afghanistan"), ("missle", "missile"))


def test_a_source_word_is_no_topic_even_when_correction_would_change_it():
    # "text" is not in this corpus but "test" is: were "text" not known as an English word, it
    # would be corrected to "test"; it must still be recognised as a pointer at the source.
    assert topic_words(["the", "text", "wants", "trade"], ["the", "test", "wants", "trade"], {"text"}) == (
        "wants", "trade")


def test_the_english_word_list_is_data_not_the_model_package():
    words = en.english_words()
    assert {"text", "want", "fair", "trade"} <= words and len(words) > 20_000


def test_absent_words_are_topic_words_the_corpus_never_uses_in_any_form(lexicon):
    found = terms_of("Did they condemn Iraq or Afganistan, or the 2008 Olympics?", set(), lexicon)
    assert [(a.word, a.written) for a in found.absent] == [("condemn", "condemn"), ("iraq", "Iraq"),
                                                            ("2008", "2008"), ("olympics", "Olympics")]
    assert not is_absent("afghanistan", lexicon) and not is_absent("defense", lexicon)  # a British spelling
    assert not is_absent("wto", lexicon)  # a known acronym: its expansion says what it is


def test_acronyms_in_capitals_are_never_spell_corrected(lexicon):
    corrected, _ = correct(["idae", "idae"], Lexicon.from_texts(["an idea"], {}), ["IDAE", "idae"])
    assert corrected == ["idae", "idea"]


def test_known_acronyms_are_never_spell_corrected_in_lower_case_either():
    known = Lexicon.from_texts(["an idea"], {"iaea": "International Atomic Energy Agency"})
    assert correct(["iaea", "idae"], known)[0] == ["iaea", "idea"]  # "idae" is known as nothing: a typo


@pytest.mark.parametrize("typed, expected", [
    ("acess", "access"), ("syira", "syria"), ("iraan", "iran"),  # short: a letter dropped, doubled, swapped
    ("terorism", "terrorism"), ("nucelar", "nuclear"), ("seperate", "separate"),  # longer: any one edit
    ("gavi", "gavi"), ("raisi", "raisi"), ("carec", "carec"),  # a short word's other letter is no typo
    ("tedros", "tedros"), ("sendai", "sendai"), ("interpol", "interpol"),  # two edits: a name, no typo
])
def test_spelling_correction_takes_one_edit_and_only_slips_in_short_words(typed, expected):
    lexicon = Lexicon.from_texts(["access to Syria and Iran, terrorism, nuclear, separate, gave, raise, care, "
                                  "terror, Serdar, internal"], {})
    assert lexicon.correct(typed) == expected


def test_scope_words_are_the_places_and_years_searched():
    assert scope_words(Filters(years=(2019,), places=("New Delhi",))) == {"2019", "new", "delhi"}


def test_the_whole_pipeline(lexicon, finder):
    query = understand("hey bot, what did the SCO say about missle defense in 2012?", lexicon, finder)
    assert query.filters == Filters(years=(2012,))
    assert query.content == ("missile", "defense")
    assert query.corrections == (("missle", "missile"),)
    assert query.terms[0] == ("missil",)


@pytest.mark.parametrize("question, years", [
    ("whos the sco secretary general in 2022-2023", (2022,)),
    ("which country chaired the sco in 2018-20", (2019,)),
    ("the plan for 2011/2013", (2012,)),
    ("who chaired in 2023-24", ()),  # no document of those years
    ("terrorism in 2019 - 2020", (2019,)),  # spaced: still a period, no scope
    ("the meeting on 2019-07-05", ()),  # a date
    ("cooperation in 2001-2025", ()),  # too long to name a period
])
def test_a_span_of_years_hints_at_the_documents_of_its_years_without_restricting(finder, question, years):
    scope = finder.find(question)
    assert scope.hints.years == years and scope.filters.years == ()


@pytest.mark.parametrize("tokens, expected", [
    (["2022", "sco", "women's", "forum"], [("sco", "women's", "forum")]),  # the year says which forum
    (["sco", "summit", "2019"], [("sco", "summit")]),
    (["2019", "summit"], []),  # one word left: no run
    (["g20", "summit"], [("g20", "summit")]),  # an alphanumeric name is a word of the name
    (["expo", "2017", "astana"], [("expo", "2017", "astana")]),  # inside a run a number stays
])
def test_runs_leave_out_the_numbers_that_open_or_close_them(tokens, expected):
    runs = runs_of(list(range(len(tokens))), tokens, tokens, frozenset())
    assert [r.words for r in runs] == expected
