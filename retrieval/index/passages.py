"""The rows of the index: each paragraph, its sentences (clauses of long ones) and word windows."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from retrieval.index.parsed import documents_json
from retrieval.lang import en
from retrieval.parsers.common import SIGNATORY
from retrieval.text import clause_spans
from retrieval.types import Document, Paragraph

_WORD_SPAN = re.compile(r"\S+")
# A signatory's office, with the words it may open with ("Acting President, Prime Minister").
_OFFICE = re.compile(rf"\b(?:{en.alternation(en.SIGNATORY_LEADS)}\s+)*{en.alternation(en.SIGNATORY_TITLES)}\b")
WINDOW_WORDS = 16  # sentences longer than WINDOW_MIN_WORDS get windows of this many words
WINDOW_STRIDE = 8
WINDOW_MIN_WORDS = 24


@dataclass(frozen=True)
class Passage:
    """One indexed row: a whole paragraph ("paragraph"), a sentence or clause of it that may
    be quoted ("sentence"), or a window of words inside a long sentence, used for scoring
    only ("window"). `start`/`end` index into the paragraph's text."""

    row: int
    doc: int
    para: int
    start: int
    end: int
    kind: str

    @property
    def whole(self) -> bool:
        return self.kind == "paragraph"


def indexed(paragraph: Paragraph, languages: tuple[str, ...] | None) -> bool:
    """Body paragraphs and blocks of signatories (which answer questions about signing only, see
    retrieval.scoring) in a language the model handles; never tables, nor a closing "Place,
    date" line alone (it names no one who signed)."""
    if languages is not None and paragraph.lang not in languages:
        return False
    return paragraph.kind == "body" or (paragraph.kind == "signature" and bool(SIGNATORY.search(paragraph.text)))


def signature_flags(documents: list[Document], passages: list[Passage]) -> list[bool]:
    """Per indexed paragraph, in the order of `passages`: a signature block."""
    return [documents[p.doc].paragraphs[p.para].kind == "signature" for p in passages if p.whole]


def quotable_spans(paragraph: Paragraph) -> list[tuple[int, int]]:
    """Sentences (long ones cut into clauses) of a paragraph with more than one of them; the
    signatories of a signature block."""
    if paragraph.kind == "signature":
        spans = signatory_spans(paragraph.text)
    else:
        spans = [c for a, b in paragraph.sentences for c in clause_spans(paragraph.text, a, b)]
    return spans if len(spans) > 1 else []


def signatory_spans(text: str) -> list[tuple[int, int]]:
    """A signature block cut before each office that follows a name ("Prime Minister Republic of
    India Narendra Modi | President Republic of Kazakhstan ..."); an office right after another
    or after a comma opens no new signatory ("Acting President, Prime Minister Kyrgyz Republic")."""
    cuts = [0]
    last_end = 0
    for match in _OFFICE.finditer(text):
        between = text[last_end : match.start()].strip()
        if match.start() > 0 and between and not between.endswith(","):
            cuts.append(match.start())
        last_end = match.end()
    bounds = cuts + [len(text)]
    return [(a, a + len(text[a:b].rstrip())) for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]


def window_spans(paragraph: Paragraph) -> list[tuple[int, int]]:
    """Overlapping word windows inside long sentences: a question often matches one phrase
    of a long sentence better than the whole of it."""
    spans = []
    if paragraph.kind == "signature":  # its signatories are its units
        return spans
    for a, b in paragraph.sentences:
        if len(paragraph.text[a:b].split()) <= WINDOW_MIN_WORDS:  # the same count, found faster
            continue
        words = [m.span() for m in _WORD_SPAN.finditer(paragraph.text, a, b)]
        for i in range(0, len(words) - WINDOW_STRIDE, WINDOW_STRIDE):
            chunk = words[i : i + WINDOW_WORDS]
            spans.append((chunk[0][0], chunk[-1][1]))
    return spans


def passages_of(documents: list[Document], languages: tuple[str, ...] | None) -> tuple[list[Passage], list[str]]:
    """Every row of the index and its text, in order: each paragraph, then its units."""
    passages: list[Passage] = []
    texts: list[str] = []
    for d, doc in enumerate(documents):
        for i, paragraph in enumerate(doc.paragraphs):
            if not indexed(paragraph, languages):
                continue
            passages.append(Passage(len(passages), d, i, 0, len(paragraph.text), "paragraph"))
            texts.append(paragraph.text)
            for kind, spans in (("sentence", quotable_spans(paragraph)), ("window", window_spans(paragraph))):
                for a, b in spans:
                    passages.append(Passage(len(passages), d, i, a, b, kind))
                    texts.append(paragraph.text[a:b])
    return passages, texts


def passages_jsonl(documents: list[Document], passages: list[Passage]) -> bytes:
    """passages.jsonl: each row as json.dumps writes its object, with only the strings encoded by
    json (a large index has hundreds of thousands of rows), in UTF-8."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    doc_ids = [encode(d.doc_id) for d in documents]
    lines = []
    for p in passages:
        para = documents[p.doc].paragraphs[p.para]
        lines.append(f'{{"row": {p.row}, "doc": {p.doc}, "para": {p.para}, "start": {p.start}, "end": {p.end}, '
                     f'"kind": {encode(p.kind)}, "doc_id": {doc_ids[p.doc]}, "paragraph": {para.number}, '
                     f'"text": {encode(para.text[p.start : p.end])}}}\n')
    return "".join(lines).encode("utf-8")


def rendered_files(documents: list[Document], passages: list[Passage], parsed=None) -> dict[str, bytes]:
    """The index files that need no vector: documents.json (from the JSON the parse cache `parsed`
    kept, when given) and passages.jsonl."""
    return {"documents.json": parsed.documents_json(documents) if parsed else documents_json(documents),
            "passages.jsonl": passages_jsonl(documents, passages)}
