#!/usr/bin/env python3
"""The open-intent protocol: does replykit keep its auto-replies right when many topics
are unknown?

For BANKING77 and CLINC150 (data/, see data/README.md), with every label renamed to an
opaque id (`faq-N`, N from a seeded shuffle, so ids carry no meaning and no order):

* open-25 / open-50 / open-75: a share of the labels is "known". The known labels are the
  first round(share * L) labels of the sorted label list shuffled by Python's
  `random.Random(seed).shuffle`, seeds 0, 1 and 2. `replykit import` sees only the known
  labels' training messages (CLINC150's out-of-scope training examples are left out too,
  as a real team's history has none); the test traffic keeps every message, the unknown
  labels' messages (and CLINC150's own out-of-scope ones) labelled null: only "no answer"
  is right for them. Thresholds come from the training file alone (import's
  cross-validation), as for any user.
* full: every label known (CLINC150 keeps its out-of-scope training examples).
* shot-1 / shot-5 / shot-10: the first 1, 5, 10 training messages of each label, in file
  order.

Figures are means over the seeds (the full and few-shot protocols do not depend on the
seed: one run each). `--dev` runs the same protocols on development splits, to choose
settings: CLINC150's validation split as traffic; for BANKING77, each label's first 80 %
of training messages (file order) as train and the rest as traffic. Test splits are
only for reporting.

    scripts/open_intent.py                 # test splits: the table, then PASS/MISS
    scripts/open_intent.py --dev           # development splits
    scripts/open_intent.py --sets clinc150 --protocols open-50,full

Exit status: 0 when every target is met (test splits only), 1 otherwise.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "replykit")
SEEDS = [0, 1, 2]
IMPORT_ARGS = []  # set by --import-args
PROTOCOLS = ["open-25", "open-50", "open-75", "full", "shot-1", "shot-5", "shot-10"]
METRICS = [
    "top1_accuracy",
    "top3_accuracy",
    "overall_accuracy",
    "oos_recall",
    "auto_reply_precision",
    "auto_reply_rate",
    "suggest_rate",
]

# (set, protocol, metric) -> (op, target), from the trust issue.
TARGETS = {}
for s in ("banking77", "clinc150"):
    for p in PROTOCOLS:
        TARGETS[(s, p, "auto_reply_precision")] = (">=", 97.0)
    TARGETS[(s, "open-75", "auto_reply_rate")] = (">=", 35.0)
    TARGETS[(s, "open-50", "auto_reply_rate")] = (">=", 20.0)
    TARGETS[(s, "open-75", "overall_accuracy")] = (">=", 80.0)
TARGETS[("banking77", "full", "auto_reply_rate")] = (">=", 60.0)
TARGETS[("clinc150", "full", "auto_reply_rate")] = (">=", 50.0)
TARGETS[("banking77", "open-50", "overall_accuracy")] = (">=", 80.0)
TARGETS[("clinc150", "open-50", "overall_accuracy")] = (">=", 85.0)
TARGETS[("banking77", "full", "top1_accuracy")] = (">=", 92.0)
TARGETS[("clinc150", "full", "top1_accuracy")] = (">=", 93.4)
TARGETS[("clinc150", "full", "oos_recall")] = (">=", 80.0)
TARGETS[("banking77", "shot-1", "top1_accuracy")] = (">=", 31.7)
TARGETS[("clinc150", "shot-1", "top1_accuracy")] = (">=", 42.1)


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def splits(data_dir, name, dev):
    """(train, traffic) rows for a set."""
    train = read(os.path.join(data_dir, name, "train.jsonl"))
    if not dev:
        return train, read(os.path.join(data_dir, name, "test.jsonl"))
    if name == "clinc150":
        return train, read(os.path.join(data_dir, name, "val.jsonl"))
    by_label = {}
    for row in train:
        by_label.setdefault(row["label"], []).append(row)
    keep, held = [], []
    for rows in by_label.values():
        cut = int(len(rows) * 0.8)
        keep.extend(rows[:cut])
        held.extend(rows[cut:])
    return keep, held


def opaque(labels, seed):
    """label -> faq-N, N from a seeded shuffle (no meaning, no alphabetical order)."""
    order = sorted(labels)
    random.Random(1000 + seed).shuffle(order)
    return {label: f"faq-{i + 1}" for i, label in enumerate(order)}


def first_n(rows, n):
    seen = {}
    out = []
    for row in rows:
        label = row["label"]
        if label is not None and seen.get(label, 0) < n:
            seen[label] = seen.get(label, 0) + 1
            out.append(row)
    return out


def protocol_data(train, traffic, protocol, seed):
    labels = sorted({r["label"] for r in train if r["label"] is not None})
    ids = opaque(labels, seed)
    if protocol.startswith("open-"):
        share = int(protocol.split("-")[1]) / 100
        shuffled = list(labels)
        random.Random(seed).shuffle(shuffled)
        known = set(shuffled[: round(share * len(labels))])
        tr = [r for r in train if r["label"] in known]
    elif protocol == "full":
        known = set(labels)
        tr = list(train)
    else:
        known = set(labels)
        tr = first_n(train, int(protocol.split("-")[1]))
    rename = lambda label: ids[label] if label in known else None
    tr = [{"text": r["text"], "label": rename(r["label"]) if r["label"] else None} for r in tr]
    te = [{"text": r["text"], "label": rename(r["label"]) if r["label"] else None} for r in traffic]
    return tr, te


def write(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def run_one(work, data_dir, name, protocol, seed, dev):
    train, traffic = splits(data_dir, name, dev)
    tr, te = protocol_data(train, traffic, protocol, seed)
    stem = os.path.join(work, f"{name}-{protocol}-{seed}")
    write(stem + ".train.jsonl", tr)
    write(stem + ".test.jsonl", te)
    with open(stem + ".toml", "w", encoding="utf-8") as out:
        subprocess.run([BIN, "import", stem + ".train.jsonl"] + IMPORT_ARGS, stdout=out, check=True)
    res = subprocess.run(
        [BIN, "eval", stem + ".toml", stem + ".test.jsonl", "--json"],
        capture_output=True, text=True, check=True,
    )
    return (name, protocol, seed), json.loads(res.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dev", action="store_true", help="development splits (to choose settings)")
    ap.add_argument("--sets", default="banking77,clinc150")
    ap.add_argument("--protocols", default=",".join(PROTOCOLS))
    ap.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    ap.add_argument("--data", default=None, help="data folder (default: data/ or ../shared/data)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--import-args", default="", help="extra arguments for replykit import")
    ap.add_argument("--json", help="write every run's figures to this file")
    ap.add_argument("--keep", help="keep the generated files (train, traffic, rule sets) in this folder")
    args = ap.parse_args()
    IMPORT_ARGS.extend(args.import_args.split())
    data_dir = args.data or next(
        d for d in (os.path.join(ROOT, "data"), os.path.join(ROOT, "..", "shared", "data"))
        if os.path.isdir(os.path.join(d, "banking77"))
    )
    subprocess.run(["cargo", "build", "--release", "--features", "cli", "--quiet"], cwd=ROOT, check=True)
    sets = args.sets.split(",")
    protocols = args.protocols.split(",")
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = []
    for name in sets:
        for p in protocols:
            for seed in (seeds if p.startswith("open-") else seeds[:1]):
                jobs.append((name, p, seed))
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(args.jobs) as pool:
        work = args.keep or tmp
        os.makedirs(work, exist_ok=True)
        results = dict(pool.map(lambda j: run_one(work, data_dir, *j, args.dev), jobs))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"-".join(map(str, k)): v for k, v in results.items()}, f, indent=1)

    def mean(name, p, metric):
        vals = [v[metric] for (n, q, _), v in results.items() if n == name and q == p]
        vals = [x for x in vals if x is not None]
        return 100 * sum(vals) / len(vals) if vals else None

    print(f"{'split: ' + ('dev' if args.dev else 'test'):<24}" + "".join(f"{m[:14]:>15}" for m in METRICS))
    for name in sets:
        for p in protocols:
            row = [mean(name, p, m) for m in METRICS]
            cells = "".join(f"{'null' if x is None else f'{x:.1f}':>15}" for x in row)
            print(f"{name + ' ' + p:<24}{cells}")
    status = 0
    if not args.dev:
        print("== targets (means over seeds)")
        for (name, p, metric), (op, target) in TARGETS.items():
            if name not in sets or p not in protocols:
                continue
            v = mean(name, p, metric)
            ok = v is not None and v >= target
            status |= 0 if ok else 1
            shown = "null" if v is None else f"{v:6.2f}"
            print(f"  {'PASS' if ok else 'MISS'}  {name} {p} {metric:<22} {shown} {op} {target}")
    sys.exit(status)


if __name__ == "__main__":
    main()
