"""Sentence and clause spans, cleaning of user text, lexical helpers."""

from retrieval.lexicon import Lexicon
from retrieval.tokens import stems, words
from retrieval.text import clause_spans, clean_user_text, script_of, sentence_spans


def _sentences(text):
    return [text[a:b] for a, b in sentence_spans(text)]


def test_sentences_skip_initials_and_abbreviations():
    text = ("Prime Minister K.K. Tokayev met Mr. Li. The meeting (Bishkek, 14 June 2019) was held "
            "in the U.S. style. “It ended.” Then 2 more came.")
    assert _sentences(text) == [
        "Prime Minister K.K. Tokayev met Mr. Li.",
        "The meeting (Bishkek, 14 June 2019) was held in the U.S. style.",
        "“It ended.”",
        "Then 2 more came.",
    ]


def test_sentence_spans_cover_every_word():
    text = "One. Two three? Four!  Five"
    spans = sentence_spans(text)
    assert "".join(text[a:b] for a, b in spans).replace(" ", "") == text.replace(" ", "")


def test_long_sentences_are_cut_into_clauses():
    text = "; ".join(f"clause number {i} says something about cooperation in field {i}" for i in range(12)) + "."
    spans = clause_spans(text, 0, len(text), limit=200)
    assert len(spans) > 3
    assert all(b - a <= 200 for a, b in spans)
    assert all(text[a:b] == text[a:b].strip(" ;") for a, b in spans)
    assert clause_spans("Short one.", 0, 10) == [(0, 10)]


def test_clean_user_text_removes_invisible_characters():
    assert clean_user_text("mis\u200bsile\u0000 \u202edefense\n\n") == "missile defense"
    assert clean_user_text(None) == ""


def test_script_detection():
    assert script_of("Государства-члены") == "ru"
    assert script_of("Member States") == "en"
    assert script_of("2019 - 2020") == ""


def test_british_and_american_spellings_share_stems():
    assert stems(words("defence organisation programme")) == stems(words("defense organization program"))
    british = "organisations civilisations realised centres favourable"
    assert stems(words(british)) == stems(words("organizations civilizations realized centers favorable"))


def test_spelling_correction_uses_corpus_and_spares_real_words():
    lexicon = Lexicon.from_texts(["missile defence in Afghanistan against terrorism and extremism"], {})
    assert lexicon.correct("missle") == "missile"
    assert lexicon.correct("afganistan") == "afghanistan"
    assert lexicon.correct("terorism") == "terrorism"
    assert lexicon.correct("extremizm") == "extremism"
    assert lexicon.correct("attack") == "attack"  # a real English word is never "corrected"
    assert lexicon.correct("xyzzyq") == "xyzzyq"


def test_related_forms_the_stemmer_keeps_apart():
    lexicon = Lexicon.from_texts(
        ["They stressed the admission of Iran as a full member.",
         "The Kyrgyz Republic is taking over the presidency; the decision was welcomed.",
         "The Economic Commission held its meeting.",
         "They fight terrorism and oppose protectionist measures; economic growth matters."],
        {},
    )
    assert lexicon.related_stems("admitted") == ["admiss"]  # verb -> noun of the family
    assert lexicon.related_stems("took") == ["take"]  # irregular verb -> the form the corpus has
    assert lexicon.related_stems("decided") == ["decis"]
    assert lexicon.related_stems("hold") == ["held"]
    assert lexicon.related_stems("committed") == []  # commit ~ commission: not one family
    assert lexicon.related_stems("expanded") == []  # "expansion" is not in the corpus
    assert lexicon.related_stems("admission") == []  # its own stem is no alternative
    # a doctrine and its follower: the stemmer gives terror / terrorist, protection / protectionist
    assert lexicon.related_stems("terrorists") == ["terror"]
    assert lexicon.related_stems("protectionism") == ["protectionist"]
    assert lexicon.related_stems("economists") == []  # "economism" is no word of the corpus


def test_a_people_is_found_as_its_place_when_the_corpus_never_names_the_people():
    from retrieval.lexicon import place_forms

    lexicon = Lexicon.from_texts(
        ["Habib Bank of Pakistan joined; the Afghan settlement and the Uzbekistan presidency.",
         "Crime in Europe and in the Kyrgyz Republic; Iranian and Iran."], {})
    assert lexicon.related_stems("pakistani") == ["pakistan"]
    assert lexicon.related_stems("uzbek") == ["uzbekistan"]
    assert lexicon.related_stems("european") == ["europ"]
    assert lexicon.related_stems("kyrgyzstan") == ["kyrgyz"]  # a name's form that is no English word
    assert lexicon.related_stems("iranian") == []  # a word the corpus uses keeps to its own forms
    assert lexicon.related_stems("crimean") == []  # "crime" is no name: no place of the Crimean
    assert "pakistan" in place_forms("pakistani") and "crime" not in place_forms("crimean")
    assert "crimean" not in place_forms("crime") and "cuban" not in place_forms("cub")  # plain words gain no people
    assert "bri" not in place_forms("brian")  # an acronym (the BRI) is no place
    assert "asia" in place_forms("asian")


def test_acronyms_defined_by_the_text():
    from retrieval.lexicon import defined_acronyms

    found = defined_acronyms([
        "the Regional Anti-Terrorist Structure (RATS) of the SCO",
        "within the Collective Security Treaty Organization (CSTO) and the CIS",
        "a very long name of ten words that is longer than the limit allows us (LONG)",
        "Structure(NOSPACE) and " + "A" * 5000 + " (XX)",
    ])
    assert found["rats"] == "Regional Anti-Terrorist Structure"
    assert found["csto"] == "Collective Security Treaty Organization"
    assert "long" not in found and "nospace" not in found and "xx" not in found


def test_stems_stay_right_when_their_memo_is_full(monkeypatch):
    from retrieval import tokens

    expected = [tokens.stems(["missiles", "defending", "the", "nations"]), tokens.stems(["nations", "energies"])]
    monkeypatch.setattr(tokens, "_STEM_CACHE_MAX", 3)
    monkeypatch.setattr(tokens, "_STEM_OF", {})
    tokens.stems(["missiles", "defending"])  # the memo holds these ...
    old = tokens._STEM_OF
    # ... and a text mixing them with new words overflows it: a fresh memo, the old one left whole
    assert [tokens.stems(["missiles", "defending", "the", "nations"]), tokens.stems(["nations", "energies"])] == expected
    assert old == {"missiles": "missil", "defending": "defend"} and tokens._STEM_OF is not old
