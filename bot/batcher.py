"""Micro-batching: questions that arrive together are answered with one engine call.

Under load (a group discussion, 50 users at once) one batched encoding of 32 questions costs
far less CPU than 32 separate ones. A question waits at most WINDOW seconds for company.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Callable

from retrieval.types import Answer

WINDOW = 0.01
MAX_BATCH = 32


class AnswerBatcher:
    def __init__(self, get_engine: Callable[[], object], window: float = WINDOW, max_batch: int = MAX_BATCH) -> None:
        self._get_engine = get_engine
        self._window = window
        self._max_batch = max_batch
        self._pending: list[tuple[str, int, asyncio.Future]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: set[asyncio.Task] = set()  # referenced until done, so none is collected
        self.batches = 0

    async def answer(self, question: str, k: int) -> Answer:
        """The engine's answer to `question` with `k` hits, or its error (raised)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._pending.append((question, k, future))
        if len(self._pending) >= self._max_batch:
            self._start_flush()
        elif self._timer is None:
            self._timer = loop.call_later(self._window, self._start_flush)
        return await future

    def _start_flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        if batch:
            task = asyncio.get_running_loop().create_task(self._flush(batch))
            self._flushing.add(task)
            task.add_done_callback(self._flushing.discard)

    async def _flush(self, batch: list[tuple[str, int, asyncio.Future]]) -> None:
        self.batches += 1
        engine = self._get_engine()
        k = max(item[1] for item in batch)
        try:  # a question that cannot be answered gets its own error; the others their answers
            results = await asyncio.to_thread(engine.answer_each, [q for q, _, _ in batch], None, k)
        except Exception as exc:  # noqa: BLE001 - handed to every waiting handler
            results = [exc] * len(batch)
        for (_, item_k, future), result in zip(batch, results):
            if future.done():
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(dataclasses.replace(result, hits=result.hits[:item_k]))
