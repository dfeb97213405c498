"""End to end: the real bot process (`python -m bot`, real model) over real HTTP against a
local Bot API server on 127.0.0.1, acting as users in private chats, groups and inline mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from .conftest import ROOT
from .e2e_support import ADMIN_ID, READY_TIMEOUT, TOKEN, callback, inline, message, start_bot, started_bot, stop_bot
from .fake_telegram import FakeTelegram

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def bot(fake, index_root, workdir, real_engine):
    # real_engine has built the index in index_root: every bot process of these tests loads it
    with started_bot(fake, index_root, workdir) as running:
        yield running


def sent_to(fake, chat_id, method="sendMessage", ok=True):
    return [c for c in fake.calls(method) if int(c["params"].get("chat_id", 0)) == chat_id and c.get("ok") == ok]


def ask(fake, chat_id, text, timeout=60, **kw):
    fake.push(message(chat_id, text, **kw))
    return fake.wait_for(lambda c: c["method"] == "sendMessage" and c.get("ok")
                         and int(c["params"]["chat_id"]) == chat_id, timeout, f"an answer in chat {chat_id}")


def buttons(call):
    return [b for row in call["params"]["reply_markup"]["inline_keyboard"] for b in row]


def test_commands_are_registered(bot, fake):
    commands = {c["command"] for c in fake.calls("setMyCommands")[0]["params"]["commands"]}
    assert {"ask", "compare", "docs", "about", "help"} <= commands


def test_private_question_quote_and_citation(bot, fake):
    call = ask(fake, 101, "What does the SCO say about missile defense?")
    html_text = call["params"]["text"]
    assert call["params"]["parse_mode"] == "HTML"
    assert html_text.startswith("<blockquote>") and "<b>" in html_text
    plain = call["result"]["text"]
    assert "missile defen" in plain and "SCO" in plain and "¶" in plain
    assert {b["text"] for b in buttons(call)} == {"More ▸", "Context", "👍", "👎"}


def test_buttons_edit_the_same_message_and_record_feedback(bot, fake, workdir):
    call = ask(fake, 102, "Afghanistan")
    sent = call["result"]
    data = {b["text"]: b["callback_data"] for b in buttons(call)}
    fake.push(callback(sent, data["More ▸"], 102))
    edit = fake.wait_for(lambda c: c["method"] == "editMessageText" and c.get("ok")
                         and int(c["params"]["chat_id"]) == 102, 30, "More")
    assert int(edit["params"]["message_id"]) == sent["message_id"]
    assert "Match 2 of" in edit["result"]["text"]
    fake.push(callback(sent, data["Context"], 102))
    fake.wait_for(lambda c: c["method"] == "editMessageText" and c.get("ok") and int(c["params"]["chat_id"]) == 102
                  and "◂ Back" in json.dumps(c["params"].get("reply_markup"), ensure_ascii=False), 30, "Context")
    fake.push(callback(sent, data["👍"], 102))
    fake.wait_for(lambda c: c["method"] == "answerCallbackQuery" and "Thanks" in str(c["params"].get("text")), 30, "vote")
    assert len(sent_to(fake, 102)) == 1  # buttons edit; they never add messages
    # the same button pressed from another chat (a forwarded message, a forged callback): nothing shown
    elsewhere = {**sent, "chat": {"id": 1999, "type": "private", "first_name": "Eve"}}
    edits = len(fake.calls("editMessageText"))
    fake.push(callback(elsewhere, data["More ▸"], 1999))
    fake.wait_for(lambda c: c["method"] == "answerCallbackQuery" and "expired" in str(c["params"].get("text")), 30,
                  "refusal of a key from another chat")
    fake.push(callback(sent, data["More ▸"].rsplit(":", 1)[0] + ":" + "9" * 30, 102))  # absurd position
    fake.wait_for(lambda c: c["method"] == "answerCallbackQuery" and c["params"].get("show_alert"), 30, "refusal")
    assert len(fake.calls("editMessageText")) == edits
    out = subprocess.run([sys.executable, "-m", "quotebot", "feedback", "--export", "-", "--db",
                          str(workdir / "feedback.sqlite3")], capture_output=True, text=True, cwd=ROOT, timeout=60)
    items = [json.loads(line) for line in out.stdout.splitlines()]
    assert any(i["q"] == "Afghanistan" and i["gold"] for i in items), out.stderr


def test_out_of_scope_says_nothing_found(bot, fake):
    call = ask(fake, 103, "give me a recipe for borscht")
    assert call["result"]["text"].startswith("No clause in these declarations answers that.")


HOSTILE = [
    "<b>missile</b> <script>alert(1)</script> & defense </blockquote>",
    "*bold* _it_ [link](http://x) `code` missile defense",
    "missile defense " * 700,
    "🚀🚀🚀",
    "الدفاع الصاروخي missile defense ‏שלום",
    "mis\u200bsile\u200b de\u200dfense\u2060",
    "\x00\x07\x1b[31m missile defense",
    "/ask",
    "/ask@QuoteTestBot",
    "&amp; &lt; &#x27;",
]


def test_hostile_inputs_always_get_a_clear_reply(bot, fake):
    chats = list(range(201, 201 + len(HOSTILE)))
    for chat_id, text in zip(chats, HOSTILE):
        fake.push(message(chat_id, text))
    for chat_id in chats:
        fake.wait_for(lambda c, chat_id=chat_id: c["method"] == "sendMessage" and c.get("ok")
                      and int(c["params"]["chat_id"]) == chat_id, 60, f"a reply in chat {chat_id}")
    for chat_id in chats:
        assert len(sent_to(fake, chat_id)) == 1
        assert not sent_to(fake, chat_id, ok=False)


def test_group_command_mention_reply_and_silence(bot, fake):
    group = -100500
    fake.push(message(group, "I think missile defense matters a lot", user_id=31, chat_type="supergroup"))
    fake.push(message(group, "/ask@OtherBot missile defense", user_id=31, chat_type="supergroup"))
    ask_msg = message(group, "/ask@QuoteTestBot missile defense", user_id=31, chat_type="supergroup")
    fake.push(ask_msg)
    first = fake.wait_for(lambda c: c["method"] == "sendMessage" and c.get("ok") and int(c["params"]["chat_id"]) == group,
                          60, "the /ask answer")
    assert first["params"]["reply_parameters"]["message_id"] == ask_msg["message"]["message_id"]
    mention = message(group, "@QuoteTestBot what about Afghanistan?", user_id=32, chat_type="supergroup")
    fake.push(mention)
    fake.wait_for(lambda c: c["method"] == "sendMessage" and c.get("ok") and int(c["params"]["chat_id"]) == group
                  and c["params"]["reply_parameters"]["message_id"] == mention["message"]["message_id"], 60, "mention answer")
    reply = message(group, "and on energy security?", user_id=33, chat_type="supergroup", reply_to=first["result"])
    fake.push(reply)
    fake.wait_for(lambda c: c["method"] == "sendMessage" and c.get("ok") and int(c["params"]["chat_id"]) == group
                  and c["params"]["reply_parameters"]["message_id"] == reply["message"]["message_id"], 60, "reply answer")
    fake.push(message(group, "lunch anyone?", user_id=34, chat_type="supergroup"))
    fake.push(message(group, "@QuoteTestBot Syria", user_id=34, chat_type="supergroup"))
    fake.wait_for(lambda c: c["method"] == "sendMessage" and c.get("ok") and int(c["params"]["chat_id"]) == group
                  and "Syria" in c["result"]["text"], 60, "the last answer")
    time.sleep(1)
    assert len(sent_to(fake, group)) == 4  # /ask, mention, reply, last mention; chatter ignored


def test_inline_query_cards_and_help(bot, fake):
    fake.push(inline("missile defense", 301))
    call = fake.wait_for(lambda c: c["method"] == "answerInlineQuery" and c.get("ok")
                         and len(c["params"]["results"]) > 1, 60, "inline answer")
    results = call["params"]["results"]
    assert 1 < len(results) <= 10
    assert all(r["type"] == "article" and "SCO" in r["title"] for r in results)
    assert "missile defen" in results[0]["description"]
    fake.push(inline("", 302))
    help_call = fake.wait_for(lambda c: c["method"] == "answerInlineQuery" and c.get("ok")
                              and c["params"]["results"][0]["id"] == "help", 60, "inline help")
    assert len(help_call["params"]["results"]) == 1


def test_compare_docs_about(bot, fake):
    fake.push(message(401, "/compare missile defence"))
    call = fake.wait_for(lambda c: c["method"] == "sendMessage" and c.get("ok") and int(c["params"]["chat_id"]) == 401, 60, "compare")
    text = call["result"]["text"]
    assert "oldest first" in text and text.index("2012") < text.index("2019") < text.index("2022")
    fake.push(message(402, "/docs"))
    docs = fake.wait_for(lambda c: c["method"] == "sendMessage" and c.get("ok") and int(c["params"]["chat_id"]) == 402, 60, "docs")
    assert "2020-moscow-declaration" in docs["result"]["text"]
    fake.push(message(403, "/about"))
    about = fake.wait_for(lambda c: c["method"] == "sendMessage" and c.get("ok") and int(c["params"]["chat_id"]) == 403, 60, "about")
    assert "all-MiniLM-L6-v2" in about["result"]["text"]


def test_faults_are_ridden_out(bot, fake):
    fake.fault("sendMessage", "429", times=2, retry_after=1)
    first = ask(fake, 501, "energy security")
    assert first["result"]["text"]
    assert [c for c in fake.calls("sendMessage") if c.get("error", "").startswith("Too Many Requests")]
    fake.fault("sendMessage", "500", times=2)
    ask(fake, 502, "transport corridors")
    fake.fault("sendMessage", "slow", times=1, delay=3)
    ask(fake, 503, "Syria")


def test_an_answer_delivered_but_reported_failed_is_resent_marked_and_silent(bot, fake):
    chats = list(range(520, 540))
    fake.fault("sendMessage", "502-after", times=10)
    for chat_id in chats:
        fake.push(message(chat_id, "energy security"))
    for chat_id in chats:
        fake.wait_for(lambda c, chat_id=chat_id: c["method"] == "sendMessage" and c.get("ok")
                      and int(c["params"]["chat_id"]) == chat_id and not c.get("answered"), 120, f"chat {chat_id}")
    time.sleep(2)
    for chat_id in chats:
        delivered = sent_to(fake, chat_id)
        plain = [c for c in delivered if not c["params"]["text"].startswith("↻")]
        assert len(plain) == 1, delivered  # never twice unmarked
        for again in delivered:
            if again["params"]["text"].startswith("↻"):
                assert again["params"].get("disable_notification") in (True, "true", "True")
    assert sum(len(sent_to(fake, c)) for c in chats) == len(chats) + 10  # the 10 marked copies


def test_fifty_concurrent_users_all_answered(bot, fake):
    questions = ["missile defense", "Afghanistan", "energy security", "terrorism", "Syria", "outer space",
                 "information security", "COVID-19", "climate change", "youth"]
    chats = list(range(1001, 1051))
    for i, chat_id in enumerate(chats):
        fake.push(message(chat_id, questions[i % len(questions)]))
    for chat_id in chats:
        fake.wait_for(lambda c, chat_id=chat_id: c["method"] == "sendMessage" and c.get("ok")
                      and int(c["params"]["chat_id"]) == chat_id, 120, f"answer for user {chat_id}")
    assert all(len(sent_to(fake, chat_id)) == 1 for chat_id in chats)


def test_reindex_for_admins_only_without_downtime(bot, fake):
    fake.push(message(601, "/reindex", user_id=601))
    refused = fake.wait_for(lambda c: c["method"] == "sendMessage" and c.get("ok") and int(c["params"]["chat_id"]) == 601, 60, "refusal")
    assert "Only the bot's admins" in refused["result"]["text"]
    fake.push(message(ADMIN_ID, "/reindex", user_id=ADMIN_ID))
    fake.wait_for(lambda c: c["method"] == "sendMessage" and c.get("ok") and "Rebuilding" in c["result"]["text"], 60, "rebuild start")
    during = ask(fake, 602, "missile defense")  # answered by the old index meanwhile
    assert "missile defen" in during["result"]["text"]
    fake.wait_for(lambda c: c["method"] == "sendMessage" and c.get("ok") and "Index rebuilt" in c["result"]["text"],
                  READY_TIMEOUT, "rebuild end")
    assert "missile defen" in ask(fake, 603, "missile defense")["result"]["text"]


def test_help_tells_admins_about_reindex_and_uploads(bot, fake):
    replies = {}
    for chat_id in (ADMIN_ID, 604):  # the admin's chat also has replies of other tests: only what comes now
        since = time.monotonic()
        fake.push(message(chat_id, "/help", user_id=chat_id))
        replies[chat_id] = fake.wait_for(lambda c, chat_id=chat_id: c["time"] > since and c["method"] == "sendMessage"
                                         and c.get("ok") and int(c["params"]["chat_id"]) == chat_id, 60,
                                         "help")["result"]["text"]
    assert "/ask" in replies[604] and "/reindex" not in replies[604] and "PDF" not in replies[604]
    assert replies[ADMIN_ID].startswith(replies[604]) and "/reindex" in replies[ADMIN_ID] and "PDF" in replies[ADMIN_ID]


def test_token_never_logged(bot):
    _, log = bot
    text = log.read_text()
    assert "answered in" in text  # the log is real and verbose (DEBUG)
    assert TOKEN not in text and TOKEN.split(":")[1] not in text


def _post(url, update, secret=None):
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=json.dumps({**update, "update_id": 900000 + update["message"]["message_id"]}).encode(),
                                     headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except urllib.error.URLError:
        return None  # not listening yet


def test_webhook_mode_checks_the_secret(fake, index_root, workdir):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/telegram-hook"
    process, log = start_bot(fake, index_root, workdir, "--webhook-url", url, "--listen", "127.0.0.1", "--port", str(port),
                             env={"TELEGRAM_WEBHOOK_SECRET": "s3cret-Value"})
    try:
        hook = fake.wait_for(lambda c: c["method"] == "setWebhook", READY_TIMEOUT, "setWebhook")
        assert hook["params"]["url"] == url and hook["params"]["secret_token"] == "s3cret-Value"
        deadline = time.monotonic() + 30
        while _post(url, message(700, "ping"), "wrong") is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _post(url, message(701, "missile defense"), "wrong-secret") == 403
        assert _post(url, message(702, "missile defense")) == 403
        assert _post(url, message(703, "missile defense"), "s3cret-Value") == 200
        fake.wait_for(lambda c: c["method"] == "sendMessage" and c.get("ok") and int(c["params"]["chat_id"]) == 703, 60, "webhook answer")
        time.sleep(1)
        assert not sent_to(fake, 701) and not sent_to(fake, 702)
    finally:
        stop_bot(process)
    text = log.read_text()
    assert TOKEN not in text and "s3cret-Value" not in text  # the log is at DEBUG


def test_missing_or_bad_token_exits_2_at_once():
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": ""}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "bot"], env=env, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2 and "TELEGRAM_BOT_TOKEN is not set" in result.stderr
    assert time.monotonic() - started < 20  # nothing heavy loaded first
    env["TELEGRAM_BOT_TOKEN"] = "12345:short"
    result = subprocess.run([sys.executable, "-m", "bot"], env=env, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2 and result.stderr.count("\n") == 1


def test_unreachable_telegram_is_one_clear_error(index_root, workdir):
    fake_down = type("Down", (), {"base_url": "http://127.0.0.1:9/bot"})()
    process, log = start_bot(fake_down, index_root, workdir, env={"QUOTEBOT_LOG_LEVEL": ""})
    try:
        code = process.wait(180)
    finally:
        stop_bot(process)
    text = log.read_text()
    assert code == 1 and "cannot reach Telegram at http://127.0.0.1:9/bot" in text
    assert TOKEN not in text and "Traceback" not in text  # one line, not a hundred
    # the bot logs at INFO by default (the engine it opened), and not at DEBUG
    assert " INFO quotebot.bot: engine ready" in text and " DEBUG " not in text


@pytest.mark.parametrize("fault", ["401", "404"])
def test_a_rejected_token_exits_2_and_is_never_logged(fake, index_root, workdir, real_engine, fault):
    other = "987654321:ZZE2eAnotherTokenThatTelegramRejects99"
    if fault == "404":  # the right token, but Telegram answers getMe with 404, as for a revoked bot
        fake.fault("getMe", "404", times=1)
    process, log = start_bot(fake, index_root, workdir, env={"TELEGRAM_BOT_TOKEN": other} if fault == "401" else {})
    try:
        code = process.wait(180)
    finally:
        stop_bot(process)
    text = log.read_text()
    assert code == 2 and "Telegram rejected TELEGRAM_BOT_TOKEN" in text, text[-2000:]
    for token in (other, TOKEN):
        assert token not in text and token.split(":")[1] not in text  # at DEBUG, tracebacks included


def test_a_stop_signal_during_reindex_stops_within_seconds(index_root, workdir, real_engine, tmp_path):
    import shutil
    import signal

    # A copy of the indexes without the embedding cache, so that /reindex has to encode every
    # paragraph again (about 50 s): with the cache it would finish before the signal comes.
    shared, index_root = index_root, tmp_path / "indexes"  # real_engine's index is built in `shared`
    shutil.copytree(shared, index_root, symlinks=True)
    shutil.rmtree(index_root / "segments")
    fake = FakeTelegram(TOKEN).start()  # its own server: the module's bot must not take the updates
    since = time.monotonic()
    process, log = start_bot(fake, index_root, workdir)
    try:
        fake.wait_for(lambda c: c["time"] > since and c["method"] == "setMyCommands", READY_TIMEOUT, "the bot to start")
        fake.push(message(ADMIN_ID, "/reindex", user_id=ADMIN_ID))
        fake.wait_for(lambda c: c["time"] > since and c["method"] == "sendMessage" and c.get("ok")
                      and "Rebuilding" in c["result"]["text"], 60, "rebuild start")
        time.sleep(3)  # well into the build (about 50 s in all)
        stopped = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(30)
        except subprocess.TimeoutExpired:
            raise AssertionError("the bot did not stop:\n" + log.read_text()[-3000:]) from None
        took = time.monotonic() - stopped
    finally:
        stop_bot(process)
        fake.stop()
    assert code == 0 and took < 10, (took, log.read_text()[-2000:])
    assert "index build was stopped" in log.read_text()
    # the index on disk is the one built before, whole: a new process loads it without building
    from retrieval.loader import open_engine
    from retrieval.settings import EngineSettings

    reopened = open_engine(EngineSettings.resolve(None, None, str(index_root), env={}), embedder=real_engine.embedder)
    assert not reopened.built
