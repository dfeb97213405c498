"""JSON records of the SCO Secretariat's documents (title, date, place_of_signing, url, text).

The text is PDF-extracted; see `reflow` for how paragraphs are rebuilt. The leading lines that
repeat the title are dropped (the title is metadata). A place missing from the record is
looked up in the closing "Place, date" line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from retrieval.errors import ParseError
from retrieval.lang import en
from retrieval.parsers.common import (
    DATE_LINE,
    build_document,
    parse_date,
    repeats_title,
)
from retrieval.parsers.reflow import content_lines, reflow
from retrieval.types import Document

_PAREN_DATELINE = re.compile(r"^\(([A-Z][\w\- ]+),\s*[\d\-– ]+\w+ \d{4}\)$")
_HELD_IN = re.compile(r"\bwas held in ([A-Z][a-z]+(?:[- ][A-Z][a-z]+)?)\b")
REQUIRED = ("title", "text")
OPTIONAL = ("date", "place_of_signing", "url", "pdf_url")  # strings when present


def _title_lines(lines: list[str], title: str) -> int:
    """How many leading lines only repeat the title (plus a '(Place, date)' line after them)."""
    taken = repeats_title(lines, title)
    if taken and taken < len(lines) and _PAREN_DATELINE.match(lines[taken].strip()):
        taken += 1
    return taken


def _held_in(first_paragraph: str) -> str | None:
    """The meeting place the text itself states ("... was held in Dushanbe ...").

    Records' `place_of_signing` is sometimes wrong (the 2018 Heads of Government communiqué
    says Qingdao; its text says the meeting was held in Dushanbe): the text wins.
    """
    match = _HELD_IN.search(first_paragraph)
    return match.group(1) if match else None


def _closing_place(lines: list[str]) -> str | None:
    for line in reversed(lines[-40:]):
        if DATE_LINE.match(line.strip()) and "," in line:
            head = line.split(",", 1)[0].strip()
            if head and not head[0].isdigit() and head.split()[0] not in en.MONTHS:
                return head
    return None


def parse(path: Path, text: str, prefix: str = "") -> Document:
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    except RecursionError as exc:
        raise ParseError(f"{path}: not valid JSON (nested too deeply)") from exc
    if not isinstance(record, dict):
        raise ParseError(f"{path}: expected a JSON object with 'title' and 'text'")
    missing = [key for key in REQUIRED if not isinstance(record.get(key), str) or not record[key].strip()]
    if missing:
        raise ParseError(f"{path}: missing or empty field(s): {', '.join(missing)}")
    mistyped = [key for key in OPTIONAL if record.get(key) is not None and not isinstance(record[key], str)]
    if mistyped:
        raise ParseError(f"{path}: field(s) {', '.join(mistyped)} must be text, got "
                         f"{', '.join(type(record[k]).__name__ for k in mistyped)}")
    title = record["title"]
    lines = content_lines(record["text"])
    body = lines[_title_lines(lines, title) :]
    raw = reflow(body)
    if not raw:
        raise ParseError(f"{path}: no paragraphs in 'text'")
    date = parse_date(record.get("date"))
    place = _held_in(raw[0].text) or record.get("place_of_signing") or _closing_place(body)
    return build_document(
        title=title,
        date=date,
        place=place,
        url=record.get("url") or record.get("pdf_url") or None,
        source_path=str(path),
        raw=raw,
        prefix=prefix,
    )


def looks_like(text: str) -> bool:
    return text.lstrip().startswith("{")
