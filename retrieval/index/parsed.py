"""The parse cache: a file is parsed once, not again at every build while it stays the same.

Adding one declaration to a corpus of a thousand speeches used to parse the thousand again (half
of the time of the add at 5 UN years: benchmarks/bench_scale.py). Each parsed document is kept as
JSON under `<index root>/parsed/`, keyed by the parser version, the file's path and bytes, and the
bytes of the metadata sidecar and corpus configuration that apply to it: change any of them and the
file is parsed again. Like the segments, entries are written atomically and never trusted blindly:
an entry that does not read back as a document is parsed again. A file that fails to parse is not
cached (its error is reported at every build, as before).

Also the JSON form of a document, shared with the index's `documents.json`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import fields
from pathlib import Path
from typing import Callable

from retrieval.index.segments import write_atomic
from retrieval.parsers import MAX_FILE_BYTES, PARSER_VERSION, parse_file, sidecar_path
from retrieval.parsers.config import config_path
from retrieval.tokens import LEXICAL_VERSION, stems, words
from retrieval.types import Document, Paragraph

_PARAGRAPH_FIELDS = tuple(f.name for f in fields(Paragraph))
_DOCUMENT_FIELDS = tuple(f.name for f in fields(Document))


def doc_to_json(doc: Document) -> dict:
    """A document as plain JSON values: dataclasses.asdict, in its order, without its deep copies."""
    data = {name: getattr(doc, name) for name in _DOCUMENT_FIELDS}
    data["date"] = doc.date.isoformat() if doc.date else None
    data["paragraphs"] = [
        {name: getattr(p, name) for name in _PARAGRAPH_FIELDS} | {"sentences": [list(s) for s in p.sentences]}
        for p in doc.paragraphs
    ]
    return data


def documents_json(documents: list[Document]) -> bytes:
    """documents.json: the documents' JSON, as json.dumps writes the list, in UTF-8."""
    return json.dumps([doc_to_json(d) for d in documents], ensure_ascii=False).encode("utf-8")


def doc_from_json(data: dict) -> Document:
    data = dict(data)
    paragraphs = tuple(
        Paragraph(**{**p, "sentences": tuple(tuple(s) for s in p["sentences"])})
        for p in data.pop("paragraphs")
    )
    date = data.pop("date")  # None for an undated document (plain text)
    return Document(**data, date=dt.date.fromisoformat(date) if date else None, paragraphs=paragraphs)


def _bytes_or_none(path: Path | None) -> bytes:
    if path is None:
        return b"\0none"
    try:
        return path.read_bytes()
    except OSError as exc:
        return f"\0unreadable: {exc.strerror}".encode()


