import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { catalogues, fill, text } from "./i18n";

const uiRoot = join(__dirname, "..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|svelte)$/.test(name) && !name.endsWith(".test.ts") ? [p] : [];
  });
}

describe("locale catalogues", () => {
  it("hold the same keys in Japanese and English, none empty", () => {
    expect(Object.keys(catalogues.ja).sort()).toEqual(Object.keys(catalogues.en).sort());
    for (const lang of ["ja", "en"] as const) {
      for (const [k, v] of Object.entries(catalogues[lang])) {
        expect(v.trim(), `${lang}:${k}`).not.toBe("");
      }
    }
  });

  it("use the same placeholders in both languages", () => {
    const names = (s: string) => [...s.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(catalogues.en)) {
      expect(names(catalogues.ja[key]), key).toEqual(names(catalogues.en[key]));
    }
  });

  it("contain every literal key the UI code asks for", () => {
    const used = new Set<string>();
    for (const file of sources(uiRoot)) {
      const src = readFileSync(file, "utf8");
      for (const m of src.matchAll(/\bt(?:ext)?\((?:[a-z.]+, *)?"([a-z0-9_.]+)"/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(10);
    for (const key of used) expect(catalogues.en, key).toHaveProperty([key]);
  });
});

describe("fill", () => {
  it("renders like the Rust renderer", () => {
    expect(fill("{n} of {total} {", { n: "3" })).toBe("3 of {total} {");
    expect(fill("no params", { n: "3" })).toBe("no params");
    expect(fill("{n}{n}", { n: "3" })).toBe("33");
  });

  it("localises parameters that name a key", () => {
    expect(text("ja", "network.region.chosen", { region: "@l10n:region.jp" })).toContain("日本");
    expect(text("en", "network.region.chosen", { region: "@l10n:region.jp" })).toContain("Japan");
  });

  it("falls back to the key for an unknown key", () => {
    expect(text("en", "no.such.key")).toBe("no.such.key");
  });
});
