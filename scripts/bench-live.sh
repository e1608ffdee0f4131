#!/usr/bin/env bash
# The live benchmark: DEVICES concurrent device connections (default 10,000) publish a
# scenario's fleet to a local mosquitto as fast as the broker takes them (`scaleproof live
# --speed 0`, QoS 1, one consumer subscribed to everything as an ingestion pipeline would be);
# then, in the same session and against the same broker, mosquitto_pub publishes the same
# number of messages of the same size (QoS 1, PUBLISHERS processes in parallel). Prints
# messages per second, connections held, and the CPU seconds of Scaleproof, mosquitto_pub and
# the broker. Run scripts/setup.sh first.
#   DEVICES=10000 DURATION=1h PUBLISHERS=8 bash scripts/bench-live.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${DEVICES:-10000}
DURATION=${DURATION:-1h}
PUBLISHERS=${PUBLISHERS:-8}
SCENARIO=${SCENARIO:-scenarios/emulated-pilot.toml}
BIN=target/release/scaleproof
[ -x "$BIN" ] || cargo build --release --locked -p cli

# Each device is a socket: raise the open-file limit (as far as the hard limit allows).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((DEVICES + 100)) ]; then
  echo "bench-live: the open-file limit is $(ulimit -n); $DEVICES connections need more (ulimit -Hn as root)" >&2
  exit 1
fi

dir=$(mktemp -d)
chmod 777 "$dir"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$dir/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
max_connections -1
max_queued_messages 0
log_dest file $dir/mosquitto.log
EOF
mosquitto -c "$dir/mosquitto.conf" &
broker=$!
sub=""
cleanup() {
  [ -n "$sub" ] && kill "$sub" 2>/dev/null || true
  kill "$broker" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
  sleep 0.05
done
mosquitto_sub -p "$port" -t 'scaleproof/#' -t 'baseline/#' -q 0 > /dev/null &
sub=$!
sleep 0.3

tick=$(getconf CLK_TCK)
cpu_of() { awk -v t="$tick" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"; }

# 1. scaleproof live.
b0=$(cpu_of "$broker")
/usr/bin/time -f "%e %U %S %M" -o "$dir/live.time" \
  "$BIN" live "$SCENARIO" --broker "mqtt://127.0.0.1:$port" --devices "$DEVICES" --duration "$DURATION" \
  --speed 0 --json > "$dir/live.json"
b1=$(cpu_of "$broker")

# 2. mosquitto_pub: the same number of messages of the same size, PUBLISHERS connections.
read -r published < <(python3 -c "import json; print(json.load(open('$dir/live.json'))['published'])")
payload='{"device":"sensor-01234","class":"sensor","site":"pilot-site","seq":12345,"ts":1767225600000,"battery_pct":97.41,"fw":1,"cfg":0}'
per=$(( (published + PUBLISHERS - 1) / PUBLISHERS ))
for i in $(seq "$PUBLISHERS"); do
  python3 -c "import sys; sys.stdout.write((sys.argv[1] + '\n') * int(sys.argv[2]))" "$payload" "$per" > "$dir/lines.$i"
done
start=$(date +%s.%N)
/usr/bin/time -f "%e %U %S %M" -o "$dir/pub.time" bash -c "
  for i in \$(seq $PUBLISHERS); do
    mosquitto_pub -p $port -q 1 -i baseline-\$i -t baseline/site/pub-\$i/telemetry -l < $dir/lines.\$i &
  done
  wait"
end=$(date +%s.%N)
b2=$(cpu_of "$broker")

python3 - "$dir" "$published" "$per" "$PUBLISHERS" "$b0" "$b1" "$b2" "$start" "$end" <<'PY'
import json, sys
d, published, per, pubs, b0, b1, b2, start, end = sys.argv[1:]
live = json.load(open(f"{d}/live.json"))
lw, lu, ls, lrss = open(f"{d}/live.time").read().split()
pw, pu, ps, _ = open(f"{d}/pub.time").read().split()
n_pub = int(per) * int(pubs)
pub_wall = float(end) - float(start)
print(f"live: {live['devices']} devices, {live['connections_peak']} connections held, {live['connect_failures']} failures")
print(f"{'publisher':<34} {'messages':>10} {'msg/s':>10} {'its CPU s':>10} {'broker CPU s':>13}")
print(f"{'scaleproof live (publish phase)':<34} {live['published']:>10} {live['messages_per_s']:>10.0f} "
      f"{float(lu) + float(ls):>10.1f} {float(b1) - float(b0):>13.1f}")
print(f"{'mosquitto_pub x' + pubs:<34} {n_pub:>10} {n_pub / pub_wall:>10.0f} "
      f"{float(pu) + float(ps):>10.1f} {float(b2) - float(b1):>13.1f}")
print(f"scaleproof live: {float(lw):.1f} s wall in all (connecting {live['devices']} clients included; CPU {float(lu):.1f} s user + {float(ls):.1f} s system), "
      f"peak memory {int(lrss) / 1024:.0f} MB, {live['acknowledged']} of {live['published']} acknowledged")
PY
