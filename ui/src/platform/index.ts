// The only module that talks to Tauri. Everything else calls these functions, so the UI
// can run in a plain browser against a mocked IPC (see @tauri-apps/api/mocks).

import { invoke } from "@tauri-apps/api/core";
import type { AppInfo, CommandError, Diagnosis } from "../lib/types";

export function appInfo(): Promise<AppInfo> {
  return invoke<AppInfo>("app_info");
}

export function runChecks(): Promise<Diagnosis> {
  return invoke<Diagnosis>("run_checks");
}

/** Normalises whatever a rejected command gave us into the typed error. */
export function asCommandError(e: unknown): CommandError {
  if (e && typeof e === "object" && "code" in e && "message_key" in e) {
    return e as CommandError;
  }
  return { code: "internal", message_key: "ui.error.unexpected", detail: String(e) };
}
