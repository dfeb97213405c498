"""A document's title, date, place and URL: from the file, from its text, from a sidecar.

A sidecar is a JSON file next to a document that overrides what the file says:
`NAME.meta.json` (the document's name without its suffix, `declaration.meta.json` for
`declaration.pdf`) or, when two documents share a name, `NAME.SUFFIX.meta.json`
(`declaration.pdf.meta.json`), which wins. Keys, all optional: "title", "date" (ISO,
"2024-07-04"), "place", "url". A sidecar is never itself a document.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

from retrieval.errors import ParseError
from retrieval.lang import en
from retrieval.parsers.common import DATE_LINE, kind_of_title, make_doc_id, parse_date, short_title
from retrieval.text import fold
from retrieval.types import Document

SIDECAR_SUFFIX = ".meta.json"
MAX_SIDECAR_BYTES = 64 * 1024
_MONTH_RE = "|".join(en.MONTHS)
_DATE_IN_LINE = re.compile(rf"\d{{1,2}}\s+(?:{_MONTH_RE})\s+\d{{4}}|(?:{_MONTH_RE})\s+\d{{1,2}},?\s+\d{{4}}")
_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Metadata:
    """What is known about a document; None where unknown."""

    title: str | None = None
    date: dt.date | None = None
    place: str | None = None
    url: str | None = None

    def over(self, other: Metadata) -> Metadata:
        """These values where set, `other`'s elsewhere."""
        return Metadata(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


def is_sidecar(path: Path) -> bool:
    return Path(path).name.lower().endswith(SIDECAR_SUFFIX)


def sidecar_names(path: Path) -> tuple[Path, Path]:
    """Where the sidecars of the document at `path` may be, the one that applies first:
    `decl.pdf.meta.json`, then `decl.meta.json`."""
    path = Path(path)
    return path.with_name(path.name + SIDECAR_SUFFIX), path.with_name(path.stem + SIDECAR_SUFFIX)


def sidecar_path(path: Path) -> Path | None:
    """The sidecar that applies to the document at `path`, if there is one."""
    for candidate in sidecar_names(path):
        if candidate != Path(path) and candidate.is_file():
            return candidate
    return None


def read_sidecar(path: Path) -> Metadata:
    """The metadata in the sidecar `path`; ParseError naming it when it is not as documented."""
    try:
        data = path.read_bytes()
        if len(data) > MAX_SIDECAR_BYTES:
            raise ParseError(f"{path}: a metadata sidecar larger than {MAX_SIDECAR_BYTES // 1024} KiB")
        record = json.loads(data.decode("utf-8-sig"))
    except OSError as exc:
        raise ParseError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ParseError(f"{path}: the metadata sidecar is not valid UTF-8 JSON") from exc
    if not isinstance(record, dict):
        raise ParseError(f"{path}: the metadata sidecar must be a JSON object")
    known = {f.name for f in fields(Metadata)}
    unknown = sorted(set(record) - known)
    if unknown:
        raise ParseError(f"{path}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    bad = [k for k, v in record.items() if v is not None and (not isinstance(v, str) or not v.strip())]
    if bad:
        raise ParseError(f"{path}: key(s) {', '.join(bad)} must be non-empty text")
    date = parse_date(record.get("date"))
    if record.get("date") and date is None:
        raise ParseError(f"{path}: date {record['date']!r} is not a date such as 2024-07-04")
    return Metadata(title=_text(record.get("title")), date=date, place=_text(record.get("place")),
                    url=_text(record.get("url")))


def _text(value: str | None) -> str | None:
    return fold(value) if value else None


def date_of(value: str | None) -> dt.date | None:
    """A date from metadata text: ISO ('2012-06-07T00:00:00+08:00' too) or a written date."""
    if not value:
        return None
    iso = _ISO_DATE.match(value.strip())
    return parse_date(iso.group(1) if iso else value)


def closing_date_place(texts: list[str]) -> Metadata:
    """Date and place from a closing "June 7, 2012, Beijing" / "New Delhi, 4 July 2023" line
    among the last paragraphs of a text."""
    for text in reversed(texts[-12:]):
        folded = fold(text)
        if not DATE_LINE.match(folded):
            continue
        found = _DATE_IN_LINE.search(folded)
        if not found:
            continue
        place = (folded[: found.start()] + folded[found.end():]).strip(" ,.")
        return Metadata(date=parse_date(found.group(0)), place=place or None)
    return Metadata()


def apply(doc: Document, meta: Metadata, prefix: str = "") -> Document:
    """`doc` with the sidecar's values; its id is made again when the title, date or place changed."""
    merged = meta.over(Metadata(title=doc.title, date=doc.date, place=doc.place, url=doc.url))
    kind = kind_of_title(merged.title)
    changed = (merged.title, merged.date, merged.place) != (doc.title, doc.date, doc.place)
    doc_id = make_doc_id(merged.date, merged.place, kind, Path(doc.source_path).stem) if changed else doc.doc_id
    paragraphs = doc.paragraphs if doc_id == doc.doc_id else tuple(replace(p, doc_id=doc_id) for p in doc.paragraphs)
    return replace(doc, doc_id=doc_id, title=merged.title, short_title=short_title(merged.title, merged.place, kind, prefix),
                   date=merged.date, place=merged.place, url=merged.url, kind=kind, paragraphs=paragraphs)
