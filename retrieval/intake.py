"""Adding documents to a corpus folder and removing them: the core of `quotebot add` and
`quotebot remove`, and of a bot handler for files an admin uploads (no Telegram here).

Adding is two steps, so a caller can show what would be added before anything is written:

    folder = settings.intake_folder()                    # the user corpus, or the one --corpus DIR
    known = Known.of(settings.corpus_paths(), folder)   # what is there: ids, texts, file names
    with tempfile.TemporaryDirectory() as work:
        staged = preview(Path("decl.txt"), Path(work), known)   # parsed and checked; corpus untouched
        added = commit(staged, folder)                          # copied in atomically
    removed = remove("2024-astana-declaration", folder, known)

Each input is all-or-nothing: `preview` raises IntakeError (the input and why) before anything is
written; `commit` places the sidecar, then the document, each by a rename; `corpus_lock` keeps
two processes from changing one folder at once. A document's `NAME.meta.json` travels with it; one
fetched from a URL gets one, {"url": ...}, if its format has none. The caller reopens the engine.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

from retrieval.errors import CorpusError, IntakeError, ParseError
from retrieval.locking import exclusive
from retrieval.parsers import MAX_FILE_BYTES, SUFFIXES, corpus_files, parse_file, parse_files
from retrieval.parsers.config import CONFIG_NAME
from retrieval.parsers.metadata import SIDECAR_SUFFIX, is_sidecar, sidecar_names
from retrieval.settings import inside, shipped_corpus_or_none
from retrieval.text import fold
from retrieval.types import Document

RESERVED_NAMES = ("readme.txt", "readme.md", "manifest.md", CONFIG_NAME)  # never read as documents
NAME_CHARS = 120  # longest file name given to an added document


@dataclass(frozen=True)
class Staged:
    """A document ready to add: its copy (named as it will be in the corpus) and its sidecar in a
    private staging folder, and the document parsed from them."""

    source: str  # what was given: a path or a URL
    file: Path
    sidecar: Path | None
    document: Document


@dataclass(frozen=True)
class Filed:
    """A document added or removed (source_path: its file in the corpus folder) and its files:
    the document's, then its sidecar if any."""

    document: Document
    files: tuple[Path, ...]


def sidecar_of(file: Path) -> Path:
    """The metadata file written beside an added `file`: `decl.pdf` -> `decl.meta.json`."""
    return sidecar_names(file)[1]


def sidecars_of(file: Path) -> list[Path]:
    """The metadata files that go with `file`, the one that applies first (as the parsers read
    them: `sidecar_names`)."""
    return [s for s in sidecar_names(file) if s.is_file()]


def fingerprint(doc: Document) -> str:
    """Identifies a document's text: its paragraphs, whitespace folded and case ignored."""
    text = "\n".join(fold(p.text).casefold() for p in doc.paragraphs)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stem_key(path: Path) -> str:
    """What a file's sidecar is named after: `decl.pdf`, `decl.meta.json`, `decl.pdf.meta.json` -> decl."""
    name = path.name.lower()
    if name.endswith(SIDECAR_SUFFIX):
        name = name[: -len(SIDECAR_SUFFIX)]
        return Path(name).stem if Path(name).suffix in SUFFIXES else name
    return Path(name).stem


def _existing_files(paths: list[Path]) -> list[Path]:
    """The document files under `paths`; absent or empty folders hold none."""
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            continue
        try:
            files.extend(corpus_files([path]))
        except CorpusError:
            if not path.is_dir():
                raise
    return [f for f in dict.fromkeys(files) if not is_sidecar(f)]


