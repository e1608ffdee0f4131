// The app's commands, typed with the contracts generated from Rust (contracts.ts). Every
// command rejects with an ErrorReport: a code to branch on, a message, and every problem.
import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  BridgeEvent,
  Comparison,
  Fit,
  PilotComparison,
  RecordingItem,
  RecordSummary,
  Truth,
  TruthReport,
  ErrorReport,
  Problem,
  Progress,
  RunDetail,
  RunListItem,
  RunSeries,
  ScenarioForm,
  ScenarioItem,
  StudyDetail,
  SweepDetail,
  SweepListItem,
} from "../contracts";

/** What the studio asks to run (the Rust `RunAsk`). */
export type RunAsk = {
  /** An id of the caller's choosing, to cancel the run with. */
  job: number;
  /** Where the scenario's text came from (price books are looked for beside it). */
  path: string;
  /** The scenario's text as the editor holds it. */
  text: string;
  /** Devices in the whole fleet (null: as written). */
  devices: number | null;
  replications: number;
  seed: number | null;
};

export const library = (): Promise<ScenarioItem[]> => invoke("library");
export const readScenario = (path: string): Promise<string> => invoke("read_scenario", { path });
export const checkScenario = (path: string, text: string): Promise<Problem[]> =>
  invoke("check_scenario", { path, text });
export const cancelRun = (job: number): Promise<boolean> => invoke("cancel_run", { job });
export const runs = (): Promise<RunListItem[]> => invoke("runs");
export const runDetail = (id: number): Promise<RunDetail> => invoke("run_detail", { id });
export const runSeries = (id: number): Promise<RunSeries> => invoke("run_series", { id });
export const compareRuns = (a: number, b: number): Promise<Comparison> => invoke("compare_runs", { a, b });
/**
 * Writes the HTML report of `run:ID` or `sweep:ID` where the user picks; the file, or null when
 * they cancelled.
 */
export const exportReport = (target: string): Promise<string | null> => invoke("export_report", { target });
/** Names a stored run (null or blank: no name). */
export const renameRun = (id: number, label: string | null): Promise<void> => invoke("rename_run", { id, label });
/** Sets a stored run's tags. */
export const tagRun = (id: number, tags: string[]): Promise<void> => invoke("tag_run", { id, tags });
/** Deletes a stored run with its replications; how many stored runs went. */
export const deleteRun = (id: number): Promise<number> => invoke("delete_run", { id });
export const sweeps = (): Promise<SweepListItem[]> => invoke("sweeps");
export const sweepDetail = (id: number): Promise<SweepDetail> => invoke("sweep_detail", { id });

/** What the studio asks to sweep (the Rust `SweepAsk`): the editor's scenario at each fleet size. */
export type SweepAsk = { job: number; path: string; text: string; devices: number[]; replications: number };

/** Starts a fleet-size sweep; `onProgress` hears every simulated hour of every point. */
export function startSweep(ask: SweepAsk, onProgress: (p: Progress) => void): Promise<SweepDetail> {
  const channel = new Channel<Progress>();
  channel.onmessage = onProgress;
  return invoke("start_sweep", { ask, onProgress: channel });
}

/** What the library shows of one scenario file (the user's own files are listed this way). */
export const scenarioItem = (path: string): Promise<ScenarioItem> => invoke("scenario_item", { path });
/** A scenario file the user picks in an open dialog; null when they cancelled. */
export const openScenario = (): Promise<ScenarioItem | null> => invoke("open_scenario");
/** Writes the text over the file (whole or not at all); the file as listed again. */
export const saveScenario = (path: string, text: string): Promise<ScenarioItem> =>
  invoke("save_scenario", { path, text });
/** Writes the text to a new file named in a save dialog (`name` offered); null when cancelled. */
export const saveScenarioAs = (text: string, name: string): Promise<ScenarioItem | null> =>
  invoke("save_scenario_as", { text, name });

/** The form of a scenario's text: the fields people change most, with their values. */
export const scenarioForm = (text: string): Promise<ScenarioForm> => invoke("scenario_form", { text });
/** The text with one field set (empty: removed), everything else as written. */
export const setScenarioField = (text: string, path: string, value: string): Promise<string> =>
  invoke("set_scenario_field", { text, path, value });

/** Saves a chart's PNG (a data URL) where the user picks; the file, or null when cancelled. */
export const saveChart = (name: string, pngBase64: string): Promise<string | null> =>
  invoke("save_chart", { name, pngBase64 });
/** The window full screen (presentation mode) or not. */
export const setFullscreen = (on: boolean): Promise<void> => invoke("set_fullscreen", { on });

