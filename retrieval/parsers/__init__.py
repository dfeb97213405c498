"""Source parsers, one per format, and `load_corpus` that reads files and folders.

`parse_file` decides a file's format by its content first (`sniff`: PDF and DOCX by their
signatures, whatever the file is called), then by its name; applies the metadata sidecar
next to it, if any (`metadata`); and turns every failure into one `ParseError` naming the file.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field, replace
from pathlib import Path

from retrieval.errors import CorpusError, CorpusPathError, ParseError
from retrieval.parsers import metadata, pdf, plain, sco_json, sniff, webpage, wjdb, word
from retrieval.parsers.config import CONFIG_NAME, config_for
from retrieval.parsers.metadata import is_sidecar, sidecar_path
from retrieval.types import Document

__all__ = ["MAX_FILE_BYTES", "PARSER_VERSION", "SUFFIXES", "Corpus", "corpus_files", "is_sidecar", "load_corpus", "parse_file",
           "parse_files", "sidecar_path"]

PARSER_VERSION = 4  # bump when parsing changes what documents contain (indexes and parse caches then rebuild)
SUFFIXES = (".txt", ".md", ".json", ".pdf", ".html", ".htm", ".docx")
MAX_FILE_BYTES = 20 * 1024 * 1024
_NOT_DOCUMENTS = ("README.TXT", "README.MD", "MANIFEST.MD", CONFIG_NAME.upper())


@dataclass
class Corpus:
    """The parsed documents, the files they came from, and the files that failed."""

    documents: list[Document]
    files: list[Path]
    errors: list[str] = field(default_factory=list)

    def by_id(self) -> dict[str, Document]:
        return {doc.doc_id: doc for doc in self.documents}


def parse_file(path: Path) -> Document:
    """Parse one file by its format; raise ParseError naming the file and the reason."""
    path = Path(path)
    if is_sidecar(path):
        raise ParseError(f"{path}: a metadata sidecar (title, date, place, url), not a document")
    too_large = ParseError(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    try:
        if path.stat().st_size > MAX_FILE_BYTES:  # before reading it into memory
            raise too_large
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if len(data) > MAX_FILE_BYTES:
        raise too_large
    if not data.strip():
        raise ParseError(f"{path}: the file is empty")
    prefix = config_for(path).title_prefix
    doc = _parse_bytes(path, data, prefix)
    found = sidecar_path(path)
    return _valid_text(path, metadata.apply(doc, metadata.read_sidecar(found), prefix) if found else doc)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_text(path: Path, doc: Document) -> Document:
    """`doc`, unless a text of it holds a lone surrogate (a JSON escape such as \\ud800 can give
    one): that is not text any file or answer can hold, so the file is refused, naming where."""
    fields = [("title", doc.title), ("short title", doc.short_title), ("place", doc.place or "")]
    fields += [(f"paragraph {p.number}", p.text) for p in doc.paragraphs]
    for where, text in fields:
        found = _SURROGATE.search(text)
        if found:
            raise ParseError(f"{path}: the {where} holds a lone surrogate (\\u{ord(found.group()):04x}), "
                             "which is not valid text")
    return doc


def _parse_bytes(path: Path, data: bytes, prefix: str) -> Document:
    kind = sniff.binary_kind(path, data)
    if kind == sniff.PDF:
        return pdf.parse(path, data, prefix)
    if kind == sniff.DOCX:
        return word.parse(path, data, prefix)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ParseError(f"{path}: the file is empty")
    if sniff.is_html(path, text):
        return webpage.parse(path, text, prefix)
    if path.suffix.lower() == ".json":
        return sco_json.parse(path, text, prefix)
    if wjdb.looks_like(text):
        return wjdb.parse(path, text, prefix)
    return plain.parse(path, text)


def corpus_files(paths: list[Path]) -> list[Path]:
    """Expand folders (recursively) into their document files (`SUFFIXES`, not the metadata
    sidecars), sorted; check paths exist."""
    files: list[Path] = []
    for path in paths:
        path = Path(path).expanduser()
        try:
            files.extend(_files_under(path))
        except (OSError, RuntimeError) as exc:  # a symlink loop raises RuntimeError in pathlib
            raise CorpusError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from exc
    return list(dict.fromkeys(p.resolve() for p in files))


def _files_under(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(
            p for p in path.rglob("*")
            if p.is_file() and p.suffix.lower() in SUFFIXES and p.name.upper() not in _NOT_DOCUMENTS and not is_sidecar(p)
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        if not found:
            raise CorpusError(f"{path}: no {', '.join(SUFFIXES[:-1])} or {SUFFIXES[-1]} files in this folder")
        return found
    if path.is_file():
        return [path]
    if path.is_symlink():
        path.resolve(strict=True)  # raises: a loop, or a link to nothing
    raise CorpusPathError(f"{path}: no such file or folder")


def load_corpus(paths: list[Path]) -> Corpus:
    """Parse every file under `paths`; see `parse_files`."""
    return parse_files(corpus_files(paths))


def parse_files(files: list[Path], parse=parse_file) -> Corpus:
    """Parse every file with `parse` (`parse_file`, or a cache's: retrieval/index/parsed.py); a
    file that fails is reported in `errors`, the others still load."""
    documents: list[Document] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for path in files:
        try:
            doc = parse(path)
        except ParseError as exc:
            errors.append(str(exc))  # reported once, by whoever opens the engine
            continue
        if doc.doc_id in seen:
            seen[doc.doc_id] += 1
            new_id = f"{doc.doc_id}-{seen[doc.doc_id]}"
            doc = replace(
                doc,
                doc_id=new_id,
                paragraphs=tuple(replace(p, doc_id=new_id) for p in doc.paragraphs),
            )
        seen.setdefault(doc.doc_id, 1)
        documents.append(doc)
    if not documents:
        detail = "; ".join(errors) if errors else "no documents"
        raise CorpusError(f"no document could be loaded ({detail})")
    documents.sort(key=lambda d: (d.date is None, d.date or 0, d.doc_id))
    return Corpus(documents=documents, files=files, errors=errors)
