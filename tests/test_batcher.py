"""Micro-batching gives each caller the answer it would get alone."""

from __future__ import annotations

import asyncio


from bot.batcher import AnswerBatcher
from retrieval.errors import EmptyQuestionError

QUESTIONS = ["missile defense", "Afghanistan", "energy security", "Syria", "outer space", "youth"] * 4


async def test_concurrent_questions_share_engine_calls(fake_engine):
    batcher = AnswerBatcher(lambda: fake_engine, window=0.05)
    answers = await asyncio.gather(*(batcher.answer(q, 1 + i % 3) for i, q in enumerate(QUESTIONS)))
    assert batcher.batches < len(QUESTIONS) / 4
    for i, (question, answer) in enumerate(zip(QUESTIONS, answers)):
        alone = fake_engine.answer(question, None, 1 + i % 3)
        assert answer.question == question
        assert [h.text for h in answer.hits] == [h.text for h in alone.hits]


async def test_a_bad_question_fails_alone(fake_engine):
    batcher = AnswerBatcher(lambda: fake_engine, window=0.05)
    results = await asyncio.gather(batcher.answer("Afghanistan", 2), batcher.answer("???", 2),
                                   batcher.answer("Syria", 2), return_exceptions=True)
    assert isinstance(results[1], EmptyQuestionError)
    assert results[0].hits and results[2].hits


async def test_large_bursts_flush_at_max_batch(fake_engine):
    batcher = AnswerBatcher(lambda: fake_engine, window=10.0, max_batch=8)
    answers = await asyncio.wait_for(asyncio.gather(*(batcher.answer(q, 1) for q in QUESTIONS[:16])), 30)
    assert len(answers) == 16 and batcher.batches == 2


async def test_a_lone_surrogate_fails_only_its_own_question(fake_engine):
    from retrieval.errors import InvalidQuestionError

    batcher = AnswerBatcher(lambda: fake_engine, window=0.05)
    questions = ["Afghanistan", "energy \udcff security"] + QUESTIONS[:9]
    results = await asyncio.gather(*(batcher.answer(q, 1) for q in questions), return_exceptions=True)
    assert isinstance(results[1], InvalidQuestionError)
    assert all(r.hits for i, r in enumerate(results) if i != 1)


async def test_an_unexpected_failure_of_one_question_spares_the_others(fake_engine, monkeypatch):
    from retrieval.errors import QuoteBotError

    real = fake_engine.embedder.embed_queries

    def poisoned(texts):
        if any("poison" in t for t in texts):
            raise RuntimeError("tokenizer exploded")
        return real(texts)

    monkeypatch.setattr(fake_engine.embedder, "embed_queries", poisoned)
    batcher = AnswerBatcher(lambda: fake_engine, window=0.05)
    results = await asyncio.gather(batcher.answer("Afghanistan", 1), batcher.answer("poison pill", 1),
                                   batcher.answer("Syria", 1), return_exceptions=True)
    assert isinstance(results[1], QuoteBotError) and "internal error" in str(results[1])
    assert results[0].hits and results[2].hits
