"""Write the dev protocol files exactly as scripts/open_intent.py --dev does (its own functions)."""
import sys, os
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import open_intent as oi
D = os.path.join(ROOT, "..", "shared", "data")
for name in ("banking77", "clinc150"):
    train, traffic = oi.splits(D, name, True)
    for p in ("open-25", "open-50", "open-75", "full"):
        for seed in ((0, 1, 2) if p.startswith("open") else (0,)):
            tr, te = oi.protocol_data(train, traffic, p, seed)
            stem = f"ours/{name}-{p}-{seed}"
            oi.write(stem + ".train.jsonl", tr); oi.write(stem + ".test.jsonl", te)
