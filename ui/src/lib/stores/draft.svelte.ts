// The draft: everything the user typed, chose or captured. Components read it through
// `value` (read-only, checked by the type system) and change it only through the actions
// below, each of which saves the draft a moment later — so nobody has to remember to save.

import * as platform from "../../platform";
import type { CommandError, Lang, SupportAnswers } from "../types";
import { emptyDraft, restoreDraft, type DeepReadonly, type Draft, type Screen, type Step3Field } from "../wizard";

const SAVE_DELAY_MS = 300;

export type TextAnswer = Exclude<keyof SupportAnswers, "on_premises_server_gone" | "recipients_noted" | Step3Field>;
export type IncludeKey = keyof Draft["include"];

export class DraftStore {
  #value = $state<Draft>(emptyDraft("ja"));
  /** The last save failed (shown as a warning line); cleared by the next good save. */
  error = $state<CommandError | null>(null);
  #timer: ReturnType<typeof setTimeout> | null = null;
  #loaded = $state(false);

  /** The draft on disk has been read: until then nothing is shown to act on, so a click
   * made while the app starts is not overwritten by what was saved. */
  get loaded(): boolean {
    return this.#loaded;
  }

  get value(): DeepReadonly<Draft> {
    return this.#value;
  }

  /** A plain copy, for sending to the app. */
  snapshot(): Draft {
    return $state.snapshot(this.#value) as Draft;
  }

  /** Takes the draft read from disk; changes after this are saved. */
  load(raw: unknown, lang: Lang): void {
    this.#value = restoreDraft(raw, lang);
    this.#loaded = true;
  }

  /** Every action ends here: quick successive changes are saved once. */
  #change(mutate: (d: Draft) => void): void {
    mutate(this.#value);
    if (this.#loaded) this.#schedule(this.snapshot());
  }

  #schedule(snapshot: unknown): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      platform
        .saveDraft(snapshot)
        .then(() => (this.error = null))
        .catch((e) => (this.error = platform.asCommandError(e)));
    }, SAVE_DELAY_MS);
  }

  setLang(lang: Lang): void {
    this.#change((d) => (d.lang = lang));
  }
  go(screen: Screen): void {
    this.#change((d) => (d.screen = screen));
  }
  setRegion(region: string | null): void {
    this.#change((d) => (d.region = region));
  }
  /** `chosen`: by the user (not pre-answered from the checks). */
  setMigrated(v: "yes" | "no" | null, chosen = false): void {
    this.#change((d) => {
      d.migrated = v;
      d.migratedChosen = chosen;
    });
  }
  setBlueBar(v: "yes" | "no"): void {
    this.#change((d) => (d.blueBar = v));
  }
  setSwitchDone(v: "yes" | "no"): void {
    this.#change((d) => (d.switchDone = v));
  }
  setSwitchDate(v: string | null): void {
    this.#change((d) => (d.switchDate = v));
  }
  setRecipientsNoted(v: boolean): void {
    this.#change((d) => (d.recipientsNoted = v));
  }
  setAnswer(field: TextAnswer, value: string): void {
    this.#change((d) => (d.answers[field] = value));
  }
  setServerGone(v: boolean): void {
    this.#change((d) => (d.answers.on_premises_server_gone = v));
  }
  setInclude(key: IncludeKey, v: boolean): void {
    this.#change((d) => (d.include[key] = v));
  }
  addScreenshot(path: string, slot: string): void {
    this.#change((d) => d.screenshots.push({ path, slot, caption: "" }));
  }
  setCaption(index: number, caption: string): void {
    this.#change((d) => (d.screenshots[index].caption = caption));
  }
  replaceScreenshot(index: number, path: string): void {
    this.#change((d) => (d.screenshots[index].path = path));
  }
  removeScreenshot(index: number): void {
    this.#change((d) => d.screenshots.splice(index, 1));
  }
  /** After a successful save: the typed activation codes and notes leave the draft (the
   * saved bundle has them); the rest stays for a second save. Says whether there were any. */
  forgetSecrets(): boolean {
    const a = this.#value.answers;
    const had = [a.apex_one_saas_activation_code, a.on_premises_activation_code, a.notes].some((v) => (v ?? "").trim() !== "");
    if (!had) return false;
    this.#change((d) => {
      d.answers.apex_one_saas_activation_code = null;
      d.answers.on_premises_activation_code = null;
      d.answers.notes = null;
    });
    return true;
  }
  /** "Start over": an empty draft (the caller removes the one on disk). */
  reset(lang: Lang): void {
    this.#value = emptyDraft(lang);
  }
}
