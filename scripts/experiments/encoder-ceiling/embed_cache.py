"""Embed every message of the dev files once; cache as emb/<set>_<split>.npy (rows in file order)."""
import json, os, time
import numpy as np
from minilm import MiniLM
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
DATA = os.path.join(ROOT, "..", "shared", "data")
os.makedirs("emb", exist_ok=True)
m = None
for name, split in (("banking77", "train"), ("clinc150", "train"), ("clinc150", "val")):
    out = f"emb/{name}_{split}.npy"
    if os.path.exists(out):
        continue
    m = m or MiniLM()
    texts = [json.loads(l)["text"] for l in open(f"{DATA}/{name}/{split}.jsonl") if l.strip()]
    t = time.perf_counter()
    e = m.encode(texts, batch_size=32)
    dt = time.perf_counter() - t
    np.save(out, e)
    print(f"{out}: {len(texts)} texts in {dt:.0f} s ({len(texts) / dt:.1f}/s)", flush=True)
