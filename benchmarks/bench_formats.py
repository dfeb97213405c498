"""Are PDF, HTML and DOCX copies of a declaration read as well as the original? (issue 11)

    python benchmarks/bench_formats.py [--fake] [--no-answers] [--json]

1. Paragraph boundaries: for each copy under tests/data/documents/ (made by
   tests/data/make_documents.py from corpus/), the share of the source's paragraphs, as the
   source's own parser reads them, that the copy's parser returns as one paragraph with the
   same text (whitespace folded). Target: at least 95%.
2. Answers: every question of ../shared/eval/dev_questions.jsonl (written for the seed
   declaration) asked of an engine over the seed and of one over each copy of it: the share
   whose rank-1 paragraph has the same text. Target: at least 95%. With --fake the hashing
   embedder (fast, no model: a check of the plumbing, not of the target); otherwise the
   bundled model.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from retrieval.parsers import parse_file  # noqa: E402
from retrieval.text import fold  # noqa: E402

DOCUMENTS = ROOT / "tests" / "data" / "documents"
SEED = ROOT / "corpus" / "sco_2012_beijing_declaration.txt"
SOURCES = {"beijing_2012": SEED, "moscow_2020": ROOT / "corpus" / "sco" / "20201110_1626651.json"}
QUESTIONS = ROOT.parent / "shared" / "eval" / "dev_questions.jsonl"
COPIES = ("pdf", "html", "docx")


def copies_of(stem: str) -> list[Path]:
    return sorted(p for p in DOCUMENTS.glob(f"{stem}*") if p.suffix.lstrip(".") in COPIES)


def boundary_share(source: Path, copy: Path) -> tuple[int, int]:
    """(source paragraphs the copy has word for word, source paragraphs)."""
    wanted = [fold(p.text) for p in parse_file(source).paragraphs]
    found = {fold(p.text) for p in parse_file(copy).paragraphs if p.kind != "table"}
    return sum(text in found for text in wanted), len(wanted)


def rank1_texts(path: Path, questions: list[str], embedder, index_root: Path) -> list[str | None]:
    from retrieval.loader import open_engine
    from retrieval.settings import EngineSettings

    settings = EngineSettings.resolve([str(path)], None, str(index_root), env={})
    engine = open_engine(settings, embedder=embedder).engine
    answers = engine.answer_each(questions)  # a question that cannot be answered gets its error
    return [fold(a.hits[0].paragraph.text) if getattr(a, "hits", None) else None for a in answers]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fake", action="store_true", help="the hashing embedder instead of the model")
    parser.add_argument("--no-answers", action="store_true", help="only the paragraph boundaries")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report: dict[str, dict] = {"boundaries": {}, "rank1": {}}
    for stem, source in SOURCES.items():
        for copy in copies_of(stem):
            same, total = boundary_share(source, copy)
            report["boundaries"][copy.name] = {"same": same, "total": total, "share": round(same / total, 4)}
    if not args.no_answers:
        from embeddings import HashingEmbedder, load_embedder

        embedder = HashingEmbedder() if args.fake else load_embedder()
        questions = [json.loads(line)["q"] for line in QUESTIONS.read_text("utf-8").splitlines() if line.strip()]
        with tempfile.TemporaryDirectory() as tmp:
            original = rank1_texts(SEED, questions, embedder, Path(tmp))
            for copy in copies_of("beijing_2012"):
                answers = rank1_texts(copy, questions, embedder, Path(tmp))
                same = sum(a == b for a, b in zip(original, answers))
                report["rank1"][copy.name] = {"same": same, "total": len(questions), "share": round(same / len(questions), 4)}
        report["embedder"] = embedder.model_id
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for part, rows in (("paragraph boundaries", report["boundaries"]), ("same rank-1 paragraph", report["rank1"])):
        for name, row in rows.items():
            print(f"{part:>22}  {name:<32} {row['same']:>4}/{row['total']:<4} {100 * row['share']:6.1f}%")
    if "embedder" in report:
        print(f"embedder: {report['embedder']}")


if __name__ == "__main__":
    main()
