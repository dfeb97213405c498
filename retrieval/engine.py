"""The one pure core: `Engine.answer(question, filters)` -> `Answer`.

Ranking is hybrid, at paragraph and sentence level. One exact FAISS search scores every row
(paragraphs, sentences/clauses, word windows); every allowed paragraph is scored

    score = W_PARA * cos(q, paragraph) + W_UNIT * max cos(q, sentence/clause/window in it)
            + W_COV * coverage

where coverage, the lexical side, is the IDF-weighted share of the question's
(spell-corrected) words found in the paragraph, read from the BM25 index's postings. The
weights were chosen on eval/dev_questions.jsonl and eval/multi_doc_questions.jsonl together
(see README); adding normalised BM25 scores to the sum lowered Recall@1 on both.

The quote is the best sentence or clause inside the paragraph. The engine abstains when the
best paragraph is not close enough in meaning to the question (see `Engine._confident`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from embeddings.base import Embedder
from retrieval.errors import EmptyQuestionError, UnknownDocumentError
from retrieval.index import Index
from retrieval.lexical import words
from retrieval.names import NameIndex
from retrieval.query import SPEAKER_SHARE, Query, ScopeFinder, prepare
from retrieval.types import Answer, Citation, Document, Filters, Hit, Paragraph

log = logging.getLogger(__name__)

DEFAULT_K = 3
MAX_K = 50
W_PARA, W_UNIT, W_COV = 0.45, 0.45, 0.30
# Abstention: confident when  best unit cosine + COVERAGE_WEIGHT * coverage >= CONFIDENCE_FLOOR,
# coverage being the IDF-weighted share of the question's words found in the paragraph.
COVERAGE_WEIGHT = 0.25
CONFIDENCE_FLOOR = 0.48
# A capitalised word of the question that the corpus never uses ("Iraq", "FIFA") must have a
# semantic counterpart in the best paragraph ("Tehran" ~ a paragraph on Iran): cosine >= this.
NAME_SUPPORT = 0.4
QUOTE_LEX_WEIGHT = 0.08
# Words in quotation marks are looked up as written: paragraphs that have them rank first.
PHRASE_BONUS = 1.0
# A question asking for a name ("which country ...?") prefers paragraphs that name one besides
# the question's own names (see retrieval.names). Question files give the same results from 0.05
# to 0.2.
NAME_ANSWER_BONUS = 0.1
# Years, places and kinds a question names without making them a scope ("missile defense
# beijing", "the joint address") favour the documents that match them, by this much at most.
HINT_BONUS = 0.1


@dataclass(frozen=True)
class Scored:
    row: int  # the paragraph's row
    score: float
    dense_para: float
    dense_unit: float
    coverage: float
    quote_row: int
    exact: bool = False  # has every phrase the question quotes


class Engine:
    """Answers questions from one index with one embedder. Thread-safe for reads."""

    def __init__(self, index: Index, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder
        self.documents: list[Document] = index.documents
        self._doc_ids = {d.doc_id: i for i, d in enumerate(self.documents)}
        self._scope = ScopeFinder(self.documents)
        self._folded: list[str] | None = None  # paragraph words, for quoted phrases
        self._names: NameIndex | None = None  # paragraph names, for "which country" questions

    # ---- filters --------------------------------------------------------------------
    def document(self, ref: str) -> Document:
        """The document named by `ref` (see `resolve_doc`)."""
        return self.documents[self._doc_ids[self.resolve_doc(ref)]]

    def resolve_doc(self, ref: str) -> str:
        """A document id from its id, its file name (stem) or a unique id prefix."""
        ref = ref.strip()
        if ref in self._doc_ids:
            return ref
        lowered = ref.lower()
        for doc in self.documents:
            if lowered in (Path(doc.source_path).stem.lower(), doc.doc_id.lower()):
                return doc.doc_id
        matches = [d.doc_id for d in self.documents if d.doc_id.startswith(lowered)]
        if len(matches) == 1:
            return matches[0]
        known = ", ".join(d.doc_id for d in self.documents)
        hint = f" (matches: {', '.join(matches)})" if matches else ""
        raise UnknownDocumentError(f"unknown document {ref!r}{hint}; known documents: {known}")

    def validate(self, filters: Filters) -> Filters:
        """Check user-given filters against the corpus; unknown values are errors."""
        doc_ids = tuple(self.resolve_doc(d) for d in filters.doc_ids)
        years = sorted({d.year for d in self.documents if d.year})
        for year in filters.years:
            if year not in years:
                raise UnknownDocumentError(
                    f"no document from {year}; years available: {', '.join(map(str, years))}"
                )
        places = {d.place.lower(): d.place for d in self.documents if d.place}
        resolved_places = []
        for place in filters.places:
            if place.lower() not in places:
                raise UnknownDocumentError(
                    f"no document from {place!r}; places available: {', '.join(sorted(places.values()))}"
                )
            resolved_places.append(places[place.lower()])
        return Filters(doc_ids=doc_ids, years=filters.years, places=tuple(resolved_places), kinds=filters.kinds)

    @staticmethod
    def _checks(doc: Document, filters: Filters) -> list[bool]:
        """Whether `doc` matches, for each dimension `filters` sets (document, year, place, kind)."""
        pairs = ((filters.doc_ids, doc.doc_id), (filters.years, doc.year), (filters.places, doc.place),
                 (filters.kinds, doc.kind))
        return [value in wanted for wanted, value in pairs if wanted]

    def _matches(self, doc: Document, filters: Filters) -> bool:
        return all(self._checks(doc, filters))

    def _hinted(self, hints: Filters) -> np.ndarray:
        """Per document: the share of the hinted dimensions (year, place, kind) it matches."""
        return np.array([np.mean(self._checks(d, hints)) for d in self.documents])

    def allowed_docs(self, filters: Filters) -> set[int] | None:
        if not filters:
            return None
        return {i for i, d in enumerate(self.documents) if self._matches(d, filters)}

    # ---- answering ------------------------------------------------------------------
    def prepare(self, question: str) -> Query:
        query = prepare(question, self.index.lexicon, self._scope)
        if not query.content and not query.filters:
            if any(ch.isalnum() for ch in query.text):  # "What does the declaration say?"
                raise EmptyQuestionError("the question names no topic: ask about one, e.g. “missile defense”")
            raise EmptyQuestionError("the question is empty: ask about a topic, e.g. “missile defense”")
        return query

    def answer(self, question: str, filters: Filters | None = None, k: int = DEFAULT_K) -> Answer:
        return self.answer_many([question], filters, k)[0]

    def answer_many(self, questions: Sequence[str], filters: Filters | None = None, k: int = DEFAULT_K) -> list[Answer]:
        """Answer several questions, embedding them in one batch."""
        k = max(1, min(int(k), MAX_K))
        given = self.validate(filters) if filters else Filters()
        queries = [self.prepare(q) for q in questions]
        vectors, names = self._embed(queries)
        return [self._answer(q, v, given, k, names) for q, v in zip(queries, vectors)]

    def _embed(self, queries: list[Query]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Questions and the unknown names they contain, encoded in one batch."""
        names = list(dict.fromkeys(n for q in queries for n in q.unknown_names))
        vectors = self.embedder.embed_queries([q.text or q.original for q in queries] + names)
        return vectors[: len(queries)], dict(zip(names, vectors[len(queries):]))

    def _answer(self, query: Query, vector: np.ndarray, given: Filters, k: int,
                name_vectors: dict[str, np.ndarray]) -> Answer:
        filters = _merge(given, query.filters)
        allowed = self.allowed_docs(filters)
        if allowed is not None and not allowed:
            return Answer(query.original, (), True, filters, note=f"no document matches {filters.describe()}")
        _require_topic(query)
        ranked = self.rank(query, vector, allowed, k)
        answer = self._verdict(query, ranked[:k], filters, name_vectors)
        if answer.abstained and allowed is not None:
            absent = self._absent_in_scope(query, allowed)
            if absent:  # "afghanistan in 2021": the corpus has the word, the 2021 documents do not
                said = "no paragraph searched mentions " + ", ".join(f"“{w}”" for w in absent)
                answer = replace(answer, note=_notes(said, answer.note))
        return answer

    def _absent_in_scope(self, query: Query, allowed: set[int]) -> list[str]:
        """Question words the corpus uses but none of the allowed documents does."""
        if len(query.content) != len(query.terms):
            return []
        idx = self.index
        in_scope = np.isin(idx.paragraph_doc, list(allowed))
        absent = []
        for word, alternatives in zip(query.content, query.terms):
            postings = self._term_postings(alternatives)
            if postings.size and not in_scope[postings].any():
                absent.append(word)
        return absent

    def _verdict(self, query: Query, ranked: list[Scored], filters: Filters,
                 name_vectors: dict[str, np.ndarray]) -> Answer:
        """The answer for ranked paragraphs: abstained unless the best one is close enough."""
        hits = tuple(self._hit(i + 1, s) for i, s in enumerate(ranked))
        confident = bool(ranked) and (ranked[0].exact or self._confident(ranked[0]))
        note = None
        if query.phrases and not (ranked and ranked[0].exact):
            note = "no paragraph searched has the exact words " + ", ".join(f"“{p}”" for p in query.phrases)
        if ranked and query.unknown_names:  # said even when abstaining anyway: it tells why
            missing = self._unsupported_names(query, ranked[0].row, name_vectors)
            if missing:
                confident = False
                note = _notes(note, f"the declarations never mention {', '.join(missing)}")
        if query.truncated:
            note = _notes(note, "the question was cut to its first 1000 characters")
        return Answer(query.original, hits, not confident, filters, note=note)

    def _unsupported_names(self, query: Query, row: int, name_vectors: dict[str, np.ndarray]) -> list[str]:
        """Names absent from the corpus with nothing close to them in the paragraph."""
        rows = [row] + self.index.units_of.get(row, [])
        names = list(query.unknown_names)
        support = (np.stack([name_vectors[n] for n in names]) @ self.index.vectors[rows].T).max(axis=1)
        return [name for name, value in zip(names, support) if value < NAME_SUPPORT]

    @staticmethod
    def confidence(best: Scored) -> float:
        return best.dense_unit + COVERAGE_WEIGHT * best.coverage

    def _confident(self, best: Scored) -> bool:
        return self.confidence(best) >= CONFIDENCE_FLOOR

    # ---- ranking --------------------------------------------------------------------
    def _row_scores(self, vector: np.ndarray, allowed: set[int] | None) -> np.ndarray:
        """Cosine of the question with every row (exact FAISS search); -1 for rows filtered out."""
        import faiss

        idx = self.index
        n = idx.faiss.ntotal
        params = None
        if allowed is not None:
            rows = np.flatnonzero(np.isin(idx.row_doc, list(allowed)))
            if rows.size == 0:
                return np.full(n, -1.0, dtype=np.float32)
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(rows.astype(np.int64)))
            k = int(rows.size)
        else:
            k = n
        distances, ids = idx.faiss.search(vector.reshape(1, -1), k, params=params)
        sims = np.full(n, -1.0, dtype=np.float32)
        found = ids[0] >= 0
        sims[ids[0][found]] = distances[0][found]
        return sims

    def _coverage(self, query: Query) -> np.ndarray:
        """IDF-weighted share of the question's content words in each paragraph (BM25 postings).
        A word with alternatives (word forms, an acronym's expansion) is present where any of
        them is."""
        idx = self.index
        n = len(idx.paragraph_rows)
        covered = np.zeros(n, dtype=np.float32)
        total = 0.0
        for alternatives in query.terms:
            present = np.zeros(n, dtype=bool)
            present[self._term_postings(alternatives)] = True
            weight = self._term_weight(alternatives)
            covered[present] += weight
            total += weight
        return covered / total if total else covered

    def _term_postings(self, alternatives: tuple[str, ...]) -> np.ndarray:
        """Positions of the paragraphs that have any of a word's stems (with repeats)."""
        return np.concatenate([self.index.bm25.postings(stem) for stem in alternatives])

    def _term_weight(self, alternatives: tuple[str, ...]) -> float:
        """The IDF of the word as written (its first stem) when the corpus has it, else of its
        rarest alternative that the corpus has: other forms widen where a word is found, not
        how much it weighs."""
        lexicon = self.index.lexicon
        known = [a for a in alternatives if a in lexicon.stem_df]
        if alternatives[0] in lexicon.stem_df or not known:
            return lexicon.idf(alternatives[0])
        return max(lexicon.idf(a) for a in known)

    def _scores(self, query: Query, vector: np.ndarray, allowed: set[int] | None):
        """Score and features of every paragraph (-inf where filtered out), and all row cosines."""
        idx = self.index
        sims = self._row_scores(vector, allowed)
        starts = idx.paragraph_rows_array
        dense_para = sims[starts]
        # the best sentence, clause or window; the paragraph itself only when it is one sentence
        dense_unit = np.maximum.reduceat(np.where(idx.has_units_mask, -1.0, sims), starts)
        coverage = self._coverage(query)
        score = W_PARA * dense_para + W_UNIT * dense_unit + W_COV * coverage
        if query.asks_name:
            score = score + NAME_ANSWER_BONUS * self._name_index().naming(set(query.content))
        if query.hints:
            score = score + HINT_BONUS * self._hinted(query.hints)[idx.paragraph_doc]
        exact = self._has_phrases(query)
        if exact is not None:
            score = score + PHRASE_BONUS * exact
        if allowed is not None:
            score = np.where(dense_para > -1.0, score, -np.inf)
        return score, dense_para, dense_unit, coverage, sims, exact

    def _folded_paragraphs(self) -> list[str]:
        if self._folded is None:
            self._folded = [_fold_words(text) for text in self.index.paragraph_texts()]
        return self._folded

    def _name_index(self) -> NameIndex:
        if self._names is None:
            self._names = NameIndex.from_texts(self.index.paragraph_texts(), SPEAKER_SHARE,
                                               self.index.lexicon.acronyms)
        return self._names

    def _has_phrases(self, query: Query) -> np.ndarray | None:
        """Per paragraph: has every quoted phrase of the question (None: it quotes none)."""
        if not query.phrases:
            return None
        return np.array([_has_all(text, query.phrases) for text in self._folded_paragraphs()])

    def _scored(self, query: Query, position: int, features) -> Scored:
        score, dense_para, dense_unit, coverage, sims, exact = features
        row = int(self.index.paragraph_rows_array[position])
        quotable = self.index.quotable_of.get(row, [row])
        has_phrases = exact is not None and bool(exact[position])
        return Scored(row, float(score[position]), float(dense_para[position]), float(dense_unit[position]),
                      float(coverage[position]), self._quote_row(query, quotable, sims[quotable], has_phrases),
                      has_phrases)

    def rank(self, query: Query, vector: np.ndarray, allowed: set[int] | None, k: int = MAX_K) -> list[Scored]:
        """The `k` best paragraphs (all allowed paragraphs are scored, exactly)."""
        features = self._scores(query, vector, allowed)
        score = features[0]
        order = np.argsort(-score, kind="stable")[:k]
        return [self._scored(query, int(p), features) for p in order if np.isfinite(score[p])]

    def _quote_row(self, query: Query, units: list[int], unit_scores: np.ndarray, phrases: bool = False) -> int:
        """The unit to quote: meaning first, with a small bonus for the question's words; the
        unit with the quoted phrases when the paragraph has them."""
        if len(units) == 1:
            return units[0]
        wanted = set(query.stems)
        best_row, best_value = units[0], -1e9
        for row, dense in zip(units, unit_scores):
            overlap = len(wanted & self.index.row_stems(row)) / max(1, len(wanted))
            value = float(dense) + QUOTE_LEX_WEIGHT * overlap
            if phrases:
                passage = self.index.passages[row]
                unit = _fold_words(self.index.paragraph(passage).text[passage.start:passage.end])
                value += PHRASE_BONUS * _has_all(unit, query.phrases)
            if value > best_value:
                best_row, best_value = row, value
        return best_row

    def _hit(self, rank: int, scored: Scored) -> Hit:
        idx = self.index
        paragraph_passage = idx.passages[scored.row]
        quote = idx.passages[scored.quote_row]
        doc = self.documents[paragraph_passage.doc]
        paragraph = idx.paragraph(paragraph_passage)
        return Hit(
            rank=rank,
            score=scored.score,
            paragraph=paragraph,
            quote_start=quote.start,
            quote_end=quote.end,
            citation=citation(doc, paragraph),
            title=doc.title,
        )

    # ---- browsing -------------------------------------------------------------------
    def context(self, doc_id: str, number: int, radius: int = 1, lang: str = "en") -> list[Paragraph]:
        """The paragraph `number` of a document with `radius` paragraphs on each side."""
        same = [p for p in self.document(doc_id).paragraphs if p.lang == lang]
        return [p for p in same if abs(p.number - number) <= radius]

    def compare(self, topic: str, filters: Filters | None = None) -> list[Answer]:
        """The best clause on `topic` from each document, oldest first (one ranking for all)."""
        given = self.validate(filters) if filters else Filters()
        query = self.prepare(topic)
        _require_topic(query)
        vectors, names = self._embed([query])
        merged = _merge(given, query.filters)
        docs = [i for i, doc in enumerate(self.documents) if self._matches(doc, merged)]
        if not docs:
            return []
        features = self._scores(query, vectors[0], set(docs))
        score = features[0]
        paragraph_docs = self.index.paragraph_doc
        answers = []
        for doc in docs:
            doc_filters = _merge(Filters(doc_ids=(self.documents[doc].doc_id,)), query.filters)
            positions = np.flatnonzero((paragraph_docs == doc) & np.isfinite(score))
            if positions.size == 0:  # nothing searchable (a text in another language only)
                answers.append(Answer(query.original, (), True, doc_filters))
                continue
            best = int(positions[np.argmax(score[positions])])
            answers.append(self._verdict(query, [self._scored(query, best, features)], doc_filters, names))
        return answers


def _require_topic(query: Query) -> None:
    if not query.content:
        raise EmptyQuestionError("the question names documents but no topic: ask about a topic too")


def _notes(*notes: str | None) -> str | None:
    """The notes that are set, in one line."""
    return "; ".join(n for n in notes if n) or None


def _fold_words(text: str) -> str:
    """`text` as its words between spaces, for finding a quoted phrase (see `quoted_phrases`)."""
    return f" {' '.join(words(text))} "


def _has_all(folded: str, phrases: Sequence[str]) -> bool:
    return all(f" {p} " in folded for p in phrases)


def _merge(given: Filters, found: Filters) -> Filters:
    """User-given filters win; the question's own scope adds to what is unset."""
    return Filters(
        doc_ids=given.doc_ids,
        years=given.years or found.years,
        places=given.places or found.places,
        kinds=given.kinds or found.kinds,
    )


def citation(doc: Document, paragraph: Paragraph) -> Citation:
    return Citation(
        doc_id=doc.doc_id,
        short_title=doc.short_title,
        date=doc.date,
        place=doc.place,
        section=paragraph.section,
        paragraph=paragraph.number,
        url=doc.url,
        lang=paragraph.lang,
    )
