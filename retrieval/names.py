"""Which paragraphs name someone or something: the answer type of "which country ...?".

A question such as "Which new dialogue partner joined?" or "Which regions' unrest worries
them?" asks for a name. Its answer is in a paragraph that names a country, region or body
("welcome the participation of the Republic of Turkey ..."), not in one that speaks of dialogue
partners in general. Classic question answering calls this answer-type matching.

A name is a word the corpus writes capitalised in mid-sentence more often than in lower case
("Turkey", "Syrian", "Europe"; not "States" in "member States"), or an acronym ("CSTO"; not
"WMD", whose known expansion is a common noun: weapons of mass destruction). Names
found in a large share of the paragraphs are the corpus's own voice ("SCO", "Shanghai") and
answer no "which" question.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from retrieval.lang import en, en_names
from retrieval.tokens import stems

# A capitalised word after a lower-case word, a digit, a comma or a closing bracket: not the
# first word of a sentence. An acronym anywhere.
_MID_SENTENCE_CAPITAL = re.compile(r"(?<=[a-z0-9,;)]\s)[A-Z][a-z]+(?:-[A-Z]?[a-z]+)*\b")
_ACRONYM = re.compile(r"\b[A-Z]{2,}[0-9]?\b")
_LOWER = re.compile(r"\b[a-z][a-z]+(?:-[a-z]+)*\b")
_AUXILIARY = en.alternation(en.AUXILIARIES)
_ASKS_NAME = re.compile(
    rf"\b(?:which|what)\s+(?:of\s+(?:the\s+)?)?(?:(?!{_AUXILIARY}\b)[a-z][a-z\-]*\s+){{0,2}}?"
    rf"{en.alternation(en_names.NAME_NOUNS)}(?![\w-])",
    re.IGNORECASE,
)


def asks_for_name(text: str) -> bool:
    """Whether the question asks which country, region, body ... (not "what do states say")."""
    return bool(_ASKS_NAME.search(text))


class NameIndex:
    """The names of each paragraph, for the answer-type bonus."""

    def __init__(self, counts: np.ndarray, postings: dict[str, np.ndarray]) -> None:
        self.counts = counts  # distinct names per paragraph
        self.postings = postings  # lower-cased name -> paragraph positions
        self._stems: set[str] | None = None

    @classmethod
    def from_texts(cls, texts: Sequence[str], max_share: float, acronyms: dict[str, str]) -> "NameIndex":
        """Names of each paragraph; names in more than `max_share` of the paragraphs are left out.
        `acronyms` maps known acronyms to their expansions (lower-cased keys)."""
        common = {a for a, expansion in acronyms.items() if expansion[:1].islower()}
        capital: dict[str, int] = {}
        lower: dict[str, int] = {}
        found: list[set[str]] = []
        for text in texts:
            names = set()
            for word in _MID_SENTENCE_CAPITAL.findall(text):
                key = word.lower()
                capital[key] = capital.get(key, 0) + 1
                names.add(key)
            for word in _LOWER.findall(text):
                lower[word] = lower.get(word, 0) + 1
            shouted = {a.lower() for a in _ACRONYM.findall(text)} - common
            for acronym in shouted:
                capital[acronym] = capital.get(acronym, 0) + 1
            found.append(names | shouted)
        limit = max_share * len(texts)
        rows: dict[str, list[int]] = {}
        for position, names in enumerate(found):
            for name in names:
                if capital[name] > lower.get(name, 0) and name not in en.CALENDAR_WORDS:
                    rows.setdefault(name, []).append(position)
        postings = {name: np.array(p, dtype=np.int64) for name, p in rows.items() if len(p) <= limit}
        counts = np.zeros(len(texts), dtype=np.int32)
        for positions in postings.values():
            counts[positions] += 1
        return cls(counts, postings)

    def is_name(self, word: str) -> bool:
        """Whether the corpus writes `word`, in any form, as a name ("olympics": "Olympic")."""
        if self._stems is None:
            self._stems = set(stems(list(self.postings)))
        return bool(stems([word])) and stems([word])[0] in self._stems

    def naming(self, besides: set[str]) -> np.ndarray:
        """Per paragraph: names something other than the words in `besides` (the question's)."""
        counts = self.counts.copy()
        for word in besides:
            positions = self.postings.get(word)
            if positions is not None:
                counts[positions] -= 1
        return counts > 0
