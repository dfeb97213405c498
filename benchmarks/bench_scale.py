"""The cost curve: the shipped corpus plus 0, 1, 5, 25 years of the UN General Debate archive.

    python benchmarks/bench_scale.py [--years 0,1,5,25] [--archive ../shared/corpus/ungdc]
                                     [--budget-minutes 45] [--plot benchmarks/scale.png] [--json FILE]
                                     [--merge EARLIER.json]

For each size (the UN years counted from 2024 backwards; the speeches act as distractors), every
figure measured in this run, each heavy step in a child process so memory is its own:
- paragraphs, vectors, the search kind chosen (exact or IVF candidates), disk size;
- build: a fresh `quotebot index` (wall time, peak RSS) and its throughput in texts a second against
  the floor, bare sentence-transformers encoding of a random sample of the same texts with the same
  model, batch size and threads (ratio build/floor; the target is >= 0.9);
- add one declaration (the 2023 New Delhi one is held back from the build, then copied in): wall
  time of the incremental `quotebot index`, minus the bare encoding of that declaration's own texts
  (target <= 10 s), and an unchanged corpus reloaded (no text may be encoded);
- loaded engine: RSS after loading, peak RSS after answering every question (target <= 2 GB);
- per question, in process: mean and p95 of `Engine.answer` against its floor (query encoding +
  the same vector search: a matrix-vector product over every row, or the IVF search), ratio target
  <= 2, p95 target <= 50 ms;
- quality of every question file in eval/ over the mixed corpus, with the size's search and with
  every row scored exactly (candidates must keep Recall@1 within 0.01 and Recall@3 equal), and how
  many in-scope answers come from a UN speech instead of an SCO document.
A size whose build would take longer than --budget-minutes (estimated from the sizes measured before
it) is reported and skipped. The curves are plotted to a PNG when matplotlib is installed
(`pip install -e '.[bench]'`) and extrapolated linearly to the whole archive by its size on disk.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench_engine import _cli  # noqa: E402  (one way to time a CLI run and read its peak RSS)

ARCHIVE = ROOT.parent / "shared" / "corpus" / "ungdc"
HELD_BACK = "sco/20230704_1628339.json"  # the declaration added to the built index
FLOOR_SAMPLE = 10_000  # texts encoded bare for the build floor
LATEST_YEAR = 2024


def _year_dirs(archive: Path, years: int) -> list[Path]:
    dirs = [archive / str(LATEST_YEAR - i) for i in range(years)]
    missing = [d for d in dirs if not d.is_dir()]
    if missing:
        raise SystemExit(f"missing archive years: {', '.join(str(d) for d in missing)}")
    return dirs


def _size_on_disk(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file() and not f.is_symlink())


def _manifest(index_root: Path) -> tuple[dict, Path]:
    link = next(p for p in index_root.iterdir() if p.is_symlink())
    folder = link.resolve()
    return json.loads((folder / "manifest.json").read_text("utf-8")), folder


def measure_size(years: int, archive: Path, work: Path) -> dict:
    corpus = work / f"corpus-{years}"
    shutil.copytree(ROOT / "corpus", corpus)
    held = corpus / HELD_BACK
    held_text = held.read_bytes()
    held.unlink()
    corpus_args = ["--corpus", str(corpus)] + [a for d in _year_dirs(archive, years) for a in ("--corpus", str(d))]
    index_root = work / f"index-{years}"
    env = {**os.environ, "QUOTEBOT_INDEX_DIR": str(index_root)}
    env.pop("QUOTEBOT_MODEL", None)

    build_s, build_rss = _cli(["index", *corpus_args], env)
    built, _ = _manifest(index_root)
    held.write_bytes(held_text)
    add_s, _ = _cli(["index", *corpus_args], env)
    added, folder = _manifest(index_root)
    reload_s, _ = _cli(["index", *corpus_args], env)
    reloaded, _ = _manifest(index_root)

    spec = {"corpus": corpus_args, "index_root": str(index_root), "held": held.stem}
    probe = subprocess.run([sys.executable, __file__, "--probe", json.dumps(spec)], env=env,
                           capture_output=True, text=True)
    if probe.returncode != 0:
        raise SystemExit(f"probe failed:\n{probe.stderr}")
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    encoded_build = built["counts"]["vectors"]
    result.update({
        "years": years,
        "documents": added["counts"]["documents"],
        "paragraphs": added["counts"]["paragraphs"],
        "vectors": added["counts"]["vectors"],
        "search": added["search"],
        "build_s": build_s,
        "build_rss_mib": build_rss / 1024,
        "build_texts_per_s": encoded_build / build_s,
        "add_s": add_s,
        "add_changes": added.get("changes"),
        "reload_s": reload_s,
        "reload_changes": reloaded.get("changes"),
        "reload_rebuilt": reloaded.get("created_at") != added.get("created_at"),
        "index_mib": _size_on_disk(folder) / 2**20,
        "segments_mib": _size_on_disk(index_root / "segments") / 2**20,
    })
    result["build_floor_ratio"] = result["build_texts_per_s"] / result["floor_texts_per_s"]
    return result


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _percentile(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(values), q))


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def probe(spec: dict) -> dict:
    """In a child process: load the built index and measure questions, floors and quality."""
    import numpy as np

    from retrieval.evaluate import evaluate, load_questions
    from retrieval.index.passages import passages_of
    from retrieval.index.search import ANN_ROWS
    from retrieval.loader import open_engine
    from retrieval.settings import EngineSettings

    corpus = [spec["corpus"][i + 1] for i in range(0, len(spec["corpus"]), 2)]
    settings = EngineSettings.resolve(corpus=corpus)
    opened = open_engine(settings)
    engine, index = opened.engine, opened.engine.index
    out = {"load_s": opened.seconds, "load_built": opened.built, "rss_loaded_mib": _rss_mib()}

    _, texts = passages_of(index.documents, engine.embedder.languages)
    rng = np.random.default_rng(0)
    sample = [texts[i] for i in rng.choice(len(texts), size=min(FLOOR_SAMPLE, len(texts)), replace=False)]
    out["floor_texts_per_s"] = len(sample) / _timed(lambda: engine.embedder.embed_passages(sample))
    held = next(d for d, doc in enumerate(index.documents) if Path(doc.source_path).stem == spec["held"])
    own = [texts[p.row] for p in index.passages if p.doc == held]
    out["held_rows"] = len(own)
    out["held_encode_s"] = _timed(lambda: engine.embedder.embed_passages(own))

    questions = []
    files = sorted((ROOT / "eval").glob("*.jsonl"))
    for path in files:
        questions += [item["q"] for item in load_questions(path)]
    engine.answer(questions[0])  # warm up
    times, floors = [], []
    search = index.search
    for question in questions:
        times.append(_timed(lambda: engine.answer(question)))
        def floor():
            vector = engine.embedder.embed_queries([question])[0]
            if search.ann is None:
                np.asarray(search.vectors @ vector)
            else:
                search.ann.search(vector.reshape(1, -1), ANN_ROWS)
        floors.append(_timed(floor))
    out.update({"questions": len(questions), "answer_ms": 1000 * float(np.mean(times)),
                "answer_p95_ms": 1000 * _percentile(times, 95), "floor_ms": 1000 * float(np.mean(floors)),
                "floor_p95_ms": 1000 * _percentile(floors, 95)})
    out["question_floor_ratio"] = out["answer_ms"] / out["floor_ms"]

    out["quality"] = _quality(engine, files, evaluate, load_questions)
    out["un_top1"] = _un_answers(engine, files, load_questions, Path(spec["corpus"][1]))
    out["rss_peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _quality(engine, files, evaluate, load_questions) -> dict:
    """Recall@1/@3 and abstention of each file with the index's search, then every row exact."""
    search = engine.index.search
    ann = search.ann
    quality = {}
    for mode in ("auto", "exact"):
        search.ann = ann if mode == "auto" else None
        for path in files:
            row = evaluate(engine, load_questions(path), systems=("quotebot",))["quotebot"]
            figures = row.row(abstains=True)
            quality.setdefault(path.stem, {})[mode] = {
                "r1": figures["recall@1"], "r3": figures["recall@3"],
                "oos_abstention": figures["oos_abstention"], "false_abstention": figures["false_abstention"]}
    search.ann = ann
    return quality


