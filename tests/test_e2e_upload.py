"""End to end: documents sent to the real bot process (`python -m bot`, the fake embedder) over
real HTTP: previewed, added with Add (then answered from), cancelled, refused."""

from __future__ import annotations

import json
import time

import pytest

from .conftest import SEED
from .e2e_support import ADMIN_ID, TOKEN, callback, document, message, started_bot

pytestmark = pytest.mark.e2e

LUNAR = (b"Declaration of the Lunar Cooperation Council\n\n"
         b"The member states of the Lunar Cooperation Council agreed to build a shared observatory for "
         b"helium isotopes on the far side of the Moon.\n\n"
         b"They resolved to exchange regolith samples every quarter and to publish the findings openly.\n")
DRAFT = (b"Treaty <draft> & annex on asteroid mining\n\n"
         b"The parties shall register every asteroid mining claim with the <secretariat> & its archive.\n\n"
         b"Disputes over asteroid claims go to arbitration within ninety days.\n")


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e-upload")
    for name in ("corpus", "tmp", "indexes"):
        (root / name).mkdir()
    return root


@pytest.fixture(scope="module")
def bot(fake, dirs):
    env = {"QUOTEBOT_MODEL": "fake-hashing", "QUOTEBOT_USER_CORPUS": str(dirs / "corpus"), "TMPDIR": str(dirs / "tmp")}
    with started_bot(fake, dirs / "indexes", dirs, env=env) as running:
        yield running


def corpus(dirs):
    return sorted(p.name for p in (dirs / "corpus").iterdir())


def staging_left(dirs):
    return sorted(p.name for p in (dirs / "tmp").glob("quotebot-upload-*"))


def reply_in(fake, chat_id, what, since=0.0, method="sendMessage", timeout=60):
    return fake.wait_for(lambda c: c["method"] == method and c.get("ok") and c["time"] > since
                         and int(c["params"].get("chat_id", 0)) == chat_id, timeout, what)


def send(fake, chat_id, file_id, name, data, user_id=None, size=None, **kw):
    fake.add_file(file_id, data)
    since = time.monotonic()
    fake.push(document(chat_id, file_id, name, len(data) if size is None else size, user_id=user_id, **kw))
    return since


def buttons(call):
    return {b["text"]: b["callback_data"] for row in call["params"]["reply_markup"]["inline_keyboard"] for b in row}


def downloads(fake, file_id):
    return [c for c in fake.calls() if c["method"] in ("getFile", "download")
            and str(c["params"].get("file_id")) == file_id]


def test_admin_upload_preview_add_then_answered(bot, fake, dirs):
    since = send(fake, ADMIN_ID, "lunar1", "lunar.txt", LUNAR, user_id=ADMIN_ID)
    shown = reply_in(fake, ADMIN_ID, "the preview", since)
    text = shown["result"]["text"]
    assert "Add this document?" in text and "Declaration of the Lunar Cooperation Council" in text
    assert "Paragraphs: 2" in text and "helium isotopes" in text and "undated" in text
    data = buttons(shown)
    assert set(data) == {"Add", "Cancel"}
    assert corpus(dirs) == []  # a preview writes nothing

    since = time.monotonic()
    fake.push(callback(shown["result"], data["Add"], ADMIN_ID))
    added = fake.wait_for(lambda c: c["method"] == "editMessageText" and c.get("ok") and c["time"] > since
                          and c["result"]["text"].startswith("Added:"), 120, "Added")
    assert int(added["params"]["message_id"]) == shown["result"]["message_id"]
    assert added["result"]["text"] == "Added: Declaration of the Lunar Cooperation Council (2 paragraphs)"
    assert corpus(dirs) == ["lunar.txt"]
    assert (dirs / "corpus" / "lunar.txt").read_bytes() == LUNAR
    assert staging_left(dirs) == []
    manifest = json.loads(next((dirs / "indexes").glob("*/manifest.json")).read_text())
    assert manifest["changes"]["added"] == ["lunar"] and manifest["changes"]["encoded"] == 1  # incremental

    edits = len(fake.calls("editMessageText"))  # Add pressed again: nothing happens twice
    since = time.monotonic()
    fake.push(callback(shown["result"], data["Add"], ADMIN_ID))
    fake.wait_for(lambda c: c["method"] == "answerCallbackQuery" and c["time"] > since
                  and "expired" in str(c["params"].get("text")), 30, "the second press refused")
    assert len(fake.calls("editMessageText")) == edits and corpus(dirs) == ["lunar.txt"]

    since = time.monotonic()
    fake.push(message(811, "helium isotopes observatory on the far side of the Moon"))
    answer = reply_in(fake, 811, "an answer from the added document", since)
    assert "helium isotopes" in answer["result"]["text"] and "Lunar" in answer["result"]["text"]


