import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { APP_SUFFIX, catalogues, fill, message, segments, text } from "./i18n";

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

/** Keys only the command line shows (its flags are its words), with why. */
const CLI_ONLY: Record<string, string> = {
  "error.host_flag": "the CLI's --host parsing; the window has no host flag",
  "error.max_size": "the CLI's --max-size parsing",
  "error.inventory_region": "the CLI's console check; the window has a region list",
  "inventory.cli.no_key": "the CLI's API key sources; the window has a password field",
};
const CLI_ONLY_PREFIXES = ["bundle.cli.", "cli."];

describe("the app speaks app", () => {
  it("prefers a key's app variant", () => {
    expect(message("en", { key: "network.region.unknown.remedy" })).toBe(catalogues.en[`network.region.unknown.remedy${APP_SUFFIX}`]);
    expect(text("ja", "purpose.custom")).toBe(catalogues.ja["purpose.custom.app"]);
    expect(text("en", "ui.next")).toBe("Next");
  });

  it("shows code as code, never the backticks", () => {
    expect(segments("Run `a --b` now")).toEqual([
      { code: false, text: "Run " },
      { code: true, text: "a --b" },
      { code: false, text: " now" },
    ]);
    expect(segments("odd ` tick").every((s) => !s.code)).toBe(true);
  });

  it("has no command-line flag, bundle file name or backtick in any text the window shows", () => {
    const bad: string[] = [];
    for (const lang of ["ja", "en"] as const) {
      const cat = catalogues[lang];
      for (const key of Object.keys(cat)) {
        if (key.endsWith(APP_SUFFIX) || key in CLI_ONLY || CLI_ONLY_PREFIXES.some((p) => key.startsWith(p))) continue;
        const shown = text(lang, key);
        // What the window shows as prose: code spans (styled as code) are taken out.
        const prose = segments(shown).filter((s) => !s.code).map((s) => s.text).join("");
        if (/`/.test(prose)) bad.push(`${lang}:${key}: backtick`);
        if (/(^|[\s(（:])--[a-z]/.test(prose)) bad.push(`${lang}:${key}: flag in "${prose}"`);
        if (/\b(report\.html|inquiry\.txt|manifest\.json|network-note\.txt)\b/.test(prose)) bad.push(`${lang}:${key}: bundle file name`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("the CLI-only list names keys that exist", () => {
    for (const key of Object.keys(CLI_ONLY)) expect(catalogues.en).toHaveProperty([key]);
  });
});

describe("values in the language's units", () => {
  it("seconds read as 秒 in Japanese, in messages and on their own", async () => {
    const { localValue, fill } = await import("./i18n");
    expect(localValue("ja", "10 s")).toBe("10 秒");
    expect(localValue("en", "10 s")).toBe("10 s");
    expect(localValue("ja", "1.5 s")).toBe("1.5 秒");
    expect(localValue("ja", "PCs")).toBe("PCs");
    expect(fill("{a}", { a: "x" })).toBe("x");
  });
});
