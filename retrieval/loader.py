"""Opening an engine: corpus + model + index, built or loaded."""

from __future__ import annotations

import time
from dataclasses import dataclass

from embeddings import Embedder, load_embedder
from retrieval.engine import Engine
from retrieval.index import BuildProgress, open_index
from retrieval.parsers import corpus_files
from retrieval.ranking_config import DEFAULT_RANKING, RankingConfig
from retrieval.settings import EngineSettings


@dataclass
class Opened:
    engine: Engine
    built: bool
    seconds: float
    corpus_errors: list[str]


def open_engine(settings: EngineSettings, embedder: Embedder | None = None, progress: BuildProgress | None = None,
                force: bool = False, config: RankingConfig = DEFAULT_RANKING) -> Opened:
    """Parse the corpus, load the model, then load the index or build it if stale."""
    started = time.perf_counter()
    files = corpus_files(settings.corpus_paths())
    embedder = embedder or load_embedder(settings.model, threads=settings.threads)
    index, built = open_index(files, embedder, settings.index_path(embedder.model_id), progress=progress,
                              force=force, facts={"ranking": config.to_json()})
    errors = index.manifest.get("corpus_errors", [])  # the caller reports them
    return Opened(Engine(index, embedder, config), built, time.perf_counter() - started, errors)
