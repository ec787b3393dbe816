#!/usr/bin/env bash
# The "discover the missing FAQ entries" protocol for `replykit report` (issue 11):
# see scripts/listen_quality.py for what it measures. Test splits by default (for
# reporting, once settings are fixed); `--dev` for the development splits settings are
# chosen on. Takes a few minutes (a `replykit import` per set and seed); not part of
# `cargo test`. Needs scikit-learn for the baseline (`pip install scikit-learn`); never
# installed by CI.
#
# Exit status: 0 when every target is met (means over the seeds), 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --features cli --quiet
exec python3 scripts/listen_quality.py "$@"
