"""End-to-end latency of the real bot process for 50 concurrent users.

    python benchmarks/bench_bot.py [--users 50] [--rounds 3]

Starts the local Bot API server of the tests and the real bot (`python -m bot`, real model,
long polling) on 127.0.0.1, then measures, per user, the time from the moment the update is
available to the bot until the bot's sendMessage reaches the server:
- one user at a time (the floor: no queueing), and
- 50 users asking at the same moment (each round: 50 updates pushed at once).
Prints median and p95 of each, and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e_support import TOKEN, message, start_bot, stop_bot  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

QUESTIONS = ["missile defense", "Afghanistan", "energy security", "terrorism and extremism", "Syria",
             "outer space", "information security", "COVID-19", "climate change", "youth",
             "What did the 2020 Moscow declaration say about drugs?", "transport corridors"]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def _round(fake: FakeTelegram, chats: list[int], offset: int) -> list[float]:
    pushed = {}
    for i, chat_id in enumerate(chats):
        pushed[chat_id] = time.monotonic()
        fake.push(message(chat_id, QUESTIONS[(i + offset) % len(QUESTIONS)]))
    latencies = {}
    deadline = time.monotonic() + 300
    while len(latencies) < len(chats) and time.monotonic() < deadline:
        for call in fake.calls("sendMessage"):
            chat_id = int(call["params"]["chat_id"])
            if chat_id in pushed and chat_id not in latencies and call.get("ok"):
                latencies[chat_id] = call["time"] - pushed[chat_id]
        time.sleep(0.01)
    if len(latencies) < len(chats):
        raise SystemExit(f"only {len(latencies)} of {len(chats)} users were answered")
    return list(latencies.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--index-dir", help="reuse an index cache (default: a fresh temporary one)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="quotebot-bench-bot-"))
    fake = FakeTelegram(TOKEN).start()
    process, log = start_bot(fake, Path(args.index_dir) if args.index_dir else work / "index", work,
                             env={"QUOTEBOT_LOG_LEVEL": "WARNING"})
    try:
        fake.wait_for(lambda c: c["method"] == "setMyCommands", 300, "the bot to start")
        next_chat = 10_000
        single = []
        for i in range(len(QUESTIONS)):
            single += _round(fake, [next_chat], i)
            next_chat += 1
        crowd = []
        for r in range(args.rounds):
            chats = list(range(next_chat, next_chat + args.users))
            next_chat += args.users
            crowd += _round(fake, chats, r)
    finally:
        stop_bot(process)
        fake.stop()
    ms = lambda x: f"{1000 * x:.0f} ms"  # noqa: E731
    print(f"one user at a time ({len(single)} questions): median {ms(statistics.median(single))}, "
          f"p95 {ms(_percentile(single, 0.95))}")
    print(f"{args.users} concurrent users x {args.rounds} rounds ({len(crowd)} answers, all answered): "
          f"median {ms(statistics.median(crowd))}, p95 {ms(_percentile(crowd, 0.95))}")
    print(f"ratio of medians (crowd / single): {statistics.median(crowd) / statistics.median(single):.1f}")
    floor = (args.users - 1) / 30
    print(f"bound set by Telegram's flood limit (30 messages/s, enforced by AIORateLimiter): the last of "
          f"{args.users} answers leaves >= {floor:.2f} s after the first; p95 / that bound: "
          f"{_percentile(crowd, 0.95) / floor:.2f}")


if __name__ == "__main__":
    main()
