import { beforeEach, describe, expect, it, vi } from "vitest";

const saved: unknown[] = [];
let draftOnDisk: unknown = null;
let run = 0;

vi.mock("../platform", () => ({
  appInfo: async () => ({ version: "0", system_lang: "ja", source: { kind: "live" }, destination: "/home/u/Desktop" }),
  listRegions: async () => ["us", "jp"],
  loadDraft: async () => draftOnDisk,
  saveDraft: async (d: unknown) => {
    saved.push(d);
  },
  clearDraft: async () => {
    draftOnDisk = null;
  },
  runChecks: async () => {
    run += 1;
    const status = run === 1 ? "fail" : "pass";
    return {
      source: { kind: "live" },
      os: { platform: "windows", name: "W", version: "1", arch: "x86_64", bits: 64, hostname: "h" },
      catalogue_version: "1",
      findings: [{ id: "agent.basecamp.process", step: "process", status, message: { key: "k" }, evidence: [], remedy: null }],
      coexistence: { apex_one: null, deep_security: null, connection_switch_relevant: true, questions: [] },
      summary: { pass: 0, info: 0, skipped: 0, warn: 0, fail: 1 },
    };
  },
  bundlePreview: async () => [],
  collectBundle: async () => ({
    outcome: { path: "/home/u/Desktop/b.zip", bytes: 1, files: 1, skipped: [], cut: 0, redactions: 0 },
    inquiry: "text",
  }),
  asCommandError: (e: unknown) => ({ code: "ui.error.unexpected", message: String(e) }),
}));

import { Store } from "./store.svelte";

describe("the store", () => {
  beforeEach(() => {
    saved.length = 0;
    draftOnDisk = null;
    run = 0;
    vi.useFakeTimers();
  });

  it("restores the draft, pre-answers step 3 and saves changes shortly after they happen", async () => {
    draftOnDisk = { version: 1, lang: "en", screen: "support", answers: { business_id: "ABC-123" } };
    const s = new Store();
    await s.start();
    expect(s.draft.screen).toBe("support");
    expect(s.draft.answers.business_id).toBe("ABC-123");
    expect(s.draft.lang).toBe("en");
    expect(s.draft.migrated).toBe("yes");
    // Any change is saved a moment later, without anyone asking; quick changes are saved once.
    s.setAnswer("business_id", "XYZ-78");
    s.setAnswer("business_id", "XYZ-789");
    await Promise.resolve();
    expect(saved.length).toBe(0);
    await vi.advanceTimersByTimeAsync(400);
    expect(saved.length).toBe(1);
    expect((saved[0] as { answers: { business_id: string } }).answers.business_id).toBe("XYZ-789");
  });

  it("shows what changed after a re-run", async () => {
    const s = new Store();
    await s.start();
    expect(s.lastChanges).toEqual([]);
    await s.run();
    expect(s.lastChanges).toEqual([{ id: "agent.basecamp.process", before: "fail", after: "pass" }]);
  });

  it("starts over with an empty draft", async () => {
    draftOnDisk = { version: 1, lang: "ja", screen: "review", answers: { business_id: "ABC-123" } };
    const s = new Store();
    await s.start();
    await s.startOver();
    expect(s.draft.screen).toBe("welcome");
    expect(s.draft.answers.business_id).toBeNull();
  });

  it("after a successful save, forgets typed activation codes and notes unless asked to keep them", async () => {
    const typed = {
      version: 1,
      lang: "ja",
      screen: "save",
      answers: {
        business_id: "ABC-123",
        apex_one_saas_activation_code: "AB-CDEF-GHIJK-LMNOP-QRSTU-VWXYZ-12345",
        on_premises_activation_code: "AB-CDEF-GHIJK-LMNOP-QRSTU-VWXYZ-67890",
        notes: "secret note",
      },
    };
    draftOnDisk = typed;
    const s = new Store();
    await s.start();
    expect(s.keepDraft).toBe(false);
    await s.save();
    expect(s.saved).not.toBeNull();
    expect(s.draft.answers.apex_one_saas_activation_code).toBeNull();
    expect(s.draft.answers.on_premises_activation_code).toBeNull();
    expect(s.draft.answers.notes).toBeNull();
    expect(s.draft.answers.business_id).toBe("ABC-123");
    await vi.advanceTimersByTimeAsync(400);
    const last = JSON.stringify(saved[saved.length - 1]);
    expect(last).not.toContain("GHIJK");
    expect(last).not.toContain("secret note");

    draftOnDisk = typed;
    const k = new Store();
    await k.start();
    k.setKeepDraft(true);
    await k.save();
    expect(k.draft.answers.apex_one_saas_activation_code).toBe(typed.answers.apex_one_saas_activation_code);
    expect(k.draft.answers.notes).toBe("secret note");
  });

  it("runs the checks on Next from the region screen, not on choosing a region", async () => {
    draftOnDisk = { version: 1, lang: "ja", screen: "region", answers: {} };
    const s = new Store();
    await s.start();
    const before = run;
    s.setRegion("jp");
    s.setRegion("us");
    expect(run).toBe(before);
    s.next();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toBe(before + 1);
    expect(s.draft.screen).toBe("process");
    // Leaving by the step list runs them too; going back and on without a change does not.
    s.go("region");
    s.setRegion("jp");
    s.go("review");
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toBe(before + 2);
    s.go("region");
    s.next();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toBe(before + 2);
  });
});
