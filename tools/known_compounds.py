"""Regenerate retrieval/lang/data/known_compounds.txt from the UN General Debate archive.

    python tools/known_compounds.py [ARCHIVE]   (default: ../shared/corpus/ungdc)

A known compound is a pair of words that follow each other, no function word, number or
punctuation between or in them ("carbon market", "stock exchanges", "emissions trading"), in at
least MIN_SPEECHES speeches of the archive. It is kept as the stems of its two words
(retrieval.tokens.stems: "carbon market", "emiss trade"), so any form of either word matches. A
question that puts one of them side by side names one thing, and a paragraph that has only one
of its words is no answer (retrieval.compounds). Only the list is shipped: the archive stays in
../shared.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET = ROOT / "retrieval" / "lang" / "data" / "known_compounds.txt"
ARCHIVE = ROOT.parent / "shared" / "corpus" / "ungdc"
# Fewer speeches: mostly chance neighbours ("fight narcotics", "nuclear medicine" in 2); chosen on
# the spent question files with the thresholds of retrieval.compounds (docs/evaluation.md).
MIN_SPEECHES = 5
_BREAK = re.compile(r"[.,;:!?()\[\]\"“”—–]")  # a compound never spans one
HEADER = f"""# Pairs of words that follow each other in at least {MIN_SPEECHES} UN General Debate speeches, 1946-2024
# (no function word, number or punctuation between or in them), as the stems of the two words
# (retrieval.tokens.stems). A question that puts one side by side names one thing
# (retrieval.compounds). Regenerate with tools/known_compounds.py.
#
# Source: the UN General Debate Corpus (Jankin, Baturo & Dasandi, Harvard Dataverse,
# doi:10.7910/DVN/0TJX8Y), released CC0, as in ../shared/corpus/ungdc."""


def pairs_in(text: str, stem, stopwords: frozenset[str]) -> set[tuple[str, str]]:
    """The pairs of neighbouring words of `text`, as stems (`stem`), none a function word or number."""
    from retrieval.tokens import words

    found = set()
    for part in _BREAK.split(re.sub(r"-\n(?=[a-z])", "", text)):
        tokens = words(part)
        for a, b in zip(tokens, tokens[1:]):
            if a not in stopwords and b not in stopwords and a.isalpha() and b.isalpha():
                found.add((stem(a), stem(b)))
    return found


def main() -> None:
    from retrieval.lang import en
    from retrieval.tokens import stems

    archive = Path(sys.argv[1]) if len(sys.argv) > 1 else ARCHIVE
    speeches = sorted(archive.glob("*/*.txt"))
    if not speeches:
        sys.exit(f"no speeches under {archive}: nothing written")
    cache: dict[str, str] = {}

    def stem(word: str) -> str:
        if word not in cache:
            cache[word] = (stems([word]) or [word])[0]
        return cache[word]

    counts: Counter[tuple[str, str]] = Counter()
    for path in speeches:
        counts.update(pairs_in(path.read_text("utf-8-sig", errors="replace"), stem, en.STOPWORDS))
    kept = sorted(" ".join(p) for p, c in counts.items() if c >= MIN_SPEECHES)
    TARGET.write_text(HEADER + "\n" + "\n".join(kept) + "\n", "utf-8")
    print(f"{len(kept)} compounds from {len(speeches)} speeches -> {TARGET}")


if __name__ == "__main__":
    main()
