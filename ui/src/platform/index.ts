// The only module that talks to Tauri. Everything else calls these functions, so the UI
// can run in a plain browser against a mocked IPC (see @tauri-apps/api/mocks).

import { invoke } from "@tauri-apps/api/core";
import type { AppInfo, CommandError, Diagnosis } from "../lib/types";

export function appInfo(): Promise<AppInfo> {
  return invoke<AppInfo>("app_info");
}

/** `region`: a catalogue code (`jp`), or null to detect it from the agent's files. */
export function runChecks(region: string | null): Promise<Diagnosis> {
  return invoke<Diagnosis>("run_checks", { region });
}

export function listRegions(): Promise<string[]> {
  return invoke<string[]>("list_regions");
}

/** Normalises whatever a rejected command gave us into the typed error. */
export function asCommandError(e: unknown): CommandError {
  if (e && typeof e === "object" && "code" in e && "message_key" in e) {
    return e as CommandError;
  }
  return { code: "internal", message_key: "ui.error.unexpected", detail: String(e) };
}
