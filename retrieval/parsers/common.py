"""Shared pieces of the parsers: raw paragraphs in, a `Document` with numbered paragraphs out."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from retrieval.lang import en, ru
from retrieval.text import fold, script_of, sentence_spans
from retrieval.types import Document, Paragraph

_MONTH_RE = "|".join(en.MONTHS)
# "June 7, 2012, Beijing", "New Delhi, 4 July 2023", "Qingtao, June 10, 2018.", "10 November 2020"
DATE_LINE = re.compile(
    rf"^(?:[A-Z][\w’'\- ]{{1,30}},\s*)?(?:\d{{1,2}}\s+(?:{_MONTH_RE})|(?:{_MONTH_RE})\s+\d{{1,2}},?)"
    rf"\s+\d{{4}}(?:,\s*[A-Z][\w’'\- ]{{1,30}})?\.?$"
)
_ALNUM = re.compile(r"[^0-9a-zа-яё]+")
SIGNATORY = re.compile(rf"\b({'|'.join(en.SIGNATORY_TITLES + ru.SIGNATORY_TITLES)})\b")


@dataclass
class RawParagraph:
    """A paragraph before numbering: reflowed text, its section, and its kind."""

    text: str
    section: str | None = None
    kind: str = "body"


def _letters(text: str) -> str:
    return _ALNUM.sub("", text.lower())


def repeats_title(lines: list[str], title: str, limit: int = 8) -> int:
    """How many of the leading `lines` only repeat `title` (letters and digits compared)."""
    target = _letters(title)
    taken, seen = 0, ""
    for line in lines[:limit]:
        candidate = seen + _letters(line)
        if candidate and target.startswith(candidate):
            seen, taken = candidate, taken + 1
        else:
            break
    return taken


def kind_of_title(title: str) -> str:
    lowered = title.lower()
    for kind in en.DOCUMENT_KINDS:
        if any(word in lowered for word in kind.title_words):
            return kind.kind
    return "document"


def short_title(title: str, place: str | None, kind: str, prefix: str = "") -> str:
    """'SCO Beijing Declaration'-style names (with the corpus's title prefix, see
    `retrieval.parsers.config`); falls back to the (shortened) title."""
    labels = {k.kind: k.label for k in en.DOCUMENT_KINDS}
    if kind in labels and prefix:
        return " ".join(x for x in (prefix, place, labels[kind]) if x)
    text = fold(title)
    return text if len(text) <= 60 else text[:57].rsplit(" ", 1)[0] + "…"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def make_doc_id(date: dt.date | None, place: str | None, kind: str, fallback: str) -> str:
    parts = [str(date.year) if date else "", slug(place) if place else "", kind if kind != "document" else ""]
    joined = "-".join(p for p in parts if p)
    return joined if (date and (place or kind != "document")) else slug(fallback)


def parse_date(text: str | None) -> dt.date | None:
    """ISO dates, 'June 7, 2012' and '7 June 2012'; None when there is no date."""
    if not text:
        return None
    text = fold(text).rstrip(".")
    for fmt in ("%Y-%m-%d", "%B %d, %Y", "%d %B %Y", "%B %d %Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def is_signature(text: str) -> bool:
    """Closing place/date lines and blocks of signatories' names and offices."""
    folded = fold(text)
    if DATE_LINE.match(folded):
        return True
    ends_sentence = folded.endswith((".", "!", "?", ".”", ".\"", ".)", ":", ";"))
    return not ends_sentence and bool(SIGNATORY.search(folded)) and len(folded) < 1500


def _languages(raw: list[RawParagraph]) -> list[str]:
    """Script of each paragraph; paragraphs with few letters take their neighbour's."""
    langs = [script_of(p.text) if sum(map(str.isalpha, p.text)) >= 25 else "" for p in raw]
    last = next((lang for lang in langs if lang), "en")
    for i, lang in enumerate(langs):
        if lang:
            last = lang
        else:
            langs[i] = last
    return langs


def build_document(
    *,
    doc_id: str | None = None,
    title: str,
    date: dt.date | None,
    place: str | None,
    url: str | None,
    source_path: str,
    raw: list[RawParagraph],
    prefix: str = "",
) -> Document:
    """Number paragraphs per language, find their sentences, tag signature blocks.

    Without a `doc_id`, one is made from the year, place and kind ("2020-moscow-declaration").
    """
    kind = kind_of_title(title)
    doc_id = doc_id or make_doc_id(date, place, kind, Path(source_path).stem)
    langs = _languages(raw)
    counters: dict[str, int] = {}
    paragraphs = []
    for item, lang in zip(raw, langs):
        text = fold(item.text)
        if not text:
            continue
        counters[lang] = counters.get(lang, 0) + 1
        para_kind = "signature" if item.kind == "body" and is_signature(text) else item.kind
        paragraphs.append(
            Paragraph(
                doc_id=doc_id,
                number=counters[lang],
                text=text,
                section=item.section,
                lang=lang,
                kind=para_kind,
                sentences=tuple(sentence_spans(text)),
            )
        )
    return Document(
        doc_id=doc_id,
        title=fold(title),
        short_title=short_title(title, place, kind, prefix),
        date=date,
        place=place,
        url=url,
        source_path=source_path,
        kind=kind,
        paragraphs=tuple(paragraphs),
    )
