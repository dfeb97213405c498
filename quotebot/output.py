"""Plain-text output for people (the JSON output is the types' `to_json`)."""

from __future__ import annotations

from retrieval import messages
from retrieval.types import Answer, Document

ECHO_CHARS = 200  # text mode shows this much of a long question (JSON keeps it whole)


def mark(text: str, start: int, end: int, tty: bool) -> str:
    """`text` with `text[start:end]` in bold on a terminal, between ** otherwise."""
    left, right = ("\033[1m", "\033[0m") if tty else ("**", "**")
    return text[:start] + left + text[start:end] + right + text[end:]


def echo(question: str) -> str:
    question = " ".join(question.split())
    if len(question) <= ECHO_CHARS:
        return f"Q: {question}"
    return f"Q: {question[:ECHO_CHARS].rstrip()}… ({len(question)} characters)"


def format_answer(answer: Answer, tty: bool = False) -> str:
    lines = [echo(answer.question)]
    if answer.note:
        lines.append(f"({answer.note})")
    if answer.filters:
        lines.append(f"(searching only: {answer.filters.describe()})")
    if answer.abstained:
        lines.append(messages.NOTHING_FOUND)
        if answer.hits:
            lines.append(messages.CLOSEST_MATCHES)
    for hit in answer.hits:
        lines.append("")
        lines.append(f"{hit.rank}. {hit.citation}")
        if hit.citation.url:
            lines.append(f"   {hit.citation.url}")
        lines.append("   “" + mark(hit.text, hit.quote_start, hit.quote_end, tty) + "”")
    return "\n".join(lines)


def format_error(question: str, error: Exception) -> str:
    return f"{echo(question)}\nquotebot: error: {error}\n"


def format_compare(topic: str, answers: list[Answer], documents: dict[str, Document], tty: bool) -> str:
    lines = [f"How the documents speak of: {topic} (oldest first)"]
    for answer in answers:
        doc = documents[answer.filters.doc_ids[0]]
        lines.append("")
        if not answer.hits or answer.abstained:
            lines.append(f"— {doc.short_title} ({doc.date or 'undated'}): {messages.NOTHING_ON_TOPIC}")
            continue
        hit = answer.hits[0]
        lines.append(f"{hit.citation}")
        lines.append("   “" + mark(hit.quote, 0, len(hit.quote), tty) + "”")
    return "\n".join(lines)


def document_rows(documents: list[Document]) -> list[dict]:
    rows = []
    for doc in documents:
        body = doc.body_paragraphs(None)
        rows.append({
            "doc_id": doc.doc_id, "title": doc.title, "short_title": doc.short_title,
            "date": doc.date.isoformat() if doc.date else None, "place": doc.place,
            "paragraphs": len(doc.body_paragraphs()) or len(body), "languages": sorted({p.lang for p in body}),
            "url": doc.url, "source": doc.source_path,
        })
    return rows


def format_documents(rows: list[dict]) -> str:
    width = max(len(r["doc_id"]) for r in rows)
    lines = [f"{'id':<{width}}  {'date':<10}  {'place':<12}  {'¶':>4}  title"]
    for r in rows:
        others = [lang for lang in r["languages"] if lang != "en"]
        extra = f" [+{', '.join(others)}]" if len(r["languages"]) > 1 else ""
        lines.append(f"{r['doc_id']:<{width}}  {r['date'] or '—':<10}  {(r['place'] or '—'):<12}  "
                     f"{r['paragraphs']:>4}  {r['title']}{extra}")
    return "\n".join(lines)


def format_about(about: dict) -> str:
    counts = about["counts"]
    span = f", {about['first_date']} to {about['last_date']}" if about["first_date"] else ""
    lines = [
        f"corpus: {about['documents']} documents{span}, {counts['paragraphs']} paragraphs indexed, "
        f"{counts['vectors']} vectors",
        f"model: {about['model_id']} (dimension {about['dim']})",
        f"index: {about['index']} (built {about['created_at']})",
        "ranking: " + ", ".join(f"{k}={v}" for k, v in about["ranking"].items()),
        f"confidence: logistic model over {', '.join(about['confidence']['features'])}; answers from "
        f"probability {about['confidence']['threshold']}",
    ]
    return "\n".join(lines)


def format_changes(changes: dict) -> str:
    """What a build changed: "added 1 (2022-samarkand-declaration), changed 0, removed 0,
    unchanged 12; vectors reused for 12 documents, encoded for 1 document"."""
    def listed(name):
        ids = changes[name]
        return f"{name} {len(ids)}" + (f" ({', '.join(ids[:5])}{', …' if len(ids) > 5 else ''})" if ids else "")

    return (f"{listed('added')}, {listed('changed')}, {listed('removed')}, unchanged {changes['unchanged']}; "
            f"vectors reused for {_documents(changes['reused'])}, encoded for {_documents(changes['encoded'])}")


def _documents(n: int) -> str:
    return f"{n} document{'' if n == 1 else 's'}"


FIRST_PARAGRAPH_CHARS = 300  # how much of an added document's first paragraph is shown


def format_added(doc: Document, files) -> str:
    """What `quotebot add` added: id, title, date, place, paragraph count, the first paragraph."""
    body = doc.body_paragraphs() or doc.body_paragraphs(None)
    first = body[0].text if body else ""
    if len(first) > FIRST_PARAGRAPH_CHARS:
        first = first[:FIRST_PARAGRAPH_CHARS].rstrip() + "…"
    return "\n".join([
        f"added {doc.doc_id}: {doc.title}",
        f"  {doc.date.isoformat() if doc.date else 'undated'}, {doc.place or 'no place'}, {len(body)} paragraphs",
        f"  ¶1 “{first}”",
        "  " + ", ".join(str(p) for p in files),
    ])
