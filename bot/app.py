"""Building the Application: handlers, rate limiting with retries, shared state."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from pathlib import Path
from typing import Any, Callable

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import buttons, handlers, uploads
from bot.batcher import AnswerBatcher
from bot.delivery import RetryingRateLimiter
from bot.feedback import FeedbackStore
from bot.settings import BotSettings
from bot.state import BotState
from bot.store import PendingStore
from retrieval.errors import IntakeError

log = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("ask", "Ask about the declarations"),
    BotCommand("compare", "The best clause on a topic from each declaration"),
    BotCommand("docs", "The documents, with dates"),
    BotCommand("about", "Corpus, model and index"),
    BotCommand("help", "How to use the bot"),
]
CONCURRENT_UPDATES = 64
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]


async def _post_init(application: Application) -> None:
    await application.bot.set_my_commands(COMMANDS)
    loop = asyncio.get_running_loop()
    for stop_signal in STOP_SIGNALS:  # replaces PTB's own handler, which does the same but the first line
        loop.add_signal_handler(stop_signal, _stop, application.bot_data)
    log.info("bot @%s ready", application.bot.username)


def _stop(state: BotState) -> None:
    """A stop signal: an index build in progress stops within a second or two (the old index is
    kept), then the application shuts down as PTB does on its stop signals."""
    state.cancel.set()
    raise SystemExit


async def _post_shutdown(application: Application) -> None:
    application.bot_data.feedback.close()
    application.bot_data.uploads.clear()  # previews never added: their temporary files go


def _handlers(application: Application) -> None:
    application.add_handler(TypeHandler(Update, handlers.gate), group=-1)
    application.add_handler(CommandHandler(["start", "help"], handlers.start))
    application.add_handler(CommandHandler("ask", handlers.ask))
    application.add_handler(CommandHandler("docs", handlers.docs))
    application.add_handler(CommandHandler("compare", handlers.compare))
    application.add_handler(CommandHandler("about", handlers.about))
    application.add_handler(CommandHandler("reindex", handlers.reindex))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED,
                                           handlers.text_message))
    application.add_handler(MessageHandler(filters.Document.ALL & filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED,
                                           uploads.document_message))  # in groups: no reaction
    application.add_handler(CallbackQueryHandler(handlers.more_button, pattern=buttons.MORE_PATTERN))
    application.add_handler(CallbackQueryHandler(handlers.context_button, pattern=buttons.CONTEXT_PATTERN))
    application.add_handler(CallbackQueryHandler(handlers.vote_button, pattern=buttons.VOTE_PATTERN))
    application.add_handler(CallbackQueryHandler(uploads.upload_button, pattern=buttons.UPLOAD_PATTERN))
    application.add_handler(CallbackQueryHandler(handlers.stale_button))
    application.add_handler(InlineQueryHandler(handlers.inline_query))
    application.add_error_handler(handlers.error_handler)


def _no_intake() -> Path:
    raise IntakeError("this bot has no folder to add documents to")


def build_application(settings: BotSettings, reopen: Callable[[bool], Any], opened,
                      cancel: threading.Event | None = None, intake_folder: Callable[[], Path] | None = None) -> Application:
    """Wire the handlers; `opened` is the engine loaded before the bot takes updates, `reopen`
    opens it again (rebuilding when forced) for /reindex, stopping when `cancel` is set;
    `intake_folder` gives the folder documents sent to the bot are added to."""
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .context_types(ContextTypes(bot_data=BotState))
        .rate_limiter(RetryingRateLimiter())
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .connect_timeout(10)
        .read_timeout(20)
        .write_timeout(20)
        .pool_timeout(20)
        .connection_pool_size(CONCURRENT_UPDATES + 8)
    )
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    if settings.base_file_url:
        builder = builder.base_file_url(settings.base_file_url)
    application = builder.build()
    state: BotState = application.bot_data
    state.settings, state.engine, state.reopen = settings, opened.engine, reopen
    state.cancel = cancel or threading.Event()
    state.batcher = AnswerBatcher(lambda: state.engine)
    state.feedback = FeedbackStore(settings.feedback_db)
    state.intake_folder, state.uploads = intake_folder or _no_intake, PendingStore(uploads.discard)
    _handlers(application)
    return application
