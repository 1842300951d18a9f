// The window's state, in four parts: the draft (saved automatically whenever it changes),
// the checks, the bundle and the comparison of several PCs. Components read through the
// getters below and change things only by calling the actions; none mutates the draft.

import * as platform from "../platform";
import type { CommandError, Lang } from "./types";
import { migratedDefault, SCREENS, type Screen } from "./wizard";
import { DraftStore, type IncludeKey, type TextAnswer } from "./stores/draft.svelte";
import { ChecksStore } from "./stores/checks.svelte";
import { BundleStore } from "./stores/bundle.svelte";
import { FleetStore } from "./stores/fleet.svelte";

function setDocumentLang(lang: Lang): void {
  if (typeof document !== "undefined") document.documentElement.lang = lang;
}

export class Store {
  readonly drafts = new DraftStore();
  readonly checks = new ChecksStore();
  readonly bundle = new BundleStore();
  readonly fleetStore = new FleetStore();

  /** The error to show (from any command). */
  error = $state<CommandError | null>(null);
  confirmingStartOver = $state(false);
  /** Next was pressed on the region screen while no region is known or chosen. */
  regionPrompt = $state(false);
  /** The last save took typed activation codes or notes out of the draft. */
  secretsForgotten = $state(false);
  /** "Compare several PCs" instead of the wizard. */
  view = $state<"wizard" | "fleet">("wizard");
  /** Seconds left before a capture, while counting down. */
  countdown = $state<number | null>(null);
  /** "Keep what I typed" on the save screen: off, the activation codes and notes are
   * removed from the draft once the bundle is saved. */
  keepDraft = $state(false);
  /** The network team's note, once loaded, and the outcome of the last copy or save. */
  note = $state<string | null>(null);
  noteStatus = $state<"copied" | "copy_failed" | "saved" | null>(null);

  get draft() {
    return this.drafts.value;
  }
  get draftError() {
    return this.drafts.error;
  }
  get lang(): Lang {
    return this.drafts.value.lang;
  }
  get info() {
    return this.checks.info;
  }
  get regions() {
    return this.checks.regions;
  }
  get diagnosis() {
    return this.checks.diagnosis;
  }
  get lastChanges() {
    return this.checks.lastChanges;
  }
  get running() {
    return this.checks.running;
  }
  get preview() {
    return this.bundle.preview;
  }
  get saving() {
    return this.bundle.saving;
  }
  get progress() {
    return this.bundle.progress;
  }
  get saved() {
    return this.bundle.saved;
  }
  get copied() {
    return this.bundle.copied;
  }
  get fleet() {
    return this.fleetStore.report;
  }
  get fleetInputs() {
    return this.fleetStore.inputs;
  }
  get comparing() {
    return this.fleetStore.comparing;
  }
  get csvSaved() {
    return this.fleetStore.csvSaved;
  }

