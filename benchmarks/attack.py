"""Replay the hostile inputs of the hardening review and print whether each attack held.

    python benchmarks/attack.py [--bot]

Each attack runs the real CLI (a process, with the fast fake embedder) or the real objects, and
checks the outcome a user must get: one clear line, the other inputs still answered, nothing
half-done, no secret in a log. --bot adds the attacks on the real bot process against the local
Bot API server of the tests (duplicates after ambiguous failures, an unreachable server, a
rejected token). Prints a table (attack, outcome, detail) and exits 1 if any attack was not held.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="quotebot-attack-"))
SEED = ROOT / "corpus" / "sco_2012_beijing_declaration.txt"
TOKEN = "123456789:AAE2eTestTokenForQuoteBotOnlyLocal123"
ATTACKS = []


def attack(name):
    def register(function):
        ATTACKS.append((name, function))
        return function
    return register


def cli(*args, stdin=None, env=None, timeout=300):
    full = {**os.environ, "QUOTEBOT_MODEL": "fake-hashing", "QUOTEBOT_INDEX_DIR": str(TMP / "idx"), **(env or {})}
    return subprocess.run([sys.executable, "-m", "quotebot", *args], input=stdin, capture_output=True,
                          env=full, cwd=ROOT, timeout=timeout)


def one_error_line(result, *needles) -> tuple[bool, str]:
    err = result.stderr.decode(errors="replace")
    lines = [line for line in err.splitlines() if line.startswith("quotebot: error:")]
    held = result.returncode in (1, 2) and len(lines) == 1 and "Traceback" not in err and all(n in err for n in needles)
    return held, (lines[0] if lines else err.strip()[-120:])


def corpus_with(name: str, content: bytes) -> Path:
    folder = TMP / f"corpus-{len(list(TMP.iterdir()))}"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    (folder / name).write_bytes(content)
    return folder


@attack("batch line that is not UTF-8")
def _():
    r = cli("ask", "--batch", "-", "--json", "-k", "1", stdin=b"energy \xff security\nmissile defense\n")
    rows = [json.loads(line) for line in r.stdout.decode().splitlines()]
    return len(rows) == 2 and "not UTF-8" in rows[0].get("error", "") and bool(rows[1]["hits"]), rows[0].get("error")


@attack("argument that is not UTF-8")
def _():
    return one_error_line(cli("ask", b"energy \xff security"), "not valid text")


@attack("1,000-line batch with a no-topic line: no re-run, streamed")
def _():
    good = "missile defense\nenergy security\n" * 500
    bad = "missile defense\nwhat is the\n" * 500
    cli("index")
    started = time.perf_counter()
    cli("ask", "--batch", "-", "--json", stdin=good.encode())
    plain = time.perf_counter() - started
    started = time.perf_counter()
    r = cli("ask", "--batch", "-", "--json", stdin=bad.encode())
    mixed = time.perf_counter() - started
    rows = r.stdout.decode().splitlines()
    return len(rows) == 1000 and mixed < 1.5 * plain, f"{mixed:.1f} s with the bad lines, {plain:.1f} s without"


@attack("JSON record: date a number, place a list")
def _():
    record = {"title": "X Declaration", "text": "Text.", "date": 20200101, "place_of_signing": ["a"]}
    r = cli("ask", "security", "--corpus", str(corpus_with("bad.json", json.dumps(record).encode())), "--json")
    err = r.stderr.decode()
    return r.returncode == 0 and "must be text" in err and "Traceback" not in err, err.strip()[-100:]


@attack("JSON nested 100,000 deep")
def _():
    r = cli("ask", "security", "--corpus", str(corpus_with("deep.json", b"[" * 100_000)), "--json")
    err = r.stderr.decode()
    return r.returncode == 0 and "nested too deeply" in err and "Traceback" not in err, err.strip()[-100:]


@attack("--corpus is a symlink loop")
def _():
    loop = TMP / "loop"
    loop.symlink_to(loop)
    return one_error_line(cli("ask", "security", "--corpus", str(loop)), "Symlink loop")


@attack("QUOTEBOT_INDEX_DIR is a file")
def _():
    blocker = TMP / "not-a-folder"
    blocker.write_text("x")
    return one_error_line(cli("ask", "security", env={"QUOTEBOT_INDEX_DIR": str(blocker)}), "cannot write")


@attack("QUOTEBOT_LOG_LEVEL=verbose")
def _():
    held, detail = one_error_line(cli("ask", "security", env={"QUOTEBOT_LOG_LEVEL": "verbose"}), "QUOTEBOT_LOG_LEVEL")
    return held, detail


@attack("--doc with the source file's full name")
def _():
    r = cli("ask", "covid", "--doc", "20201110_1626651.json", "--json", "-k", "1")
    rows = [json.loads(line) for line in r.stdout.decode().splitlines()]
    return r.returncode == 0 and rows[0]["hits"][0]["doc_id"] == "2020-moscow-declaration", rows[0]["hits"][0]["doc_id"]


@attack("the same file twice in the corpus")
def _():
    folder = corpus_with("copy.txt", SEED.read_bytes())
    r = cli("ask", "missile defense", "--corpus", str(folder), "--json", "-k", "5")
    texts = [h["text"] for h in json.loads(r.stdout)["hits"]]
    return len(texts) == len(set(texts)) == 5, f"{len(set(texts))} distinct of {len(texts)}"


@attack("manifest.json is null, [] or files are not a map")
def _():
    from embeddings import HashingEmbedder
    from retrieval.index import open_index
    from retrieval.parsers import corpus_files

    target, rebuilt = TMP / "manifest-idx", []
    open_index(corpus_files([SEED]), HashingEmbedder(), target)
    for content in ("null", "[]", '{"files": 7}'):
        (target / "manifest.json").write_text(content)
        rebuilt.append(open_index(corpus_files([SEED]), HashingEmbedder(), target)[1])
    return all(rebuilt), f"rebuilt {sum(rebuilt)} of 3"


@attack("leftovers of a killed build")
def _():
    from embeddings import HashingEmbedder
    from retrieval.index import open_index
    from retrieval.parsers import corpus_files

    target = TMP / "left-idx"
    (TMP / ".left-idx.tmp-dead").mkdir()
    open_index(corpus_files([SEED]), HashingEmbedder(), target, force=True)
    left = [p.name for p in TMP.glob(".left-idx.tmp-*")]
    return not left, f"left: {left}"


@attack("full disk while saving the index")
def _():
    import errno

    from embeddings import HashingEmbedder
    from retrieval.errors import IndexStoreError
    from retrieval.index import open_index
    from retrieval.parsers import corpus_files

    target = TMP / "disk-idx"
    open_index(corpus_files([SEED]), HashingEmbedder(), target)
    # the disk fills while vectors.npy is written (every index has one; ann.faiss only a large one):
    # the build writes it row by row (segments.VectorFile)
    from retrieval.index import segments

    real = segments.os.pwrite
    segments.os.pwrite = lambda *a: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device"))
    try:
        open_index(corpus_files([SEED]), HashingEmbedder(), target, force=True)
        return False, "no error"
    except IndexStoreError as exc:
        message = str(exc)
    finally:
        segments.os.pwrite = real
    if list(target.parent.glob(f".{target.name}.tmp-*")):
        return False, "the new version's folder was left behind"
    still = open_index(corpus_files([SEED]), HashingEmbedder(), target)
    return not still[1] and "No space" in message, message


@attack("a 40,000-character capitalised word (acronym definitions)")
def _():
    from retrieval.lexicon import defined_acronyms

    started = time.perf_counter()
    defined_acronyms(["A" * 40_000 + " B (AB)", "Word " * 20_000 + "(WW)"])
    took = time.perf_counter() - started
    return took < 1.0, f"{took * 1000:.0f} ms"


@attack("lone surrogate in a batch of 11 bot questions")
def _():
    import asyncio

    from bot.batcher import AnswerBatcher
    from embeddings import HashingEmbedder
    from retrieval.loader import open_engine
    from retrieval.settings import EngineSettings

    engine = open_engine(EngineSettings.resolve([str(SEED)], None, str(TMP / "idx"), env={}),
                         embedder=HashingEmbedder()).engine
    questions = ["energy \udcff security"] + ["missile defense", "Afghanistan", "energy", "Syria", "trade"] * 2

    async def run():
        batcher = AnswerBatcher(lambda: engine, window=0.05)
        return await asyncio.gather(*(batcher.answer(q, 1) for q in questions), return_exceptions=True)

    results = asyncio.run(run())
    failed = [i for i, r in enumerate(results) if isinstance(r, Exception)]
    return failed == [0], f"failed: {failed}"


@attack("feedback database is a directory or corrupt")
def _():
    from bot.feedback import FeedbackError, FeedbackStore

    (TMP / "fb-dir").mkdir()
    (TMP / "fb-bad").write_bytes(b"garbage" * 100)
    outcomes = []
    for path in (TMP / "fb-dir", TMP / "fb-bad"):
        try:
            FeedbackStore(path)
            outcomes.append(False)
        except FeedbackError:
            outcomes.append(True)
    return all(outcomes), "one clear error each"


@attack("token in a log line, its arguments and a traceback, at DEBUG")
def _():
    import io
    import logging

    from quotebot import logs

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs._FORMATTER)
    logs.add_secret(TOKEN, "<token>")
    log = logging.getLogger("attack")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        log.error("url https://api.telegram.org/bot%s/getMe", TOKEN, exc_info=True)
    return TOKEN not in stream.getvalue() and "<token>" in stream.getvalue(), "redacted"


@attack("guessing another chat's answer key")
def _():
    from bot.store import AnswerStore
    from retrieval.types import Answer

    store = AnswerStore()
    mine = [store.put(Answer("q", (), True), 1, "private") for _ in range(100)]
    theirs = store.put(Answer("secret", (), True), 2, "private")
    guessed = any(store.get(k, 1) and store.get(k, 1).answer.question == "secret" for k in mine)
    return not guessed and store.get(theirs, 1) is None, f"keys like {mine[0]!r}, bound to their chat"


def _bot_attacks() -> None:
    from tests.e2e_support import message, start_bot, stop_bot
    from tests.fake_telegram import FakeTelegram

    @attack("bot: delivered but answered 502 (no unmarked duplicate)")
    def _():
        fake = FakeTelegram(TOKEN).start()
        process, _log = start_bot(fake, TMP / "idx", TMP, env={"QUOTEBOT_MODEL": "fake-hashing"})
        try:
            fake.wait_for(lambda c: c["method"] == "setMyCommands", 240, "start")
            fake.fault("sendMessage", "502-after", times=10)
            for chat in range(100, 120):
                fake.push(message(chat, "energy security"))
            time.sleep(15)
            plain = [len([c for c in fake.calls("sendMessage") if c.get("ok") and int(c["params"]["chat_id"]) == chat
                          and not c["params"]["text"].startswith("↻")]) for chat in range(100, 120)]
        finally:
            stop_bot(process)
            fake.stop()
        return plain == [1] * 20, f"unmarked copies per chat: {sorted(set(plain))}"

    @attack("bot: Telegram unreachable (one line, no traceback)")
    def _():
        down = type("Down", (), {"base_url": "http://127.0.0.1:9/bot"})()
        process, log = start_bot(down, TMP / "idx", TMP, env={"QUOTEBOT_MODEL": "fake-hashing", "QUOTEBOT_LOG_LEVEL": ""})
        code = process.wait(180)
        text = log.read_text()
        return code == 1 and "Traceback" not in text and TOKEN not in text, text.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bot", action="store_true", help="also attack the real bot process")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.bot:
        _bot_attacks()
    rows = []
    for name, function in ATTACKS:
        try:
            held, detail = function()
        except Exception as exc:  # noqa: BLE001 - an attack that crashes the checker was not held
            held, detail = False, f"{exc.__class__.__name__}: {exc}"
        rows.append((name, "held" if held else "NOT HELD", detail))
    width = max(len(r[0]) for r in rows)
    for name, outcome, detail in rows:
        print(f"{name:<{width}}  {outcome:<8}  {str(detail)[:90]}")
    shutil.rmtree(TMP, ignore_errors=True)
    sys.exit(0 if all(r[1] == "held" for r in rows) else 1)


if __name__ == "__main__":
    main()
