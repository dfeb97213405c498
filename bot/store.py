"""Recent answers, kept in memory under short random keys so buttons carry only a key.

A key is 12 URL-safe characters from `secrets` (72 random bits): it cannot be guessed from another
key. Each answer is stored with the chat it was sent to, and is only given back to that chat: a
button pressed in another chat (a forwarded message, a forged callback) gets nothing.
"""

from __future__ import annotations

import secrets
import threading
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
