#!/usr/bin/env bash
# The one-million-message figures of the README's "Listening" section: CLINC150's test
# texts resampled (seeded) into a history of 1,000,000 messages spread over 2026, then
# `replykit suggest` and `replykit report` over it, each timed with its peak memory
# (GNU time). The rule set is `replykit import` of CLINC150's train split. Takes a few
# minutes; not part of `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --features cli --quiet
bin=target/release/replykit
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work/history.jsonl" <<'PY'
import datetime, json, random, sys
base = [json.loads(l)["text"] for l in open("data/clinc150/test.jsonl")]
r = random.Random(5)
start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
n = 1_000_000
with open(sys.argv[1], "w") as f:
    for i in range(n):
        t = start + datetime.timedelta(seconds=i * 365 * 86400 // n)
        f.write(json.dumps({"text": r.choice(base), "received_at": t.strftime("%Y-%m-%dT%H:%M:%SZ")}) + "\n")
PY
$bin import data/clinc150/train.jsonl > "$work/clinc.toml"
measure() { # name command...
    local name=$1; shift
    /usr/bin/time -f "$name: %e s, peak memory %M KB" "$@"
}
measure "suggest (every outcome as JSON)" $bin suggest "$work/clinc.toml" < "$work/history.jsonl" > /dev/null
measure "report (--json)" $bin report "$work/clinc.toml" "$work/history.jsonl" --json > "$work/report.json"
python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
print('unanswered', r['unanswered']['messages'], 'in', len(r['unanswered']['clusters']), 'clusters;',
      'below auto-reply', r['low_confidence']['messages'], 'in', len(r['low_confidence']['clusters']))
" "$work/report.json"
