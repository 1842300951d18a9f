// The only module that talks to Tauri. Everything else calls these functions, so the UI
// can run in a plain browser against a mocked IPC (see @tauri-apps/api/mocks).

import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  AppInfo,
  CommandError,
  Comparison,
  ConsoleCheck,
  Diagnosis,
  Lang,
  NetEvent,
  Progress,
  Saved,
  Screenshot,
  SourcePreview,
  SupportAnswers,
} from "../lib/types";

export function appInfo(): Promise<AppInfo> {
  return invoke<AppInfo>("app_info");
}

/** `region`: a catalogue code (`jp`), or null to detect it from the agent's files. */
/** How step 2 is tested: through `proxy` (`HOST:PORT` or a URL) instead of the system's,
 * through a Service Gateway, and with further `hosts` (`NAME:PORT`). */
export interface NetSettings {
  proxy: string | null;
  serviceGateway: string | null;
  hosts: string[];
}

/** `onProgress` hears of step 2's network test as each stage of each host ends. */
export function runChecks(
  region: string | null,
  net: NetSettings = { proxy: null, serviceGateway: null, hosts: [] },
  onProgress: (e: NetEvent) => void = () => undefined,
): Promise<Diagnosis> {
  const channel = new Channel<NetEvent>();
  channel.onmessage = onProgress;
  return invoke<Diagnosis>("run_checks", { region, proxy: net.proxy, serviceGateway: net.serviceGateway, hosts: net.hosts, onProgress: channel });
}

/** Stops the network test of the checks running now; they then return with step 2 not checked. */
export function cancelChecks(): Promise<void> {
  return invoke<void>("cancel_checks");
}

/** The note for the network team, from the last checks, in `lang`. */
export function networkNote(lang: Lang): Promise<string> {
  return invoke<string>("network_note", { lang });
}

/** Asks where to save the note (the app opens the dialog) and writes it; false when cancelled. */
export function saveNetworkNote(lang: Lang, title: string): Promise<boolean> {
  return invoke<boolean>("save_network_note", { lang, title });
}

export function listRegions(): Promise<string[]> {
  return invoke<string[]>("list_regions");
}

export function loadDraft(): Promise<unknown> {
  return invoke<unknown>("load_draft");
}

export function saveDraft(draft: unknown): Promise<void> {
  return invoke<void>("save_draft", { draft });
}

export function clearDraft(): Promise<void> {
  return invoke<void>("clear_draft");
}

/** Lets the user pick an image in the system dialog (opened by the app itself); returns
 * the copy kept in the draft folder, or null when the dialog was closed. */
export function chooseScreenshot(title: string): Promise<string | null> {
  return invoke<string | null>("choose_screenshot", { title });
}

/** Lets the user choose identity files and bundles (or folders of them) and compares
 * them; null when the dialog was closed. */
export function compareEndpoints(title: string, folders: boolean): Promise<Comparison | null> {
  return invoke<Comparison | null>("compare_endpoints", { title, folders });
}

/** Forgets the files chosen for the comparison. */
export function clearComparison(): Promise<void> {
  return invoke<void>("clear_comparison");
}

/** Asks where to save and writes the last comparison as CSV; false when cancelled. */
export function exportFleetCsv(title: string): Promise<boolean> {
  return invoke<boolean>("export_fleet_csv", { title });
}

/** Stores image bytes (pasted, dropped or annotated) in the draft; returns its path. */
export function storeScreenshot(bytes: Uint8Array): Promise<string> {
  return invoke<string>("store_screenshot", bytes);
}

/** Stores the image on the system clipboard, read by the Rust side (a paste whose event
 * carried no image, as in the Linux web view); returns its path. Fails with
 * `error.clipboard_no_image` when the clipboard holds no image. */
export function pasteScreenshot(): Promise<string> {
  return invoke<string>("paste_screenshot");
}

/** The bytes of a stored screenshot (for previews and the annotation editor). */
export async function readScreenshot(path: string): Promise<Uint8Array> {
  const data = await invoke<ArrayBuffer | number[]>("read_screenshot", { path });
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data);
}

/** Hides the window, captures the screen under the pointer (or all), shows it again. */
export function captureScreen(all: boolean): Promise<string[]> {
  return invoke<string[]>("capture_screen", { all });
}

export function bundlePreview(agentLogs: boolean): Promise<SourcePreview[]> {
  return invoke<SourcePreview[]>("bundle_preview", { agentLogs });
}

export interface SaveRequest {
  lang: Lang;
  answers: SupportAnswers;
  screenshots: Screenshot[];
  agent_logs: boolean;
  basecamp_logs: boolean;
}

export function collectBundle(request: SaveRequest, onProgress: (p: Progress) => void): Promise<Saved> {
  const channel = new Channel<Progress>();
  channel.onmessage = onProgress;
  return invoke<Saved>("collect_bundle", { request, onProgress: channel });
}

export function cancelBundle(): Promise<void> {
  return invoke<void>("cancel_bundle");
}

/** Windows: starts the app again as administrator (UAC) and closes this one. */
export function restartElevated(): Promise<void> {
  return invoke<void>("restart_elevated");
}

/** Regions whose Vision One API the console check can ask (more than step 2 knows). */
export function listApiRegions(): Promise<string[]> {
  return invoke<string[]>("list_api_regions");
}

/**
 * Asks Vision One's API whether this endpoint is in Endpoint Inventory. The key goes to
 * the app's process for this one call; nothing keeps or saves it.
 * `region`: the console's region, or null for the agent's own.
 */
export function checkInventory(key: string, region: string | null): Promise<ConsoleCheck> {
  return invoke<ConsoleCheck>("check_inventory", { key, region });
}

export function revealBundle(): Promise<void> {
  return invoke<void>("reveal_bundle");
}

/** Copies text; false when the system refused (the UI then shows it to copy by hand). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Normalises whatever a rejected command gave us into the typed error. */
export function asCommandError(e: unknown): CommandError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    return e as CommandError;
  }
  return { code: "ui.error.unexpected", message: String(e) };
}
