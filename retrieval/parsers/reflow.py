"""Rebuild paragraphs from PDF-extracted text with hard line wraps.

What the text looks like: lines wrapped at a fixed width, lone page numbers, a blank line at
page breaks (which does not end a paragraph), no paragraph marks, words hyphenated across
lines, headings on lines of their own ("II", "Security", "***"), signature blocks at the end.

A line ends its paragraph when it ends a sentence and the next line's first word would have
fitted on it: a wrapping program would have put it there otherwise. A paragraph also starts
at an indented first line: after a sentence end, a line that wraps early (the word after it
would have fitted) although it ends no sentence was set narrower than the others. The wrap
width is measured per document from lines that certainly wrap (the next line starts in lower
case).

A PDF read with positions (`retrieval.parsers.pdf_layout`) passes a `Layout`: whether each next
word would have fitted is then measured in points rather than characters, and the layout adds
the breaks that only it shows (a vertical gap, an indented first line). The rules are the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.parsers.common import DATE_LINE, SIGNATORY, RawParagraph
from retrieval.text import script_of

_PAGE_NUMBER = re.compile(r"^\s*(?:-\s*)?\d{1,3}(?:\s*-)?\s*$")
_ENDS_SENTENCE = re.compile(r"[.!?:;][\"'”’)\]]*$")
_ROMAN_HEADING = re.compile(r"^(?=[IVX])M{0,3}(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})\.?$")
_STARS = re.compile(r"^\*(?:\s*\*){2,}$")
_LIST_ITEM = re.compile(r"^(?:[-•–—]\s+|\(?[a-z0-9]{1,2}\)\s+)")
_WORD_AT_END = re.compile(r"([A-Za-zА-Яа-яЁё]+)-$")
_WORD_AT_START = re.compile(r"^([A-Za-zА-Яа-яЁё]+)")
_WORDS = re.compile(r"[\w-]+")
FIT_SLACK = 2  # characters: proportional fonts make widths approximate


@dataclass(frozen=True)
class Layout:
    """What the page layout says about a list of lines, measured on the page.

    `fits[i]`: the first word of line i + 1 would have fitted at the end of line i;
    `breaks`: the indices i of lines after which a paragraph surely ends.
    """

    fits: tuple[bool, ...]
    breaks: frozenset[int] = frozenset()


def is_separator(line: str) -> bool:
    """A line of asterisks ("***", "* * *"): the end of a section, no heading of a new one."""
    return bool(_STARS.match(line.strip()))


def ends_sentence(line: str) -> bool:
    return bool(_ENDS_SENTENCE.search(line))


def _first_word(line: str) -> str:
    return line.split(" ", 1)[0]


def wrap_width(lines: list[str]) -> int:
    """The typical length of a full line: the 90th percentile of lines that surely wrap."""
    wrapped = sorted(
        len(a) for a, b in zip(lines, lines[1:]) if b[:1].islower() and not a.endswith("-")
    )
    if not wrapped:
        return max((len(line) for line in lines), default=80)
    return wrapped[int(0.9 * (len(wrapped) - 1))]


def _is_heading(line: str, prev: str | None, nxt: str | None, width: int) -> bool:
    if _ROMAN_HEADING.match(line) or _STARS.match(line):
        return True
    if len(line) > 0.6 * width or _ENDS_SENTENCE.search(line) or line.endswith((",", "-")):
        return False
    if DATE_LINE.match(line) or SIGNATORY.search(line):
        return False
    prev_closed = prev is None or bool(_ENDS_SENTENCE.search(prev))
    next_opens = nxt is not None and nxt[:1].isupper()
    return prev_closed and next_opens and line[:1].isupper() and len(line.split()) <= 8


def _join(left: str, right: str, vocabulary: set[str]) -> str:
    """Join two wrapped lines, deciding what a line-end hyphen was."""
    end = _WORD_AT_END.search(left)
    start = _WORD_AT_START.match(right)
    if end and start:
        a, b = end.group(1), start.group(1)
        if a.islower() and b.islower():
            joined, hyphened = (a + b).lower(), f"{a}-{b}".lower()
            if joined in vocabulary and hyphened not in vocabulary:
                return left[:-1] + right  # a word broken by the wrap: undo the hyphenation
        return left + right  # a compound ("socio-economic", "SCO-Afghanistan"): keep the hyphen
    if left.endswith("-") and right[:1].isdigit():
        return left + right  # ranges such as "2-\n8 September"
    return left + " " + right


def _breaks_after(line: str, nxt: str, fits: bool) -> bool:
    if _LIST_ITEM.match(nxt):
        return True
    a, b = script_of(line), script_of(nxt)
    if a and b and a != b:
        return True
    return bool(_ENDS_SENTENCE.search(line)) and fits


def _next_word_fits(line: str, nxt: str, width: int) -> bool:
    """The first word of `nxt` would have fitted at the end of `line`."""
    return len(line) + 1 + len(_first_word(nxt)) <= width - FIT_SLACK


def _indented(line: str, fits: bool, width: int) -> bool:
    """`line` reads as the indented first line of a paragraph (see the module's docstring);
    `fits`: the word after it would have fitted on it."""
    return line[:1].isupper() and len(line) >= width // 2 and not ends_sentence(line) and not line.endswith("-") and fits


def content_lines(text: str) -> list[str]:
    """The text's lines without page numbers and blank lines, right-stripped."""
    return [
        line.rstrip() for line in text.split("\n") if line.strip() and not _PAGE_NUMBER.match(line)
    ]


def reflow(lines: list[str], first_section: str | None = None, layout: Layout | None = None) -> list[RawParagraph]:
    """Paragraphs with their section (the latest heading) from wrapped content lines."""
    lines = [line.strip() for line in lines]
    width = wrap_width(lines)
    if layout is None:
        layout = Layout(fits=tuple(_next_word_fits(a, b, width) for a, b in zip(lines, lines[1:])))
    vocabulary = {w.lower() for line in lines for w in _WORDS.findall(line)}
    heading = [
        _is_heading(line, lines[i - 1] if i else None, lines[i + 1] if i + 1 < len(lines) else None, width)
        for i, line in enumerate(lines)
    ]
    paragraphs: list[RawParagraph] = []
    section = first_section
    current = ""
    for i, line in enumerate(lines):
        if not current and heading[i]:
            section = None if _STARS.match(line) else line.rstrip(".")
            continue
        current = _join(current, line, vocabulary) if current else line
        last = i + 1 == len(lines)
        if last or heading[i + 1] or i in layout.breaks or _breaks_after(line, lines[i + 1], layout.fits[i]) or (
            ends_sentence(line) and i + 2 < len(lines) and _indented(lines[i + 1], layout.fits[i + 1], width)
        ):
            paragraphs.append(RawParagraph(text=current, section=section))
            current = ""
    return paragraphs
