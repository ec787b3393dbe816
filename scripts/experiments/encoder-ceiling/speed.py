"""Embedding speed on this CPU, one thread (OPENBLAS_NUM_THREADS=1 set by the caller)."""
import json, time, sys
from minilm import MiniLM
import os
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
texts = [json.loads(l)["text"] for l in open(os.path.join(ROOT, "..", "shared", "data", "clinc150", "val.jsonl"))][:600]
m = MiniLM()
m.encode(texts[:64])  # warm-up
for bs in (1, 32):
    n = 200 if bs == 1 else 600
    t = time.perf_counter(); m.encode(texts[:n], batch_size=bs); dt = time.perf_counter() - t
    print(f"batch {bs}: {n / dt:.1f} sentences/s ({1000 * dt / n:.2f} ms/sentence)")
encs = m.tok.encode_batch(texts)
print(f"mean tokens per message (with [CLS]/[SEP]): {sum(len(e.ids) for e in encs) / len(encs):.1f}")
