"""Ranking: every allowed paragraph gets a score from its features, exactly (see docs/ranking.md).

    score = paragraph_weight * cos(question, paragraph)
          + unit_weight * max cos(question, sentence / clause / window of the paragraph)
            (for "who ...?", the units that name a person, where the paragraph has one)
          + coverage_weight * coverage
          (+ bonuses: a name for a "which ...?" question, hinted documents, quoted phrases)

then the RERANKED best get adjacency_weight * the share of the question's neighbouring topic words
that the paragraph has side by side ("rule of law" is a closer answer to "rule of law" than a
paragraph with "rule" and "law" apart).

Coverage, the lexical side, is the IDF-weighted share of the question's topic words found in the
paragraph (read from the BM25 index's postings). Cosines come from one exact FAISS search.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from retrieval.answer_types import PersonNames, date_mask, gives_date
from retrieval.filters import Catalog
from retrieval.memo import Memo
from retrieval.names import NameIndex
from retrieval.query import SPEAKER_SHARE, Query
from retrieval.ranking_config import DEFAULT_RANKING, RankingConfig
from retrieval.tokens import (adjacent_share, fold_words, has_phrases, neighbour_pairs, neighbour_sets, phrase_forms,
                             stems)


LEXICAL_CANDIDATES = 200  # in a large index, paragraphs BM25 adds to the vector search's candidates
RERANKED = 20  # the paragraphs of best score that adjacency may reorder (measured: 20 and 40 the same)
PAIRS_CACHED = 5_000  # paragraphs whose neighbour pairs are kept (about 10 kB each)


@dataclass(frozen=True)
class Features:
    """Per paragraph, in index order: its score (-inf where filtered out) and its parts."""

    score: np.ndarray
    dense_para: np.ndarray  # cosine with the whole paragraph
    dense_unit: np.ndarray  # best cosine with a sentence, clause or window of it
    coverage: np.ndarray  # IDF-weighted share of the question's topic words it has
    row_sims: np.ndarray  # cosine with every row of the index (paragraphs and their units)
    exact: np.ndarray | None  # has every quoted phrase (None: the question quotes none)
    # per pair of neighbouring topic words of the question, the pairs of their stems (any counts)
    neighbours: tuple[frozenset[tuple[str, str]], ...] = ()


@dataclass(frozen=True)
class Candidate:
    """One ranked paragraph and its features."""

    position: int  # in the index's paragraph order
    row: int  # the paragraph's row
    score: float
    dense_para: float
    dense_unit: float
    coverage: float
    exact: bool = False  # has every phrase the question quotes


class Scorer:
    """Scores the paragraphs of one index for a question and its vector."""

    def __init__(self, index, catalog: Catalog, config: RankingConfig = DEFAULT_RANKING) -> None:
        self.index = index
        self.catalog = catalog
        self.config = config
        self._pairs: Memo[frozenset[tuple[str, str]]] = Memo(PAIRS_CACHED)

    @functools.cached_property
    def paragraph_texts(self) -> list[str]:
        """The text of each paragraph, in index order (listed once, for the answer types below)."""
        return self.index.paragraph_texts()

    @functools.cached_property
    def names(self) -> NameIndex:
        """The names of each paragraph, for "which country ...?" questions (built on first use)."""
        return NameIndex.from_texts(self.paragraph_texts, SPEAKER_SHARE, self.index.lexicon.expansions)

    @functools.cached_property
    def person_names(self) -> PersonNames:
        """Who the corpus names after a title, for "who ...?" (built on first use)."""
        return PersonNames(self.paragraph_texts)

    @functools.cached_property
    def persons(self) -> np.ndarray:
        """Per paragraph: names a person after a title (its row of `person_rows`)."""
        return self.person_rows[self.index.paragraph_rows_array]

    @functools.cached_property
    def person_rows(self) -> np.ndarray:
        """Per row of the index: its text names a person after a title, for scoring a "who ...?"
        question by the sentence, clause or window that names one (built on first use)."""
        idx, names = self.index, self.person_names
        found = np.zeros(len(idx.passages), dtype=bool)
        for row, passage in enumerate(idx.passages):
            text = idx.paragraph(passage).text[passage.start:passage.end]
            found[row] = names.names_person(text)
        return found

    @functools.cached_property
    def dates(self) -> np.ndarray:
        """Per paragraph: gives a date, for "when ...?" (built on first use)."""
        return date_mask(self.paragraph_texts)

    def answer_type_bonus(self, query: Query) -> np.ndarray | float:
        """The bonus of each paragraph whose content is of the type the question asks for."""
        c, bonus = self.config, 0.0
        if query.asks_name:
            bonus = bonus + c.name_answer_bonus * self.names.naming(set(query.content))
        if query.asks_person and c.person_answer_bonus:
            bonus = bonus + c.person_answer_bonus * self.persons
        if query.asks_date and c.date_answer_bonus:
            bonus = bonus + c.date_answer_bonus * self.dates
        return bonus

    def answers_type(self, query: Query) -> Callable[[int, str], bool] | None:
        """Whether a sentence (its row and text) is of the type the question asks for (a person
        named, a date given), for choosing the quote; None when the question asks for neither."""
        if not (query.asks_person or query.asks_date):
            return None
        return lambda row, text: bool((query.asks_person and self.person_rows[row])
                                      or (query.asks_date and gives_date(text)))

    @functools.cached_property
    def folded(self) -> list[str]:
        """Each paragraph as its words between spaces, for quoted phrases (built on first use)."""
        return [fold_words(text) for text in self.paragraph_texts]

    def row_similarities(self, query: Query, vector: np.ndarray, allowed: set[int] | None) -> np.ndarray:
        """Cosine of the question with every row that can matter; -1 for the others (filtered out,
        or, in a large index, not among the candidates: see retrieval.index.search)."""
        search = self.index.search
        if not search.needs_candidates(allowed):
            return search.exact(vector, allowed)
        paragraphs = np.union1d(search.ann_paragraphs(vector, allowed), self.lexical_candidates(query))
        if query.asks_signing:  # the blocks are few: all of them are candidates
            paragraphs = np.union1d(paragraphs, np.flatnonzero(self.index.signature))
        exact = self.phrase_matches(query)
        if exact is not None:
            paragraphs = np.union1d(paragraphs, np.flatnonzero(exact))
        if allowed is not None:
            paragraphs = paragraphs[np.isin(self.index.paragraph_doc[paragraphs], list(allowed))]
        return search.candidates(vector, paragraphs)

    def lexical_candidates(self, query: Query) -> np.ndarray:
        """Positions of the LEXICAL_CANDIDATES paragraphs BM25 scores best for the question."""
        scores = self.index.bm25.scores(list(query.stems))
        if not len(scores) or not scores.any():
            return np.zeros(0, dtype=np.int64)
        top = min(LEXICAL_CANDIDATES, len(scores))
        best = np.argpartition(-scores, top - 1)[:top]
        return np.sort(best[scores[best] > 0])

    def postings(self, alternatives: tuple[str, ...]) -> np.ndarray:
        """Positions of the paragraphs that have any of a word's stems (with repeats)."""
        return np.concatenate([self.index.bm25.postings(stem) for stem in alternatives])

    def weight(self, alternatives: tuple[str, ...]) -> float:
        """The IDF of the word as written (its first stem) when the corpus has it, else of its
        rarest alternative that the corpus has: other forms widen where a word is found, not
        how much it weighs."""
        lexicon = self.index.lexicon
        known = [a for a in alternatives if a in lexicon.stem_df]
        if alternatives[0] in lexicon.stem_df or not known:
            return lexicon.idf(alternatives[0])
        return max(lexicon.idf(a) for a in known)

    def coverage(self, query: Query) -> np.ndarray:
        """IDF-weighted share of the question's topic words in each paragraph. A word with
        alternatives (word forms, an acronym's expansion) is present where any of them is."""
        n = len(self.index.paragraph_rows)
        covered = np.zeros(n, dtype=np.float32)
        total = 0.0
        for alternatives in query.terms:
            present = np.zeros(n, dtype=bool)
            present[self.postings(alternatives)] = True
            weight = self.weight(alternatives)
            covered[present] += weight
            total += weight
        return covered / total if total else covered

    def unused_phrases(self, query: Query) -> list[str]:
        """The question's quoted phrases that no paragraph of the corpus has in any form (its
        acronyms spelt out or not), indexed or not (the Russian text, tables): words the
        declarations never use. A form with a word no indexed paragraph has is looked for in the
        others only."""
        return [phrase for phrase in query.phrases if not any(self._used(form) for form in phrase_forms(phrase))]

    def _used(self, folded: str) -> bool:
        known = all(s in self.index.lexicon.stem_df for s in stems(folded.split()))
        return (known and any(folded in text for text in self.folded)) or any(
            folded in text for text in self.folded_elsewhere)

    @functools.cached_property
    def folded_elsewhere(self) -> list[str]:
        """The paragraphs the index leaves out, folded as `folded` (built on first use)."""
        indexed = {(p.doc, p.para) for p in (self.index.passages[r] for r in self.index.paragraph_rows)}
        return [fold_words(para.text) for d, doc in enumerate(self.index.documents)
                for i, para in enumerate(doc.paragraphs) if (d, i) not in indexed]

    def phrase_matches(self, query: Query) -> np.ndarray | None:
        """Per paragraph: has every quoted phrase of the question (None: it quotes none)."""
        if not query.phrases:
            return None
        phrases = [phrase_forms(p) for p in query.phrases]
        return np.array([has_phrases(text, phrases) for text in self.folded])

    def features(self, query: Query, vector: np.ndarray, allowed: set[int] | None) -> Features:
        """Score and features of every paragraph."""
        idx, c = self.index, self.config
        sims = self.row_similarities(query, vector, allowed)
        starts = idx.paragraph_rows_array
        dense_para = sims[starts]
        # the best sentence, clause or window; the paragraph itself only when it is one sentence
        dense_unit = np.maximum.reduceat(np.where(idx.has_units_mask, -1.0, sims), starts)
        if query.asks_person:  # "who ...?": the best unit that names a person, where one does
            typed = np.maximum.reduceat(np.where(idx.has_units_mask | ~self.person_rows, -1.0, sims), starts)
            dense_unit = np.where(typed > -1.0, typed, dense_unit)
        coverage = self.coverage(query)
        score = c.paragraph_weight * dense_para + c.unit_weight * dense_unit + c.coverage_weight * coverage
        if query.asks_name or query.asks_person or query.asks_date:
            score = score + self.answer_type_bonus(query)
        if query.hints:
            score = score + c.hint_bonus * self.catalog.hint_shares(query.hints)[idx.paragraph_doc]
        exact = self.phrase_matches(query)
        if exact is not None:
            score = score + c.phrase_bonus * exact
        if allowed is not None or self.index.search.ann is not None:  # paragraphs not searched: never ranked
            score = np.where(dense_para > -1.0, score, -np.inf)
        if idx.signature.any():  # signature blocks answer "who signed" only
            score = np.where(self.answerable(query), score, -np.inf)
        return Features(score, dense_para, dense_unit, coverage, sims, exact,
                        neighbour_sets(query.content, query.terms, idx.lexicon.expansions))

    def answerable(self, query: Query) -> np.ndarray:
        """Per paragraph: may answer the question (a signature block only one about signing)."""
        return np.ones_like(self.index.signature) if query.asks_signing else ~self.index.signature

    def paragraph_pairs(self, position: int) -> frozenset[tuple[str, str]]:
        """The neighbour pairs of the stems of the paragraph at `position`; cached."""
        return self._pairs.get(position, lambda: neighbour_pairs(self.index.paragraph_stems(position)))

    def reranked(self, features: Features, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The paragraphs at `positions` with a finite score, best first, and their final scores:
        the RERANKED best get adjacency added and are reordered; the rest follow in score order,
        so the first answers are the same however many are asked for. Ties: index order."""
        score = features.score[positions]
        keep = np.isfinite(score)
        positions, score = positions[keep], score[keep]
        order = np.argsort(-score, kind="stable")
        positions, score = positions[order], score[order]
        if features.neighbours and self.config.adjacency_weight and len(positions):
            head = positions[:RERANKED]
            adjacent = np.array([adjacent_share(features.neighbours, self.paragraph_pairs(int(p))) for p in head])
            final = score[:RERANKED] + self.config.adjacency_weight * adjacent
            again = np.argsort(-final, kind="stable")  # ties: the order before, which is index order
            positions = np.concatenate([head[again], positions[RERANKED:]])
            score = np.concatenate([final[again], score[RERANKED:]])
        return positions, score

    def candidate(self, features: Features, position: int, score: float) -> Candidate:
        f = features
        return Candidate(position, int(self.index.paragraph_rows_array[position]), float(score),
                         float(f.dense_para[position]), float(f.dense_unit[position]), float(f.coverage[position]),
                         f.exact is not None and bool(f.exact[position]))

    def rank(self, features: Features, k: int) -> list[Candidate]:
        """The `k` best paragraphs, best first (filtered-out paragraphs never). A paragraph whose
        text is word for word one ranked above it (the same file twice in the corpus) is left out."""
        ranked: list[Candidate] = []
        seen: set[str] = set()
        for p, score in zip(*self.reranked(features, np.arange(len(features.score)))):
            if len(ranked) == k:
                break
            text = self.index.paragraph(self.index.passages[self.index.paragraph_rows[p]]).text
            if text not in seen:
                seen.add(text)
                ranked.append(self.candidate(features, int(p), score))
        return ranked

    def best_of(self, features: Features, positions: np.ndarray, k: int) -> list[Candidate]:
        """The `k` best of the paragraphs at `positions`, best first."""
        positions, scores = self.reranked(features, positions)
        return [self.candidate(features, int(p), s) for p, s in zip(positions[:k], scores[:k])]
