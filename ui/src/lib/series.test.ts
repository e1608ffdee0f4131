import { describe, expect, it } from "vitest";
import type { ClassHour, TimelineEvent } from "../contracts";
import { marks, timeColumns } from "./series";

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
