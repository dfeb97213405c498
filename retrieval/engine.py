"""The one pure core: `Engine.answer(question, filters)` -> `Answer`.

A question is read (retrieval.query), every allowed paragraph is scored (retrieval.scoring),
the best are quoted (retrieval.quoting) and the engine abstains unless the best one answers
(retrieval.verdict). Filters are resolved in retrieval.filters. The engine is thread-safe for
reads: the CLI, the Telegram handlers (in worker threads) and the benchmarks share it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from embeddings.base import Embedder
from retrieval import compounds, grounding, messages, verdict
from retrieval.confidence import ConfidenceModel, Evidence, default_model
from retrieval.errors import EmptyQuestionError, InvalidQuestionError, QuoteBotError
from retrieval.filters import Catalog, merge, question_scope
from retrieval.index import Index
from retrieval.query import Query, ScopeFinder, understand
from retrieval.quoting import make_hit, quote_row
from retrieval.ranking_config import DEFAULT_RANKING, RankingConfig
from retrieval.scoring import Candidate, Features, Scorer
from retrieval.text import script_of
from retrieval.types import Answer, Document, Filters, Paragraph

log = logging.getLogger(__name__)

DEFAULT_K = 3
MAX_K = 50
_SURROGATE = re.compile("[\ud800-\udfff]")  # half of a UTF-16 pair: what broken UTF-8 decodes to


@dataclass(frozen=True)
class Explanation:
    """An answer with what decided it: the evidence of its best paragraph and the probability the
    confidence model gives it (None when there is no paragraph to judge)."""

    answer: Answer
    evidence: Evidence | None = None
    probability: float | None = None
    ungrounded: tuple[str, ...] = ()  # the subjects the best paragraph does not ground (abstained)


class Engine:
    """Answers questions from one index with one embedder."""

    def __init__(self, index: Index, embedder: Embedder, config: RankingConfig = DEFAULT_RANKING,
                 model: ConfidenceModel | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.config = config
        self.model = model or default_model()
        self.catalog = Catalog(index.documents)
        self.scorer = Scorer(index, self.catalog, config)
        self.grounder = grounding.Grounder(index, self.scorer)
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
        if _SURROGATE.search(question):
            raise InvalidQuestionError(messages.NOT_TEXT)
        query = understand(question, self.index.lexicon, self._scope)
        if not query.content and not query.filters:
            if any(ch.isalnum() for ch in query.text):  # "What does the declaration say?"
                raise EmptyQuestionError(messages.NO_TOPIC)
            raise EmptyQuestionError(messages.EMPTY_QUESTION)
        kept = tuple(a for a in query.absent if not self.grounder.numbered(a.word))  # "cop24"
        more = self.grounder.absent_acronyms(query.content)
        if query.runs:
            more += self.grounder.absent_names(query.runs)
        more += self.grounder.absent_known_names(query.words, kept + more)
        pairs = compounds.unused_pairs(query.runs, self.grounder.used_together)
        changed = more or pairs or len(kept) < len(query.absent)
        query = replace(query, absent=kept + more, compounds=pairs) if changed else query
        script = script_of(question)
        languages = self.index.manifest.get("languages")
        return replace(query, script=script) if script and languages and script not in languages else query

    def embed(self, queries: Sequence[Query]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Questions, the words they use that the corpus does not and the pairs of words it never
        puts together, encoded in one batch."""
        absent = list(dict.fromkeys([a.word for q in queries for a in q.absent] + [p for q in queries for p in q.compounds]))
        vectors = self.embedder.embed_queries([q.text or q.original for q in queries] + absent)
        return vectors[: len(queries)], dict(zip(absent, vectors[len(queries):]))

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
        try:
            vectors, names = self.embed(queries)
        except Exception:  # noqa: BLE001 - one question must not fail the others: each alone
            if len(queries) <= 1:
                raise
            log.exception("a batch of %d questions failed; answering them one by one", len(queries))
            answers = iter(self._alone(q, given, k) for q in queries)
        else:
            answers = iter(self._answer_batch(queries, vectors, given, k, names))
        return [next(answers) if isinstance(item, Query) else item for item in read]

    def _answer_batch(self, queries: list[Query], vectors: np.ndarray, given: Filters, k: int,
                      names: dict[str, np.ndarray]) -> list[Answer | QuoteBotError]:
        """Answer the queries, the phrases their compound subjects need encoded in one batch."""
        return compounds.answered_in_batch(
            len(queries), lambda i, phrases: self._answer_or_error(queries[i], vectors[i], given, k, names, phrases),
            lambda i: self._alone(queries[i], given, k), self.embedder.embed_queries)

    def _alone(self, query: Query, given: Filters, k: int) -> Answer | QuoteBotError:
        """One question answered on its own; an unexpected failure becomes its error (logged)."""
        try:
            vectors, names = self.embed([query])
            return self._answer_or_error(query, vectors[0], given, k, names)
        except Exception:  # noqa: BLE001 - reported to the user as this question's error
            log.exception("cannot answer %r", query.original[:200])
            return QuoteBotError(messages.INTERNAL_ERROR)

    def _answer_or_error(self, query: Query, vector: np.ndarray, given: Filters, k: int,
                         words: dict[str, np.ndarray], phrases=None) -> Answer | QuoteBotError:
        try:
            return self._explain(query, vector, given, k, words, phrases).answer
        except QuoteBotError as exc:
            return exc

    def explain(self, question: str, filters: Filters | None = None, k: int = DEFAULT_K) -> Explanation:
        """The answer to `question` and the evidence that decided it."""
        query = self.understand(question)
        vectors, words = self.embed([query])
        return self._explain(query, vectors[0], self.validate(filters), max(1, min(int(k), MAX_K)), words)

    def _explain(self, query: Query, vector: np.ndarray, given: Filters, k: int,
                 words: dict[str, np.ndarray], phrases=None) -> Explanation:
        filters, allowed, widened = self._filters_for(query, given)
        if allowed is not None and not allowed:
            note = messages.no_document_matches(filters.describe())
            return Explanation(Answer(query.original, (), True, filters, note=note))
        _require_topic(query)
        features = self.scorer.features(query, vector, allowed)
        ranked = self.scorer.rank(features, max(k, 2))  # the second best gives the margin
        explained = self._judged(query, vector, features, ranked, k, filters, words, phrases)
        answer = explained.answer
        if widened:
            answer = replace(answer, note=messages.join_notes(widened, answer.note))
        if answer.abstained and allowed is not None:
            in_scope = np.isin(self.index.paragraph_doc, list(allowed)) & self.scorer.answerable(query)
            absent = verdict.absent_in_scope(query, self.scorer.postings, in_scope)
            if absent:  # "afghanistan in 2021": the corpus has the word, the 2021 documents do not
                answer = replace(answer, note=messages.join_notes(messages.not_in_scope(absent), answer.note))
        return replace(explained, answer=answer)

    def _filters_for(self, query: Query, given: Filters) -> tuple[Filters, set[int] | None, str | None]:
        """The filters of a question, the documents they allow, and a note when they were widened
        (retrieval.filters.question_scope)."""
        def phrase_docs() -> set[int]:
            return set(self.index.paragraph_doc[self.scorer.phrase_matches(query)].tolist())

        return question_scope(self.catalog, given, query.filters, query.phrases, phrase_docs)

    def _judged(self, query: Query, vector: np.ndarray, features: Features, ranked: list[Candidate], k: int,
                filters: Filters, words: dict[str, np.ndarray], phrases=None) -> Explanation:
        """The answer for ranked paragraphs: the first `k` quoted, abstained unless the best one
        grounds the question's subjects and the confidence model finds it likely to answer."""
        c = self.config
        margin = ranked[0].score - ranked[1].score if len(ranked) > 1 else 0.0
        ranked = ranked[:k]
        of_type = self.scorer.answers_type(query)
        hits = tuple(make_hit(self.index, i + 1, r, quote_row(self.index, query, r, features.row_sims, c, of_type))
                     for i, r in enumerate(ranked))
        if not ranked:
            judged = verdict.judge(query, None, [], [], False, self.scorer.unused_phrases(query))
            return Explanation(Answer(query.original, hits, True, filters, note=judged.note))
        best = ranked[0]
        subjects = grounding.subjects_of(query, vector, words, c.subject_aboutness)
        best_words = self.grounder.paragraph_words(best, query) if subjects else None
        evidence = Evidence(
            unit=best.dense_unit, para=best.dense_para, coverage=best.coverage,
            absent=len(query.absent) / max(1, len(query.content)),
            ungrounded=1.0 - grounding.grounding(subjects, best_words) if subjects else 0.0,
            margin=margin,
        )
        probability = self.model.probability(evidence)
        missing = ([s.word for s in grounding.ungrounded(subjects, best_words, c.ground_floor, c.name_ground_floor)]
                   if subjects else [])
        likely, unused = probability >= self.model.threshold, self.scorer.unused_phrases(query)
        apart = self._apart(query, best, vector, words, phrases) if likely and not (missing or unused or best.exact) else []
        judged = verdict.judge(query, best, [s.word for s in subjects], missing, likely, unused, apart)
        return Explanation(Answer(query.original, hits, judged.abstained, filters, note=judged.note), evidence, probability,
                           tuple(w.word for w in missing) + tuple(apart))

    def _apart(self, query: Query, best: Candidate, vector: np.ndarray, words: dict[str, np.ndarray],
               phrases=None) -> list[str]:
        """The compound subjects of the question (retrieval.compounds) that the best paragraph has no
        phrase for."""
        pairs = compounds.subjects(query.compounds, vector, words, self.config.compound_aboutness)
        if not pairs:
            return []
        text = self.index.paragraph(self.index.passages[best.row]).text
        return compounds.ungrounded(pairs, text, words, lambda w: words[w] if w in words else self.index.word_vectors.vector(w),
                                    phrases or self.embedder.embed_queries, self.config.compound_floor)

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
            ranked = self.scorer.best_of(features, positions, 2)
            answers.append(self._judged(query, vectors[0], features, ranked, 1, doc_filters, names).answer)
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
            "confidence": {"features": list(self.model.features), "threshold": self.model.threshold},
        }


def _require_topic(query: Query) -> None:
    if not query.content:
        raise EmptyQuestionError(messages.DOCUMENTS_BUT_NO_TOPIC)
