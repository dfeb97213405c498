"""The bot's shared state, typed: `context.bot_data` is a `BotState` (see `ContextTypes`)."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from telegram.ext import CallbackContext, ExtBot

from bot.store import AnswerStore, PendingStore

if TYPE_CHECKING:
    from bot.batcher import AnswerBatcher
    from bot.feedback import FeedbackStore
    from bot.settings import BotSettings
    from retrieval.engine import Engine
    from retrieval.loader import Opened


@dataclass
class BotState:
    """Everything the handlers share. PTB creates it empty; `bot.app.build_application` fills it
    before the bot takes updates, so every field is set while handlers run."""

    settings: BotSettings | None = None
    engine: Engine | None = None  # swapped by /reindex
    reopen: Callable[[bool], Opened] | None = None  # (force) -> a freshly opened engine
    batcher: AnswerBatcher | None = None
    feedback: FeedbackStore | None = None
    intake_folder: Callable[[], Path] | None = None  # where uploads go; raises IntakeError
    store: AnswerStore = field(default_factory=AnswerStore)
    uploads: PendingStore | None = None  # previewed uploads waiting for Add / Cancel
    reindex_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    cancel: threading.Event = field(default_factory=threading.Event)  # set on shutdown: stops a build


Context = CallbackContext[ExtBot, dict, dict, BotState]
