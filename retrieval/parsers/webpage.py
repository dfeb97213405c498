"""HTML pages: the main content's paragraphs, read with selectolax (MIT; the Lexbor HTML5 parser).

Why selectolax: a real HTML5 parser (browsers' error recovery), fast, in C, with CSS selectors
and an iterative tree walk, so deep trees cost no Python recursion; BeautifulSoup adds a second
tree in Python and trafilatura brings many dependencies for rules we can state in a few lines.

The rule for the main content:
1. Elements that never hold it go first: scripts, styles, forms, navigation, asides, and
   anything with a landmark role of page furniture or marked hidden (`formats_data`).
2. The container is the innermost `<main>`, `role="main"` or `<article>` holding at least 80%
   of the paragraph text of the fullest one (an article inside `<main>`, without the
   breadcrumbs around it); without any, the element holding the most paragraph text (each `<p>`
   and `<li>` counts for its parent, and half for its grandparent: Readability's rule).
   A `<header>` stays (inside an article it holds the title); `<footer>` goes.
3. Paragraphs are `<p>` and `<li>` (their own text: a nested list is its own paragraphs);
   `<br>` is a line break; a paragraph that is mostly link text (breadcrumbs, "read more")
   is dropped. Text outside `<p>`/`<li>` is not read. Headings `<h2>`–`<h6>` start sections
   and a "***" paragraph or heading ends one (as in `reflow`); an `<h1>` before the first
   paragraph is the page's heading (the title when the metadata has none), never a section.
4. Metadata: title from Open Graph / Dublin Core `<meta>`, else the `<h1>`, else `<title>`;
   date from `<meta>` (article:published_time, date, dc.date ...) or a `<time datetime>`;
   place from `<meta name="geo.placename">`; URL from `<link rel="canonical">` or og:url; date
   and place otherwise from a closing "June 7, 2012, Beijing" paragraph.

Bounds: Lexbor's tree building slows down quadratically with the nesting depth and with the
number of attributes of one tag, so both are measured first with a linear scan of the tags,
and a page nested deeper than `MAX_DEPTH` or with a tag of more than `MAX_ATTRIBUTES` is
refused (the file size is bounded by `parse_file`).
"""

from __future__ import annotations

import re
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from retrieval.errors import ParseError
from retrieval.parsers import formats_data as names
from retrieval.parsers.common import RawParagraph, build_document, repeats_title
from retrieval.parsers.metadata import Metadata, closing_date_place, date_of
from retrieval.parsers.reflow import is_separator
from retrieval.text import fold
from retrieval.types import Document

MAX_DEPTH = 512  # Blink's HTML parser stops nesting at 512 elements as well
MAX_ATTRIBUTES = 1000  # per tag; Lexbor checks attribute names pairwise (quadratic)
INNERMOST_SHARE = 0.8  # of nested <main> / <article>, the innermost that holds this share of the text
MAX_LINK_SHARE = 0.5  # a paragraph with more of its text in links than this is navigation
_TAG = re.compile(rb"<(/?)([a-z][a-z0-9:-]*)(.*?)(/?)>", re.S)
_QUOTED = re.compile(rb"\"[^\"]*\"|'[^']*'")
# Elements that nest without an end tag being required: void elements and those whose end tag
# is optional (HTML Living Standard 13.1.2.4); the depth scan does not count them.
_NOT_NESTING = frozenset(b"""area base br col embed hr img input link meta source track wbr p li dt dd option optgroup
    rt rp tr td th thead tbody tfoot colgroup caption html head body""".split())
# Elements whose content is text, not tags (13.1.2: raw text and escapable raw text elements).
_RAW_TEXT = frozenset(b"script style template textarea title xmp iframe noembed noframes noscript".split())
_UNITS = frozenset(names.PARAGRAPH_TAGS + names.HEADING_TAGS)


def _tags(data: bytes):
    """(closing, name, attributes, self-closing) of each tag, skipping comments and the content
    of script-like elements. Linear: every search starts where the previous one ended."""
    text, pos = data.lower(), 0
    while (start := text.find(b"<", pos)) >= 0:
        if text.startswith(b"<!--", start):
            end = text.find(b"-->", start + 4)
            pos = len(text) if end < 0 else end + 3
            continue
        end = text.find(b">", start)
        if end < 0:
            return
        pos = end + 1
        match = _TAG.fullmatch(text, start, pos)
        if not match:
            continue
        closing, name, attributes, self_closing = match.groups()
        yield bool(closing), name, attributes, bool(self_closing)
        if not closing and name in _RAW_TEXT:
            end = text.find(b"</" + name, pos)
            pos = len(text) if end < 0 else end


def nesting_depth(data: bytes, limit: int = MAX_DEPTH) -> int:
    """The deepest nesting of elements that need an end tag; stops counting past `limit`."""
    depth = deepest = 0
    for closing, name, _attributes, self_closing in _tags(data):
        if name in _NOT_NESTING or self_closing:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
        if deepest > limit:
            break
    return deepest


def markup_problem(data: bytes) -> str | None:
    """Why the page is refused before parsing (too deep, a tag with too many attributes), or None."""
    if nesting_depth(data) > MAX_DEPTH:
        return f"HTML nested more than {MAX_DEPTH} elements deep"
    for _closing, _name, attributes, _self_closing in _tags(data):
        if len(_QUOTED.sub(b"", attributes).split()) > MAX_ATTRIBUTES:
            return f"an HTML tag with more than {MAX_ATTRIBUTES} attributes"
    return None


