"""A faster CPU encoder for builds? The bundled all-MiniLM-L6-v2, as shipped and with torch's
dynamic int8 quantisation of its linear layers (offline, no other file), compared in one run; and
the shipped vectors stored as float16.

    python benchmarks/bench_encoder.py [--sample 4000]

Prints, for each variant: passage-encoding throughput on a random sample of the shipped corpus's
index texts (texts a second, and the ratio to the float32 model measured in the same run), the
cosine between its vectors and the float32 ones, and Recall@1 / Recall@3 / abstention of every
question file in eval/ answered by an engine whose whole index (and questions) it encoded. A
variant is worth adopting only if every question file moves by at most one question (issue 10).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _int8(embedder):
    import torch

    embedder._model = torch.ao.quantization.quantize_dynamic(embedder._model, {torch.nn.Linear}, dtype=torch.qint8)
    embedder.model_id += "+int8-dynamic"
    return embedder


def _file_results(engine) -> dict[str, tuple[int, int, int, int]]:
    """Per question file: (in-scope answered first, in top 3, in-scope count, abstentions)."""
    from retrieval.evaluate import evaluate, load_questions

    out = {}
    for path in sorted((ROOT / "eval").glob("*.jsonl")):
        m = evaluate(engine, load_questions(path), systems=("quotebot",))["quotebot"]
        out[path.stem] = (round(m.r1), round(m.r3), m.n_in, round(m.out_abstained + m.in_abstained))
    return out


def main() -> None:
    import numpy as np

    from embeddings import load_embedder
    from retrieval.index.passages import passages_of
    from retrieval.loader import open_engine
    from retrieval.settings import EngineSettings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=4000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="quotebot-encoder-"))
    settings = EngineSettings.resolve(index_dir=str(root), env={})
    variants = {"float32 (shipped)": load_embedder(), "int8 dynamic": _int8(load_embedder())}
    base_engine = open_engine(settings, embedder=variants["float32 (shipped)"]).engine
    _, texts = passages_of(base_engine.index.documents, ("en",))
    rng = np.random.default_rng(0)
    sample = [texts[i] for i in rng.choice(len(texts), size=min(args.sample, len(texts)), replace=False)]
    reference = None
    results = {}
    for name, embedder in variants.items():
        embedder.embed_passages(sample[:64])  # warm up
        started = time.perf_counter()
        vectors = embedder.embed_passages(sample)
        rate = len(sample) / (time.perf_counter() - started)
        reference = vectors if reference is None else reference
        cosine = float(np.mean(np.sum(vectors * reference, axis=1)))
        engine = base_engine if embedder is variants["float32 (shipped)"] else open_engine(settings, embedder=embedder).engine
        results[name] = (rate, cosine, _file_results(engine))
    # Storage, not encoding: the float32 index's vectors rounded to float16 (half the disk and
    # memory), every row still scored exactly.
    engine = open_engine(settings, embedder=variants["float32 (shipped)"]).engine
    rounded = np.asarray(engine.index.vectors, dtype=np.float16).astype(np.float32)
    cosine = float(np.mean(np.sum(rounded * engine.index.vectors, axis=1)))
    engine.index.vectors = engine.index.search.vectors = rounded
    results["float16 storage"] = (results["float32 (shipped)"][0], cosine, _file_results(engine))
    base_rate = results["float32 (shipped)"][0]
    base_files = results["float32 (shipped)"][2]
    for name, (rate, cosine, files) in results.items():
        print(f"{name}: {rate:.0f} texts/s ({rate / base_rate:.2f}x), mean cosine to float32 {cosine:.4f}")
        for stem, (r1, r3, n_in, abstained) in files.items():
            b1, b3, _, babs = base_files[stem]
            print(f"  {stem:<26} R@1 {r1}/{n_in} ({r1 - b1:+d})  R@3 {r3}/{n_in} ({r3 - b3:+d})  "
                  f"abstained {abstained} ({abstained - babs:+d})")


if __name__ == "__main__":
    main()