@dataclass
class Known:
    """What a corpus already holds: its documents (ids as the engine gives them), their text
    fingerprints, and the file stems taken in the folder documents are added to."""

    folder: Path
    documents: list[Document]
    prints: dict[str, str] = field(default_factory=dict)  # fingerprint -> doc_id
    stems: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, paths: list[Path], folder: Path) -> "Known":
        """Parse the corpus at `paths` (and `folder`)."""
        files = _existing_files(list(paths) + [folder])
        try:
            return cls.of_documents(parse_files(files).documents if files else [], folder)
        except CorpusError:  # not one file parses: nothing to compare with
            return cls.of_documents([], folder)

    @classmethod
    def of_documents(cls, documents: list[Document], folder: Path) -> "Known":
        """From documents parsed already (an engine's: `engine.documents`)."""
        stems = {_stem_key(p) for p in folder.iterdir()} if folder.is_dir() else set()
        return cls(folder, list(documents), {fingerprint(d): d.doc_id for d in documents}, stems)

    def check(self, doc: Document, name: str, source: str) -> None:
        """Raise IntakeError when `doc` repeats a known text or id, or its file name is taken."""
        same = self.prints.get(fingerprint(doc))
        if same:
            raise IntakeError(f"{source}: the same text as {same}, already in the corpus; nothing added")
        by_id = self.by_id(doc.doc_id)
        if by_id:
            raise IntakeError(f"{source}: its id {doc.doc_id} is already taken by {by_id.source_path}; "
                              f"rename the file or give it another title, date or place in its {SIDECAR_SUFFIX}")
        if _stem_key(Path(name)) in self.stems:
            raise IntakeError(f"{source}: {self.folder} already has a file named {Path(name).stem}.*; rename the input")

    def include(self, doc: Document, name: str) -> None:
        """Count `doc` as known (it is being added): a second input cannot repeat it."""
        self.documents.append(doc)
        self.prints[fingerprint(doc)] = doc.doc_id
        self.stems.add(_stem_key(Path(name)))

    def by_id(self, doc_id: str) -> Document | None:
        return next((d for d in self.documents if d.doc_id == doc_id), None)


def safe_name(name: str) -> str:
    """A file name fit for a corpus folder: no path, no leading dot, plain characters."""
    name = Path(name.replace("\\", "/")).name
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._") or "document"
    return stem[: NAME_CHARS - len(suffix)] + suffix


def check_input(file: Path, source: str) -> None:
    """Raise IntakeError unless `file` is a readable document file of a supported format."""
    if not file.exists():
        raise IntakeError(f"{source}: no such file or folder")
    if not file.is_file():
        raise IntakeError(f"{source}: not a file")
    if is_sidecar(file):
        raise IntakeError(f"{source}: a metadata file ({SIDECAR_SUFFIX}); add the document it goes with")
    if file.name.lower() in RESERVED_NAMES:
        raise IntakeError(f"{source}: {file.name} is a reserved name in a corpus folder; rename the file")
    if file.suffix.lower() not in SUFFIXES:
        raise IntakeError(f"{source}: not a supported format ({file.suffix or 'no suffix'}); "
                          f"QuoteBot reads {', '.join(SUFFIXES)} files")
    if file.stat().st_size > MAX_FILE_BYTES:
        raise IntakeError(f"{source}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")


def _parse(staged: Path, source: str) -> Document:
    """Parse the staged copy; errors name the input, not the staging folder."""
    try:
        doc = parse_file(staged)
    except ParseError as exc:
        raise IntakeError(str(exc).replace(str(staged), source, 1)) from exc
    except CorpusError as exc:  # a bad corpus configuration beside the input
        raise IntakeError(f"{source}: {exc}") from exc
    if not doc.body_paragraphs(None):
        raise IntakeError(f"{source}: no paragraph of text found")
    if not doc.doc_id:
        raise IntakeError(f"{source}: no id can be made from its title, date or file name; rename the file")
    return doc


def _stage(file: Path, workdir: Path, name: str, source: str) -> tuple[Path, Path | None]:
    workdir.mkdir(parents=True, exist_ok=True)
    staged = workdir / name
    try:
        shutil.copyfile(file, staged)
        for sidecar in sidecars_of(file)[:1]:  # the one that applies, under the name we write
            shutil.copyfile(sidecar, sidecar_of(staged))
            return staged, sidecar_of(staged)
    except OSError as exc:
        raise IntakeError(f"{source}: cannot read ({exc.strerror or exc})") from exc
    return staged, None


