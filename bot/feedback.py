"""👍/👎 feedback in SQLite (question, shown passages, vote, chat type; no user identities),
and its export in the eval question format."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
import threading
from pathlib import Path

from retrieval.errors import QuoteBotError
from retrieval.types import Answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (0, 1)),
    position INTEGER NOT NULL,
    abstained INTEGER NOT NULL,
    chat_type TEXT NOT NULL,
    passages TEXT NOT NULL
)
"""
GOLD_CHARS = 80  # a gold substring: the start of the voted paragraph


class FeedbackError(QuoteBotError):
    """The feedback database cannot be opened or written."""


class FeedbackStore:
    """Votes in SQLite. Opening checks the database can be written: a directory, a corrupt or a
    read-only file is one clear error at start, not a vote lost later."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), check_same_thread=False)
            self._db.execute(SCHEMA)
            self._db.commit()
            self._db.execute("BEGIN IMMEDIATE")  # takes the write lock: fails when read-only
            self._db.rollback()
        except (sqlite3.Error, OSError) as exc:
            raise FeedbackError(f"cannot use the feedback database {self.path}: {exc}") from exc

    def record(self, answer: Answer, position: int, vote: bool, chat_type: str) -> None:
        passages = [
            {"doc_id": h.citation.doc_id, "paragraph": h.citation.paragraph, "citation": str(h.citation),
             "text": h.text, "quote": h.quote}
            for h in answer.hits
        ]
        row = (dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), answer.question, int(vote),
               position, int(answer.abstained), chat_type, json.dumps(passages, ensure_ascii=False))
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO feedback (created_at, question, vote, position, abstained, chat_type, passages) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", row)
                self._db.commit()
            except sqlite3.Error as exc:
                raise FeedbackError(f"cannot write to the feedback database {self.path}: {exc}") from exc

    def rows(self) -> list[dict]:
        with self._lock:
            cursor = self._db.execute(
                "SELECT id, created_at, question, vote, position, abstained, chat_type, passages FROM feedback ORDER BY id")
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, r)) for r in cursor.fetchall()]

    def close(self) -> None:
        with self._lock:
            self._db.close()


def to_eval_items(rows: list[dict]) -> list[dict]:
    """Eval questions: a 👍 on a shown passage makes it gold; a 👍 on an abstention marks the
    question out of scope; a 👎 is exported for review with the passages it rejected."""
    items = []
    for row in rows:
        passages = json.loads(row["passages"])
        item = {"id": f"fb{row['id']}", "kind": "feedback", "q": row["question"]}
        if row["vote"] and row["abstained"]:
            item["gold"] = []
        elif row["vote"] and passages:
            shown = passages[min(row["position"], len(passages) - 1)]
            item.update(gold=[shown["text"][:GOLD_CHARS]], quote=shown["quote"][:GOLD_CHARS])
        else:
            item.update(kind="feedback_rejected", gold=[], rejected=[p["text"][:GOLD_CHARS] for p in passages],
                        review="a 👎: fill in gold before using this line")
        items.append(item)
    return items


def export_feedback(target: str, db: str | None = None) -> int:
    """`quotebot feedback --export FILE.jsonl [--db PATH]`: write the feedback as eval questions
    ("-": stdout); returns how many."""
    import os

    from bot.settings import ENV_FEEDBACK_DB, default_feedback_db

    path = Path(db or os.environ.get(ENV_FEEDBACK_DB) or default_feedback_db()).expanduser()
    if not path.exists():
        raise QuoteBotError(f"no feedback database at {path}")
    store = FeedbackStore(path)
    items = to_eval_items(store.rows())
    store.close()
    lines = "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items)
    if target == "-":
        sys.stdout.write(lines)
    else:
        Path(target).write_text(lines, "utf-8")
    return len(items)
