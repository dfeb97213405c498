"""The buttons under an answer and their `callback_data`, written and read here only.

    m:KEY:POS      show match POS of the stored answer KEY (More ▸, ◂ Best match, ◂ Back)
    c:KEY:POS      the paragraphs around match POS (Context)
    v:KEY:POS:1|0  👍 / 👎 on match POS
    u:KEY:a|x      Add / Cancel under the preview of an uploaded document KEY (bot/uploads.py)

Telegram allows 64 bytes of callback data; a key is short and a position has at most 3 digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CALLBACK_BYTES = 64
MORE, CONTEXT, VOTE, UPLOAD = "m", "c", "v", "u"
_KEY = r"(?P<key>[A-Za-z0-9_-]{1,24})"
_POS = r"(?P<position>\d{1,3})"
MORE_PATTERN = re.compile(rf"^{MORE}:{_KEY}:{_POS}$")
CONTEXT_PATTERN = re.compile(rf"^{CONTEXT}:{_KEY}:{_POS}$")
VOTE_PATTERN = re.compile(rf"^{VOTE}:{_KEY}:{_POS}:(?P<vote>[01])$")
UPLOAD_PATTERN = re.compile(rf"^{UPLOAD}:{_KEY}:(?P<action>[ax])$")


@dataclass(frozen=True)
class Button:
    label: str
    data: str

    def __post_init__(self) -> None:
        if len(self.data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {self.data!r}")


@dataclass(frozen=True)
class Press:
    """A pressed button, read from its callback data."""

    key: str
    position: int
    vote: bool | None = None


def more(label: str, key: str, position: int) -> Button:
    return Button(label, f"{MORE}:{key}:{position}")


def context(label: str, key: str, position: int) -> Button:
    return Button(label, f"{CONTEXT}:{key}:{position}")


def vote(key: str, position: int, up: bool) -> Button:
    return Button("👍" if up else "👎", f"{VOTE}:{key}:{position}:{int(up)}")


def read(match: re.Match) -> Press:
    """The press a pattern above matched."""
    groups = match.groupdict()
    return Press(groups["key"], int(groups["position"]), groups["vote"] == "1" if "vote" in groups else None)


@dataclass(frozen=True)
class UploadPress:
    """Add (add=True) or Cancel pressed under the preview stored as `key`."""

    key: str
    add: bool


def upload(label: str, key: str, add: bool) -> Button:
    return Button(label, f"{UPLOAD}:{key}:{'a' if add else 'x'}")


def read_upload(data: str) -> UploadPress | None:
    """The upload press in `data`; None for any other callback data."""
    match = UPLOAD_PATTERN.match(data or "")
    return UploadPress(match["key"], match["action"] == "a") if match else None
