"""Engine settings from the environment and command-line options (read on request only)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import CorpusError, CorpusPathError, IntakeError, UsageError

ENV_MODEL = "QUOTEBOT_MODEL"
ENV_INDEX_DIR = "QUOTEBOT_INDEX_DIR"
ENV_CORPUS = "QUOTEBOT_CORPUS"
ENV_THREADS = "QUOTEBOT_THREADS"
ENV_USER_CORPUS = "QUOTEBOT_USER_CORPUS"


def shipped_corpus() -> Path:
    """The repository's corpus/ folder (the package is installed from the repository)."""
    path = Path(__file__).resolve().parent.parent / "corpus"
    if not path.is_dir():
        raise CorpusError(
            f"the shipped corpus is not at {path}; install with `pip install -e .` from the "
            f"repository or pass --corpus / set {ENV_CORPUS}"
        )
    return path


def shipped_corpus_or_none() -> Path | None:
    try:
        return shipped_corpus()
    except CorpusError:
        return None


def inside(path: Path, folder: Path) -> bool:
    """True when `path` is `folder` or lies under it (links resolved)."""
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def default_index_root() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("quotebot")) / "indexes"


def default_user_corpus() -> Path:
    """Where `quotebot add` puts documents: the platform's user data folder (~/.local/share/quotebot/corpus)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("quotebot")) / "corpus"


def user_corpus_in_use(folder: Path) -> bool:
    """True when the user corpus folder holds a document file; absent or empty: False."""
    from retrieval.parsers import corpus_files

    if not folder.exists():
        return False
    if not folder.is_dir():
        raise CorpusPathError(f"{folder}: the user corpus ({ENV_USER_CORPUS}) must be a folder")
    try:
        return bool(corpus_files([folder]))
    except CorpusError:  # no document file in it
        return False


def _threads(env) -> int | None:
    raw = env.get(ENV_THREADS, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise UsageError(f"{ENV_THREADS} must be a whole number of threads (1 or more), got {raw!r}")
    return int(raw)


def _resolved(path: str) -> Path:
    try:
        return Path(path).expanduser().resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop raises RuntimeError in pathlib
        raise CorpusError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from exc


@dataclass(frozen=True)
class EngineSettings:
    corpus: tuple[Path, ...]
    model: str | None
    index_root: Path
    threads: int | None = None  # torch threads for encoding; None: torch's default (every core)
    user_corpus: Path | None = None  # searched beside `corpus` when it holds documents (default corpus only)

    @classmethod
    def resolve(cls, corpus: list[str] | None = None, model: str | None = None,
                index_dir: str | None = None, env: dict | None = None) -> "EngineSettings":
        """Options win over environment variables, which win over defaults. Without an explicit
        corpus, the shipped one is searched with the user corpus folder (`quotebot add`)."""
        env = os.environ if env is None else env
        paths = corpus or [p for p in env.get(ENV_CORPUS, "").split(os.pathsep) if p.strip()]
        resolved = tuple(_resolved(p) for p in paths)
        user = None if resolved else _resolved(env.get(ENV_USER_CORPUS) or str(default_user_corpus()))
        root = index_dir or env.get(ENV_INDEX_DIR) or default_index_root()
        return cls(resolved or (shipped_corpus(),), model or env.get(ENV_MODEL) or None, Path(root).expanduser(),
                   _threads(env), user)

    def corpus_paths(self) -> list[Path]:
        """What is searched: `corpus`, and the user corpus when it holds documents (looked at on
        every call: documents added while the bot runs count at its next /reindex)."""
        extra = [self.user_corpus] if self.user_corpus and user_corpus_in_use(self.user_corpus) else []
        return [*self.corpus, *extra]

    def intake_folder(self) -> Path:
        """The folder `quotebot add` and `remove` work on: the user corpus, or the one corpus folder
        named explicitly (--corpus DIR, QUOTEBOT_CORPUS); never the shipped corpus."""
        if self.user_corpus is not None:
            folder = self.user_corpus
        elif len(self.corpus) == 1 and not self.corpus[0].is_file():
            folder = self.corpus[0]
        else:
            raise IntakeError("documents are added to one corpus folder: name it with --corpus DIR")
        shipped = shipped_corpus_or_none()
        if shipped is not None and inside(folder, shipped):
            raise IntakeError(f"{folder} is the shipped corpus, kept as published; add documents to another folder")
        return folder

    def index_path(self, model_id: str) -> Path:
        """One directory per (corpus paths, model): content changes rebuild it in place. The user
        corpus is not part of the key: adding a document rebuilds the default corpus's index in
        place (only the new document is encoded), and an empty user corpus changes nothing."""
        key = "\0".join([model_id, *sorted(str(p) for p in self.corpus)])
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        safe_model = "".join(c if c.isalnum() or c in "-_." else "_" for c in model_id)[-40:]
        return self.index_root / f"{safe_model}-{digest}"
