"""Parsing the three source formats and rebuilding paragraphs from PDF text."""

from __future__ import annotations

import json
import re

import pytest

from retrieval.errors import CorpusError, ParseError
from retrieval.parsers import corpus_files, load_corpus, parse_file
from retrieval.parsers.reflow import content_lines, reflow, wrap_width

from .conftest import CORPUS, SEED, SHARED, UNGDC, needs_shared

CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@pytest.fixture(scope="module")
def corpus():
    return load_corpus([CORPUS])


def test_world_and_japan_metadata_and_sections():
    doc = parse_file(SEED)
    assert doc.doc_id == "2012-beijing-declaration"
    assert doc.short_title == "SCO Beijing Declaration"
    assert doc.date.isoformat() == "2012-06-07" and doc.place == "Beijing"
    body = [p for p in doc.paragraphs if p.kind == "body"]
    assert len(body) == 40
    assert [p.section for p in body[:8]] == [None] * 8  # the preamble
    assert sorted({p.section for p in body if p.section}) == ["I", "II", "III", "IV", "V", "VI"]
    missile = next(p for p in body if "missile defense" in p.text)
    assert (missile.section, missile.number) == ("II", 14)
    assert doc.paragraphs[-1].kind == "signature" and doc.paragraphs[-1].text == "June 7, 2012, Beijing"


def test_shipped_corpus_loads_every_file(corpus):
    assert corpus.errors == []
    assert len(corpus.documents) == 13
    ids = [d.doc_id for d in corpus.documents]
    assert len(set(ids)) == len(ids)
    dates = [d.date for d in corpus.documents]
    assert dates == sorted(dates)  # oldest first


def test_json_paragraphs_are_rebuilt(corpus):
    doc = corpus.by_id()["2018-dushanbe-communique"]
    texts = [p.text for p in doc.paragraphs]
    assert all("\n" not in t for t in texts)
    assert not any(t.strip().isdigit() for t in texts)  # page numbers dropped
    # a paragraph running across a page break (blank line + page number) stays whole
    assert any("open, inclusive, transparent, non-discriminatory and rule-based multilateral trading" in t for t in texts)
    # compounds hyphenated at a line end keep their hyphen, without a space
    assert any("socio-economic development and stability" in t for t in texts)
    assert 40 <= len(doc.paragraphs) <= 90


def test_place_is_taken_from_the_text_when_the_record_is_wrong(corpus):
    # the record says Qingdao; the communiqué itself says the meeting was held in Dushanbe
    assert corpus.by_id()["2018-dushanbe-communique"].place == "Dushanbe"


def test_headings_become_sections(corpus):
    moscow = corpus.by_id()["2020-moscow-declaration"]
    sections = {p.section for p in moscow.paragraphs}
    assert {"Security", "Trade and economic cooperation"} <= sections
    bishkek = corpus.by_id()["2019-bishkek-declaration"]
    assert {"I", "II", "III", "IV", "V", "VI"} <= {p.section for p in bishkek.paragraphs}
    assert not any(p.text in ("I", "II", "Security", "***") for d in corpus.documents for p in d.paragraphs)


def test_second_language_is_kept_apart(corpus):
    for doc_id in ("2019-bishkek-declaration", "2023-bishkek-communique"):
        doc = corpus.by_id()[doc_id]
        english = [p for p in doc.paragraphs if p.lang == "en"]
        russian = [p for p in doc.paragraphs if p.lang == "ru"]
        assert len(english) > 40 and len(russian) > 40
        assert not any(CYRILLIC.search(p.text) for p in english if p.kind == "body")
        assert all(p.number == i for i, p in enumerate(russian, 1))  # numbered per language
    assert all(p.lang == "en" for p in corpus.by_id()["2020-moscow-declaration"].paragraphs)


def test_signature_blocks_are_marked(corpus):
    for doc_id in ("2019-bishkek-declaration", "2020-moscow-declaration", "2022-samarkand-declaration",
                   "2023-new-delhi-declaration", "2022-communique"):
        doc = corpus.by_id()[doc_id]
        signatures = [p for p in doc.paragraphs if p.kind == "signature" and p.lang == "en"]
        assert signatures, doc_id
        assert any("President" in p.text or "Minister" in p.text for p in signatures)
        assert not any("Xi Jinping" in p.text or "Narendra Modi" in p.text for p in doc.paragraphs if p.kind == "body")


def test_reflow_breaks_only_where_a_line_was_ended_early():
    text = (
        "The member states agree that this sentence wraps over the line because it is long\n"
        "and it ends here.\n"
        "A new paragraph starts here and it also wraps since it has quite a few words in it\n"
        "II\n"
        "The next section begins with a paragraph that is long enough to wrap around the\n"
        "line, with a socio-\n"
        "economic word.\n"
    )
    lines = content_lines(text)
    paragraphs = reflow(lines)
    assert [p.text[:20] for p in paragraphs] == ["The member states ag", "A new paragraph star", "The next section beg"]
    assert [p.section for p in paragraphs] == [None, None, "II"]
    assert "socio-economic word." in paragraphs[2].text
    assert wrap_width(lines) >= 79