/** Starts a run; `onProgress` hears every simulated hour. Resolves with the stored run. */
export function startRun(ask: RunAsk, onProgress: (p: Progress) => void): Promise<RunDetail> {
  const channel = new Channel<Progress>();
  channel.onmessage = onProgress;
  return invoke("start_run", { ask, onProgress: channel });
}

/** An ErrorReport, or any other rejection turned into one. */
export function asReport(e: unknown): ErrorReport {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) return e as ErrorReport;
  return { code: "internal", message: String(e), problems: [] };
}

/** One stored sensitivity study with its tornado. */
export const studyDetail = (id: number): Promise<StudyDetail> => invoke("study_detail", { id });
/** The KPIs a sensitivity study can be judged by. */
export const sensitivityKpis = (): Promise<string[]> => invoke("sensitivity_kpis");

/** What the studio asks to study (the Rust `StudyAsk`): each assumption moved alone. */
export type StudyAsk = { job: number; path: string; text: string; vary: string[]; kpi: string; replications: number };

/** Starts a sensitivity study; `onProgress` hears every simulated hour of every run. */
export function startSensitivity(ask: StudyAsk, onProgress: (p: Progress) => void): Promise<StudyDetail> {
  const channel = new Channel<Progress>();
  channel.onmessage = onProgress;
  return invoke("start_sensitivity", { ask, onProgress: channel });
}

/** How to reach the broker (the Rust `BrokerAsk`); blank or null fields are not given. */
export type BrokerAsk = {
  url: string;
  ca: string | null;
  certDir: string | null;
  /** The password file's path; the app reads it, the window never sees what it holds. */
  passwordFile: string | null;
  username: string | null;
};

/** What the pilot screen starts from (the Rust `PilotDefaults`). */
export type PilotDefaults = { map: string; twin: string; truth: Truth };
/** A private broker the app started (the Rust `LocalBrokerInfo`). */
export type LocalBrokerInfo = { url: string; username: string; passwordFile: string };
/** What to record (the Rust `RecordAsk`). */
export type RecordAsk = {
  map: string;
  name: string;
  durationS: number | null;
  idleTimeoutS: number | null;
  twin: string | null;
  checkEvery: number;
};
/** A calibration's outcome (the Rust `Calibrated`). */
export type Calibrated = { fit: Fit; text: string; name: string };

export const pilotDefaults = (): Promise<PilotDefaults> => invoke("pilot_defaults");
/** Starts a private mosquitto on loopback `port` (or tells where the one started listens). */
export const startLocalBroker = (port: number): Promise<LocalBrokerInfo> => invoke("start_local_broker", { port });
export const stopLocalBroker = (): Promise<boolean> => invoke("stop_local_broker");
/** A file (or folder) picked in an open dialog; null when cancelled. */
export const pickPath = (folder: boolean, title: string): Promise<string | null> => invoke("pick_path", { folder, title });
export const recordings = (): Promise<RecordingItem[]> => invoke("recordings");

function bridgeChannel(on: (e: BridgeEvent) => void): Channel<BridgeEvent> {
  const channel = new Channel<BridgeEvent>();
  channel.onmessage = on;
  return channel;
}

/** Publishes the emulated pilot; `cancelRun(job)` stops it. */
export const startEmulate = (job: number, broker: BrokerAsk, truth: Truth, speed: number, on: (e: BridgeEvent) => void): Promise<TruthReport> =>
  invoke("start_emulate", { job, broker, truth, speed, onEvent: bridgeChannel(on) });
/** Records the pilot until its duration, idle timeout or `cancelRun(job)` (what came is kept). */
export const startRecord = (job: number, broker: BrokerAsk, ask: RecordAsk, on: (e: BridgeEvent) => void): Promise<RecordSummary> =>
  invoke("start_record", { job, broker, ask, onEvent: bridgeChannel(on) });
/** Fits the twin to a recording: the base scenario calibrated, with the fit's intervals. */
export function startCalibrate(job: number, recording: string, base: string, onProgress: (p: Progress) => void): Promise<Calibrated> {
  const channel = new Channel<Progress>();
  channel.onmessage = onProgress;
  return invoke("start_calibrate", { job, recording, base, onProgress: channel });
}
/** The pilot beside the twin `scenario` sized to it, metric by metric. */
export const comparePilot = (recording: string, scenario: string): Promise<PilotComparison> =>
  invoke("compare_pilot", { recording, scenario });
/** Writes the pilot-versus-twin report where the user picks and opens it; null when cancelled. */
export const openPilotReport = (recording: string, scenario: string): Promise<string | null> =>
  invoke("open_pilot_report", { recording, scenario });

/** Opens the fleet view (its own window) on a stored run recorded with its playback. */
export const openFleetView = (id: number): Promise<void> => invoke("open_fleet_view", { id });
