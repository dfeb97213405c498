"""Stage 3: words that name no topic because they point at the speaker or at the source.

"What did THE SCO say about X": in a corpus where nearly every paragraph names the SCO, that
name would only pull every question toward paragraphs that mention it, and let "What did the
SCO say about the moon landing?" look answerable. "Does THE DECLARATION mention X": the noun
points at the source ("the Universal Declaration" stays a topic: a capitalised word before it
makes it a name).
"""

from __future__ import annotations

import re

from retrieval.lang import en
from retrieval.lexicon import Lexicon
from retrieval.tokens import words

# The corpus's own voice: an acronym in at least this share of the paragraphs ("SCO" in an SCO
# corpus) names no topic when it is the question's subject ("What did the SCO say about ...").
SPEAKER_SHARE = 0.25
_AUXILIARY = en.alternation(en.SPEAKER_AUXILIARIES)
_VOICE = en.alternation(en.SPEAKER_VERBS)
_SHOUTED = re.compile(r"\b[A-Z]{2,}\b")  # a word in capitals: an acronym
# "the declaration", "this text", "which joint communiqué", "their joint address".
_SELF_REFERENCE = re.compile(
    rf"\b(?i:{'|'.join(en.DETERMINERS)}|your)\s+"
    rf"(?:(?!{en.JOINT}\b)[a-z][a-z\-]*\s+)?"
    rf"(?P<noun>(?i:(?:{en.JOINT}\s+)?{en.noun_alternation(lambda n: n.source)}))\b"
)


def _name_pattern(name: str) -> str:
    """A regex for a name, tolerant of -ise/-ize spellings and spacing."""
    parts = [re.escape(w).replace("is", "i[sz]").replace("iz", "i[sz]") for w in name.split()]
    return r"\s+".join(parts)


def speaker_names(text: str, lexicon: Lexicon) -> list[str]:
    """Regexes of the corpus's own names that `text` may use: the acronyms (in `text` or known)
    found in at least SPEAKER_SHARE of the paragraphs, and their long names."""
    if not lexicon.n_paragraphs:
        return []
    floor = SPEAKER_SHARE * lexicon.n_paragraphs
    acronyms = {a.lower() for a in _SHOUTED.findall(text)} | set(lexicon.expansions)
    names = []
    for acronym in sorted(acronyms):
        if lexicon.stem_df.get(acronym, 0) >= floor:
            names.append(re.escape(acronym))
            if acronym in lexicon.expansions:
                names.append(_name_pattern(lexicon.expansions[acronym]))
    return names


def strip_speaker(text: str, lexicon: Lexicon) -> str:
    """`text` without the corpus's own name where it is the question's speaker: "What did the
    SCO say about X" -> "What did say about X"."""
    names = speaker_names(text, lexicon)
    if not names:
        return text
    name = rf"(?:the\s+)?(?:{'|'.join(sorted(names, key=len, reverse=True))})(?:['’]s)?"
    text = re.sub(rf"\b({_AUXILIARY})\s+{name}(?!\w)", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(rf"\b{name}\s+(?={_VOICE}\b)", "", text, flags=re.IGNORECASE)
    return re.sub(rf"\baccording\s+to\s+{name}(?!\w)", "", text, flags=re.IGNORECASE)


def source_words(text: str) -> set[str]:
    """The words of the nouns in `text` that point at the source ("the declaration", "their
    joint address" -> {"joint", "address"})."""
    return {w for m in _SELF_REFERENCE.finditer(text) for w in words(m.group("noun"))}
