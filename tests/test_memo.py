"""The bounded memo of one index's pure functions."""

from __future__ import annotations

from retrieval.memo import Memo


def test_a_value_is_computed_once_per_key():
    calls = []
    memo: Memo[int] = Memo(10)
    assert memo.get("a", lambda: calls.append("a") or 1) == 1
    assert memo.get("a", lambda: calls.append("a") or 2) == 1
    assert calls == ["a"] and len(memo) == 1


def test_past_its_limit_a_new_key_is_computed_each_time_and_the_first_keys_stay():
    calls = []
    memo: Memo[str] = Memo(2)
    for key in ("a", "b", "c", "c"):
        memo.get(key, lambda key=key: calls.append(key) or key.upper())
    assert calls == ["a", "b", "c", "c"] and len(memo) == 2
    assert memo.get("a", lambda: "other") == "A"
