#!/usr/bin/env bash
# Regenerates every figure and image in README.md and docs/: it builds the release binary, runs the
# commands the documents show (the main sweep, a run, a sensitivity study) on a scratch database,
# writes their terminal output between the documents' markers
#
#   <!-- BEGIN generated:NAME -->
#   ... (replaced, starting with "generated on DATE on MACHINE")
#   <!-- END generated:NAME -->
#
# and takes the screenshots (scripts/screenshot.sh, headless Chromium) and chart PNGs into
# docs/img/. Run scripts/setup.sh first. It took 21 min on 2 shared cores (2026-12-03), after the build:
# the main sweep and the run each go to 20 replications while the delivery target stays undecided.
# cli/tests/docs.rs checks that every block is well-formed and named here, so a hand edit shows.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

cargo build --release --locked -p cli
bin=$root/target/release/scaleproof

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The commands run as the documents print them, from a folder that looks like the repository root
# (scenarios and price books linked in), on a database of their own.
ln -s "$root/scenarios" "$work/scenarios"
ln -s "$root/pricebooks" "$work/pricebooks"
export SCALEPROOF_DB="$work/runs.db"
cd "$work"

cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
machine="$(uname -m), ${cpu:-unknown CPU}, $(nproc) cores"
today=$(date -u +%F)
commit=$(git -C "$root" rev-parse --short HEAD)
# The line every generated block starts with: when, where, and what it took.
stamp() { printf '_generated on %s on %s by `scripts/docs.sh` at commit %s%s_\n' "$today" "$machine" "$commit" "${1:+; $1}"; }

# Runs a command, keeps its standard output for a block, and says how long it took.
took=""
capture() {
  local out=$1
  shift
  local start=$SECONDS
  echo "docs: $*" >&2
  "$@" >"$out"
  took="$((SECONDS - start)) s wall, release build"
  # The scratch database appears in the output as where a user's database is by default.
  sed -i "s#$work/runs.db#~/.local/share/scaleproof/runs.db#g" "$out"
}

# Replaces the block NAME in FILE (a path from the repository root) with the file CONTENT.
block() {
  python3 - "$root/$1" "$2" "$3" <<'EOF'
import sys
path, name, content = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
begin, end = f"<!-- BEGIN generated:{name} -->", f"<!-- END generated:{name} -->"
text = open(path).read()
if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
    sys.exit(f"docs: {path} needs exactly one {begin} ... {end}")
head, rest = text.split(begin)
_, tail = rest.split(end)
open(path, "w").write(head + begin + "\n" + content.rstrip("\n") + "\n" + end + tail)
EOF
}

# A block of terminal output: the stamp, then the output as a text block.
output_block() {
  { stamp "$took"; echo; echo '```text'; cat "$3"; echo '```'; } >"$work/block.md"
  block "$1" "$2" "$work/block.md"
}

shot() { bash "$root/scripts/screenshot.sh" "$@" >&2; }

img=$root/docs/img
mkdir -p "$img"

# 1. The README's first command: the business case of the production mine at four sizes.
capture sweep.txt "$bin" sweep scenarios/mine-production.toml --over devices=20,200,2000,20000 \
  --report mine-business-case.html
output_block README.md sweep-output sweep.txt
sweep_id=$(grep -o 'Stored as sweep[: ]*[0-9]*' sweep.txt | tr -dc '0-9')
shot --height 800 mine-business-case.html "$img/sweep-report-first-screen.png"
shot mine-business-case.html "$img/sweep-report.png"
rm -rf "$img/sweep-charts"
"$bin" report "sweep:$sweep_id" --out again.html --png "$img/sweep-charts" >/dev/null
{
  stamp "screenshots by headless Chromium at 1280 px, charts by \`scaleproof report sweep:$sweep_id --png\`"
  echo
  echo '![The first screen of mine-business-case.html](docs/img/sweep-report-first-screen.png)'
  echo
  echo '![The cost curve: TCO per device-year with 95 % bands, targets dashed](docs/img/sweep-charts/01-cost-curve.png)'
} >"$work/block.md"
block README.md sweep-screenshots "$work/block.md"
{
  stamp "headless Chromium at 1280 px, the whole page"
  echo
  echo '![The whole sweep report](img/sweep-report.png)'
} >"$work/block.md"
block docs/reports.md sweep-report "$work/block.md"

# 2. A run of the production mine with its report.
capture run.txt "$bin" run scenarios/mine-production.toml --report mine-production.html
output_block docs/reports.md run-output run.txt
shot mine-production.html "$img/run-report.png"
{
  stamp "headless Chromium at 1280 px, the whole page"
  echo
  echo '![The whole run report of the production mine](img/run-report.png)'
} >"$work/block.md"
block docs/reports.md run-report "$work/block.md"

# 3. The sensitivity study behind the tornado.
capture sensitivity.txt "$bin" sensitivity scenarios/mine-production.toml --on tco_per_device_year \
  --vary power.li-socl2-19ah.capacity_mah=-20%,+20% --vary fleet.vibration.afr_pct=-50%,+50% \
  --vary price.connectivity.telnyx-per-sim.monthly_fee=-20%,+20% --vary price.labour.truck_roll=-20%,+20% \
  --vary price.hardware.lte-m-vibration-sensor.tiers.3.price=-20%,+20% --report tornado.html
study_id=$(grep -o 'Stored as sweep[: ]*[0-9]*' sensitivity.txt | tr -dc '0-9')
rm -rf "$img/tornado"
"$bin" report "sweep:$study_id" --out again.html --png "$img/tornado" >/dev/null
output_block docs/reports.md sensitivity-output sensitivity.txt
{
  stamp "by \`scaleproof report sweep:$study_id --png\`"
  echo
  echo '![Tornado chart: which assumption moves the TCO per device-year most](img/tornado/01-tornado.png)'
} >"$work/block.md"
block docs/reports.md tornado "$work/block.md"

echo "docs: README.md and docs/ regenerated; review with git diff" >&2
