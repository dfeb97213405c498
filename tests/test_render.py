"""Rendering rules: escaping, Telegram's limits, never a broken tag."""

from __future__ import annotations

import dataclasses

import pytest

from bot import buttons, render
from bot.feedback import FeedbackStore, to_eval_items
from bot.settings import BotSettings, SettingsError
from bot.store import AnswerStore
from retrieval import messages
from retrieval.text import sentence_spans
from retrieval.types import Answer, Paragraph

from .fake_telegram import ApiError, check_markup, check_text, visible_text

QUESTIONS = ["missile defense", "Afghanistan", "youth extremism", "<b>bold</b> & <script>", "🚀 energy",
             "give me a recipe for borscht", "COVID-19 pandemic", "terrorism separatism extremism"]


def _check_card(card: render.Card) -> str:
    plain = check_text(card.text, "HTML")
    assert len(card.text) <= render.MAX_MESSAGE
    check_markup({"inline_keyboard": [[{"text": b.label, "callback_data": b.data} for b in row] for row in card.buttons]})
    return plain


@pytest.mark.parametrize("question", QUESTIONS)
def test_answer_cards_are_valid_telegram_html(fake_engine, question):
    answer = fake_engine.answer(question, k=5)
    for position in range(len(answer.hits) or 1):
        plain = _check_card(render.answer_card(answer, "abc123def0", position))
        if not answer.abstained:
            hit = answer.hits[position]
            assert hit.quote[:60] in plain or len(hit.quote) > render.PARAGRAPH_BUDGET
            assert hit.citation.short_title in plain


def test_abstained_card_says_so_and_lists_closest():
    para = Paragraph("d", 3, "Some unrelated clause about trade.", sentences=((0, 34),))
    hit = _hit(para)
    answer = Answer("poem about cats", (hit,), True)
    card = render.answer_card(answer, "k")
    plain = _check_card(card)
    assert plain.startswith(messages.NOTHING_FOUND)
    assert "Closest matches" in plain and "Some unrelated clause" in plain


def _hit(paragraph, start=0, end=None):
    from retrieval.types import Citation, Hit

    citation = Citation("d", "SCO Test Declaration", None, "Nowhere", "II", paragraph.number, "https://x.test/a?b=1&c=<2>")
    return Hit(1, 0.9, paragraph, start, end if end is not None else len(paragraph.text), citation, "Title")


def test_document_text_is_escaped():
    text = "States <b>must</b> & shall <script>alert('x')</script> act."
    para = Paragraph("d", 1, text, sentences=tuple(sentence_spans(text)))
    card = render.answer_card(Answer("q", (_hit(para),), False), "k")
    plain = _check_card(card)
    assert "<script>" in plain and "&lt;script&gt;" in card.text
    assert 'href="https://x.test/a?b=1&amp;c=&lt;2&gt;"' in card.text


def test_long_paragraph_is_trimmed_to_sentences_around_the_quote():
    sentences = [f"Sentence number {i} talks about cooperation in area {i} at some length." for i in range(300)]
    text = " ".join(sentences)
    para = Paragraph("d", 1, text, sentences=tuple(sentence_spans(text)))
    start = text.index("Sentence number 150 ")
    end = text.index(".", start) + 1
    html_text = render.excerpt(para, start, end)
    assert len(html_text) <= render.PARAGRAPH_BUDGET + 10
    assert "<b>Sentence number 150 talks" in html_text
    assert html_text.startswith(render.ELLIPSIS) and html_text.endswith(render.ELLIPSIS)
    visible_text(html_text)
    card = render.answer_card(Answer("q", (_hit(para, start, end),), False), "k")
    _check_card(card)


def test_a_quote_longer_than_a_message_is_cut():
    text = "word " * 3000
    para = Paragraph("d", 1, text.strip(), sentences=((0, len(text.strip())),))
    card = render.answer_card(Answer("q", (_hit(para),), False), "k")
    _check_card(card)


def test_split_blocks_never_exceeds_the_limit_or_splits_a_block():
    blocks = [f"<b>Block {i}</b> " + "x" * 900 for i in range(20)]
    messages = render.split_blocks(blocks)
    assert len(messages) > 1
    assert all(len(m) <= render.MAX_MESSAGE for m in messages)
    for m in messages:
        visible_text(m)
    assert "".join(messages).count("<b>Block") == 20


def test_docs_and_compare_messages(fake_engine):
    for text in render.docs_messages(fake_engine.documents):
        check_text(text, "HTML")
    answers = fake_engine.compare("missile defense")
    messages = render.compare_messages("missile <defense>", answers, {d.doc_id: d for d in fake_engine.documents})
    for text in messages:
        check_text(text, "HTML")
    assert "&lt;defense&gt;" in messages[0]


def test_inline_results_limits_and_help(fake_engine):
    answer = fake_engine.answer("security cooperation", k=50)
    results = render.inline_results(answer)
    assert 1 <= len(results) <= render.INLINE_RESULTS
    many = render.inline_results(answer, limit=500)
    assert len(many) <= render.MAX_INLINE_RESULTS
    for item in results:
        check_text(item["html"], "HTML")
        assert len(item["id"].encode()) <= 64
    assert render.inline_results(None)[0]["id"] == "help"


