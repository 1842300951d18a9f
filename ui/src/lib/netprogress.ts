// Step 2's live progress as plain functions (no Svelte, no Tauri), so they are unit-tested:
// the engine's events fold into one row per host with a cell per stage.

import type { HostEntry } from "./generated/HostEntry";
import type { NetError } from "./generated/NetError";
import type { NetEvent } from "./generated/NetEvent";
import type { StageName } from "./generated/StageName";
import type { StageOutcome } from "./generated/StageOutcome";

/** The stages in the order they run (the table's columns). */
export const STAGES: StageName[] = ["dns", "tcp", "proxy", "tls", "http"];

/** What one cell shows. `not_run`: passed over after a failure, or left when the test was
 * stopped; `none`: the stage does not apply to this host (no proxy, or plain HTTP has no TLS). */
export type CellState = "waiting" | "running" | "ok" | "failed" | "not_run" | "none";

export interface Cell {
  state: CellState;
  error?: NetError;
}

export interface Row {
  target: HostEntry;
  viaProxy: string | null;
  started: boolean;
  done: boolean;
  /** The test was stopped before this host's test finished. */
  stopped: boolean;
  /** The outcomes told so far, by stage. */
  told: Partial<Record<StageName, StageOutcome>>;
}

export interface NetProgress {
  rows: Row[];
}

function cellOf(outcome: StageOutcome): Cell {
  if (outcome.outcome === "ok") return { state: "ok" };
  if (outcome.outcome === "failed") return { state: "failed", error: outcome.error };
  return { state: "not_run" };
}

/** Folds one event into the progress (a new value; the old one is left as it was). */
export function applyEvent(p: NetProgress | null, e: NetEvent): NetProgress {
  if (e.kind === "targets") {
    return {
      rows: e.hosts.map((target, i) => ({
        target,
        viaProxy: e.via_proxy[i] ?? null,
        started: false,
        done: false,
        stopped: false,
        told: {},
      })),
    };
  }
  if (!p || !p.rows[e.index]) return p ?? { rows: [] };
  const rows = p.rows.slice();
  const row = { ...rows[e.index], told: { ...rows[e.index].told } };
  if (e.kind === "host_started") {
    row.started = true;
  } else if (e.kind === "stage") {
    row.started = true;
    row.told[e.stage] = e.outcome;
  } else {
    // The whole result is what counts: every stage as it ended.
    const r = e.result;
    row.started = true;
    row.done = true;
    row.stopped = r.stopped === true;
    row.told = { dns: outcome(r.dns), tcp: outcome(r.tcp), proxy: outcome(r.proxy), tls: outcome(r.tls), http: outcome(r.http) };
  }
  rows[e.index] = row;
  return { rows };
}

function outcome(stage: { outcome: string; ms?: number; error?: NetError }): StageOutcome {
  if (stage.outcome === "ok") return { outcome: "ok", ms: stage.ms ?? 0 };
  if (stage.outcome === "failed") return { outcome: "failed", ms: stage.ms ?? 0, error: stage.error as NetError };
  return { outcome: "not_run" };
}

/** Stages that never run for this host: the proxy's on a direct connection, TLS for plain HTTP. */
function applies(row: Row, stage: StageName): boolean {
  if (stage === "proxy") return row.viaProxy !== null;
  if (stage === "tls") return row.target.port !== 80;
  return true;
}

/** The cells of a row: what was told, the first stage not told of a host under way is
 * running, the rest wait; once the host is done, a stage not told did not run. */
export function cells(row: Row): Cell[] {
  let runningShown = false;
  return STAGES.map((stage) => {
    const told = row.told[stage];
    if (!applies(row, stage) && (!told || told.outcome === "not_run")) return { state: "none" };
    if (told) return cellOf(told);
    if (row.done) return { state: "not_run" };
    if (row.started && !runningShown) {
      runningShown = true;
      return { state: "running" };
    }
    return { state: "waiting" };
  });
}

/** How many hosts are done, of how many. */
export function counts(p: NetProgress | null): { done: number; total: number } {
  const rows = p?.rows ?? [];
  return { done: rows.filter((r) => r.done).length, total: rows.length };
}
