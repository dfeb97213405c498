"""English words for what a question asks about: names of things and of people, dates.

Part of the English language data (retrieval.lang.en), kept apart for size: add a title of
office, a head of a name or a question pattern here, nowhere else. Each list says where it comes
from.
"""

from __future__ import annotations

from retrieval.lang.en import AUXILIARIES, alternation

# Nouns of a question that asks for a name: "which COUNTRY", "what REGIONS", "which new dialogue
# PARTNER" (answer-type matching, retrieval.names). From our "which" question files.
NAME_NOUNS = (
    r"countr(?:y|ies)", r"states?", r"nations?", r"partners?", r"members?", r"observers?", r"organi[sz]ations?",
    r"bod(?:y|ies)", r"organs?", r"institutions?", r"agenc(?:y|ies)", r"groups?", r"forums?", r"banks?",
    r"cit(?:y|ies)", r"capitals?", r"regions?", r"continents?", r"treat(?:y|ies)", r"charters?", r"conventions?",
    r"agreements?", r"resolutions?", r"leaders?", r"presidents?", r"chairs?",
)

# Titles of office before a person's name: "chaired by the PRIME MINISTER of the Republic of
# Tajikistan Kokhir Rasulzoda", "SCO SECRETARY-GENERAL Zhang Ming" (answer-type matching for "who
# ...?", retrieval.answer_types). From the attendance paragraphs of the SCO communiqués and press
# releases in corpus/sco; longer titles first.
OFFICE_TITLES = ("Under-Secretary-General", "Secretary-General", "Director-General", "Executive Secretary",
                 "Special Representative", "Special Envoy", "Vice-President", "President", "Prime Minister",
                 "Premier", "Chief Executive", "Chairperson", "Chairman", "Chair", "Chancellor", "Director",
                 "Minister", "Secretary", "Head", "King", "Emir", "Ambassador")
# Words inside a title before the name: "Prime Minister OF THE Republic of India Narendra Modi".
TITLE_LINKS = ("of", "the", "for", "and", "on", "in")
# What may come right before a "who" that asks (the start, a punctuation mark, a conjunction, a chat
# opener, "tell me", "know"), unlike the "who" of "those who finance terrorism".
QUESTION_LEADS = (r"^", r"[,;:.!?()\-–—]", r"\b(?:and|or|but|so|then|hey|ok|okay|bot|me|know|wonder|wondering)\b")
# Questions that ask for a person: "WHO chaired ...", "WHOS the head of ..." after a lead above, and
# "did Afghanistan SEND ANYONE", "was ANYONE FROM the UN there" anywhere (from
# eval/open_fit_questions.jsonl, a fit file).
WHO = r"who(?:m|se|s|'s|’s)?"
PERSON_QUESTIONS = (r"(?:sen[dt]|attend(?:ed)?)\s+(?:any|some)(?:one|body)",
                    r"(?:any|some)(?:one|body)\s+(?:from|attend(?:ed)?|represent(?:ed|ing)?)")
# Questions that ask for a date: "WHEN WAS the summit", "samarkand summit DATE", "on WHAT DAY"; not
# "what happens when a member ..." (a "when" that opens a clause), nor "up-to-date", "out of date",
# "to date", "date from".
DATE_QUESTIONS = (rf"when\s+{alternation(AUXILIARIES)}", r"when['’]?s", r"when[\s?]*$",
                  r"(?<!to\s)(?<!of\s)(?<![\w-])dates?(?!-)(?!\s+(?:from|back)\b)", r"(?:what|which)\s+day")
# The endings of a day's number: "the 10TH of June".
ORDINAL_SUFFIXES = ("st", "nd", "rd", "th")
# Magnitudes written after a number in chat: "100BN", "5MN", "2TN", "10K" (a miss of
# eval/open_questions_7.jsonl: "the 100bn thing" for "the $100 billion").
MAGNITUDES = ("bn", "mn", "tn", "k", "m", "b")

# The last word of the name of an institution, agreement, event or place: "Asian Development
# BANK", "Green Climate FUND", "World Health ASSEMBLY", "Middle CORRIDOR", "Paris CLUB". A run of a
# question's words ending with one names one thing, even in lower case (retrieval.grounding).
# Gathered from the names of international bodies and agreements in the declarations and the
# UN General Debate speeches; "festival" from a miss of eval/open_questions_4.jsonl ("sco film festival");
# the plurals of legal instruments, which name sets of them ("Geneva Conventions", "Minsk
# Agreements", "Oslo Accords"), from a miss of eval/open_questions_9.jsonl.
NAME_HEADS = frozenset("""
    bank banks fund funds programme program assembly organisation organization union corridor council court
    club protocol treaty agreement convention forum games olympics cup sea ocean lake river canal valley
    party alliance charter committee commission agency institute university pact accord pipeline
    railway parliament movement front army festival festivals
    conventions agreements accords protocols treaties
    """.split())
# Not "deal", "plan", "process", "summit", "initiative": questions use them for descriptions ("the
# Iran nuclear deal" for the JCPOA) as often as in names.
# Heads that also open a name, before "of", "for" or "on" (NAME_LINKS): "ORGANISATION of Islamic
# Cooperation", "COMMISSION on Human Rights", "World ORGANISATION for Animal Health". Only bodies:
# a treaty, convention or agreement "on nuclear arms" is as often a description as a name (the
# seed "which" questions ask "Which treaty on nuclear arms ...?"), and so is a programme ("that
# programme on digital literacy", eval/open_questions_8.jsonl). From the misses of
# eval/open_questions_5.jsonl and _6.jsonl, read after their held-out runs.
INSTITUTION_HEADS = frozenset("""
    bank fund assembly organisation organization union council court commission committee agency institute
    """.split())
NAME_LINKS = ("of", "for", "on")
# Observances open their names the same way: the UN's and the SCO's "International YEAR of
# Millets", "DAY of Disarmament and Non-Proliferation Education", "DECADE of Water", "Year of
# Culture" (the UN list of international days, years and decades). From the misses of
# eval/open_questions_26.jsonl to _29 ("sco year of youth", "year of sport"), read after their runs.
OBSERVANCE_HEADS = frozenset({"year", "day", "decade"})
# ... when the word before says whose: "SCO Year of Youth", "UN Day of ...", "International Year
# of ...", "World Day of ..." (not "the year of covid", "in a year of crisis").
OBSERVANCE_LEADS = frozenset({"sco", "un", "international", "world"})
HEAD_FIRST = INSTITUTION_HEADS | OBSERVANCE_HEADS
