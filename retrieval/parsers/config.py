"""Corpus configuration: a `quotebot.json` file in a corpus folder.

It applies to every file in its folder and below (the nearest one wins, as with
.editorconfig). Keys (all optional):

    {"title_prefix": "SCO"}   short titles "SCO Beijing Declaration" instead of the title
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import CorpusError

CONFIG_NAME = "quotebot.json"
_KEYS = {"title_prefix": str}


@dataclass(frozen=True)
class CorpusConfig:
    title_prefix: str = ""


def config_path(file: Path) -> Path | None:
    """The `quotebot.json` nearest to `file`: in its folder or the closest parent folder."""
    return _nearest(Path(file).resolve().parent)


def _nearest(folder: Path) -> Path | None:  # not cached: a file added while the bot runs must count
    candidate = folder / CONFIG_NAME
    if candidate.is_file():
        return candidate
    return None if folder.parent == folder else _nearest(folder.parent)


def config_for(file: Path) -> CorpusConfig:
    path = config_path(file)
    return load_config(path) if path else CorpusConfig()


def load_config(path: Path) -> CorpusConfig:
    """Read and check a configuration file; a bad one is a CorpusError naming it."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CorpusError(f"{path}: cannot read the corpus configuration ({exc})") from exc
    if not isinstance(data, dict):
        raise CorpusError(f"{path}: the corpus configuration must be a JSON object")
    for key, value in data.items():
        if key not in _KEYS or not isinstance(value, _KEYS[key]):
            known = ", ".join(f"{k} ({t.__name__})" for k, t in _KEYS.items())
            raise CorpusError(f"{path}: unknown or mistyped key {key!r}; known keys: {known}")
    return CorpusConfig(**data)
