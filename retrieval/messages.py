"""What QuoteBot tells its users, in one place: the abstention, the notes that say why, and the
errors of a question. The command line and the Telegram bot both show these."""

from __future__ import annotations

from typing import Iterable

NOTHING_FOUND = "No clause in these declarations answers that."
CLOSEST_MATCHES = "Closest matches:"
CLOSEST_MATCHES_EXPLAINED = "Closest matches (they do not answer the question):"
NOTHING_ON_TOPIC = "nothing on this topic"

EMPTY_QUESTION = "the question is empty: ask about a topic, e.g. “missile defense”"
NO_TOPIC = "the question names no topic: ask about one, e.g. “missile defense”"
DOCUMENTS_BUT_NO_TOPIC = "the question names documents but no topic: ask about a topic too"
INTERNAL_ERROR = "this question could not be answered (an internal error, logged); the others were"
NOT_TEXT = "the question holds characters that are not valid text (broken UTF-8?): please type it again"


def _quoted(items: Iterable[str]) -> str:
    return ", ".join(f"“{item}”" for item in items)


NOTE_WORD_CHARS = 40  # a longer word is cut in notes (a question may be one word of 1,000 characters)


def _shown(names: Iterable[str]) -> str:
    return ", ".join(n if len(n) <= NOTE_WORD_CHARS else n[: NOTE_WORD_CHARS - 1] + "…" for n in names)


def never_mentioned(names: Iterable[str]) -> str:
    return f"the declarations never mention {_shown(names)}"


def only_signatory(names: Iterable[str]) -> str:
    return f"the declarations name {_shown(names)} only among their signatories (ask who signed)"


def not_in_scope(words: Iterable[str]) -> str:
    return "no paragraph searched mentions " + _quoted(words)


def never_used(phrases: Iterable[str]) -> str:
    return "the declarations never use the words " + _quoted(phrases)


def never_together(pairs: Iterable[str]) -> str:
    return "the declarations never use the words " + _quoted(pairs) + " together"


def no_exact_words(phrases: Iterable[str]) -> str:
    return "no paragraph searched has the exact words " + _quoted(phrases)


def question_cut(limit: int) -> str:
    return f"the question was cut to its first {limit} characters"


def no_document_matches(filters_described: str) -> str:
    return f"no document matches {filters_described}"


def phrase_elsewhere(phrases: Iterable[str], asked: str, searched: str) -> str:
    return f"the exact words {_quoted(phrases)} are in no document asked for ({asked}): searched {searched or 'all documents'}"


SCRIPT_NAMES = {"ru": "Russian"}


def other_script(script: str) -> str:
    return (f"the question is in {SCRIPT_NAMES.get(script, script)}, and the index holds the English text only: "
            "ask in English")


def widened(asked: str, searched: str) -> str:
    return f"no document matches {asked}: searched {searched or 'all documents'}"


def join_notes(*notes: str | None) -> str | None:
    """The notes that are set, in one line."""
    return "; ".join(n for n in notes if n) or None