def test_cancel_writes_nothing(bot, fake, dirs):
    before = corpus(dirs)
    since = send(fake, ADMIN_ID, "draft1", "draft.md", DRAFT, user_id=ADMIN_ID, mime_type="text/markdown")
    shown = reply_in(fake, ADMIN_ID, "the preview", since)
    assert "Treaty <draft> & annex" in shown["result"]["text"]  # escaped in HTML, shown as written
    since = time.monotonic()
    fake.push(callback(shown["result"], buttons(shown)["Cancel"], ADMIN_ID))
    cancelled = fake.wait_for(lambda c: c["method"] == "editMessageText" and c.get("ok") and c["time"] > since,
                              30, "Cancelled")
    assert "Cancelled" in cancelled["result"]["text"] and "was not added" in cancelled["result"]["text"]
    fake.push(callback(shown["result"], buttons(shown)["Add"], ADMIN_ID))  # Add after Cancel: expired
    fake.wait_for(lambda c: c["method"] == "answerCallbackQuery" and c["time"] > since
                  and "expired" in str(c["params"].get("text")), 30, "Add after Cancel refused")
    time.sleep(1)
    assert corpus(dirs) == before and staging_left(dirs) == []


def test_non_admin_is_refused_politely(bot, fake, dirs):
    before = corpus(dirs)
    since = send(fake, 901, "other1", "other.txt", DRAFT, user_id=901)
    refused = reply_in(fake, 901, "the refusal", since)
    assert "only the bot's admins can add documents" in refused["result"]["text"]
    assert not downloads(fake, "other1") and corpus(dirs) == before


def test_oversized_file_refused_without_download(bot, fake, dirs):
    before = corpus(dirs)
    since = send(fake, ADMIN_ID, "huge1", "huge.pdf", b"%PDF-1.4", user_id=ADMIN_ID, size=25 * 1024 * 1024,
                 mime_type="application/pdf")
    refused = reply_in(fake, ADMIN_ID, "the refusal", since)
    assert "26.2 MB" in refused["result"]["text"] and "up to 20 MB" in refused["result"]["text"]
    assert not downloads(fake, "huge1") and corpus(dirs) == before


def test_unsupported_and_unparsable_files_get_a_clear_message(bot, fake, dirs):
    before = corpus(dirs)
    since = send(fake, ADMIN_ID, "exe1", "setup.exe", b"MZ\x90\x00", user_id=ADMIN_ID, mime_type="application/x-msdownload")
    unsupported = reply_in(fake, ADMIN_ID, "unsupported", since)
    assert "cannot read .exe files" in unsupported["result"]["text"] and not downloads(fake, "exe1")
    since = send(fake, ADMIN_ID, "bad1", "broken.pdf", b"garbage, not a PDF", user_id=ADMIN_ID, mime_type="application/pdf")
    failed = reply_in(fake, ADMIN_ID, "the parse error", since)
    assert failed["result"]["text"] == "Not added: broken.pdf: named .pdf but is not a PDF file (it holds text)"
    assert "reply_markup" not in failed["params"] or not failed["params"]["reply_markup"]
    assert corpus(dirs) == before and staging_left(dirs) == []


def test_a_duplicate_is_refused(bot, fake, dirs):
    before = corpus(dirs)
    since = send(fake, ADMIN_ID, "seed1", "beijing copy.txt", SEED.read_bytes(), user_id=ADMIN_ID)  # a shipped text
    failed = reply_in(fake, ADMIN_ID, "the duplicate refused", since)
    assert failed["result"]["text"].startswith("Not added: beijing copy.txt: the same text as ")
    assert "already in the corpus" in failed["result"]["text"]
    assert corpus(dirs) == before and staging_left(dirs) == []


def test_files_in_groups_get_no_reaction(bot, fake, dirs):
    group = -100777
    since = send(fake, group, "grp1", "lunar.txt", DRAFT, user_id=ADMIN_ID, chat_type="supergroup")
    time.sleep(2)
    assert not [c for c in fake.calls("sendMessage") if c["time"] > since and int(c["params"]["chat_id"]) == group]
    assert not downloads(fake, "grp1")


def test_a_file_telegram_will_not_serve_gets_a_clear_message(bot, fake, dirs):
    before = corpus(dirs)
    since = time.monotonic()
    fake.push(document(ADMIN_ID, "gone1", "gone.txt", 100, user_id=ADMIN_ID))  # no bytes registered: getFile fails
    failed = reply_in(fake, ADMIN_ID, "the download error", since)
    assert failed["result"]["text"].startswith("Not added: gone.txt: could not be downloaded from Telegram")
    assert corpus(dirs) == before and staging_left(dirs) == []