def _un_answers(engine, files, load_questions, shipped_corpus: Path) -> int:
    """In-scope questions whose first answer is not from the shipped corpus (a UN speech)."""
    shipped = {d.doc_id for d in engine.index.documents if Path(d.source_path).is_relative_to(shipped_corpus)}
    count = 0
    for path in files:
        items = [item for item in load_questions(path) if item["gold"]]
        for answer in engine.answer_many([item["q"] for item in items]):
            count += bool(answer.hits) and answer.hits[0].paragraph.doc_id not in shipped
    return count


def _extrapolate(rows: list[dict], archive: Path) -> dict | None:
    """Least-squares lines through the measured sizes, against archive bytes, to the whole archive."""
    import numpy as np

    measured = [r for r in rows if r["years"] > 0]
    if len(measured) < 2:
        return None
    sizes = np.array([r["archive_bytes"] for r in measured], dtype=float)
    whole = float(sum(f.stat().st_size for f in archive.rglob("*.txt")))
    out = {"archive_mib": whole / 2**20}
    # Not the time per question: the IVF search makes it sub-linear, and a line would be nonsense.
    for key in ("paragraphs", "vectors", "build_s", "index_mib", "segments_mib", "rss_peak_mib"):
        slope, intercept = np.polyfit(sizes, [r[key] for r in measured], 1)
        out[key] = float(slope * whole + intercept)
    return out


