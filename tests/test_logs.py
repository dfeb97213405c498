"""Logging: configured once, at the level asked, and secrets never reach a log line."""

from __future__ import annotations

import io
import logging

import pytest

from quotebot import logs

TOKEN = "123456789:AAE2eTestTokenForQuoteBotOnlyLocal123"


@pytest.fixture
def captured(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(logs.sys, "stderr", stream)
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    logs.configure_logging(logging.DEBUG)
    logs.add_secret(TOKEN, "<token>")
    yield stream
    root.handlers[:], root.level = saved
    logs._FORMATTER.secrets.pop(TOKEN, None)


def test_secrets_are_redacted_in_messages_arguments_and_tracebacks(captured):
    log = logging.getLogger("telegram.ext.Updater")
    log.debug("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    log.info(f"plain message with {TOKEN}")
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        log.error("startup failed", exc_info=True)
    text = captured.getvalue()
    assert TOKEN not in text and TOKEN.split(":")[1] not in text
    assert text.count("<token>") == 3 and "Traceback" in text


def test_configuring_twice_keeps_one_handler(captured):
    logs.configure_logging(logging.INFO)
    logs.configure_logging(logging.WARNING)
    ours = [h for h in logging.getLogger().handlers if getattr(h, "quotebot", False)]
    assert len(ours) == 1 and logging.getLogger().level == logging.WARNING


def test_log_levels_are_checked():
    assert logs.parse_level(" info ") == logging.INFO
    with pytest.raises(logs.LogLevelError, match="QUOTEBOT_LOG_LEVEL must be one of DEBUG"):
        logs.parse_level("verbose")
