"""Recent answers, kept in memory under short random keys so buttons carry only a key.

A key is 12 URL-safe characters from `secrets` (72 random bits): it cannot be guessed from another
key. Each answer is stored with the chat it was sent to, and is only given back to that chat: a
button pressed in another chat (a forwarded message, a forged callback) gets nothing.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from retrieval.types import Answer

MAX_ANSWERS = 5000
KEY_BYTES = 9  # 72 bits, 12 characters


@dataclass(frozen=True)
class Stored:
    answer: Answer
    chat_id: int
    chat_type: str


class AnswerStore:
    """An LRU map: random key -> (answer, the chat it belongs to)."""

    def __init__(self, capacity: int = MAX_ANSWERS) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, Stored] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, answer: Answer, chat_id: int, chat_type: str) -> str:
        key = secrets.token_urlsafe(KEY_BYTES)
        with self._lock:
            self._items[key] = Stored(answer, chat_id, chat_type)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return key

    def get(self, key: str, chat_id: int | None) -> Stored | None:
        """The answer stored under `key` for the chat `chat_id`; None for any other chat."""
        with self._lock:
            item = self._items.get(key)
            if item is None or item.chat_id != chat_id:
                return None
            self._items.move_to_end(key)
            return item


UPLOAD_TTL = 3600.0  # seconds a previewed upload waits for Add or Cancel
MAX_PENDING = 50


@dataclass(frozen=True)
class Pending:
    item: object
    chat_id: int
    expires: float


class PendingStore:
    """Previews waiting for a button: random key -> (item, chat, expiry). An item is taken once
    (`take` removes it: a second press finds nothing); expired or evicted items are handed to
    `drop` (which deletes their files)."""

    def __init__(self, drop, ttl: float = UPLOAD_TTL, capacity: int = MAX_PENDING, clock=time.monotonic) -> None:
        self.drop, self.ttl, self.capacity, self.clock = drop, ttl, capacity, clock
        self._items: OrderedDict[str, Pending] = OrderedDict()
        self._lock = threading.Lock()

    def _expire(self) -> list[Pending]:
        now, gone = self.clock(), []
        for key in [k for k, p in self._items.items() if p.expires <= now]:
            gone.append(self._items.pop(key))
        while len(self._items) > self.capacity:
            gone.append(self._items.popitem(last=False)[1])
        return gone

    def put(self, item: object, chat_id: int) -> str:
        key = secrets.token_urlsafe(KEY_BYTES)
        with self._lock:
            self._items[key] = Pending(item, chat_id, self.clock() + self.ttl)
            gone = self._expire()
        for pending in gone:
            self.drop(pending.item)
        return key

    def take(self, key: str, chat_id: int | None) -> object | None:
        """The item stored under `key` for `chat_id`, removed; None if unknown, expired or another chat's."""
        with self._lock:
            gone = self._expire()
            pending = self._items.get(key)
            if pending is not None and pending.chat_id == chat_id:
                del self._items[key]
            else:
                pending = None
        for old in gone:
            self.drop(old.item)
        return pending.item if pending else None

    def clear(self) -> None:
        with self._lock:
            gone, self._items = list(self._items.values()), OrderedDict()
        for pending in gone:
            self.drop(pending.item)
