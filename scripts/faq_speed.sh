#!/usr/bin/env bash
# FAQ scoring speed against fastText's bare predict, one thread, on CLINC150 and
# BANKING77 (data/, see data/README.md): both trained on the training split, both
# timed on every test message (out-of-scope ones included), adjacent runs, medians.
#
#   FASTTEXT_DIR=/path/to/fastText scripts/faq_speed.sh
#
# FASTTEXT_DIR is a checkout of github.com/facebookresearch/fastText built with `make`
# (the script links its object files into a small driver). Not part of `cargo test`.
#
# fastText: `supervised -wordNgrams 2 -dim 100 -epoch 25 -lr 0.5 -thread 1 -seed 1`
# (its other settings default: 2M buckets, softmax) on the training messages lower-cased
# with punctuation split off, as its tutorial does; the test messages are prepared the
# same way before timing. Its time is the thread's CPU time of `predictLine` (reading
# the words of a line and predicting its top label) over all test messages, the model
# loaded and the text in memory.
#
# replykit: the rule set `replykit import` writes from the training messages (default
# thresholds), and the thread's CPU time of `Engine::suggest` over the test messages
# (`REPLYKIT_FAQ_SPEED_PASSES` mode of benches/faq_speed.rs).
#
# Each of RUNS runs (default 3) times fastText, then replykit, PASSES passes each
# (default 5); the medians over runs are reported, with the median of the runs' ratios and each one's
# top-1 accuracy on the in-scope test messages. Then replykit's own medians: bytes per
# second of CPU on 2 KB messages, and the CPU time of one build of each engine.
#
# To compare engines (before and after a change), set BENCHES to their faq_speed bench
# binaries (`cargo bench --features toolkit --bench faq_speed --no-run` prints the
# path; copy it aside before rebuilding): each run times fastText, then every binary in
# turn, and every binary gets its own rows, its ratio to fastText taken run by run.
# WORK=DIR keeps fastText's models and the driver in DIR (and reuses them next time).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
passes=${PASSES:-5}
ft=${FASTTEXT_DIR:?set FASTTEXT_DIR to a fastText checkout built with make}
[ -x "$ft/fasttext" ] && [ -f "$ft/fasttext.o" ] || {
    echo "no built fastText in $ft (run make there)" >&2
    exit 2
}
if [ -n "${WORK:-}" ]; then
    work=$WORK
    mkdir -p "$work"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi

# fastText's input: "__label__L text" lines for training; the test text, and the labels
# ("-" for out-of-scope) beside it.
for set in clinc150 banking77; do
    python3 - "data/$set" "$work/$set" <<'PY'
import json, re, sys
src, out = sys.argv[1:3]
def norm(t):
    return " ".join(re.sub(r"([.!?,'/()\"])", r" \1 ", t.lower()).split())
with open(out + ".train", "w") as f:
    for line in open(src + "/train.jsonl"):
        r = json.loads(line)
        if r["label"] is not None:
            f.write("__label__%s %s\n" % (r["label"], norm(r["text"])))
with open(out + ".test", "w") as f, open(out + ".labels", "w") as g:
    for line in open(src + "/test.jsonl"):
        r = json.loads(line)
        f.write(norm(r["text"]) + "\n")
        g.write("-\n" if r["label"] is None else "__label__%s\n" % r["label"])
PY
    [ -f "$work/$set.bin" ] ||
        "$ft/fasttext" supervised -input "$work/$set.train" -output "$work/$set" \
            -wordNgrams 2 -dim 100 -epoch 25 -lr 0.5 -thread 1 -seed 1 -verbose 0
done

