"""all-MiniLM-L6-v2 forward pass in plain numpy (no torch): BERT encoder + mean pooling +
L2 normalisation, exactly the sentence-transformers pipeline of the packaged model
(modules.json: Transformer -> Pooling(mean) -> Normalize; max_seq_length 256).
Weights are read from model.safetensors with a 20-line reader (no extra package)."""
import json, os, struct
import numpy as np
from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "model")

def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        base = 8 + n
    buf = np.memmap(path, dtype=np.uint8, mode="r")
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":  # e.g. the I64 position_ids buffer: not a weight
            continue
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(buf[base + a: base + b], dtype=np.float32).reshape(info["shape"]).copy()
    return out

def _ln(x, g, b, eps=1e-12):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * g + b

def _gelu(x):
    # exact (erf) GELU, as HF "gelu"
    from scipy.special import erf
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))

class MiniLM:
    def __init__(self, model_dir=MODEL, max_len=256):
        cfg = json.load(open(os.path.join(model_dir, "config.json")))
        self.L, self.H, self.nh = cfg["num_hidden_layers"], cfg["hidden_size"], cfg["num_attention_heads"]
        self.w = load_safetensors(os.path.join(model_dir, "model.safetensors"))
        # key prefix: "embeddings." or "bert.embeddings."
        self.p = "" if "embeddings.word_embeddings.weight" in self.w else "bert."
        self.tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(max_len)

    def _W(self, k):
        return self.w[self.p + k]

    def forward(self, ids, mask):
        B, T = ids.shape
        W = self._W
        x = W("embeddings.word_embeddings.weight")[ids] + W("embeddings.position_embeddings.weight")[:T][None] \
            + W("embeddings.token_type_embeddings.weight")[0][None, None]
        x = _ln(x, W("embeddings.LayerNorm.weight"), W("embeddings.LayerNorm.bias"))
        hd = self.H // self.nh
        bias = (1.0 - mask[:, None, None, :].astype(np.float32)) * np.float32(-1e9)
        for l in range(self.L):
            pre = f"encoder.layer.{l}."
            def lin(inp, name):
                return inp @ W(pre + name + ".weight").T + W(pre + name + ".bias")
            q = lin(x, "attention.self.query").reshape(B, T, self.nh, hd).transpose(0, 2, 1, 3)
            k = lin(x, "attention.self.key").reshape(B, T, self.nh, hd).transpose(0, 2, 3, 1)
            v = lin(x, "attention.self.value").reshape(B, T, self.nh, hd).transpose(0, 2, 1, 3)
            s = (q @ k) / np.float32(np.sqrt(hd)) + bias
            s = s - s.max(-1, keepdims=True)
            e = np.exp(s)
            a = e / e.sum(-1, keepdims=True)
            c = (a @ v).transpose(0, 2, 1, 3).reshape(B, T, self.H)
            x = _ln(lin(c, "attention.output.dense") + x,
                    W(pre + "attention.output.LayerNorm.weight"), W(pre + "attention.output.LayerNorm.bias"))
            h = _gelu(lin(x, "intermediate.dense"))
            x = _ln(lin(h, "output.dense") + x, W(pre + "output.LayerNorm.weight"), W(pre + "output.LayerNorm.bias"))
        m = mask[..., None].astype(np.float32)
        pooled = (x * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def encode(self, texts, batch_size=64):
        encs = self.tok.encode_batch(list(texts))
        order = np.argsort([len(e.ids) for e in encs])  # length-sorted batches: little padding
        out = np.zeros((len(texts), self.H), dtype=np.float32)
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            T = max(len(encs[j].ids) for j in idx)
            ids = np.zeros((len(idx), T), dtype=np.int64)
            mask = np.zeros((len(idx), T), dtype=np.int64)
            for r, j in enumerate(idx):
                n = len(encs[j].ids)
                ids[r, :n] = encs[j].ids
                mask[r, :n] = 1
            out[idx] = self.forward(ids, mask)
        return out

if __name__ == "__main__":
    m = MiniLM()
    s = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    e = m.encode(s)
    print(np.round(e @ e.T, 4))
    # padding must not change an embedding
    e1 = m.encode(s[:1]); e2 = m.encode(s, batch_size=3)
    print("pad invariance max diff", float(np.abs(e1[0] - e2[0]).max()))
