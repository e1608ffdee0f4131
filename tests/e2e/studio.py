#!/usr/bin/env python3
"""End-to-end test of the desktop studio: the real app in a real window (run it under Xvfb),
driven through WebDriver (tauri-driver + WebKitWebDriver). Standard library only.

It opens a bundled scenario, types in its editor by keyboard (completion from the schema, a
mistake seen at its line, then fixed), runs it at a small fleet size and reads the verdict, KPI
tiles and charts, starts a 20,000-device run, sees its progress and cancels it, compares two
runs and exports a report, saves a bundled scenario as the user's own file, edits and saves it,
sweeps it over two fleet sizes for the cost curve, studies its sensitivity, and on the pilot
screen starts a private broker, records an emulated pilot beside its twin, calibrates the twin,
compares and writes the report. Each screen is saved as a PNG in the folder given as the second
argument.

    xvfb-run -a -s "-screen 0 1280x800x24" python3 tests/e2e/studio.py target/debug/scaleproof-studio OUT
"""

import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

APP = os.path.abspath(sys.argv[1])
OUT = os.path.abspath(sys.argv[2])


def free_port():
    """A port nothing listens on now (the driver's, so that two test runs never meet)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = free_port()
NATIVE_PORT = free_port()
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# WebDriver key codes (modifiers stay down until NULL).
NULL, TAB, SHIFT, CTRL, ESCAPE, END, HOME, DOWN = "\ue000", "\ue004", "\ue008", "\ue009", "\ue00c", "\ue010", "\ue011", "\ue015"
F1, RIGHT = "\ue031", "\ue014"


def call(method, path, body=None, timeout=60, attempts=4):
    data = None if body is None else json.dumps(body).encode()
    for attempt in range(attempts):
        req = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=data, method=method)
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: {e.code} {e.read()[:500]!r}") from None
        except (ConnectionResetError, http.client.RemoteDisconnected):
            # tauri-driver reuses a kept-alive connection to WebKitWebDriver that WebKitWebDriver
            # has just closed; the request never reached it, so sending it again is safe.
            if attempt == attempts - 1:
                raise
            time.sleep(0.3)


class Studio:
    def __init__(self, sid):
        self.sid = sid

    def find(self, xpath, timeout=30):
        """The first element at `xpath`, waiting for it to appear."""
        end = time.time() + timeout
        while True:
            try:
                return call("POST", f"/session/{self.sid}/element", {"using": "xpath", "value": xpath})[ELEMENT]
            except RuntimeError:
                if time.time() > end:
                    raise RuntimeError(f"no element {xpath} within {timeout} s:\n{self.text('//body')}")
                time.sleep(0.2)

    def click(self, xpath):
        call("POST", f"/session/{self.sid}/element/{self.find(xpath)}/click", {})

    def text(self, xpath):
        el = call("POST", f"/session/{self.sid}/element", {"using": "xpath", "value": xpath})[ELEMENT]
        return call("GET", f"/session/{self.sid}/element/{el}/text")

    def js(self, script, *args):
        return call("POST", f"/session/{self.sid}/execute/sync", {"script": script, "args": list(args)})

    def editor(self):
        """The editor's text area (CodeMirror's content, inside the editor's shadow root)."""
        return self.js(
            "return document.querySelector('[data-testid=scenario-editor]').shadowRoot.querySelector('.cm-content');"
        )[ELEMENT]

    def keys(self, text, element=None):
        """Types `text` (WebDriver key codes included) into the editor, as a person would."""
        el = element or self.editor()
        call("POST", f"/session/{self.sid}/element/{el}/value", {"text": text})

    def edit_line(self, n, text):
        """Replaces line `n` (1-based) of the editor with `text`, by keyboard."""
        # One request per step, with a pause: sent at once, keys pressed while the editor still
        # scrolls or reads its DOM back are lost.
        for step in (CTRL + HOME + NULL, DOWN * (n - 1), HOME + SHIFT + END + NULL, text):
            self.keys(step)
            time.sleep(0.3)

    def wait_editor(self, selector, needle, timeout=30):
        """Waits for an element of the editor (inside its shadow root) that shows `needle`."""
        end = time.time() + timeout
        script = (
            "const el = document.querySelector('[data-testid=scenario-editor]')"
            ".shadowRoot.querySelector(arguments[0]); return el ? el.textContent : null;"
        )
        while True:
            t = self.js(script, selector)
            if t is not None and needle in t:
                return t
            if time.time() > end:
                raise AssertionError(f"the editor never showed {selector} with {needle!r}; last: {t!r}")
            time.sleep(0.2)

    def wait_form(self, xpath, value, timeout=30):
        """Waits for the form's field at `xpath` to hold `value` (the form re-reads the text)."""
        end = time.time() + timeout
        script = "return document.evaluate(arguments[0], document, null, 9, null).singleNodeValue.value;"
        while (v := self.js(script, xpath)) != value:
            if time.time() > end:
                raise AssertionError(f"{xpath} holds {v!r}, not {value!r}")
            time.sleep(0.2)

    def type_into(self, xpath, value):
        """Sets a field's value as typing would (an `input` event follows)."""
        self.js(
            "const el = document.evaluate(arguments[0], document, null, 9, null).singleNodeValue;"
            "el.value = arguments[1]; el.dispatchEvent(new Event('input', {bubbles: true}));",
            xpath,
            value,
        )

    def wait_text(self, xpath, needle, timeout=60):
        end = time.time() + timeout
        while True:
            try:
                t = self.text(xpath)
                if needle in t:
                    return t
            except RuntimeError:
                t = "(not there)"
            if time.time() > end:
                raise AssertionError(f"{xpath} never showed {needle!r}; last: {t!r}")
            time.sleep(0.2)

    def screenshot(self, name):
        # WebKit may hand back the previous frame right after a change (build notes, 4d).
        time.sleep(1.5)
        png = base64.b64decode(call("GET", f"/session/{self.sid}/screenshot"))
        with open(os.path.join(OUT, f"{name}.png"), "wb") as f:
            f.write(png)


