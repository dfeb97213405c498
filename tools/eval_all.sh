#!/usr/bin/env bash
# Every question file, as the README reports them: bash tools/eval_all.sh [--with-held-out]
set -u
seed=corpus/sco_2012_beijing_declaration.txt
row() { printf '%-34s ' "$1"; shift; python -m quotebot eval "$@" --json 2>/dev/null | python -c '
import json, sys
r = json.load(sys.stdin)["quotebot"]
print("  ".join(f"{k}={v}" for k, v in r.items() if v is not None))'; }
row "dev (seed)" eval/dev_questions.jsonl --corpus $seed
row "seed paraphrases (seed)" eval/seed_paraphrases.jsonl --corpus $seed
row "seed which (seed)" eval/seed_which_questions.jsonl --corpus $seed
row "multi-document" eval/multi_doc_questions.jsonl
row "robustness" eval/robustness_questions.jsonl
row "open, fit half" eval/open_questions.jsonl --split fit
row "open fit extra" eval/open_fit_questions.jsonl
if [ "${1:-}" = "--with-held-out" ]; then
  row "open, test half" eval/open_questions.jsonl --split test
  for n in $(seq 2 34); do row "open $n (held out)" eval/open_questions_$n.jsonl; done
fi
