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

export function text(lang: Lang, key: string, params: Params = {}): string {
  const localised: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    localised[k] = v.startsWith(KEY_PARAM) ? (catalogues[lang][v.slice(KEY_PARAM.length)] ?? v) : v;
  }
  return fill(catalogues[lang][key] ?? key, localised);
}

export function message(lang: Lang, m: Message): string {
  return text(lang, m.key, m.params);
}
