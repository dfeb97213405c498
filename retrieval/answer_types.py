"""Who and when: questions that ask for a person or a date, and the paragraphs that give one.

"Who chaired the Bishkek summit?" is answered by "President of the Kyrgyz Republic Sooronbay
Jeenbekov chaired the meeting", not by the paragraph that describes the summit; "When was the
New Delhi summit?" by the one that says "on 4 July 2023". Like "which country ...?"
(retrieval.names), such questions give a small bonus to paragraphs of their answer's type.

A paragraph names a person when a title of office ("Prime Minister of the Republic of
Tajikistan", "SCO Secretary-General") is followed by a run of two or more capitalised words or
initials ("Kokhir Rasulzoda", "E. Sysoev") whose last word is rare in the corpus: a name, not the
end of a body's name ("Secretary-General of the United Nations", "Chairman of the Council").
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

import numpy as np

from retrieval.lang import en

_PERSON_QUESTION = re.compile(rf"\b{en.alternation(en.PERSON_QUESTIONS)}(?!\w)", re.IGNORECASE)
_DATE_QUESTION = re.compile(rf"\b{en.alternation(en.DATE_QUESTIONS)}(?!\w)", re.IGNORECASE)

_CAPITAL = r"(?:[A-Z]\.(?:[A-Z]\.)*|[A-Z][\w’'\-]*[a-z][\w’'\-]*)"  # "Rasulzoda", "S.M.", "DiCarlo"
_LINK = r"(?:of|the|for|and|on|in|[-–]|\(?[A-Z]{2,}\)?)"  # inside a title: "of the", "(RATS)"
_TITLE = rf"\b{en.alternation(en.OFFICE_TITLES)}\b"
# A title, then its words up to the next title ("Secretary-General R. Alimov and Director of ...").
_TITLED = re.compile(rf"{_TITLE}((?:(?!\s+(?:and\s+)?{_TITLE})\s+(?:{_LINK}|{_CAPITAL}))+)")
_CAPITAL_TOKEN = re.compile(rf"{_CAPITAL}\Z")
_WORD = re.compile(r"[A-Z][\w’'\-]*")

_MONTH = en.alternation(en.MONTHS)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = re.compile(rf"\b{_DAY}(?:\s*[-–\u0335]\s*{_DAY})?\s*(?:of\s+)?{_MONTH}\b|\b{_MONTH}\s+{_DAY}\b")

# A person's name is in at most this share of the paragraphs (at least RARE_MIN of them).
RARE_SHARE = 0.01
RARE_MIN = 2


def asks_for_person(text: str) -> bool:
    """Whether the question asks who ("who chaired", "did Afghanistan send anyone")."""
    return bool(_PERSON_QUESTION.search(text))


def asks_for_date(text: str) -> bool:
    """Whether the question asks when ("when was the summit", "samarkand summit date")."""
    return bool(_DATE_QUESTION.search(text))


def gives_date(text: str) -> bool:
    """Whether the text gives a day of a month ("on 4 July 2023", "July 4, 2023", "11-12 October")."""
    return bool(_DATE.search(text))


def titled_names(text: str) -> list[str]:
    """The last word of each run of two or more capitalised words after a title of office
    ("Prime Minister of the Republic of Tajikistan Kokhir Rasulzoda" -> "Rasulzoda")."""
    found = []
    for match in _TITLED.finditer(text):
        tokens = match.group(1).split()
        while tokens and not _CAPITAL_TOKEN.match(tokens[-1]):
            tokens.pop()
        run = 0
        while run < len(tokens) and _CAPITAL_TOKEN.match(tokens[len(tokens) - 1 - run]):
            run += 1
        if run >= 2:
            found.append(tokens[-1])
    return found


def person_mask(texts: Sequence[str]) -> np.ndarray:
    """Per text: names a person after a title, the name's last word being rare among `texts`."""
    frequency = Counter(word for text in texts for word in set(_WORD.findall(text)))
    limit = max(RARE_MIN, RARE_SHARE * len(texts))
    return np.array([any(frequency[name] <= limit for name in titled_names(text)) for text in texts], dtype=bool)


def date_mask(texts: Sequence[str]) -> np.ndarray:
    """Per text: gives a day of a month."""
    return np.array([gives_date(text) for text in texts], dtype=bool)