def _meta(tree: LexborHTMLParser, keys: tuple[str, ...]) -> str | None:
    found: dict[str, str] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").strip().lower()
        value = (attrs.get("content") or "").strip()
        if key in keys and value and key not in found:
            found[key] = value
    return next((found[k] for k in keys if k in found), None)


def _page_metadata(tree: LexborHTMLParser) -> tuple[Metadata, str | None]:
    """What the page's <head> says, and its <title>."""
    canonical = tree.css_first("link[rel=canonical]")
    url = (canonical.attributes.get("href") or "").strip() if canonical else ""
    title = tree.css_first("title")
    return Metadata(
        title=fold(_meta(tree, names.TITLE_META) or "") or None,
        date=date_of(_meta(tree, names.DATE_META)),
        place=fold(_meta(tree, names.PLACE_META) or "") or None,
        url=url if url.startswith(("http://", "https://")) else _meta(tree, names.URL_META),
    ), fold(title.text() if title else "") or None


def _drop(root: LexborNode, tags: tuple[str, ...]) -> None:
    selectors = list(tags) + [f"[role={role}]" for role in names.BOILERPLATE_ROLES] + ["[hidden]", "[aria-hidden=true]"]
    for node in root.css(", ".join(selectors)):
        node.decompose()


def _paragraph_text(node: LexborNode) -> int:
    return sum(len(p.text(strip=True)) for p in node.css(", ".join(names.PARAGRAPH_TAGS)))


def _container(tree: LexborHTMLParser) -> LexborNode | None:
    """The element holding the page's main content (see the module's docstring)."""
    marked = [(_paragraph_text(node), node) for node in tree.css(", ".join(names.MAIN_SELECTORS))]
    marked = [(size, node) for size, node in marked if size]
    if marked:
        most = max(size for size, _ in marked)
        return min((pair for pair in marked if pair[0] >= INNERMOST_SHARE * most), key=lambda pair: pair[0])[1]
    scores: dict[int, tuple[float, LexborNode]] = {}
    for p in tree.css(", ".join(names.PARAGRAPH_TAGS)):
        length = len(p.text(strip=True))
        for node, share in ((p.parent, 1.0), (p.parent.parent if p.parent else None, 0.5)):
            if node is not None and node.tag not in ("ul", "ol"):
                scores[node.mem_id] = (scores.get(node.mem_id, (0.0, node))[0] + share * length, node)
    return max(scores.values(), key=lambda pair: pair[0])[1] if scores else tree.body


def _unit_of(node: LexborNode, root: LexborNode) -> LexborNode | None:
    """The nearest <p>, <li> or heading around a text node, inside `root`."""
    node = node.parent
    while node is not None and node.mem_id != root.mem_id:
        if node.tag in _UNITS:
            return node
        node = node.parent
    return None


def _in_link(node: LexborNode, unit: LexborNode) -> bool:
    node = node.parent
    while node is not None and node.mem_id != unit.mem_id:
        if node.tag == "a":
            return True
        node = node.parent
    return False


def units(root: LexborNode) -> list[tuple[str, str]]:
    """(tag, text) of each paragraph and heading under `root`, in document order."""
    order: list[int] = []
    tags: dict[int, str] = {}
    texts: dict[int, list[str]] = {}
    linked: dict[int, int] = {}
    for node in root.traverse(include_text=True):
        if node.tag in _UNITS:
            order.append(node.mem_id)
            tags[node.mem_id], texts[node.mem_id] = node.tag, []
            continue
        if node.tag not in ("-text", "br"):
            continue
        unit = _unit_of(node, root)
        if unit is None or unit.mem_id not in texts:
            continue
        piece = "\n" if node.tag == "br" else (node.text_content or "")
        texts[unit.mem_id].append(piece)
        if node.tag == "-text" and _in_link(node, unit):
            linked[unit.mem_id] = linked.get(unit.mem_id, 0) + len(piece.strip())
    out = []
    for key in order:
        text = fold("".join(texts[key]))
        if text and linked.get(key, 0) <= MAX_LINK_SHARE * len(text):
            out.append((tags[key], text))
    return out


def _paragraphs(found: list[tuple[str, str]], title: str | None) -> tuple[str | None, list[RawParagraph]]:
    raw: list[RawParagraph] = []
    section: str | None = None
    for tag, text in found:
        if tag == "h1" and (not raw or (title is not None and repeats_title([text], title))):
            title = title or text  # the page's own heading, never a section
        elif is_separator(text):
            section = None
        elif tag in names.HEADING_TAGS:
            section = text
        else:
            raw.append(RawParagraph(text=text, section=section))
    return title, raw


def parse(path: Path, text: str, prefix: str = "") -> Document:
    problem = markup_problem(text.encode("utf-8"))
    if problem:
        raise ParseError(f"{path}: {problem}")
    tree = LexborHTMLParser(text)
    meta, page_title = _page_metadata(tree)
    _drop(tree.root, tuple(t for t in names.BOILERPLATE_TAGS if t != "header"))
    container = _container(tree)
    if container is None:
        raise ParseError(f"{path}: no paragraphs (<p> or <li>) in the HTML page")
    title, raw = _paragraphs(units(container), meta.title)
    if not raw:
        raise ParseError(f"{path}: no paragraphs (<p> or <li>) in the HTML page")
    time = container.css_first("time[datetime]")
    found = Metadata(date=date_of(time.attributes.get("datetime")) if time else None).over(
        closing_date_place([p.text for p in raw]))
    meta = meta.over(found)
    return build_document(title=title or page_title or path.stem.replace("_", " "), date=meta.date, place=meta.place,
                          url=meta.url, source_path=str(path), raw=raw, prefix=prefix)
