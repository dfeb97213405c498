"""Documents an admin sends to the bot in a private chat: previewed, then added or cancelled.

    file ─download (≤ 20 MB)─▶ preview (a temporary folder; the corpus untouched) ─▶ Add / Cancel
    Add: commit into the intake folder, then reopen the engine under `reindex_lock` (only the new
    document is encoded; the old engine answers meanwhile) and edit the preview: "Added: …".

A preview waits in `state.uploads` under a random key bound to the chat, for an hour; a press
takes it out, so a second press of Add does nothing. Its files are deleted whatever happens.
"""

from __future__ import annotations

import asyncio
import html
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot import buttons, render, texts
from bot.state import Context
from retrieval.errors import QuoteBotError
from retrieval.intake import Known, Staged, commit_checked, preview, safe_name
from retrieval.parsers import SUFFIXES
from retrieval.sources import ALIASES, TYPES

log = logging.getLogger(__name__)

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download
DOWNLOAD_TIMEOUT = 120  # seconds to read a file of up to 20 MB


@dataclass(frozen=True)
class Upload:
    """A previewed upload: its staging folder (deleted after Add, Cancel or expiry)."""

    staged: Staged
    workdir: Path


def discard(upload: Upload) -> None:
    shutil.rmtree(upload.workdir, ignore_errors=True)


def one_line(error: Exception) -> str:
    """An error for a chat: its first line, HTML-escaped."""
    text = str(error).strip().splitlines()
    return html.escape(text[0] if text else error.__class__.__name__, quote=False)


def upload_name(file_name: str | None, mime_type: str | None) -> str | None:
    """The name the upload is saved as (the sender's, made safe; or from its type); None when its
    format is not one QuoteBot reads."""
    suffix = Path(file_name or "").suffix.lower()
    suffix = ALIASES.get(suffix, suffix)
    if not suffix:
        suffix = TYPES.get((mime_type or "").split(";")[0].strip().lower(), "")
    if suffix not in SUFFIXES:
        return None
    stem = Path(file_name or "").stem or "document"
    return safe_name(stem + suffix)


def _markup(card: render.Card) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
                                 for row in card.buttons])


async def _say(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    return await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


def _is_admin(update: Update, context: Context) -> bool:
    user = update.effective_user
    return bool(user and user.id in context.bot_data.settings.admin_ids)


def _check(update: Update, context: Context) -> str | None:
    """Why the document in `update` is refused before any download; None if it may be fetched."""
    document = update.effective_message.document
    if not _is_admin(update, context):
        return texts.UPLOAD_ADMINS_ONLY
    if document.file_size and document.file_size > MAX_DOWNLOAD_BYTES:
        return texts.UPLOAD_TOO_LARGE.format(size=document.file_size / 1e6, limit=MAX_DOWNLOAD_BYTES // (1024 * 1024))
    if upload_name(document.file_name, document.mime_type) is None:
        what = Path(document.file_name or "").suffix or document.mime_type or "these"
        return texts.UPLOAD_UNSUPPORTED.format(what=html.escape(what, quote=False))
    return None


async def _stage(update: Update, context: Context, workdir: Path) -> Staged:
    """Download the document and preview it (in a thread). Raises QuoteBotError."""
    document, state = update.effective_message.document, context.bot_data
    name = upload_name(document.file_name, document.mime_type)
    folder = state.intake_folder()  # IntakeError when there is no folder to add to
    download = workdir / "download" / name
    download.parent.mkdir(parents=True)
    try:
        file = await document.get_file()  # Telegram refuses files over 20 MB ("file is too big")
        if file.file_size and file.file_size > MAX_DOWNLOAD_BYTES:
            raise QuoteBotError(f"{name}: larger than {MAX_DOWNLOAD_BYTES // (1024 * 1024)} MB")
        await file.download_to_drive(download, read_timeout=DOWNLOAD_TIMEOUT)
    except TelegramError as exc:
        raise QuoteBotError(f"{name}: could not be downloaded from Telegram ({exc.message})") from exc
    known = Known.of_documents(state.engine.documents, folder)
    source = " ".join((document.file_name or name).split())  # errors name the file as sent
    return await asyncio.to_thread(preview, download, workdir / "staged", known, source=source)


async def document_message(update: Update, context: Context) -> None:
    """A file in a private chat: admins get a preview with Add / Cancel; others a refusal."""
    message = update.effective_message
    refusal = _check(update, context)
    if refusal:
        await _say(message, refusal)
        return
    workdir = Path(tempfile.mkdtemp(prefix="quotebot-upload-"))
    try:
        staged = await _stage(update, context, workdir)
    except QuoteBotError as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        await _say(message, texts.UPLOAD_FAILED + one_line(exc))
        return
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    key = context.bot_data.uploads.put(Upload(staged, workdir), message.chat.id)
    card = render.upload_card(staged.document, staged.file.name, key)
    await _say(message, card.text, _markup(card))
    log.info("upload previewed: %s (%d paragraphs)", staged.document.doc_id, render.upload_paragraphs(staged.document))


async def _edit(update: Update, text: str) -> None:
    try:
        await update.callback_query.edit_message_text(text, parse_mode=ParseMode.HTML)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def _add(update: Update, context: Context, upload: Upload) -> str:
    """Commit, then reopen the engine (only the new document is encoded); on any failure the
    corpus is left as it was. Returns what the preview message is to say."""
    state, doc = context.bot_data, upload.staged.document
    await _edit(update, texts.UPLOAD_ADDING.format(title=render.upload_title(doc)))
    async with state.reindex_lock:  # after a /reindex or another Add running now
        try:
            filed = await asyncio.to_thread(commit_checked, upload.staged, state.intake_folder(), state.engine.documents)
        except QuoteBotError as exc:
            return texts.UPLOAD_FAILED + one_line(exc)
        try:
            opened = await asyncio.to_thread(state.reopen, False)
        except BaseException as exc:
            for path in filed.files:  # all or nothing: the corpus is as it was
                path.unlink(missing_ok=True)
            if not isinstance(exc, Exception):  # cancelled: the bot is stopping
                raise
            if not isinstance(exc, QuoteBotError):
                log.exception("the index could not be updated after an upload")
            return texts.UPLOAD_INDEX_FAILED + (one_line(exc) if isinstance(exc, QuoteBotError)
                                                else exc.__class__.__name__)
        state.engine = opened.engine
    log.info("upload added: %s as %s", doc.doc_id, filed.files[0])
    return render.upload_added(doc)


async def upload_button(update: Update, context: Context) -> None:
    """Add / Cancel under a preview; an expired, handled or foreign preview changes nothing."""
    query = update.callback_query
    press = buttons.read_upload(query.data)
    chat = update.effective_chat
    if press is None or not _is_admin(update, context):
        await query.answer(texts.UPLOAD_EXPIRED, show_alert=True)
        return
    upload = context.bot_data.uploads.take(press.key, chat.id if chat else None)
    if upload is None:
        await query.answer(texts.UPLOAD_EXPIRED, show_alert=True)
        return
    await query.answer()
    try:
        title = render.upload_title(upload.staged.document)
        outcome = await _add(update, context, upload) if press.add else texts.UPLOAD_CANCELLED.format(title=title)
    finally:
        discard(upload)  # before the message says how it ended
    await _edit(update, outcome)
