#!/usr/bin/env bash
# Every check CI runs, in one script that works the same locally: formatting, lints, the
# dependency-direction rule, and all tests. Run scripts/setup.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

echo "== cargo fmt --check"
cargo fmt --all --check

echo "== cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== sim-core stays free of IO, UI and async crates"
for forbidden in rusqlite tokio rumqttc tauri bevy; do
  if cargo tree -p sim-core -e normal --locked --prefix none 2>/dev/null | grep -q "^$forbidden "; then
    echo "sim-core depends on $forbidden" >&2
    exit 1
  fi
done

echo "== front ends reach the workspace through studio alone"
# cli, the app and the fleet view may depend on studio and outside crates, never on another
# workspace crate: every call goes through the one façade.
workspace_crates="sim-core store report bridge"
for frontend in cli scaleproof-studio fleet-view; do
  direct=$(cargo tree -p "$frontend" -e normal --depth 1 --locked --prefix none 2>/dev/null | tail -n +2 | awk '{print $1}')
  for c in $workspace_crates; do
    if echo "$direct" | grep -qx "$c"; then
      echo "$frontend depends on $c directly: go through studio" >&2
      exit 1
    fi
  done
  echo "$direct" | grep -qx studio || { echo "$frontend does not depend on studio" >&2; exit 1; }
done

echo "== front end: type check (svelte-check, strict TypeScript), lint (ESLint) and unit tests (vitest)"
(cd ui && npm run --silent check && npm run --silent lint && npm run --silent test)

echo "== tests"
cargo test --workspace --locked

echo "== the fleet view: the real binary in a real window (Xvfb), 60 frames of a run's playback, then its demo"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
view_db="$(mktemp -d)/runs.db"
SCALEPROOF_DB="$view_db" target/debug/scaleproof run scenarios/mine-pilot.toml --playback --replications 1 --set scenario.duration=3d >/dev/null
SCALEPROOF_DB="$view_db" xvfb-run -a -s "-screen 0 1280x800x24" target/debug/scaleproof-view last --frames 60
SCALEPROOF_DB="$view_db" xvfb-run -a -s "-screen 0 1280x800x24" target/debug/scaleproof-view last --demo --frames 120
SCALEPROOF_DB="$view_db" target/debug/scaleproof view last --screenshot target/fleet-view-still.png --at 2d --size 960x600
test -s target/fleet-view-still.png
rm -rf target/fleet-view-slides
SCALEPROOF_DB="$view_db" target/debug/scaleproof view last --demo-frames target/fleet-view-slides --size 960x600
test -s target/fleet-view-slides/01-0d-00-00.png
# Live: the engine runs at the window's pace; closing the window after 120 frames stops the run,
# which then plays back as far as it went.
SCALEPROOF_DB="$view_db" xvfb-run -a -s "-screen 0 1280x800x24" target/debug/scaleproof-view --live scenarios/mine-pilot.toml --set scenario.duration=3d --frames 120 | grep -q "stored cancelled"
SCALEPROOF_DB="$view_db" target/debug/scaleproof view last --screenshot target/fleet-view-live.png --size 640x400
test -s target/fleet-view-live.png
echo "the fleet view ran 60 frames, its demo and a live run under Xvfb, and wrote target/fleet-view-still.png and the demo's slides"

echo "== the desktop studio end to end: the real app in a real window (Xvfb), through WebDriver"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
xvfb-run -a -s "-screen 0 1280x800x24" python3 tests/e2e/studio.py target/debug/scaleproof-studio target/studio-screenshots
