"""Abstention: whether the best paragraph answers the question, and the note that says why not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from retrieval import messages
from retrieval.query import MAX_QUESTION_CHARS, Query
from retrieval.scoring import Candidate, RankingConfig


@dataclass(frozen=True)
class Verdict:
    abstained: bool
    note: str | None = None


def confidence(best: Candidate, config: RankingConfig) -> float:
    """How sure the engine is that `best` answers: its best unit cosine plus some coverage."""
    return best.dense_unit + config.confidence_coverage * best.coverage


def judge(query: Query, ranked: Sequence[Candidate], missing_names: Callable[[Candidate], list[str]],
          config: RankingConfig) -> Verdict:
    """Confident when the best paragraph has the quoted phrases or is close enough in meaning,
    and the names the corpus never uses have a counterpart in it (`missing_names` lists those
    that have none). The note says why when it helps: it is given even when abstaining anyway."""
    best = ranked[0] if ranked else None
    confident = best is not None and (best.exact or confidence(best, config) >= config.confidence_floor)
    note = None
    if query.phrases and not (best and best.exact):
        note = messages.no_exact_words(query.phrases)
    if best is not None and query.unknown_names:
        missing = missing_names(best)
        if missing:
            confident = False
            note = messages.join_notes(note, messages.never_mentioned(missing))
    if query.truncated:
        note = messages.join_notes(note, messages.question_cut(MAX_QUESTION_CHARS))
    return Verdict(not confident, note)


def unsupported_names(names: Sequence[str], name_vectors: dict[str, np.ndarray], unit_vectors: np.ndarray,
                      threshold: float) -> list[str]:
    """The names with no vector among `unit_vectors` (a paragraph and its units) at `threshold`."""
    support = (np.stack([name_vectors[n] for n in names]) @ unit_vectors.T).max(axis=1)
    return [name for name, value in zip(names, support) if value < threshold]


def absent_in_scope(query: Query, postings: Callable[[tuple[str, ...]], np.ndarray], in_scope: np.ndarray) -> list[str]:
    """Topic words the corpus uses but no paragraph in scope (`in_scope`, per paragraph) does."""
    if len(query.content) != len(query.terms):
        return []
    absent = []
    for word, alternatives in zip(query.content, query.terms):
        found = postings(alternatives)
        if found.size and not in_scope[found].any():
            absent.append(word)
    return absent
