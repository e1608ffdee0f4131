#!/usr/bin/env bash
# The recorder benchmark: the sustained rate at which `scaleproof pilot record` stores a pilot's
# messages (messages per second, each batch committed with fsync before it is acknowledged),
# against a local mosquitto set up like `pilot broker` (persistence, no queue limit, 1,000 in
# flight), and the recorder's peak memory. Two cases:
#   queued: the pilot published while the recorder was away (its persistent session queued
#           everything); the recorder then takes it as fast as the broker sends it;
#   live:   the recorder runs while the emulator publishes as fast as the broker takes it.
# Run scripts/setup.sh first.
#   DEVICES=40 DAYS=20 PERIOD_S=60 bash scripts/bench-record.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${DEVICES:-40}
DAYS=${DAYS:-20}
PERIOD_S=${PERIOD_S:-60}
BIN=target/release/scaleproof
[ -x "$BIN" ] || cargo build --release --locked -p cli
MAP=scenarios/maps/emulated-pilot.toml

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
user=""
[ "$(id -u)" -eq 0 ] && user="user root"
cat > "$dir/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $dir/
max_queued_messages 0
max_inflight_messages 1000
log_dest file $dir/mosquitto.log
$user
EOF
mosquitto -c "$dir/mosquitto.conf" &
broker=$!
trap 'kill $broker 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
  sleep 0.05
done
url="mqtt://127.0.0.1:$port"
IDLE=5
record() { # NAME DB -> JSON summary in $dir/NAME.json, time in $dir/NAME.time
  /usr/bin/time -f "%e %M" -o "$dir/$1.time" \
    "$BIN" pilot record --broker "$url" --map "$MAP" --name "$1" --idle-timeout "${IDLE}s" --json --db "$2" > "$dir/$1.json"
}

# Queued: make the session, leave, publish, come back.
"$BIN" pilot record --broker "$url" --map "$MAP" --name queued --duration 1s --db "$dir/queued.db" > /dev/null
"$BIN" pilot emulate --broker "$url" --devices "$DEVICES" --days "$DAYS" --period-s "$PERIOD_S" --json > "$dir/emu1.json"
record queued "$dir/queued.db"

# Live: the recorder first, then the emulator.
record live "$dir/live.db" &
rec=$!
sleep 0.5
"$BIN" pilot emulate --broker "$url" --devices "$DEVICES" --days "$DAYS" --period-s "$PERIOD_S" --json > "$dir/emu2.json"
wait "$rec"

python3 - "$dir" "$IDLE" <<'PY'
import json, sys
d, idle = sys.argv[1], float(sys.argv[2])
print(f"{'case':<8} {'published':>10} {'stored':>10} {'duplicates':>10} {'reconnects':>10} {'msg/s stored':>13} {'peak RSS MB':>12}")
for case, emu in (("queued", "emu1"), ("live", "emu2")):
    s = json.load(open(f"{d}/{case}.json"))
    e = json.load(open(f"{d}/{emu}.json"))
    wall, rss = open(f"{d}/{case}.time").read().split()
    busy = s["wall_s"] - idle  # the idle timeout is waiting, not storing
    print(f"{case:<8} {e['published']:>10} {s['received']:>10} {s['duplicates']:>10} {s['reconnects']:>10} "
          f"{s['received'] / busy:>13.0f} {int(rss) / 1024:>12.1f}")
PY
