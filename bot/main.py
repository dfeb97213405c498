"""Entry points: `quotebot serve` and `python -m bot` (long polling or webhook)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from urllib.parse import urlparse

log = logging.getLogger("quotebot.bot")
EXIT_CONFIG = 2


class RedactToken(logging.Filter):
    """Replace the bot token wherever it would appear in a log line (HTTP client libraries
    log request URLs, which contain it)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<token>")
            record.args = ()
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, "<token>")
        return True


def _configure_logging(token: str) -> None:
    level = os.environ.get("QUOTEBOT_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redact = RedactToken(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def serve(args: argparse.Namespace) -> int:
    from bot.settings import BotSettings, SettingsError

    try:
        settings = BotSettings.from_env()  # first: a missing token fails before anything loads
    except SettingsError as exc:
        print(f"quotebot: error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    _configure_logging(settings.token)

    from telegram.error import InvalidToken, NetworkError

    from bot.app import ALLOWED_UPDATES, build_application
    from embeddings.base import EmbeddingError
    from retrieval.errors import QuoteBotError
    from retrieval.loader import open_engine
    from retrieval.settings import EngineSettings

    engine_settings = EngineSettings.resolve(args.corpus, args.model, args.index_dir)
    embedder_holder = {}

    def reopen(force: bool = False):
        opened = open_engine(engine_settings, embedder=embedder_holder.get("embedder"), force=force)
        embedder_holder["embedder"] = opened.engine.embedder
        for error in opened.corpus_errors:
            log.warning("corpus: %s", error)
        return opened

    try:
        opened = reopen()
    except (QuoteBotError, EmbeddingError) as exc:
        print(f"quotebot: error: {exc}", file=sys.stderr)
        return 1
    log.info("engine ready: %s", opened.engine.index.manifest["counts"])
    application = build_application(settings, reopen, opened)
    try:
        if args.webhook_url:
            path = urlparse(args.webhook_url).path.lstrip("/")
            if not settings.webhook_secret:
                log.warning("TELEGRAM_WEBHOOK_SECRET is not set: the webhook accepts requests from anyone")
            application.run_webhook(listen=args.listen, port=args.port, url_path=path,
                                    webhook_url=args.webhook_url, secret_token=settings.webhook_secret,
                                    allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3)
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3)
    except InvalidToken:
        print("quotebot: error: Telegram rejected TELEGRAM_BOT_TOKEN (unauthorized)", file=sys.stderr)
        return EXIT_CONFIG
    except NetworkError as exc:
        where = settings.base_url or "api.telegram.org"
        print(f"quotebot: error: cannot reach Telegram at {where}: {str(exc).replace(settings.token, '<token>')}",
              file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    from retrieval.cli import build_parser

    return serve(build_parser().parse_args(["serve", *(argv if argv is not None else sys.argv[1:])]))
