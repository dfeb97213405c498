"""Stage 1 of reading a question: the text a user typed, without chat noise."""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.lang import en
from retrieval.text import clean_user_text
from retrieval.tokens import stems, words

MAX_QUESTION_CHARS = 1000  # longer questions are cut here (the user is told)
_MENTION = re.compile(r"(?<!\w)@\w+")
_SLASH_COMMAND = re.compile(r"^/\w+(?:@\w+)?\s*")
_CHAT_OPENER = re.compile(rf"^(?:(?:{'|'.join(en.CHAT_OPENERS)})\b[\s,!.:;\-]*)+", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“”„«»]([^\"“”„«»]{2,200})[\"“”„«»]|(?<!\w)['‘]([^'‘’]{2,200})['’](?!\w)")


@dataclass(frozen=True)
class Normalised:
    text: str  # cleaned: no control characters, command, @mentions or chat opener
    truncated: bool  # the question was longer than MAX_QUESTION_CHARS
    phrases: tuple[str, ...]  # words in quotation marks, folded (see `quoted_phrases`)


def normalise(question: str) -> Normalised:
    """Remove control and zero-width characters, a leading /command, @mentions and chat openers
    ("hey bot, ..."); cut to MAX_QUESTION_CHARS; find the phrases in quotation marks."""
    text = clean_user_text(question)
    truncated = len(text) > MAX_QUESTION_CHARS
    text = _SLASH_COMMAND.sub("", text[:MAX_QUESTION_CHARS])
    text = _CHAT_OPENER.sub("", _MENTION.sub(" ", text).strip())
    return Normalised(text, truncated, quoted_phrases(text))


def quoted_phrases(text: str) -> tuple[str, ...]:
    """The phrases in quotation marks ("indivisible security", “Shanghai Spirit”), folded; none
    of stopwords alone ("the"), which every paragraph has."""
    found = []
    for match in _QUOTED.finditer(text):
        tokens = words(match.group(1) or match.group(2))
        phrase = " ".join(tokens)
        if stems(tokens) and phrase not in found:
            found.append(phrase)
    return tuple(found)
