"""PDF files with a text layer, read with pdfplumber (MIT licence; built on pdfminer.six).

Why pdfplumber: it gives each line with its position and its characters' sizes, which is what
finding running headers, columns and paragraph breaks needs, and it finds ruled tables; pypdf
gives text without positions, and pdfminer.six alone has no line clustering or table finder.
It is pure Python, so a hostile file can make it slow or raise, not crash the process: every
error it raises becomes one `ParseError` naming the file. What it does not bound is checked
first: a file must end with %%EOF (else it is truncated), and its compressed streams may not
inflate to more than `MAX_INFLATED` (pdfminer inflates each stream whole, in memory).

`pdf_layout` turns the pages into lines in reading order (headers, footers and page numbers
dropped; two columns read one after the other), and `reflow` rebuilds the paragraphs with the
layout's measurements. The title is the PDF's own /Title when it names the document (else the
large type at the top of page one, else the file name); the leading lines that repeat it or
are set in that large type are dropped. Date and place come from a closing "June 7, 2012, Beijing" line. Ruled tables
are kept as paragraphs of kind "table", which are never answers.
A PDF without a text layer (a scan) is an error, never an empty document, and so is one whose
fonts have no map to characters (its text would read "(cid:12)(cid:7)...").
"""

from __future__ import annotations

import io
import re
import statistics
import zlib
from pathlib import Path
from typing import Any

import pdfplumber

from retrieval.errors import ParseError
from retrieval.parsers import formats_data, pdf_layout
from retrieval.parsers.common import RawParagraph, build_document, repeats_title
from retrieval.parsers.metadata import closing_date_place
from retrieval.parsers.pdf_layout import Line, Table
from retrieval.parsers.reflow import ends_sentence, reflow
from retrieval.text import fold
from retrieval.types import Document

MAX_PAGES = 2000
MAX_INFLATED = 256 * 1024 * 1024  # bytes, all streams together
INFLATE_CHUNK = 1024 * 1024
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
EOF_WINDOW = 4096  # %%EOF must be within the last bytes (ISO 32000-1, 7.5.5, allows some trailing junk)
CAPTION_WORDS = 8
UNMAPPED_SHARE = 0.5
TITLE_SIZE_RATIO = 1.15  # title lines are set at least this much larger than the body


def _check_complete(path: Path, data: bytes) -> None:
    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise ParseError(f"{path}: a truncated or damaged PDF (no end-of-file marker)")
    if inflated_size(data, MAX_INFLATED) > MAX_INFLATED:
        raise ParseError(f"{path}: its compressed streams would inflate to more than "
                         f"{MAX_INFLATED // (1024 * 1024)} MiB (a decompression bomb?); refused")


def inflated_size(data: bytes, cap: int) -> int:
    """How many bytes the Flate-compressed streams of a PDF inflate to, counted up to just past
    `cap` a chunk at a time (pdfminer inflates each stream whole, with no limit)."""
    total, pos = 0, 0
    while total <= cap and (found := _STREAM.search(data, pos)):
        end = data.find(b"endstream", found.end())
        end = len(data) if end < 0 else end
        inflater, pending = zlib.decompressobj(), data[found.end():end]
        try:
            while pending and total <= cap:
                total += len(inflater.decompress(pending, INFLATE_CHUNK))
                pending = inflater.unconsumed_tail
        except zlib.error:
            pass  # not Flate data (an image, another filter): pdfminer's limits are those of the file
        pos = end + len(b"endstream")
    return total