def wait_port(port, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def main():
    os.makedirs(OUT, exist_ok=True)
    data = tempfile.mkdtemp(prefix="scaleproof-e2e-")
    # The app's own data (WebKit's local storage: the user's file list) in the temporary folder too.
    env = dict(
        os.environ,
        SCALEPROOF_DB=os.path.join(data, "runs.db"),
        SCALEPROOF_STUDIO_SAVE_DIR=data,
        XDG_DATA_HOME=os.path.join(data, "share"),
        XDG_CACHE_HOME=os.path.join(data, "cache"),
        XDG_CONFIG_HOME=os.path.join(data, "config"),
        XDG_STATE_HOME=os.path.join(data, "state"),
    )
    driver_bin = shutil.which("tauri-driver", path=os.path.abspath(".tools/bin") + os.pathsep + env["PATH"])
    if not driver_bin:
        sys.exit("tauri-driver not found: run `bash scripts/setup.sh`")
    driver = subprocess.Popen([driver_bin, "--port", str(PORT), "--native-port", str(NATIVE_PORT)], env=env, start_new_session=True)
    sid = None
    passed = []
    try:
        wait_port(PORT)
        caps = {"capabilities": {"alwaysMatch": {"browserName": "wry", "tauri:options": {"application": APP}}}}
        # tauri-driver answers before its WebKitWebDriver does: retry the first request.
        for attempt in range(50):
            try:
                sid = call("POST", "/session", caps)["sessionId"]
                break
            except (RuntimeError, ConnectionError, urllib.error.URLError):
                if attempt == 49:
                    raise
                time.sleep(0.2)
        ui = Studio(sid)

        # The library lists the bundled scenarios; open the mine pilot.
        ui.click("//ul[@aria-label='Bundled scenarios']//button[contains(., 'Mine A - pilot')]")
        ui.wait_text("//section[@aria-label='Scenario editor']//span[@role='status']", "valid")
        ui.screenshot("01-library-and-editor")
        original = open(os.path.join(ROOT, "scenarios", "mine-pilot.toml"), encoding="utf-8").read()
        lines = original.split("\n")
        n = next(i for i, l in enumerate(lines) if l.strip().startswith("count =")) + 1
        passed.append("opened a bundled scenario")

        # Completion from the schema: a key of the class's table that the file does not set yet.
        schema = json.load(open(os.path.join(ROOT, "schemas", "scenario.schema.json"), encoding="utf-8"))
        keys = schema["properties"]["fleet"]["additionalProperties"]["properties"]
        table_end = next((i for i in range(n, len(lines)) if lines[i].startswith("[")), len(lines))
        # The edited line is cleared first, so its own key is free again.
        taken = {l.split("=")[0].strip() for l in lines[n:table_end] if "=" in l}
        key = sorted(k for k in keys if k not in taken)[0]
        ui.edit_line(n, key[:3])
        ui.wait_editor(".cm-tooltip-autocomplete", key)
        ui.screenshot("02-completion")
        ui.keys(ESCAPE)

        # A mistake shows at its line as the user types; fixing it clears it.
        ui.edit_line(n, 'count = "many"')
        ui.wait_text("//section[@aria-label='Scenario editor']//span[@role='status']", "problem")
        listed = ui.wait_text("//ul[@aria-label='Problems']", f"line {n}:")
        assert ".count" in listed, listed
        ui.wait_editor(".cm-lint-marker-error", "")
        ui.screenshot("03-a-problem-at-its-line")
        ui.edit_line(n, lines[n - 1])
        ui.wait_text("//section[@aria-label='Scenario editor']//span[@role='status']", "valid")
        passed.append(f"completed a key from the schema, saw the problem at line {n} and fixed it")

        # The form writes into the same text: the class's size set there is what the text holds.
        count = "//input[@id='field-fleet-vibration-count']"
        assert ui.js("return document.evaluate(arguments[0], document, null, 9, null).singleNodeValue.value;", count) == "20"
        # Select what the field holds and type over it, as a person would (a WebDriver clear
        # would commit the empty field first: the key removed, then added at the table's end).
        ui.keys(CTRL + "a" + NULL, ui.find(count))
        ui.keys("40" + TAB, ui.find(count))
        ui.wait_text("//section[@aria-label='Scenario editor']//span[@role='status']", "valid")
        ui.wait_editor(".cm-content", "count = 40")
        ui.screenshot("03b-the-form")
        ui.keys(CTRL + "a" + NULL, ui.find(count))
        ui.keys("20" + TAB, ui.find(count))
        ui.wait_editor(".cm-content", "count = 20")
        passed.append("set the class's size in the form and saw the text follow")

        # A diff of two scenarios: the pilot as edited against the production design.
        ui.js(
            "const s = document.querySelector('select[aria-label=\"Compare with\"]');"
            "s.value = [...s.options].find((o) => o.text.startsWith('Mine A - production')).value;"
            "s.dispatchEvent(new Event('change', {bubbles: true}));"
        )
        ui.wait_text("//section[@aria-label='Scenario diff']/header", "Mine A - production")
        changed = ui.js(
            "const r = document.querySelector('[data-testid=scenario-diff]').shadowRoot;"
            "return r ? r.querySelectorAll('.cm-changedLine').length : 0;"
        )
        assert changed > 0, "the diff marks no changed line"
        ui.js("document.querySelector('section.diff').scrollIntoView({block: 'center'});")
        ui.screenshot("03c-diff-of-two-scenarios")
        ui.js(
            "const s = document.querySelector('select[aria-label=\"Compare with\"]');"
            "s.value = ''; s.dispatchEvent(new Event('change', {bubbles: true}));"
        )
        passed.append(f"diffed the pilot against the production scenario ({changed} changed lines shown)")

        # Run at 200 devices: the verdict and the KPI tiles.
        ui.type_into("//input[@type='number'][ancestor::label[contains(., 'Devices')]]", "200")
        ui.click("//button[normalize-space()='Run']")
        verdict = ui.wait_text("//section[@aria-label='Result']", "Delivered", timeout=120)
        assert any(v in verdict for v in ("Ready to scale", "Not ready", "Undecided")), verdict
        assert "200" in ui.text("//section[@aria-label='Result']//div[@class='tiles']"), verdict
        ui.screenshot("04-verdict-and-kpis")
        ui.js("document.querySelector('.charts').scrollIntoView({block: 'start'});")
        charts = ui.wait_text("//div[@class='charts']", "Where messages were lost")
        assert "Battery charge left" in charts and "Latency of delivered messages" in charts, charts
        canvases = ui.js("return document.querySelectorAll('.charts canvas').length;")
        assert canvases >= 2, f"the time charts drew {canvases} canvases, not 2"
        ui.click("//div[@class='charts']//button[normalize-space()='PNG…']")
        saved = ui.wait_text("//div[@class='charts']//small[@role='status']", "Saved")
        with open(saved.split("Saved", 1)[1].strip(), "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n", "the chart was not saved as a PNG"
        ui.screenshot("05-charts")

        # Presentation mode: the verdict, then the run over time, on slides; Escape leaves.
        ui.click("//button[normalize-space()='Present']")
        ui.wait_text("//div[@aria-label='Presentation']//span[@role='status']", "1 / 4")
        ui.wait_text("//div[@aria-label='Presentation']", "Delivered")
        ui.screenshot("05b-present-the-verdict")
        leave = ui.find("//div[@aria-label='Presentation']//header/button")
        ui.keys(RIGHT, leave)
        ui.keys(RIGHT, leave)
        ui.wait_text("//div[@aria-label='Presentation']//span[@role='status']", "3 / 4")
        assert ui.js("return document.querySelectorAll('.presentation canvas').length;") >= 1
        ui.screenshot("05c-present-the-run-over-time")
        ui.keys(ESCAPE, leave)
        end = time.time() + 10
        while ui.js("return document.querySelector('.presentation') !== null;"):
            assert time.time() < end, "Escape did not leave the presentation"
            time.sleep(0.2)
        passed.append("ran it at 200 devices, read the verdict and its charts, saved one as PNG, and presented them")
        ui.type_into("//input[@type='number'][ancestor::label[contains(., 'Devices')]]", "20")
        ui.click("//button[normalize-space()='Run']")
        ui.wait_text("//section[@aria-label='Result']", "Stored as run 2 ", timeout=120)

        # A month of 20,000 devices: progress shows, Cancel stops it.
        ui.type_into("//input[@type='number'][ancestor::label[contains(., 'Devices')]]", "20000")
        ui.click("//button[normalize-space()='Run']")
        ui.wait_text("//section[@aria-label='Progress']", "hour", timeout=120)
        live = ui.wait_text("//section[@aria-label='Progress']", "Online now", timeout=60)
        assert "of 20,000 devices" in live and "Delivered so far" in live, live
        # Another run asked for meanwhile waits in the queue, and starts when this one ends.
        ui.type_into("//input[@type='number'][ancestor::label[contains(., 'Devices')]]", "50")
        ui.click("//button[normalize-space()='Queue run']")
        ui.wait_text("//section[@aria-label='Queued']", "50 devices")
        ui.screenshot("06-progress")
        ui.click("//button[normalize-space()='Cancel']")
        ui.wait_text("//section[@role='alert']", "Cancelled", timeout=120)
        ui.wait_text("//section[@aria-label='Result']", "Stored as run 4 ", timeout=120)
        ui.screenshot("07-cancelled")
        passed.append("watched a 20,000-device run's live figures, queued a run behind it, cancelled it, and the queued one ran")

        # History: the two finished runs compared; a report exported (to SCALEPROOF_STUDIO_SAVE_DIR).
        ui.click("//button[@role='tab'][normalize-space()='History']")
        ui.wait_text("//section[@aria-label='History']//tbody", "cancelled")
        ui.click("//tr[td[2][normalize-space()='1']]//input[@type='checkbox']")
        ui.click("//tr[td[2][normalize-space()='2']]//input[@type='checkbox']")
        ui.click("//button[normalize-space()='Compare the two picked']")
        compared = ui.wait_text("//section[@aria-label='Comparison']", "against run")
        assert "200" in compared and "20" in compared, compared
        ui.screenshot("08-history-and-compare")
        ui.click("//tr[td[6][normalize-space()='complete']][1]//button[normalize-space()='Report…']")
        written = ui.wait_text("//p[@role='status']", "Report written to")
        report = written.split("Report written to", 1)[1].strip()
        with open(report, encoding="utf-8") as f:
            assert "<html" in f.read(), report
        # Name and tag a run; delete another (a second press confirms).
        ui.click("//button[@aria-label='Rename run 1']")
        ui.type_into("//input[@aria-label='Name of run 1']", "pilot at 200")
        ui.click("//form//button[normalize-space()='Save']")
        ui.click("//button[@aria-label='Tag run 1']")
        ui.type_into("//input[starts-with(@aria-label, 'Tags of run 1')]", "board, pilot")
        ui.click("//form//button[normalize-space()='Save']")
        # The tags are saved after the name: wait for them, not only for the name.
        row = ui.wait_text("//tr[td[2][normalize-space()='1']]", "board")
        assert "pilot at 200" in row and "pilot" in row, row
        ui.click("//button[@aria-label='Delete run 2']")
        ui.click("//button[@aria-label='Delete run 2']")
        end = time.time() + 20
        while ui.js("return document.evaluate(\"//tr[td[2][normalize-space()='2']]\", document, null, 9, null).singleNodeValue !== null;"):
            assert time.time() < end, "run 2 was not deleted"
            time.sleep(0.2)
        ui.screenshot("08b-named-tagged-deleted")
        passed.append("compared two runs, exported a report, named and tagged a run and deleted another")

        # A bundled scenario is a template: saved as the user's own file, edited, saved again.
        ui.click("//button[@role='tab'][normalize-space()='Scenarios']")
        ui.click("//ul[@aria-label='Bundled scenarios']//button[contains(., 'Mine A - pilot')]")
        ui.wait_text("//section[@aria-label='Scenario editor']//span[@role='status']", "valid")
        ui.click("//button[normalize-space()='Save as my file…']")
        copy = os.path.join(data, "mine-pilot-copy.toml")
        ui.wait_text("//p[@role='status']", f"Saved as {copy}")
        ui.wait_text("//ul[@aria-label='Your files']", "20 devices")
        ui.edit_line(n, "count = 25")
        ui.wait_text("//section[@aria-label='Scenario editor']//button[starts-with(normalize-space(), 'Save')]", "•")
        ui.keys(CTRL + "s" + NULL)
        ui.wait_text("//p[@role='status']", f"Saved {copy}")
        ui.wait_text("//ul[@aria-label='Your files']", "25 devices")
        with open(copy, encoding="utf-8") as f:
            assert "\ncount = 25\n" in f.read()
        ui.screenshot("09-your-files")
        passed.append("saved a bundled scenario as the user's own file, edited it and saved it")

        # The cost curve: a fleet-size sweep with two replications per point (a 95 % band).
        ui.type_into("//input[@type='number'][ancestor::label[contains(., 'Replications')]]", "2")
        ui.type_into("//input[@aria-label='Fleet sizes to sweep']", "20, 100")
        ui.click("//button[normalize-space()='Sweep']")
        ui.wait_text("//section[@aria-label='Progress']", "point", timeout=120)
        curve = ui.wait_text("//section[@aria-label='Sweep']", "with its 95 % band", timeout=300)
        assert "100" in curve and "TCO per device-year" in curve, curve
        assert ui.js("return document.querySelectorAll('section.sweep canvas').length;") >= 1
        ui.js("document.querySelector('section.sweep').scrollIntoView({block: 'start'});")
        ui.screenshot("10-cost-curve")
        ui.click("//section[@aria-label='Sweep']//button[normalize-space()='Report…']")
        written = ui.wait_text("//section[@aria-label='Sweep']//p[@role='status']", "Report written to")
        assert written.strip().endswith(".html") and "sweep-" in written, written
        # History lists it and opens it again.
        ui.click("//button[@role='tab'][normalize-space()='History']")
        ui.click("//table[@aria-label='Sweeps']//tr[1]//button[normalize-space()='Open']")
        ui.wait_text("//section[@aria-label='History']//section[@aria-label='Sweep']", "with its 95 % band")
        passed.append("swept two fleet sizes, read the cost curve with its band and exported its report")

        # Sensitivity: two assumptions moved alone, their tornado.
        ui.click("//button[@role='tab'][normalize-space()='Scenarios']")
        ui.click("//details[@class='studyform']/summary")
        ui.type_into(
            "//textarea[@aria-label='Assumptions to move']",
            "fleet.vibration.buffer.capacity=-50%,+50%\nfleet.vibration.reboots_per_day=x0.5,x4",
        )
        ui.click("//button[normalize-space()='Study']")
        tornado = ui.wait_text("//section[@aria-label='Sensitivity']", "what moves tco per device year most", timeout=300)
        assert "fleet.vibration.buffer.capacity" in tornado and "reboots_per_day" in tornado, tornado
        assert ui.js("return document.querySelectorAll('section.study svg rect').length;") == 2
        ui.js("document.querySelector('section.study').scrollIntoView({block: 'start'});")
        ui.screenshot("12-tornado")
        ui.click("//button[@role='tab'][normalize-space()='History']")
        ui.click("//table[@aria-label='Sweeps']//tr[td[2][starts-with(normalize-space(), 'sensitivity')]]//button[normalize-space()='Open']")
        ui.wait_text("//section[@aria-label='History']//section[@aria-label='Sensitivity']", "reboots_per_day")
        passed.append("studied two assumptions' sensitivity and read the tornado, then again from History")

        # The pilot bridge: a private broker (its password stays in its file), the recorder with
        # the twin beside it live, the emulated pilot, then calibration, comparison and report.
        ui.click("//button[@role='tab'][normalize-space()='Pilot']")
        ui.type_into("//input[@aria-label='Private broker port']", str(free_port()))
        ui.click("//button[normalize-space()='Start a private broker']")
        ui.wait_text("//section[@aria-label='Pilot bridge']/p[@role='status']", "A private broker listens")
        password_file = ui.js("return document.querySelector('input[aria-label=\"Password file\"]').value;")
        with open(password_file, encoding="utf-8") as f:
            secret = f.read().strip().rsplit(":", 1)[1]
        assert len(secret) >= 16 and secret not in ui.js("return document.documentElement.outerHTML;")
        ui.type_into("//input[@aria-label='Recording name']", "e2e-pilot")
        ui.type_into("//input[@aria-label='Idle timeout']", "4")
        ui.type_into("//input[@aria-label='Compare every']", "500")
        twin = ui.js("return document.querySelector('select[aria-label=\"Twin scenario\"]').selectedOptions[0].text;")
        assert twin.startswith("Emulated pilot") and twin.endswith("emulated-pilot.toml"), twin
        ui.click("//button[normalize-space()='Record']")
        ui.wait_text("//span[@aria-label='Recorder status']", "connected, waiting")
        ui.type_into("//input[@aria-label='Devices']", "10")
        ui.type_into("//input[@aria-label='Days']", "3")
        ui.click("//button[normalize-space()='Start the emulator']")
        beside = ui.wait_text("//table[starts-with(@aria-label, 'Pilot so far beside its twin')]", "within", timeout=120)
        ui.js("document.querySelector('fieldset[aria-label=Record]').scrollIntoView({block: 'start'});")
        ui.screenshot("13-pilot-recorded-beside-its-twin")
        emulated = ui.wait_text("//fieldset[@aria-label='Emulated pilot']//p[@role='status']", "acknowledged", timeout=120)
        recorded = ui.wait_text("//fieldset[@aria-label='Record']//p[@role='status']", "messages stored", timeout=120)
        published = emulated.split(" of ", 1)[1].split(" published")[0]
        assert f": {published} messages stored" in recorded, (emulated, recorded)
        ui.wait_text("//table[@aria-label='Recordings']", "e2e-pilot")
        ui.click("//button[normalize-space()='Calibrate']")
        fit = ui.wait_text("//table[@aria-label='Fit']", "Reboots per device-day", timeout=120)
        assert "95 % interval" in fit, fit
        ui.click("//button[normalize-space()='Save the calibrated scenario…']")
        calibrated = os.path.join(data, "calibrated-e2e-pilot.toml")
        ui.wait_text("//section[@aria-label='Pilot bridge']/p[@role='status']", f"Saved the calibrated scenario as {calibrated}")
        with open(calibrated, encoding="utf-8") as f:
            assert f.read().startswith("# Calibrated by")
        ui.click("//button[normalize-space()='Compare']")
        verdict = ui.wait_text("//fieldset[@aria-label='Calibrate and compare']//h3", "twin", timeout=120)
        assert "Pilot beside its twin" in ui.text("//table[@aria-label='Pilot beside its twin']"), verdict
        ui.click("//button[normalize-space()='Open the comparison report']")
        written = ui.wait_text("//fieldset[@aria-label='Calibrate and compare']//p[@role='status']", "Wrote the report")
        with open(written.split("Wrote the report", 1)[1].strip(), encoding="utf-8") as f:
            assert "<html" in f.read()
        ui.js("document.querySelector('fieldset[aria-label=\"Calibrate and compare\"]').scrollIntoView({block: 'start'});")
        ui.screenshot("14-pilot-calibrated-and-compared")
        passed.append(f"recorded an emulated pilot ({published} messages) beside its twin, calibrated the twin, compared and wrote the report: {verdict}")

        # Dark, by choice; the shortcuts on F1.
        while "dark" not in ui.text("//button[starts-with(normalize-space(), 'Theme:')]"):
            ui.click("//button[starts-with(normalize-space(), 'Theme:')]")
        assert ui.js("return document.documentElement.dataset.theme;") == "dark"
        ui.screenshot("11-dark")
        ui.keys(F1, ui.find("//button[@role='tab'][normalize-space()='History']"))
        ui.wait_text("//dialog[@aria-label='Keyboard shortcuts']", "Save as")
        assert ui.js("return document.querySelector('dialog.shortcuts').open;")
        ui.click("//dialog//button[normalize-space()='Close']")
        passed.append("switched to the dark theme and read the shortcuts")
    except BaseException:
        if sid:  # what the window showed when it failed
            try:
                ui.screenshot("failure")
            except Exception as e:
                print(f"no screenshot of the failure: {e}", file=sys.stderr)
        raise
    finally:
        if sid:
            try:
                call("DELETE", f"/session/{sid}", timeout=20)
            except Exception as e:  # the app may already be gone; the driver is killed below
                print(f"closing the session: {e}", file=sys.stderr)
        os.killpg(driver.pid, signal.SIGTERM)
        driver.wait(timeout=20)
        shutil.rmtree(data, ignore_errors=True)
    for p in passed:
        print(f"ok: {p}")
    print(f"studio end-to-end: {len(passed)} passed; screenshots in {OUT}")


if __name__ == "__main__":
    main()
