// A run's hourly series (per class) as the dashboard's time charts draw it. Pure: unit-tested.
import type { ClassHour, SweepDetail, TimelineEvent } from "../contracts";

/** Columns for a time chart: x in days since the start, then one column per line. */
export type TimeColumns = { days: number[]; delivered: number[]; online: number[]; buffered: number[] };

/**
 * All classes together, hour by hour for runs up to three days, else day by day (hourly spikes
 * as buffers drain would hide the trend), as the report draws it: delivered as a percentage of
 * what was generated in the step (up to 150 %: buffers draining after an outage exceed 100 %),
 * devices online as a percentage of the fleet, messages waiting in buffers.
 */
export function timeColumns(hours: ClassHour[], devices: number): TimeColumns {
  const byHour = new Map<number, { g: number; d: number; on: number; buf: number }>();
  for (const h of hours) {
    const t = byHour.get(h.hour) ?? { g: 0, d: 0, on: 0, buf: 0 };
    t.g += h.generated;
    t.d += h.delivered;
    t.on += h.online;
    t.buf += h.buffered;
    byHour.set(h.hour, t);
  }
  const ordered = [...byHour.entries()].sort((a, b) => a[0] - b[0]);
  const step = ordered.length > 72 ? 24 : 1;
  const out: TimeColumns = { days: [], delivered: [], online: [], buffered: [] };
  for (let i = 0; i < ordered.length; i += step) {
    const chunk = ordered.slice(i, i + step);
    const last = chunk[chunk.length - 1];
    if (!last) break;
    const g = chunk.reduce((s, [, t]) => s + t.g, 0);
    const d = chunk.reduce((s, [, t]) => s + t.d, 0);
    const on = chunk.reduce((s, [, t]) => s + t.on, 0) / chunk.length;
    out.days.push((last[0] + 1) / 24);
    out.delivered.push(g === 0 ? 100 : Math.min((d / g) * 100, 150));
    out.online.push((on / Math.max(devices, 1)) * 100);
    out.buffered.push(last[1].buf);
  }
  return out;
}

/** The events a time axis marks: scheduled ones (with a caption), at their start, in days. */
export function marks(events: TimelineEvent[]): { day: number; caption: string }[] {
  return events
    .filter((e) => e.caption !== null)
    .map((e) => ({ day: e.start_us / 86_400e6, caption: e.caption ?? "" }));
}

/** A sweep's cost curve: TCO per device-year against fleet size, with its 95 % band. */
export type CostCurve = {
  devices: number[];
  mean: number[];
  low: number[];
  high: number[];
  /** The scenario's TCO target, if it sets one. */
  target: number | null;
  currency: string;
  /** Whether the band is an interval (2 or more replications per point). */
  banded: boolean;
};

/**
 * The cost curve of a fleet-size sweep, points in fleet order (those without a bill left out);
 * one replication per point has no band (low = high = mean).
 */
export function costCurve(detail: SweepDetail): CostCurve {
  const out: CostCurve = { devices: [], mean: [], low: [], high: [], target: null, currency: "", banded: false };
  const rows = detail.points
    .map((p) => ({ n: p.summary.devices, s: p.summary }))
    .filter((r) => r.s.cost !== null)
    .sort((a, b) => a.n - b.n);
  for (const { n, s } of rows) {
    const t = s.cost?.tco_per_device_year;
    if (t === undefined) continue;
    out.devices.push(n);
    if (typeof t === "number") {
      out.mean.push(t);
      out.low.push(t);
      out.high.push(t);
    } else {
      out.mean.push(t.mean);
      out.low.push(t.ci95_low);
      out.high.push(t.ci95_high);
      out.banded = true;
    }
    out.currency = s.cost?.currency ?? out.currency;
    const target = s.verdict?.findings.find((f) => f.check === "target.tco_per_device_year")?.target;
    if (target !== undefined && target !== null) out.target = target;
  }
  return out;
}

/** Battery charge left, mean per device, by class (classes on mains left out), in days. */
export type BatteryColumns = { days: number[]; classes: { name: string; mah: number[] }[] };

/**
 * Each battery class's mean charge left per device, hour by hour for runs up to three days,
 * else at the end of each day (as `timeColumns`).
 */
export function batteryColumns(hours: ClassHour[]): BatteryColumns {
  const byClass = new Map<string, Map<number, number>>();
  for (const h of hours) {
    if (h.battery_mean_mah === null) continue;
    const m = byClass.get(h.class) ?? new Map<number, number>();
    m.set(h.hour, h.battery_mean_mah);
    byClass.set(h.class, m);
  }
  const allHours = [...new Set(hours.map((h) => h.hour))].sort((a, b) => a - b);
  const step = allHours.length > 72 ? 24 : 1;
  const picked = allHours.filter((_, i) => (i + 1) % step === 0 || i === allHours.length - 1);
  return {
    days: picked.map((h) => (h + 1) / 24),
    classes: [...byClass.entries()].map(([name, m]) => ({ name, mah: picked.map((h) => m.get(h) ?? NaN) })),
  };
}
