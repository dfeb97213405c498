"""A PDF's text as lines in reading order, with what their position on the page tells.

Works on pdfplumber pages (see `pdf.py`). Steps, for each page:

1. Lines: pdfplumber's clustering of characters on a baseline, with positions in points.
2. Running headers and footers: among the first and last `EDGE_LINES` lines of each page, a
   line whose text (digits masked) recurs there on at least half the pages (and on two) is
   dropped, and so is a lone page number ("3", "– 3 –", "Page 3", "Page 3 of 9").
3. Ruled tables (pdfplumber's table finder, which needs drawn cell borders) are taken out
   of the text and kept whole as one `Table` each. Tables without borders stay text.
4. Two columns: a page whose body has a gutter — a band in the middle third, at least
   `MIN_GUTTER` points wide, that no word crosses, with text on both sides — is read left
   column then right column; lines across the whole width above the columns (a title) come
   first. Three or more columns are not supported: such pages are read line by line across.
5. `layout` tells `reflow` what the page shows: whether the next line's first word would
   have fitted at the end of a line (in points; in justified text, where every line but a
   paragraph's last ends on the right edge, whether the line stops short of it), a vertical
   gap wider than the line spacing, and a first line indented further than the line before.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import Any

from retrieval.parsers import formats_data
from retrieval.parsers.reflow import Layout, ends_sentence
from retrieval.text import fold

EDGE_LINES = 2  # lines at the top and at the bottom of a page that may be a header or footer
MIN_GUTTER = 8.0  # points
MIN_SIDE_WORDS, MIN_SIDE_SHARE = 10, 0.05  # each column holds at least this many words and share of them
MAX_TITLE_LINES = 6  # full-width lines above two columns
GAP_RATIO = 1.18  # a line pitch this much above the usual one is a paragraph gap
INDENT_EMS = 0.5  # an indent of at least half the font size starts a paragraph
FIT_TOLERANCE = 0.5  # points
JUSTIFIED_TOLERANCE = 1.0  # points: a justified line ends this close to the right edge
JUSTIFIED_SHARE = 0.5  # a region is justified when this share of its lines ends on the edge
_LABELS, _OF = ("|".join(map(re.escape, words)) for words in (formats_data.PAGE_LABELS, formats_data.PAGE_OF))
_PAGE_NUMBER = re.compile(rf"^(?:(?:{_LABELS})\s*)?[-–—]?\s*\d{{1,4}}\s*[-–—]?(?:\s*(?:{_OF})\s*\d{{1,4}})?$", re.I)
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Line:
    """One line of text and where it is: points from the page's top left corner."""

    text: str
    x0: float
    x1: float
    top: float
    page: int
    region: str  # "full" (one column), "top" (above two columns), "left", "right"
    size: float  # font size
    space: float  # width of a space
    first_word: float  # width of the first word


@dataclass(frozen=True)
class Table:
    """A ruled table: its rows' cells in order, joined by spaces."""

    text: str
    page: int
    top: float
    x0: float


def _first_word_width(chars: list[dict]) -> float:
    start = end = chars[0]["x0"]
    for char in chars:
        if char["text"].isspace() or char["x0"] - end > char["size"] * 0.15:
            break
        end = char["x1"]
    return end - start


def _line(raw: dict[str, Any], page: int, region: str) -> Line:
    chars = [c for c in raw["chars"] if c["text"]]
    size = statistics.median(c["size"] for c in chars)
    spaces = [c["x1"] - c["x0"] for c in chars if c["text"] == " "]
    return Line(text=raw["text"], x0=raw["x0"], x1=raw["x1"], top=raw["top"], page=page, region=region, size=size,
                space=statistics.median(spaces) if spaces else 0.28 * size, first_word=_first_word_width(chars))


def lines_of(page: Any, number: int, region: str = "full") -> list[Line]:
    raw = page.extract_text_lines(strip=True, return_chars=True)
    return [_line(r, number, region) for r in raw if r["text"].strip() and any(c["text"] for c in r["chars"])]


def _key(text: str) -> str:
    return _DIGITS.sub("#", fold(text).lower())