def test_reflow_starts_a_paragraph_at_an_indented_first_line():
    # the first paragraph's last line is full width, so only the next line's indent shows the break
    text = (
        "The member states agree that this sentence wraps over the line because it is long\n"
        "and that the second line of it is as wide as any other line of this paragraph.\n"
        "They welcome the signing of a memorandum between the two sides, which\n"
        "was held in a line that is wrapped at the full width of the page here.\n"
        "They note that a sentence can end at the end of a full line like this one.\n"
        "It then goes on with a sentence of the same paragraph on a full line as well\n"
        "and ends it.\n"
    )
    paragraphs = reflow(content_lines(text))
    assert [p.text[:20] for p in paragraphs] == ["The member states ag", "They welcome the sig"]
    assert paragraphs[1].text.endswith("and ends it.")


def test_indented_paragraphs_of_the_shipped_records(corpus):
    doc = corpus.by_id()["2020-moscow-declaration"]
    starts = [p.text[:60] for p in doc.paragraphs]
    assert "They welcome the signing of Memorandums of Understanding bet" in starts
    assert "They welcomed the results of the regular meeting of the SCO " in starts


def test_unparsable_file_is_named_and_others_still_load(tmp_path):
    (tmp_path / "good.txt").write_text("A Title\n\nThe first paragraph.\n\nThe second one.\n", "utf-8")
    (tmp_path / "broken.json").write_text('{"title": "x", "text": ', "utf-8")
    (tmp_path / "empty.json").write_text(json.dumps({"title": "No text", "text": ""}), "utf-8")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait".encode("latin-1"))
    corpus = load_corpus([tmp_path])
    assert [d.doc_id for d in corpus.documents] == ["good"]
    assert corpus.documents[0].title == "A Title"
    assert len(corpus.documents[0].paragraphs) == 2
    joined = "\n".join(corpus.errors)
    assert "broken.json: not valid JSON" in joined
    assert "empty.json: missing or empty field(s): text" in joined
    assert "latin1.txt: not UTF-8" in joined


def test_no_loadable_document_is_an_error(tmp_path):
    (tmp_path / "broken.json").write_text("[]", "utf-8")
    with pytest.raises(CorpusError, match="no document could be loaded"):
        load_corpus([tmp_path])
    with pytest.raises(CorpusError, match="no such file or folder"):
        corpus_files([tmp_path / "missing"])


def test_markdown_headings_and_file_name_title(tmp_path):
    md = tmp_path / "notes_2024.md"
    md.write_text("# Summit notes\n\n## Security\n\nWe talked\nabout security.\n\n## Trade\n\nAnd trade.\n", "utf-8")
    doc = parse_file(md)
    assert doc.title == "Summit notes"
    assert [(p.section, p.text) for p in doc.paragraphs] == [("Security", "We talked about security."), ("Trade", "And trade.")]
    plain = tmp_path / "speech.txt"
    plain.write_text("\ufeffThis speech has no title line. It starts right away.\n\nSecond paragraph.\n", "utf-8")
    doc = parse_file(plain)
    assert doc.title == "speech" and doc.paragraphs[0].text.startswith("This speech")


@needs_shared
def test_hard_wrapped_plain_text_is_cut_into_paragraphs():
    # a UN General Debate speech: wrapped at ~50 characters, no blank line between paragraphs
    doc = parse_file(UNGDC / "AFG_67_2012.txt")
    assert len(doc.paragraphs) >= 10
    starts = [p.text[:40] for p in doc.paragraphs]
    assert "It is a matter for grave concern that ou" in starts
    assert "My country, Afghanistan, is testament to" in starts
    assert all("\n" not in p.text for p in doc.paragraphs)


@needs_shared
def test_a_paragraph_per_line_is_kept(tmp_path):
    # the UN General Debate speeches of 2020-2023: no blank lines, one long paragraph a line
    doc = parse_file(SHARED / "corpus" / "ungdc" / "2023" / "AGO_78_2023.txt")
    assert len(doc.paragraphs) >= 10
    assert doc.paragraphs[1].text.startswith("I would like to wish Mr. Dennis Francis all the best")
    assert doc.paragraphs[1].text.endswith("under very challenging circumstances.")
    lines = ["Short title", "", "A first paragraph that runs long. " * 8, "Thank you.", "A second one, just as long. " * 9]
    path = tmp_path / "speech.txt"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    assert [p.text for p in parse_file(path).paragraphs] == [line.strip() for line in lines[2:]]
    # a speech written a sentence a line, too long to be one paragraph (ALB_75_2020: 75 lines)
    doc = parse_file(SHARED / "corpus" / "ungdc" / "2020" / "ALB_75_2020.txt")
    assert len(doc.paragraphs) >= 60 and max(len(p.text) for p in doc.paragraphs) < 1000


def test_one_sentence_per_line_stays_one_paragraph(tmp_path):
    lines = [f"Sentence number {i} stands on a line of its own." for i in range(8)]
    path = tmp_path / "notes.txt"
    path.write_text("Notes\n\n" + "\n".join(lines) + "\n", "utf-8")
    doc = parse_file(path)
    assert len(doc.paragraphs) == 1 and doc.paragraphs[0].text == " ".join(lines)


def test_wjdb_without_full_text_is_a_parse_error(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("[Title] Something\n[Full text]\n\n", "utf-8")
    with pytest.raises(ParseError, match="bad.txt"):
        parse_file(path)
