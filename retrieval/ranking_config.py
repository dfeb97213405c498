"""Every weight and threshold of ranking and abstention, in one place (see docs/ranking.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class RankingConfig:
    """Every weight and threshold of ranking and abstention. Chosen on eval/dev_questions.jsonl
    and eval/multi_doc_questions.jsonl, but the four scoring weights, fitted on the spent open
    files (see docs/ranking.md); recorded in the index manifest and shown by `quotebot about` and
    /about."""

    # Meaning and words, fitted for Recall@1 by a grid over these four weights on the spent open
    # files 2-25 and the fit files, with no seed file (dev, paraphrases, which) or the multi-document
    # file losing more than one question; the best on files 2-25, ties broken on files 26-30
    # (docs/ranking.md). From 0.45 / 0.45 / 0.30 and no adjacency: +13 of 1,081 answerable questions
    # on files 2-25 and +6 of 200 on files 26-30.
    paragraph_weight: float = 0.40
    unit_weight: float = 0.45
    coverage_weight: float = 0.50
    # The share of the question's neighbouring topic words the paragraph has side by side, at most
    # one word apart ("rule of law"); for the best paragraphs only (retrieval.scoring.RERANKED).
    adjacency_weight: float = 0.15
    # A topic word no paragraph uses is a subject of the question when the word alone is this close
    # to the whole question (retrieval.grounding) ...
    subject_aboutness: float = 0.35
    # ... and a paragraph grounds it when one of its words is this close to it ("crops" ~ "agriculture").
    ground_floor: float = 0.35
    # ... a name ("Tehran", "rohingya", "G7"), when one is this close: names close in meaning are
    # mostly other things ("Qingdao" ~ "Beijing", "Taliban" ~ "Afghanistan" 0.77, "Kakar" ~
    # "Jaishankar" 0.70). Chosen on the spent question files: from 0.7 to 0.8, five more unanswerable
    # questions abstained, and "Tehran" ~ "Iranian" (0.75) no longer grounds (two answerable ones).
    name_ground_floor: float = 0.8
    # Two topic words side by side that name one thing (a known compound) and that no paragraph has
    # together ("carbon market") are a subject when the pair is this close to the whole question,
    # and the best paragraph grounds it with a phrase of 2-3 words this close to it
    # (retrieval.compounds). Chosen on the spent question files: 0.65 / 0.6 abstained on 6 more
    # unanswerable questions and no answerable one; 0.6 / 0.6 on 8 more, but two paraphrases of
    # the seed file ("cyber attacks", "foreign interference") too (docs/evaluation.md).
    compound_aboutness: float = 0.65
    compound_floor: float = 0.6
    # Choosing the quote inside a paragraph: meaning first, plus this much for the question's words.
    quote_lexical_weight: float = 0.08
    # Paragraphs with every quoted phrase of the question rank first.
    phrase_bonus: float = 1.0
    # "Which country ...?" prefers paragraphs naming one (same results from 0.05 to 0.2).
    name_answer_bonus: float = 0.1
    # "Who ...?" prefers paragraphs naming a person after a title, "when ...?" those giving a date
    # (fitted on the fit files, docs/evaluation.md: dates are in a third of the paragraphs and
    # gained nothing) ...
    person_answer_bonus: float = 0.2
    date_answer_bonus: float = 0.0
    # ... and, in the paragraph, the sentence or clause that names one or gives one is preferred
    # (0.3: the smallest of 0.1-1.0 that quotes the person asked for on the fit files).
    answer_type_quote_bonus: float = 0.3
    # Years, places and kinds named loosely favour the documents that match them, this much at most.
    hint_bonus: float = 0.1

    def to_json(self) -> dict:
        return asdict(self)


DEFAULT_RANKING = RankingConfig()
