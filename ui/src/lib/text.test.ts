import { describe, expect, it } from "vitest";
import { minimalChange } from "./text";

const apply = (a: string, c: { from: number; to: number; insert: string }) => a.slice(0, c.from) + c.insert + a.slice(c.to);

describe("minimal change", () => {
  it("touches only what differs", () => {
    const a = "[fleet.x]\ncount = 20\nafr_pct = 2\n";
    const b = "[fleet.x]\ncount = 2000\nafr_pct = 2\n";
    const c = minimalChange(a, b);
    expect(c).toEqual({ from: a.indexOf("20") + 2, to: a.indexOf("20") + 2, insert: "00" });
    expect(apply(a, c)).toBe(b);
  });

  it("handles insertions, deletions, repeats and nothing", () => {
    for (const [a, b] of [["", "abc"], ["abc", ""], ["aaa", "aaaa"], ["abab", "ab"], ["same", "same"], ["x = 1", "y = 1"]] as const) {
      expect(apply(a, minimalChange(a, b))).toBe(b);
    }
    expect(minimalChange("same", "same")).toEqual({ from: 4, to: 4, insert: "" });
  });
});
