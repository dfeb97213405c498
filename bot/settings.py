"""Bot settings from the environment, checked before anything heavy loads."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

ENV_TOKEN = "TELEGRAM_BOT_TOKEN"
ENV_BASE_URL = "TELEGRAM_BASE_URL"
ENV_WEBHOOK_SECRET = "TELEGRAM_WEBHOOK_SECRET"
ENV_ADMINS = "QUOTEBOT_ADMIN_IDS"
ENV_ALLOWED_CHATS = "QUOTEBOT_ALLOWED_CHATS"
ENV_FEEDBACK_DB = "QUOTEBOT_FEEDBACK_DB"
TOKEN_RE = re.compile(r"^\d{3,15}:[A-Za-z0-9_-]{30,64}$")
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def _ids(env: dict, name: str) -> frozenset[int]:
    raw = env.get(name, "").strip()
    if not raw:
        return frozenset()
    try:
        return frozenset(int(part) for part in re.split(r"[,\s]+", raw) if part)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a comma-separated list of numeric Telegram ids, got {raw!r}") from exc


def default_feedback_db() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("quotebot")) / "feedback.sqlite3"


@dataclass(frozen=True)
class BotSettings:
    token: str
    base_url: str | None
    webhook_secret: str | None
    admin_ids: frozenset[int]
    allowed_chats: frozenset[int]
    feedback_db: Path

    @property
    def base_file_url(self) -> str | None:
        """Where files are downloaded from: a local Bot API server at `…/bot` serves them at
        `…/file/bot` (Telegram's own layout); None: Telegram's."""
        if self.base_url and self.base_url.rstrip("/").endswith("/bot"):
            return self.base_url.rstrip("/")[: -len("/bot")] + "/file/bot"
        return None

    @classmethod
    def from_env(cls, env: dict | None = None) -> "BotSettings":
        env = os.environ if env is None else env
        token = env.get(ENV_TOKEN, "").strip()
        if not token:
            raise SettingsError(f"{ENV_TOKEN} is not set: create a bot with @BotFather and export {ENV_TOKEN}=<token>")
        if not TOKEN_RE.match(token):
            raise SettingsError(f"{ENV_TOKEN} is malformed: expected <digits>:<30+ letters, digits, _ or ->")
        secret = env.get(ENV_WEBHOOK_SECRET, "").strip() or None
        if secret and not SECRET_RE.match(secret):
            raise SettingsError(f"{ENV_WEBHOOK_SECRET} may only use A-Z, a-z, 0-9, _ and - (1-256 characters)")
        base_url = env.get(ENV_BASE_URL, "").strip() or None
        if base_url and not re.match(r"^https?://", base_url):
            raise SettingsError(f"{ENV_BASE_URL} must start with http:// or https://, got {base_url!r}")
        db = env.get(ENV_FEEDBACK_DB, "").strip()
        return cls(
            token=token,
            base_url=base_url,
            webhook_secret=secret,
            admin_ids=_ids(env, ENV_ADMINS),
            allowed_chats=_ids(env, ENV_ALLOWED_CHATS),
            feedback_db=Path(db).expanduser() if db else default_feedback_db(),
        )
