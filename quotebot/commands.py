"""The commands of `quotebot`, one function each: read options, call the engine, print."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from quotebot import output
from retrieval.errors import QuoteBotError, UsageError
from retrieval.messages import EMPTY_QUESTION
from retrieval.types import Answer, Filters


def _engine_settings(args):
    from retrieval.settings import EngineSettings

    return EngineSettings.resolve(args.corpus, args.model, args.index_dir)


def _open(args, force: bool = False, embedder=None, lazy: bool = False):
    """The engine for the command's options; corpus files that failed are named on stderr.
    `lazy`: the model is loaded only if the index needs something encoded (docs, about, index)."""
    import logging

    from retrieval.index import BuildProgress
    from retrieval.loader import open_engine

    progress = BuildProgress(bar=sys.stderr.isatty(), write=lambda line: print(line, file=sys.stderr, flush=True))
    settings = _engine_settings(args)
    if embedder is None and lazy:
        embedder = model_of(settings, lazy=True)
    opened = open_engine(settings, embedder=embedder, progress=progress, force=force)
    for error in opened.corpus_errors:
        print(f"quotebot: warning: {error}", file=sys.stderr)
    index = opened.engine.index
    logging.getLogger("quotebot").info("%s the index %s (%s documents, %s vectors, model %s) in %.1fs",
                                       "built" if opened.built else "loaded", index.path,
                                       index.manifest["counts"]["documents"], index.manifest["counts"]["vectors"],
                                       index.manifest["model_id"], opened.seconds)
    return opened


def model_of(settings, lazy: bool = False):
    """The settings' model, found and checked; loaded now unless `lazy` (then at its first encoding)."""
    from embeddings import load_embedder

    return load_embedder(settings.model, threads=settings.threads, lazy=lazy)


def _filters(args) -> Filters:
    return Filters(doc_ids=tuple(args.doc), years=tuple(args.year), places=tuple(args.place))


BATCH_CHUNK = 64  # questions answered (one batched encoding) and printed at a time


class LineError(QuoteBotError):
    """One line of a question file cannot be read; the other lines still are."""


def _batch_lines(source: str) -> list[tuple[str, QuoteBotError | None]]:
    """The non-empty lines of a question file ('-': stdin), each decoded on its own: a line that is
    not UTF-8 gets its error, shown in its place."""
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        raise QuoteBotError(f"{source}: cannot read the question file ({exc.strerror or exc})") from exc
    lines = []
    for number, raw in enumerate(data.splitlines(), 1):
        try:
            text = raw.decode("utf-8").strip()
        except UnicodeDecodeError as exc:
            shown = raw.decode("utf-8", "backslashreplace").strip()
            lines.append((shown, LineError(f"line {number} is not UTF-8 text (byte {exc.start + 1})")))
            continue
        if text:
            lines.append((text.lstrip("\ufeff"), None))
    if not lines:
        raise QuoteBotError(f"{source}: no questions in the file")
    return lines


def _questions(args) -> list[tuple[str, QuoteBotError | None]]:
    if args.batch:
        if args.question:
            raise UsageError("give either a question or --batch FILE, not both")
        return _batch_lines(args.batch)
    if not args.question:
        raise UsageError('give a question, e.g. quotebot ask "what does the SCO say about missile defense?", '
                         "or --batch FILE")
    question = " ".join(args.question).strip()
    if not question:
        raise QuoteBotError(EMPTY_QUESTION)
    return [(question, None)]


def _print_result(question: str, result: Answer | QuoteBotError, as_json: bool, tty: bool, many: bool) -> None:
    if isinstance(result, QuoteBotError):
        if as_json:
            print(json.dumps({"question": question, "abstained": True, "hits": [], "error": str(result)},
                             ensure_ascii=False))
        else:
            print(output.format_error(question, result))
    elif as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print(output.format_answer(result, tty) + ("\n" if many else ""))


def _answered(engine, items: list[tuple[str, QuoteBotError | None]], filters: Filters, k: int) -> list:
    """The answer or the error of each item, in order; lines that could not be read keep their error."""
    readable = [q for q, error in items if error is None]
    answers = iter(engine.answer_each(readable, filters, k))
    return [error or next(answers) for _, error in items]


