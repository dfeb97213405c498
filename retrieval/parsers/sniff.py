"""Which format a file is in: by its first bytes, then by its name.

The rule (see docs/corpus.md): binary formats are recognised by their content whatever the
file is called, since their signatures cannot be mistaken — a PDF starts with `%PDF-`
(ISO 32000-1, 7.5.2: within the first 1024 bytes), a DOCX is a zip archive (`PK\\x03\\x04`)
holding `word/document.xml` (checked by `word.py`). So a PDF named `.docx` is read as the PDF
it is. A file *named* `.pdf` or `.docx` whose content is not that binary format is an error
rather than a text document: such a file is usually an HTML error page saved in place of a
download. Text files are UTF-8; among them HTML is told by its suffix or by starting with
`<!DOCTYPE html` or `<html`.
"""

from __future__ import annotations

import re
from pathlib import Path

from retrieval.errors import ParseError

PDF, DOCX, TEXT = "pdf", "docx", "text"
BINARY_SUFFIXES = {".pdf": PDF, ".docx": DOCX}
HTML_SUFFIXES = (".html", ".htm")
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Word .doc, .xls: Compound File Binary
_HTML_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)


def binary_kind(path: Path, data: bytes) -> str:
    """PDF, DOCX or TEXT for the bytes of `path`; ParseError for a format QuoteBot cannot read."""
    if PDF_MAGIC in data[:1024]:
        return PDF
    if data.startswith(ZIP_MAGIC):
        return DOCX  # word.py checks that the archive is a Word document
    if data.startswith(OLE_MAGIC):
        raise ParseError(f"{path}: an old binary Office file (.doc); save it as .docx or PDF")
    named = BINARY_SUFFIXES.get(path.suffix.lower())
    if named:
        raise ParseError(f"{path}: named {path.suffix} but is not a {named.upper()} file ({describe(data)})")
    return TEXT


def describe(data: bytes) -> str:
    """What the bytes look like, for an error message."""
    head = data[:2048].decode("utf-8", "replace")
    if _HTML_START.match(head) or "<html" in head.lower():
        return "it holds an HTML page"
    if data.startswith(b"{") or data.startswith(b"["):
        return "it holds JSON"
    if not data.strip():
        return "it is empty"
    printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in data[:2048])
    return "it holds text" if printable > 0.95 * min(len(data), 2048) else "unknown binary content"


def is_html(path: Path, text: str) -> bool:
    return path.suffix.lower() in HTML_SUFFIXES or bool(_HTML_START.match(text[:4096]))
