"""Dump every answer on every question file, to diff before and after a change.

    python tools/dump_answers.py OUT.jsonl [--fake]

For each question file in eval/ and each corpus (the seed declaration alone, the shipped
corpus), every question's answer is written as one JSON line: abstention, note, filters and
each hit's rank, exact score (repr), document, paragraph, quote span. `compare` on a few
topics and the eval report (with its two baselines) are dumped too. A refactor that must not
change answers gives byte-identical files: `diff before.jsonl after.jsonl`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

COMPARE_TOPICS = ("missile defence", "terrorism in 2019", "energy", "Afghanistan", "climate change",
                  "what about the International Criminal Court")
EXTRA = ROOT / "tools" / "probe_questions.txt"  # more questions, one per line (chatty, hostile, scoped)


def _answer_row(source: str, answer) -> dict:
    return {
        "source": source,
        "question": answer.question,
        "abstained": answer.abstained,
        "note": answer.note,
        "filters": answer.filters.describe(),
        "hits": [[h.rank, repr(h.score), h.citation.doc_id, h.citation.paragraph, h.quote_start, h.quote_end]
                 for h in answer.hits],
    }


def _questions() -> list[tuple[str, list[str]]]:
    files = sorted((ROOT / "eval").glob("*.jsonl"))
    out = [(f.name, [json.loads(line)["q"] for line in f.read_text("utf-8").splitlines() if line.strip()])
           for f in files]
    if EXTRA.exists():
        out.append((EXTRA.name, [q for q in EXTRA.read_text("utf-8").splitlines() if q.strip()]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--fake", action="store_true", help="use the deterministic fake embedder")
    parser.add_argument("--index-dir", default=str(ROOT / ".quotebot-cache" / "dump-indexes"))
    args = parser.parse_args()
    from embeddings import HashingEmbedder, load_embedder
    from retrieval.errors import QuoteBotError
    from retrieval.evaluate import evaluate, load_questions, report_text
    from retrieval.loader import open_engine
    from retrieval.settings import EngineSettings

    embedder = HashingEmbedder() if args.fake else load_embedder()
    corpora = {"seed": [str(ROOT / "corpus" / "sco_2012_beijing_declaration.txt")], "all": [str(ROOT / "corpus")]}
    with open(args.out, "w", encoding="utf-8") as out:
        for corpus_name, paths in corpora.items():
            settings = EngineSettings.resolve(paths, None, args.index_dir, env={})
            engine = open_engine(settings, embedder=embedder).engine
            for file_name, questions in _questions():
                source = f"{corpus_name}/{file_name}"
                for question in questions:
                    try:
                        row = _answer_row(source, engine.answer(question, k=10))
                    except QuoteBotError as exc:
                        row = {"source": source, "question": question, "error": f"{type(exc).__name__}: {exc}"}
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                if file_name.endswith(".jsonl"):
                    results = evaluate(engine, load_questions(ROOT / "eval" / file_name))
                    out.write(json.dumps({"source": source, "eval": report_text(results, file_name)}) + "\n")
            for topic in COMPARE_TOPICS:
                try:
                    for answer in engine.compare(topic):
                        out.write(json.dumps(_answer_row(f"{corpus_name}/compare", answer), ensure_ascii=False) + "\n")
                except QuoteBotError as exc:
                    out.write(json.dumps({"source": f"{corpus_name}/compare", "question": topic,
                                          "error": f"{type(exc).__name__}: {exc}"}) + "\n")


if __name__ == "__main__":
    main()
