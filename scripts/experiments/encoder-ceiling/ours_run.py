"""Our bag-of-words model's per-message top score on each dev protocol: replykit import (the
crate's own thresholds kept aside), then suggest with suggest_threshold 0 so every message
shows its top FAQ entry and score. Writes ours/<stem>.scores.jsonl."""
import glob, json, os, re, subprocess
BIN = "bin/replykit"
for tr in sorted(glob.glob("ours/*.train.jsonl")):
    stem = tr[: -len(".train.jsonl")]
    if os.path.exists(stem + ".scores.jsonl"):
        continue
    toml = subprocess.run([BIN, "import", tr], capture_output=True, text=True, check=True).stdout
    open(stem + ".toml", "w").write(toml)
    open0 = re.sub(r"(?m)^suggest_threshold = .*$", "suggest_threshold = 0.0", toml)
    open0 = re.sub(r"(?m)^auto_reply_threshold = .*$", "auto_reply_threshold = 1.0", open0)
    open(stem + ".open.toml", "w").write(open0)
    msgs = [json.loads(l) for l in open(stem + ".test.jsonl")]
    inp = "".join(json.dumps({"id": i, "text": m["text"]}) + "\n" for i, m in enumerate(msgs))
    out = subprocess.run([BIN, "suggest", stem + ".open.toml"], input=inp, capture_output=True, text=True, check=True).stdout
    with open(stem + ".scores.jsonl", "w") as f:
        for line in out.splitlines():
            o = json.loads(line)
            s = o.get("suggestions") or []
            top = s[0] if s else {}
            f.write(json.dumps({"id": o.get("id"), "top": top.get("id"), "score": top.get("score", 0.0)}) + "\n")
    auto = re.search(r"(?m)^auto_reply_threshold = (.*)$", toml).group(1)
    print(stem, "auto_reply_threshold", auto, flush=True)
