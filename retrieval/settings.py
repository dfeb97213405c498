"""Engine settings from the environment and command-line options (read on request only)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import CorpusError

ENV_MODEL = "QUOTEBOT_MODEL"
ENV_INDEX_DIR = "QUOTEBOT_INDEX_DIR"
ENV_CORPUS = "QUOTEBOT_CORPUS"
ENV_THREADS = "QUOTEBOT_THREADS"


def shipped_corpus() -> Path:
    """The repository's corpus/ folder (the package is installed from the repository)."""
    path = Path(__file__).resolve().parent.parent / "corpus"
    if not path.is_dir():
        raise CorpusError(
            f"the shipped corpus is not at {path}; install with `pip install -e .` from the "
            f"repository or pass --corpus / set {ENV_CORPUS}"
        )
    return path


def default_index_root() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("quotebot")) / "indexes"


def _threads(env) -> int | None:
    raw = env.get(ENV_THREADS, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise CorpusError(f"{ENV_THREADS} must be a whole number of threads (1 or more), got {raw!r}")
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

    @classmethod
    def resolve(cls, corpus: list[str] | None = None, model: str | None = None,
                index_dir: str | None = None, env: dict | None = None) -> "EngineSettings":
        """Options win over environment variables, which win over defaults."""
        env = os.environ if env is None else env
        paths = corpus or [p for p in env.get(ENV_CORPUS, "").split(os.pathsep) if p.strip()]
        resolved = tuple(_resolved(p) for p in paths) or (shipped_corpus(),)
        root = index_dir or env.get(ENV_INDEX_DIR) or default_index_root()
        return cls(resolved, model or env.get(ENV_MODEL) or None, Path(root).expanduser(), _threads(env))

    def index_path(self, model_id: str) -> Path:
        """One directory per (corpus paths, model): content changes rebuild it in place."""
        key = "\0".join([model_id, *sorted(str(p) for p in self.corpus)])
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        safe_model = "".join(c if c.isalnum() or c in "-_." else "_" for c in model_id)[-40:]
        return self.index_root / f"{safe_model}-{digest}"
