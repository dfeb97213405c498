"""Compound subjects: two topic words a question puts side by side that no paragraph has together.

"carbon market", "stock exchange", "emissions trading": pairs of words that name one thing (known
compounds, from the UN General Debate speeches). The corpus may use each word ("carbon",
"market") but never the two close together (`unused_pairs`), so a paragraph that has one of them is
about something else ("the market for farm produce"). Such a pair is a subject of the question when
it is close in meaning to the whole question (`subjects`), and the best paragraph grounds it only
with a phrase that means the same (`ungrounded`): one of its runs of 2 or 3 words around a word of
the pair, or around a word close to one, whose vector is close to the pair's ("vaccines against
COVID-19" for "covid vaccines"). A paragraph that has the pair's words but in other senses does not
ground it. Only the best paragraph is read, and only when it would be quoted: its phrases are
encoded then, at most 16 short strings per pair, in one batch for all the questions of a batch
(`PhraseVectors`).

The two thresholds (`RankingConfig.compound_aboutness`, `compound_floor`) were chosen on the spent
question files (docs/evaluation.md, "Compound subjects").
"""

from __future__ import annotations

import logging
from typing import Callable, Iterable, Mapping, Sequence, TypeVar

import numpy as np

from retrieval.lang import en
from retrieval.query import Run
from retrieval.tokens import stems, written_words

log = logging.getLogger(__name__)
T = TypeVar("T")

GRAM_SIZES = (2, 3)  # the lengths, in words, of the paragraph's phrases compared with a pair
MAX_GRAMS = 16  # phrases compared per pair at most: those around the pair's own words first
NEAR_WORD = 0.6  # a paragraph word this close to a word of the pair has phrases compared too


def is_compound(pair: Sequence[str]) -> bool:
    """Whether the two words are a known compound, in any of their forms (en.known_compounds: pairs
    the UN General Debate speeches use; "fight narcotics", "ww2 recognised" are none)."""
    found = stems(pair)
    return len(found) == 2 and " ".join(found) in en.known_compounds()


def unused_pairs(runs: Iterable[Run], together: Callable[[tuple[str, ...]], bool]) -> tuple[str, ...]:
    """The known compounds among the pairs of consecutive topic words ("carbon market") that no
    paragraph has close together (`together`, in any of their forms). Not in a name the question
    defines with its acronym, nor in a body's name opened by its head: those are checked as names
    (retrieval.grounding)."""
    found: list[str] = []
    for run in runs:
        if run.defined or run.head_first:
            continue
        for pair in zip(run.words, run.words[1:]):
            text = " ".join(pair)
            if text not in found and is_compound(pair) and not together(pair):
                found.append(text)
    return tuple(found)


def subjects(pairs: Sequence[str], question_vector: np.ndarray, vectors: Mapping[str, np.ndarray],
             min_aboutness: float) -> list[str]:
    """The pairs that carry the question's meaning: each close to the whole question."""
    return [p for p in pairs if float(vectors[p] @ question_vector) >= min_aboutness]


def phrases_around(tokens: Sequence[str], positions: Iterable[int], sizes: Sequence[int] = GRAM_SIZES,
                   limit: int = MAX_GRAMS) -> list[str]:
    """The runs of `sizes` words of `tokens` that hold one of `positions` (in the order given),
    each once, at most `limit`."""
    grams: dict[str, None] = {}
    for k in positions:
        for n in sizes:
            for i in range(max(0, k - n + 1), min(k, len(tokens) - n) + 1):
                grams.setdefault(" ".join(tokens[i:i + n]), None)
    return list(grams)[:limit]


def positions_near(words: Sequence[str], pair: str, word_vector: Callable[[str], np.ndarray | None]) -> list[int]:
    """The positions of `words` (lower case) that hold a word of `pair` in any form, then those whose
    word is close to one (`NEAR_WORD`); `word_vector` gives a word's vector, or None."""
    own = set(stems(pair.split()))
    targets = [v for v in (word_vector(w) for w in pair.split()) if v is not None]
    exact, near = [], []
    for i, word in enumerate(words):
        found = stems([word])
        if found and found[0] in own:
            exact.append(i)
            continue
        vector = word_vector(word) if targets and found else None
        if vector is not None and max(float(vector @ t) for t in targets) >= NEAR_WORD:
            near.append(i)
    return exact + near


def ungrounded(pairs: Sequence[str], text: str, vectors: Mapping[str, np.ndarray],
               word_vector: Callable[[str], np.ndarray | None], encode: Callable[[list[str]], np.ndarray],
               floor: float) -> list[str]:
    """The pairs that no phrase of `text` is close to (`floor`); the phrases of all pairs are
    encoded (`encode`) in one batch (rows of no width: not encoded yet, see PhraseVectors)."""
    tokens = written_words(text)
    lower = [t.lower() for t in tokens]
    grams = [phrases_around(tokens, positions_near(lower, p, word_vector)) for p in pairs]
    flat = [g for group in grams for g in group]
    encoded = encode(flat) if flat else np.zeros((0, 1), dtype=np.float32)
    missing, start = [], 0
    for pair, group in zip(pairs, grams):
        rows = encoded[start:start + len(group)]
        start += len(group)
        if not len(group) or not rows.shape[1] or float((rows @ vectors[pair]).max()) < floor:
            missing.append(pair)
    return missing


class PhraseVectors:
    """An encoder of phrases (`encode`) that remembers what it encoded. Deferred, it encodes
    nothing when asked: it notes the phrases it lacks (`pending`) and gives them no vectors (no
    phrase grounds anything), until `encode_pending` encodes them all in one batch; then the
    questions that asked are answered again (Engine._answer_batch)."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], deferred: bool = False) -> None:
        self._encode = encode
        self.deferred = deferred
        self._known: dict[str, np.ndarray] = {}
        self._wanted: dict[str, None] = {}
        self.deferrals = 0  # the calls answered without vectors (each question's answer is provisional)

    @property
    def pending(self) -> int:
        return len(self._wanted)

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._known]
        if missing and self.deferred:
            self._wanted.update(dict.fromkeys(missing))
            self.deferrals += 1
            return np.zeros((len(texts), 0), dtype=np.float32)  # no vector yet: grounds nothing
        if missing:
            self._remember(missing)
        return np.stack([self._known[t] for t in texts])

    def encode_pending(self) -> None:
        """Encode every phrase asked for so far, in one batch; answer from them from now on."""
        if self._wanted:
            self._remember(list(self._wanted))
        self._wanted.clear()
        self.deferred = False

    def _remember(self, texts: list[str]) -> None:
        self._known.update(zip(texts, self._encode(texts)))


def answered_in_batch(count: int, answer: Callable[[int, "PhraseVectors | None"], T], alone: Callable[[int], T],
                      encode: Callable[[list[str]], np.ndarray]) -> list[T]:
    """`answer` each of `count` questions, the phrases they need encoded in one batch: a first pass
    with deferred phrases, then the questions answered without some phrase are answered again.
    When that batch fails, they are answered each `alone` (their first answers are provisional)."""
    phrases: PhraseVectors | None = PhraseVectors(encode, deferred=True)
    answers, asked = [], []
    for i in range(count):
        before = phrases.deferrals
        answers.append(answer(i, phrases))
        if phrases.deferrals > before:
            asked.append(i)
    try:
        phrases.encode_pending()
    except Exception:  # noqa: BLE001 - those questions are answered each on its own
        log.exception("encoding the phrases of %d questions failed", len(asked))
        phrases = None
    for i in asked:
        answers[i] = answer(i, phrases) if phrases is not None else alone(i)
    return answers