  #fail = (e: unknown): void => {
    this.error = platform.asCommandError(e);
  };

  async start(): Promise<void> {
    try {
      const info = await this.checks.loadInfo();
      this.drafts.load(await platform.loadDraft(), info.system_lang);
    } catch (e) {
      this.#fail(e);
      this.drafts.load(null, "ja");
    }
    setDocumentLang(this.lang);
    await this.run();
  }

  get detectedRegion() {
    return this.checks.detected;
  }
  get proxy() {
    return this.checks.proxy;
  }

  async run(): Promise<void> {
    this.note = null;
    this.noteStatus = null;
    this.error = await this.checks.run(this.draft.region);
    const d = this.checks.diagnosis;
    if (d && this.draft.migrated === null) this.drafts.setMigrated(migratedDefault(d.coexistence));
    await this.refreshPreview();
  }

  async refreshPreview(): Promise<void> {
    await this.bundle.refreshPreview(this.draft.include.agentLogs);
  }

  go(screen: Screen): void {
    this.noteStatus = null;
    // Leaving the region screen (by Next or by the step list) runs the checks for the
    // region chosen, when they have not run for it yet.
    if (this.draft.screen === "region" && screen !== "region" && this.checks.stale(this.draft.region)) void this.run();
    this.drafts.go(screen);
    // A new screen starts at its top.
    if (typeof window !== "undefined" && typeof window.scrollTo === "function") window.scrollTo({ top: 0 });
  }

  /** The agent's files did not name the region and none is chosen: step 2 cannot run. */
  get regionMissing(): boolean {
    const d = this.checks.diagnosis;
    return !!d && !this.checks.running && !d.network?.region && this.draft.region === null;
  }

  next(): void {
    // The one choice the wizard cannot go on without: ask on the spot (the step list still
    // lets the user move on on purpose).
    if (this.draft.screen === "region" && this.regionMissing) {
      this.regionPrompt = true;
      return;
    }
    this.regionPrompt = false;
    const i = SCREENS.indexOf(this.draft.screen);
    if (i < SCREENS.length - 1) this.go(SCREENS[i + 1]);
  }

  back(): void {
    const i = SCREENS.indexOf(this.draft.screen);
    if (i > 0) this.go(SCREENS[i - 1]);
  }

  setLang(lang: Lang): void {
    this.drafts.setLang(lang);
    setDocumentLang(lang);
  }

  /** Only records the choice: the checks run on Next. */
  setRegion(region: string | null): void {
    this.regionPrompt = false;
    this.drafts.setRegion(region);
  }

  /** Step 2 through this proxy (empty: the system's), then runs the checks again. */
  async testProxy(proxy: string): Promise<void> {
    await this.testNetwork(proxy, this.checks.net.serviceGateway ?? "", this.checks.net.hosts.join("\n"));
  }

  /** Step 2 with these settings (proxy, Service Gateway, added hosts one per line), then
   * runs the checks again; a malformed host comes back as the error to show. */
  async testNetwork(proxy: string, gateway: string, hosts: string): Promise<void> {
    const given = (v: string) => (v.trim() === "" ? null : v.trim());
    this.checks.net = {
      proxy: given(proxy),
      serviceGateway: given(gateway),
      hosts: hosts.split("\n").map((h) => h.trim()).filter((h) => h !== ""),
    };
    await this.run();
  }

  setKeepDraft(v: boolean): void {
    this.keepDraft = v;
  }

  async loadNote(): Promise<void> {
    try {
      this.note = await platform.networkNote(this.lang);
    } catch (e) {
      this.#fail(e);
    }
  }

  async copyNote(): Promise<void> {
    await this.loadNote();
    if (this.note !== null) this.noteStatus = (await platform.copyText(this.note)) ? "copied" : "copy_failed";
  }

  async saveNote(title: string): Promise<void> {
    try {
      if (await platform.saveNetworkNote(this.lang, title)) this.noteStatus = "saved";
    } catch (e) {
      this.#fail(e);
    }
  }

  setMigrated(v: "yes" | "no"): void {
    this.drafts.setMigrated(v, true);
  }
  setBlueBar(v: "yes" | "no"): void {
    this.drafts.setBlueBar(v);
  }
  setRecipientsNoted(v: boolean): void {
    this.drafts.setRecipientsNoted(v);
  }
  setSwitchDone(v: "yes" | "no"): void {
    this.drafts.setSwitchDone(v);
  }
  setSwitchDate(v: string | null): void {
    this.drafts.setSwitchDate(v);
  }
  setAnswer(field: TextAnswer, value: string): void {
    this.drafts.setAnswer(field, value);
  }
  setServerGone(v: boolean): void {
    this.drafts.setServerGone(v);
  }
  setInclude(key: IncludeKey, v: boolean): void {
    this.drafts.setInclude(key, v);
    if (key === "agentLogs") void this.refreshPreview();
  }
  setCaption(index: number, caption: string): void {
    this.drafts.setCaption(index, caption);
  }

  async addScreenshot(slot: string, title: string): Promise<void> {
    try {
      const path = await platform.chooseScreenshot(title);
      if (path) this.drafts.addScreenshot(path, slot);
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Stores a pasted or dropped image in `slot`. The error, if any, is returned for the
   * slot to show beside itself (not the window's error box). */
  async addScreenshotBytes(slot: string, bytes: Uint8Array): Promise<CommandError | null> {
    try {
      this.drafts.addScreenshot(await platform.storeScreenshot(bytes), slot);
      return null;
    } catch (e) {
      return platform.asCommandError(e);
    }
  }

  /** Stores the clipboard's image in `slot`, read by the Rust side; the error (no image on
   * the clipboard, clipboard unreadable) is returned for the slot to show. */
  async pasteScreenshot(slot: string): Promise<CommandError | null> {
    try {
      this.drafts.addScreenshot(await platform.pasteScreenshot(), slot);
      return null;
    } catch (e) {
      return platform.asCommandError(e);
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
      for (const path of await platform.captureScreen(all)) this.drafts.addScreenshot(path, slot);
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Replaces a screenshot with its annotated version (boxes drawn into the pixels). */
  async replaceScreenshot(index: number, bytes: Uint8Array): Promise<void> {
    try {
      this.drafts.replaceScreenshot(index, await platform.storeScreenshot(bytes));
    } catch (e) {
      this.#fail(e);
    }
  }

  removeScreenshot(index: number): void {
    this.drafts.removeScreenshot(index);
  }

  async save(): Promise<void> {
    this.error = null;
    try {
      await this.bundle.save(this.drafts.snapshot(), this.diagnosis?.coexistence);
      this.secretsForgotten = !!this.bundle.saved && !this.keepDraft && this.drafts.forgetSecrets();
    } catch (e) {
      this.#fail(e);
    }
  }

  cancel(): void {
    this.bundle.cancel();
  }

  /** Stops step 2's network test (the checks come back with step 2 not checked). */
  async cancelChecks(): Promise<void> {
    const e = await this.checks.cancel();
    if (e) this.error = e;
  }

  async copyInquiry(): Promise<void> {
    await this.bundle.copyInquiry();
  }

  /** Some checks could not run without administrator rights (Windows offers UAC). */
  get needsAdmin(): boolean {
    const d = this.diagnosis;
    return !!d && d.os.platform === "windows" && d.source.kind === "live" && d.needs_admin;
  }

  elevate(): void {
    platform.restartElevated().catch(this.#fail);
  }

  reveal(): void {
    platform.revealBundle().catch(this.#fail);
  }

  async addFleetInputs(title: string, folder: boolean): Promise<void> {
    await this.fleetStore.add(title, folder).catch(this.#fail);
  }

  clearFleet(): void {
    this.fleetStore.clear();
  }

  async exportCsv(title: string): Promise<void> {
    await this.fleetStore.exportCsv(title).catch(this.#fail);
  }

  async startOver(): Promise<void> {
    this.confirmingStartOver = false;
    await platform.clearDraft().catch(() => undefined);
    this.drafts.reset(this.info?.system_lang ?? this.lang);
    this.bundle.clear();
    this.checks.clear();
    await this.run();
  }
}

export const store = new Store();
