"""Per-question diagnostics for developing ranking and abstention (not a test, not a benchmark).

    python tools/inspect_questions.py FILE.jsonl [--split fit] [--corpus PATH] [--only-wrong]

For each question: whether the engine abstained (and its note), the rank of the first relevant
hit, the top hit's features and quote, and each topic word with its paragraph frequency.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--split")
    parser.add_argument("--corpus", action="append")
    parser.add_argument("--only-wrong", action="store_true")
    args = parser.parse_args()
    from retrieval.errors import QuoteBotError
    from retrieval.evaluate import _relevant, load_questions
    from retrieval.loader import open_engine
    from retrieval.settings import EngineSettings

    engine = open_engine(EngineSettings.resolve(args.corpus, None, None)).engine
    lexicon = engine.index.lexicon
    for item in load_questions(Path(args.file), args.split):
        try:
            explained = engine.explain(item["q"], k=10)
            query = engine.understand(item["q"])
        except QuoteBotError as exc:
            print(f"{item['id']} ERROR {exc}")
            continue
        answer, evidence = explained.answer, explained.evidence
        gold = item["gold"]
        ranks = [i for i, h in enumerate(answer.hits, 1) if gold and _relevant(h.text, gold)]
        rank = ranks[0] if ranks else None
        ok = (not gold and answer.abstained) or (gold and rank == 1 and not answer.abstained)
        if args.only_wrong and ok:
            continue
        words = " ".join(f"{w}:{lexicon.stem_df.get(t[0], 0) if t else '-'}" for w, t in zip(query.content, query.terms))
        print(f"{'OK ' if ok else 'BAD'} {item['id']} {'OOS' if not gold else 'IN '} abst={int(answer.abstained)} "
              f"rank={rank} p={explained.probability or 0:.3f} | {item['q']}")
        print(f"      words: {words} absent={[a.written for a in query.absent]} note={answer.note}")
        if evidence:
            print(f"      evidence: {evidence}")
        if answer.hits:
            print(f"      top: {answer.hits[0].citation} “{answer.hits[0].quote[:150]}”")


if __name__ == "__main__":
    main()
