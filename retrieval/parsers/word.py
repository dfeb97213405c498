"""Word .docx files, read with python-docx (MIT licence).

A .docx is a zip archive. Before python-docx opens it, the archive's directory is checked: at
most `MAX_MEMBERS` members and `MAX_UNCOMPRESSED` bytes once unpacked, as the members declare
(Python's zipfile never inflates a member past its declared size, so a zip bomb that lies about
its sizes fails its CRC check instead of filling memory), and a `word/document.xml` part.
python-docx parses the XML with entity expansion off (no "billion laughs") and lxml's default
limits on depth and text size.

Paragraphs and headings are those of the file, in order: the first paragraph in Word's "Title"
style is the title (else the core property title, else the file name); "Heading N" paragraphs
start sections and a "***" paragraph ends one (as in `reflow`); every other non-empty paragraph is a paragraph. Tables become one paragraph of
kind "table" each (never an answer). Date and place come from a closing "June 7, 2012,
Beijing" paragraph; the URL from the core property "identifier" when it is one.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.table import Table as DocxTable

from retrieval.errors import ParseError
from retrieval.parsers import formats_data as names
from retrieval.parsers.common import RawParagraph, build_document
from retrieval.parsers.metadata import closing_date_place
from retrieval.parsers.reflow import is_separator
from retrieval.text import fold
from retrieval.types import Document

MAX_MEMBERS = 10_000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAIN_PART = "word/document.xml"


def check_archive(path: Path, data: bytes) -> None:
    """ParseError unless `data` is a zip archive of reasonable size holding a Word document."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        raise ParseError(f"{path}: a damaged or truncated zip archive ({exc})") from exc
    if len(members) > MAX_MEMBERS:
        raise ParseError(f"{path}: a zip archive of more than {MAX_MEMBERS} files; refused")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNCOMPRESSED:
        raise ParseError(f"{path}: would unpack to {unpacked // (1024 * 1024)} MiB (more than "
                         f"{MAX_UNCOMPRESSED // (1024 * 1024)} MiB; a zip bomb?); refused")
    if MAIN_PART not in {member.filename for member in members}:
        raise ParseError(f"{path}: a zip archive, but not a Word document (no {MAIN_PART})")


def _style(paragraph: Any) -> str:
    try:
        return (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    except (KeyError, ValueError, AttributeError):  # a style id the styles part does not define
        return ""


def _table_text(table: DocxTable) -> str:
    cells = []
    for row in table.rows:
        for cell in row.cells:
            text = fold(cell.text)
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
    return " ".join(cells)


def _read(word: Any) -> tuple[str | None, list[RawParagraph]]:
    title: str | None = None
    section: str | None = None
    raw: list[RawParagraph] = []
    for block in word.iter_inner_content():
        if isinstance(block, DocxTable):
            text = _table_text(block)
            if text:
                raw.append(RawParagraph(text=text, section=section, kind="table"))
            continue
        text, style = fold(block.text), _style(block)
        if not text or style in names.DOCX_SKIPPED_STYLES:
            continue
        if style in names.DOCX_TITLE_STYLES and title is None and not raw:
            title = text
        elif is_separator(text):
            section = None
        elif style.startswith(names.DOCX_HEADING_PREFIX):
            section = text
        else:
            raw.append(RawParagraph(text=text, section=section))
    return title, raw


def parse(path: Path, data: bytes, prefix: str = "") -> Document:
    check_archive(path, data)
    try:
        word = docx.Document(io.BytesIO(data))
        title, raw = _read(word)
        core = word.core_properties
        core_title, identifier = fold(core.title or ""), (core.identifier or "").strip()
    except Exception as exc:  # noqa: BLE001 - a hostile file can make the library raise anything
        raise ParseError(f"{path}: cannot read the Word document ({type(exc).__name__}: {str(exc)[:120]})") from exc
    if not raw:
        raise ParseError(f"{path}: no paragraphs in the Word document")
    found = closing_date_place([p.text for p in raw if p.kind == "body"])
    return build_document(title=title or core_title or path.stem.replace("_", " "), date=found.date, place=found.place,
                          url=identifier if identifier.startswith(("http://", "https://")) else None,
                          source_path=str(path), raw=raw, prefix=prefix)
