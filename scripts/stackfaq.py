#!/usr/bin/env python3
"""StackFAQ: an FAQ page as it is (one question and one answer per entry), imported with
`replykit import-faq`, against the rephrasings people wrote of its questions (issue 10).

The page (`stackfaq/faq.jsonl`, 125 entries) is written as a CSV (question,answer) and
imported as a user would: `replykit import-faq faq.csv > faq.toml` (ids slugged from the
questions, the answers kept as `context`, the thresholds import-faq writes for a page
with no history). The 1,249 queries (`stackfaq/test.jsonl`) are split into two halves
by a seeded shuffle (Python's `random.Random(seed).shuffle`, seed 10): `dev`, on which
every setting was chosen, and `test`, for reporting only.

For comparison, the same rule set without its `context` lines (the questions alone).

    scripts/stackfaq.py                 # test half: the table, then PASS/MISS
    scripts/stackfaq.py --split dev     # the half settings are chosen on
    scripts/stackfaq.py --keep out/     # keep the CSV, the rule set and the halves

"suggestion rate" counts every query that gets an answer (suggest or auto_reply), the
complement of no_answer. Exit status: 0 when every target is met, 1 otherwise.
"""

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "replykit")
SEED = 10


def data_dir(given):
    for d in [given, os.path.join(ROOT, "data"), os.path.join(ROOT, "..", "shared", "data")]:
        if d and os.path.exists(os.path.join(d, "stackfaq", "faq.jsonl")):
            return os.path.join(d, "stackfaq")
    sys.exit("stackfaq data not found: pass --data (the folder holding stackfaq/)")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def tidy(text):
    return " ".join(text.split())


def evaluate(rules, queries, work, name):
    path = os.path.join(work, name + ".jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for q in queries:
            f.write(json.dumps(q) + "\n")
    out = subprocess.run([BIN, "eval", rules, path, "--json"], capture_output=True, check=True, text=True)
    r = json.loads(out.stdout)
    return {
        "top1": 100 * r["top1_accuracy"],
        "top3": 100 * r["top3_accuracy"],
        "suggestion rate": 100 * (r["suggest_rate"] + r["auto_reply_rate"]),
        "auto-reply rate": 100 * r["auto_reply_rate"],
        "auto-reply precision": None if r["auto_reply_precision"] is None else 100 * r["auto_reply_precision"],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=["dev", "test"], default="test")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--data", default=None, help="data folder (default: data/ or ../shared/data)")
    ap.add_argument("--keep", help="keep the generated files in this folder")
    ap.add_argument("--no-build", action="store_true", help="use target/release/replykit as it is")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--features", "cli", "--quiet"], cwd=ROOT, check=True)
    data = data_dir(args.data)
    faq = read_jsonl(os.path.join(data, "faq.jsonl"))
    queries = read_jsonl(os.path.join(data, "test.jsonl"))

    work = args.keep or tempfile.mkdtemp(prefix="stackfaq-")
    os.makedirs(work, exist_ok=True)
    page = os.path.join(work, "faq.csv")
    with open(page, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["question", "answer"])
        for e in faq:
            w.writerow([e["question"], e["answer"]])
    rules = os.path.join(work, "faq.toml")
    with open(rules, "w", encoding="utf-8") as out:
        imported = subprocess.run([BIN, "import-faq", page], stdout=out, stderr=subprocess.PIPE, text=True, check=True)
    print("import-faq:", imported.stderr.strip().splitlines()[0])
    with open(rules, "rb") as f:
        entries = tomllib.load(f)["faq"]
    # The imported ids, by question.
    ids = {tidy(e["questions"][0]): e["id"] for e in entries}
    label = {e["id"]: ids.get(tidy(e["question"])) for e in faq}
    missing = [k for k, v in label.items() if v is None]
    if missing:
        sys.exit(f"entries not imported: {missing}")
    with open(rules, encoding="utf-8") as f:
        text = f.read()
    settings = re.findall(r"^(?:suggest_threshold|auto_reply_threshold|auto_reply_margin|faq_temperature) = .*$", text, re.M)
    print("settings written:", ", ".join(settings) or "none", "(others: the defaults)")
    questions_only = os.path.join(work, "faq-questions-only.toml")
    with open(questions_only, "w", encoding="utf-8") as f:
        f.write("".join(line for line in text.splitlines(keepends=True) if not line.startswith("context = ")))

    order = list(range(len(queries)))
    random.Random(args.seed).shuffle(order)
    half = len(order) // 2
    chosen = sorted(order[:half] if args.split == "dev" else order[half:])
    traffic = [{"text": queries[i]["text"], "label": label[queries[i]["label"]]} for i in chosen]

    rows = [
        ("questions only", evaluate(questions_only, traffic, work, "questions-only")),
        ("questions + context (import-faq)", evaluate(rules, traffic, work, args.split)),
    ]
    cols = ["top1", "top3", "suggestion rate", "auto-reply rate", "auto-reply precision"]
    print(f"\nStackFAQ, {args.split} half (seed {args.seed}): {len(traffic)} queries, {len(faq)} entries")
    print(f"{'rule set':34}" + "".join(f"{c:>22}" for c in cols))
    for name, r in rows:
        cells = "".join(f"{'—' if r[c] is None else format(r[c], '.1f'):>22}" for c in cols)
        print(f"{name:34}{cells}")

    r = rows[1][1]
    targets = [
        ("top1", r["top1"], 80.0),
        ("top3", r["top3"], 90.0),
        ("suggestion rate", r["suggestion rate"], 85.0),
    ]
    if r["auto-reply precision"] is not None:
        targets.append(("auto-reply precision", r["auto-reply precision"], 97.0))
    status = 0
    print("\n== targets (questions + context)")
    for name, value, target in targets:
        ok = value >= target
        status |= 0 if ok else 1
        print(f"  {'PASS' if ok else 'MISS'}  {name:24} {value:6.1f} >= {target}")
    if not args.keep:
        for name in os.listdir(work):
            os.remove(os.path.join(work, name))
        os.rmdir(work)
    return status


if __name__ == "__main__":
    sys.exit(main())
