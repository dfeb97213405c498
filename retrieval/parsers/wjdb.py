""""The World and Japan" database text: a banner, [Title]/[Place]/[Date]/[Source], [Full text].

Paragraphs are separated by one blank line; two or more blank lines start a new section.
When the first block ends with "...declare the following:" it is an unnumbered preamble and
the sections after it are numbered I, II, ...
"""

from __future__ import annotations

import re
from pathlib import Path

from retrieval.errors import ParseError
from retrieval.parsers.common import RawParagraph, build_document, parse_date
from retrieval.types import ROMAN, Document

_FIELD = re.compile(r"^\[(Title|Place|Date|Source|Full text)\]\s*(.*)$")


def looks_like(text: str) -> bool:
    return "[Full text]" in text and "[Title]" in text


def _blocks(body: str) -> list[list[str]]:
    """Groups of paragraphs: a new group after two or more blank lines."""
    groups: list[list[str]] = [[]]
    current: list[str] = []
    blanks = 0
    for line in body.split("\n") + [""]:
        if line.strip():
            if blanks >= 2 and groups[-1]:
                groups.append([])
            current.append(line.strip())
            blanks = 0
            continue
        if current:
            groups[-1].append(" ".join(current))
            current = []
        blanks += 1
    return [g for g in groups if g]


def parse(path: Path, text: str, prefix: str = "") -> Document:
    header, sep, body = text.partition("[Full text]")
    if not sep:
        raise ParseError(f"{path}: no [Full text] marker")
    fields: dict[str, str] = {}
    for line in header.splitlines():
        match = _FIELD.match(line.strip())
        if match:
            fields[match.group(1).lower()] = match.group(2).strip()
    title = fields.get("title")
    if not title:
        raise ParseError(f"{path}: no [Title] line")
    groups = _blocks(body)
    if not groups:
        raise ParseError(f"{path}: [Full text] is empty")
    numbered_from = 1 if len(groups) > 1 and groups[0][-1].rstrip().endswith(":") else 0
    raw: list[RawParagraph] = []
    for index, group in enumerate(groups):
        number = index - numbered_from
        section = ROMAN[number] if len(groups) > 1 and 0 <= number < len(ROMAN) else None
        raw.extend(RawParagraph(text=p, section=section) for p in group)
    date = parse_date(fields.get("date"))
    place = fields.get("place") or None
    return build_document(
        title=title,
        date=date,
        place=place,
        url=fields.get("url") or None,
        source_path=str(path),
        raw=raw,
        prefix=prefix,
    )
