"""From a raw question to what the ranker needs: cleaned text, stems, filters it names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.lexical import AUXILIARY, STOPWORDS, Lexicon, stems, words
from retrieval.names import asks_for_name
from retrieval.text import clean_user_text
from retrieval.types import Document, Filters

MAX_QUESTION_CHARS = 1000  # longer questions are cut here (the user is told)
_SHOUTED = re.compile(r"\b[A-Z]{2,}\b")  # a word in capitals: an acronym
_MENTION = re.compile(r"(?<!\w)@\w+")
_NAME = re.compile(r"\b[A-Z][A-Za-z]+\b")
_SLASH_COMMAND = re.compile(r"^/\w+(?:@\w+)?\s*")
_CHAT_OPENER = re.compile(
    r"^(?:(?:hey|hi|hello|yo|ok|okay|so|well|please|pls|bot|quotebot|dear)\b[\s,!.:;\-]*)+", re.IGNORECASE
)
_KIND_WORDS = {
    "declaration": "declaration", "declarations": "declaration",
    "communique": "communique", "communiqué": "communique", "communiques": "communique",
    "communiqués": "communique",
    "statement": "statement", "address": "address", "report": "report",
    "press release": "press-release",
}
_DOC_NOUNS = r"(?:declarations?|communiqu[eé]s?|statement|address|report|press release|summit|meeting|document|text)"
# Only a scope that names a document ("the 2020 Moscow declaration") is cut from the text;
# "in Beijing" or "the Beijing summit" may be what the question is about, so they stay.
_DOCUMENT_NOUN = re.compile(r"declaration|communiqu|statement|address|report|press release|document|text", re.I)
_LEAD_IN = r"(?:in|at|from|of|during)"  # "the 2022 World Cup" is no scope; "the 2020 declaration" is (noun)
# "the declaration", "this text", "which joint communiqué", "their joint address": the question
# points at the source itself, so the noun (with "joint", part of the kind's name) is no topic
# word. A capitalised word before it makes a name of it ("the Universal Declaration"), which
# stays a topic.
_DETERMINERS = "the|this|that|these|those|its|their|which|what|each|every|any"
_SELF_REFERENCE = re.compile(
    rf"\b(?i:{_DETERMINERS}|your)\s+"
    r"(?:(?!joint\b)[a-z][a-z\-]*\s+)?(?P<noun>(?i:(?:joint\s+)?(?:declarations?|communiqu[eé]s?|statements?|documents?"
    r"|texts?|address|report|press\s+release)))\b"
)
# A document kind named as the source ("the joint address", "this press release", "which
# communiqués") is preferred, not required: users name kinds loosely. "statement", "document" and
# "text" are too loose to say anything.
_KIND_HINT = re.compile(
    rf"(?:\b(?:{_DETERMINERS})\s+(?:[a-z][a-z\-]*\s+)?|\bjoint\s+)"
    r"(?P<noun>declarations?|communiqu[eé]s?|address|report|press release)\b",
    re.IGNORECASE,
)

# The corpus's own voice: an acronym in at least this share of the paragraphs ("SCO" in an SCO
# corpus) names no topic when it is the question's subject ("What did the SCO say about ...").
SPEAKER_SHARE = 0.25
_VOICE = (r"(?:position|positions|view|views|stance|opinion|attitude|approach|line|say|says|said|saying"
          r"|think|thinks|thought|stand|stands|state|states|stated|declare|declares|declared|agree|agrees"
          r"|agreed|want|wants|wanted|believe|believes|believed|propose|proposes|proposed|support|supports"
          r"|supported|oppose|opposes|opposed)")


@dataclass(frozen=True)
class Query:
    """A question made ready for ranking."""

    original: str
    text: str  # cleaned, filter phrases removed, typos corrected, acronyms expanded
    stems: tuple[str, ...]
    content: tuple[str, ...]  # corrected content words
    filters: Filters
    terms: tuple[tuple[str, ...], ...] = ()  # per content word: its stem (+ acronym expansion stems)
    unknown_names: tuple[str, ...] = ()  # capitalised words the corpus never uses ("Iraq")
    truncated: bool = False
    corrections: tuple[tuple[str, str], ...] = ()
    phrases: tuple[str, ...] = ()  # words the user put in quotation marks, to be found as written
    asks_name: bool = False  # "which country ...?": the answer names a country, body, region ...
    hints: Filters = Filters()  # years, places, kinds named loosely: preferred, not required


def _place_pattern(place: str) -> str:
    return r"[\s\-]+".join(re.escape(part) for part in re.split(r"[\s\-]+", place))


class ScopeFinder:
    """Finds the years, places and document kinds a question names as its scope ("in the
    2020 Moscow declaration", "in Samarkand", "in 2012"): a year or place of the corpus with
    a lead-in word before it ("in", "from", "the", ...) or a document noun after it. A year in a
    span ("the presidency in 2022-2023") names a period, not a document, and is no scope."""

    def __init__(self, documents: list[Document]) -> None:
        years = sorted({str(d.year) for d in documents if d.year})
        self.places = sorted({d.place for d in documents if d.place}, key=len, reverse=True)
        year_alt = "|".join(years) or r"(?!x)x"
        place_alt = "|".join(_place_pattern(p) for p in self.places) or r"(?!x)x"
        unit = (
            rf"(?:(?<![-–—/])(?P<year>{year_alt})(?![-–—/]\d)(?:['’]s)?(?:\s+(?P<place1>{place_alt}))?"
            rf"|(?P<place2>{place_alt}))"
        )
        self.pattern = re.compile(
            rf"(?P<lead>\b{_LEAD_IN}\s+)?(?:the\s+)?\b{unit}\b(?P<noun>\s+{_DOC_NOUNS}\b)?",
            re.IGNORECASE,
        )

    def _canonical(self, place: str) -> str:
        return next(p for p in self.places if re.fullmatch(_place_pattern(p), place, re.IGNORECASE))

    def find(self, text: str) -> tuple[Filters, Filters, str]:
        """The scope filters in `text`; the years, places and kinds it names without making them
        a scope (hints: "missile defense beijing", "the joint address"); and `text` without the
        phrases that named a scope."""
        years: list[int] = []
        places: list[str] = []
        kinds: list[str] = []
        spans: list[tuple[int, int]] = []
        hint_years: list[int] = []
        hint_places: list[str] = []
        for match in self.pattern.finditer(text):
            if not (match.group("lead") or match.group("noun")):
                if match.group("year"):
                    hint_years.append(int(match.group("year")))
                if match.group("place1") or match.group("place2"):
                    hint_places.append(self._canonical(match.group("place1") or match.group("place2")))
                continue
            if match.group("year"):
                years.append(int(match.group("year")))
            place = match.group("place1") or match.group("place2")
            if place:
                places.append(self._canonical(place))
            noun = (match.group("noun") or "").strip().lower()
            if noun in _KIND_WORDS:
                kinds.append(_KIND_WORDS[noun])
            if _DOCUMENT_NOUN.search(noun):
                spans.append(match.span())
        remaining = text
        for a, b in reversed(spans):
            remaining = remaining[:a] + " " + remaining[b:]
        filters = Filters(
            years=tuple(dict.fromkeys(years)),
            places=tuple(dict.fromkeys(places)),
            kinds=tuple(dict.fromkeys(kinds)),
        )
        hint_kinds = [] if kinds else [_KIND_WORDS[m.group("noun").lower()] for m in _KIND_HINT.finditer(text)]
        hints = Filters(
            years=tuple(dict.fromkeys(y for y in hint_years if y not in years)),
            places=tuple(dict.fromkeys(p for p in hint_places if p not in places)),
            kinds=tuple(dict.fromkeys(hint_kinds)),
        )
        return filters, hints, remaining


_QUOTED = re.compile(r"[\"“”„«»]([^\"“”„«»]{2,200})[\"“”„«»]|(?<!\w)['‘]([^'‘’]{2,200})['’](?!\w)")


def quoted_phrases(text: str) -> tuple[str, ...]:
    """The phrases in quotation marks ("indivisible security", “Shanghai Spirit”), folded."""
    found = []
    for match in _QUOTED.finditer(text):
        phrase = " ".join(words((match.group(1) or match.group(2))))
        if phrase and phrase not in found:
            found.append(phrase)
    return tuple(found)


def _name_pattern(name: str) -> str:
    """A regex for a name, tolerant of -ise/-ize spellings and spacing."""
    parts = [re.escape(w).replace("is", "i[sz]").replace("iz", "i[sz]") for w in name.split()]
    return r"\s+".join(parts)


def strip_speaker(text: str, lexicon: Lexicon) -> str:
    """`text` without the corpus's own name where it is the question's speaker: "What did the
    SCO say about X" -> "What did say about X". In a corpus where nearly every paragraph names
    the SCO, that name would only pull every question toward paragraphs that mention it, and
    let "What did the SCO say about the moon landing?" look answerable."""
    if not lexicon.n_paragraphs:
        return text
    floor = SPEAKER_SHARE * lexicon.n_paragraphs
    acronyms = {a.lower() for a in _SHOUTED.findall(text)} | set(lexicon.acronyms)
    names = []
    for acronym in sorted(acronyms):
        if lexicon.stem_df.get(acronym, 0) >= floor:
            names.append(re.escape(acronym))
            if acronym in lexicon.acronyms:
                names.append(_name_pattern(lexicon.acronyms[acronym]))
    if not names:
        return text
    name = rf"(?:the\s+)?(?:{'|'.join(sorted(names, key=len, reverse=True))})(?:['’]s)?"
    text = re.sub(rf"\b({AUXILIARY})\s+{name}(?!\w)", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(rf"\b{name}\s+(?={_VOICE}\b)", "", text, flags=re.IGNORECASE)
    return re.sub(rf"\baccording\s+to\s+{name}(?!\w)", "", text, flags=re.IGNORECASE)


def prepare(question: str, lexicon: Lexicon, scope: ScopeFinder) -> Query:
    """Clean, find scope filters, correct typos against the corpus, expand acronyms."""
    text = clean_user_text(question)
    truncated = len(text) > MAX_QUESTION_CHARS
    text = text[:MAX_QUESTION_CHARS]
    text = _SLASH_COMMAND.sub("", text)
    text = _CHAT_OPENER.sub("", _MENTION.sub(" ", text).strip())
    phrases = quoted_phrases(text)
    filters, hints, text = scope.find(text)
    text = strip_speaker(text, lexicon)
    tokens = words(text)
    corrections = []
    corrected_tokens = []
    for token in tokens:
        fixed = lexicon.correct(token)
        if fixed != token:
            corrections.append((token, fixed))
        corrected_tokens.append(fixed)
    self_refs = {w for m in _SELF_REFERENCE.finditer(text) for w in words(m.group("noun"))}
    scope_words = {w for place in filters.places for w in words(place)} | {str(y) for y in filters.years}
    content = tuple(t for t in corrected_tokens if t not in STOPWORDS and len(t) > 1 and t not in self_refs
                    and t not in scope_words)
    terms = tuple(
        tuple(dict.fromkeys(stems([w]) + lexicon.related_stems(w) + stems(words(lexicon.acronyms.get(w, "")))))
        for w in content
    )
    # Acronyms expand when written in capitals ("NPT", "WHO") or when not an English stopword.
    shouted = {w.lower() for w in _SHOUTED.findall(text)}
    expansions = lexicon.expand([t for t in corrected_tokens if t in shouted or t not in STOPWORDS])
    dense_text = " ".join([" ".join(corrected_tokens)] + expansions) if corrections or expansions else text
    all_stems = stems(corrected_tokens + [w for e in expansions for w in words(e)])
    fixed = dict(corrections)
    unknown_names = tuple(dict.fromkeys(
        name for name in _NAME.findall(text)
        if (low := fixed.get(name.lower(), name.lower())) not in STOPWORDS
        and low not in lexicon.vocabulary and low not in lexicon.acronyms
    ))
    return Query(
        original=question,
        text=dense_text.strip(),
        stems=tuple(all_stems),
        content=content,
        terms=tuple(t for t in terms if t),
        filters=filters,
        truncated=truncated,
        corrections=tuple(corrections),
        unknown_names=unknown_names,
        phrases=phrases,
        asks_name=asks_for_name(text),
        hints=hints,
    )
