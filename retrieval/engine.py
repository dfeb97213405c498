"""The one pure core: `Engine.answer(question, filters)` -> `Answer`.

A question is read (retrieval.query), every allowed paragraph is scored (retrieval.scoring),
the best are quoted (retrieval.quoting) and the engine abstains unless the best one answers
(retrieval.verdict). Filters are resolved in retrieval.filters. The engine is thread-safe for
reads: the CLI, the Telegram handlers (in worker threads) and the benchmarks share it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Sequence

import numpy as np

from embeddings.base import Embedder
from retrieval import messages, verdict
from retrieval.errors import EmptyQuestionError, QuoteBotError
from retrieval.filters import Catalog, merge
from retrieval.index import Index
from retrieval.query import Query, ScopeFinder, understand
from retrieval.quoting import make_hit, quote_row
from retrieval.scoring import DEFAULT_RANKING, Candidate, Features, RankingConfig, Scorer
from retrieval.types import Answer, Document, Filters, Paragraph

log = logging.getLogger(__name__)

DEFAULT_K = 3
MAX_K = 50


class Engine:
    """Answers questions from one index with one embedder."""

    def __init__(self, index: Index, embedder: Embedder, config: RankingConfig = DEFAULT_RANKING) -> None:
        self.index = index
        self.embedder = embedder
        self.config = config
        self.catalog = Catalog(index.documents)
        self.scorer = Scorer(index, self.catalog, config)
        self._scope = ScopeFinder(index.documents)

    @property
    def documents(self) -> list[Document]:
        return self.catalog.documents

    def document(self, ref: str) -> Document:
        """The document named by an id, a file name or a unique id prefix."""
        return self.catalog.document(ref)

    def validate(self, filters: Filters | None) -> Filters:
        return self.catalog.validate(filters) if filters else Filters()

    # ---- reading and answering ----------------------------------------------------------------
    def understand(self, question: str) -> Query:
        """The question read against this corpus; an error when it names nothing to search for."""
        query = understand(question, self.index.lexicon, self._scope)
        if not query.content and not query.filters:
            if any(ch.isalnum() for ch in query.text):  # "What does the declaration say?"
                raise EmptyQuestionError(messages.NO_TOPIC)
            raise EmptyQuestionError(messages.EMPTY_QUESTION)
        return query

    def embed(self, queries: Sequence[Query]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Questions and the unknown names they contain, encoded in one batch."""
        names = list(dict.fromkeys(n for q in queries for n in q.unknown_names))
        vectors = self.embedder.embed_queries([q.text or q.original for q in queries] + names)
        return vectors[: len(queries)], dict(zip(names, vectors[len(queries):]))

    def answer(self, question: str, filters: Filters | None = None, k: int = DEFAULT_K) -> Answer:
        return self.answer_many([question], filters, k)[0]

    def answer_many(self, questions: Sequence[str], filters: Filters | None = None,
                    k: int = DEFAULT_K) -> list[Answer]:
        """Answer several questions, embedding them in one batch; the first bad one raises."""
        results = self.answer_each(questions, filters, k)
        for result in results:
            if isinstance(result, QuoteBotError):
                raise result
        return results

    def answer_each(self, questions: Sequence[str], filters: Filters | None = None,
                    k: int = DEFAULT_K) -> list[Answer | QuoteBotError]:
        """Answer each question, in order, embedding the good ones in one batch: a question that
        cannot be answered (empty, no topic) gets its error in its place, the others their answer.
        Filters that name no document of the corpus are an error for all (raised)."""
        k = max(1, min(int(k), MAX_K))
        given = self.validate(filters)
        read: list[Query | QuoteBotError] = []
        for question in questions:
            try:
                read.append(self.understand(question))
            except QuoteBotError as exc:
                read.append(exc)
        queries = [q for q in read if isinstance(q, Query)]
        vectors, names = self.embed(queries)
        answers = iter(self._answer_or_error(q, v, given, k, names) for q, v in zip(queries, vectors))
        return [next(answers) if isinstance(item, Query) else item for item in read]

    def _answer_or_error(self, query: Query, vector: np.ndarray, given: Filters, k: int,
                         names: dict[str, np.ndarray]) -> Answer | QuoteBotError:
        try:
            return self._answer(query, vector, given, k, names)
        except QuoteBotError as exc:
            return exc

    def _answer(self, query: Query, vector: np.ndarray, given: Filters, k: int,
                names: dict[str, np.ndarray]) -> Answer:
        filters = merge(given, query.filters)
        allowed = self.catalog.allowed(filters)
        if allowed is not None and not allowed:
            return Answer(query.original, (), True, filters, note=messages.no_document_matches(filters.describe()))
        _require_topic(query)
        features = self.scorer.features(query, vector, allowed)
        answer = self._judged(query, features, self.scorer.rank(features, k), filters, names)
        if answer.abstained and allowed is not None:
            in_scope = np.isin(self.index.paragraph_doc, list(allowed))
            absent = verdict.absent_in_scope(query, self.scorer.postings, in_scope)
            if absent:  # "afghanistan in 2021": the corpus has the word, the 2021 documents do not
                answer = replace(answer, note=messages.join_notes(messages.not_in_scope(absent), answer.note))
        return answer

    def _judged(self, query: Query, features: Features, ranked: list[Candidate], filters: Filters,
                names: dict[str, np.ndarray]) -> Answer:
        """The answer for ranked paragraphs: quoted, and abstained unless the best one answers."""
        hits = tuple(make_hit(self.index, i + 1, c, quote_row(self.index, query, c, features.row_sims, self.config))
                     for i, c in enumerate(ranked))

        def missing_names(best: Candidate) -> list[str]:
            rows = [best.row] + self.index.units_of.get(best.row, [])
            return verdict.unsupported_names(query.unknown_names, names, self.index.vectors[rows],
                                             self.config.name_support)

        judged = verdict.judge(query, ranked, missing_names, self.config)
        return Answer(query.original, hits, judged.abstained, filters, note=judged.note)

    # ---- browsing -----------------------------------------------------------------------------
    def context(self, doc_id: str, number: int, radius: int = 1, lang: str = "en") -> list[Paragraph]:
        """The paragraph `number` of a document with `radius` paragraphs on each side."""
        same = [p for p in self.document(doc_id).paragraphs if p.lang == lang]
        return [p for p in same if abs(p.number - number) <= radius]

    def compare(self, topic: str, filters: Filters | None = None) -> list[Answer]:
        """The best clause on `topic` from each document, oldest first (one ranking for all)."""
        given = self.validate(filters)
        query = self.understand(topic)
        _require_topic(query)
        vectors, names = self.embed([query])
        docs = self.catalog.matching(merge(given, query.filters))
        if not docs:
            return []
        features = self.scorer.features(query, vectors[0], set(docs))
        answers = []
        for doc in docs:
            doc_filters = merge(Filters(doc_ids=(self.documents[doc].doc_id,)), query.filters)
            positions = np.flatnonzero((self.index.paragraph_doc == doc) & np.isfinite(features.score))
            if positions.size == 0:  # nothing searchable (a text in another language only)
                answers.append(Answer(query.original, (), True, doc_filters))
                continue
            best = self.scorer.best_of(features, positions)
            answers.append(self._judged(query, features, [best], doc_filters, names))
        return answers

    def about(self) -> dict:
        """What answers come from: corpus counts, model, index date and the ranking configuration."""
        manifest = self.index.manifest
        dates = [d.date for d in self.documents if d.date]
        return {
            "documents": len(self.documents),
            "first_date": min(dates).isoformat() if dates else None,
            "last_date": max(dates).isoformat() if dates else None,
            "counts": manifest["counts"],
            "model_id": manifest["model_id"],
            "dim": manifest["dim"],
            "created_at": manifest["created_at"],
            "index": str(self.index.path) if self.index.path else None,
            "ranking": self.config.to_json(),
        }


def _require_topic(query: Query) -> None:
    if not query.content:
        raise EmptyQuestionError(messages.DOCUMENTS_BUT_NO_TOPIC)
