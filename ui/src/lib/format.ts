// Numbers, durations and summaries as the studio shows them. Pure functions: unit-tested.
import type { Problem, RunDetail, Stat } from "../contracts";

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

/** The problems of a text by 1-based line (line 0: from an override, not the text). */
export function problemsByLine(problems: Problem[]): Map<number, Problem[]> {
  const byLine = new Map<number, Problem[]>();
  for (const p of problems) {
    const list = byLine.get(p.line) ?? [];
    list.push(p);
    byLine.set(p.line, list);
  }
  return byLine;
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
