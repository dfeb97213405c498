"""How long `quotebot add` of one declaration takes, beside that declaration's own encoding.

    python benchmarks/bench_add.py [--model NAME] [--doc corpus/sco/20230704_1628339.json]

The shipped corpus without `--doc` (a temporary copy) stands in for the shipped corpus, its index
is built, then `quotebot add DOC` runs as a real process into an empty user corpus (the default
corpus: shipped + user). Its wall time includes everything a user waits for: start-up, the model
loading, checking for duplicates, copying, the incremental index update. The declaration's own
encoding (its rows and the words it brings that the index lacked, with the same model, measured
in this process after a warm-up) is what any way of adding it must pay; the target is
wall - own encoding <= 10 s. A duplicate refused (no model loaded) is timed too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "corpus" / "sco" / "20230704_1628339.json"
TARGET = 10.0
# `quotebot` with the shipped corpus replaced by argv[1] (a copy without the declaration).
CLI = ("import sys; from pathlib import Path; import retrieval.settings as s; "
       "s.shipped_corpus = lambda: Path(sys.argv[1]); from quotebot.cli import main; sys.exit(main(sys.argv[2:]))")


def _quotebot(base: Path, env: dict, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", CLI, str(base), *args], capture_output=True, text=True, env=env,
                            cwd=ROOT)
    seconds = time.perf_counter() - started
    if result.returncode not in (0, 1):
        sys.exit(f"quotebot {' '.join(args)} failed:\n{result.stderr}")
    return seconds, result


def _own_encoding(doc_path: Path, model: str | None, known: set[str]) -> tuple[float, int, int]:
    """Seconds to encode the declaration's rows and its words new to the base index (`known`)."""
    from embeddings import load_embedder
    from retrieval.index.passages import passages_of
    from retrieval.parsers import parse_file
    from retrieval.lang import en
    from retrieval.tokens import words

    embedder = load_embedder(model)
    doc = parse_file(doc_path)
    _, texts = passages_of([doc], embedder.languages)
    new_words = sorted({w for p in doc.body_paragraphs(None) for w in words(p.text)} - en.STOPWORDS - known)
    embedder.embed_passages(["warm-up sentence for the model"] * 8)
    started = time.perf_counter()
    embedder.embed_passages(texts)
    if new_words:
        embedder.embed_passages(new_words)
    return time.perf_counter() - started, len(texts), len(new_words)


def _setup(tmp: Path, doc: Path, model: str | None) -> tuple[Path, Path, dict]:
    base = tmp / "shipped"
    shutil.copytree(ROOT / "corpus", base)
    (base / doc.relative_to(ROOT / "corpus")).unlink()
    aside = tmp / doc.name
    shutil.copy(doc, aside)
    env = {**os.environ, "QUOTEBOT_INDEX_DIR": str(tmp / "idx"), "QUOTEBOT_USER_CORPUS": str(tmp / "user"),
           "HF_HUB_OFFLINE": "1"}
    env.pop("QUOTEBOT_CORPUS", None)
    if model:
        env["QUOTEBOT_MODEL"] = model
    return base, aside, env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model name or path (default: the bundled all-MiniLM-L6-v2)")
    parser.add_argument("--doc", type=Path, default=DOC, help="a declaration of the shipped corpus")
    args = parser.parse_args()
    doc = args.doc.resolve()
    with tempfile.TemporaryDirectory(prefix="bench-add-") as name:
        tmp = Path(name)
        base, aside, env = _setup(tmp, doc, args.model)
        build, _ = _quotebot(base, env, "index")
        link = next(p for p in (tmp / "idx").iterdir() if p.is_symlink())
        base_words = set(json.loads((link / "words.json").read_text("utf-8")))
        base_docs = json.loads((link / "manifest.json").read_text("utf-8"))["counts"]["documents"]
        wall, result = _quotebot(base, env, "add", str(aside))
        if result.returncode:
            sys.exit(f"quotebot add failed:\n{result.stderr}")
        refused, again = _quotebot(base, env, "add", str(aside))
        own, rows, new_words = _own_encoding(aside, args.model, base_words)
    changes = next(line.strip() for line in result.stdout.splitlines() if line.strip().startswith("added 1"))
    print(f"model: {args.model or 'all-MiniLM-L6-v2 (bundled)'}; {os.cpu_count()} cores")
    print(f"base index, {base_docs} documents (the shipped corpus without {doc.name}): built in {build:.1f} s")
    print(f"quotebot add {doc.name}: {wall:.2f} s wall (exit {result.returncode})")
    print(f"  {changes}")
    print(f"  its own encoding: {own:.2f} s ({rows} rows, {new_words} new words)")
    verdict = "met" if wall - own <= TARGET else "MISSED"
    print(f"  wall - own encoding: {wall - own:.2f} s (target <= {TARGET:.0f} s: {verdict})")
    print(f"the same file again, refused as a duplicate: {refused:.2f} s (exit {again.returncode})")
    print("\nwhat `quotebot add` printed:\n" + result.stdout.rstrip())


if __name__ == "__main__":
    main()
