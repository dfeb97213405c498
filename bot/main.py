"""Running the bot: open the engine, then long polling or a webhook until stopped."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from urllib.parse import urlparse

from bot.settings import BotSettings
from retrieval.settings import EngineSettings

log = logging.getLogger("quotebot.bot")
# Torch threads in the bot. benchmarks/bench_threads.py on 2 cores: one question at a time takes
# 14 ms (p95 15) with 1 thread and 11 ms (p95 12) with 2 on an idle machine, but 15 ms (p95 33)
# with 1 and 30 ms (p95 496) with 2 when two other processes are busy: 2 threads oversubscribe a
# shared host. Questions arriving together are batched anyway. QUOTEBOT_THREADS overrides it.
BOT_THREADS = 1


class StartupError(Exception):
    """The bot could not start; the message is for the operator. `usage`: a settings problem."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class Webhook:
    url: str
    listen: str = "127.0.0.1"
    port: int = 8443


def _opener(engine_settings: EngineSettings, cancel: threading.Event):
    """A function that opens the engine (rebuilding the index when forced), keeping the model. A
    build logs its progress and stops when `cancel` is set (the bot is shutting down)."""
    from retrieval.index import BuildProgress
    from retrieval.loader import open_engine

    embedder = {}

    def reopen(force: bool = False):
        progress = BuildProgress(write=log.info, cancel=cancel)
        opened = open_engine(engine_settings, embedder=embedder.get("model"), force=force, progress=progress)
        embedder["model"] = opened.engine.embedder
        for error in opened.corpus_errors:
            log.warning("corpus: %s", error)
        return opened

    return reopen


def serve(settings: BotSettings, engine_settings: EngineSettings, webhook: Webhook | None = None) -> int:
    """Open the engine (QuoteBotError and EmbeddingError pass through), then run the bot."""
    from telegram.error import InvalidToken, NetworkError

    from bot.app import ALLOWED_UPDATES, build_application

    cancel = threading.Event()
    reopen = _opener(engine_settings, cancel)
    opened = reopen()
    log.info("engine ready: %s", opened.engine.index.manifest["counts"])
    application = build_application(settings, reopen, opened, cancel, engine_settings.intake_folder)
    try:
        if webhook:
            if not settings.webhook_secret:
                log.warning("TELEGRAM_WEBHOOK_SECRET is not set: the webhook accepts requests from anyone")
            application.run_webhook(listen=webhook.listen, port=webhook.port, url_path=urlparse(webhook.url).path.lstrip("/"),
                                    webhook_url=webhook.url, secret_token=settings.webhook_secret,
                                    allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3)
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3)
    except InvalidToken as exc:
        raise StartupError("Telegram rejected TELEGRAM_BOT_TOKEN (unauthorized)", usage=True) from exc
    except NetworkError as exc:
        raise StartupError(f"cannot reach Telegram at {settings.base_url or 'api.telegram.org'}: "
                           f"{str(exc).replace(settings.token, '<token>')}") from exc
    return 0
