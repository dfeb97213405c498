"""`quotebot`: ask, compare, docs, about, index, eval, add, remove, serve, feedback.

Human-readable text by default, one JSON object per line with --json. Logs go to stderr.
Domain errors become one line on stderr and exit code 1 (2 for usage and settings errors).
"""

from __future__ import annotations

import argparse
import os
import sys

from embeddings.base import EmbeddingError, ModelNotFoundError
from quotebot import commands, corpus_commands
from quotebot.logs import LogLevelError, configure_logging, parse_level
from retrieval.errors import QuoteBotError, UsageError

EXIT_ERROR = 1
EXIT_USAGE = 2
ENV_LOG_LEVEL = "QUOTEBOT_LOG_LEVEL"


def _common_options(parser: argparse.ArgumentParser, top: bool) -> None:
    """Options accepted before and after the command; a subcommand's default never hides the
    value given before it."""
    default = None if top else argparse.SUPPRESS
    parser.add_argument("-v", "--verbose", action="store_true", default=False if top else argparse.SUPPRESS,
                        help="log progress to stderr")
    parser.add_argument("--corpus", action="append", metavar="PATH", default=default,
                        help="a file or folder to use instead of the shipped corpus (repeatable)")
    parser.add_argument("--model", default=default,
                        help="sentence-transformers model name or path (default: all-MiniLM-L6-v2; env QUOTEBOT_MODEL)")
    parser.add_argument("--index-dir", default=default, help="where indexes are cached (env QUOTEBOT_INDEX_DIR)")


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--doc", action="append", default=[], metavar="ID", help="only this document (repeatable)")
    parser.add_argument("--year", action="append", default=[], type=int, metavar="Y", help="only documents of this year")
    parser.add_argument("--place", action="append", default=[], metavar="P", help="only documents signed in this place")


def _command(sub, name: str, help_text: str, *, json: bool = True, filters: bool = False) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text)
    _common_options(parser, top=False)
    if json:
        parser.add_argument("--json", action="store_true", help="JSON on stdout, for machines")
    if filters:
        _filter_options(parser)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quotebot", description="Quote declarations verbatim, with citations.")
    _common_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", required=True)
    ask = _command(sub, "ask", "answer a question with quoted clauses", filters=True)
    ask.add_argument("question", nargs="*", help="the question (or use --batch)")
    ask.add_argument("--batch", metavar="FILE", help="one question per line; '-' reads stdin")
    ask.add_argument("-k", type=int, default=3, help="how many clauses to show (1-50, default 3)")
    compare = _command(sub, "compare", "the best clause on a topic from each document, oldest first", filters=True)
    compare.add_argument("topic", nargs="+")
    _command(sub, "docs", "list the documents with ids, dates and paragraph counts")
    _command(sub, "about", "corpus, model, index and ranking settings")
    index = _command(sub, "index", "build the index ahead of time and report counts and time", json=False)
    index.add_argument("--force", action="store_true", help="rebuild even if the cached index is current")
    ev = _command(sub, "eval", "score a question file (JSONL) against the engine and two baselines")
    ev.add_argument("file")
    ev.add_argument("--split", help="only the questions of this split (e.g. fit or test)")
    add = _command(sub, "add", "add documents to the user corpus (or the one --corpus DIR) and update the index",
                   json=False)
    add.description = ("Check each input and copy it whole into the user corpus folder (QUOTEBOT_USER_CORPUS, "
                       "default: the platform's user data folder) or the one folder given with --corpus DIR, "
                       "then update the index. A refused input is named on stderr; the others are still added.")
    add.add_argument("inputs", nargs="+", metavar="FILE|DIR|URL", help="a document file, a folder of them, or a URL")
    remove = _command(sub, "remove", "remove a document added with `quotebot add` and update the index", json=False)
    remove.add_argument("doc_id", metavar="DOC_ID", help="the document's id (`quotebot docs`)")
    serve = _command(sub, "serve", "run the Telegram bot (needs TELEGRAM_BOT_TOKEN)", json=False)
    serve.add_argument("--webhook-url", help="use a webhook at this public URL instead of long polling")
    serve.add_argument("--listen", default="127.0.0.1", help="webhook listen address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8443, help="webhook port (default 8443)")
    feedback = _command(sub, "feedback", "export 👍/👎 feedback as eval questions", json=False)
    feedback.add_argument("--export", required=True, metavar="FILE", help="JSONL file to write ('-' = stdout)")
    feedback.add_argument("--db", help="feedback database (env QUOTEBOT_FEEDBACK_DB)")
    return parser


def _log_level(args: argparse.Namespace) -> int:
    default = "INFO" if args.verbose or args.command == "serve" else "WARNING"
    return parse_level(os.environ.get(ENV_LOG_LEVEL) or default)


def _never_crash_on_output() -> None:
    """Text that cannot be encoded (a lone surrogate from a broken argument) is escaped, not fatal."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure:
            reconfigure(errors="backslashreplace")


COMMANDS = {**commands.COMMANDS, "add": corpus_commands.cmd_add, "remove": corpus_commands.cmd_remove}


def _exit_on_sigterm() -> None:
    """SIGTERM ends a command as Ctrl-C does, through its clean-ups: a build's unfinished version
    removed, an add's files taken back, the encoder's child process ended (exit 143)."""
    import signal

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    try:
        signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (a test calling main): the default stays
        pass


def main(argv: list[str] | None = None) -> int:
    _never_crash_on_output()
    args = build_parser().parse_args(argv)
    if args.command != "serve":  # the bot has its own stop signals (bot/app.py)
        _exit_on_sigterm()
    try:
        configure_logging(_log_level(args), verbose=args.verbose)
        return COMMANDS[args.command](args)
    except (UsageError, ModelNotFoundError, LogLevelError) as exc:  # before their base classes
        print(f"quotebot: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (QuoteBotError, EmbeddingError) as exc:
        print(f"quotebot: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
