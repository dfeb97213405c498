"""Plain .txt / .md: title from the first line (or the file name), paragraphs by blank lines.

Markdown headings ("# ...") become sections. Hard-wrapped lines inside a paragraph are joined.
A long block wrapped at a fixed width with no blank lines between its paragraphs (text taken
from a PDF, such as the UN General Debate speeches) is cut into paragraphs the way the PDF
records are (see `reflow`); a block with one sentence per line is not. A block whose lines are
mostly longer than any hard wrap (LONG_LINE), each ending a sentence, holds one paragraph per line
(the UN General Debate speeches of 2020-2023 are written so), as does any block too long to be one
paragraph (LONG_BLOCK: speeches written a sentence a line).
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
LONG_LINE = 200  # characters: wider than any hard wrap seen (the corpus's are 50 to 100)
LONG_BLOCK = 3000  # characters: 1 of the 1,037 paragraphs of the shipped declarations is longer


def _hard_wrapped(block: list[str]) -> bool:
    if len(block) < MIN_WRAPPED_LINES:
        return False
    return sum(1 for line in block if ends_sentence(line)) < len(block) / 2


def _line_per_paragraph(block: list[str]) -> bool:
    """Lines that are paragraphs: most of them long and ending a sentence, or too many to join."""
    if len(block) < 2:
        return False
    if sum(len(line) + 1 for line in block) > LONG_BLOCK:
        return True
    long_lines = sum(1 for line in block if len(line) > LONG_LINE)
    ended = sum(1 for line in block if ends_sentence(line))
    return long_lines >= len(block) / 2 and ended >= len(block) / 2


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
        elif block and _line_per_paragraph(block):
            raw.extend(RawParagraph(text=fold(line), section=section) for line in block)
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
