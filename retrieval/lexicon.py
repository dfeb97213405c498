"""The corpus vocabulary: corrects misspelt question words, knows other forms of a word and what
an acronym stands for, and in how many paragraphs each stem occurs (for IDF weights)."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from typing import Iterable, Sequence

from retrieval.lang import en
from retrieval.memo import Memo
from retrieval.tokens import stems, words

MIN_CORRECTABLE = 4
# One edit at most. On every question file (eval/, 2026-11-28), all 17 corrections at distance 2
# were wrong ("tedros" -> "terror", "sendai" -> "serdar", "interpol" -> "internal"); so were 7 of
# the 8 one-letter substitutions or cut endings in words of MAX_SHORT letters or fewer ("gavi" ->
# "gave", "raisi" -> "raise", "carec" -> "care"), while their dropped or swapped letters were
# typos ("acess", "syira"): a short word is corrected only for those (`is_slip`).
MAX_SHORT = 5
MAX_CACHED_CORRECTIONS = 20_000
MIN_FAMILY_STEM = 5
MIN_COMPOUND_PREFIX = 5  # an absent word this long may begin the corpus's compounds ("cyber": cyberspace)
MAX_COMPOUNDS = 12
NUMBERED = re.compile(r"([a-z]{2,})([1-9]\d{0,2})")  # "cop24": an acronym and a number
MIN_DERIVED_PREFIX = 7  # a stem this long begins its derived words too ("parliaments": parliamentary)
_ABBREVIATION = re.compile(r"\s\(([A-Z]{2,7})\)")
_NAME_WORD = re.compile(r"[A-Za-z\-]+")
MAX_NAME_WORDS = 10  # a long name of up to ten words before "(ABBR)"
_LOOK_BACK = 400  # characters before "(ABBR)" searched for its long name: linear in the text


def slips_mended(word: str) -> set[str]:
    """Every `candidate` for which is_slip(word, candidate): `word` with a letter put back, a
    doubled letter made single, or two neighbouring letters swapped."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    found = {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in letters}
    found |= {word[:i] + word[i + 1:] for i in range(len(word) - 1) if word[i] == word[i + 1]}
    found |= {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
    return found - {word}


def is_slip(word: str, candidate: str) -> bool:
    """`candidate` is `word` with a letter put back ("acess" -> "access"), a doubled letter made
    single ("iraan" -> "iran") or two neighbouring letters swapped back ("syira" -> "syria")."""
    if len(candidate) == len(word) + 1:
        return any(candidate[:i] + candidate[i + 1:] == word for i in range(len(candidate)))
    if len(candidate) == len(word) - 1:
        return any(word[i] == word[i + 1] and word[:i] + word[i + 1:] == candidate for i in range(len(word) - 1))
    return len(candidate) == len(word) and any(
        word[:i] + word[i + 1] + word[i] + word[i + 2:] == candidate for i in range(len(word) - 1))


_DOCTRINE = re.compile(rf"^(?P<base>[a-z]{{4,}})(?:{'|'.join(en.DOCTRINE_ENDINGS)})$")


def defined_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Acronyms the texts define as 'Long Name (ABBR)': the long name is the run of two to ten
    words before the brackets, from the first one written with a capital. Each definition is read
    from a bounded window before it, so the cost is linear in the text, whatever its words."""
    found: dict[str, str] = {}
    for text in texts:
        for match in _ABBREVIATION.finditer(text):
            long_name = _long_name(text[max(0, match.start() - _LOOK_BACK):match.start()])
            if long_name:
                found.setdefault(match.group(1).lower(), long_name)
    return found


def _long_name(before: str) -> str | None:
    """The long name that ends `before` (see `defined_acronyms`)."""
    tail: list[str] = []
    for token in reversed(before.split()):
        if len(tail) == MAX_NAME_WORDS or not _NAME_WORD.fullmatch(token):
            break
        tail.insert(0, token)
    for start in range(len(tail) - 1):
        if tail[start][:1].isupper():
            return " ".join(tail[start:])
    return None


def family_stems(stem: str) -> list[str]:
    """Stems of the noun or verb of the same family ("admiss" -> "admit")."""
    if len(stem) < MIN_FAMILY_STEM or stem in en.FAMILY_EXCEPTIONS:
        return []
    related = []
    for noun, verb in en.FAMILY_ENDINGS:
        for a, b in ((noun, verb), (verb, noun)):
            if stem.endswith(a):
                other = stem[: -len(a)] + b
                if other not in en.FAMILY_EXCEPTIONS:
                    related.append(other)
    return related


def doctrine_forms(word: str) -> list[str]:
    """The -ism and -ist words of the family of `word` ("terrorists" -> terrorism, terrorist),
    to be kept only where the corpus uses them (no "economism" for "economists")."""
    match = _DOCTRINE.match(word)
    if not match:
        return []
    base = match.group("base")
    return [base + ending for ending in en.DOCTRINE_ENDINGS if base + ending != word]


def place_forms(word: str) -> list[str]:
    """The place of a people's word and the people of a place's ("pakistani" -> pakistan, "uzbek"
    -> uzbekistan), when that form is a name (en.proper_nouns()), or `word` is one and the form no
    English word ("kyrgyzstan" -> kyrgyz). A plain English word only goes to a place ("afghan" ->
    afghanistan; no "crimean" for "crime", no "cuban" for "cub"); no form is an acronym ("brian" is
    no "bri"). To be kept only where the corpus uses them."""
    proper, english = en.proper_nouns(), en.english_words()
    plain = word in english and word not in proper
    forms = []
    for people, place in en.DEMONYM_ENDINGS:
        pairs = ((people, place),) if plain else ((people, place), (place, people))
        for mine, other in pairs:
            base = word[: len(word) - len(mine)]
            if (word.endswith(mine) and len(base) >= en.MIN_PLACE_BASE and len(base + other) >= en.MIN_PLACE_FORM
                    and base + other != word):
                forms.append(base + other)
    return [f for f in dict.fromkeys(forms) if f not in en.acronym_expansions()
            and (f in proper or (word in proper and f not in english))]


def numbered_acronym(word: str) -> tuple[str, str] | None:
    """What an acronym with a number stands for, and the number: "cop24" -> ("Conference of the
    Parties", "24"). Acronyms of acronyms.json only, no synonym ("covid19")."""
    match = NUMBERED.fullmatch(word)
    expansion = en.acronym_expansions().get(match.group(1)) if match else None
    return (expansion, match.group(2)) if expansion else None


def ordinal(n: int) -> str:
    """24 -> "24th", 22 -> "22nd", 11 -> "11th"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class Lexicon:
    """Vocabulary (word -> count), expansions (acronym or word -> the words it stands for),
    stem document frequencies and the number of paragraphs."""

    def __init__(self, vocabulary: dict[str, int], expansions: dict[str, str],
                 stem_df: dict[str, int] | None = None, n_paragraphs: int = 0,
                 signature_only: Iterable[str] = ()) -> None:
        self.vocabulary = vocabulary
        self.expansions = expansions
        self.stem_df = stem_df or {}
        self.n_paragraphs = n_paragraphs
        # stems only signature blocks have ("zhaparov"): absent for a question not about signing
        self.signature_only = frozenset(signature_only)
        self._corrections: Memo[str] = Memo(MAX_CACHED_CORRECTIONS)
        self._related: Memo[list[str]] = Memo(MAX_CACHED_CORRECTIONS)
        self._by_stem: dict[str, str] | None = None
        self._by_initial: dict[str, list[str]] = {}
        for word in vocabulary:
            if len(word) >= MIN_CORRECTABLE - 1 and word.isalpha():
                self._by_initial.setdefault(word[0], []).append(word)

    @classmethod
    def from_texts(cls, texts: Sequence[str], expansions: dict[str, str]) -> "Lexicon":
        tokens = [words(t) for t in texts]
        return cls.from_tokens(tokens, [stems(t) for t in tokens], expansions)

    @classmethod
    def from_tokens(cls, tokens: Sequence[list[str]], stem_lists: Sequence[list[str]],
                    expansions: dict[str, str], signature: Sequence[bool] = ()) -> "Lexicon":
        """From each paragraph's words and stems (as given to BM25: tokenised once); `signature`
        tells which paragraphs are signature blocks."""
        vocabulary = dict(Counter(itertools.chain.from_iterable(tokens)))
        stem_df = dict(Counter(itertools.chain.from_iterable(map(set, stem_lists))))
        flags = list(signature) or [False] * len(stem_lists)
        body = {s for stems_of, signed in zip(stem_lists, flags) if not signed for s in stems_of}
        only = {s for stems_of, signed in zip(stem_lists, flags) if signed for s in stems_of} - body
        return cls(vocabulary, expansions, stem_df, len(tokens), only)

    def idf(self, stem: str) -> float:
        """Inverse document frequency; a stem the corpus lacks gets the highest value."""
        n = max(self.n_paragraphs, 1)
        return math.log(1 + n / (self.stem_df.get(stem, 0) + 0.5))

    def share(self, stem: str) -> float:
        """The share of the paragraphs that have `stem`."""
        return self.stem_df.get(stem, 0) / self.n_paragraphs if self.n_paragraphs else 0.0

    def correct(self, word: str) -> str:
        """The corpus word nearest to an unknown `word` (Damerau-Levenshtein), or `word`."""
        return self._corrections.get(word, lambda: self._correct(word))

    def _correct(self, word: str) -> str:
        if (word in self.vocabulary or word in en.STOPWORDS or len(word) < MIN_CORRECTABLE
                or not word.isalpha() or word in en.english_words() or word in self.expansions):
            return word  # a known acronym ("iaea") is never a misspelt word ("idea")
        from rapidfuzz.distance import DamerauLevenshtein

        best, best_count = word, 0
        candidates = self._by_initial.get(word[0], [])
        if len(word) >= 7:  # long words may be misspelt in their first letter too
            candidates = [w for ws in self._by_initial.values() for w in ws]
        for candidate in candidates:
            if (abs(len(candidate) - len(word)) <= 1 and self.vocabulary[candidate] > best_count
                    and DamerauLevenshtein.distance(word, candidate, score_cutoff=1) <= 1
                    and (len(word) > MAX_SHORT or is_slip(word, candidate))):
                best, best_count = candidate, self.vocabulary[candidate]
        return best if best != word else self._correct_form(word)

    def _correct_form(self, word: str) -> str:
        """A misspelt form of a corpus word in a form the corpus never writes ("sumits": the corpus
        has "summit" only): the corpus's commonest word whose stem is the slip of the word's stem."""
        from rapidfuzz.distance import DamerauLevenshtein

        stem = (stems([word]) or [""])[0]
        if len(stem) < MAX_SHORT or stem in self.stem_df:
            return word
        by_stem = self._stem_word()
        found = [by_stem[s] for s in slips_mended(stem) if s in by_stem]
        # the word itself a slip and a form away at most ("sumits" -> summit), no other word
        # whose stem happens to be close ("covenants" is no "convening")
        found = [w for w in found if DamerauLevenshtein.distance(word, w, score_cutoff=2) <= 2]
        return max(found, key=lambda w: self.vocabulary[w], default=word)

    def _stem_word(self) -> dict[str, str]:
        """Each stem of the corpus -> its commonest word (built when first needed)."""
        if self._by_stem is None:
            by_stem: dict[str, str] = {}
            for w in self.vocabulary:
                for s in stems([w]):  # none for a stopword
                    if self.vocabulary[w] > self.vocabulary.get(by_stem.get(s, ""), 0):
                        by_stem[s] = w
            self._by_stem = by_stem
        return self._by_stem

    def related_stems(self, word: str) -> list[str]:
        """Stems of the other forms of `word` that the corpus uses: the forms of an irregular
        verb ("took" -> take, taken), the noun or verb of its family ("admitted" -> admission),
        the doctrine and its follower ("terrorists" -> terrorism); for a word the corpus never
        uses, the compounds it begins ("cyber" -> cybersecurity) and its place or people
        (`place_forms`: "pakistani" -> pakistan)."""
        return list(self._related.get(word, lambda: self._find_related(word)))  # a copy: callers may extend it

    def _find_related(self, word: str) -> list[str]:
        own = stems([word])
        candidates = stems(en.irregular_verbs().get(word, ())) + [r for s in own for r in family_stems(s)]
        candidates += stems([w for w in doctrine_forms(word) if w in self.vocabulary])
        if not any(s in self.stem_df for s in own):
            candidates += stems(self.compounds(word) + [w for w in place_forms(word) if w in self.vocabulary])
        return [c for c in dict.fromkeys(candidates) if c not in own and c in self.stem_df]

    def compounds(self, word: str) -> list[str]:
        """Corpus words that begin with `word`, a word the corpus never uses alone: "cyber" ->
        cyberspace, cybersecurity (a user's "cyber stuff")."""
        if len(word) < MIN_COMPOUND_PREFIX or not word.isalpha() or word in self.vocabulary:
            return []
        stem = (stems([word]) or [word])[0]
        prefix = stem if MIN_DERIVED_PREFIX <= len(stem) < len(word) and word.startswith(stem) else word
        found = [w for w in self._by_initial.get(word[0], []) if w.startswith(prefix) and len(w) > len(prefix)]
        return sorted(found, key=lambda w: -self.vocabulary[w])[:MAX_COMPOUNDS]

    def expand(self, tokens: Sequence[str]) -> list[str]:
        """Expansions of the acronyms among `tokens` (as extra text).

        An acronym the corpus itself uses often ("SCO", "UN" in most declarations) needs no
        expansion: expanding it would only pull the question toward generic paragraphs.
        """
        rare = max(3, self.n_paragraphs // 100)
        return [e for t in tokens if (e := self.expansion(t)) and self.stem_df.get(t, 0) < rare]

    def expansion(self, word: str) -> str | None:
        """What `word` stands for: its expansion; for an acronym with a number ("cop24"), the
        acronym's expansion after the ordinal ("24th Conference of the Parties")."""
        if word in self.expansions:
            return self.expansions[word]
        numbered = numbered_acronym(word)
        return f"{ordinal(int(numbered[1]))} {numbered[0]}" if numbered else None

    def to_json(self) -> dict:
        return {"vocabulary": self.vocabulary, "expansions": self.expansions,
                "stem_df": self.stem_df, "n_paragraphs": self.n_paragraphs,
                "signature_only": sorted(self.signature_only)}

    @classmethod
    def from_json(cls, data: dict) -> "Lexicon":
        return cls(data["vocabulary"], data["expansions"], data["stem_df"], data["n_paragraphs"],
                   data["signature_only"])
