"""Reading a question: from what a user typed to what the ranker needs.

A pipeline of small pure stages, each in its own module:

    normalise (chat noise, quoted phrases) -> scope (documents named: filters, hints)
    -> speaker (the corpus's own voice, words pointing at the source) -> terms (spelling
    correction, topic words, their forms and expansions, the words the corpus never uses)
"""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.answer_types import asks_about_signing, asks_for_date, asks_for_person
from retrieval.lexicon import Lexicon
from retrieval.names import asks_for_name
from retrieval.query.normalise import MAX_QUESTION_CHARS, normalise, quoted_phrases
from retrieval.query.scope import Scope, ScopeFinder
from retrieval.query.speaker import SPEAKER_SHARE, source_words, strip_speaker
from retrieval.query.terms import AbsentWord, Run, terms_of
from retrieval.tokens import words
from retrieval.types import Filters

__all__ = ["MAX_QUESTION_CHARS", "AbsentWord", "Query", "Run", "Scope", "ScopeFinder", "SPEAKER_SHARE", "quoted_phrases", "understand"]


@dataclass(frozen=True)
class Query:
    """A question made ready for ranking."""

    original: str
    text: str  # cleaned, filter phrases removed, typos corrected, acronyms expanded
    stems: tuple[str, ...]
    content: tuple[str, ...]  # corrected content words
    filters: Filters
    terms: tuple[tuple[str, ...], ...] = ()  # per content word: its stem (+ acronym expansion stems)
    absent: tuple[AbsentWord, ...] = ()  # topic words no paragraph uses in any form ("Kashmir", "G7")
    runs: tuple[Run, ...] = ()  # runs of consecutive topic words, for names of several words
    compounds: tuple[str, ...] = ()  # pairs of its topic words no paragraph has together (retrieval.compounds)
    words: tuple[str, ...] = ()  # every word, corrected, lower case, for known names of several words
    truncated: bool = False
    script: str = ""  # the script of the question when the index holds no text in it ("ru"): asked in English
    corrections: tuple[tuple[str, str], ...] = ()
    phrases: tuple[str, ...] = ()  # words the user put in quotation marks, to be found as written
    asks_name: bool = False  # "which country ...?": the answer names a country, body, region ...
    asks_person: bool = False  # "who chaired ...?": the answer names a person after a title
    asks_date: bool = False  # "when was ...?": the answer gives a date
    asks_signing: bool = False  # "who signed ...?": signature blocks may answer
    hints: Filters = Filters()  # years, places, kinds named loosely: preferred, not required


def scope_words(filters: Filters) -> set[str]:
    """The words of the scope's places and years: every paragraph searched has them."""
    return {w for place in filters.places for w in words(place)} | {str(y) for y in filters.years}


def understand(question: str, lexicon: Lexicon, finder: ScopeFinder) -> Query:
    """Run the stages on `question` against the corpus's lexicon and documents."""
    normal = normalise(question)
    scope = finder.find(normal.text)
    text = strip_speaker(scope.text, lexicon)
    signing = asks_about_signing(text)
    found = terms_of(text, source_words(text) | scope_words(scope.filters), lexicon, signing)
    return Query(
        original=question,
        text=found.dense_text,
        stems=found.stems,
        content=found.content,
        terms=found.terms,
        filters=scope.filters,
        truncated=normal.truncated,
        corrections=found.corrections,
        absent=found.absent,
        runs=found.runs,
        words=found.words,
        phrases=normal.phrases,
        asks_name=asks_for_name(text),
        asks_person=asks_for_person(text),
        asks_date=asks_for_date(text),
        asks_signing=signing,
        hints=scope.hints,
    )
