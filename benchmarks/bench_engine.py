"""Speed and memory of the engine, as ratios against a floor measured in the same run.

    python benchmarks/bench_engine.py [--questions N (1200)] [--repeat R (3)] [--corpus PATH]...

Prints:
- index build time (a fresh index, in a child process) and its peak memory (max RSS);
- the marginal time per question of `quotebot ask --batch FILE --json` (two runs of the real
  CLI, with N and N/10 questions: the difference over the difference in count, so start-up
  and model loading cancel out);
- the floor: bare all-MiniLM-L6-v2 query encoding (same batches) + exact FAISS inner-product
  search over the same number of vectors, per question, measured the same way;
- the ratio marginal / floor (the target is <= 1.5).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _questions(n: int) -> list[str]:
    base = []
    for name in ("dev_questions.jsonl", "multi_doc_questions.jsonl"):
        for line in (ROOT / "eval" / name).read_text("utf-8").splitlines():
            if line.strip():
                base.append(json.loads(line)["q"])
    variants = ["", " please", " in detail", "?", " — what exactly?"]
    out = []
    i = 0
    while len(out) < n:
        out.append(base[i % len(base)] + variants[(i // len(base)) % len(variants)])
        i += 1
    return out


def _cli(args: list[str], env: dict) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one CLI run: the process's own plus that of its largest
    child (the encoder process: embeddings/worker.py), read once the child is ended and waited
    for (an exit handler registered first runs last). The sum bounds the peak of both at once."""
    started = time.perf_counter()
    code = (
        "import atexit, resource, sys; "
        "atexit.register(lambda: print(sum(resource.getrusage(w).ru_maxrss for w in "
        "(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)), file=sys.stderr)); "
        "from quotebot.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    result = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"quotebot {' '.join(args)} failed:\n{result.stderr}")
    return elapsed, int(result.stderr.strip().splitlines()[-1])


def _floor(questions: list[str], n_vectors: int, dim: int, k: int) -> float:
    """Seconds for: encode `questions` with bare MiniLM + exact FAISS search each."""
    import faiss
    import numpy as np
    from sentence_transformers import SentenceTransformer

    from embeddings.loader import default_model_path

    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    model = SentenceTransformer(str(default_model_path()), device="cpu")
    rng = np.random.default_rng(0)
    data = rng.standard_normal((n_vectors, dim)).astype("float32")
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    index = faiss.IndexFlatIP(dim)
    index.add(data)
    model.encode(questions[:8], batch_size=32, normalize_embeddings=True)  # warm up
    started = time.perf_counter()
    vectors = model.encode(questions, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    for vector in vectors:
        index.search(vector.reshape(1, -1).astype("float32"), k)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=1200)
    parser.add_argument("--corpus", action="append")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best is kept")
    args = parser.parse_args()
    corpus = args.corpus or [str(ROOT / "corpus")]
    corpus_args = [a for c in corpus for a in ("--corpus", c)]
    tmp = Path(tempfile.mkdtemp(prefix="quotebot-bench-"))
    env = {**os.environ, "QUOTEBOT_INDEX_DIR": str(tmp / "index")}
    env.pop("QUOTEBOT_MODEL", None)

    build_s, build_rss = _cli(["index", *corpus_args], env)
    manifest = json.loads(next((tmp / "index").glob("*/manifest.json")).read_text())
    counts = manifest["counts"]

    small_n, big_n = max(2, args.questions // 10), args.questions
    big = _questions(big_n)
    files = {}
    for n in (small_n, big_n):
        files[n] = tmp / f"q{n}.txt"
        files[n].write_text("\n".join(big[:n]) + "\n", "utf-8")
    times = {n: min(_cli(["ask", "--batch", str(files[n]), "--json", *corpus_args], env)[0]
                    for _ in range(args.repeat)) for n in files}
    _, ask_rss = _cli(["ask", "--batch", str(files[big_n]), "--json", *corpus_args], env)
    marginal = (times[big_n] - times[small_n]) / (big_n - small_n)

    floors = {n: min(_floor(big[:n], counts["vectors"], manifest["dim"], counts["vectors"]) for _ in range(args.repeat))
              for n in (small_n, big_n)}
    floor = (floors[big_n] - floors[small_n]) / (big_n - small_n)
    floor_total = floors[big_n] / big_n

    print(f"corpus: {', '.join(corpus)}")
    print(f"index: {counts['documents']} documents, {counts['paragraphs']} paragraphs, "
          f"{counts['vectors']} vectors (dim {manifest['dim']})")
    print(f"index build (fresh, whole CLI run): {build_s:.1f} s, peak memory {build_rss / 1024:.0f} MiB")
    print(f"ask --batch peak memory ({big_n} questions): {ask_rss / 1024:.0f} MiB")
    print(f"ask --batch wall time: {times[small_n]:.2f} s for {small_n} questions, {times[big_n]:.2f} s for {big_n}")
    print(f"marginal time per question, ask --batch:   {marginal * 1000:.2f} ms")
    print(f"floor per question (MiniLM encode + exact FAISS over {counts['vectors']} vectors): "
          f"{floor * 1000:.2f} ms marginal, {floor_total * 1000:.2f} ms average")
    print(f"ratio marginal / floor: {marginal / floor:.2f}  (target <= 1.5)")
    print(f"peak memory of this script: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
