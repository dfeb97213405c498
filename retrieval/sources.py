"""The inputs of `quotebot add`: files, folders (each document file in them) and URLs, previewed.

A URL is fetched bounded in time and size, checked by content type, and saved under a file name
made from the URL and the type; httpx is imported on first use (it comes with
python-telegram-bot).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from retrieval.errors import CorpusError, IntakeError
from retrieval.intake import Known, Staged, preview
from retrieval.parsers import MAX_FILE_BYTES, corpus_files, is_sidecar

TIMEOUT = 30.0  # seconds for the whole download, connecting included
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TYPES = {  # content type -> suffix of the file saved
    "application/pdf": ".pdf",
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    DOCX: ".docx",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "application/json": ".json",
    "text/json": ".json",
}
ALIASES = {".htm": ".html", ".markdown": ".md"}  # suffixes a URL may carry for the same format
UNTYPED = ("application/octet-stream", "binary/octet-stream", "")  # then the URL's suffix decides
KINDS = "PDF, HTML, DOCX, plain text, Markdown or JSON"


@dataclass(frozen=True)
class Fetched:
    path: Path
    url: str
    content_type: str


def is_url(text: str) -> bool:
    return urlsplit(text).scheme.lower() in ("http", "https")


def _url_suffix(url: str) -> str:
    suffix = Path(unquote(urlsplit(url).path)).suffix.lower()
    return ALIASES.get(suffix, suffix)


def suffix_for(url: str, content_type: str) -> str:
    """The suffix a document of `content_type` from `url` is saved with; IntakeError if it is no
    document type. A plain-text type keeps a text suffix the URL has (.md served as text/plain)."""
    kind = content_type.split(";")[0].strip().lower()
    from_url = _url_suffix(url)
    if kind in UNTYPED and from_url in TYPES.values():
        return from_url
    if kind not in TYPES:
        raise IntakeError(f"{url}: the content type is {kind or 'missing'}, not a document ({KINDS})")
    if kind == "text/plain" and from_url in (".md", ".json"):
        return from_url
    return TYPES[kind]


def file_name(url: str, suffix: str) -> str:
    """`https://example.org/docs/decl.pdf` -> `decl.pdf`: the last path segment (or the host),
    its own suffix replaced by `suffix` when they name the same format, else `suffix` added."""
    parts = urlsplit(url)
    segments = [s for s in unquote(parts.path).split("/") if s.strip()]
    segment = segments[-1] if segments else (parts.hostname or "document")
    own = Path(segment).suffix.lower()
    stem = segment[: -len(own)] if own and ALIASES.get(own, own) == suffix else segment
    return (stem or "document") + suffix


def _too_large(url: str, max_bytes: int) -> IntakeError:
    size = f"{max_bytes // (1024 * 1024)} MiB" if max_bytes >= 1024 * 1024 else f"{max_bytes} bytes"
    return IntakeError(f"{url}: larger than {size}")


def _read(response, url: str, max_bytes: int, deadline: float, timeout: float) -> bytes:
    """The body, read in chunks: stops at `max_bytes` (whatever the server announced) and at the
    deadline (a server that trickles bytes)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes)
    data = bytearray()
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) > max_bytes:
            raise _too_large(url, max_bytes)
        if time.monotonic() > deadline:
            raise IntakeError(f"{url}: not downloaded within {timeout:g} s")
    return bytes(data)


def _get(url: str, timeout: float, max_bytes: int) -> tuple[bytes, str, str]:
    """The body, its content type and the URL it came from (after redirects)."""
    import httpx

    deadline = time.monotonic() + timeout
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True,
                          headers={"User-Agent": "QuoteBot (+quotebot add)"}) as response:
            if response.status_code != 200:
                raise IntakeError(f"{url}: the server answered {response.status_code} {response.reason_phrase}")
            content_type = response.headers.get("content-type", "")
            suffix_for(str(response.url), content_type)  # refuse a wrong type before reading the body
            return _read(response, url, max_bytes, deadline, timeout), content_type, str(response.url)
    except httpx.TimeoutException as exc:
        raise IntakeError(f"{url}: no answer within {timeout:g} s") from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise IntakeError(f"{url}: cannot fetch ({exc.__class__.__name__}: {exc})") from exc


def fetch(url: str, folder: Path, timeout: float = TIMEOUT, max_bytes: int = MAX_FILE_BYTES) -> Fetched:
    """Download `url` into `folder` (created). Raises IntakeError: not http(s), an answer other
    than 200, a type that is no document, more than `max_bytes`, more than `timeout` seconds."""
    if not is_url(url):
        raise IntakeError(f"{url}: not an http or https URL")
    data, content_type, final = _get(url, timeout, max_bytes)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name(final, suffix_for(final, content_type))  # named as the redirects end
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise IntakeError(f"{url}: cannot save the download ({exc.strerror or exc})") from exc
    return Fetched(path, url, content_type)


@dataclass(frozen=True)
class Outcome:
    """One input of `preview_sources`: staged, or the reason it cannot be added."""

    source: str
    staged: Staged | None = None
    error: IntakeError | None = None


def preview_url(url: str, workdir: Path, known: Known, timeout: float | None = None) -> Staged:
    """Fetch `url` (`fetch`) and preview the file; the URL is recorded as its source."""
    fetched = fetch(url, workdir / "download", timeout=timeout or TIMEOUT)
    return preview(fetched.path, workdir / "staged", known, source=url, url=url)


def _items(source: str) -> list[Path | str]:
    """A URL, a file, or the document files of a folder (recursively, sidecars aside)."""
    path = Path(source).expanduser()
    if is_url(source) or not path.is_dir():
        return [source if is_url(source) else path]
    try:
        return [f for f in corpus_files([path]) if not is_sidecar(f)]
    except CorpusError as exc:
        raise IntakeError(str(exc)) from exc


def preview_sources(sources: list[str], workdir: Path, known: Known, timeout: float | None = None) -> list[Outcome]:
    """Preview every input, each file in a staging folder of its own under `workdir`. Each is
    all-or-nothing and independent of the others; one staged counts as known for those after it."""
    outcomes: list[Outcome] = []
    for source in sources:
        try:
            items = _items(source)
        except IntakeError as exc:
            outcomes.append(Outcome(source, error=exc))
            continue
        for item in items:
            work = workdir / str(len(outcomes))
            try:
                staged = (preview_url(item, work, known, timeout) if isinstance(item, str)
                          else preview(item, work, known))
            except IntakeError as exc:
                outcomes.append(Outcome(str(item), error=exc))
                continue
            known.include(staged.document, staged.file.name)
            outcomes.append(Outcome(str(item), staged))
    return outcomes