def test_callback_data_is_bounded():
    with pytest.raises(ValueError):
        buttons.Button("x", "m:" + "k" * 70)
    store = AnswerStore(capacity=3)
    keys = [store.put(Answer(str(i), (), True), 42, "private") for i in range(5)]
    assert len(set(keys)) == 5 and all(len(k) == 12 for k in keys)
    assert store.get(keys[0], 42) is None and store.get(keys[-1], 42).answer.question == "4"
    for key in keys:
        assert buttons.MORE_PATTERN.match(f"m:{key}:0") and len(f"v:{key}:999:1".encode()) <= 64


def test_answer_keys_are_random_and_bound_to_their_chat():
    store = AnswerStore()
    keys = [store.put(Answer("q", (), True), 7, "private") for _ in range(200)]
    assert len(set(keys)) == 200
    # no shared prefix or counter: knowing your own keys says nothing of the next one
    assert len({k[:4] for k in keys}) > 150
    assert store.get(keys[0], 7) is not None
    assert store.get(keys[0], 8) is None  # pressed from another chat: nothing
    assert store.get(keys[0], None) is None


def test_validator_rejects_what_telegram_rejects():
    for bad in ("<b>open", "<script>x</script>", "a < b", "x &nbsp; y", "<b><i>x</b></i>", "x" * 4097):
        with pytest.raises(ApiError):
            check_text(bad, "HTML")
    assert check_text("<b>ok</b> &amp; <a href=\"u\">l</a>", "HTML") == "ok & l"


def test_settings_validation():
    token = "123456:" + "A" * 35
    settings = BotSettings.from_env({"TELEGRAM_BOT_TOKEN": token, "QUOTEBOT_ADMIN_IDS": "1, 2",
                                     "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot"})
    assert settings.admin_ids == {1, 2} and settings.base_url == "http://127.0.0.1:9/bot"
    for env, message in [({}, "not set"), ({"TELEGRAM_BOT_TOKEN": "nope"}, "malformed"),
                         ({"TELEGRAM_BOT_TOKEN": token, "QUOTEBOT_ADMIN_IDS": "x"}, "QUOTEBOT_ADMIN_IDS"),
                         ({"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_BASE_URL": "ftp://x"}, "TELEGRAM_BASE_URL")]:
        with pytest.raises(SettingsError, match=message):
            BotSettings.from_env(env)


def test_feedback_round_trip_to_eval_format(fake_engine, tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    good = fake_engine.answer("missile defense", k=3)
    store.record(good, 1, True, "private")
    store.record(good, 0, False, "group")
    oos = dataclasses.replace(fake_engine.answer("poem about cats"), abstained=True)
    store.record(oos, 0, True, "private")
    items = to_eval_items(store.rows())
    assert [i["q"] for i in items] == ["missile defense", "missile defense", "poem about cats"]
    assert items[0]["gold"] == [good.hits[1].text[:80]]
    assert items[1]["kind"] == "feedback_rejected" and items[1]["rejected"]
    assert items[2]["gold"] == []
    columns = {c for row in store.rows() for c in row}
    assert not columns & {"user_id", "username", "chat_id"}  # no user identities


def test_allow_list_restricts_chats_and_users():
    from types import SimpleNamespace

    from bot.handlers import allowed

    def update(chat_id, user_id):
        return SimpleNamespace(effective_chat=SimpleNamespace(id=chat_id), effective_user=SimpleNamespace(id=user_id))

    def ids(allowed_chats):
        token = "123456:" + "A" * 35
        return BotSettings.from_env({"TELEGRAM_BOT_TOKEN": token, "QUOTEBOT_ALLOWED_CHATS": allowed_chats}).allowed_chats

    assert allowed(update(5, 5), ids(""))  # no list: everyone
    assert allowed(update(-100, 7), ids("-100"))  # the allowed group
    assert allowed(update(9, 7), ids("7"))  # an allowed user anywhere
    assert not allowed(update(9, 8), ids("-100, 7"))


@pytest.mark.parametrize("damage", ["directory", "corrupt"])
def test_a_feedback_database_that_cannot_be_used_is_one_clear_error(tmp_path, damage):
    from bot.feedback import FeedbackError

    path = tmp_path / "fb.sqlite3"
    if damage == "directory":
        path.mkdir()
    else:
        path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(FeedbackError, match="cannot use the feedback database"):
        FeedbackStore(path)


def test_a_vote_that_cannot_be_written_is_an_error_not_a_silence(tmp_path, fake_engine):
    import sqlite3

    from bot.feedback import FeedbackError

    store = FeedbackStore(tmp_path / "fb.sqlite3")
    store._db.close()  # the file went away under the bot: any write now fails
    store._db = sqlite3.connect(":memory:", check_same_thread=False)  # no table
    with pytest.raises(FeedbackError, match="cannot write"):
        store.record(fake_engine.answer("missile defense"), 0, True, "private")


def test_a_long_place_or_link_never_drops_the_citation():
    para = Paragraph("d", 3, "A clause about trade.", sentences=((0, 21),))
    hit = _hit(para)
    long = dataclasses.replace(hit, citation=dataclasses.replace(hit.citation, place="Far away " * 600,
                                                                  url="https://example.org/" + "x" * 5000))
    card = render.answer_card(Answer("q", (long,), False), "k")
    plain = _check_card(card)
    assert "A clause about trade." in plain and long.citation.short_title in plain and "¶3" in plain
    assert "example.org" not in card.text  # a link that long is left out, the citation stays
