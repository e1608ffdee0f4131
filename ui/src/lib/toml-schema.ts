// Completion for scenario TOML from the scenario JSON Schema (schemas/scenario.schema.json, which
// a Rust test keeps equal to what the engine accepts). Pure: the editor asks what to offer at a
// cursor, this answers from the text before it. Unit-tested against the real schema.

/** The part of JSON Schema the scenario schema uses. */
export type Schema = {
  type?: string | string[];
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  oneOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  required?: string[];
};

/** One thing to offer. */
export type Offer = {
  /** What is inserted. */
  label: string;
  /** "property", "table" or "value" (CodeMirror's completion types: it picks the icon). */
  type: "property" | "table" | "value";
  /** A short note beside it (type, default). */
  detail?: string;
  /** The schema's description. */
  info?: string;
};

/** What to offer at the cursor: replace from `from` (an offset into the line) with one of `offers`. */
export type Completion = { from: number; offers: Offer[] };

const HEADER = /^\s*\[\[?\s*([^\]]*?)\s*\]\]?/;

/** `fleet."vibration".buffer` -> ["fleet", "vibration", "buffer"]. */
export function splitKey(key: string): string[] {
  return key
    .split(".")
    .map((s) => s.trim().replace(/^"(.*)"$/, "$1"))
    .filter((s) => s.length > 0);
}

/** A node seen as a table: an array of tables is its item; of alternatives, the one with keys. */
function table(node: Schema | undefined): Schema | undefined {
  let n = node;
  for (let i = 0; i < 4 && n; i++) {
    if (n.oneOf) {
      n = n.oneOf.find((alt) => alt.items?.properties ?? alt.properties) ?? n.oneOf[0];
    } else if (n.items) {
      n = n.items;
    } else {
      break;
    }
  }
  return n;
}

/** The schema of the table or value at `path` (map keys such as a class name match any key). */
export function schemaAt(root: Schema, path: string[]): Schema | undefined {
  let node: Schema | undefined = root;
  for (const seg of path) {
    const t = table(node);
    if (!t) return undefined;
    const next: Schema | undefined =
      t.properties?.[seg] ?? (typeof t.additionalProperties === "object" ? t.additionalProperties : undefined);
    if (!next) return undefined;
    node = next;
  }
  return node;
}

function typeName(s: Schema): string {
  const alts = s.oneOf ? s.oneOf : [s];
  const names = alts.map((a) => (a.items ? "array" : Array.isArray(a.type) ? a.type.join(" | ") : (a.type ?? "")));
  return [...new Set(names.filter((n) => n !== ""))].join(" | ");
}

function isTable(s: Schema): boolean {
  const t = table(s);
  return t !== undefined && (t.properties !== undefined || typeof t.additionalProperties === "object");
}

function isArrayOfTables(s: Schema): boolean {
  return s.items !== undefined || (s.oneOf?.some((a) => a.items !== undefined) ?? false);
}

function toml(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? `[${v.map(toml).join(", ")}]` : String(v);
}

function describe(s: Schema): string {
  const parts = [typeName(s)];
  if (s.default !== undefined) parts.push(`default ${toml(s.default)}`);
  return parts.filter((p) => p !== "").join(", ");
}

/** The dotted paths of every table header the document could use, given the map keys it names. */
function headers(root: Schema, lines: string[]): Offer[] {
  // Map keys (class, network, power names) the document already uses, by the map's path.
  const named = new Map<string, Set<string>>();
  for (const line of lines) {
    const m = HEADER.exec(line);
    if (!m?.[1]) continue;
    const path = splitKey(m[1]);
    for (let i = 1; i < path.length; i++) {
      const parent = schemaAt(root, path.slice(0, i));
      const t = table(parent);
      if (t && !t.properties?.[path[i] ?? ""] && typeof t.additionalProperties === "object") {
        const key = path.slice(0, i).join(".");
        const set = named.get(key) ?? new Set<string>();
        set.add(path[i] ?? "");
        named.set(key, set);
      }
    }
  }
  const out: Offer[] = [];
  const walk = (node: Schema, prefix: string[], depth: number) => {
    const t = table(node);
    if (!t || depth > 4) return;
    for (const [key, child] of Object.entries(t.properties ?? {})) {
      if (!isTable(child)) continue;
      const path = [...prefix, key];
      out.push({
        label: path.join("."),
        type: "table",
        detail: isArrayOfTables(child) ? "array of tables: [[…]]" : "table",
        info: child.description,
      });
      walk(child, path, depth + 1);
    }
    if (typeof t.additionalProperties === "object") {
      for (const name of named.get(prefix.join(".")) ?? []) {
        out.push({ label: [...prefix, name].join("."), type: "table", detail: "table", info: t.additionalProperties.description });
        walk(t.additionalProperties, [...prefix, name], depth + 1);
      }
    }
  };
  walk(root, [], 0);
  return out;
}

/**
 * What to offer with the cursor at `column` of line `line` (0-based) of `lines`: table names
 * in a `[header]`, the keys of the current table not yet set at the start of a line, and the
 * allowed values (enums, booleans, the default, examples) after `key =`. Null: nothing to offer.
 */
export function complete(root: Schema, lines: string[], line: number, column: number): Completion | null {
  const text = lines[line] ?? "";
  const before = text.slice(0, column);

  const header = /^\s*\[\[?\s*([\w."-]*)$/.exec(before);
  if (header) {
    return { from: column - (header[1] ?? "").length, offers: headers(root, lines) };
  }

  // The table the cursor is in: the last header above it, and where that table's keys start.
  let path: string[] = [];
  let start = 0;
  for (let i = line - 1; i >= 0; i--) {
    const m = HEADER.exec(lines[i] ?? "");
    if (m) {
      path = splitKey(m[1] ?? "");
      start = i + 1;
      break;
    }
  }

  const key = /^\s*([\w-]*)$/.exec(before);
  if (key) {
    const t = table(schemaAt(root, path));
    if (!t?.properties) return null;
    const set = new Set<string>();
    for (let i = start; i < lines.length; i++) {
      const l = lines[i] ?? "";
      if (HEADER.test(l) && i > line) break;
      if (i === line) continue;
      const k = /^\s*([\w-]+)\s*=/.exec(l);
      if (k?.[1]) set.add(k[1]);
    }
    const offers: Offer[] = Object.entries(t.properties)
      .filter(([k]) => !set.has(k))
      .map(([k, s]) => ({ label: k, type: "property", detail: describe(s), info: s.description }));
    return { from: column - (key[1] ?? "").length, offers };
  }

  const value = /^\s*([\w-]+)\s*=\s*("?[\w. :-]*)$/.exec(before);
  if (value) {
    const s = schemaAt(root, [...path, value[1] ?? ""]);
    if (!s) return null;
    const seen = new Set<string>();
    const offers: Offer[] = [];
    const offer = (v: unknown, detail: string) => {
      const label = toml(v);
      if (seen.has(label)) return;
      seen.add(label);
      offers.push({ label, type: "value", detail, info: s.description });
    };
    for (const v of s.enum ?? []) offer(v, "allowed");
    if (s.const !== undefined) offer(s.const, "required");
    if (s.type === "boolean") {
      offer(true, "boolean");
      offer(false, "boolean");
    }
    if (s.default !== undefined) offer(s.default, "default");
    for (const v of s.examples ?? []) offer(v, "example");
    if (offers.length === 0) return null;
    return { from: column - (value[2] ?? "").length, offers };
  }
  return null;
}
