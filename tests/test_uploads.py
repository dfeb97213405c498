"""The pure parts of documents sent to the bot: callback data, the preview text, file names,
the store of previews waiting for a button, and Add's rollback when the engine cannot be reopened
(the rest of bot/uploads.py is driven through Telegram in test_e2e_upload.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import buttons, render
from bot.store import PendingStore
from bot.uploads import MAX_DOWNLOAD_BYTES, one_line, upload_name
from retrieval.errors import IndexStoreError
from retrieval.types import Document, Paragraph

from .fake_telegram import check_markup, check_text


def _doc(title="Declaration <on> A & B", first="The parties agree that 1 < 2 & 3 > 2.", place="Astana") -> Document:
    paragraphs = tuple(Paragraph("2024-astana", i + 1, text) for i, text in enumerate([first, "Second one."]))
    return Document("2024-astana", title, title, dt.date(2024, 7, 4), place, None, "/x/decl.txt", "declaration", paragraphs)


def test_upload_callback_data_round_trip():
    for add in (True, False):
        button = buttons.upload("Add" if add else "Cancel", "AbC_-12345xy", add)
        assert len(button.data.encode()) <= buttons.MAX_CALLBACK_BYTES
        press = buttons.read_upload(button.data)
        assert press == buttons.UploadPress("AbC_-12345xy", add)
        assert buttons.UPLOAD_PATTERN.match(button.data)
        for other in (buttons.MORE_PATTERN, buttons.CONTEXT_PATTERN, buttons.VOTE_PATTERN):
            assert not other.match(button.data)  # routed to the upload handler only


def test_other_callback_data_is_no_upload_press():
    for data in ("m:abc:1", "c:abc:0", "v:abc:0:1", "u:abc:z", "u::a", "u:abc:a:1", "", "u:" + "k" * 30 + ":a"):
        assert buttons.read_upload(data) is None


def test_preview_is_escaped_valid_html_with_add_and_cancel():
    card = render.upload_card(_doc(), "decl.txt", "KEY123")
    plain = check_text(card.text, "HTML")  # Telegram's own check, as the fake server does it
    assert "Declaration <on> A & B" in plain and "1 < 2 & 3 > 2" in plain
    assert "Date: 2024-07-04" in plain and "Place: Astana" in plain and "Paragraphs: 2" in plain
    assert "&lt;on&gt;" in card.text and "<on>" not in card.text
    markup = {"inline_keyboard": [[{"text": b.label, "callback_data": b.data} for b in row] for row in card.buttons]}
    check_markup(markup)
    assert [b.label for b in card.buttons[0]] == ["Add", "Cancel"]
    assert [buttons.read_upload(b.data).add for b in card.buttons[0]] == [True, False]


def test_preview_of_a_huge_document_fits_one_message():
    card = render.upload_card(_doc(title="T&<" * 3000, first="&<> word " * 5000, place="P&" * 500), "n" * 300, "K")
    plain = check_text(card.text, "HTML")
    assert len(plain) <= render.MAX_MESSAGE and len(card.text) <= render.MAX_MESSAGE
    assert card.text.rstrip().endswith("</blockquote>")


def test_added_text_and_undated_preview():
    doc = _doc(place=None)
    assert check_text(render.upload_added(doc), "HTML") == "Added: Declaration <on> A & B (2 paragraphs)"
    undated = Document(doc.doc_id, doc.title, doc.short_title, None, None, None, doc.source_path, doc.kind, doc.paragraphs)
    plain = check_text(render.upload_card(undated, "d.txt", "K").text, "HTML")
    assert "Date: undated" in plain and "Place: unknown" in plain


def test_upload_names():
    assert upload_name("decl.PDF", "application/pdf") == "decl.pdf"
    assert upload_name("../../etc/passwd.txt", None) == "passwd.txt"
    assert upload_name("page.htm", "text/html") == "page.html"
    assert upload_name(None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document") == "document.docx"
    assert upload_name("setup.exe", "application/x-msdownload") is None
    assert upload_name("noext", "application/octet-stream") is None
    assert MAX_DOWNLOAD_BYTES == 20 * 1024 * 1024


def test_one_line_errors_are_escaped():
    assert one_line(ValueError("a <b> & c\nsecond line")) == "a &lt;b&gt; &amp; c"


def test_pending_previews_are_taken_once_by_their_chat_and_expire():
    dropped, now = [], [0.0]
    store = PendingStore(dropped.append, ttl=60, capacity=2, clock=lambda: now[0])
    key = store.put("one", chat_id=5)
    assert store.take(key, 6) is None  # another chat: nothing, and it stays
    assert store.take(key, 5) == "one"
    assert store.take(key, 5) is None  # a second press: nothing
    later = store.put("two", 5)
    now[0] = 61
    assert store.take(later, 5) is None and dropped == ["two"]  # expired: its files deleted
    keys = [store.put(x, 5) for x in ("a", "b", "c")]
    assert dropped == ["two", "a"]  # over capacity: the oldest goes
    store.clear()
    assert dropped == ["two", "a", "b", "c"] and store.take(keys[2], 5) is None


class _Query:
    def __init__(self):
        self.edits = []

    async def edit_message_text(self, text, parse_mode=None):
        self.edits.append(text)


class _State:
    """The bot's state as `_add` uses it; reopening the engine fails as `failure` says."""

    def __init__(self, folder, failure):
        import asyncio

        self.reindex_lock, self.folder, self.failure = asyncio.Lock(), folder, failure
        self.engine = type("Engine", (), {"documents": []})()

    def intake_folder(self):
        return self.folder

    def reopen(self, force):
        raise self.failure


def _added_after_failed_reopen(tmp_path, failure):
    """Preview a small file, press Add: `_add` as the button handler runs it."""
    import asyncio
    from types import SimpleNamespace

    from bot.uploads import Upload, _add
    from retrieval.intake import Known, preview

    source = tmp_path / "in" / "turtles.md"
    source.parent.mkdir()
    source.write_text("# Sea Turtle Accord\n\nThe parties agree that sea turtles deserve protection.\n", "utf-8")
    folder = tmp_path / "user"
    staged = preview(source, tmp_path / "work", Known.of_documents([], folder))
    state, query = _State(folder, failure), _Query()
    update, context = SimpleNamespace(callback_query=query), SimpleNamespace(bot_data=state)
    said = asyncio.run(_add(update, context, Upload(staged, tmp_path / "work")))
    return said, folder, state


@pytest.mark.parametrize("failure, said", [
    (IndexStoreError("cannot write the index to /x: disk full"), "the index could not be updated: cannot write the index"),
    (RuntimeError("unexpected"), "the index could not be updated: RuntimeError"),
])
def test_a_failed_reopen_after_add_leaves_the_corpus_as_it_was(tmp_path, failure, said):
    """Add commits the file, then the engine cannot be reopened: the file is taken out again."""
    reply, folder, _ = _added_after_failed_reopen(tmp_path, failure)
    assert reply.startswith("Not added: ") and said in reply
    assert folder.is_dir() and list(folder.iterdir()) == []  # it was written, then removed
