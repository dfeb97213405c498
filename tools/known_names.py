"""Regenerate retrieval/lang/data/known_names.txt from the UN General Debate archive.

    python tools/known_names.py [ARCHIVE]   (default: ../shared/corpus/ungdc)

A known name is a run of two or more capitalised words, with "of", "for", "on", "the" ... between
them ("International Criminal Court", "Convention on the Rights of the Child", "UN Women", "World
Cup"), written so by at least MIN_SPEECHES speeches of the archive, and written so more often than
not wherever its words follow each other ("security cooperation" is mostly lower case: no name).
A question that
uses one (in any case) names one thing, and the declarations answer it only where they have its
words together (retrieval.grounding). Only the list is shipped: the archive stays in ../shared.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET = ROOT / "retrieval" / "lang" / "data" / "known_names.txt"
ARCHIVE = ROOT.parent / "shared" / "corpus" / "ungdc"
MIN_SPEECHES = 3  # fewer: mostly one speaker's own projects and slogans
MIN_CAPITALISED = 0.5  # a name is written capitalised more often than not (as in retrieval.names)

_CAPITAL = r"(?:[A-Z][a-z]+(?:-[A-Z]?[a-z]+)*|[A-Z]{2,}[0-9]*|[0-9]{4})"
_LINK = r"(?:of|for|on|the|and|to|in|de|du|des|al)"
_NAME = re.compile(rf"(?<![\w-]){_CAPITAL}(?:\s+(?:{_LINK}\s+){{0,2}}{_CAPITAL})+(?![\w-])")
HEADER = f"""# Names of several words that the UN General Debate speeches, 1946-2024, write capitalised:
# runs of capitalised words (linked by of, for, on, the ...) found in at least {MIN_SPEECHES} speeches
# and capitalised in more than half of all their occurrences,
# lower-cased, split at "and" ("the World Bank and the IMF" is two names), without function words
# at either end. A question that names one is about that thing (retrieval.grounding).
# Regenerate with tools/known_names.py.
#
# Source: the UN General Debate Corpus (Jankin, Baturo & Dasandi, Harvard Dataverse,
# doi:10.7910/DVN/0TJX8Y), released CC0, as in ../shared/corpus/ungdc."""


def _unwrapped(text: str) -> str:
    """`text` with the words hyphenated at line ends joined again."""
    return re.sub(r"-\n(?=[a-z])", "", text)


def names_in(text: str, stopwords: frozenset[str]) -> set[tuple[str, ...]]:
    """The names of several words that `text` writes capitalised, as lower-case word tuples."""
    from retrieval.tokens import words

    text = re.sub(r"\s+", " ", _unwrapped(text))
    found = set()
    for match in _NAME.finditer(text):
        for part in re.split(r"\s+and\s+", match.group(0)):
            name = words(part)
            while name and name[0] in stopwords:
                name = name[1:]
            while name and name[-1] in stopwords:
                name = name[:-1]
            if sum(w not in stopwords for w in name) >= 2:
                found.add(tuple(name))
    return found


def capitalised_share(texts, names: set[tuple[str, ...]], stopwords: frozenset[str]) -> dict[tuple[str, ...], float]:
    """For each of `names`: of its occurrences in `texts` (in any case), the share written with
    every word but function words capitalised."""
    from retrieval.tokens import written_words

    longest = max(map(len, names))
    firsts = {n[0] for n in names}
    seen: Counter[tuple[str, ...]] = Counter()
    capital: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        written = written_words(_unwrapped(text))
        lower = [w.lower() for w in written]
        for i, word in enumerate(lower):
            if word not in firsts:
                continue
            for j in range(i + 2, min(len(lower), i + longest) + 1):
                name = tuple(lower[i:j])
                if name in names:
                    seen[name] += 1
                    capital[name] += all(w[:1].isupper() or w[:1].isdigit() or w.lower() in stopwords for w in written[i:j])
    return {n: capital[n] / seen[n] for n in names if seen[n]}


def main() -> None:
    from retrieval.lang import en

    archive = Path(sys.argv[1]) if len(sys.argv) > 1 else ARCHIVE
    speeches = sorted(archive.glob("*/*.txt"))
    if not speeches:
        sys.exit(f"no speeches under {archive}: nothing written")
    counts: Counter[tuple[str, ...]] = Counter()
    for path in speeches:
        counts.update(names_in(path.read_text("utf-8-sig", errors="replace"), en.STOPWORDS))
    frequent = {n for n, c in counts.items() if c >= MIN_SPEECHES}
    texts = (path.read_text("utf-8-sig", errors="replace") for path in speeches)
    share = capitalised_share(texts, frequent, en.STOPWORDS)
    names = sorted(" ".join(n) for n in frequent if share.get(n, 0.0) > MIN_CAPITALISED)
    TARGET.write_text(HEADER + "\n" + "\n".join(names) + "\n", "utf-8")
    print(f"{len(names)} names from {len(speeches)} speeches -> {TARGET}")


if __name__ == "__main__":
    main()
