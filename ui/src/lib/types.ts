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

export interface Question {
  id: "business_id" | "basecamp_logs" | "apex_one_saas_server" | "on_premises_server" | "deep_security";
  required: boolean;
}

export interface Coexistence {
  apex_one: {
    management: "saas" | "on_premises" | "unknown";
    server: string | null;
    guid: string | null;
  } | null;
  deep_security: { version: string | null } | null;
  /** true: on-premises agent; null: maybe (SaaS agent, may have migrated); false: none. */
  connection_switch_relevant: boolean | null;
  questions: Question[];
}

export interface Diagnosis {
  source: ProbeSource;
  os: OsFacts;
  catalogue_version: string;
  findings: Finding[];
  coexistence: Coexistence;
  summary: Summary;
}

export interface AppInfo {
  version: string;
  system_lang: Lang;
  source: ProbeSource;
  destination: string | null;
}

/** What the admin typed for support (doctor-core bundle::SupportAnswers). */
export interface SupportAnswers {
  business_id: string | null;
  apex_one_saas_server_guid: string | null;
  apex_one_saas_activation_code: string | null;
  on_premises_server_guid: string | null;
  on_premises_activation_code: string | null;
  on_premises_server_gone: boolean;
  notes: string | null;
}

export interface Screenshot {
  path: string;
  /** blue_bar, no_blue_bar, business_profile, workbench_recipients, other */
  slot: string;
  caption: string;
}

export interface Progress {
  files_done: number;
  files_total: number;
  bytes_done: number;
  bytes_total: number;
  eta_secs: number | null;
}

export interface SkippedFile {
  path: string;
  reason: string;
  detail: string;
}

export interface Saved {
  outcome: {
    path: string;
    bytes: number;
    files: number;
    skipped: SkippedFile[];
    cut: number;
    redactions: number;
  };
  inquiry: string;
}

export interface SourcePreview {
  label: string;
  path: string;
  files: number;
  bytes: number;
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

export interface FleetReport {
  read: number;
  groups: { kind: string; value: string; members: { hostname: string; source: string }[] }[];
  unreadable: { source: string; reason: string; detail: string }[];
  /** From check results collected on the endpoints; absent or empty without them. */
  collected?: number;
  sites?: FleetSite[];
}

export interface FleetSite {
  site: string;
  source: "map" | "hint" | "subnet" | "unknown";
  endpoints: number;
  failing: number;
  warning: number;
  host_groups: { purpose: string; tested: number; failed: number; stages: { stage: string; error: string; endpoints: number }[] }[];
  root_cause: {
    message_key: string;
    params: Record<string, string>;
    remedy_key: string | null;
    remedy_params: Record<string, string>;
    endpoints: number;
    of: number;
  } | null;
}
