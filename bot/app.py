"""Building the Application: handlers, rate limiting with retries, shared state."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any, Callable

from telegram import BotCommand, Update
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    AIORateLimiter,
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

from bot import buttons, handlers
from bot.batcher import AnswerBatcher
from bot.feedback import FeedbackStore
from bot.settings import BotSettings
from bot.state import BotState

log = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("ask", "Ask about the declarations"),
    BotCommand("compare", "The best clause on a topic from each declaration"),
    BotCommand("docs", "The documents, with dates"),
    BotCommand("about", "Corpus, model and index"),
    BotCommand("help", "How to use the bot"),
]
MAX_RETRIES = 5
# Calls that deliver something to a user are retried on network errors and 5xx answers;
# start-up calls (getMe, deleteWebhook, ...) are not: PTB's bootstrap retries handle those,
# and an unreachable server must be reported at once.
RETRIED_ENDPOINTS = frozenset({"sendMessage", "editMessageText", "answerCallbackQuery", "answerInlineQuery",
                               "setMyCommands"})
CONCURRENT_UPDATES = 64
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]


class RetryingRateLimiter(AIORateLimiter):
    """PTB's flood-limit rate limiter (which retries 429s), retrying transient network
    errors and 5xx answers too, with exponential back-off, so no answer is lost."""

    def __init__(self, max_retries: int = MAX_RETRIES, base_delay: float = 0.5) -> None:
        super().__init__(max_retries=max_retries)
        self._network_retries = max_retries
        self._base_delay = base_delay

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args) -> Any:
        for attempt in range(self._network_retries + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except RetryAfter:
                raise
            except (NetworkError, TimedOut) as exc:
                if endpoint not in RETRIED_ENDPOINTS or attempt == self._network_retries:
                    raise
                delay = self._base_delay * (2 ** attempt) * (1 + random.random() / 4)
                log.warning("%s failed (%s); retry %d in %.1fs", endpoint, exc.__class__.__name__, attempt + 1, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")


async def _post_init(application: Application) -> None:
    await application.bot.set_my_commands(COMMANDS)
    log.info("bot @%s ready", application.bot.username)


async def _post_shutdown(application: Application) -> None:
    application.bot_data.feedback.close()


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
    application.add_handler(CallbackQueryHandler(handlers.more_button, pattern=buttons.MORE_PATTERN))
    application.add_handler(CallbackQueryHandler(handlers.context_button, pattern=buttons.CONTEXT_PATTERN))
    application.add_handler(CallbackQueryHandler(handlers.vote_button, pattern=buttons.VOTE_PATTERN))
    application.add_handler(CallbackQueryHandler(handlers.stale_button))
    application.add_handler(InlineQueryHandler(handlers.inline_query))
    application.add_error_handler(handlers.error_handler)


def build_application(settings: BotSettings, reopen: Callable[[bool], Any], opened) -> Application:
    """Wire the handlers; `opened` is the engine loaded before the bot takes updates, `reopen`
    opens it again (rebuilding when forced) for /reindex."""
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
    application = builder.build()
    state: BotState = application.bot_data
    state.settings, state.engine, state.reopen = settings, opened.engine, reopen
    state.batcher = AnswerBatcher(lambda: state.engine)
    state.feedback = FeedbackStore(settings.feedback_db)
    _handlers(application)
    return application
