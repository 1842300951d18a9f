// The UI's half of the locale system: the same catalogues as the CLI and the report
// (locales/*.json) and a twin of doctor-core's renderer ({name} placeholders only).

import ja from "../../../locales/ja.json";
import en from "../../../locales/en.json";
import type { Lang, Message } from "./types";

export const catalogues: Record<Lang, Record<string, string>> = { ja, en };

/** Fills {name} placeholders; unknown ones stay visible, as in Rust. */
export function fill(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{([^{}]*)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? params[name] : whole,
  );
}

export function text(lang: Lang, key: string, params?: Record<string, string>): string {
  return fill(catalogues[lang][key] ?? key, params);
}

export function message(lang: Lang, m: Message): string {
  return text(lang, m.key, m.params);
}
