"""`quotebot`: ask, compare, docs, index, eval (and serve/feedback for the Telegram bot).

Human-readable text by default, one JSON object per line with --json. Logs go to stderr.
Domain errors become one line on stderr and exit code 1 (2 for usage errors).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from embeddings.base import EmbeddingError
from retrieval.errors import QuoteBotError
from retrieval.types import Answer, Filters

log = logging.getLogger("quotebot")
EXIT_ERROR = 1
EXIT_USAGE = 2
ENV_LOG_LEVEL = "QUOTEBOT_LOG_LEVEL"


def _engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", action="append", metavar="PATH",
                        help="a file or folder to use instead of the shipped corpus (repeatable)")
    parser.add_argument("--model", help="sentence-transformers model name or path (default: all-MiniLM-L6-v2; env QUOTEBOT_MODEL)")
    parser.add_argument("--index-dir", help="where indexes are cached (env QUOTEBOT_INDEX_DIR)")


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--doc", action="append", default=[], metavar="ID", help="only this document (repeatable)")
    parser.add_argument("--year", action="append", default=[], type=int, metavar="Y", help="only documents of this year")
    parser.add_argument("--place", action="append", default=[], metavar="P", help="only documents signed in this place")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quotebot", description="Quote declarations verbatim, with citations.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer a question with quoted clauses")
    ask.add_argument("question", nargs="*", help="the question (or use --batch)")
    ask.add_argument("--batch", metavar="FILE", help="one question per line; '-' reads stdin")
    ask.add_argument("-k", type=int, default=3, help="how many clauses to show (1-50, default 3)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question on stdout")
    _engine_options(ask)
    _filter_options(ask)

    compare = sub.add_parser("compare", help="the best clause on a topic from each document, oldest first")
    compare.add_argument("topic", nargs="+")
    compare.add_argument("--json", action="store_true")
    _engine_options(compare)
    _filter_options(compare)

    docs = sub.add_parser("docs", help="list the documents with ids, dates and paragraph counts")
    docs.add_argument("--json", action="store_true")
    _engine_options(docs)

    index = sub.add_parser("index", help="build the index ahead of time and report counts and time")
    index.add_argument("--force", action="store_true", help="rebuild even if the cached index is current")
    _engine_options(index)

    ev = sub.add_parser("eval", help="score a question file (JSONL) against the engine and two baselines")
    ev.add_argument("file")
    ev.add_argument("--json", action="store_true")
    _engine_options(ev)

    serve = sub.add_parser("serve", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    serve.add_argument("--webhook-url", help="use a webhook at this public URL instead of long polling")
    serve.add_argument("--listen", default="127.0.0.1", help="webhook listen address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8443, help="webhook port (default 8443)")
    _engine_options(serve)

    feedback = sub.add_parser("feedback", help="export 👍/👎 feedback as eval questions")
    feedback.add_argument("--export", required=True, metavar="FILE", help="JSONL file to write ('-' = stdout)")
    feedback.add_argument("--db", help="feedback database (env QUOTEBOT_FEEDBACK_DB)")
    return parser


def _open(args) -> "Engine":  # noqa: F821
    from retrieval.loader import open_engine
    from retrieval.settings import EngineSettings

    settings = EngineSettings.resolve(args.corpus, args.model, args.index_dir)
    opened = open_engine(settings, progress=sys.stderr.isatty())
    for error in opened.corpus_errors:
        print(f"quotebot: warning: {error}", file=sys.stderr)
    if opened.built:
        counts = opened.engine.index.manifest["counts"]
        log.info("built the index (%s vectors) in %.1fs", counts["vectors"], opened.seconds)
    return opened.engine


def _filters(args) -> Filters:
    return Filters(doc_ids=tuple(args.doc), years=tuple(args.year), places=tuple(args.place))


def _mark(text: str, start: int, end: int, tty: bool) -> str:
    left, right = ("\033[1m", "\033[0m") if tty else ("**", "**")
    return text[:start] + left + text[start:end] + right + text[end:]


ECHO_CHARS = 200  # text mode shows this much of a long question (JSON keeps it whole)


def _echo(question: str) -> str:
    question = " ".join(question.split())
    if len(question) <= ECHO_CHARS:
        return f"Q: {question}"
    return f"Q: {question[:ECHO_CHARS].rstrip()}… ({len(question)} characters)"


def format_answer(answer: Answer, tty: bool = False) -> str:
    lines = [_echo(answer.question)]
    if answer.note:
        lines.append(f"({answer.note})")
    if answer.filters:
        lines.append(f"(searching only: {answer.filters.describe()})")
    if answer.abstained:
        lines.append("No clause in these declarations answers that.")
        if answer.hits:
            lines.append("Closest matches:")
    for hit in answer.hits:
        lines.append("")
        lines.append(f"{hit.rank}. {hit.citation}")
        if hit.citation.url:
            lines.append(f"   {hit.citation.url}")
        lines.append("   “" + _mark(hit.text, hit.quote_start, hit.quote_end, tty) + "”")
    return "\n".join(lines)


def _questions(args) -> list[str]:
    if args.batch:
        if args.question:
            raise QuoteBotError("give either a question or --batch FILE, not both")
        try:
            text = sys.stdin.read() if args.batch == "-" else Path(args.batch).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise QuoteBotError(f"{args.batch}: cannot read the question file ({exc})") from exc
        questions = [line.strip() for line in text.splitlines() if line.strip()]
        if not questions:
            raise QuoteBotError(f"{args.batch}: no questions in the file")
        return questions
    question = " ".join(args.question).strip()
    if not question:
        raise QuoteBotError("the question is empty: quotebot ask \"what does the SCO say about missile defense?\"")
    return [question]


def cmd_ask(args) -> int:
    if not 1 <= args.k <= 50:
        raise QuoteBotError("-k must be between 1 and 50")
    questions = _questions(args)
    engine = _open(args)
    filters = _filters(args)
    tty = sys.stdout.isatty()
    failed = 0
    # Answer in one batch when possible; a bad question (e.g. empty) gets its own error
    # and does not stop the others.
    try:
        answers = engine.answer_many(questions, filters, args.k)
    except QuoteBotError:
        if len(questions) == 1:
            raise
        answers = []
        for question in questions:
            try:
                answers.append(engine.answer(question, filters, args.k))
            except QuoteBotError as exc:
                failed += 1
                answers.append(exc)
    for question, answer in zip(questions, answers):
        if isinstance(answer, Exception):
            if args.json:
                print(json.dumps({"question": question, "abstained": True, "hits": [], "error": str(answer)}, ensure_ascii=False))
            else:
                print(f"{_echo(question)}\nquotebot: error: {answer}\n")
            continue
        if args.json:
            print(json.dumps(answer.to_json(), ensure_ascii=False), flush=False)
        else:
            print(format_answer(answer, tty) + ("\n" if len(questions) > 1 else ""))
    return EXIT_ERROR if failed else 0


def cmd_compare(args) -> int:
    engine = _open(args)
    answers = engine.compare(" ".join(args.topic), _filters(args))
    if args.json:
        print(json.dumps([a.to_json() | {"doc_id": a.filters.doc_ids[0]} for a in answers], ensure_ascii=False))
        return 0
    tty = sys.stdout.isatty()
    print(f"How the documents speak of: {' '.join(args.topic)} (oldest first)")
    for answer in answers:
        doc = engine.document(answer.filters.doc_ids[0])
        print()
        if not answer.hits or answer.abstained:
            print(f"— {doc.short_title} ({doc.date or 'undated'}): nothing on this topic")
            continue
        hit = answer.hits[0]
        print(f"{hit.citation}")
        print("   “" + _mark(hit.quote, 0, len(hit.quote), tty) + "”")
    return 0


def cmd_docs(args) -> int:
    engine = _open(args)
    rows = []
    for doc in engine.documents:
        body = doc.body_paragraphs(None)
        langs = sorted({p.lang for p in body})
        rows.append({
            "doc_id": doc.doc_id, "title": doc.title, "short_title": doc.short_title,
            "date": doc.date.isoformat() if doc.date else None, "place": doc.place,
            "paragraphs": len(doc.body_paragraphs()) or len(body), "languages": langs,
            "url": doc.url, "source": doc.source_path,
        })
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    width = max(len(r["doc_id"]) for r in rows)
    print(f"{'id':<{width}}  {'date':<10}  {'place':<12}  {'¶':>4}  title")
    for r in rows:
        extra = f" [+{', '.join(lang for lang in r['languages'] if lang != 'en')}]" if len(r["languages"]) > 1 else ""
        print(f"{r['doc_id']:<{width}}  {r['date'] or '—':<10}  {(r['place'] or '—'):<12}  {r['paragraphs']:>4}  {r['title']}{extra}")
    return 0


def cmd_index(args) -> int:
    from retrieval.loader import open_engine
    from retrieval.settings import EngineSettings

    settings = EngineSettings.resolve(args.corpus, args.model, args.index_dir)
    opened = open_engine(settings, progress=sys.stderr.isatty(), force=args.force)
    manifest = opened.engine.index.manifest
    counts = manifest["counts"]
    state = "built" if opened.built else "up to date (cached)"
    print(f"index {state}: {opened.engine.index.path}")
    print(f"  {counts['documents']} documents, {counts['paragraphs']} paragraphs, "
          f"{counts['sentences']} sentences/clauses, {counts.get('windows', 0)} windows, {counts['vectors']} vectors ({manifest['model_id']}, dim {manifest['dim']})")
    print(f"  {opened.seconds:.1f}s in all" + (f", embedding {manifest['build_seconds']}s" if opened.built else ""))
    for error in opened.corpus_errors:
        print(f"  skipped: {error}")
    return 0


def cmd_eval(args) -> int:
    from retrieval.evaluate import evaluate, load_questions, report_text

    questions = load_questions(Path(args.file))
    engine = _open(args)
    results = evaluate(engine, questions)
    if args.json:
        print(json.dumps({name: m.row(name == "quotebot") for name, m in results.items()}))
    else:
        print(report_text(results, args.file))
    return 0


def cmd_serve(args) -> int:
    from bot.main import serve

    return serve(args)


def cmd_feedback(args) -> int:
    from bot.feedback import export_command

    return export_command(args)


COMMANDS = {"ask": cmd_ask, "compare": cmd_compare, "docs": cmd_docs, "index": cmd_index,
            "eval": cmd_eval, "serve": cmd_serve, "feedback": cmd_feedback}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = os.environ.get(ENV_LOG_LEVEL, "INFO" if args.verbose else "WARNING").upper()
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "sentence_transformers", "bm25s", "faiss"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        return COMMANDS[args.command](args)
    except (QuoteBotError, EmbeddingError) as exc:
        print(f"quotebot: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
