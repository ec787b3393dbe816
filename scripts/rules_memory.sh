#!/usr/bin/env bash
# Peak memory and time of loading and building issue 14's rule workload: N rules of 1–5
# phrases of 1–3 words, made by the shared workload generator (seed 42), written as the
# TOML a rule author would write, then loaded and built by `examples/suggest`
# (`RuleSet::from_path` and `Engine::from_rule_set`) to answer one message.
#
#   PERF_DIR=/path/to/shared/perf scripts/rules_memory.sh [N ...]    # default 100000
#
# PERF_DIR holds gen_workload.py (default ../shared/perf, beside the checkout). Peak
# memory is the process's maximum resident set size (GNU time's %M); of RUNS runs
# (default 3), the one with the median peak is shown, with its wall time. Not part of
# `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
perf_dir=${PERF_DIR:-../shared/perf}
runs=${RUNS:-3}
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(100000)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cargo build --release --quiet --example suggest
for n in "${sizes[@]}"; do
    python3 "$perf_dir/gen_workload.py" --rules "$n" --messages 10 -o "$scratch/w.json" >/dev/null 2>&1
    python3 - "$scratch/w.json" "$scratch/rules.toml" <<'EOF'
import json, sys
work = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as out:
    out.write("[settings]\nmax_suggestions = 20\n")
    for r in work["rules"]:
        phrases = ", ".join(json.dumps(p) for p in r["phrases"])
        out.write(f'\n[[rule]]\nid = "rule-{r["id"]}"\nwhen.any = [{phrases}]\nreply = "Reply {r["id"]}."\n')
EOF
    first=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rules"][0]["phrases"][0])' "$scratch/w.json")
    results=()
    for _ in $(seq "$runs"); do
        results+=("$( { /usr/bin/time -f '%M %e' target/release/examples/suggest \
            --rules "$scratch/rules.toml" "hello $first" >/dev/null; } 2>&1 | tail -1)")
    done
    printf '%s\n' "${results[@]}" | sort -n | awk -v n="$n" -v bytes="$(stat -c %s "$scratch/rules.toml")" '
        { kb[NR] = $1; s[NR] = $2 }
        END { m = int((NR + 1) / 2);
              printf "%d rules (%.1f MB of TOML): peak RSS %.0f MB, %.2f s (median of %d)\n",
                     n, bytes / 1e6, kb[m] / 1024, s[m], NR }'
done
