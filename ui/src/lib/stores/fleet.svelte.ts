// "Compare several PCs": what was chosen (in the app's own dialog) and the comparison.

import * as platform from "../../platform";
import type { FleetReport } from "../types";

export class FleetStore {
  inputs = $state<string[]>([]);
  report = $state<FleetReport | null>(null);
  comparing = $state(false);
  csvSaved = $state(false);

  /** Opens the system dialog (files or folders), adds what was chosen and compares all. */
  async add(title: string, folder: boolean): Promise<void> {
    this.comparing = true;
    this.csvSaved = false;
    try {
      const result = await platform.compareEndpoints(title, folder);
      if (result) {
        this.inputs = result.inputs;
        this.report = result.report;
      }
    } finally {
      this.comparing = false;
    }
  }

  clear(): void {
    this.inputs = [];
    this.report = null;
    void platform.clearComparison().catch(() => undefined);
  }

  async exportCsv(title: string): Promise<void> {
    if (!this.report) return;
    this.csvSaved = await platform.exportFleetCsv(title);
  }
}
