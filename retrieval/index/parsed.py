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
        self._seen: dict[int, tuple[str, bytes]] = {}  # id of a document returned -> its key and JSON

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
                self.hits += 1
                self._seen[id(doc)] = (key, data)
                return doc
            except (OSError, ValueError, TypeError, KeyError, AttributeError):
                pass  # not cached yet, or unreadable: parsed again below
        if self.on_new is not None:
            self.on_new()
        doc = parse_file(path)
        data = json.dumps(doc_to_json(doc), ensure_ascii=False).encode("utf-8")
        self._seen[id(doc)] = (key, data)
        _store(entry, data)
        return doc

    def documents_json(self, documents: list[Document]) -> bytes:
        """documents.json (as `documents_json` writes it), from the JSON of the documents parsed."""
        parts = [self._seen[id(d)][1] if id(d) in self._seen else documents_json([d])[1:-1] for d in documents]
        return b"[" + b", ".join(parts) + b"]"

    def words(self, doc: Document) -> tuple[list[list[str]], list[list[str]]]:
        """The words and the stems (retrieval.tokens) of each paragraph of `doc`; cached beside the
        parsed document, by LEXICAL_VERSION."""
        key = self._seen.get(id(doc), (None,))[0]
        entry = self.folder / f"{key}.words-{LEXICAL_VERSION}.json" if key else None
        if entry is not None and not self.refresh:
            try:
                cached = json.loads(entry.read_bytes())
                found, stemmed = cached["words"], cached["stems"]
                if len(found) == len(stemmed) == len(doc.paragraphs) and all(
                        isinstance(w, list) and isinstance(s, list) for w, s in zip(found, stemmed)):
                    return found, stemmed
            except (OSError, ValueError, TypeError, KeyError):
                pass  # computed again below
        found = [words(p.text) for p in doc.paragraphs]
        stemmed = [stems(w) for w in found]
        if entry is not None:
            _store(entry, json.dumps({"words": found, "stems": stemmed}, ensure_ascii=False).encode("utf-8"))
        return found, stemmed


def _store(entry: Path, data: bytes) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(entry, lambda handle: handle.write(data))
    except OSError:
        pass  # a cache that cannot be written only makes the next build slower
