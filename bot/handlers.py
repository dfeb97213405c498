"""Telegram handlers: thin — read text, ask the engine in a thread, render, send.

Who may use the bot is decided once, by `gate` (group -1), before any handler below runs.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import time

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import ApplicationHandlerStop

from bot import buttons, delivery, render, texts
from bot.feedback import FeedbackError
from bot.render import Card
from bot.state import Context
from retrieval.errors import EmptyQuestionError, QuoteBotError

log = logging.getLogger(__name__)

ANSWER_K = 5
INLINE_K = render.INLINE_RESULTS
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _markup(card: Card) -> InlineKeyboardMarkup | None:
    return None if not card.buttons else InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in card.buttons])


def allowed(update: Update, allowed_ids: frozenset[int]) -> bool:
    """Whether the update's chat or user is on the allow-list (an empty list allows everyone)."""
    if not allowed_ids:
        return True
    chat, user = update.effective_chat, update.effective_user
    return bool((chat and chat.id in allowed_ids) or (user and user.id in allowed_ids))


async def gate(update: Update, context: Context) -> None:
    """Group -1: stop updates from chats and users not on QUOTEBOT_ALLOWED_CHATS. A private chat
    is told the bot is private; a group is left in silence; buttons and inline queries get an
    answer, so no spinner waits forever."""
    settings = context.bot_data.settings
    if not settings.allowed_chats or allowed(update, settings.allowed_chats | settings.admin_ids):
        return
    if update.callback_query:
        await update.callback_query.answer(texts.PRIVATE_BOT, show_alert=True)
    elif update.inline_query:
        await update.inline_query.answer([], cache_time=10, is_personal=True)
    elif update.effective_message and update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
        await _reply(update.effective_message, texts.PRIVATE_BOT)
    raise ApplicationHandlerStop


