import { describe, expect, it } from "vitest";
import { change, fleetSizes, kpiValue, liveTiles, duration, figure, mean, money, percent, thousands } from "./format";

describe("format", () => {
  it("reads a figure of one replication or the mean of several", () => {
    expect(mean(3)).toBe(3);
    expect(mean({ mean: 2.5, ci95_low: 2, ci95_high: 3 })).toBe(2.5);
  });

  it("writes ratios, counts, durations and money as the report does", () => {
    expect(percent(0.97344)).toBe("97.34 %");
    expect(thousands(1234567.4)).toBe("1,234,567");
    expect(duration(90 * 86_400)).toBe("90 d");
    expect(duration(36 * 3_600)).toBe("36 h");
    expect(duration(12 * 60)).toBe("12 min");
    expect(duration(4.2)).toBe("4.2 s");
    expect(money(1234.5, "USD")).toBe("USD 1,235");
    expect(money(12.5, "EUR")).toBe("EUR 12.50");
  });
});

describe("comparison", () => {
  it("writes each figure in its unit and the change from a to b", () => {
    expect(figure(99.5, "percent", null)).toBe("99.500 %");
    expect(figure(20000, "count", null)).toBe("20,000");
    expect(figure(161.4, "money", "USD")).toBe("USD 161");
    expect(figure(null, "count", null)).toBe("-");
    expect(change(100, 112.5)).toBe("+12.5 %");
    expect(change(100, 97)).toBe("-3.0 %");
    expect(change(421.9, 421.8)).toBe("0.0 %");
    expect(change(0, 5)).toBe("");
    expect(change(null, 5)).toBe("");
  });
});

describe("fleet sizes", () => {
  it("reads sizes as people type them, and nothing else", () => {
    expect(fleetSizes("20, 200 2000; 20_000")).toEqual([20, 200, 2000, 20000]);
    expect(fleetSizes("20,")).toEqual([20]);
    for (const bad of ["", "20, many", "0, 20", "2.5", "-20"]) expect(fleetSizes(bad)).toBeNull();
  });
});

describe("live tiles", () => {
  it("reads a run's figures so far, naming only the causes that lost messages", () => {
    const t = liveTiles({
      hours: 5, generated: 1000, delivered: 950, lost_network: 0, dropped_overflow: 30,
      dropped_reboot: 2, stranded_dead: 0, online: 190, devices: 200, buffered: 18,
    });
    expect(t.map((x) => x.value)).toEqual(["95.00 %", "32", "95.0 %", "18"]);
    expect(t[1]?.detail).toBe("30 to full buffers, 2 to reboots");
    expect(t[2]?.detail).toBe("190 of 200 devices");
  });
});

describe("kpi values", () => {
  it("writes each sensitivity KPI in its unit", () => {
    expect(kpiValue("tco_per_device_year", 1234.5)).toBe("1,234.50");
    expect(kpiValue("delivery_ratio", 0.99512)).toBe("99.512 %");
    expect(kpiValue("p99_latency_s", 7200)).toBe("2 h");
    expect(kpiValue("battery_life_days", 1095.4)).toBe("1095 d");
    expect(kpiValue("summary.some.path", 0.123456)).toBe("0.1235");
  });
});
