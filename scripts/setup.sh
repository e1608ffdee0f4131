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
# libwebkit2gtk-4.1-dev: the desktop studio's webview (Tauri 2 on WebKitGTK; pulls GTK 3, libsoup 3
# and D-Bus). xvfb + xauth: the studio's tests open its real window on a virtual display;
# webkit2gtk-driver: WebKitWebDriver, which tauri-driver drives in those tests; imagemagick: the
# screenshots of that display; x11-utils: xwininfo, to wait for the window.
# mesa-vulkan-drivers + libvulkan1: the fleet view (Bevy) renders with Vulkan, on Mesa's software
# rasterizer (lavapipe) where there is no GPU; libxkbcommon-x11-0: its X11 window's keyboard.
PACKAGES="gcc libc6-dev pkg-config python3 time libfontconfig-dev libfreetype-dev fonts-dejavu-core mosquitto mosquitto-clients chromium libwebkit2gtk-4.1-dev xvfb xauth webkit2gtk-driver imagemagick x11-utils mesa-vulkan-drivers libvulkan1 libxkbcommon-x11-0"
# Node.js and npm build the studio's front end (ui/); Debian 12's own are enough (Node 18).
command -v npm >/dev/null || PACKAGES="$PACKAGES nodejs npm"

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

# tauri-driver: the WebDriver server the studio's end-to-end test talks to (a cargo binary,
# installed into the project's own .tools/, about a minute to build).
cd "$(dirname "$0")/.."
[ -x .tools/bin/tauri-driver ] || cargo install --quiet --locked --root .tools tauri-driver@2.1.0

# The studio's front end: its npm packages exactly as package-lock.json pins them, then built
# into ui/dist, which the app embeds at compile time (so this runs before any cargo command
# touches app/). Skipped when nothing changed since the last build.
cd ui
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ ! -f dist/index.html ] || [ -n "$(find src public index.html package-lock.json vite.config.ts ../schemas/scenario.schema.json -newer dist/index.html -print -quit)" ]; then
  npm run --silent build >/dev/null
fi