cat > "$work/predict.cc" <<'CC'
// Prints: messages seconds top1 (thread CPU time of predictLine over `passes` passes).
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>
#include "fasttext.h"
static double cpu() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
int main(int argc, char** argv) {
  if (argc < 5) return 2;
  fasttext::FastText ft;
  ft.loadModel(std::string(argv[1]));
  std::ifstream tf(argv[2]), lf(argv[3]);
  std::stringstream all;
  all << tf.rdbuf();
  const std::string text = all.str();
  std::vector<std::string> labels;
  for (std::string l; std::getline(lf, l);) labels.push_back(l);
  const int passes = std::stoi(argv[4]);
  std::vector<std::pair<fasttext::real, std::string>> preds;
  size_t n = 0, right = 0, in_scope = 0;
  const double start = cpu();
  for (int p = 0; p < passes; p++) {
    std::istringstream in(text);
    size_t i = 0;
    while (ft.predictLine(in, preds, 1, 0.0)) {
      if (p == 0 && i < labels.size() && labels[i] != "-") {
        in_scope++;
        right += !preds.empty() && preds[0].second == labels[i];
      }
      i++;
    }
    n += i;
  }
  const double secs = cpu() - start;
  std::cout << n << " " << secs << " " << (in_scope ? double(right) / in_scope : 0.0) << "\n";
}
CC
objects=$(ls "$ft"/*.o | grep -v '/main\.o$')
# shellcheck disable=SC2086
g++ -pthread -std=c++17 -march=native -O3 -funroll-loops -DNDEBUG -I"$ft/src" \
    "$work/predict.cc" $objects -o "$work/predict"

if [ -n "${BENCHES:-}" ]; then
    read -r -a benches <<< "$BENCHES"
else
    benches=("$(cargo bench --features toolkit --bench faq_speed --no-run 2>&1 |
        sed -n 's/.*Executable benches\/faq_speed.rs (\(.*\))/\1/p')")
fi
for bench in "${benches[@]}"; do
    [ -x "$bench" ] || { echo "no faq_speed bench binary at '$bench'" >&2; exit 2; }
done

: > "$work/results"
for run in $(seq "$runs"); do
    for set in clinc150 banking77; do
        echo "fasttext $set $("$work/predict" "$work/$set.bin" "$work/$set.test" "$work/$set.labels" "$passes")" >> "$work/results"
    done
    for i in "${!benches[@]}"; do
        who=replykit
        [ "${#benches[@]}" -eq 1 ] || who="replykit#$((i + 1))"
        REPLYKIT_FAQ_SPEED_PASSES=$passes "${benches[$i]}" | sed "s/^/$who /" >> "$work/results"
    done
    echo "run $run of $runs done" >&2
done

python3 - "$work/results" "${benches[@]}" <<'PY'
import statistics, sys
rates, top1 = {}, {}
for line in open(sys.argv[1]):
    who, set_, n, secs, acc = line.split()
    rates.setdefault((who, set_), []).append(int(n) / float(secs))
    top1[(who, set_)] = float(acc)
paths = sys.argv[2:]
whos = ["replykit"] if len(paths) == 1 else ["replykit#%d" % (i + 1) for i in range(len(paths))]
if len(paths) > 1:
    for who, path in zip(whos, paths):
        print("%s: %s" % (who, path))
print("set        engine       fastText msg/s  replykit msg/s  ratio   top-1 fastText  top-1 replykit   (medians of %d runs)"
      % len(rates[("fasttext", "clinc150")]))
for set_ in ["clinc150", "banking77"]:
    fs = rates[("fasttext", set_)]
    f = statistics.median(fs)
    for who in whos:
        rs = rates[(who, set_)]
        r = statistics.median(rs)
        ratios = [b / a for a, b in zip(fs, rs)]
        print("%-10s %-12s %14.0f  %14.0f  %5.2f   %13.1f %%  %13.1f %%" % (
            set_, who, f, r, statistics.median(ratios), 100 * top1[("fasttext", set_)], 100 * top1[(who, set_)]))
        print("           runs: fastText %s; replykit %s; ratios %s" % (
            ", ".join("%.0f" % x for x in fs), ", ".join("%.0f" % x for x in rs),
            ", ".join("%.2f" % x for x in ratios)))
for who in whos:
    long = rates[(who, "long-clinc150")]
    print("%s on 2 KB messages (CLINC150 test messages joined): %.1f MB/s (runs: %s)" % (
        who, statistics.median(long) / 1e6, ", ".join("%.1f" % (x / 1e6) for x in long)))
    for set_ in ["clinc150", "banking77"]:
        builds = [1 / x for x in rates[(who, "build-" + set_)]]
        print("%s build from %s's training messages: %.2f s CPU (runs: %s)" % (
            who, set_, statistics.median(builds), ", ".join("%.2f" % x for x in builds)))
PY
