"""Rendering answers as Telegram HTML: pure functions, no network.

Every piece of document or user text is escaped; only tags Telegram accepts are used
(b, i, a, blockquote); a message never exceeds MAX_MESSAGE characters and is only ever split
between whole blocks, never inside a tag; callback data stays within MAX_CALLBACK_BYTES.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from bot import buttons, texts
from bot.buttons import Button
from retrieval import messages
from retrieval.types import Answer, Document, Hit, Paragraph

MAX_MESSAGE = 4096
MAX_INLINE_RESULTS = 50
INLINE_RESULTS = 10
PARAGRAPH_BUDGET = 3000  # characters of escaped paragraph in one card
CLOSEST_QUOTE = 220
COMPARE_QUOTE = 260
ELLIPSIS = "…"
CITATION_PART = 120  # characters of a title, place or section in a citation line
MAX_URL = 1000  # a longer link is not shown


def esc(text: str) -> str:
    return html.escape(text or "", quote=False)


def esc_attr(text: str) -> str:
    return html.escape(text or "", quote=True)


def shorten(text: str, limit: int) -> str:
    """Cut plain text at a word boundary to at most `limit` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return (cut or text[: limit - 1]) + ELLIPSIS


@dataclass(frozen=True)
class Card:
    """One message: HTML text and rows of buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()


def excerpt(paragraph: Paragraph, start: int, end: int, budget: int = PARAGRAPH_BUDGET) -> str:
    """The paragraph as HTML with the quote in bold; long paragraphs are trimmed to whole
    sentences around the quote (never inside a tag), marked with an ellipsis."""
    text = paragraph.text
    quote = esc(text[start:end])
    if len(quote) > budget:
        return "<b>" + esc(shorten(text[start:end], budget)) + "</b>"
    spans = [s for s in paragraph.sentences] or [(0, len(text))]
    left, right = start, end
    before = [s for s in spans if s[1] <= start][::-1]
    after = [s for s in spans if s[0] >= end]
    used = len(quote)
    for a, b in _interleave(before, after):
        cost = len(esc(text[a:b])) + 1
        if used + cost > budget:
            break
        used += cost
        left, right = min(left, a), max(right, b)
    head = ELLIPSIS if text[:left].strip() else ""
    tail = ELLIPSIS if text[right:].strip() else ""
    return head + esc(text[left:start]) + "<b>" + quote + "</b>" + esc(text[end:right]) + tail


def _interleave(first: list, second: list) -> list:
    out = []
    for i in range(max(len(first), len(second))):
        out.extend(x[i] for x in (first, second) if i < len(x))
    return out


def citation_html(hit: Hit) -> str:
    """The citation line; a title or place too long for a message is shortened, a link too long
    for one is left out: the citation itself is always shown."""
    c = hit.citation
    parts = [f"<b>{esc(shorten(c.short_title, CITATION_PART))}</b>"]
    parts += [esc(shorten(x, CITATION_PART)) for x in (c.date_text(), c.place) if x]
    line = "— " + ", ".join(parts) + " · " + esc(shorten(str(c).rsplit(" — ", 1)[-1], CITATION_PART))
    if c.url and len(c.url) <= MAX_URL:
        line += f' · <a href="{esc_attr(c.url)}">source</a>'
    return line


def answer_card(answer: Answer, key: str, position: int = 0) -> Card:
    """The card for one answer: the hit at `position`, or the abstention with closest matches."""
    if answer.abstained or not answer.hits:
        return _abstained_card(answer, key)
    position = max(0, min(position, len(answer.hits) - 1))
    hit = answer.hits[position]
    lines = [
        "<blockquote>" + excerpt(hit.paragraph, hit.quote_start, hit.quote_end) + "</blockquote>",
        citation_html(hit),
    ]
    if len(answer.hits) > 1:
        lines.append(f"<i>Match {position + 1} of {len(answer.hits)}</i>")
    if answer.note:
        lines.append(f"<i>({esc(answer.note)})</i>")
    nav = []
    if position + 1 < len(answer.hits):
        nav.append(buttons.more("More ▸", key, position + 1))
    elif position > 0:
        nav.append(buttons.more("◂ Best match", key, 0))
    nav.append(buttons.context("Context", key, position))
    votes = (buttons.vote(key, position, True), buttons.vote(key, position, False))
    return Card(fit("\n".join(lines)), (tuple(nav), votes))


def _abstained_card(answer: Answer, key: str) -> Card:
    lines = [esc(messages.NOTHING_FOUND)]
    if answer.note:
        lines.append(f"<i>({esc(answer.note)})</i>")
    if answer.hits:
        lines.append("\n" + messages.CLOSEST_MATCHES_EXPLAINED)
        for hit in answer.hits[:3]:
            lines.append(f"• <i>{esc(str(hit.citation))}</i>: “{esc(shorten(hit.quote, CLOSEST_QUOTE))}”")
    votes = (buttons.vote(key, 0, True), buttons.vote(key, 0, False))
    return Card(fit("\n".join(lines)), (votes,))


def context_card(paragraphs: list[Paragraph], hit: Hit, key: str, position: int) -> Card:
    """The paragraphs around a hit, the hit's own paragraph marked."""
    budget = (MAX_MESSAGE - 400) // max(1, len(paragraphs))
    blocks = []
    for p in paragraphs:
        if p.number == hit.paragraph.number:
            body = excerpt(p, hit.quote_start, hit.quote_end, budget)
        else:
            body = esc(shorten(p.text, budget))
        blocks.append(f"<b>¶{p.number}</b> <blockquote>{body}</blockquote>")
    text = "\n".join(blocks) + "\n" + citation_html(hit)
    return Card(fit(text), ((buttons.more("◂ Back", key, position),),))


