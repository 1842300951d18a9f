import { describe, expect, it } from "vitest";
import { catalogues } from "./i18n";
import type { Diagnosis, Finding, Status } from "./types";
import {
  activationCodeValid,
  businessIdValid,
  changes,
  emptyDraft,
  guidValid,
  healthy,
  migratedDefault,
  restoreDraft,
  SCREENS,
  stepState,
} from "./wizard";
import { diagnosis as makeDiagnosis, finding } from "./testdata";

function diagnosis(findings: Finding[], relevant: boolean | null = false): Diagnosis {
  return makeDiagnosis(findings, { connection_switch_relevant: relevant });
}

describe("step states", () => {
  const d = diagnosis([
    finding("agent.basecamp.process", "process", "fail"),
    finding("system.os", "system", "pass"),
    finding("network.summary", "network", "pass"),
  ]);
  const draft = emptyDraft("ja");

  it("follow the worst finding of the step, and show running while checking", () => {
    expect(stepState("process", d, false, draft, false)).toBe("problem");
    expect(stepState("network", d, false, draft, false)).toBe("ok");
    expect(stepState("process", d, true, draft, false)).toBe("running");
    expect(stepState("process", null, false, draft, false)).toBe("not_run");
  });

  it("of step 3 and 4 follow the answers", () => {
    expect(stepState("connection", d, false, { ...draft, migrated: "no" }, false)).toBe("skipped");
    expect(stepState("connection", d, false, { ...draft, migrated: "yes", blueBar: "no" }, false)).toBe("ok");
    expect(stepState("connection", d, false, { ...draft, migrated: "yes" }, false)).toBe("todo");
    const answered = { ...draft, answers: { ...draft.answers, business_id: "ABC-123" } };
    expect(stepState("support", d, false, answered, false)).toBe("ok");
    expect(stepState("save", d, false, draft, true)).toBe("ok");
  });

  it("have a label in both languages for every screen and state", () => {
    for (const lang of ["ja", "en"] as const) {
      for (const s of SCREENS) expect(catalogues[lang]).toHaveProperty([`ui.screen.${s}`]);
      for (const st of ["not_run", "running", "ok", "warning", "problem", "skipped", "todo", "done"]) {
        expect(catalogues[lang]).toHaveProperty([`ui.state.${st}`]);
      }
      for (const s of ["process", "network", "connection", "support", "review", "save"]) {
        expect(catalogues[lang]).toHaveProperty([`ui.screen.${s}.title`]);
      }
    }
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
    expect(healthy(diagnosis([finding("a", "process", "pass"), finding("s", "support", "warn")]))).toBe(true);
    expect(healthy(diagnosis([finding("a", "network", "fail")]))).toBe(false);
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
