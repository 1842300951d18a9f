// The checks: facts about the app, the regions, the last diagnosis and what changed.

import * as platform from "../../platform";
import type { AppInfo, CommandError, Diagnosis } from "../types";
import { changes, type Change } from "../wizard";

export class ChecksStore {
  info = $state<AppInfo | null>(null);
  regions = $state<string[]>([]);
  diagnosis = $state<Diagnosis | null>(null);
  lastChanges = $state<Change[]>([]);
  running = $state(false);
  /** The proxy step 2 is tested through (null: the system's). Not kept in the draft: it
   * may carry a password. */
  proxy = $state<string | null>(null);
  /** The region the agent's own files name, from the last run that detected one. */
  detected = $state<string | null>(null);
  /** What the last run was asked for, so Next on the region screen runs only when needed. */
  #ranWith: string | null = null;

  /** The checks have not run yet for this region and proxy. */
  stale(region: string | null): boolean {
    return this.#ranWith !== JSON.stringify([region, this.proxy]);
  }

  async loadInfo(): Promise<AppInfo> {
    this.info = await platform.appInfo();
    this.regions = await platform.listRegions();
    return this.info;
  }

  /** Runs the checks; returns the error to show, if any. */
  async run(region: string | null): Promise<CommandError | null> {
    if (this.running) return null;
    this.running = true;
    try {
      const before = this.diagnosis;
      const asked = JSON.stringify([region, this.proxy]);
      const after = await platform.runChecks(region, this.proxy);
      this.#ranWith = asked;
      this.lastChanges = changes(before, after);
      this.diagnosis = after;
      const r = after.network?.region;
      if (r && r.reason === "detected") this.detected = r.code;
      return null;
    } catch (e) {
      return platform.asCommandError(e);
    } finally {
      this.running = false;
    }
  }

  clear(): void {
    this.diagnosis = null;
    this.lastChanges = [];
    this.#ranWith = null;
  }
}
