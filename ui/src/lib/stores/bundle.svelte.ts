// The support bundle: what it would contain, saving it with progress, and what was saved.

import * as platform from "../../platform";
import type { Coexistence, Progress, Saved, SourcePreview } from "../types";
import { shotsToSend, step3Answers, type Draft } from "../wizard";

export class BundleStore {
  preview = $state<SourcePreview[]>([]);
  saving = $state(false);
  progress = $state<Progress | null>(null);
  saved = $state<Saved | null>(null);
  copied = $state<boolean | null>(null);

  async refreshPreview(agentLogs: boolean): Promise<void> {
    try {
      this.preview = await platform.bundlePreview(agentLogs);
    } catch {
      this.preview = [];
    }
  }

  /** Saves the bundle from the draft; throws the command's error. */
  async save(draft: Draft, coexistence: Coexistence | undefined): Promise<void> {
    if (this.saving) return;
    this.saving = true;
    this.saved = null;
    this.copied = null;
    this.progress = null;
    try {
      const trim = (v: string | null) => (v && v.trim() !== "" ? v.trim() : null);
      const a = draft.answers;
      this.saved = await platform.collectBundle(
        {
          lang: draft.lang,
          answers: {
            // Full-width letters typed through a Japanese input method are the same ID.
            business_id: trim(a.business_id)?.normalize("NFKC") ?? null,
            apex_one_saas_server_guid: trim(a.apex_one_saas_server_guid),
            apex_one_saas_activation_code: trim(a.apex_one_saas_activation_code),
            on_premises_server_guid: trim(a.on_premises_server_guid),
            on_premises_activation_code: trim(a.on_premises_activation_code),
            on_premises_server_gone: a.on_premises_server_gone,
            notes: trim(a.notes),
            recipients_noted: draft.recipientsNoted,
            ...step3Answers(draft),
          },
          screenshots: shotsToSend(draft.screenshots, draft, coexistence),
          agent_logs: draft.include.agentLogs,
          basecamp_logs: draft.include.basecampLogs,
        },
        (p) => (this.progress = p),
      );
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

  clear(): void {
    this.saved = null;
    this.copied = null;
    this.progress = null;
  }
}
