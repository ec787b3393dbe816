#!/usr/bin/env bash
# Measures replykit's FAQ matching on BANKING77 and CLINC150 (data/, see data/README.md)
# against the targets of the quality issue, following the protocol of data/README.md:
# `replykit import` on train (thresholds chosen from train alone), `replykit eval` on
# test. Also the few-shot protocol: the first 5 and 10 training messages of each label,
# in file order. Takes a few minutes; not part of `cargo test`.
#
#   scripts/quality.sh            # prints every figure, then PASS/MISS per target
#
# Exit status: 0 when every target is met, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --features cli --quiet
bin=target/release/replykit
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The first N messages of each label, in file order (out-of-scope ones dropped).
first_n() {
    python3 - "$1" "$2" <<'PY'
import json, sys, collections
n = int(sys.argv[2]); seen = collections.Counter()
for line in open(sys.argv[1]):
    row = json.loads(line)
    if row["label"] is not None and seen[row["label"]] < n:
        seen[row["label"]] += 1
        print(line, end="")
PY
}

status=0
check() { # name value op target
    if python3 -c "import sys; v=float(sys.argv[1]); t=float(sys.argv[3]); sys.exit(0 if (v>=t if sys.argv[2]=='>=' else v<=t) else 1)" "$2" "$3" "$4"; then
        printf '  PASS  %-46s %6.2f %s %s\n' "$1" "$2" "$3" "$4"
    else
        printf '  MISS  %-46s %6.2f %s %s\n' "$1" "$2" "$3" "$4"; status=1
    fi
}
metric() { python3 -c "import json,sys; print(100*json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

for set in banking77 clinc150; do
    echo "== $set: import train, eval test"
    start=$(date +%s%N)
    $bin import "data/$set/train.jsonl" > "$work/$set.toml"
    end=$(date +%s%N)
    grep -E '^(suggest_threshold|auto_reply_threshold|auto_reply_margin|faq_temperature)' "$work/$set.toml" | sed 's/^/   /'
    printf '   import (with cross-validation) took %s s\n' "$(( (end - start) / 1000000000 ))"
    $bin eval "$work/$set.toml" "data/$set/test.jsonl" | sed 's/^/   /'
    $bin eval "$work/$set.toml" "data/$set/test.jsonl" --json > "$work/$set.json"
    for n in 5 10; do
        first_n "data/$set/train.jsonl" $n > "$work/$set-$n.jsonl"
        $bin import "$work/$set-$n.jsonl" > "$work/$set-$n.toml"
        $bin eval "$work/$set-$n.toml" "data/$set/test.jsonl" --json > "$work/$set-$n.json"
        printf '   first %2d per label: top1_accuracy %.2f %%\n' $n "$(metric "$work/$set-$n.json" top1_accuracy)"
    done
done

echo "== targets"
check "BANKING77 top1_accuracy"            "$(metric "$work/banking77.json" top1_accuracy)" '>=' 91.5
check "BANKING77 auto_reply_precision"     "$(metric "$work/banking77.json" auto_reply_precision)" '>=' 97
check "BANKING77 auto_reply_rate"          "$(metric "$work/banking77.json" auto_reply_rate)" '>=' 50
check "BANKING77 top1, first 5 per label"  "$(metric "$work/banking77-5.json" top1_accuracy)" '>=' 66
check "BANKING77 top1, first 10 per label" "$(metric "$work/banking77-10.json" top1_accuracy)" '>=' 77
check "CLINC150 top1_accuracy"             "$(metric "$work/clinc150.json" top1_accuracy)" '>=' 92.5
check "CLINC150 overall_accuracy"          "$(metric "$work/clinc150.json" overall_accuracy)" '>=' 84
check "CLINC150 oos_recall"                "$(metric "$work/clinc150.json" oos_recall)" '>=' 75
check "CLINC150 auto_reply_precision"      "$(metric "$work/clinc150.json" auto_reply_precision)" '>=' 97
check "CLINC150 auto_reply_rate"           "$(metric "$work/clinc150.json" auto_reply_rate)" '>=' 40
check "CLINC150 top1, first 5 per label"   "$(metric "$work/clinc150-5.json" top1_accuracy)" '>=' 64
check "CLINC150 top1, first 10 per label"  "$(metric "$work/clinc150-10.json" top1_accuracy)" '>=' 75
exit $status
