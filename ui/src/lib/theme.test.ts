import { describe, expect, it } from "vitest";
import { next, resolve, stored } from "./theme";

describe("theme", () => {
  it("follows the system unless the user chose", () => {
    expect([resolve("system", true), resolve("system", false)]).toEqual(["dark", "light"]);
    expect([resolve("light", true), resolve("dark", false)]).toEqual(["light", "dark"]);
  });

  it("cycles system, light, dark and remembers only what it knows", () => {
    expect([next("system"), next("light"), next("dark")]).toEqual(["light", "dark", "system"]);
    expect(stored({ getItem: () => "dark" })).toBe("dark");
    expect(stored({ getItem: () => null })).toBe("system");
    expect(stored({ getItem: () => "purple" })).toBe("system");
  });
});
