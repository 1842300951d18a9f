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
      const after = await platform.runChecks(region);
      this.lastChanges = changes(before, after);
      this.diagnosis = after;
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
  }
}
