// Wire types: the JSON shapes doctor-core's serde derives produce (finding.rs, checks/,
// probe/mod.rs). Keep in step with the Rust structs; the engine is the source of truth.

export type Status = "pass" | "info" | "skipped" | "warn" | "fail";
export type Step = "process" | "network" | "connection" | "support" | "system";
export type Lang = "ja" | "en";

export const STEPS: Step[] = ["process", "network", "connection", "support", "system"];

export interface Message {
  key: string;
  params?: Record<string, string>;
}

export interface Evidence {
  key: string;
  value: string;
  value_key?: string;
}

export interface Finding {
  id: string;
  step: Step;
  status: Status;
  message: Message;
  evidence: Evidence[];
  remedy: Message | null;
}

export interface Summary {
  pass: number;
  info: number;
  skipped: number;
  warn: number;
  fail: number;
}

export type ProbeSource = { kind: "live" } | { kind: "scenario"; name: string; path: string };

export interface OsFacts {
  platform: "windows" | "linux" | "macos";
  name: string;
  version: string;
  build?: string | null;
  arch: string;
  bits: number;
  hostname: string;
  domain?: string | null;
}

export interface Diagnosis {
  source: ProbeSource;
  os: OsFacts;
  catalogue_version: string;
  findings: Finding[];
  coexistence: unknown;
  summary: Summary;
}

export interface AppInfo {
  version: string;
  system_lang: Lang;
  source: ProbeSource;
}

/** The typed error every command returns (src-tauri CommandError). */
export interface CommandError {
  code: string;
  message_key: string;
  detail: string;
}

export function verdictOf(s: Summary): "pass" | "warn" | "fail" {
  return s.fail > 0 ? "fail" : s.warn > 0 ? "warn" : "pass";
}
