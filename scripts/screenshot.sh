#!/usr/bin/env bash
# Opens an HTML report in headless Chromium (installed by scripts/setup.sh) and writes what it
# rendered: a PNG of the whole page at WIDTH pixels (or of its first HEIGHT pixels), and on request
# the DOM after load, the browser's console output and the page printed to PDF (print media, as
# the browser's Print does it). cli/tests/browser.rs and scripts/docs.sh both take their pictures with it.
#
#   bash scripts/screenshot.sh [--width W] [--height H] [--dom FILE] [--console FILE] [--pdf FILE] PAGE.html OUT.png
#
# Chromium's --screenshot captures the window, so a full-page picture needs the page's height
# first: a copy of the page with one line of script that writes document.documentElement's
# scrollHeight into the DOM is loaded at the same width with --dump-dom, and the window is then
# made that tall (at most 16,384 pixels, the compositor's limit). That dump is also the DOM after
# load that --dom writes (the copy differs from the page by that script and one attribute).
set -euo pipefail

width=1280 height="" dom="" console="" pdf=""
while [ $# -gt 2 ]; do
  case "$1" in
    --width) width=$2; shift 2 ;;
    --height) height=$2; shift 2 ;;
    --dom) dom=$2; shift 2 ;;
    --console) console=$2; shift 2 ;;
    --pdf) pdf=$2; shift 2 ;;
    *) echo "screenshot: unknown option $1" >&2; exit 2 ;;
  esac
done
[ $# -eq 2 ] || { echo "usage: screenshot.sh [--width W] [--height H] [--dom FILE] [--console FILE] [--pdf FILE] PAGE.html OUT.png" >&2; exit 2; }
page=$(realpath "$1")
png=$(realpath -m "$2")

chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then
  echo "screenshot: chromium is not installed; run scripts/setup.sh (it installs Debian's chromium)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# New headless mode (plain --headless since Chromium 132), no GPU, no sandbox (CI runs as root),
# a profile of its own so that parallel calls never share one; the log carries console messages.
browse() {
  "$chromium" --headless --disable-gpu --no-sandbox --hide-scrollbars --no-first-run \
    --user-data-dir="$work/profile" --enable-logging=stderr --v=0 "$@" 2>>"$work/log"
}

{
  cat "$page"
  printf '%s\n' '<script>document.body.setAttribute("data-scroll-height", String(document.documentElement.scrollHeight));</script>'
} >"$work/measure.html"
browse --window-size="$width,800" --dump-dom "file://$work/measure.html" >"$work/dom.html"
measured=$(grep -o 'data-scroll-height="[0-9]*"' "$work/dom.html" | head -1 | tr -dc '0-9')
if [ -z "$measured" ]; then
  echo "screenshot: could not measure the page's height; Chromium said:" >&2
  cat "$work/log" >&2
  exit 1
fi
[ -n "$dom" ] && cp "$work/dom.html" "$dom"
if [ -n "$console" ]; then
  # Chromium logs every console message and uncaught error of the page as INFO:CONSOLE.
  grep -F ':CONSOLE' "$work/log" >"$console" || true
fi

if [ -z "$height" ]; then
  height=$measured
  if [ "$height" -gt 16384 ]; then
    echo "screenshot: $page is $height pixels tall; the picture stops at 16384" >&2
    height=16384
  fi
fi
browse --window-size="$width,$height" --screenshot="$png" "file://$page" >/dev/null
[ -s "$png" ] || { echo "screenshot: Chromium wrote no $png; it said:" >&2; cat "$work/log" >&2; exit 1; }

if [ -n "$pdf" ]; then
  pdf=$(realpath -m "$pdf")
  browse --no-pdf-header-footer --print-to-pdf="$pdf" "file://$page" >/dev/null
  [ -s "$pdf" ] || { echo "screenshot: Chromium wrote no $pdf; it said:" >&2; cat "$work/log" >&2; exit 1; }
fi
echo "$png: ${width}x$height (page $measured pixels tall)"
