import { describe, expect, it } from "vitest";
import { catalogues } from "./i18n";
import type { Diagnosis, Finding, Status } from "./types";
import {
  activationCodeValid,
  businessIdMismatch,
  businessIdValid,
  changes,
  emptyDraft,
  findingsFor,
  guidValid,
  healthy,
  migratedDefault,
  proxyForDisplay,
  restoreDraft,
  reviewVerdict,
  SCREENS,
  shotsToSend,
  step3Answers,
  stepState,
  switchDateValid,
} from "./wizard";
import { diagnosis as makeDiagnosis, finding, withNetwork } from "./testdata";

function diagnosis(findings: Finding[], relevant: boolean | null = false): Diagnosis {
  return makeDiagnosis(findings, { connection_switch_relevant: relevant });
}

describe("step states", () => {
  const d = diagnosis([
    finding("agent.basecamp.process", "process", "fail"),
    finding("system.os", "system", "pass"),
    finding("network.summary", "network", "pass"),
  ]);
  d.network = { region: { reason: "chosen", code: "jp" }, proxy: null, pac_url: null, timeout_secs: 10, results: [] };
  const draft = emptyDraft("ja");

  it("follow the worst finding of the step, and show running while checking", () => {
    expect(stepState("process", d, false, draft, false)).toBe("problem");
    expect(stepState("network", d, false, draft, false)).toBe("ok");
    expect(stepState("process", d, true, draft, false)).toBe("running");
    expect(stepState("process", null, false, draft, false)).toBe("not_run");
  });

  it("of step 3 and 4 follow the answers", () => {
    expect(stepState("connection", d, false, { ...draft, migrated: "no" }, false)).toBe("skipped");
    expect(stepState("connection", d, false, { ...draft, migrated: "yes", blueBar: "no" }, false)).toBe("entered");
    expect(stepState("connection", d, false, { ...draft, migrated: "yes" }, false)).toBe("todo");
    const answered = { ...draft, answers: { ...draft.answers, business_id: "ABC-123" } };
    expect(stepState("support", d, false, answered, false)).toBe("entered");
    expect(stepState("support", d, false, draft, false)).toBe("todo");
    expect(stepState("save", d, false, draft, true)).toBe("saved");
    expect(stepState("save", d, false, draft, false)).toBe("not_saved");
  });

  it("have a label in both languages for every screen and state", () => {
    for (const lang of ["ja", "en"] as const) {
      for (const s of SCREENS) expect(catalogues[lang]).toHaveProperty([`ui.screen.${s}`]);
      for (const st of ["not_run", "running", "ok", "warning", "problem", "unchecked", "skipped", "todo", "entered", "done", "saved", "not_saved"]) {
        expect(catalogues[lang]).toHaveProperty([`ui.state.${st}`]);
      }
      for (const s of ["process", "network", "connection", "support", "review", "save"]) {
        expect(catalogues[lang]).toHaveProperty([`ui.screen.${s}.title`]);
      }
    }
  });
});