def fit(text: str, limit: int = MAX_MESSAGE) -> str:
    """Guarantee the limit: drop whole trailing lines (each line is balanced HTML)."""
    if len(text) <= limit:
        return text
    lines = text.split("\n")
    while lines and len("\n".join(lines)) + 2 > limit:
        lines.pop()
    return "\n".join(lines) + "\n" + ELLIPSIS


def split_blocks(blocks: list[str], limit: int = MAX_MESSAGE) -> list[str]:
    """Pack balanced HTML blocks into messages of at most `limit` characters, in order."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        block = fit(block, limit)
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
        else:
            messages.append(current)
            current = block
    if current:
        messages.append(current)
    return messages


def docs_messages(documents: list[Document]) -> list[str]:
    blocks = ["<b>Documents</b> (oldest first)"]
    for doc in documents:
        count = len(doc.body_paragraphs())
        when = doc.date.isoformat() if doc.date else "undated"
        line = f"• <b>{esc(doc.short_title)}</b> — {when}, {esc(doc.place or '—')}, {count} ¶ · <code>{esc(doc.doc_id)}</code>"
        if doc.url:
            line += f' · <a href="{esc_attr(doc.url)}">source</a>'
        blocks.append(line)
    return split_blocks(blocks)


def compare_messages(topic: str, answers: list[Answer], documents: dict[str, Document]) -> list[str]:
    blocks = [f"<b>How the declarations speak of “{esc(shorten(topic, 200))}”</b> (oldest first)"]
    for answer in answers:
        doc = documents[answer.filters.doc_ids[0]]
        if answer.abstained or not answer.hits:
            blocks.append(f"<i>{esc(doc.short_title)}, {doc.date or 'undated'}</i>: {messages.NOTHING_ON_TOPIC}.")
            continue
        hit = answer.hits[0]
        blocks.append(f"<i>{esc(str(hit.citation))}</i>\n“{esc(shorten(hit.quote, COMPARE_QUOTE))}”")
    return split_blocks(blocks)


def inline_results(answer: Answer | None, limit: int = INLINE_RESULTS) -> list[dict]:
    """Inline-mode cards as plain dicts (id, title, description, message HTML)."""
    if answer is None:
        return [{"id": "help", "title": texts.INLINE_HELP_TITLE, "description": texts.INLINE_HELP_DESCRIPTION,
                 "html": texts.INLINE_HELP}]
    results = []
    if answer.abstained:
        results.append({"id": "none", "title": messages.NOTHING_FOUND, "description": texts.INLINE_CLOSEST,
                        "html": esc(messages.NOTHING_FOUND)})
    for hit in answer.hits[: max(0, min(limit, MAX_INLINE_RESULTS) - len(results))]:
        results.append({
            "id": f"h{hit.rank}",
            "title": shorten((texts.CLOSEST_LABEL if answer.abstained else "") + str(hit.citation), 120),
            "description": shorten(hit.quote, 200),
            "html": fit(f"“{esc(shorten(hit.quote, 3000))}”\n{citation_html(hit)}"),
        })
    return results


def about_text(about: dict) -> str:
    """/about: corpus, model, index date and the ranking settings answers come from."""
    counts = about["counts"]
    span = f", {about['first_date']} to {about['last_date']}" if about["first_date"] else ""
    ranking = ", ".join(f"{k} {v}" for k, v in about["ranking"].items())
    return (
        f"<b>Corpus</b>: {about['documents']} documents{span}, {counts['paragraphs']} paragraphs indexed\n"
        f"<b>Model</b>: {esc(about['model_id'])} (dimension {about['dim']})\n"
        f"<b>Index built</b>: {esc(about['created_at'])}\n"
        f"<b>Ranking</b>: {esc(ranking)}\n"
        f"<b>Answers from</b> a calibrated confidence of {about['confidence']['threshold']}"
    )


def help_text(bot_username: str, admin: bool = False) -> str:
    return texts.HELP.format(bot=esc(bot_username or "bot")) + (texts.HELP_ADMIN if admin else "")


UPLOAD_TITLE = 300  # characters of an uploaded document's title in its preview
UPLOAD_FIRST = 1500  # characters of its first paragraph


def upload_paragraphs(doc: Document) -> int:
    """The paragraphs an uploaded document adds (counted as `quotebot add` counts them)."""
    return len(doc.body_paragraphs() or doc.body_paragraphs(None))


def upload_title(doc: Document) -> str:
    return esc(shorten(doc.title or doc.doc_id, UPLOAD_TITLE))


def _escaped_within(text: str, limit: int, budget: int) -> str:
    """`text` shortened to at most `limit` characters and escaped to at most `budget`."""
    while True:
        escaped = esc(shorten(text, limit))
        if len(escaped) <= budget or limit <= 1:
            return escaped
        limit = max(1, min(limit - 1, limit * budget // len(escaped)))


def upload_card(doc: Document, file_name: str, key: str) -> Card:
    """The preview of an uploaded document: what was parsed, with Add / Cancel; the first
    paragraph is cut to what one message holds."""
    body = doc.body_paragraphs() or doc.body_paragraphs(None)
    lines = [
        texts.UPLOAD_PREVIEW_HEAD,
        f"<b>Title:</b> {upload_title(doc)}",
        f"<b>Date:</b> {doc.date.isoformat() if doc.date else 'undated'}",
        f"<b>Place:</b> {esc(shorten(doc.place, CITATION_PART)) if doc.place else 'unknown'}",
        f"<b>Paragraphs:</b> {upload_paragraphs(doc)}",
        f"<b>Id:</b> <code>{esc(doc.doc_id)}</code> · <b>file:</b> <code>{esc(shorten(file_name, CITATION_PART))}</code>",
    ]
    budget = MAX_MESSAGE - len("\n".join(lines)) - len("\n<blockquote></blockquote>")
    lines.append(f"<blockquote>{_escaped_within(body[0].text if body else '', UPLOAD_FIRST, budget)}</blockquote>")
    row = (buttons.upload(texts.UPLOAD_ADD, key, True), buttons.upload(texts.UPLOAD_CANCEL, key, False))
    return Card(fit("\n".join(lines)), (row,))


def upload_added(doc: Document) -> str:
    return texts.UPLOAD_ADDED.format(title=upload_title(doc), paragraphs=upload_paragraphs(doc))
