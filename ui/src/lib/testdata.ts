// Complete wire values for unit tests, typed against the generated types: a test fixture
// that drifts from what the engine sends no longer compiles.

import type { Coexistence, Diagnosis, Finding, NetworkReport, Status, Step, Unchecked } from "./types";

export function finding(id: string, step: Step, status: Status): Finding {
  return { id, step, status, message: { key: "x" }, evidence: [], remedy: null, show_remedy: false };
}

export function diagnosis(findings: Finding[], coexistence?: Partial<Coexistence>): Diagnosis {
  const count = (s: Status) => findings.filter((f) => f.status === s).length;
  const fail = count("fail");
  const warn = count("warn");
  return {
    source: { kind: "live" },
    os: {
      platform: "windows",
      name: "Windows 11 Pro",
      version: "10.0",
      build: "22631",
      edition: null,
      distro_id: null,
      arch: "x86_64",
      bits: 64,
      hostname: "PC-01",
      domain: null,
      system_drive: "C:\\",
      program_files: null,
      program_files_x86: null,
      cpu_cores: 4,
      memory_bytes: 8 << 30,
    },
    catalogue_version: "1",
    findings,
    coexistence: { apex_one: null, deep_security: null, connection_switch_relevant: false, questions: [], ...coexistence },
    // As the engine says it: with step 2 not run (network null) something is unchecked.
    summary: {
      verdict: fail > 0 ? "fail" : warn > 0 ? "warn" : "incomplete",
      pass: count("pass"),
      info: count("info"),
      skipped: count("skipped"),
      warn,
      fail,
    },
    network: null,
    agent: {
      install_dir: "C:\\Program Files (x86)\\Trend Micro\\Endpoint Basecamp",
      log_dir: "C:\\Program Files (x86)\\Trend Micro\\Endpoint Basecamp\\log",
      registration: { state: "absent", looked_at: "HKLM\\SOFTWARE\\TrendMicro\\TMSecurityService\\xdr_device_id" },
      image_traces: [],
      business_id: null,
      environment: null,
      read_from: null,
    },
    identity: {
      schema_version: 1,
      tool_version: "0.1.0",
      created_at_utc: "2026-11-26T00:00:00Z",
      hostname: "PC-01",
      domain: null,
      platform: "windows",
      xdr_device_id: null,
      apex_one_guid: null,
      machine_guid: null,
      os_install_date: null,
      basecamp_installed_at: null,
      clone_signs: [],
    },
    needs_admin: false,
    addresses: [],
    install_logs: [],
    agent_region: null,
    unchecked: unchecked(findings, false),
  };
}

/** What the engine lists as not checked (`Unchecked::of`). */
function unchecked(findings: Finding[], networkRan: boolean): Unchecked[] {
  const out: Unchecked[] = [];
  if (!networkRan) {
    out.push({ id: "network", step: "network", what: { key: "unchecked.network.not_run" }, how: { key: "unchecked.network.how" } });
  }
  for (const f of findings.filter((f) => f.status === "skipped")) {
    const how = f.remedy ?? { key: f.step === "network" ? "unchecked.network.rerun" : "unchecked.rerun" };
    out.push({ id: f.id, step: f.step, what: f.message, how });
  }
  return out;
}

/** `d` after step 2 ran with `network`: the summary and the unchecked list made again, as
 * the engine makes them. */
export function withNetwork(d: Diagnosis, network: NetworkReport): Diagnosis {
  const u = unchecked(d.findings, true);
  const s = d.summary;
  const verdict = s.fail > 0 ? "fail" : s.warn > 0 ? "warn" : u.length > 0 ? "incomplete" : "pass";
  return { ...d, network, unchecked: u, summary: { ...s, verdict } };
}
