// The checks: facts about the app, the regions, the last diagnosis and what changed.

import * as platform from "../../platform";
import type { AppInfo, CommandError, Diagnosis } from "../types";
import { changes, type Change } from "../wizard";
import { applyEvent, type NetProgress } from "../netprogress";

export class ChecksStore {
  info = $state<AppInfo | null>(null);
  regions = $state<string[]>([]);
  diagnosis = $state<Diagnosis | null>(null);
  lastChanges = $state<Change[]>([]);
  running = $state(false);
  /** Step 2's rows per host while its network test runs (null until the hosts are known). */
  live = $state<NetProgress | null>(null);
  /** Stop was pressed; the checks are winding down. */
  stopping = $state(false);
  /** The last run was stopped from the window and the notice has not taken the focus yet
   * (the Stop button it replaces is gone). */
  #focusStopped = false;
  /** How step 2 is tested: the proxy (null: the system's), a Service Gateway, added hosts.
   * Not kept in the draft: the proxy may carry a password. */
  net = $state<platform.NetSettings>({ proxy: null, serviceGateway: null, hosts: [] });
  get proxy(): string | null {
    return this.net.proxy;
  }
  /** The region the agent's own files name, from the last run that detected one. */
  detected = $state<string | null>(null);
  /** What the last run was asked for, so Next on the region screen runs only when needed. */
  #ranWith: string | null = null;

  /** The checks have not run yet for this region and proxy. */
  stale(region: string | null): boolean {
    return this.#ranWith !== JSON.stringify([region, this.net]);
  }

  async loadInfo(): Promise<AppInfo> {
    this.info = await platform.appInfo();
    this.regions = await platform.listRegions();
    return this.info;
  }

  /** A run asked for while another was running: it runs next (only the latest counts). */
  #queued: { region: string | null } | null = null;
  /** Runs started so far: tells this run's progress events from an earlier run's. */
  #runs = 0;

  /** Runs the checks; returns the error to show, if any. Asked while a run is going (Next
   * on the region screen while the first checks still run), the new run is not dropped: it
   * starts when the current one ends, if its region or settings differ. */
  async run(region: string | null): Promise<CommandError | null> {
    if (this.running) {
      this.#queued = { region };
      return null;
    }
    this.running = true;
    try {
      let error = await this.#once(region);
      while (this.#queued) {
        const next = this.#queued.region;
        this.#queued = null;
        if (this.stale(next)) error = await this.#once(next);
      }
      return error;
    } finally {
      this.running = false;
      this.stopping = false;
    }
  }

  async #once(region: string | null): Promise<CommandError | null> {
    this.stopping = false;
    this.#focusStopped = false;
    this.live = null;
    try {
      const before = this.diagnosis;
      const asked = JSON.stringify([region, this.net]);
      // A late event of an earlier run's channel must not fill in this run's rows.
      const run = ++this.#runs;
      const after = await platform.runChecks(region, $state.snapshot(this.net), (e) => {
        if (run === this.#runs) this.live = applyEvent(this.live, e);
      });
      // What changed is told for a re-run of the same checks; after another region or proxy
      // the results are simply new (a "change" from not checked to checked says nothing).
      // A stopped run is no comparison either: its notice already says step 2 is unchecked.
      this.lastChanges = this.#ranWith === asked && !after.network?.cancelled ? changes(before, after) : [];
      this.#ranWith = asked;
      this.diagnosis = after;
      const r = after.network?.region;
      if (r && r.reason === "detected") this.detected = r.code;
      return null;
    } catch (e) {
      return platform.asCommandError(e);
    }
  }

  /** Stops step 2's network test; the checks then return with step 2 not checked. */
  async cancel(): Promise<CommandError | null> {
    if (!this.running || this.stopping) return null;
    this.stopping = true;
    this.#queued = null;
    this.#focusStopped = true;
    try {
      await platform.cancelChecks();
      return null;
    } catch (e) {
      return platform.asCommandError(e);
    }
  }

  /** True once after a stop from the window: the notice that replaces the Stop button
   * takes the keyboard focus, so it is not lost. */
  takeStopFocus(): boolean {
    const take = this.#focusStopped;
    this.#focusStopped = false;
    return take;
  }

  clear(): void {
    this.diagnosis = null;
    this.lastChanges = [];
    this.#ranWith = null;
  }
}
