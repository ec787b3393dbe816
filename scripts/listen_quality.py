#!/usr/bin/env python3
"""Measures `replykit report` on the "discover the missing FAQ entries" protocol.

For BANKING77 and CLINC150 (data/, see data/README.md):

1. 20 % of the labels are removed from train, chosen by `random.Random(SEED)` (SEED =
   11) from the sorted label list; every label is renamed to an opaque id `faq-N`
   (N = its index in the sorted list), so that no id word helps.
2. `replykit import` builds a rule set from the rest of train (thresholds from train).
3. `replykit report --json` runs over the in-scope test split (one message per line).
4. Figures, over the test messages of the removed labels:
   - gap recall: the share of them in "what nothing answers" (no_answer) or among the
     low-confidence suggestions;
   - discovered: the share of removed labels that are the majority label of at least
     one reported cluster with purity >= 60 % and >= 5 messages;
   - NMI of the report's grouping against the true labels (a message in "other" or
     answered counts as one group each), next to scikit-learn's TF-IDF + SVD-200 +
     Ward agglomerative clustering given the true number of removed labels, on the
     same messages.

    scripts/listen_quality.sh          # builds, then runs this

Needs numpy and scikit-learn for the baseline (`pip install scikit-learn`); without
them the baseline is skipped. Not part of `cargo test`.
"""

import collections
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time

SEED = int(os.environ.get("LISTEN_QUALITY_SEED", "11"))
REMOVED_SHARE = 0.2
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "replykit")


def read(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def nmi(a, b):
    """Normalised mutual information (arithmetic mean), as scikit-learn's default."""
    n = len(a)
    ca, cb, cab = collections.Counter(a), collections.Counter(b), collections.Counter(zip(a, b))
    h = lambda c: -sum(v / n * math.log(v / n) for v in c.values())
    mi = sum(v / n * math.log(v * n / (ca[x] * cb[y])) for (x, y), v in cab.items())
    ha, hb = h(ca), h(cb)
    return 1.0 if ha + hb == 0 else 2 * mi / (ha + hb)


def baseline(texts, k):
    try:
        from sklearn.cluster import AgglomerativeClustering
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize
    except ImportError:
        return None
    x = TfidfVectorizer().fit_transform(texts)
    dims = min(200, x.shape[1] - 1, x.shape[0] - 1)
    x = normalize(TruncatedSVD(dims, random_state=0).fit_transform(x))
    return list(AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(x))


def measure(name, work):
    train = read(os.path.join(ROOT, "data", name, "train.jsonl"))
    test = [r for r in read(os.path.join(ROOT, "data", name, "test.jsonl")) if r["label"]]
    labels = sorted({r["label"] for r in train if r["label"]})
    opaque = {label: f"faq-{i}" for i, label in enumerate(labels)}
    removed = set(random.Random(SEED).sample(labels, round(REMOVED_SHARE * len(labels))))
    kept_path = os.path.join(work, f"{name}-train.jsonl")
    with open(kept_path, "w") as f:
        for r in train:
            if r["label"] in removed:
                continue
            label = opaque[r["label"]] if r["label"] else None
            f.write(json.dumps({"text": r["text"], "label": label}) + "\n")
    rules = os.path.join(work, f"{name}.toml")
    if not os.path.exists(rules):
        with open(rules + ".tmp", "w") as f:
            subprocess.run([BIN, "import", kept_path], stdout=f, check=True)
        os.rename(rules + ".tmp", rules)
    history = os.path.join(work, f"{name}-history.jsonl")
    with open(history, "w") as f:
        for r in test:
            f.write(json.dumps({"text": r["text"]}) + "\n")
    start = time.time()
    out = subprocess.run([BIN, "report", rules, history, "--json"], capture_output=True, check=True)
    seconds = time.time() - start
    report = json.loads(out.stdout)

    label_of = {i + 1: r["label"] for i, r in enumerate(test)}
    group_of = {}
    for set_name in ("unanswered", "low_confidence"):
        s = report[set_name]
        for c in s["clusters"]:
            for line in c["lines"]:
                group_of[line] = f"{set_name}:{c['id']}"
        for line in s["other"]["lines"]:
            group_of[line] = f"{set_name}:other"
    gap_lines = [line for line, label in label_of.items() if label in removed]
    recall = sum(1 for line in gap_lines if line in group_of) / len(gap_lines)
    found = set()
    clusters = 0
    for set_name in ("unanswered", "low_confidence"):
        for c in report[set_name]["clusters"]:
            clusters += 1
            counts = collections.Counter(label_of[line] for line in c["lines"])
            label, count = counts.most_common(1)[0]
            if label in removed and c["size"] >= 5 and count / c["size"] >= 0.6:
                found.add(label)
    ours = nmi([label_of[l] for l in gap_lines], [group_of.get(l, "answered") for l in gap_lines])
    texts = [test[l - 1]["text"] for l in gap_lines]
    base = baseline(texts, len(removed))
    base_nmi = nmi([label_of[l] for l in gap_lines], base) if base is not None else None
    unanswered = report["unanswered"]["messages"] + report["low_confidence"]["messages"]
    print(f"== {name}: {len(labels)} labels, {len(removed)} removed (seed {SEED}); "
          f"{len(test)} test messages, {len(gap_lines)} of removed labels")
    print(f"   report: {seconds:.1f} s; {unanswered} messages in what nothing answers or "
          f"low confidence, {clusters} clusters")
    print(f"   gap recall        {100 * recall:5.1f} %   (target >= 80 %)")
    print(f"   discovered        {100 * len(found) / len(removed):5.1f} %   "
          f"({len(found)} of {len(removed)}; target >= 70 %)")
    if base_nmi is None:
        print(f"   NMI               {ours:.3f}     (baseline skipped: no scikit-learn)")
    else:
        print(f"   NMI               {ours:.3f}     (TF-IDF + SVD-200 + Ward, true k: {base_nmi:.3f})")
    return recall >= 0.8 and len(found) >= 0.7 * len(removed) and (base_nmi is None or ours >= base_nmi)


def main():
    sets = sys.argv[1:] or ["banking77", "clinc150"]
    # LISTEN_QUALITY_WORK=DIR keeps the imported rule sets there between runs.
    keep = os.environ.get("LISTEN_QUALITY_WORK")
    if keep:
        os.makedirs(keep, exist_ok=True)
        ok = [measure(name, keep) for name in sets]
    else:
        with tempfile.TemporaryDirectory() as work:
            ok = [measure(name, work) for name in sets]
    sys.exit(0 if all(ok) else 1)


if __name__ == "__main__":
    main()
