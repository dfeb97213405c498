"""The bot's shared state, typed: `context.bot_data` is a `BotState` (see `ContextTypes`)."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from telegram.ext import CallbackContext, ExtBot

from bot.store import AnswerStore

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
    store: AnswerStore = field(default_factory=AnswerStore)
    reindex_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    cancel: threading.Event = field(default_factory=threading.Event)  # set on shutdown: stops a build


Context = CallbackContext[ExtBot, dict, dict, BotState]