def _plot(rows: list[dict], path: Path) -> str:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install -e '.[bench]'): no plot"
    x = [r["vectors"] / 1000 for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    axes[0].plot(x, [r["build_s"] / 60 for r in rows], "o-", label="build")
    axes[0].plot(x, [r["vectors"] / r["floor_texts_per_s"] / 60 for r in rows], "s--", label="bare encoding (floor)")
    axes[0].set_ylabel("minutes")
    axes[1].plot(x, [r["answer_ms"] for r in rows], "o-", label="answer, mean")
    axes[1].plot(x, [r["answer_p95_ms"] for r in rows], "^-", label="answer, p95")
    axes[1].plot(x, [r["floor_ms"] for r in rows], "s--", label="floor (encode + search)")
    axes[1].set_ylabel("ms per question")
    axes[2].plot(x, [r["rss_peak_mib"] for r in rows], "o-", label="loaded engine, peak RSS")
    axes[2].plot(x, [r["index_mib"] for r in rows], "s--", label="index on disk")
    axes[2].set_ylabel("MiB")
    for ax, title in zip(axes, ("Build time", "Time per question", "Memory and disk")):
        ax.set_title(title)
        ax.set_xlabel("rows indexed (thousands of vectors)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return f"plot: {path}"


def _report(rows: list[dict], skipped: list[str], extrapolated: dict | None) -> str:
    lines = []
    for r in rows:
        lines += [
            f"== default corpus + {r['years']} UN year(s): {r['documents']} documents, {r['paragraphs']} paragraphs, "
            f"{r['vectors']} vectors, search {r['search']}" + (f" (from {r['from']})" if "from" in r else ""),
            f"build: {r['build_s']:.1f} s ({r['build_texts_per_s']:.0f} texts/s), peak RSS {r['build_rss_mib']:.0f} MiB; "
            f"floor {r['floor_texts_per_s']:.0f} texts/s; build/floor throughput {r['build_floor_ratio']:.2f} (target >= 0.9)",
            f"add one declaration ({r['held_rows']} texts): {r['add_s']:.1f} s, its own encoding {r['held_encode_s']:.1f} s, "
            f"rest {r['add_s'] - r['held_encode_s']:.1f} s (target <= 10 s); changes {json.dumps(r['add_changes'])}",
            f"unchanged corpus: {r['reload_s']:.1f} s, rebuilt: {r['reload_rebuilt']}; probe load {r['load_s']:.1f} s "
            f"(built: {r['load_built']})",
            f"disk: index {r['index_mib']:.0f} MiB, segment cache {r['segments_mib']:.0f} MiB",
            f"memory: {r['rss_loaded_mib']:.0f} MiB loaded, {r['rss_peak_mib']:.0f} MiB peak after "
            f"{r['questions']} questions and every file twice (target <= 2048)",
            f"per question: mean {r['answer_ms']:.1f} ms, p95 {r['answer_p95_ms']:.1f} ms (target <= 50); floor "
            f"mean {r['floor_ms']:.1f} ms, p95 {r['floor_p95_ms']:.1f} ms; ratio {r['question_floor_ratio']:.2f} (target <= 2)",
            f"in-scope answers from a UN speech: {r['un_top1']}",
            f"{'file':<28}{'R@1':>8}{'R@1 all-exact':>15}{'R@3':>8}{'R@3 all-exact':>15}"
            f"{'OOS abst.':>11}{'false abst.':>13}",
        ]
        for name, modes in r["quality"].items():
            a, e = modes["auto"], modes["exact"]
            lines.append(f"{name:<28}{a['r1']:>8.3f}{e['r1']:>15.3f}{a['r3']:>8.3f}{e['r3']:>15.3f}"
                         f"{a['oos_abstention'] if a['oos_abstention'] is not None else float('nan'):>11.3f}"
                         f"{a['false_abstention']:>13.3f}")
        lines.append("")
    lines += [f"skipped: {s}" for s in skipped]
    if extrapolated:
        e = extrapolated
        lines.append(f"extrapolated to the whole archive ({e['archive_mib']:.0f} MiB of speeches), linear in bytes: "
                     f"{e['paragraphs']:,.0f} paragraphs, {e['vectors']:,.0f} vectors, build {e['build_s'] / 3600:.1f} h, "
                     f"index {e['index_mib']:,.0f} MiB + segments {e['segments_mib']:,.0f} MiB, peak RSS "
                     f"{e['rss_peak_mib']:,.0f} MiB")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", default="0,1,5,25", help="comma-separated numbers of UN years")
    parser.add_argument("--archive", type=Path, default=ARCHIVE)
    parser.add_argument("--budget-minutes", type=float, default=45.0)
    parser.add_argument("--plot", type=Path, default=ROOT / "benchmarks" / "scale.png")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--merge", type=Path, action="append", default=[],
                        help="a --json file of an earlier run: its sizes not measured now are reported and plotted too")
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(probe(json.loads(args.probe))))
        return
    years = sorted({int(y) for y in args.years.split(",") if y.strip()})  # "" : only --merge'd sizes
    if any(y > 0 for y in years) and not args.archive.is_dir():
        print(f"the UN archive is not at {args.archive}: measuring the default corpus only")
        years = [0]
    work = Path(tempfile.mkdtemp(prefix="quotebot-scale-"))
    rows, skipped = [], []
    try:
        for n in years:
            archive_bytes = sum(f.stat().st_size for d in _year_dirs(args.archive, n) for f in d.glob("*.txt"))
            fitted = [r for r in rows if r["years"] > 0]
            if fitted:
                rate = fitted[-1]["build_s"] / fitted[-1]["archive_bytes"]
                estimate = rate * archive_bytes / 60
                if estimate > args.budget_minutes:
                    skipped.append(f"{n} years: the build would take about {estimate:.0f} min "
                                   f"(> {args.budget_minutes:.0f}), from {fitted[-1]['years']} year(s)' rate")
                    continue
            print(f"measuring the default corpus + {n} UN year(s)...", file=sys.stderr, flush=True)
            row = measure_size(n, args.archive, work)
            row["archive_bytes"] = archive_bytes
            rows.append(row)
            shutil.rmtree(work / f"index-{n}", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    measured = {r["years"] for r in rows}
    for earlier in args.merge:
        for row in json.loads(earlier.read_text("utf-8"))["sizes"]:
            if row["years"] not in measured:
                rows.append({"from": earlier.name, **row})  # an earlier merge names its own file
                measured.add(row["years"])
    rows.sort(key=lambda r: r["years"])
    extrapolated = _extrapolate(rows, args.archive) if args.archive.is_dir() else None
    print(_report(rows, skipped, extrapolated))
    if len(rows) > 1:
        print(_plot(rows, args.plot))
    elif not rows:
        print("nothing measured")
    if args.json:
        args.json.write_text(json.dumps({"sizes": rows, "skipped": skipped, "extrapolated": extrapolated}, indent=1))


if __name__ == "__main__":
    main()