def running_lines(pages: list[list[Line]]) -> set[str]:
    """Texts (digits masked) that recur at the top or bottom of at least half of the pages."""
    counts: dict[str, int] = {}
    for lines in pages:
        for key in {_key(line.text) for line in lines[:EDGE_LINES] + lines[-EDGE_LINES:]}:
            counts[key] = counts.get(key, 0) + 1
    needed = max(2, (len(pages) + 1) // 2)
    return {key for key, count in counts.items() if count >= needed}


def body_bounds(lines: list[Line], running: set[str], height: float) -> tuple[float, float] | None:
    """The band of the page between its running header and footer (and page numbers);
    None when nothing else is on the page."""
    def furniture(i: int) -> bool:
        edge = i < EDGE_LINES or i >= len(lines) - EDGE_LINES
        return edge and (_key(lines[i].text) in running or bool(_PAGE_NUMBER.match(lines[i].text.strip())))
    kept = [i for i in range(len(lines)) if not furniture(i)]
    if not kept:
        return None
    first, last = kept[0], kept[-1]
    top = (lines[first - 1].top + lines[first - 1].size + lines[first].top) / 2 if first else 0.0
    bottom = (lines[last].top + lines[last].size + lines[last + 1].top) / 2 if last + 1 < len(lines) else height
    return top, bottom


def _free_run(words: list[dict], width: float) -> tuple[float, float] | None:
    """The widest band in the middle third of the page that no word crosses."""
    lo, hi = int(width / 3), int(2 * width / 3)
    blocked = bytearray(hi - lo)
    for word in words:
        for x in range(max(lo, int(word["x0"])), min(hi, int(word["x1"]) + 1)):
            blocked[x - lo] = 1
    best, start = None, None
    for x, taken in enumerate(list(blocked) + [1]):
        if not taken and start is None:
            start = x
        elif taken and start is not None:
            if best is None or x - start > best[1] - best[0]:
                best = (start, x)
            start = None
    return (lo + best[0], lo + best[1]) if best else None


def gutter(words: list[dict], width: float) -> float | None:
    """The x of a gutter between two columns, if these words are set in two columns."""
    run = _free_run(words, width)
    if not run or run[1] - run[0] < MIN_GUTTER:
        return None
    left = sum(1 for w in words if w["x1"] <= run[0])
    right = sum(1 for w in words if w["x0"] >= run[1])
    share = max(MIN_SIDE_WORDS, MIN_SIDE_SHARE * len(words))
    return (run[0] + run[1]) / 2 if left >= share and right >= share else None


def columns(page: Any, lines: list[Line]) -> tuple[float, float] | None:
    """(y where two columns start, x of their gutter), or None for a page in one column."""
    words = page.extract_words()
    if not words or not lines:
        return None
    cuts = [lines[0].top - 1] + [lines[i + 1].top - 0.5 for i in range(min(MAX_TITLE_LINES, len(lines) - 1))]
    for cut in cuts:
        below = [w for w in words if w["top"] >= cut]
        if len(below) < len(words) / 2:
            return None
        x = gutter(below, page.width)
        if x is not None:
            return cut, x
    return None


@dataclass(frozen=True)
class _Column:
    left: float  # the usual left edge: the commonest x0
    right: float  # the right edge of full lines
    justified: bool  # most lines end on the right edge


def _columns(lines: list[Line]) -> dict[str, _Column]:
    """What the lines of each region have in common."""
    found = {}
    for region in {line.region for line in lines}:
        own = [line for line in lines if line.region == region]
        rights = sorted(line.x1 for line in own)
        right = rights[int(0.95 * (len(rights) - 1))]
        flush = sum(1 for line in own if right - line.x1 <= JUSTIFIED_TOLERANCE)
        found[region] = _Column(left=statistics.mode(round(line.x0) for line in own), right=right,
                                justified=flush >= JUSTIFIED_SHARE * len(own))
    return found


def _fits(a: Line, b: Line, column: _Column) -> bool:
    """Line `a` ended early: `b`'s first word would have fitted (or, in justified text, `a` stops
    short of the right edge, which only a paragraph's last line does)."""
    room = column.right - a.x1
    if column.justified:
        return room > JUSTIFIED_TOLERANCE
    return room + FIT_TOLERANCE >= a.space + b.first_word


def _pitch(lines: list[Line]) -> float:
    steps = [b.top - a.top for a, b in zip(lines, lines[1:]) if (a.page, a.region) == (b.page, b.region) and b.top > a.top]
    return statistics.median(steps) if steps else 0.0


def layout(lines: list[Line]) -> Layout:
    """What the page says about each pair of consecutive lines (see the module's docstring)."""
    columns = _columns(lines)
    pitch = _pitch(lines)
    fits, breaks = [], set()
    for i, (a, b) in enumerate(zip(lines, lines[1:])):
        fits.append(_fits(a, b, columns[a.region]))
        same_column = (a.page, a.region) == (b.page, b.region)
        gap = same_column and b.top - a.top > GAP_RATIO * pitch
        indent_a = max(0.0, a.x0 - columns[a.region].left)
        indent = (b.x0 - columns[b.region].left) - indent_a >= INDENT_EMS * b.size and ends_sentence(a.text)
        if gap or indent:
            breaks.add(i)
    return Layout(fits=tuple(fits), breaks=frozenset(breaks))
