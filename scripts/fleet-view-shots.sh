#!/usr/bin/env bash
# The README's fleet-view pictures (docs/fleet-view/), made the way a user makes them: the mine
# production scenario (20,000 devices, 30 days, its firmware release and key leak moved into the
# 30 days) run with its playback into a scratch database, then stills and the demo's slides
# rendered with no window system. Uses the release binaries when built, else the debug ones.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release
[ -x "$bin/scaleproof-view" ] && [ -x "$bin/scaleproof" ] || bin=target/debug
out=docs/fleet-view
db="$(mktemp -d)/runs.db"
export SCALEPROOF_DB="$db" XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
"$bin/scaleproof" run scenarios/mine-production.toml --playback --set scenario.duration=30d \
  --set "event.1.at=20d" --set "event.2.at=25d" >/dev/null
"$bin/scaleproof-view" last --screenshot "$out/mine-cut-buffering.png" --at "12d 14:00"
"$bin/scaleproof-view" last --screenshot "$out/mine-cut-losing-data.png" --at "13d 03:30"
"$bin/scaleproof-view" last --screenshot "$out/mine-device-details.png" --at "13d 03:30" --select device:0
slides="$(mktemp -d)"
"$bin/scaleproof-view" last --demo-frames "$slides" >/dev/null
# The README shows the north shaft's story and the card; all the slides stay in $slides.
rm -f "$out"/demo-*.png
for f in "$slides"/*.png; do
  case "$(basename "$f")" in
    *-12d-10-00.png | *-13d-03-00.png | *-13d-04-00.png | *-summary.png) cp "$f" "$out/demo-$(basename "$f")" ;;
  esac
done
echo "fleet-view-shots: wrote $out (3 stills, $(ls "$out"/demo-*.png | wc -l) of the $(ls "$slides" | wc -l) demo slides in $slides) from run $("$bin/scaleproof" show last --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["run_id"])')" >&2
