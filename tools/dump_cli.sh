#!/usr/bin/env bash
# The CLI's output on a fixed set of commands, to diff before and after a refactor:
#   bash tools/dump_cli.sh OUT.txt  (QUOTEBOT_MODEL=fake-hashing for the fake embedder)
set -u
out="$1"; : > "$out"
q() { echo "### quotebot $*" >> "$out"; python -m quotebot "$@" >> "$out" 2>&1; echo "rc=$?" >> "$out"; }
q ask "what does the SCO say about missile defense?"
q ask "what does the SCO say about missile defense?" --json -k 5
q ask "Did the SCO condemn the invasion of Iraq?"
q ask "afghanistan" --year 2021
q ask "security" --year 2015
q ask "x y" --doc nope
q ask ""
printf 'missile defense\nwhat is the\n\nenergy security\n' | q ask --batch - --json
printf 'missile defense\nwhat is the\nenergy security\n' | q ask --batch -
q compare missile defence
q compare energy --json
q docs
q docs --json
q eval eval/dev_questions.jsonl --corpus corpus/sco_2012_beijing_declaration.txt
q eval eval/robustness_questions.jsonl --json
q ask -k 0 x