describe("unchecked is never OK", () => {
  const draft = emptyDraft("ja");
  // Step 2 did not run: the region is unknown (the engine says so with a skipped finding).
  const notRun = diagnosis([
    finding("agent.basecamp.process", "process", "pass"),
    finding("network.region", "network", "skipped"),
  ]);
  notRun.network = { region: null, proxy: null, pac_url: null, timeout_secs: 10, results: [] };

  it("says Not checked for step 2 and the region, never OK, Not needed or Done", () => {
    for (const s of ["network", "region", "review"] as const) {
      const st = stepState(s, notRun, false, draft, false);
      expect(st, s).toBe("unchecked");
    }
    // Not even when the engine left step 2 out altogether.
    const none = diagnosis([finding("agent.basecamp.process", "process", "pass")]);
    expect(stepState("network", none, false, draft, false)).toBe("unchecked");
    expect(stepState("region", none, false, draft, false)).toBe("unchecked");
    expect(stepState("review", none, false, draft, false)).toBe("unchecked");
    expect(catalogues.ja["ui.state.unchecked"]).toBe("未確認");
    expect(catalogues.en["ui.state.unchecked"]).toBe("Not checked");
  });

  it("the region is done only once it is known", () => {
    const known = diagnosis([finding("network.summary", "network", "pass")]);
    known.network = { region: { reason: "detected", code: "jp", file: "f", evidence: "e" }, proxy: null, pac_url: null, timeout_secs: 10, results: [] };
    expect(stepState("region", known, false, draft, false)).toBe("done");
    expect(stepState("region", null, false, draft, false)).toBe("todo");
    expect(stepState("network", known, false, draft, false)).toBe("ok");
  });

  it("a skipped step-1 check is not checked either", () => {
    const d = diagnosis([finding("agent.basecamp.process", "process", "skipped")]);
    expect(stepState("process", d, false, draft, false)).toBe("unchecked");
  });

  it("the review follows the engine's verdict: incomplete is never OK", () => {
    // The engine's verdict and its list of what is unchecked, read as they are.
    expect(notRun.summary.verdict).toBe("incomplete");
    expect(stepState("review", notRun, false, draft, false)).toBe("unchecked");
    const checked = withNetwork(diagnosis([finding("network.summary", "network", "pass")]), {
      region: { reason: "chosen", code: "jp" },
      proxy: null,
      pac_url: null,
      timeout_secs: 10,
      results: [],
    });
    expect(checked.summary.verdict).toBe("pass");
    expect(checked.unchecked).toEqual([]);
    expect(stepState("review", checked, false, draft, false)).toBe("ok");
    for (const lang of ["ja", "en"] as const) {
      for (const key of ["verdict.incomplete", "unchecked.network.not_run", "unchecked.network.how", "unchecked.rerun"]) {
        expect(catalogues[lang], key).toHaveProperty([key]);
      }
      expect(catalogues[lang]["verdict.incomplete.app"]).not.toBe(catalogues[lang]["verdict.pass"]);
    }
  });

  it("step 3's answers go to the engine as answered: unanswered stays null", () => {
    const empty = emptyDraft("ja");
    expect(step3Answers(empty)).toEqual({ managed_by_on_premises: null, blue_bar_shown: null, switch_done: null, switch_date: null });
    // Pre-answered from the checks only: not an answer.
    expect(step3Answers({ ...empty, migrated: "yes" }).managed_by_on_premises).toBeNull();
    expect(step3Answers({ ...empty, migrated: "yes", migratedChosen: true }).managed_by_on_premises).toBe(true);
    const all = { ...empty, migrated: "yes" as const, blueBar: "yes" as const, switchDone: "yes" as const, switchDate: "2026-10-01" };
    expect(step3Answers(all)).toEqual({ managed_by_on_premises: true, blue_bar_shown: true, switch_done: true, switch_date: "2026-10-01" });
    // A date is sent only with "switched"; nothing more after "not managed".
    expect(step3Answers({ ...all, switchDone: "no" }).switch_date).toBeNull();
    expect(step3Answers({ ...all, migrated: "no", migratedChosen: true })).toEqual({
      managed_by_on_premises: false,
      blue_bar_shown: null,
      switch_done: null,
      switch_date: null,
    });
  });

  it("a switch date is a real past date", () => {
    const today = new Date(2026, 10, 26);
    expect(switchDateValid(null, today)).toBe(true);
    expect(switchDateValid("2026-11-26", today)).toBe(true);
    expect(switchDateValid("2026-11-27", today)).toBe(false);
    expect(switchDateValid("2026-02-30", today)).toBe(false);
    expect(switchDateValid("26/11/2026", today)).toBe(false);
  });

  it("a proxy is shown without its password", () => {
    expect(proxyForDisplay("http://user:p@ss/w@proxy.example:8080")).toBe("http://***@proxy.example:8080");
    expect(proxyForDisplay("proxy.example:8080")).toBe("proxy.example:8080");
  });
});

describe("re-runs", () => {
  it("report the findings whose status changed", () => {
    const before = diagnosis([finding("a", "process", "fail"), finding("b", "system", "pass")]);
    const after = diagnosis([finding("a", "process", "pass"), finding("b", "system", "pass"), finding("c", "system", "warn")]);
    expect(changes(before, after)).toEqual([{ id: "a", before: "fail", after: "pass" }]);
    expect(changes(null, after)).toEqual([]);
  });

  it("call an endpoint healthy only without warnings or problems on it", () => {
    const ok = diagnosis([finding("a", "process", "pass"), finding("s", "support", "warn")]);
    ok.network = { region: { reason: "chosen", code: "jp" }, proxy: null, pac_url: null, timeout_secs: 10, results: [] };
    expect(healthy(ok)).toBe(true);
    expect(healthy(diagnosis([finding("a", "network", "fail")]))).toBe(false);
    // Unchecked is not healthy: step 2 left out, or a skipped check.
    expect(healthy({ ...ok, network: null })).toBe(false);
    expect(healthy({ ...ok, findings: [...ok.findings, finding("n", "network", "skipped")] })).toBe(false);
  });
});

describe("answers", () => {
  it("pre-answer the migration question from the agents found", () => {
    expect(migratedDefault(diagnosis([], true).coexistence)).toBe("yes");
    expect(migratedDefault(diagnosis([], false).coexistence)).toBe("no");
    expect(migratedDefault(diagnosis([], null).coexistence)).toBeNull();
  });

  it("check the formats support asks for", () => {
    expect(businessIdValid("a1b2-C3D4")).toBe(true);
    expect(businessIdValid("has space")).toBe(false);
    expect(businessIdValid(null)).toBe(false);
    expect(guidValid("1A2B3C4D-5E6F-7A8B-9C0D-1E2F3A4B5C6D")).toBe(true);
    expect(guidValid("{1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d}")).toBe(true);
    expect(guidValid("1234")).toBe(false);
    expect(guidValid("")).toBe(true);
    expect(activationCodeValid("AB-CDEF-GHIJK-LMNOP-QRSTU-VWXYZ-01234")).toBe(true);
    expect(activationCodeValid("AB-CDEF")).toBe(false);
  });
});

