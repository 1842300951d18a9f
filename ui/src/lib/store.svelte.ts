// The one store of the window: the draft (everything the user typed, chosen or
// captured, saved as it changes), the checks and the bundle. Components read it and call
// its actions; they hold no state of their own.

import * as platform from "../platform";
import type { AppInfo, CommandError, Diagnosis, FleetReport, Lang, Progress, Saved, SourcePreview } from "./types";
import { changes, emptyDraft, migratedDefault, restoreDraft, SCREENS, type Change, type Draft, type Screen } from "./wizard";

const SAVE_DELAY_MS = 300;

function setDocumentLang(lang: Lang): void {
  if (typeof document !== "undefined") document.documentElement.lang = lang;
}

export class Store {
  draft = $state<Draft>(emptyDraft("ja"));
  info = $state<AppInfo | null>(null);
  regions = $state<string[]>([]);
  diagnosis = $state<Diagnosis | null>(null);
  lastChanges = $state<Change[]>([]);
  running = $state(false);
  error = $state<CommandError | null>(null);
  preview = $state<SourcePreview[]>([]);
  saving = $state(false);
  progress = $state<Progress | null>(null);
  saved = $state<Saved | null>(null);
  copied = $state<boolean | null>(null);
  confirmingStartOver = $state(false);
  draftError = $state<CommandError | null>(null);
  /** "Compare several PCs" instead of the wizard. */
  view = $state<"wizard" | "fleet">("wizard");
  fleetInputs = $state<string[]>([]);
  fleet = $state<FleetReport | null>(null);
  comparing = $state(false);
  csvSaved = $state(false);
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private started = false;

  get lang(): Lang {
    return this.draft.lang;
  }

  async start(): Promise<void> {
    try {
      this.info = await platform.appInfo();
      this.regions = await platform.listRegions();
      this.draft = restoreDraft(await platform.loadDraft(), this.info.system_lang);
    } catch (e) {
      this.error = platform.asCommandError(e);
    }
    this.started = true;
    setDocumentLang(this.draft.lang);
    await this.run();
  }