async def _reply(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    """Reply in HTML; after an ambiguous failure, once more, marked and silent (bot.delivery)."""
    options = dict(parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=NO_PREVIEW,
                   do_quote=message.chat.type != ChatType.PRIVATE)
    try:
        return await message.reply_text(text, **options)
    except (NetworkError, TimedOut) as exc:
        if not delivery.ambiguous(exc):
            raise
        failure = exc
    for delay in delivery.resend_delays():  # marked and silent: a duplicate is recognisable
        log.warning("an answer may not have been delivered (%s); sending it again, marked", failure.__class__.__name__)
        await asyncio.sleep(delay)
        try:
            return await message.reply_text(render.fit(delivery.RESENT + text), disable_notification=True, **options)
        except (NetworkError, TimedOut) as exc:
            if not delivery.ambiguous(exc):
                raise
            failure = exc
    raise failure


async def answer_question(update: Update, context: Context, question: str) -> None:
    """Answer `question` with one message replying to the asking message."""
    message = update.effective_message
    if not question.strip():
        await _reply(message, texts.EMPTY_ASK)
        return
    started = time.perf_counter()
    state = context.bot_data
    try:
        answer = await state.batcher.answer(question, ANSWER_K)
    except EmptyQuestionError:
        await _reply(message, texts.NO_TOPIC)
        return
    except QuoteBotError as exc:
        await _reply(message, html.escape(str(exc), quote=False))
        return
    card = render.answer_card(answer, state.store.put(answer, message.chat.id, message.chat.type))
    await _reply(message, card.text, _markup(card))
    log.info("answered in %.0f ms (abstained=%s, chat=%s)", 1000 * (time.perf_counter() - started),
             answer.abstained, message.chat.type)


async def start(update: Update, context: Context) -> None:
    """/start and /help: what the bot does, with examples; an admin also reads the admin's part."""
    admin = update.effective_user is not None and update.effective_user.id in context.bot_data.settings.admin_ids
    await _reply(update.effective_message, render.help_text(context.bot.username, admin))


async def ask(update: Update, context: Context) -> None:
    """/ask QUESTION (also /ask@BotName in groups)."""
    await answer_question(update, context, " ".join(context.args or []))


async def docs(update: Update, context: Context) -> None:
    """/docs: the documents with dates."""
    for text in render.docs_messages(context.bot_data.engine.documents):
        await _reply(update.effective_message, text)


async def compare(update: Update, context: Context) -> None:
    """/compare TOPIC: the best clause on a topic from each declaration, oldest first."""
    topic = " ".join(context.args or [])
    message = update.effective_message
    if not topic.strip():
        await _reply(message, texts.EMPTY_COMPARE)
        return
    engine = context.bot_data.engine
    try:
        answers = await asyncio.to_thread(engine.compare, topic)
    except QuoteBotError as exc:
        await _reply(message, html.escape(str(exc), quote=False))
        return
    documents = {d.doc_id: d for d in engine.documents}
    for text in render.compare_messages(topic, answers, documents):
        await _reply(message, text)


async def about(update: Update, context: Context) -> None:
    """/about: corpus, model, index date and ranking settings."""
    await _reply(update.effective_message, render.about_text(context.bot_data.engine.about()))


async def reindex(update: Update, context: Context) -> None:
    """/reindex (admins only): rebuild; the old index answers until the new one is ready."""
    message, user, state = update.effective_message, update.effective_user, context.bot_data
    if not user or user.id not in state.settings.admin_ids:
        await _reply(message, texts.ADMINS_ONLY)
        return
    if state.reindex_lock.locked():
        await _reply(message, texts.REBUILD_RUNNING)
        return
    async with state.reindex_lock:
        await _reply(message, texts.REBUILD_STARTED)
        started = time.perf_counter()
        try:
            opened = await asyncio.to_thread(state.reopen, True)
        except QuoteBotError as exc:
            await _reply(message, texts.REBUILD_FAILED + html.escape(str(exc), quote=False))
            return
        state.engine = opened.engine
        manifest = opened.engine.index.manifest
        changes = manifest.get("changes", {})
        await _reply(message, texts.REBUILT.format(
            seconds=time.perf_counter() - started, documents=manifest["counts"]["documents"],
            paragraphs=manifest["counts"]["paragraphs"], added=len(changes.get("added", ())),
            changed=len(changes.get("changed", ())), removed=len(changes.get("removed", ())),
            encoded=changes.get("encoded", 0)))


def addressed_text(message: Message, bot_username: str, bot_id: int) -> str | None:
    """In a group: the question if the message is for the bot (mention or reply), else None."""
    text = message.text or ""
    mention = f"@{bot_username}".lower()
    if bot_username and mention in text.lower():
        start = text.lower().index(mention)
        return (text[:start] + text[start + len(mention):]).strip()
    reply = message.reply_to_message
    if reply and reply.from_user and reply.from_user.id == bot_id:
        return text
    return None


async def text_message(update: Update, context: Context) -> None:
    """Private chat: any text is a question. Groups: only mentions and replies to the bot."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    if message.chat.type == ChatType.PRIVATE:
        await answer_question(update, context, message.text)
        return
    question = addressed_text(message, context.bot.username, context.bot.id)
    if question is not None:  # else group chatter: stay silent
        await answer_question(update, context, question)


async def _edit(update: Update, card: Card) -> None:
    """Show `card` in place of the message whose button was pressed."""
    query = update.callback_query
    await query.answer()
    try:
        await query.edit_message_text(card.text, parse_mode=ParseMode.HTML, reply_markup=_markup(card),
                                      link_preview_options=NO_PREVIEW)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def _pressed(update: Update, context: Context, pattern: re.Pattern):
    """The press and its stored answer; None (the user told) when the answer has expired or
    belongs to another chat."""
    press = buttons.read(pattern.match(update.callback_query.data))
    chat = update.effective_chat
    stored = context.bot_data.store.get(press.key, chat.id if chat else None)
    if stored is None or press.position >= max(1, len(stored.answer.hits)):
        await update.callback_query.answer(texts.EXPIRED, show_alert=True)
        return None, None
    return press, stored


async def more_button(update: Update, context: Context) -> None:
    """More ▸ / ◂ Best match / ◂ Back: another match of the same answer, in the same message."""
    press, stored = await _pressed(update, context, buttons.MORE_PATTERN)
    if press:
        await _edit(update, render.answer_card(stored.answer, press.key, press.position))


async def context_button(update: Update, context: Context) -> None:
    """Context: the paragraphs around a match."""
    press, stored = await _pressed(update, context, buttons.CONTEXT_PATTERN)
    if not press:
        return
    if not stored.answer.hits:
        await update.callback_query.answer()
        return
    hit = stored.answer.hits[min(press.position, len(stored.answer.hits) - 1)]
    engine = context.bot_data.engine
    paragraphs = await asyncio.to_thread(engine.context, hit.citation.doc_id, hit.citation.paragraph, 1,
                                         hit.paragraph.lang)
    await _edit(update, render.context_card(paragraphs, hit, press.key, press.position))


async def vote_button(update: Update, context: Context) -> None:
    """👍 / 👎: stored as feedback."""
    press, stored = await _pressed(update, context, buttons.VOTE_PATTERN)
    if not press:
        return
    try:
        await asyncio.to_thread(context.bot_data.feedback.record, stored.answer, press.position, press.vote,
                                stored.chat_type)
    except FeedbackError:
        log.exception("a vote could not be stored")
        await update.callback_query.answer(texts.FEEDBACK_FAILED, show_alert=True)
        return
    await update.callback_query.answer(texts.THANKS)


async def stale_button(update: Update, context: Context) -> None:
    """Any other callback data (an old or forged button): answered, so no spinner waits."""
    await update.callback_query.answer(texts.EXPIRED, show_alert=True)


async def inline_query(update: Update, context: Context) -> None:
    """@BotName topic: up to 10 quote cards; an empty query offers a help card."""
    query = update.inline_query
    text = (query.query or "").strip()
    answer = None
    if text:
        try:
            answer = await context.bot_data.batcher.answer(text, INLINE_K)
        except QuoteBotError:
            answer = None
    results = [
        InlineQueryResultArticle(
            id=item["id"], title=item["title"], description=item.get("description"),
            input_message_content=InputTextMessageContent(item["html"], parse_mode=ParseMode.HTML,
                                                          link_preview_options=NO_PREVIEW),
        )
        for item in render.inline_results(answer)
    ]
    await query.answer(results[: render.MAX_INLINE_RESULTS], cache_time=60)


async def error_handler(update: object, context: Context) -> None:
    """Log the traceback; tell the user politely when there is someone to tell."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message and not update.callback_query:
        try:
            await update.effective_message.reply_text(texts.SORRY)
        except Exception:  # noqa: BLE001 - nothing more to do
            log.warning("could not send the error reply", exc_info=True)