def preview(file: Path, workdir: Path, known: Known, *, source: str | None = None, name: str | None = None,
            url: str | None = None) -> Staged:
    """Check and parse `file` (copied into `workdir` under the name it will have, `name` or its
    own, with its sidecar) without writing to any corpus. `url`: where it was fetched from,
    recorded in a sidecar when the format records none. Raises IntakeError."""
    source = source or str(file)
    check_input(file, source)
    staged, sidecar = _stage(file, workdir, safe_name(name or file.name), source)
    doc = _parse(staged, source)
    if url and not doc.url and sidecar is None:
        sidecar = sidecar_of(staged)
        sidecar.write_text(json.dumps({"url": url}, ensure_ascii=False) + "\n", "utf-8")
        doc = _parse(staged, source)
    known.check(doc, staged.name, source)
    return Staged(source, staged, sidecar, doc)


def _place(src: Path, dst: Path) -> None:
    """Copy `src` to `dst` through a hidden temporary sibling (never read as a document) renamed
    into place, so `dst` is never seen half-written."""
    tmp = dst.with_name(f".{dst.name}.tmp-{os.getpid()}")
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)


def corpus_lock(folder: Path):
    """Held while one process changes `folder`, from reading what is there to the last file written:
    a second `quotebot add` of the same text waits, then is refused as a duplicate."""
    folder = folder.resolve()  # the lock is beside the folder (hidden), which itself stays untouched
    return exclusive(folder.parent / f".{folder.name}.quotebot-lock", fail=lambda exc: IntakeError(
        f"cannot create a lock file beside the corpus folder {folder}: {exc.strerror or exc}"))


def commit(staged: Staged, folder: Path) -> Filed:
    """Copy a previewed document (and its sidecar) into `folder`: the sidecar first, then the
    document, so it appears whole; on failure nothing stays. Raises IntakeError."""
    target = folder / staged.file.name
    placed: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if target.exists() or (staged.sidecar and sidecar_of(target).exists()):
            raise IntakeError(f"{staged.source}: {target} appeared meanwhile; nothing added")
        if staged.sidecar:
            _place(staged.sidecar, sidecar_of(target))
            placed.append(sidecar_of(target))
        _place(staged.file, target)
    except OSError as exc:
        for path in placed:
            path.unlink(missing_ok=True)
        raise IntakeError(f"{staged.source}: cannot write to {folder} ({exc.strerror or exc}); nothing added") from exc
    return Filed(replace(staged.document, source_path=str(target)), (target, *placed))


def commit_checked(staged: Staged, folder: Path, documents: list[Document]) -> Filed:
    """`commit` under the corpus lock, after checking `staged` against `documents` (an engine's)
    and what `folder` holds now: another process may have added the same text since."""
    with corpus_lock(folder):
        on_disk = Known.of([], folder).documents
        Known.of_documents([*documents, *on_disk], folder).check(staged.document, staged.file.name, staged.source)
        return commit(staged, folder)


def removable(doc_id: str, folder: Path, known: Known) -> Document:
    """The document `doc_id` if it can be removed from `folder`; IntakeError if unknown or
    elsewhere (the shipped corpus)."""
    doc = known.by_id(doc_id)
    if doc is None:
        raise IntakeError(f"unknown document {doc_id!r}; `quotebot docs` lists the ids")
    path, shipped = Path(doc.source_path), shipped_corpus_or_none()
    if shipped is not None and inside(path, shipped):
        raise IntakeError(f"{doc_id} is part of the shipped corpus and cannot be removed; "
                          f"only documents added to {folder} can")
    if not inside(path, folder):
        raise IntakeError(f"{doc_id} is not in {folder} (its file is {path}); "
                          "only documents added there can be removed")
    return doc


def _own_sidecars(path: Path) -> list[Path]:
    """`path`'s sidecars, but a `NAME.meta.json` that another document named NAME.* shares."""
    shared = any(p != path and p.stem == path.stem and not is_sidecar(p) for p in path.parent.iterdir())
    return [s for s in sidecars_of(path) if not (shared and s == sidecar_of(path))]


def remove(doc_id: str, folder: Path, known: Known) -> Filed:
    """Delete the document `doc_id` (and its sidecar) from `folder`; see `removable`."""
    doc = removable(doc_id, folder, known)
    path = Path(doc.source_path)
    files = [path] + _own_sidecars(path)
    try:
        for file in files:  # the document first: it disappears whole
            file.unlink()
    except OSError as exc:
        raise IntakeError(f"{doc_id}: cannot delete {file} ({exc.strerror or exc})") from exc
    known.documents.remove(doc)
    return Filed(doc, tuple(files))
