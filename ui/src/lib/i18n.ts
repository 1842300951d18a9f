// The UI's half of the locale system: the same catalogues as the CLI and the report
// (locales/*.json) and a twin of doctor-core's renderer ({name} placeholders only).

import ja from "../../../locales/ja.json";
import en from "../../../locales/en.json";
import type { Lang, Message } from "./types";

export const catalogues: Record<Lang, Record<string, string>> = { ja, en };

/** Named message parameters, as the engine sends them. */
export type Params = { [key in string]?: string };

/** Fills {name} placeholders; unknown ones stay visible, as in Rust. */
export function fill(template: string, params: Params = {}): string {
  return template.replace(/\{([^{}]*)\}/g, (whole, name: string) => params[name] ?? whole);
}

/** A parameter value starting with this names a locale key (as in doctor-core). */
export const KEY_PARAM = "@l10n:";

/** Where the CLI and the app must say different things (a flag against a field), the
 * catalogue holds an app variant `<key>.app`; the window always prefers it. */
export const APP_SUFFIX = ".app";

/** The template the app shows for `key`: its app variant when there is one. */
export function appTemplate(lang: Lang, key: string): string | undefined {
  return catalogues[lang][key + APP_SUFFIX] ?? catalogues[lang][key];
}

/** A value the engine gives in seconds ("10 s") in the language's unit ("10 秒"), as
 * doctor-core's `units::localised_seconds` does for the CLI and the report. */
export function localValue(lang: Lang, v: string): string {
  const n = /^(\d+(?:\.\d+)?) s$/.exec(v);
  return n ? fill(catalogues[lang]["unit.seconds"] ?? "{n} s", { n: n[1] }) : v;
}

export function text(lang: Lang, key: string, params: Params = {}): string {
  const localised: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    localised[k] = v.startsWith(KEY_PARAM) ? (appTemplate(lang, v.slice(KEY_PARAM.length)) ?? v) : localValue(lang, v);
  }
  return fill(appTemplate(lang, key) ?? key, localised);
}

/** An engine message (a finding's message or remedy) in the app's words. */
export function message(lang: Lang, m: Message): string {
  return text(lang, m.key, m.params);
}

/** A piece of text to show: prose, or code (a command an administrator may copy), which
 * the catalogues mark with backticks. The window styles code as code and never shows the
 * backticks themselves. */
export interface Segment {
  code: boolean;
  text: string;
}

export function segments(s: string): Segment[] {
  const out: Segment[] = [];
  const parts = s.split("`");
  // An unpaired backtick is kept as prose without the mark.
  const paired = parts.length % 2 === 1;
  parts.forEach((part, i) => {
    if (part === "") return;
    out.push({ code: paired && i % 2 === 1, text: part });
  });
  return out;
}
