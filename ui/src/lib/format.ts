// Numbers, durations and summaries as the studio shows them. Pure functions: unit-tested.
import type { Figure, LiveFigures, Readiness, RunDetail, Stat } from "../contracts";

/** A figure of one replication (a number) or of several (its mean). */
export function mean(x: number | Stat): number {
  return typeof x === "number" ? x : x.mean;
}

/** 0.9734 -> "97.34 %". */
export function percent(ratio: number, digits = 2): string {
  return `${(ratio * 100).toFixed(digits)} %`;
}

/** 1234567 -> "1,234,567". */
export function thousands(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Seconds as the largest sensible unit: "90 d", "36 h", "12 min", "4.2 s". */
export function duration(s: number): string {
  if (s >= 2 * 86_400) return `${Math.round(s / 86_400)} d`;
  if (s >= 2 * 3_600) return `${Math.round(s / 3_600)} h`;
  if (s >= 120) return `${Math.round(s / 60)} min`;
  return `${s.toFixed(1)} s`;
}

/** Money in a currency: 1234.5, "USD" -> "USD 1,235"; small amounts keep cents. */
export function money(x: number, currency: string): string {
  const digits = Math.abs(x) < 100 ? 2 : 0;
  return `${currency} ${x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** Where a finished run's messages were lost, largest first (causes with none left out). */
export function losses(run: RunDetail): { label: string; value: number }[] {
  if (!("messages" in run)) return [];
  const m = run.messages;
  const c = run.loss_causes;
  return [
    { label: "radio channel", value: mean(c.channel) },
    { label: "network outage", value: mean(c.outage) },
    { label: "collision", value: mean(c.collision) },
    { label: "duty cycle", value: mean(c.duty_cycle) },
    { label: "buffer overflow", value: mean(m.dropped_overflow) },
    { label: "reboot", value: mean(m.dropped_reboot) },
    { label: "dead device", value: mean(m.stranded_dead) },
  ]
    .filter((x) => x.value > 0)
    .sort((a, b) => b.value - a.value);
}

/** The bill by category over the horizon, largest first. */
export function bill(run: RunDetail): { label: string; value: number }[] {
  if (!("messages" in run) || !run.cost) return [];
  const b = run.cost.breakdown;
  return Object.entries(b)
    .map(([label, v]) => ({ label, value: mean(v as number | Stat) }))
    .filter((x) => x.value > 0)
    .sort((a, b) => b.value - a.value);
}

/** The headline tiles of a finished run, in the order the report shows them. */
export type Tile = { label: string; value: string };

export function tiles(run: RunDetail): Tile[] {
  if (!("messages" in run)) return [];
  const m = run.messages;
  const generated = mean(m.generated);
  const lost = mean(m.lost_network) + mean(m.dropped_overflow) + mean(m.dropped_reboot) + mean(m.stranded_dead);
  const out: Tile[] = [
    { label: "Delivered", value: percent(mean(run.delivery_ratio)) },
    { label: "Messages lost", value: thousands(lost) + " of " + thousands(generated) },
    { label: "Latency p95", value: duration(mean(run.latency_s.p95)) },
    { label: "Devices", value: thousands(run.devices) },
  ];
  if (run.cost) {
    out.push({ label: "TCO per device-year", value: money(mean(run.cost.tco_per_device_year), run.cost.currency) });
  }
  return out;
}

/** A compared figure in its unit; "-" when the run has none. */
export function figure(x: number | null, unit: Figure["unit"], currency: string | null): string {
  if (x === null) return "-";
  switch (unit) {
    case "percent":
      return `${x.toFixed(3)} %`;
    case "seconds":
      return duration(x);
    case "days":
      return `${x.toFixed(1)} d`;
    case "money":
      return money(x, currency ?? "");
    case "count":
      return thousands(x);
  }
}

/** b relative to a: "+12.5 %", "-3.0 %"; "" when a is 0 or either is missing. */
export function change(a: number | null, b: number | null): string {
  if (a === null || b === null || a === 0) return "";
  const r = ((b - a) / Math.abs(a)) * 100;
  // Below a twentieth of a percent it is no change (and never "-0.0 %").
  if (Math.abs(r) < 0.05) return "0.0 %";
  return `${r > 0 ? "+" : ""}${r.toFixed(1)} %`;
}

/**
 * Fleet sizes as typed: "20, 200 2000; 20_000" -> [20, 200, 2000, 20000] (underscores group
 * digits; commas separate sizes). Null unless every one is a whole number from 1 up.
 */
export function fleetSizes(text: string): number[] | null {
  const n = text
    .split(/[\s,;]+/)
    .filter((t) => t !== "")
    .map((t) => Number(t.replaceAll("_", "")));
  return n.length > 0 && n.every((x) => Number.isInteger(x) && x >= 1) ? n : null;
}

/** A run's figures so far, as the progress bar's tiles show them. */
export function liveTiles(live: LiveFigures): { label: string; value: string; detail: string }[] {
  const lost = live.lost_network + live.dropped_overflow + live.dropped_reboot + live.stranded_dead;
  const causes = [
    ["full buffers", live.dropped_overflow],
    ["reboots", live.dropped_reboot],
    ["the network", live.lost_network],
    ["dead devices", live.stranded_dead],
  ] as const;
  return [
    {
      label: "Delivered so far",
      value: live.generated === 0 ? "-" : percent(live.delivered / live.generated),
      detail: `${thousands(live.delivered)} of ${thousands(live.generated)}`,
    },
    {
      label: "Lost so far",
      value: thousands(lost),
      detail: causes.filter(([, n]) => n > 0).map(([c, n]) => `${thousands(n)} to ${c}`).join(", ") || "none",
    },
    {
      label: "Online now",
      value: live.devices === 0 ? "-" : percent(live.online / live.devices, 1),
      detail: `${thousands(live.online)} of ${thousands(live.devices)} devices`,
    },
    { label: "Waiting in buffers", value: thousands(live.buffered), detail: `after ${live.hours} h` },
  ];
}

/** A verdict as a headline. */
export function verdictLabel(status: Readiness): string {
  return status === "ready" ? "Ready to scale" : status === "not_ready" ? "Not ready" : "Undecided";
}

/**
 * A sensitivity KPI's value in its unit (money in the price book's currency, which the study
 * does not carry: shown as a plain amount).
 */
export function kpiValue(kpi: string, v: number): string {
  if (kpi === "delivery_ratio") return percent(v, 3);
  if (kpi === "loss_pct") return `${v.toFixed(3)} %`;
  if (kpi.endsWith("latency_s")) return duration(v);
  if (kpi.endsWith("_days")) return `${v.toFixed(0)} d`;
  if (["tco_per_device_year", "tco", "capex", "opex_per_month"].includes(kpi)) {
    return v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  return v.toPrecision(4);
}
