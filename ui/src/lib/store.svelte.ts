// The one store of the window's state. Components read it and call its actions; they
// hold no state of their own.

import { appInfo, asCommandError, listRegions, runChecks } from "../platform";
import type { AppInfo, CommandError, Diagnosis, Lang } from "./types";

class Store {
  lang = $state<Lang>("ja");
  info = $state<AppInfo | null>(null);
  diagnosis = $state<Diagnosis | null>(null);
  running = $state(false);
  error = $state<CommandError | null>(null);
  /** Region for step 2; null detects it from the agent's files. */
  region = $state<string | null>(null);
  regions = $state<string[]>([]);

  async start(): Promise<void> {
    try {
      this.info = await appInfo();
      this.lang = this.info.system_lang;
      this.regions = await listRegions();
    } catch (e) {
      this.error = asCommandError(e);
      return;
    }
    await this.run();
  }

  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.error = null;
    try {
      this.diagnosis = await runChecks(this.region);
    } catch (e) {
      this.error = asCommandError(e);
    } finally {
      this.running = false;
    }
  }

  async setRegion(region: string | null): Promise<void> {
    this.region = region;
    await this.run();
  }

  setLang(lang: Lang): void {
    this.lang = lang;
    document.documentElement.lang = lang;
  }
}

export const store = new Store();
