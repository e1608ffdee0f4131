#!/usr/bin/env bash
# Runs the fuzz harnesses (sim-core/tests/fuzz.rs: scenarios, price books, the engine on small
# valid mutants; bridge/tests/fuzz_map.rs: pilot payloads and mapping files) much longer than CI does, with a fresh random
# seed printed first so a failure can be replayed:
#   SCALEPROOF_FUZZ_SEED=<seed> SCALEPROOF_FUZZ_ONLY=<input> cargo test -p sim-core --test fuzz -- --nocapture
#
# Usage: scripts/fuzz.sh [INPUTS] [SEED]   (default: 2,000,000 inputs, a random seed)
#
# Release build for speed, with overflow checks and debug assertions kept on: an overflow is a
# crash the harness must see, not a silent wrap.
set -euo pipefail
cd "$(dirname "$0")/.."

inputs="${1:-${SCALEPROOF_FUZZ_INPUTS:-2000000}}"
seed="${2:-${SCALEPROOF_FUZZ_SEED:-0x$(od -An -N8 -tx8 /dev/urandom | tr -d ' \n')}}"
echo "fuzz: seed ${seed}, ${inputs} inputs"

export SCALEPROOF_FUZZ_INPUTS="$inputs" SCALEPROOF_FUZZ_SEED="$seed"
export CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true
cargo test -p sim-core --locked --release --test fuzz -- --nocapture
cargo test -p bridge --locked --release --test fuzz_map -- --nocapture