def _reason(exc: BaseException) -> str:
    """pdfplumber wraps pdfminer's errors: name the original one."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    name = type(inner).__name__
    if "Password" in name or "Encrypt" in name:
        return "encrypted: it needs a password to be read"
    detail = str(inner).strip()
    return f"cannot read the PDF ({name}{': ' + detail[:120] if detail else ''})"


def _read(pdf: Any) -> tuple[list[Line | Table], dict]:
    if len(pdf.pages) > MAX_PAGES:
        raise ValueError(f"more than {MAX_PAGES} pages")
    pages = [pdf_layout.lines_of(page, n) for n, page in enumerate(pdf.pages, 1)]
    running = pdf_layout.running_lines(pages)
    items: list[Line | Table] = []
    for number, (page, lines) in enumerate(zip(pdf.pages, pages), 1):
        bounds = pdf_layout.body_bounds(lines, running, page.height)
        if bounds:
            items.extend(_read_page(page.within_bbox((0, bounds[0], page.width, bounds[1]), strict=False), number))
        page.close()  # let go of the page's parsed objects
    return items, dict(pdf.metadata or {})


def _inside(obj: dict, boxes: list[tuple]) -> bool:
    return any(b[0] <= obj["x0"] and obj["x1"] <= b[2] and b[1] <= obj["top"] and obj["bottom"] <= b[3] for b in boxes)


def _read_page(body: Any, number: int) -> list[Line | Table]:
    """The body of one page in reading order: lines of each column, tables where they stand."""
    found = body.find_tables()
    boxes = [t.bbox for t in found]
    tables = [Table(text=_table_text(t), page=number, top=t.bbox[1], x0=t.bbox[0]) for t in found]
    text = body.filter(lambda obj: not _inside(obj, boxes)) if boxes else body
    split = pdf_layout.columns(text, pdf_layout.lines_of(text, number))
    if split is None:
        regions = [("full", text)]
    else:
        cut, x = split
        top, bottom = body.bbox[1], body.bbox[3]
        regions = [("top", text.within_bbox((0, top, body.width, cut), strict=False)),
                   ("left", text.within_bbox((0, cut, x, bottom), strict=False)),
                   ("right", text.within_bbox((x, cut, body.width, bottom), strict=False))]
    items: list[Line | Table] = []
    for name, region in regions:
        own = [t for t in tables if _region_of(t, split) == name]
        items.extend(sorted(pdf_layout.lines_of(region, number, name) + own, key=lambda item: item.top))
    return items


def _region_of(table: Table, split: tuple[float, float] | None) -> str:
    if split is None:
        return "full"
    return "top" if table.top < split[0] else "left" if table.x0 < split[1] else "right"


def _table_text(table: Any) -> str:
    cells = [fold(cell) for row in table.extract() for cell in row if cell]
    return " ".join(c for c in cells if c)


def _placeholder(title: str) -> bool:
    lowered = title.strip().lower()
    return (not lowered or lowered in formats_data.PDF_PLACEHOLDER_TITLES
            or lowered.startswith(formats_data.PDF_TITLE_PREFIXES) or lowered.endswith(formats_data.FILE_NAME_ENDINGS))


def _metadata_title(info: dict) -> str | None:
    title = info.get("Title")
    if isinstance(title, bytes):
        title = title.decode("utf-8", "replace")
    return fold(title) if isinstance(title, str) and not _placeholder(title) else None


def _large_type(lines: list[Line]) -> list[str]:
    """The lines at the top of page one set in type clearly larger than the body's."""
    if len(lines) < 2:
        return []
    body = statistics.median(line.size for line in lines)
    head = []
    for line in lines:
        if line.page != 1 or line.size < TITLE_SIZE_RATIO * body:
            break
        head.append(line.text)
    return head


def _paragraphs(items: list[Line | Table], skip: int) -> list[RawParagraph]:
    """Reflow each run of lines between tables, less the first `skip` lines (the title); a
    table is one paragraph of kind "table"."""
    raw: list[RawParagraph] = []
    run: list[Line] = []
    title = set(id(line) for line in [item for item in items if isinstance(item, Line)][:skip])
    for item in [item for item in items if id(item) not in title] + [None]:
        if isinstance(item, Line):
            run.append(item)
            continue
        if run:
            section = raw[-1].section if raw else None
            raw.extend(reflow([line.text for line in run], section, pdf_layout.layout(run)))
            run = []
        if isinstance(item, Table) and item.text:
            caption = raw.pop().text + " " if raw and _caption(raw[-1].text) else ""
            raw.append(RawParagraph(text=caption + item.text, section=raw[-1].section if raw else None, kind="table"))
    return raw


def unmapped(lines: list[Line]) -> bool:
    """Most lines show pdfminer's "(cid:N)" placeholders: fonts without a map to Unicode."""
    return sum("(cid:" in line.text for line in lines) > UNMAPPED_SHARE * len(lines)


def _caption(text: str) -> bool:
    """A short line with no sentence end just before a table ("Annex", "Table 1: Members")."""
    return len(text.split()) <= CAPTION_WORDS and not ends_sentence(text)


def parse(path: Path, data: bytes, prefix: str = "") -> Document:
    _check_complete(path, data)
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            items, info = _read(pdf)
    except ParseError:
        raise
    except Exception as exc:  # noqa: BLE001 - a hostile file can make the library raise anything
        raise ParseError(f"{path}: {_reason(exc)}") from exc
    lines = [item for item in items if isinstance(item, Line)]
    if not lines:
        raise ParseError(f"{path}: no text layer (scanned PDF?)")
    if unmapped(lines):
        raise ParseError(f"{path}: its fonts have no map to characters (the text reads as (cid:N) codes)")
    head = _large_type(lines)
    title = _metadata_title(info) or fold(" ".join(head)) or None
    skip = max(len(head), repeats_title([line.text for line in lines], title) if title else 0)
    raw = _paragraphs(items, skip)
    if not raw:
        raise ParseError(f"{path}: no paragraphs in the PDF's text")
    found = closing_date_place([p.text for p in raw])
    return build_document(title=title or path.stem.replace("_", " "), date=found.date, place=found.place, url=None,
                          source_path=str(path), raw=raw, prefix=prefix)
