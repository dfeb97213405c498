"""Plain .txt / .md: title from the first line (or the file name), paragraphs by blank lines.

Markdown headings ("# ...") become sections. Hard-wrapped lines inside a paragraph are joined.
A long block wrapped at a fixed width with no blank lines between its paragraphs (text taken
from a PDF, such as the UN General Debate speeches) is cut into paragraphs the way the PDF
records are (see `reflow`); a block with one sentence per line is not.
"""

from __future__ import annotations

import re
from pathlib import Path

from retrieval.errors import ParseError
from retrieval.parsers.common import RawParagraph, build_document, slug
from retrieval.parsers.reflow import ends_sentence, reflow
from retrieval.text import fold
from retrieval.types import Document

_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*$")
TITLE_MAX = 120
MIN_WRAPPED_LINES = 6  # a block this long, with most lines ending mid-sentence, is hard-wrapped


def _hard_wrapped(block: list[str]) -> bool:
    if len(block) < MIN_WRAPPED_LINES:
        return False
    return sum(1 for line in block if ends_sentence(line)) < len(block) / 2


def _title(path: Path, blocks: list[list[str]]) -> tuple[str, list[list[str]]]:
    first = blocks[0]
    head = first[0]
    heading = _MD_HEADING.match(head)
    if heading:
        rest = [first[1:]] if first[1:] else []
        return heading.group(1), rest + blocks[1:]
    if len(first) == 1 and len(head) <= TITLE_MAX and not head.endswith((".", "!", "?", ";", ",")):
        return head, blocks[1:]
    return path.stem.replace("_", " "), blocks


def parse(path: Path, text: str) -> Document:
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines() + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if not blocks:
        raise ParseError(f"{path}: the file is empty")
    title, blocks = _title(path, blocks)
    raw: list[RawParagraph] = []
    section: str | None = None
    for block in blocks:
        heading = _MD_HEADING.match(block[0])
        if heading:
            section = heading.group(1)
            block = block[1:]
        if block and _hard_wrapped(block):
            raw.extend(reflow(block, section))
        elif block:
            raw.append(RawParagraph(text=fold(" ".join(block)), section=section))
    if not raw:
        raise ParseError(f"{path}: no paragraphs after the title")
    return build_document(
        doc_id=slug(path.stem) or "document",
        title=title,
        date=None,
        place=None,
        url=None,
        source_path=str(path),
        raw=raw,
    )
