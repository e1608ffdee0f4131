#!/usr/bin/env python3
"""The desktop studio's speed (run it under Xvfb; scripts/bench-studio.sh does): prints

- the first frame: how long after launch the window shows the app (`--first-frame`: the page
  reports its first painted frame, the app prints the time since launch and exits), median
  and range over RUNS launches;
- command round trips: a cheap command invoked from the page, timed in the page, with no work
  going and while a 20,000-device month runs (p50, p95, max over 200 calls each; WebKit's
  performance.now() counts whole milliseconds);
- resident memory during that run: the app's process, and with its WebKit processes.

    xvfb-run -a python3 scripts/bench_studio.py target/release/scaleproof-studio
"""

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
APP = os.path.abspath(sys.argv[1])
RUNS = int(os.environ.get("RUNS", "5"))
# The end-to-end test's WebDriver helpers (it reads the app and an output folder from argv).
sys.argv = [sys.argv[0], APP, tempfile.mkdtemp(prefix="scaleproof-bench-shots-")]
import studio as e2e  # noqa: E402

ROUND_TRIPS = """
const done = arguments[arguments.length - 1];
const invoke = window.__TAURI_INTERNALS__.invoke;
(async () => {
  const times = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await invoke("cancel_run", { job: 999999 });
    times.push(performance.now() - t);
  }
  done(times);
})();
"""


def first_frames(env):
    out = []
    for _ in range(RUNS):
        line = subprocess.run([APP, "--first-frame"], env=env, capture_output=True, text=True, timeout=60).stdout
        out.append(float(line.split("first frame ")[1].split(" ms")[0]))
    return out


def round_trips(ui):
    times = e2e.call("POST", f"/session/{ui.sid}/execute/async", {"script": ROUND_TRIPS, "args": []}, timeout=120)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.95)], times[-1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))


def family(pid):
    """The process and its descendants (the WebKit web and network processes)."""
    pids, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        for p in os.listdir("/proc"):
            if p.isdigit():
                try:
                    with open(f"/proc/{p}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == parent:
                            pids.append(int(p))
                            frontier.append(int(p))
                except (OSError, IndexError, ValueError):
                    pass
    return pids


def main():
    data = tempfile.mkdtemp(prefix="scaleproof-bench-")
    env = dict(
        os.environ,
        SCALEPROOF_DB=os.path.join(data, "runs.db"),
        XDG_DATA_HOME=os.path.join(data, "share"),
        XDG_CACHE_HOME=os.path.join(data, "cache"),
        XDG_CONFIG_HOME=os.path.join(data, "config"),
    )
    frames = first_frames(env)
    print(f"first frame after launch: median {statistics.median(frames):.0f} ms "
          f"(min {min(frames):.0f}, max {max(frames):.0f}; {RUNS} launches)")

    driver = subprocess.Popen(
        [os.path.join(ROOT, ".tools", "bin", "tauri-driver"), "--port", str(e2e.PORT), "--native-port", str(e2e.NATIVE_PORT)],
        env=env, start_new_session=True)
    sid = None
    try:
        e2e.wait_port(e2e.PORT)
        caps = {"capabilities": {"alwaysMatch": {"browserName": "wry", "tauri:options": {"application": APP}}}}
        for attempt in range(50):
            try:
                sid = e2e.call("POST", "/session", caps)["sessionId"]
                break
            except Exception:
                if attempt == 49:
                    raise
                time.sleep(0.2)
        ui = e2e.Studio(sid)
        ui.click("//ul[@aria-label='Bundled scenarios']//button[contains(., 'Mine A - pilot')]")
        ui.wait_text("//section[@aria-label='Scenario editor']//span[@role='status']", "valid")
        idle = round_trips(ui)
        print(f"command round trip, idle: p50 {idle[0]:.1f} ms, p95 {idle[1]:.1f} ms, max {idle[2]:.1f} ms (200 calls)")

        ui.type_into("//input[@type='number'][ancestor::label[contains(., 'Devices')]]", "20000")
        ui.click("//button[normalize-space()='Run']")
        ui.wait_text("//section[@aria-label='Progress']", "Online now", timeout=120)
        busy = round_trips(ui)
        app = int(subprocess.run(["pgrep", "-n", "-f", APP], capture_output=True, text=True).stdout.split()[0])
        own = rss_kib(app)
        parts = {p: rss_kib(p) for p in family(app)}
        total = sum(parts.values())
        names = {p: open(f"/proc/{p}/comm").read().strip() for p in parts}
        progress = ui.text("//section[@aria-label='Progress']/span").split(" · ")[0]
        print(f"command round trip during a 20,000-device run: p50 {busy[0]:.1f} ms, p95 {busy[1]:.1f} ms, "
              f"max {busy[2]:.1f} ms (200 calls; the run at: {progress})")
        print(f"resident memory during that run: app {own / 1024:.0f} MiB, "
              f"app and its WebKit processes {total / 1024:.0f} MiB "
              f"({', '.join(f'{names[p]} {k / 1024:.0f}' for p, k in parts.items())})")
        ui.click("//button[normalize-space()='Cancel']")
        ui.wait_text("//section[@role='alert']", "Cancelled", timeout=120)
    finally:
        if sid:
            try:
                e2e.call("DELETE", f"/session/{sid}", timeout=20)
            except Exception as e:
                print(f"closing the session: {e}", file=sys.stderr)
        os.killpg(driver.pid, signal.SIGTERM)
        driver.wait(timeout=20)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
