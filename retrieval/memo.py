"""A bounded memo for the pure functions of one index (corrections, word forms, pairs found)."""

from __future__ import annotations

from typing import Callable, Generic, Hashable, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """Values computed once per key, kept for at most `limit` keys: past that, a new key's value is
    computed each time it is asked for (the first keys stay; a question's words recur). Each index
    has its own, so a new index starts with none."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._values: dict[Hashable, V] = {}

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        value = self._values.get(key)
        if value is None:
            value = compute()
            if len(self._values) < self.limit:
                self._values[key] = value
        return value

    def __len__(self) -> int:
        return len(self._values)
