"""Quoting: the clause of a ranked paragraph to show, and the hit with its citation."""

from __future__ import annotations

from collections import Counter
from typing import Callable

import numpy as np

from retrieval.lang import en
from retrieval.lexicon import place_forms
from retrieval.query import Query
from retrieval.ranking_config import RankingConfig
from retrieval.scoring import Candidate
from retrieval.tokens import fold_words, has_phrases, phrase_forms, stems, words
from retrieval.types import Citation, Document, Hit, Paragraph


def quote_row(index, query: Query, candidate: Candidate, row_sims: np.ndarray, config: RankingConfig,
              of_type: Callable[[int, str], bool] | None = None) -> int:
    """The sentence or clause of the candidate's paragraph to quote: meaning first, with a small
    bonus for the question's words and one for being of the type the question asks for
    (`of_type`: names a person, gives a date); the one with the quoted phrases when the
    paragraph has them."""
    units = index.quotable_of.get(candidate.row, [candidate.row])
    if len(units) == 1:
        return units[0]
    if index.paragraph(index.passages[candidate.row]).kind == "signature":
        return signatory_row(index, query, candidate.row, units, row_sims)
    wanted = set(query.stems)
    phrases = [phrase_forms(p) for p in query.phrases]
    best_row, best_value = units[0], -1e9
    for row, dense in zip(units, row_sims[units]):
        overlap = len(wanted & index.row_stems(row)) / max(1, len(wanted))
        value = float(dense) + config.quote_lexical_weight * overlap
        if candidate.exact or of_type is not None:
            passage = index.passages[row]
            text = index.paragraph(passage).text[passage.start:passage.end]
            if of_type is not None:
                value += config.answer_type_quote_bonus * of_type(row, text)
            if candidate.exact:
                value += config.phrase_bonus * has_phrases(fold_words(text), phrases)
        if value > best_value:
            best_row, best_value = row, value
    return best_row


def signatory_row(index, query: Query, row: int, units: list[int], row_sims: np.ndarray) -> int:
    """The signatory of a signature block the question names, by its words or a place's forms
    ("for kyrgyzstan": "... Kyrgyz Republic Sadyr Zhaparov"; the lines of a block are too alike in
    meaning to choose between); the whole block when it names none ("who signed it?"). Words of
    the closing place and date, and words in more than half the signatories ("Republic",
    "President"), name no one."""
    doc = index.documents[index.passages[row].doc]
    closing = set(stems(words(f"{doc.place or ''} {doc.year or ''} {' '.join(en.MONTHS)}")))
    counts = Counter(s for u in units for s in index.row_stems(u))
    common = {s for s, n in counts.items() if 2 * n > len(units)}
    wanted = (set(query.stems) | set(stems([f for w in query.words for f in place_forms(w)]))) - closing - common
    wanted = {s for s in wanted if not s.isdigit()}
    named = [(len(wanted & index.row_stems(u)), float(sim), u) for u, sim in zip(units, row_sims[units])]
    best = max(named)
    return best[2] if best[0] else row


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


def make_hit(index, rank: int, candidate: Candidate, quote: int) -> Hit:
    """The hit for a ranked paragraph, quoting the row `quote`."""
    paragraph_passage = index.passages[candidate.row]
    quoted = index.passages[quote]
    doc = index.documents[paragraph_passage.doc]
    paragraph = index.paragraph(paragraph_passage)
    return Hit(
        rank=rank,
        score=candidate.score,
        paragraph=paragraph,
        quote_start=quoted.start,
        quote_end=quoted.end,
        citation=citation(doc, paragraph),
        title=doc.title,
    )
