"""Stage 2: the documents a question names — its scope (a filter) and its hints (a preference)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.lang import en
from retrieval.types import Document, Filters

_DETERMINERS = "|".join(en.DETERMINERS)
# A document kind named as the source ("the joint address", "this press release", "which
# communiqués") is preferred, not required: users name kinds loosely.
_KIND_HINT = re.compile(
    rf"(?:\b(?:{_DETERMINERS})\s+(?:[a-z][a-z\-]*\s+)?|\b{en.JOINT}\s+)"
    rf"(?P<noun>{en.noun_alternation(lambda n: n.hint)})\b",
    re.IGNORECASE,
)


# A span of years ("in 2022-2023", "2021-22", "2019 - 2020"): a period, preferred, not required;
# not a date ("2005-07-05").
_YEAR_SPAN = re.compile(
    r"(?<![\d/-])(?P<start>(?:19|20)\d\d)\s*[-–—/]\s*(?P<end>(?:19|20)\d\d|\d\d)\b(?!\s*[-–—/]\s*\d)")
MAX_SPAN_YEARS = 10  # a longer span ("2001-2025") names no period of a few documents


def year_spans(text: str) -> list[tuple[int, int, int, int]]:
    """(first year, last year, start, end in `text`) of each span of years ("1999-00": 1999, 2000)."""
    found = []
    for match in _YEAR_SPAN.finditer(text):
        start, end = int(match.group("start")), match.group("end")
        last = int(end) if len(end) == 4 else start // 100 * 100 + int(end) + (100 if int(end) < start % 100 else 0)
        if start <= last <= start + MAX_SPAN_YEARS:
            found.append((start, last, *match.span()))
    return found


def span_years(spans: list[tuple[int, int, int, int]], years: list[int]) -> list[int]:
    """The years of `years` inside the spans of years (`year_spans`: "2021-22" -> 2021, 2022)."""
    return [y for first, last, _, _ in spans for y in years if first <= y <= last]


@dataclass(frozen=True)
class Scope:
    filters: Filters  # what the question restricts the search to ("in the 2020 Moscow declaration")
    hints: Filters  # what it names loosely ("missile defense beijing"): preferred, not required
    text: str  # the question without the phrases that named a document


def _place_pattern(place: str) -> str:
    return r"[\s\-]+".join(re.escape(part) for part in re.split(r"[\s\-]+", place))


class ScopeFinder:
    """Finds the years, places and document kinds a question names as its scope ("in the
    2020 Moscow declaration", "in Samarkand", "in 2012"): a year or place of the corpus with
    a lead-in word before it ("in", "from", "the", ...) or a document noun after it. A year in a
    span ("the presidency in 2022-2023") names a period, not a document: no scope, but its years
    are hints."""

    def __init__(self, documents: list[Document]) -> None:
        years = sorted({str(d.year) for d in documents if d.year})
        self.years = [int(y) for y in years]
        self.places = sorted({d.place for d in documents if d.place}, key=len, reverse=True)
        year_alt = "|".join(years) or r"(?!x)x"
        place_alt = "|".join(_place_pattern(p) for p in self.places) or r"(?!x)x"
        unit = (
            rf"(?:(?<![-–—/])(?P<year>{year_alt})(?![-–—/]\d)(?:['’]s)?(?:\s+(?P<place1>{place_alt}))?"
            rf"|(?P<place2>{place_alt}))"
        )
        self.pattern = re.compile(
            rf"(?P<lead>\b(?:{'|'.join(en.SCOPE_LEAD_INS)})\s+)?(?:the\s+)?\b{unit}\b"
            rf"(?P<noun>\s+{en.noun_alternation()}\b)?",
            re.IGNORECASE,
        )

    def _canonical(self, place: str) -> str:
        return next(p for p in self.places if re.fullmatch(_place_pattern(p), place, re.IGNORECASE))

    def find(self, text: str) -> Scope:
        """The scope of `text`, its hints, and `text` without the phrases that named a document
        ("the 2020 Moscow declaration"; "in Beijing" or "the Beijing summit" may be what the
        question is about, so they stay)."""
        scope: dict[str, list] = {"years": [], "places": [], "kinds": []}
        hints: dict[str, list] = {"years": [], "places": [], "kinds": []}
        spans: list[tuple[int, int]] = []
        year_ranges = year_spans(text)
        periods = [(a, b) for _, _, a, b in year_ranges]
        for match in self.pattern.finditer(text):
            if match.group("year") and any(a <= match.start("year") < b for a, b in periods):
                continue  # "in 2019 - 2020": a period, a hint below
            named = match.group("lead") or match.group("noun")
            target = scope if named else hints
            if match.group("year"):
                target["years"].append(int(match.group("year")))
            place = match.group("place1") or match.group("place2")
            if place:
                target["places"].append(self._canonical(place))
            if not named:
                continue
            noun = (match.group("noun") or "").strip()
            if noun and en.noun_kind(noun):
                scope["kinds"].append(en.noun_kind(noun))
            if noun and _names_document(noun):
                spans.append(match.span())
        if not scope["kinds"]:
            hints["kinds"] = [en.noun_kind(m.group("noun")) for m in _KIND_HINT.finditer(text)]
        hints["years"] += span_years(year_ranges, self.years)
        filters = _filters(scope)
        return Scope(filters, _filters(hints, besides=filters), _cut(text, spans))


def _names_document(noun: str) -> bool:
    return any(n.names_document for n in en.DOCUMENT_NOUNS if re.fullmatch(n.forms, noun, re.IGNORECASE))


def _filters(found: dict[str, list], besides: Filters = Filters()) -> Filters:
    """Filters of the values found, in order, once each, without those already in `besides`."""
    def unique(values, taken):
        return tuple(dict.fromkeys(v for v in values if v not in taken))

    return Filters(years=unique(found["years"], besides.years), places=unique(found["places"], besides.places),
                   kinds=unique(found["kinds"], besides.kinds))


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    for a, b in reversed(spans):
        text = text[:a] + " " + text[b:]
    return text
