"""The data types every layer shares: frozen dataclasses, no behaviour beyond formatting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a document, verbatim (line wraps reflowed).

    `number` counts the document's paragraphs of the same language from 1; `sentences` are
    (start, end) character spans into `text`; `kind` is "body", "signature" (signature
    blocks, closing place/date lines: an answer to questions about signing only) or "table" (a
    table's cells in order, from a PDF or DOCX: kept for context, never an answer).
    """

    doc_id: str
    number: int
    text: str
    section: str | None = None
    lang: str = "en"
    kind: str = "body"
    sentences: tuple[tuple[int, int], ...] = ()

    def sentence_texts(self) -> list[str]:
        return [self.text[a:b] for a, b in self.sentences]


@dataclass(frozen=True)
class Document:
    """A parsed source file."""

    doc_id: str
    title: str
    short_title: str
    date: dt.date | None
    place: str | None
    url: str | None
    source_path: str
    kind: str
    paragraphs: tuple[Paragraph, ...] = field(default=(), repr=False)

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    def body_paragraphs(self, lang: str | None = "en") -> list[Paragraph]:
        """The body paragraphs (no signature blocks, no tables), in `lang` (None: any)."""
        return [p for p in self.paragraphs if p.kind == "body" and (lang is None or p.lang == lang)]


@dataclass(frozen=True)
class Citation:
    """Where a quote comes from."""

    doc_id: str
    short_title: str
    date: dt.date | None
    place: str | None
    section: str | None
    paragraph: int
    url: str | None
    lang: str = "en"

    def date_text(self) -> str | None:
        if not self.date:
            return None
        return f"{self.date.day} {self.date.strftime('%B %Y')}"

    def __str__(self) -> str:
        head = ", ".join(x for x in (self.short_title, self.date_text(), self.place) if x)
        if not self.section:
            where = f"¶{self.paragraph}"
        elif self.section in ROMAN:
            where = f"§{self.section} ¶{self.paragraph}"
        else:  # a named heading, e.g. "Security"
            where = f"“{self.section}” ¶{self.paragraph}"
        suffix = f" ({self.lang})" if self.lang != "en" else ""
        return f"{head} — {where}{suffix}"


@dataclass(frozen=True)
class Hit:
    """One ranked paragraph with the clause inside it that answers the question.

    `quote` is `text[quote_start:quote_end]`, verbatim.
    """

    rank: int
    score: float
    paragraph: Paragraph
    quote_start: int
    quote_end: int
    citation: Citation
    title: str

    @property
    def text(self) -> str:
        return self.paragraph.text

    @property
    def quote(self) -> str:
        return self.paragraph.text[self.quote_start : self.quote_end]

    def to_json(self) -> dict:
        """The hit for machines; "kind" only for a paragraph that is no body text ("signature":
        the signature block a question about signing is answered from)."""
        c = self.citation
        data = {
            "rank": self.rank,
            "score": round(float(self.score), 4),
            "doc_id": c.doc_id,
            "title": self.title,
            "date": c.date.isoformat() if c.date else None,
            "place": c.place,
            "section": c.section,
            "paragraph": c.paragraph,
            "text": self.text,
            "quote": self.quote,
            "citation": str(c),
            "url": c.url,
        }
        if self.paragraph.kind != "body":
            data["kind"] = self.paragraph.kind
        return data


@dataclass(frozen=True)
class Filters:
    """Restrict an answer to some documents. Empty filters match everything."""

    doc_ids: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    places: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.doc_ids or self.years or self.places or self.kinds)

    def describe(self) -> str:
        parts = []
        if self.doc_ids:
            parts.append("document " + ", ".join(self.doc_ids))
        if self.years:
            parts.append("year " + ", ".join(str(y) for y in self.years))
        if self.places:
            parts.append("place " + ", ".join(self.places))
        if self.kinds:
            parts.append("type " + ", ".join(self.kinds))
        return "; ".join(parts)


@dataclass(frozen=True)
class Answer:
    """The engine's answer: ranked hits, or an abstention with the closest matches in `hits`."""

    question: str
    hits: tuple[Hit, ...]
    abstained: bool
    filters: Filters = Filters()
    note: str | None = None

    def to_json(self) -> dict:
        """The answer for machines; "note" (why it abstained, what was not found) only when set."""
        data = {
            "question": self.question,
            "abstained": self.abstained,
            "hits": [hit.to_json() for hit in self.hits],
        }
        if self.note:
            data["note"] = self.note
        return data
