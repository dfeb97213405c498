"""Scoring a question file: Recall@1/3, MRR@10, nDCG@10, quote accuracy, abstention.

The question file is JSON Lines: {"id", "q", "gold": [paragraph substrings], "quote"?}; an
empty `gold` marks an out-of-scope question the engine must abstain on. Two baselines run
beside the engine on the same index: plain BM25 and plain dense paragraph search.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval.engine import Engine
from retrieval.errors import QuoteBotError
from retrieval.text import fold
from retrieval.tokens import stems, words

EVAL_K = 10
SYSTEMS = ("quotebot", "bm25", "dense")


class QuestionFileError(QuoteBotError):
    """The question file is missing or malformed."""


UNLABELLED_KINDS = ("feedback_rejected",)  # a 👎 exported for review: its gold is not filled in yet


def load_questions(path: Path, split: str | None = None) -> list[dict]:
    """The questions of a file, or of its `split` ("fit" or "test"); lines whose `kind` says they
    are not labelled yet (UNLABELLED_KINDS) are left out."""
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from exc
    questions = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionFileError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        if not isinstance(item, dict) or not isinstance(item.get("q"), str) or not isinstance(item.get("gold"), list):
            raise QuestionFileError(f"{path}:{number}: needs a string 'q' and a list 'gold'")
        item.setdefault("id", f"line{number}")
        if item.get("kind") not in UNLABELLED_KINDS and (split is None or item.get("split") == split):
            questions.append(item)
    if not questions:
        raise QuestionFileError(f"{path}: no labelled questions" + (f" in split {split!r}" if split else ""))
    return questions


def _norm(text: str) -> str:
    return fold(text).lower()


def _relevant(text: str, gold: list[str]) -> bool:
    folded = _norm(text)
    return any(_norm(g) in folded for g in gold)


@dataclass
class Metrics:
    n_in: int = 0
    n_out: int = 0
    n_quote: int = 0
    r1: float = 0.0
    r3: float = 0.0
    mrr: float = 0.0
    ndcg: float = 0.0
    quote_ok: float = 0.0
    out_abstained: float = 0.0
    in_abstained: float = 0.0
    failures: list[str] = field(default_factory=list)

    def row(self, abstains: bool, quotes: bool | None = None) -> dict:
        quotes = abstains if quotes is None else quotes
        def ratio(x, n):
            return round(x / n, 3) if n else None

        return {
            "recall@1": ratio(self.r1, self.n_in),
            "recall@3": ratio(self.r3, self.n_in),
            "mrr@10": ratio(self.mrr, self.n_in),
            "ndcg@10": ratio(self.ndcg, self.n_in),
            "quote_accuracy": ratio(self.quote_ok, self.n_quote) if quotes else None,
            "oos_abstention": ratio(self.out_abstained, self.n_out) if abstains else None,
            "false_abstention": ratio(self.in_abstained, self.n_in) if abstains else None,
        }


def _score(metrics: Metrics, item: dict, texts: list[str], quote: str | None, abstained: bool) -> None:
    gold = item["gold"]
    if not gold:
        metrics.n_out += 1
        metrics.out_abstained += abstained
        if not abstained:
            metrics.failures.append(f"{item['id']}: answered an out-of-scope question")
        return
    metrics.n_in += 1
    metrics.in_abstained += abstained
    ranks = [i for i, t in enumerate(texts[:EVAL_K], 1) if _relevant(t, gold)]
    first = ranks[0] if ranks and not abstained else None
    metrics.r1 += first == 1
    metrics.r3 += bool(first and first <= 3)
    metrics.mrr += 1.0 / first if first else 0.0
    if not abstained and ranks:
        dcg = sum(1 / math.log2(r + 1) for r in ranks)
        ideal = sum(1 / math.log2(r + 1) for r in range(1, len(ranks) + 1))
        metrics.ndcg += dcg / ideal
    if first != 1:
        metrics.failures.append(f"{item['id']}: first relevant rank {first or '-'}{' (abstained)' if abstained else ''}")
    if item.get("quote"):
        metrics.n_quote += 1
        ok = quote is not None and first == 1 and _norm(item["quote"]) in _norm(quote)
        metrics.quote_ok += ok
        if not ok:
            metrics.failures.append(f"{item['id']}: quote misses {item['quote']!r}")


def _baseline_texts(engine: Engine, question: str, system: str) -> list[str]:
    index = engine.index
    if system == "bm25":
        scores = index.bm25.scores(stems(words(engine.understand(question).original)))
    else:
        vector = engine.embedder.embed_queries([question])[0]
        scores = index.vectors[index.paragraph_rows] @ vector
    scores = np.where(index.signature, -np.inf, scores)  # the body paragraphs, as before they were indexed
    order = np.argsort(-scores, kind="stable")[:EVAL_K]
    return [index.paragraph(index.passages[index.paragraph_rows[i]]).text for i in order]


def evaluate(engine: Engine, questions: list[dict], systems=SYSTEMS) -> dict[str, Metrics]:
    results = {name: Metrics() for name in systems}
    if "quotebot" in systems:
        answers = engine.answer_many([q["q"] for q in questions], k=EVAL_K)
        for item, answer in zip(questions, answers):
            top_quote = answer.hits[0].quote if answer.hits else None
            _score(results["quotebot"], item, [h.text for h in answer.hits], top_quote, answer.abstained)
    for name in systems:
        if name == "quotebot":
            continue
        for item in questions:
            _score(results[name], item, _baseline_texts(engine, item["q"], name), None, False)
    return results


def report_text(results: dict[str, Metrics], path: str) -> str:
    columns = ["recall@1", "recall@3", "mrr@10", "ndcg@10", "quote_accuracy", "oos_abstention", "false_abstention"]
    some = next(iter(results.values()))
    lines = [f"{path}: {some.n_in} in-scope, {some.n_out} out-of-scope, {some.n_quote} with an expected quote", ""]
    lines.append(f"{'system':<10}" + "".join(f"{c:>17}" for c in columns))
    for name, metrics in results.items():
        row = metrics.row(abstains=name == "quotebot")
        lines.append(f"{name:<10}" + "".join(f"{'n/a' if row[c] is None else format(row[c], '.3f'):>17}" for c in columns))
    failures = results.get("quotebot", some).failures
    if failures:
        lines += ["", "quotebot misses:"] + [f"  {f}" for f in failures]
    return "\n".join(lines)