  /** Saves the draft shortly after the last change (called on every change). */
  persist(): void {
    if (!this.started) return;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    const snapshot = $state.snapshot(this.draft);
    this.saveTimer = setTimeout(() => {
      platform
        .saveDraft(snapshot)
        .then(() => (this.draftError = null))
        .catch((e) => (this.draftError = platform.asCommandError(e)));
    }, SAVE_DELAY_MS);
  }

  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.error = null;
    try {
      const before = this.diagnosis;
      const after = await platform.runChecks(this.draft.region);
      this.lastChanges = changes(before, after);
      this.diagnosis = after;
      if (this.draft.migrated === null) this.draft.migrated = migratedDefault(after.coexistence);
      await this.refreshPreview();
    } catch (e) {
      this.error = platform.asCommandError(e);
    } finally {
      this.running = false;
    }
  }

  async refreshPreview(): Promise<void> {
    try {
      this.preview = await platform.bundlePreview(this.draft.include.agentLogs);
    } catch {
      this.preview = [];
    }
  }

  go(screen: Screen): void {
    this.draft.screen = screen;
    this.persist();
    // A new screen starts at its top.
    if (typeof window !== "undefined" && typeof window.scrollTo === "function") window.scrollTo({ top: 0 });
  }

  next(): void {
    const i = SCREENS.indexOf(this.draft.screen);
    if (i < SCREENS.length - 1) this.go(SCREENS[i + 1]);
  }

  back(): void {
    const i = SCREENS.indexOf(this.draft.screen);
    if (i > 0) this.go(SCREENS[i - 1]);
  }

  setLang(lang: Lang): void {
    this.draft.lang = lang;
    setDocumentLang(lang);
    this.persist();
  }

  async setRegion(region: string | null): Promise<void> {
    this.draft.region = region;
    this.persist();
    await this.run();
  }

  async addScreenshot(slot: string, title: string): Promise<void> {
    try {
      const path = await platform.chooseScreenshot(title);
      if (path) {
        this.draft.screenshots.push({ path, slot, caption: "" });
        this.persist();
      }
    } catch (e) {
      this.error = platform.asCommandError(e);
    }
  }

  /** Seconds left before a capture, while counting down. */
  countdown = $state<number | null>(null);

  async addScreenshotBytes(slot: string, bytes: Uint8Array): Promise<void> {
    try {
      const path = await platform.storeScreenshot(bytes);
      this.draft.screenshots.push({ path, slot, caption: "" });
      this.persist();
    } catch (e) {
      this.error = platform.asCommandError(e);
    }
  }

  /** Counts down three seconds (time to bring the console forward), then captures. */
  async capture(slot: string, all: boolean): Promise<void> {
    if (this.countdown !== null) return;
    for (let n = 3; n > 0; n--) {
      this.countdown = n;
      await new Promise((r) => setTimeout(r, 1000));
    }
    this.countdown = null;
    try {
      for (const path of await platform.captureScreen(all)) {
        this.draft.screenshots.push({ path, slot, caption: "" });
      }
      this.persist();
    } catch (e) {
      this.error = platform.asCommandError(e);
    }
  }

  /** Replaces a screenshot with its annotated version (boxes drawn into the pixels). */
  async replaceScreenshot(index: number, bytes: Uint8Array): Promise<void> {
    try {
      const path = await platform.storeScreenshot(bytes);
      this.draft.screenshots[index].path = path;
      this.persist();
    } catch (e) {
      this.error = platform.asCommandError(e);
    }
  }

  removeScreenshot(index: number): void {
    this.draft.screenshots.splice(index, 1);
    this.persist();
  }

  async save(): Promise<void> {
    if (this.saving) return;
    this.saving = true;
    this.error = null;
    this.saved = null;
    this.copied = null;
    this.progress = null;
    try {
      const trim = (v: string | null) => (v && v.trim() !== "" ? v.trim() : null);
      const a = this.draft.answers;
      this.saved = await platform.collectBundle(
        {
          lang: this.draft.lang,
          answers: {
            business_id: trim(a.business_id),
            apex_one_saas_server_guid: trim(a.apex_one_saas_server_guid),
            apex_one_saas_activation_code: trim(a.apex_one_saas_activation_code),
            on_premises_server_guid: trim(a.on_premises_server_guid),
            on_premises_activation_code: trim(a.on_premises_activation_code),
            on_premises_server_gone: a.on_premises_server_gone,
            notes: trim(a.notes),
          },
          screenshots: this.draft.include.screenshots ? $state.snapshot(this.draft.screenshots) : [],
          agent_logs: this.draft.include.agentLogs,
          basecamp_logs: this.draft.include.basecampLogs,
        },
        (p) => (this.progress = p),
      );
    } catch (e) {
      this.error = platform.asCommandError(e);
    } finally {
      this.saving = false;
    }
  }

  cancel(): void {
    void platform.cancelBundle();
  }

  async copyInquiry(): Promise<void> {
    if (this.saved) this.copied = await platform.copyText(this.saved.inquiry);
  }

  /** Some checks could not run without administrator rights (Windows offers UAC). */
  get needsAdmin(): boolean {
    const d = this.diagnosis;
    return (
      !!d &&
      d.os.platform === "windows" &&
      d.source.kind === "live" &&
      d.findings.some((f) => f.message.key === "check.skipped.denied")
    );
  }

  elevate(): void {
    platform.restartElevated().catch((e) => (this.error = platform.asCommandError(e)));
  }

  reveal(): void {
    platform.revealBundle().catch((e) => (this.error = platform.asCommandError(e)));
  }

  /** Opens the system dialog (files or folders), adds what was chosen and compares all. */
  async addFleetInputs(title: string, folder: boolean): Promise<void> {
    this.comparing = true;
    this.csvSaved = false;
    try {
      const result = await platform.compareEndpoints(title, folder);
      if (result) {
        this.fleetInputs = result.inputs;
        this.fleet = result.report;
      }
    } catch (e) {
      this.error = platform.asCommandError(e);
    } finally {
      this.comparing = false;
    }
  }

  clearFleet(): void {
    this.fleetInputs = [];
    this.fleet = null;
    void platform.clearComparison().catch(() => undefined);
  }

  async exportCsv(title: string): Promise<void> {
    if (!this.fleet) return;
    try {
      this.csvSaved = await platform.exportFleetCsv(title);
    } catch (e) {
      this.error = platform.asCommandError(e);
    }
  }

  async startOver(): Promise<void> {
    this.confirmingStartOver = false;
    await platform.clearDraft().catch(() => undefined);
    this.draft = emptyDraft(this.info?.system_lang ?? this.draft.lang);
    this.saved = null;
    this.lastChanges = [];
    this.diagnosis = null;
    await this.run();
  }
}

export const store = new Store();
