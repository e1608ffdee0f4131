import { describe, expect, it } from "vitest";
import type { ClassHour, SweepDetail, TimelineEvent } from "../contracts";
import { batteryColumns, costCurve, marks, timeColumns } from "./series";

const hour = (cls: string, h: number, generated: number, delivered: number, online: number): ClassHour => ({
  class: cls, hour: h, generated, delivered, online, buffered: generated - delivered,
  lost_network: 0, lost_collision: 0, dropped_overflow: 0, dropped_reboot: 0, stranded_dead: 0, battery_mean_mah: null,
});

describe("timeColumns", () => {
  it("adds the classes of each hour and keeps hours for a short run", () => {
    const c = timeColumns([hour("a", 0, 10, 9, 5), hour("b", 0, 10, 10, 5), hour("a", 1, 10, 10, 10)], 20);
    expect(c.days).toEqual([1 / 24, 2 / 24]);
    expect(c.delivered).toEqual([95, 100]);
    expect(c.online).toEqual([50, 50]);
  });

  it("goes day by day past three days, caps a draining buffer at 150 %", () => {
    const hours = Array.from({ length: 96 }, (_, h) => hour("a", h, 10, h === 30 ? 400 : 10, 4));
    const c = timeColumns(hours, 4);
    expect(c.days).toEqual([1, 2, 3, 4]);
    expect(c.delivered[1]).toBe(150);
    expect(c.delivered[0]).toBe(100);
    expect(c.online).toEqual([100, 100, 100, 100]);
  });
});

describe("marks", () => {
  it("marks scheduled events at their start in days", () => {
    const e = (caption: string | null, start_us: number): TimelineEvent => ({
      kind: "site_outage", start_us, end_us: null, site: null, gateway: null, profile: null, event: null, wave: null, caption, devices: 0,
    });
    expect(marks([e("Power cut", 2 * 86_400e6), e(null, 0)])).toEqual([{ day: 2, caption: "Power cut" }]);
  });
});

describe("costCurve", () => {
  const point = (devices: number, tco: number | { mean: number; ci95_low: number; ci95_high: number }) => ({
    label: `devices=${devices}`,
    value: `${devices}`,
    run_id: devices,
    replications: typeof tco === "number" ? 1 : 2,
    summary: {
      devices,
      cost: { currency: "USD", tco_per_device_year: tco },
      verdict: { findings: [{ check: "target.tco_per_device_year", target: 60 }] },
    },
  });

  it("orders the points by fleet size, with the band and the target", () => {
    const detail = {
      sweep_id: 1,
      crossovers: [],
      points: [point(2000, { mean: 70, ci95_low: 68, ci95_high: 72 }), point(20, { mean: 180, ci95_low: 170, ci95_high: 190 })],
    } as unknown as SweepDetail;
    const c = costCurve(detail);
    expect(c.devices).toEqual([20, 2000]);
    expect(c.mean).toEqual([180, 70]);
    expect([c.low, c.high]).toEqual([[170, 68], [190, 72]]);
    expect([c.target, c.currency, c.banded]).toEqual([60, "USD", true]);
  });

  it("has no band with one replication, and skips points without a bill", () => {
    const unpriced = { ...point(200, 1), summary: { devices: 200, cost: null, verdict: null } };
    const c = costCurve({ sweep_id: 2, crossovers: [], points: [point(20, 150), unpriced] } as unknown as SweepDetail);
    expect([c.devices, c.low, c.high, c.banded]).toEqual([[20], [150], [150], false]);
  });
});

describe("batteryColumns", () => {
  it("keeps battery classes, day by day past three days", () => {
    const hours = Array.from({ length: 96 }, (_, h) => [
      { ...hour("sensor", h, 1, 1, 1), battery_mean_mah: 1000 - h },
      { ...hour("mains", h, 1, 1, 1), battery_mean_mah: null },
    ]).flat();
    const c = batteryColumns(hours);
    expect(c.days).toEqual([1, 2, 3, 4]);
    expect(c.classes).toEqual([{ name: "sensor", mah: [977, 953, 929, 905] }]);
  });
});