describe("drafts", () => {
  it("restore what was saved and ignore what is malformed", () => {
    const d = emptyDraft("en");
    d.screen = "support";
    d.answers.business_id = "ABC-123";
    d.screenshots.push({ path: "/x.png", slot: "blue_bar", caption: "bar" });
    expect(restoreDraft(JSON.parse(JSON.stringify(d)), "ja")).toEqual(d);
    expect(restoreDraft({ version: 2, screen: "save" }, "ja")).toEqual(emptyDraft("ja"));
    expect(restoreDraft(null, "en").lang).toBe("en");
    const odd = restoreDraft({ version: 1, screen: "nowhere", answers: { business_id: 5 }, screenshots: [{ path: 1 }] }, "ja");
    expect(odd.screen).toBe("welcome");
    expect(odd.answers.business_id).toBeNull();
    expect(odd.screenshots).toEqual([]);
  });
});

describe("what the window and the bundle must agree on", () => {
  const withAgentBid = (bid: string | null) => {
    const d = makeDiagnosis([finding("agent.basecamp.process", "process", "pass")]);
    return { ...d, agent: { ...d.agent, business_id: bid } } as Diagnosis;
  };

  it("a Business ID of another company is a warning in the review, as in the bundle", () => {
    const d = withAgentBid("A1B2-C3D4");
    expect(businessIdMismatch(d, "a1b2-c3d4")).toBeNull(); // case does not matter
    expect(businessIdMismatch(d, "Ａ１Ｂ２－Ｃ３Ｄ４")).toBeNull(); // nor full-width input
    expect(businessIdMismatch(d, "  ")).toBeNull();
    expect(businessIdMismatch(withAgentBid(null), "ZZZZ-9999")).toBeNull();
    const m = businessIdMismatch(d, "ZZZZ-9999");
    expect(m?.id).toBe("agent.business_id");
    expect(m?.status).toBe("warn");
    expect(m?.message.params).toEqual({ typed: "ZZZZ-9999", agent: "A1B2-C3D4" });
    expect(reviewVerdict(d, m)).toBe("warn");
    expect(reviewVerdict(d, null)).toBe(d.summary.verdict);
    const draft = { ...emptyDraft("ja"), answers: { ...emptyDraft("ja").answers, business_id: "ZZZZ-9999" } };
    expect(stepState("review", d, false, draft, false)).toBe("warning");
  });

  it("full-width IDs typed through a Japanese input method are valid", () => {
    expect(businessIdValid("ＡＢＣ１２３４－ＸＹＺ")).toBe(true);
    expect(businessIdValid("ＡＢＣ　１２３")).toBe(false);
  });

  it("a screenshot whose question no longer applies is not sent", () => {
    const shots = [
      { slot: "blue_bar", path: "a.png", caption: "" },
      { slot: "no_blue_bar", path: "b.png", caption: "" },
      { slot: "business_profile", path: "c.png", caption: "" },
      { slot: "workbench_recipients", path: "d.png", caption: "" },
    ];
    const base = emptyDraft("ja");
    const onPrem = { questions: [{ id: "on_premises_server" }] } as unknown as Diagnosis["coexistence"];
    const noBar = { ...base, migrated: "yes" as const, blueBar: "no" as const };
    expect(shotsToSend(shots, noBar, onPrem).map((s) => s.slot)).toEqual(["no_blue_bar", "business_profile", "workbench_recipients"]);
    const notMigrated = { ...base, migrated: "no" as const, blueBar: "yes" as const };
    expect(shotsToSend(shots, notMigrated, undefined).map((s) => s.slot)).toEqual(["business_profile"]);
    const excluded = { ...noBar, include: { ...noBar.include, screenshots: false } };
    expect(shotsToSend(shots, excluded, onPrem)).toEqual([]);
  });
});

it("a step lists what needs attention first, each group in the guide's order", () => {
  const d = makeDiagnosis([
    finding("a", "process", "pass"),
    finding("b", "process", "info"),
    finding("c", "system", "warn"),
    finding("d", "process", "fail"),
    finding("e", "process", "skipped"),
    finding("f", "system", "fail"),
    finding("g", "network", "fail"),
  ]);
  expect(findingsFor(d, "process").map((f) => f.id)).toEqual(["d", "f", "c", "e", "a", "b"]);
});
