"""What may be sent again: only what certainly never reached Telegram, or is idempotent."""

from __future__ import annotations

import httpx
import pytest
from telegram.error import BadRequest, NetworkError, TimedOut

from bot import delivery


def _raised(exc, cause=None):
    try:
        try:
            if cause:
                raise cause
            raise exc
        except BaseException as inner:
            if cause:
                raise exc from inner
            raise
    except BaseException as final:
        return final


@pytest.mark.parametrize(
    "error, not_sent",
    [
        (_raised(NetworkError("httpx.ConnectError"), httpx.ConnectError("refused")), True),
        (_raised(TimedOut("pool"), httpx.PoolTimeout("no connection")), True),
        (_raised(TimedOut("connect"), httpx.ConnectTimeout("slow")), True),
        (_raised(TimedOut("read"), httpx.ReadTimeout("no answer")), False),  # may have been delivered
        (_raised(NetworkError("Bad Gateway")), False),  # a 5xx answer: done or not, nobody knows
    ],
)
def test_what_certainly_never_reached_telegram(error, not_sent):
    assert delivery.certainly_not_sent(error) is not_sent
    assert delivery.ambiguous(error) is (not not_sent)


def test_a_rejected_request_is_no_ambiguity():
    assert not delivery.ambiguous(BadRequest("can't parse entities"))


@pytest.mark.parametrize(
    "endpoint, error, safe",
    [
        ("sendMessage", _raised(NetworkError("Bad Gateway")), False),
        ("sendMessage", _raised(NetworkError("x"), httpx.ConnectError("refused")), True),
        ("editMessageText", _raised(NetworkError("Bad Gateway")), True),
        ("answerCallbackQuery", _raised(TimedOut("read"), httpx.ReadTimeout("x")), True),
        ("getMe", _raised(NetworkError("x"), httpx.ConnectError("refused")), False),  # left to PTB's start-up
    ],
)
def test_the_rate_limiter_retries_only_what_is_safe(endpoint, error, safe):
    assert delivery.RetryingRateLimiter._safe(endpoint, error) is safe


def test_resends_back_off():
    delays = delivery.resend_delays(retries=4, base=0.5)
    assert len(delays) == 4 and all(b > a for a, b in zip(delays, delays[1:]))
