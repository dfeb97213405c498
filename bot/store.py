"""Recent answers, kept in memory under short keys so buttons carry only a key."""

from __future__ import annotations

import itertools
import secrets
from collections import OrderedDict
from dataclasses import dataclass

from retrieval.types import Answer

MAX_ANSWERS = 5000


@dataclass(frozen=True)
class Stored:
    answer: Answer
    chat_type: str


class AnswerStore:
    """An LRU map: short key -> answer. Keys are 10 characters: a counter and random bits."""

    def __init__(self, capacity: int = MAX_ANSWERS) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, Stored] = OrderedDict()
        self._counter = itertools.count(1)
        self._salt = secrets.token_hex(2)

    def put(self, answer: Answer, chat_type: str) -> str:
        key = f"{next(self._counter):x}{self._salt}"[-10:]
        self._items[key] = Stored(answer, chat_type)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return key

    def get(self, key: str) -> Stored | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item