class ParseCache:
    """Parsed documents under `folder`; `parse` is `parse_file` that reads them back when it can.
    For the documents it returned, it also keeps their JSON (for documents.json) and the words
    of their paragraphs (`words`), so that a build derives only what a changed file changed."""

    def __init__(self, folder: Path, refresh: bool = False, on_new: Callable[[], None] | None = None) -> None:
        self.folder = Path(folder)
        self.refresh = refresh  # parse every file again (and store it), whatever is cached
        self.on_new = on_new  # called before a file is parsed anew (its text may need encoding)
        self.hits = 0
        # id of a document returned -> (the document, kept alive so that its id is never another's,
        # its key, its JSON)
        self._seen: dict[int, tuple[Document, str, bytes]] = {}

    @classmethod
    def for_root(cls, index_root: Path, refresh: bool = False,
                 on_new: Callable[[], None] | None = None) -> "ParseCache":
        return cls(Path(index_root) / "parsed", refresh, on_new)

    def key(self, path: Path, data: bytes) -> str:
        digest = hashlib.sha256(f"parser-{PARSER_VERSION}\0{path}\0".encode())
        for part in (data, _bytes_or_none(sidecar_path(path)), _bytes_or_none(config_path(path))):
            digest.update(len(part).to_bytes(8, "little") + part)
        return digest.hexdigest()[:40]

    def parse(self, path: Path) -> Document:
        """`parse_file(path)`, from the cache when this file was parsed before as it is now."""
        path = Path(path)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:  # never read whole into memory
                return parse_file(path)
            key = self.key(path, path.read_bytes())
        except OSError:
            return parse_file(path)  # raises the ParseError that names the problem
        entry = self.folder / f"{key}.json"
        if not self.refresh:
            try:
                data = entry.read_bytes()
                doc = doc_from_json(json.loads(data))
                if _whole(doc, path):
                    self.hits += 1
                    self._seen[id(doc)] = (doc, key, data)
                    return doc
            except (OSError, ValueError, TypeError, KeyError, AttributeError):
                pass  # not cached yet, or unreadable: parsed again below
        if self.on_new is not None:
            self.on_new()
        doc = parse_file(path)
        data = json.dumps(doc_to_json(doc), ensure_ascii=False).encode("utf-8")
        self._seen[id(doc)] = (doc, key, data)
        _store(entry, data)
        return doc

    def _known(self, doc: Document) -> tuple[Document, str, bytes] | None:
        seen = self._seen.get(id(doc))
        return seen if seen is not None and seen[0] is doc else None

    def documents_json(self, documents: list[Document]) -> bytes:
        """documents.json (as `documents_json` writes it), from the JSON of the documents parsed."""
        parts = [known[2] if (known := self._known(d)) else documents_json([d])[1:-1] for d in documents]
        return b"[" + b", ".join(parts) + b"]"

    def words(self, doc: Document) -> tuple[list[list[str]], list[list[str]]]:
        """The words and the stems (retrieval.tokens) of each paragraph of `doc`; cached beside the
        parsed document, by LEXICAL_VERSION."""
        known = self._known(doc)
        entry = self.folder / f"{known[1]}.words-{LEXICAL_VERSION}.json" if known else None
        if entry is not None and not self.refresh:
            try:
                cached = json.loads(entry.read_bytes())
                if cached["key"] == known[1] and _word_lists(cached["words"], cached["stems"], len(doc.paragraphs)):
                    return cached["words"], cached["stems"]
            except (OSError, ValueError, TypeError, KeyError):
                pass  # computed again below
        found = [words(p.text) for p in doc.paragraphs]
        stemmed = [stems(w) for w in found]
        if entry is not None:
            data = {"key": known[1], "words": found, "stems": stemmed}
            _store(entry, json.dumps(data, ensure_ascii=False).encode("utf-8"))
        return found, stemmed


def _word_lists(found, stemmed, paragraphs: int) -> bool:
    """Whether a cached entry is a list of word lists and one of stem lists, one per paragraph."""
    return (isinstance(found, list) and isinstance(stemmed, list) and len(found) == len(stemmed) == paragraphs
            and all(isinstance(part, list) and all(isinstance(t, str) for t in part) for part in found + stemmed))


def _whole(doc: Document, path: Path) -> bool:
    """Whether a document read back from the cache is one the parser could have made of `path`:
    its own file, text where text is due, sentence spans inside their paragraph."""
    texts = (doc.doc_id, doc.title, doc.short_title, doc.kind, doc.source_path)
    if not all(isinstance(t, str) for t in texts) or not doc.doc_id or doc.source_path != str(path):
        return False
    return bool(doc.paragraphs) and all(
        isinstance(p.text, str) and isinstance(p.number, int) and p.doc_id == doc.doc_id
        and all(isinstance(a, int) and isinstance(b, int) and 0 <= a <= b <= len(p.text) for a, b in p.sentences)
        for p in doc.paragraphs)


def _store(entry: Path, data: bytes) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(entry, lambda handle: handle.write(data))
    except OSError:
        pass  # a cache that cannot be written only makes the next build slower
