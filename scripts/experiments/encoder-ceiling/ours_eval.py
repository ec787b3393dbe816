"""replykit eval of the crate's own imported rule sets (its own CV thresholds) on the dev traffic."""
import glob, json, os, subprocess
for toml in sorted(glob.glob("ours/*.toml")):
    if toml.endswith(".open.toml"):
        continue
    stem = toml[:-5]
    out = stem + ".eval.json"
    if not os.path.exists(out):
        r = subprocess.run(["bin/replykit", "eval", toml, stem + ".test.jsonl", "--json"], capture_output=True, text=True, check=True)
        open(out, "w").write(r.stdout)
