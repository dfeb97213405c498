"""Who and when: questions that ask for a person or a date, and the paragraphs that give one.

"Who chaired the Bishkek summit?" is answered by "President of the Kyrgyz Republic Sooronbay
Jeenbekov chaired the meeting", not by the paragraph that describes the summit; "When was the
New Delhi summit?" by the one that says "on 4 July 2023". Like "which country ...?"
(retrieval.names), such questions give a small bonus to paragraphs of their answer's type, and
quote the sentence of that type.

A text names a person when a title of office ("Prime Minister of the Republic of Tajikistan",
"SCO Secretary-General") is followed by a run of capitalised words or initials ("Kokhir
Rasulzoda", "E. Sysoev") whose last word is a person's name in the corpus (`PersonNames`): rare,
never written in lower case. "Secretary-General of the United Nations" and "President of the
Russian Federation" end with a body's or a country's name, common in the corpus.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

import numpy as np

from retrieval.lang import en, en_names
from retrieval.tokens import stems

_PERSON_QUESTION = re.compile(rf"(?:{en.alternation(en_names.QUESTION_LEADS)})\s*(?P<who>{en_names.WHO})(?!\w)"
                              rf"|\b{en.alternation(en_names.PERSON_QUESTIONS)}(?!\w)", re.IGNORECASE)
SIGNING_STEMS = frozenset(stems(en.SIGNING_WORDS))  # found in every signature block (retrieval.scoring)
# "any signs of progress" is no signing
_SIGNING_QUESTION = re.compile(rf"\b(?!signs?\s+of\b){en.alternation(en.SIGNING_WORDS)}\b", re.IGNORECASE)
_DATE_QUESTION = re.compile(rf"\b{en.alternation(en_names.DATE_QUESTIONS)}(?!\w)", re.IGNORECASE)

_CAPITAL = r"(?:[A-Z]\.(?:[A-Z]\.)*|[A-Z](?=[\w’'\-]*[a-z])[\w’'\-]*)"  # "Rasulzoda", "S.M.", "DiCarlo"
_LINK = rf"(?:{en.alternation(en_names.TITLE_LINKS)}|[-–]|\(?[A-Z]{{2,}}\)?)"  # "of the", "(RATS)"
_TITLE = rf"\b{en.alternation(en_names.OFFICE_TITLES)}\b"
# A title, then its words up to the next title ("Secretary-General R. Alimov and Director of ...").
_TITLED = re.compile(rf"{_TITLE}((?:(?!\s+(?:and\s+)?{_TITLE})\s+(?:{_LINK}|{_CAPITAL}))+)")
_CAPITAL_TOKEN = re.compile(rf"{_CAPITAL}\Z")
_WORD = re.compile(r"[A-Z][\w’'\-]*")
_LOWER_WORD = re.compile(r"\b[a-z][a-z’'\-]*")
_POSSESSIVE = re.compile(r"['’]s?$")

_MONTH = en.alternation(en.MONTHS)
_DAY = rf"\d{{1,2}}{en.alternation(en_names.ORDINAL_SUFFIXES)}?"
_DATE = re.compile(rf"\b{_DAY}(?:\s*[-–\u0335]\s*{_DAY})?\s*(?:of\s+)?{_MONTH}\b|\b{_MONTH}\s+{_DAY}\b")

# A person's name is in at most this share of the paragraphs (at least RARE_MIN, at most RARE_MAX of
# them); one that is also an English word ("Ming", "Khan"; "Federation", "Committee") in RARE_MIN.
RARE_SHARE = 0.01
RARE_MIN = 2
RARE_MAX = 25


def asks_for_person(text: str) -> bool:
    """Whether the question asks who ("who chaired", "did Afghanistan send anyone"); not "those
    who finance terrorism", nor the WHO ("covid and WHO"; but "WHO chaired it?" and a question in
    capitals ask)."""
    return any(not _is_the_who(m, text) for m in _PERSON_QUESTION.finditer(text))


def _is_the_who(match: re.Match, text: str) -> bool:
    """The World Health Organization: "WHO" in capitals, not first, in a question not in capitals."""
    return match.group("who") == "WHO" and match.start("who") > 0 and text != text.upper()


def asks_for_date(text: str) -> bool:
    """Whether the question asks when ("when was the summit", "samarkand summit date")."""
    return bool(_DATE_QUESTION.search(text))


def asks_about_signing(text: str) -> bool:
    """Whether the question asks about signing ("who signed for Pakistan", "did he sign"): only
    such a question may be answered from a signature block (retrieval.scoring)."""
    return bool(_SIGNING_QUESTION.search(text))


def gives_date(text: str) -> bool:
    """Whether the text gives a day of a month ("on 4 July 2023", "July 4, 2023", "11-12 October")."""
    return bool(_DATE.search(text))


def titled_names(text: str) -> list[str]:
    """The last word of each run of capitalised words after a title of office that may be a
    person's name: a run of two or more ("... of the Republic of Tajikistan Kokhir Rasulzoda" ->
    "Rasulzoda"; "President Vladimir Putin of the Russian Federation" -> "Putin", "Federation"),
    or of one right after the title ("Prime Minister Modi")."""
    found = []
    for match in _TITLED.finditer(text):
        run: list[str] = []
        for position, token in enumerate([*match.group(1).split(), ""]):
            if _CAPITAL_TOKEN.match(token):
                run.append(token)
                continue
            if len(run) >= 2 or (run and position == len(run)):
                found.append(run[-1])
            run = []
    return found


class PersonNames:
    """The words of a corpus that are persons' names after a title: capitalised, rare (see
    RARE_SHARE), never written in lower case ("Board", "Council")."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.frequency = Counter(word for text in texts for word in {_bare(w) for w in _WORD.findall(text)})
        self.lower = {_bare(word) for text in texts for word in _LOWER_WORD.findall(text)}
        self.limit = max(RARE_MIN, min(RARE_MAX, RARE_SHARE * len(texts)))

    def is_name(self, word: str) -> bool:
        word = _bare(word)
        limit = RARE_MIN if word.lower() in en.english_words() else self.limit
        return self.frequency[word] <= limit and word.lower() not in self.lower

    def names_person(self, text: str) -> bool:
        """Whether `text` names a person after a title."""
        return any(self.is_name(word) for word in titled_names(text))

    def mask(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([self.names_person(text) for text in texts], dtype=bool)


def _bare(word: str) -> str:
    """`word` without a possessive ending ("Council’s" -> "Council")."""
    return _POSSESSIVE.sub("", word)


def person_mask(texts: Sequence[str]) -> np.ndarray:
    """Per text: names a person after a title, by the persons' names of `texts` themselves."""
    return PersonNames(texts).mask(texts)


def date_mask(texts: Sequence[str]) -> np.ndarray:
    """Per text: gives a day of a month."""
    return np.array([gives_date(text) for text in texts], dtype=bool)
