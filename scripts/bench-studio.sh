#!/usr/bin/env bash
# The desktop studio's speed on a virtual display (Xvfb), release build: the first frame after
# launch, command round trips from the page idle and during a 20,000-device run, and resident
# memory during that run (scripts/bench_studio.py says how each is taken). Run
# scripts/setup.sh first.   RUNS=5 bash scripts/bench-studio.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p scaleproof-studio
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
exec xvfb-run -a -s "-screen 0 1280x800x24" python3 scripts/bench_studio.py target/release/scaleproof-studio
