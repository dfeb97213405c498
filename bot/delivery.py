"""Delivering answers: never lost, never sent twice without saying so.

Telegram has no idempotency key. A request that fails before it reaches Telegram (a connection
that could not be opened, no free connection in the pool) is safe to send again. One that fails
after (a 5xx answer, a read timeout) may already have been delivered: sending it again blindly is
how, with 10% of sendMessage answered 502 after delivery, 8 of 100 chats got their answer twice.
So:
- calls that are idempotent (editMessageText, answerCallbackQuery, answerInlineQuery,
  setMyCommands) are retried on any network error or 5xx answer, with back-off;
- sendMessage is retried by the rate limiter only when the request certainly never reached
  Telegram; after an ambiguous failure it is sent once more, marked with RESENT and without a
  notification (`bot.handlers`): at worst a user sees an answer twice, the second copy marked and
  silent, never not at all.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

MAX_RETRIES = 5
# Calls whose repetition changes nothing for the user. Start-up calls (getMe, deleteWebhook, ...)
# are left to PTB's bootstrap retries, so that an unreachable server is reported at once.
IDEMPOTENT = frozenset({"editMessageText", "answerCallbackQuery", "answerInlineQuery", "setMyCommands"})
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
RESENT = "↻ "  # before an answer sent again after an ambiguous failure


def resend_delays(retries: int = MAX_RETRIES, base: float = 0.5) -> list[float]:
    """Back-off before each marked resend of an answer."""
    return [base * (2 ** attempt) * (1 + random.random() / 4) for attempt in range(retries)]


def certainly_not_sent(exc: BaseException) -> bool:
    """Whether the request that raised `exc` never reached Telegram (its cause says so)."""
    cause = exc
    while cause is not None:
        if isinstance(cause, NOT_SENT):
            return True
        cause = cause.__cause__
    return False


def ambiguous(exc: BaseException) -> bool:
    """A failure after which the message may or may not have been delivered."""
    return isinstance(exc, (NetworkError, TimedOut)) and not isinstance(exc, BadRequest) and not certainly_not_sent(exc)


class RetryingRateLimiter(AIORateLimiter):
    """PTB's flood-limit rate limiter (which retries 429s), also retrying, with exponential
    back-off, what can safely be sent again (see the module's docstring)."""

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
                if isinstance(exc, BadRequest) or attempt == self._network_retries or not self._safe(endpoint, exc):
                    raise
                delay = self._base_delay * (2 ** attempt) * (1 + random.random() / 4)
                log.warning("%s failed (%s); retry %d in %.1fs", endpoint, exc.__class__.__name__, attempt + 1, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    @staticmethod
    def _safe(endpoint: str, exc: BaseException) -> bool:
        return endpoint in IDEMPOTENT or (endpoint == "sendMessage" and certainly_not_sent(exc))
