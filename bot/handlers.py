"""Telegram handlers: thin — read text, ask the engine in a thread, render, send."""

from __future__ import annotations

import asyncio
import html
import logging
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
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import render
from bot.render import Card
from retrieval.errors import EmptyQuestionError, QuoteBotError
from retrieval.types import Answer

log = logging.getLogger(__name__)

ANSWER_K = 5
INLINE_K = render.INLINE_RESULTS
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
EMPTY_ASK = "Ask me about a topic, for example: <code>/ask missile defense</code>"
PRIVATE_BOT = "This QuoteBot is private."


def _markup(card: Card) -> InlineKeyboardMarkup | None:
    if not card.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in card.buttons])


def _allowed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    allowed = context.bot_data["settings"].allowed_chats
    if not allowed:
        return True
    chat = update.effective_chat
    user = update.effective_user
    return bool((chat and chat.id in allowed) or (user and user.id in allowed))


async def _engine_answer(context: ContextTypes.DEFAULT_TYPE, question: str, k: int) -> Answer:
    """The engine's answer, batched with questions that arrive at the same time."""
    return await context.bot_data["batcher"].answer(question, k)


async def _reply(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    return await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup,
                                    link_preview_options=NO_PREVIEW, do_quote=message.chat.type != ChatType.PRIVATE)


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """Answer `question` with one message replying to the asking message."""
    message = update.effective_message
    if not question.strip():
        await _reply(message, EMPTY_ASK)
        return
    started = time.perf_counter()
    try:
        answer = await _engine_answer(context, question, ANSWER_K)
    except EmptyQuestionError:
        await _reply(message, "I could not find a topic in that. " + EMPTY_ASK)
        return
    except QuoteBotError as exc:
        await _reply(message, html.escape(str(exc), quote=False))
        return
    key = context.bot_data["store"].put(answer, message.chat.type)
    card = render.answer_card(answer, key)
    await _reply(message, card.text, _markup(card))
    log.info("answered in %.0f ms (abstained=%s, chat=%s)", 1000 * (time.perf_counter() - started),
             answer.abstained, message.chat.type)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start and /help: what the bot does, with examples."""
    if not _allowed(update, context):
        await _reply(update.effective_message, PRIVATE_BOT)
        return
    await _reply(update.effective_message, render.help_text(context.bot.username))


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask QUESTION (also /ask@BotName in groups)."""
    if not _allowed(update, context):
        return
    await answer_question(update, context, " ".join(context.args or []))


async def docs(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/docs: the documents with dates."""
    if not _allowed(update, context):
        return
    for text in render.docs_messages(context.bot_data["engine"].documents):
        await _reply(update.effective_message, text)


async def compare(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/compare TOPIC: the best clause on a topic from each declaration, oldest first."""
    if not _allowed(update, context):
        return
    topic = " ".join(context.args or [])
    message = update.effective_message
    if not topic.strip():
        await _reply(message, "Name a topic, for example: <code>/compare missile defense</code>")
        return
    engine = context.bot_data["engine"]
    try:
        answers = await asyncio.to_thread(engine.compare, topic)
    except QuoteBotError as exc:
        await _reply(message, html.escape(str(exc), quote=False))
        return
    documents = {d.doc_id: d for d in engine.documents}
    for text in render.compare_messages(topic, answers, documents):
        await _reply(message, text)


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/about: corpus, model and index date."""
    if not _allowed(update, context):
        return
    engine = context.bot_data["engine"]
    manifest = engine.index.manifest
    dates = [d.date for d in engine.documents if d.date]
    counts = manifest["counts"]
    text = (
        f"<b>Corpus</b>: {len(engine.documents)} documents"
        + (f", {min(dates)} to {max(dates)}" if dates else "")
        + f", {counts['paragraphs']} paragraphs indexed\n"
        f"<b>Model</b>: {render.esc(manifest['model_id'])} (dimension {manifest['dim']})\n"
        f"<b>Index built</b>: {render.esc(manifest['created_at'])}"
    )
    await _reply(update.effective_message, text)


async def reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reindex (admins only): rebuild; the old index answers until the new one is ready."""
    message = update.effective_message
    user = update.effective_user
    if not user or user.id not in context.bot_data["settings"].admin_ids:
        await _reply(message, "Only the bot's admins can rebuild the index.")
        return
    lock: asyncio.Lock = context.bot_data["reindex_lock"]
    if lock.locked():
        await _reply(message, "A rebuild is already running.")
        return
    async with lock:
        await _reply(message, "Rebuilding the index; I keep answering from the current one meanwhile.")
        started = time.perf_counter()
        try:
            opened = await asyncio.to_thread(context.bot_data["open_engine"], True)
        except QuoteBotError as exc:
            await _reply(message, "The rebuild failed: " + html.escape(str(exc), quote=False))
            return
        context.bot_data["engine"] = opened.engine
        counts = opened.engine.index.manifest["counts"]
        await _reply(message, f"Index rebuilt in {time.perf_counter() - started:.0f} s: "
                              f"{counts['documents']} documents, {counts['paragraphs']} paragraphs.")


def _addressed_text(message: Message, bot_username: str, bot_id: int) -> str | None:
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


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Private chat: any text is a question. Groups: only mentions and replies to the bot."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    if message.chat.type == ChatType.PRIVATE:
        if not _allowed(update, context):
            await _reply(message, PRIVATE_BOT)
            return
        await answer_question(update, context, message.text)
        return
    question = _addressed_text(message, context.bot.username, context.bot.id)
    if question is None or not _allowed(update, context):
        return  # group chatter: stay silent
    await answer_question(update, context, question)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """More / Context / Back edit the same message; 👍/👎 record feedback."""
    query = update.callback_query
    parts = (query.data or "").split(":")
    stored = context.bot_data["store"].get(parts[1]) if len(parts) >= 3 else None
    if stored is None:
        await query.answer("This answer has expired; please ask again.", show_alert=True)
        return
    try:
        position = int(parts[2])
    except ValueError:
        await query.answer()
        return
    answer = stored.answer
    if parts[0] == "v" and len(parts) == 4:
        await asyncio.to_thread(context.bot_data["feedback"].record, answer, position, parts[3] == "1", stored.chat_type)
        await query.answer("Thanks for the feedback!")
        return
    if parts[0] == "m":
        card = render.answer_card(answer, parts[1], position)
    elif parts[0] == "c" and answer.hits:
        hit = answer.hits[min(position, len(answer.hits) - 1)]
        engine = context.bot_data["engine"]
        paragraphs = await asyncio.to_thread(engine.context, hit.citation.doc_id, hit.citation.paragraph, 1, hit.paragraph.lang)
        card = render.context_card(paragraphs, hit, parts[1], position)
    else:
        await query.answer()
        return
    await query.answer()
    try:
        await query.edit_message_text(card.text, parse_mode=ParseMode.HTML, reply_markup=_markup(card),
                                      link_preview_options=NO_PREVIEW)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@BotName topic: up to 10 quote cards; an empty query offers a help card."""
    query = update.inline_query
    if not _allowed(update, context):
        await query.answer([], cache_time=10, is_personal=True)
        return
    text = (query.query or "").strip()
    answer = None
    if text:
        try:
            answer = await _engine_answer(context, text, INLINE_K)
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


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the traceback; tell the user politely when there is someone to tell."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message and not update.callback_query:
        try:
            await update.effective_message.reply_text("Sorry, something went wrong on my side. Please try again.")
        except Exception:  # noqa: BLE001 - nothing more to do
            log.warning("could not send the error reply", exc_info=True)
