"""Abstention: whether the best paragraph answers the question, and the note that says why not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from retrieval import messages
from retrieval.query import MAX_QUESTION_CHARS, AbsentWord, Query
from retrieval.scoring import Candidate


@dataclass(frozen=True)
class Verdict:
    abstained: bool
    note: str | None = None


def judge(query: Query, best: Candidate | None, subjects: Sequence[AbsentWord], missing: Sequence[AbsentWord],
          likely: bool, unused: Sequence[str] = (), apart: Sequence[str] = ()) -> Verdict:
    """Confident when the best paragraph has the question's quoted phrases, or when it grounds
    every subject of the question (`missing` lists those it does not) and the confidence model
    finds it `likely` to answer; never when a quoted phrase is one no paragraph has (`unused`):
    the words asked for are nowhere; nor when the best paragraph has no phrase for a pair of the
    question's words that no paragraph has together (`apart`, retrieval.compounds). The note says
    why when it helps: the subjects no paragraph names are always named, whether the answer
    abstains or quotes what is closest in meaning."""
    confident = best is not None and (best.exact or (not missing and likely)) and not unused and not apart
    note = None
    if unused:
        note = messages.never_used(unused)
    elif query.phrases and not (best and best.exact):
        note = messages.no_exact_words(query.phrases)
    if query.script:  # a Russian question of an English index: every word absent, any match chance
        return Verdict(True, messages.join_notes(messages.other_script(query.script), note))
    if subjects:
        signatories = [w.written for w in subjects if w.signatory]
        others = [w.written for w in subjects if not w.signatory]
        note = messages.join_notes(note, messages.never_mentioned(others) if others else None,
                                   messages.only_signatory(signatories) if signatories else None)
    if apart:
        note = messages.join_notes(note, messages.never_together(apart))
    if query.truncated:
        note = messages.join_notes(note, messages.question_cut(MAX_QUESTION_CHARS))
    return Verdict(not confident, note)


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
