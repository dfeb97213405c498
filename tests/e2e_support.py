"""Helpers for end-to-end tests: Telegram update builders and the bot process."""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

from .conftest import ROOT
from .fake_telegram import BOT_USER, FakeTelegram

TOKEN = "123456789:AAE2eTestTokenForQuoteBotOnlyLocal123"
ADMIN_ID = 4242
READY_TIMEOUT = 240  # seconds a bot process may take to start (loading the model, maybe building an index)
_ids = itertools.count(1)


def user(user_id: int) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": "en"}


def message(chat_id: int, text: str, user_id: int | None = None, chat_type: str = "private",
            reply_to: dict | None = None) -> dict:
    msg = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": chat_type, **({"title": "Test group"} if chat_type != "private" else {"first_name": "U"})},
        "from": user(user_id or abs(chat_id)),
        "text": text,
    }
    entities = []
    if text.startswith("/"):
        entities.append({"type": "bot_command", "offset": 0, "length": len(text.split()[0])})
    mention = "@" + BOT_USER["username"]
    if mention in text and not text.startswith("/"):
        entities.append({"type": "mention", "offset": text.index(mention), "length": len(mention)})
    if entities:
        msg["entities"] = entities
    if reply_to:
        msg["reply_to_message"] = reply_to
    return {"message": msg}


def document(chat_id: int, file_id: str, file_name: str | None, file_size: int, user_id: int | None = None,
             mime_type: str = "text/plain", chat_type: str = "private") -> dict:
    """A message carrying a file (its bytes registered with FakeTelegram.add_file under file_id)."""
    update = message(chat_id, "", user_id, chat_type)
    msg = update["message"]
    del msg["text"]
    msg["document"] = {"file_id": file_id, "file_unique_id": "u" + file_id, "file_size": file_size,
                       "mime_type": mime_type, **({"file_name": file_name} if file_name else {})}
    return update


def callback(chat_message: dict, data: str, user_id: int) -> dict:
    return {"callback_query": {"id": f"cb{next(_ids)}", "from": user(user_id), "message": chat_message,
                               "chat_instance": "ci", "data": data}}


def inline(query: str, user_id: int) -> dict:
    return {"inline_query": {"id": f"iq{next(_ids)}", "from": user(user_id), "query": query, "offset": ""}}


def start_bot(fake: FakeTelegram, index_dir: Path, workdir: Path, *extra: str, env: dict | None = None) -> tuple[subprocess.Popen, Path]:
    log = workdir / f"bot-{next(_ids)}.log"
    full_env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": fake.base_url,
        "QUOTEBOT_INDEX_DIR": str(index_dir),
        "QUOTEBOT_ADMIN_IDS": str(ADMIN_ID),
        "QUOTEBOT_FEEDBACK_DB": str(workdir / "feedback.sqlite3"),
        "QUOTEBOT_LOG_LEVEL": "DEBUG",
        "HF_HUB_OFFLINE": "1",
        **(env or {}),
    }
    for key in ("QUOTEBOT_MODEL", "QUOTEBOT_CORPUS", "QUOTEBOT_ALLOWED_CHATS"):
        if key not in (env or {}):
            full_env.pop(key, None)
    process = subprocess.Popen([sys.executable, "-m", "bot", *extra], cwd=ROOT, env=full_env,
                               stdout=log.open("w"), stderr=subprocess.STDOUT)
    return process, log


@contextlib.contextmanager
def started_bot(fake: FakeTelegram, index_dir: Path, workdir: Path, env: dict | None = None):
    """A bot process that has started (it set its commands), stopped on leaving; if it does not
    start within READY_TIMEOUT, the end of its log is the error."""
    process, log = start_bot(fake, index_dir, workdir, env=env)
    try:
        fake.wait_for(lambda c: c["method"] == "setMyCommands", READY_TIMEOUT, "the bot to start")
    except AssertionError:
        stop_bot(process)
        raise AssertionError("bot did not start:\n" + log.read_text()[-3000:]) from None
    try:
        yield process, log
    finally:
        stop_bot(process)


def stop_bot(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