def cmd_ask(args) -> int:
    if not 1 <= args.k <= 50:
        raise UsageError("-k must be between 1 and 50")
    items = _questions(args)
    engine = _open(args).engine
    filters, tty, failed = _filters(args), sys.stdout.isatty(), False
    engine.validate(filters)  # bad filters: one error for all, before any answer
    for start in range(0, len(items), BATCH_CHUNK):  # answers appear as they are ready, in order
        chunk = items[start:start + BATCH_CHUNK]
        results = _answered(engine, chunk, filters, args.k)
        if len(items) == 1 and isinstance(results[0], QuoteBotError):
            raise results[0]
        for (question, _), result in zip(chunk, results):
            failed |= isinstance(result, QuoteBotError)
            _print_result(question, result, args.json, tty, len(items) > 1)
        sys.stdout.flush()
    return 1 if failed else 0


def cmd_compare(args) -> int:
    engine = _open(args).engine
    topic = " ".join(args.topic)
    answers = engine.compare(topic, _filters(args))
    if args.json:
        print(json.dumps([a.to_json() | {"doc_id": a.filters.doc_ids[0]} for a in answers], ensure_ascii=False))
        return 0
    documents = {d.doc_id: d for d in engine.documents}
    print(output.format_compare(topic, answers, documents, sys.stdout.isatty()))
    return 0


def cmd_docs(args) -> int:
    rows = output.document_rows(_open(args, lazy=True).engine.documents)
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
    else:
        print(output.format_documents(rows))
    return 0


def cmd_about(args) -> int:
    about = _open(args, lazy=True).engine.about()
    print(json.dumps(about, ensure_ascii=False) if args.json else output.format_about(about))
    return 0


def cmd_index(args) -> int:
    opened = _open(args, force=args.force, lazy=True)
    manifest = opened.engine.index.manifest
    counts = manifest["counts"]
    state = "built" if opened.built else "up to date (cached)"
    print(f"index {state}: {opened.engine.index.path}")
    print(f"  {counts['documents']} documents, {counts['paragraphs']} paragraphs, "
          f"{counts['sentences']} sentences/clauses, {counts.get('windows', 0)} windows, {counts['vectors']} vectors "
          f"({manifest['model_id']}, dim {manifest['dim']})")
    print(f"  {opened.seconds:.1f}s in all" + (f", building {manifest['build_seconds']}s" if opened.built else ""))
    if opened.built and "changes" in manifest:
        print("  " + output.format_changes(manifest["changes"]))
    for error in opened.corpus_errors:
        print(f"  skipped: {error}")
    return 0


def cmd_eval(args) -> int:
    from retrieval.evaluate import evaluate, load_questions, report_text

    questions = load_questions(Path(args.file), args.split)
    results = evaluate(_open(args).engine, questions)
    if args.json:
        print(json.dumps({name: m.row(name == "quotebot") for name, m in results.items()}))
    else:
        print(report_text(results, args.file))
    return 0


def cmd_serve(args) -> int:
    from bot.settings import BotSettings, SettingsError

    try:
        settings = BotSettings.from_env()  # first: a missing token fails before anything loads
    except SettingsError as exc:
        raise UsageError(str(exc)) from exc
    from quotebot.logs import add_secret

    add_secret(settings.token, "<token>")
    add_secret(settings.webhook_secret, "<webhook-secret>")
    from bot.main import BOT_THREADS, StartupError, Webhook, serve

    webhook = Webhook(args.webhook_url, args.listen, args.port) if args.webhook_url else None
    engine_settings = _engine_settings(args)
    if engine_settings.threads is None:  # one thread per question: see bot.main.BOT_THREADS
        engine_settings = dataclasses.replace(engine_settings, threads=BOT_THREADS)
    try:
        return serve(settings, engine_settings, webhook)
    except StartupError as exc:
        if exc.usage:
            raise UsageError(str(exc)) from exc
        raise QuoteBotError(str(exc)) from exc


def cmd_feedback(args) -> int:
    from bot.feedback import export_feedback

    written = export_feedback(args.export, args.db)
    if args.export != "-":
        print(f"wrote {written} questions to {args.export}", file=sys.stderr)
    return 0


COMMANDS = {"ask": cmd_ask, "compare": cmd_compare, "docs": cmd_docs, "about": cmd_about, "index": cmd_index,
            "eval": cmd_eval, "serve": cmd_serve, "feedback": cmd_feedback}
