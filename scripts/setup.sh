#!/usr/bin/env bash
# Installs every system package Scaleproof needs to build, run and test, on Debian 12 with the
# Rust toolchain already present. Idempotent: it installs only what is missing and prints nothing
# when everything is already there. Run as root (or with sudo available).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# gcc + libc6-dev: the bundled SQLite (rusqlite) is compiled from C.
# pkg-config: build scripts of -sys crates probe with it.
# python3 + time (GNU time): run the peer benchmarks in ../shared/bench/peers beside `scaleproof bench`.
# libfontconfig-dev + libfreetype-dev + fonts-dejavu-core: plotters lays out and renders chart
# text (reports, PNG charts) with the system's fonts.
# mosquitto + mosquitto-clients: the real MQTT broker the bridge tests, the README walkthrough and
# the live benchmark run against (started by them on a loopback port; nothing runs as a service),
# and mosquitto_pub, the benchmark's baseline publisher.
# chromium: cli/tests/browser.rs opens every kind of report in headless Chromium (screenshot,
# DOM after load, print to PDF), and scripts/docs.sh takes the README's screenshots with it.
PACKAGES="gcc libc6-dev pkg-config python3 time libfontconfig-dev libfreetype-dev fonts-dejavu-core mosquitto mosquitto-clients chromium"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing$missing" >&2
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
command -v cargo >/dev/null || { echo "setup: cargo not found; install the Rust toolchain (rustup) first" >&2; exit 1; }
