"""How many torch threads for encoding questions and for building: measured, idle and loaded.

    python benchmarks/bench_threads.py [--questions 60]

For 1 and 2 intra-op threads, the latency of encoding one question at a time (median, p95) and
the time to encode 2,000 passages, first on an idle machine, then with two busy processes
competing for the 2 cores (what a shared host or a /reindex next to the bot looks like).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _burn(stop) -> None:
    x = 0
    while not stop.is_set():
        x = (x * 31 + 7) % 1_000_003


def _measure(embedder, questions, passages, threads: int) -> tuple[float, float, float]:
    import torch

    torch.set_num_threads(threads)
    embedder.embed_queries(questions[:4])
    latencies = []
    for q in questions:
        started = time.perf_counter()
        embedder.embed_queries([q])
        latencies.append(time.perf_counter() - started)
    started = time.perf_counter()
    embedder.embed_passages(passages)
    build = time.perf_counter() - started
    latencies.sort()
    return statistics.median(latencies), latencies[int(0.95 * (len(latencies) - 1))], build


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=60)
    args = parser.parse_args()
    from embeddings import load_embedder
    from retrieval.parsers import load_corpus

    embedder = load_embedder()
    corpus = load_corpus([ROOT / "corpus"])
    passages = [p.text for d in corpus.documents for p in d.body_paragraphs()][:2000]
    lines = (ROOT / "eval" / "multi_doc_questions.jsonl").read_text("utf-8").splitlines()
    import json

    questions = [json.loads(line)["q"] for line in lines][: args.questions]
    print(f"{len(questions)} questions one at a time; {len(passages)} passages in one call")
    for load in ("idle", "2 busy processes"):
        stop = multiprocessing.Event()
        burners = [multiprocessing.Process(target=_burn, args=(stop,)) for _ in range(2 if load != "idle" else 0)]
        for b in burners:
            b.start()
        try:
            for threads in (1, 2):
                median, p95, build = _measure(embedder, questions, passages, threads)
                print(f"{load:17} threads={threads}: question median {median * 1000:6.1f} ms, p95 {p95 * 1000:6.1f} ms; "
                      f"{len(passages)} passages {build:5.1f} s")
        finally:
            stop.set()
            for b in burners:
                b.join()


if __name__ == "__main__":
    main()
