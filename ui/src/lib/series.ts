// A run's hourly series (per class) as the dashboard's time charts draw it. Pure: unit-tested.
import type { ClassHour, TimelineEvent } from "../contracts";

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
