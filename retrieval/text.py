"""Text helpers: whitespace folding, sentence and clause spans, script detection, tokens."""

from __future__ import annotations

import re

from retrieval.lang import en, ru

WS = re.compile(r"\s+")
# Characters that are invisible or control characters: removed from user questions.
_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets), then space and
# an opening capital, digit, quote or bracket. Abbreviations are checked afterwards.
_SENT_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"“‘(\[]?[A-ZА-ЯЁ0-9])")
_ABBREV = en.ABBREVIATIONS | ru.ABBREVIATIONS
_CLAUSE_BREAK = re.compile(rf"[;:]\s+|,\s+(?=(?:{'|'.join(en.CLAUSE_OPENERS)})\b)")
LONG_SENTENCE = 420  # characters: longer sentences are cut into clauses for quoting


def fold(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return WS.sub(" ", text).strip()


def clean_user_text(text: str) -> str:
    """Remove control and zero-width characters, then fold whitespace."""
    return fold(_INVISIBLE.sub("", text or ""))


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the '.' at `dot` ends an abbreviation or an initial, not a sentence."""
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower()
    if not word:
        return False
    if word in _ABBREV:
        return True
    if len(word) == 1 and text[start].isupper():  # an initial: "K. Tokayev"
        return True
    if "." in word and all(len(part) <= 2 for part in word.split(".")):  # "K.K", "U.S"
        return True
    return False


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of `text`; together they cover every word."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENT_END.finditer(text):
        if text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        end = match.start() + len(match.group().rstrip())
        if text[start:end].strip():
            spans.append((start, end))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def clause_spans(text: str, start: int, end: int, limit: int = LONG_SENTENCE) -> list[tuple[int, int]]:
    """Cut a long sentence span into clause spans of at most about `limit` characters.

    Short sentences come back whole. Clauses break after ';' or ':' or before a coordinating
    word after a comma; pieces are merged back while they stay under the limit.
    """
    if end - start <= limit:
        return [(start, end)]
    cuts = [start]
    for match in _CLAUSE_BREAK.finditer(text, start, end):
        cuts.append(match.end())
    cuts.append(end)
    pieces = [(a, b) for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]
    merged: list[tuple[int, int]] = []
    for a, b in pieces:
        if merged and b - merged[-1][0] <= limit:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return [(a, a + len(text[a:b].rstrip(" ,;:"))) for a, b in merged]


_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[A-Za-z]")  # the ASCII letters


def script_of(text: str) -> str:
    """'ru' when Cyrillic letters dominate, 'en' when Latin ones do, '' when there are none."""
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if cyrillic == latin == 0:
        return ""
    return "ru" if cyrillic > latin else "en"
