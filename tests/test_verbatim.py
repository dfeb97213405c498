"""Every paragraph and every quotable clause is verbatim source text.

Allowed differences: whitespace (line wraps reflowed), page-number lines removed, and a
hyphen at a line end either kept or dropped (de-hyphenation). Checked independently of the
parser: each paragraph is searched in the raw source with a pattern that allows only these.

The source text of the other formats, each from an extractor other than the parser's:
- PDF: poppler's `pdftotext`, page by page (for the two-column file, the title band, then
  the left and the right half of each page), and pdfplumber's own page text the same way; running headers and
  footers are removed as the parser does (a line among the first or last three of a page
  whose text, digits aside, recurs there on at least half the pages), and so are page numbers;
- HTML: the text of every element, by Python's own `html.parser`, without scripts and styles;
- DOCX: the `<w:t>` text of each `<w:p>` of word/document.xml, read with `zipfile` and
  ElementTree, not python-docx.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pdfplumber
import pytest

from embeddings import HashingEmbedder
from retrieval.index import Index
from retrieval.parsers import load_corpus, parse_file

from .conftest import CORPUS, UNGDC, needs_shared

PAGE_NUMBER = re.compile(r"^\s*(?:Page\s+)?[-–—]?\s*\d{1,3}\s*[-–—]?\s*$", re.MULTILINE)
LINE_END_HYPHEN = "\x01"
DOCUMENTS = Path(__file__).resolve().parent / "data" / "documents"
TWO_COLUMNS = {"beijing_2012_two_column.pdf": 156}  # points from the top where the columns start on page one
EDGE_LINES = 3
WORD_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _source_text(path) -> str:
    raw = path.read_text("utf-8-sig")
    if path.suffix == ".json":
        raw = json.loads(raw)["text"]
    return _normalised(raw)


def _normalised(raw: str) -> str:
    raw = PAGE_NUMBER.sub(" ", raw)
    raw = re.sub(r"-[ \t]*\n\s*", LINE_END_HYPHEN, raw)  # a hyphen that ends a line
    return re.sub(r"\s+", " ", raw)


def _pattern(text: str) -> re.Pattern:
    parts = []
    for ch in text:
        if ch == " ":
            parts.append(f"[ {LINE_END_HYPHEN}]?")  # a reflowed line break
        elif ch == "-":
            parts.append(f"(?:-|{LINE_END_HYPHEN})")
        else:
            parts.append(re.escape(ch) + f"{LINE_END_HYPHEN}?")  # a dropped line-end hyphen
    return re.compile("".join(parts))


@pytest.fixture(scope="module")
def corpus():
    return load_corpus([CORPUS])


def _check_paragraphs(corpus) -> int:
    """Assert every paragraph of `corpus` is in its source file; the number checked."""
    checked = 0
    for doc in corpus.documents:
        source = _source_text(next(p for p in corpus.files if str(p) == doc.source_path))
        for paragraph in doc.paragraphs:
            assert _pattern(paragraph.text).search(source), f"{doc.doc_id} ¶{paragraph.number}: {paragraph.text[:80]}"
            checked += 1
    return checked


def test_every_paragraph_is_in_its_source(corpus):
    assert _check_paragraphs(corpus) > 1000


def test_every_indexed_unit_is_a_substring_of_its_paragraph(corpus):
    index = Index.build(corpus, HashingEmbedder())
    for passage in index.passages:
        paragraph = index.paragraph(passage)
        unit = paragraph.text[passage.start : passage.end]
        assert unit.strip() == unit and unit, passage
        assert unit in paragraph.text


def test_pattern_rejects_altered_text(corpus):
    doc = corpus.documents[0]
    source = _source_text(corpus.files[[str(p) for p in corpus.files].index(doc.source_path)])
    text = doc.paragraphs[13].text
    assert _pattern(text).search(source)
    assert not _pattern(text.replace("missile", "rocket")).search(source)
    assert not _pattern(text.replace(" can ", " may ")).search(source)


@needs_shared
def test_hard_wrapped_plain_text_stays_verbatim():
    """The UN General Debate speeches (plain text, hard-wrapped): reflowed, still verbatim."""
    speeches = load_corpus(sorted(UNGDC.glob("*.txt"))[:25])
    assert not speeches.errors
    assert _check_paragraphs(speeches) > 300


def _pdftotext(path: Path, page: int, box: tuple[float, float, float, float] | None) -> str:
    crop = [] if box is None else ["-x", str(int(box[0])), "-y", str(int(box[1])), "-W", str(int(box[2] - box[0])),
                                   "-H", str(int(box[3] - box[1]))]
    command = ["pdftotext", "-f", str(page), "-l", str(page), *crop, str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _boxes(name: str, number: int, width: float, height: float) -> list:
    """The parts of a page to read in turn: the whole page, or (two columns) the band above the
    columns on page one (as tests/data/make_documents.py sets it), then each half below it."""
    if name not in TWO_COLUMNS:
        return [None]
    top = TWO_COLUMNS[name] if number == 1 else 0
    band = [(0, 0, width, top)] if top else []
    return band + [(0, top, width / 2, height), (width / 2, top, width, height)]


def _pdf_parts(path: Path, extractor: str) -> list[tuple[int, str]]:
    """(page number, text) of each page, or each part of it, by `extractor`."""
    parts = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            for box in _boxes(path.name, number, page.width, page.height):
                if extractor == "pdftotext":
                    parts.append((number, _pdftotext(path, number, box)))
                else:
                    parts.append((number, (page.crop(box) if box else page).extract_text()))
    return parts


def _without_running_lines(parts: list[tuple[int, str]]) -> str:
    """The parts' text, less the lines at their top or bottom that recur on half of the pages."""
    def key(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(line.split()))
    lines = [[line for line in text.splitlines() if line.strip()] for _, text in parts]
    pages: dict[str, set[int]] = {}
    for (number, _), own in zip(parts, lines):
        for k in {key(line) for line in own[:EDGE_LINES] + own[-EDGE_LINES:]}:
            pages.setdefault(k, set()).add(number)
    count = len({number for number, _ in parts})
    running = {k for k, seen in pages.items() if len(seen) >= max(2, (count + 1) // 2)}
    kept = []
    for own in lines:
        edge = set(range(EDGE_LINES)) | set(range(len(own) - EDGE_LINES, len(own)))
        kept.extend(line for i, line in enumerate(own) if not (i in edge and key(line) in running))
    return "\n".join(kept)


class _HTMLText(HTMLParser):
    """All text of a page but its scripts and styles; a line break at <br> and block ends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")
        self.parts.append("\n")

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style") and self.skip > 0
        self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def _html_text(path: Path) -> str:
    parser = _HTMLText()
    parser.feed(path.read_text("utf-8"))
    return "".join(parser.parts)


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        root = ElementTree.fromstring(archive.read("word/document.xml"))
    return "\n".join("".join(t.text or "" for t in p.iter(f"{WORD_NS}t")) for p in root.iter(f"{WORD_NS}p"))


def _check_document(path: Path, source: str) -> int:
    doc = parse_file(path)
    for paragraph in doc.paragraphs:
        assert _pattern(paragraph.text).search(source), f"{path.name} ¶{paragraph.number}: {paragraph.text[:80]}"
    return len(doc.paragraphs)


@pytest.mark.parametrize("extractor", ["pdftotext", "pdfplumber"])
@pytest.mark.parametrize("name", ["beijing_2012.pdf", "beijing_2012_two_column.pdf", "beijing_2012_justified.pdf",
                                  "moscow_2020.pdf", "moscow_2020_justified.pdf"])
def test_pdf_paragraphs_are_in_the_extracted_text(name, extractor):
    assert extractor != "pdftotext" or shutil.which("pdftotext"), "poppler-utils is needed (see .ci/run)"
    source = _normalised(_without_running_lines(_pdf_parts(DOCUMENTS / name, extractor)))
    assert _check_document(DOCUMENTS / name, source) >= 40


@pytest.mark.parametrize("name", ["beijing_2012.html", "moscow_2020.html"])
def test_html_paragraphs_are_in_the_page_text(name):
    assert _check_document(DOCUMENTS / name, _normalised(_html_text(DOCUMENTS / name))) >= 40


@pytest.mark.parametrize("name", ["beijing_2012.docx", "moscow_2020.docx"])
def test_docx_paragraphs_are_in_the_document_text(name):
    assert _check_document(DOCUMENTS / name, _normalised(_docx_text(DOCUMENTS / name))) >= 40


def test_pdf_check_rejects_altered_text():
    source = _normalised(_without_running_lines(_pdf_parts(DOCUMENTS / "beijing_2012.pdf", "pdftotext")))
    text = next(p.text for p in parse_file(DOCUMENTS / "beijing_2012.pdf").paragraphs if "missile defense" in p.text)
    assert _pattern(text).search(source)
    assert not _pattern(text.replace("missile", "rocket")).search(source)
    assert "Council of Heads of State —" not in source  # the running header is gone from the source too
