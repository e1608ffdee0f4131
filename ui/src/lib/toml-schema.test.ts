import { describe, expect, it } from "vitest";
import scenarioSchema from "../../../schemas/scenario.schema.json";
import { complete, schemaAt, splitKey, type Schema } from "./toml-schema";

const schema = scenarioSchema as Schema;

/** Completion with the cursor where `|` is. */
function at(doc: string) {
  const lines = doc.split("\n");
  const line = lines.findIndex((l) => l.includes("|"));
  const column = (lines[line] ?? "").indexOf("|");
  lines[line] = (lines[line] ?? "").replace("|", "");
  return complete(schema, lines, line, column);
}

const labels = (c: ReturnType<typeof at>) => c?.offers.map((o) => o.label) ?? [];

describe("scenario completion", () => {
  it("splits dotted and quoted keys", () => {
    expect(splitKey('fleet."vibration" . buffer')).toEqual(["fleet", "vibration", "buffer"]);
  });

  it("finds map entries and arrays of tables", () => {
    expect(schemaAt(schema, ["fleet", "any-class", "buffer", "capacity"])?.type).toBe("integer");
    expect(schemaAt(schema, ["site", "id"])?.type).toBe("string");
    expect(schemaAt(schema, ["no-such-table"])).toBeUndefined();
  });

  it("offers the keys of the table the cursor is in, not those already set", () => {
    const c = at('[scenario]\nname = "x"\ndur|\nseed = 1\n[backend]\n');
    expect(c?.from).toBe(0);
    const l = labels(c);
    expect(l).toContain("duration");
    expect(l).toContain("horizon_years");
    expect(l).not.toContain("name");
    expect(l).not.toContain("seed");
    const d = c?.offers.find((o) => o.label === "duration");
    expect(d?.info).toMatch(/simulated time/);
  });

  it("offers a class's keys under a map header, with types and defaults", () => {
    const c = at("[fleet.vibration]\n|");
    const afr = c?.offers.find((o) => o.label === "afr_pct");
    expect(afr?.detail).toBe("number, default 0");
    // Tables too: the bundled scenarios write buffer and telemetry as inline tables.
    expect(c?.offers.find((o) => o.label === "buffer")?.detail).toBe("object");
  });

  it("offers table headers, with the class names the document uses", () => {
    const c = at("[fleet.vibration]\ncount = 20\n[fle|");
    expect(c?.from).toBe(1);
    const l = labels(c);
    expect(l).toContain("scenario");
    expect(l).toContain("fleet.vibration.buffer");
    expect(l).toContain("site");
    expect(c?.offers.find((o) => o.label === "site")?.detail).toMatch(/array of tables/);
  });

  it("offers the allowed values after `key =`", () => {
    const c = at('[fleet.vibration.buffer]\npolicy = "|');
    expect(c?.from).toBe(9);
    expect(labels(c).every((l) => l.startsWith('"'))).toBe(true);
    expect(labels(c).length).toBeGreaterThanOrEqual(2);
    expect(at("[[event]]\nkind = |")?.offers.length).toBeGreaterThan(3);
  });

  it("offers nothing where it knows nothing", () => {
    expect(at("[nowhere]\n|")).toBeNull();
    expect(at('[scenario]\nname = "a b" # |')).toBeNull();
  });
});
