"""Incremental changes to a large index: add, change and remove one declaration, as an operator does.

    python benchmarks/bench_incremental.py [--years 5] [--work DIR] [--rounds 3]

The shipped corpus without the 2023 New Delhi declaration, plus N UN years (2024 backwards, from
../shared/corpus/ungdc), is indexed once into --work, which is kept: a second run re-uses it (a
first build of 5 years takes about 25 minutes on 2 cores; every later one only what changed). Then
each round, every step a real `quotebot index` process (start-up, model loading, the incremental
update, the write), timed by its wall clock:
- add: the declaration is copied in (with a word that makes its text new to the embedding cache,
  so that every round encodes it, as a new declaration is);
- change: that word is edited (its document is encoded again, the others re-used);
- remove: it is deleted.
Its own encoding (its rows, with the same model, loaded and warmed up, in this process) is what any
way of adding it must pay; the target (issue 10) is add - own encoding <= 10 s. Medians of the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench_engine import _cli  # noqa: E402
from bench_scale import ARCHIVE, HELD_BACK, _manifest, _year_dirs  # noqa: E402

TARGET = 10.0


def _own_encoding(doc_path: Path) -> tuple[float, int]:
    """Seconds to encode the declaration's rows with the default model, warm, and their number."""
    from embeddings import load_embedder
    from retrieval.index.passages import passages_of
    from retrieval.parsers import parse_file

    embedder = load_embedder(None)
    _, texts = passages_of([parse_file(doc_path)], embedder.languages)
    embedder.embed_passages(["a warm-up sentence for the model"] * 8)
    started = time.perf_counter()
    embedder.embed_passages(texts)
    return time.perf_counter() - started, len(texts)


def _step(args: list[str], env: dict, index_root: Path) -> dict:
    seconds, rss = _cli(["index", *args], env)
    manifest, _ = _manifest(index_root)
    changes = manifest.get("changes") or {}
    return {"s": seconds, "rss_mib": rss / 1024, "encoded": changes.get("encoded"),
            "summary": {k: changes.get(k) for k in ("added", "changed", "removed")}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=int, default=5, help="UN years beside the shipped corpus")
    parser.add_argument("--archive", type=Path, default=ARCHIVE)
    parser.add_argument("--work", type=Path, default=Path("/tmp/quotebot-incremental"),
                        help="kept between runs: the corpus copy and the index")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.years and not args.archive.is_dir():
        sys.exit(f"the UN archive is not at {args.archive}: nothing to measure at scale")
    corpus, index_root = args.work / f"corpus-{args.years}", args.work / f"index-{args.years}"
    if not corpus.is_dir():
        shutil.copytree(ROOT / "corpus", corpus)
    held = corpus / HELD_BACK
    original = (ROOT / "corpus" / HELD_BACK).read_bytes()
    held.unlink(missing_ok=True)
    corpus_args = ["--corpus", str(corpus)] + [a for d in _year_dirs(args.archive, args.years)
                                               for a in ("--corpus", str(d))]
    env = {**os.environ, "QUOTEBOT_INDEX_DIR": str(index_root)}
    env.pop("QUOTEBOT_MODEL", None)
    print(f"the base index (shipped corpus without {held.name} + {args.years} UN years) in {index_root} ...",
          file=sys.stderr, flush=True)
    base = _step(corpus_args, env, index_root)
    manifest, _ = _manifest(index_root)
    steps: dict[str, list[dict]] = {"add": [], "change": [], "remove": []}
    nonce = int(time.time())  # a text never indexed before, so that every add and change encodes it
    for i in range(args.rounds):
        held.write_bytes(original.replace(b"cooperation", f"cooperation q{nonce}a{i}".encode(), 1))
        steps["add"].append(_step(corpus_args, env, index_root))
        held.write_bytes(original.replace(b"cooperation", f"cooperation q{nonce}c{i}".encode(), 1))
        steps["change"].append(_step(corpus_args, env, index_root))
        held.unlink()
        steps["remove"].append(_step(corpus_args, env, index_root))
    own, rows = _own_encoding(ROOT / "corpus" / HELD_BACK)
    counts = manifest["counts"]
    print(f"{os.cpu_count()} cores; base index: {counts['documents']} documents, {counts['paragraphs']:,} paragraphs, "
          f"{counts['vectors']:,} vectors, search {manifest['search']} (opened in {base['s']:.1f} s, "
          f"{'built' if base['encoded'] else 'nothing encoded'})")
    print(f"own encoding of {held.name}: {own:.2f} s ({rows} rows, model loaded and warm)")
    for name, runs in steps.items():
        median = statistics.median(r["s"] for r in runs)
        line = (f"{name:<7} median {median:5.1f} s over {len(runs)} (" + ", ".join(f"{r['s']:.1f}" for r in runs)
                + f"); peak RSS {max(r['rss_mib'] for r in runs):,.0f} MiB; {json.dumps(runs[-1]['summary'])}, "
                f"documents encoded {runs[-1]['encoded']}")
        if name == "add":
            verdict = "met" if median - own <= TARGET else "MISSED"
            line += f"\n        add - own encoding: {median - own:.1f} s (target <= {TARGET:.0f} s: {verdict})"
        print(line)


if __name__ == "__main__":
    main()
