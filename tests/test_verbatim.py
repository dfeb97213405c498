"""Every paragraph and every quotable clause is verbatim source text.

Allowed differences: whitespace (line wraps reflowed), page-number lines removed, and a
hyphen at a line end either kept or dropped (de-hyphenation). Checked independently of the
parser: each paragraph is searched in the raw source with a pattern that allows only these.
"""

from __future__ import annotations

import json
import re

import pytest

from embeddings import HashingEmbedder
from retrieval.index import Index
from retrieval.parsers import load_corpus

from .conftest import CORPUS, UNGDC

PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$", re.MULTILINE)
LINE_END_HYPHEN = "\x01"


def _source_text(path) -> str:
    raw = path.read_text("utf-8-sig")
    if path.suffix == ".json":
        raw = json.loads(raw)["text"]
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


def test_hard_wrapped_plain_text_stays_verbatim():
    """The UN General Debate speeches (plain text, hard-wrapped): reflowed, still verbatim."""
    speeches = load_corpus(sorted(UNGDC.glob("*.txt"))[:25])
    assert not speeches.errors
    assert _check_paragraphs(speeches) > 300
