// The wizard's rules as plain functions (no Svelte, no Tauri), so they are unit-tested:
// the screens, what state each step is in, what changed after a re-run, whether the
// endpoint looks healthy, and the format checks of step 4.

import type { Coexistence, Diagnosis, Finding, Status, Step, SupportAnswers } from "./types";

export type Screen = "welcome" | "region" | "process" | "network" | "connection" | "support" | "review" | "save";
export const SCREENS: Screen[] = ["welcome", "region", "process", "network", "connection", "support", "review", "save"];

/** The locale key of a screen's heading. */
export function screenTitleKey(screen: Screen): string {
  if (screen === "welcome") return "ui.welcome.title";
  if (screen === "region") return "ui.region.title";
  return `ui.screen.${screen}.title`;
}

/** Checklist states of a step. `unchecked`: a check that did not run (never shown as
 * OK or as not needed); `entered`/`todo` for the forms; `saved`/`not_saved` for the save. */
export type StepState =
  | "not_run"
  | "running"
  | "ok"
  | "warning"
  | "problem"
  | "unchecked"
  | "skipped"
  | "todo"
  | "entered"
  | "done"
  | "saved"
  | "not_saved";

/** Step 3's answers as the engine takes them (from the draft's migrated/blueBar/switch*). */
export type Step3Field = "managed_by_on_premises" | "blue_bar_shown" | "switch_done" | "switch_date";

export interface Draft {
  version: 1;
  lang: "ja" | "en";
  screen: Screen;
  /** null: detect the region from the agent's files. */
  region: string | null;
  migrated: "yes" | "no" | null;
  /** The user chose `migrated` (not only pre-answered from what the checks found). */
  migratedChosen: boolean;
  blueBar: "yes" | "no" | null;
  /** Step 3: the connection destination was switched; null: not answered. */
  switchDone: "yes" | "no" | null;
  /** Step 3: when (YYYY-MM-DD); null: not answered. */
  switchDate: string | null;
  recipientsNoted: boolean;
  /** What was typed for support; "recipients noted" and step 3's answers are kept beside
   * it (recipientsNoted, migrated, blueBar, switchDone, switchDate). */
  answers: Omit<SupportAnswers, "recipients_noted" | Step3Field>;
  screenshots: { path: string; slot: string; caption: string }[];
  include: { basecampLogs: boolean; agentLogs: boolean; screenshots: boolean };
}

/** The draft as components see it: read-only all the way down (they change it through
 * the store's actions). */
export type DeepReadonly<T> = { readonly [K in keyof T]: T[K] extends object ? DeepReadonly<T[K]> : T[K] };
export type ReadonlyDraft = DeepReadonly<Draft>;

export function emptyDraft(lang: "ja" | "en"): Draft {
  return {
    version: 1,
    lang,
    screen: "welcome",
    region: null,
    migrated: null,
    migratedChosen: false,
    blueBar: null,
    switchDone: null,
    switchDate: null,
    recipientsNoted: false,
    answers: {
      business_id: null,
      apex_one_saas_server_guid: null,
      apex_one_saas_activation_code: null,
      on_premises_server_guid: null,
      on_premises_activation_code: null,
      on_premises_server_gone: false,
      notes: null,
    },
    screenshots: [],
    include: { basecampLogs: true, agentLogs: true, screenshots: true },
  };
}

/** A saved draft, checked field by field; anything odd falls back to the default. */
export function restoreDraft(raw: unknown, lang: "ja" | "en"): Draft {
  const base = emptyDraft(lang);
  if (!raw || typeof raw !== "object" || (raw as { version?: unknown }).version !== 1) return base;
  const r = raw as Partial<Draft>;
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  const a = (r.answers ?? {}) as Partial<SupportAnswers>;
  return {
    version: 1,
    lang: r.lang === "en" || r.lang === "ja" ? r.lang : lang,
    screen: SCREENS.includes(r.screen as Screen) ? (r.screen as Screen) : "welcome",
    region: str(r.region),
    migrated: r.migrated === "yes" || r.migrated === "no" ? r.migrated : null,
    migratedChosen: r.migratedChosen === true,
    blueBar: r.blueBar === "yes" || r.blueBar === "no" ? r.blueBar : null,
    switchDone: r.switchDone === "yes" || r.switchDone === "no" ? r.switchDone : null,
    switchDate: str(r.switchDate),
    recipientsNoted: r.recipientsNoted === true,
    answers: {
      business_id: str(a.business_id),
      apex_one_saas_server_guid: str(a.apex_one_saas_server_guid),
      apex_one_saas_activation_code: str(a.apex_one_saas_activation_code),
      on_premises_server_guid: str(a.on_premises_server_guid),
      on_premises_activation_code: str(a.on_premises_activation_code),
      on_premises_server_gone: a.on_premises_server_gone === true,
      notes: str(a.notes),
    },
    screenshots: Array.isArray(r.screenshots)
      ? r.screenshots.filter((s) => s && typeof s.path === "string" && typeof s.slot === "string")
          .map((s) => ({ path: s.path, slot: s.slot, caption: typeof s.caption === "string" ? s.caption : "" }))
      : [],
    include: {
      basecampLogs: r.include?.basecampLogs !== false,
      agentLogs: r.include?.agentLogs !== false,
      screenshots: r.include?.screenshots !== false,
    },
  };
}

/** The findings a screen shows: step 1 shows the process and the system items. */
export function findingsFor(d: Diagnosis, screen: Screen): Finding[] {
  const steps: Step[] =
    screen === "process" ? ["process", "system"] : screen === "network" ? ["network"] : screen === "support" ? ["support"] : [];
  // What needs attention first (problems, warnings, what was not checked), then the rest,
  // each group in the guide's order: a problem is never below the fold under "OK" items.
  const rank: Record<Status, number> = { fail: 0, warn: 1, skipped: 2, info: 3, pass: 3 };
  return d.findings
    .filter((f) => steps.includes(f.step))
    .map((f, i) => [f, i] as const)
    .sort(([a, i], [b, j]) => rank[a.status] - rank[b.status] || i - j)
    .map(([f]) => f);
}

function worst(statuses: Status[]): StepState {
  if (statuses.includes("fail")) return "problem";
  if (statuses.includes("warn")) return "warning";
  // A check that was skipped did not look: not checked, never "OK".
  if (statuses.includes("skipped")) return "unchecked";
  return statuses.length === 0 ? "not_run" : "ok";
}

/** Step 2 has tested hosts of a known region (or hosts the user gave). */
export function networkChecked(d: Diagnosis): boolean {
  const n = d.network;
  return !!n && (n.region !== null || n.results.length > 0);
}

/** The checklist state of a screen, from the checks and the answers. */
export function stepState(screen: Screen, d: Diagnosis | null, running: boolean, draft: ReadonlyDraft, saved: boolean): StepState {
  switch (screen) {
    case "welcome":
      return "done";
    case "region":
      if (running) return "running";
      if (!d) return "todo";
      // Done only once a region is known (chosen, or read from the agent's files).
      return d.network?.region ? "done" : "unchecked";
    case "process":
      if (running) return "running";
      return d ? worst(findingsFor(d, screen).map((f) => f.status)) : "not_run";
    case "network": {
      if (running) return "running";
      if (!d) return "not_run";
      const state = worst(findingsFor(d, screen).map((f) => f.status));
      if (!networkChecked(d) && state !== "problem" && state !== "warning") return "unchecked";
      return state === "not_run" ? "unchecked" : state;
    }
    case "connection":
      if (draft.migrated === "no") return "skipped";
      if (draft.migrated === "yes" && draft.blueBar !== null) return "entered";
      return "todo";
    case "support":
      return businessIdValid(draft.answers.business_id) ? "entered" : "todo";
    case "review": {
      if (running) return "running";
      if (!d) return "not_run";
      // The engine's verdict: "incomplete" (nothing failed, something not checked) is
      // never shown as OK; a Business ID of another company raises it, as in the bundle.
      const v = reviewVerdict(d, businessIdMismatch(d, draft.answers.business_id));
      return v === "fail" ? "problem" : v === "warn" ? "warning" : v === "incomplete" ? "unchecked" : "ok";
    }
    case "save":
      return saved ? "saved" : "not_saved";
  }
}

/** Step 3's answers as the engine takes them: unanswered stays null; after "not managed by
 * on-premises Apex One" nothing more of step 3 is sent, and a date only with "switched". */
export function step3Answers(d: ReadonlyDraft): Pick<SupportAnswers, Step3Field> {
  const yesNo = (v: "yes" | "no" | null) => (v === null ? null : v === "yes");
  // Pre-answered from the checks is not an answer: only a choice, or an answer to the
  // follow-up question shown under it, says it.
  const managed = d.migratedChosen || d.blueBar !== null || d.switchDone !== null ? yesNo(d.migrated) : null;
  if (managed === false) return { managed_by_on_premises: false, blue_bar_shown: null, switch_done: null, switch_date: null };
  const date = d.switchDone === "yes" && d.switchDate && d.switchDate.trim() !== "" ? d.switchDate.trim() : null;
  return { managed_by_on_premises: managed, blue_bar_shown: yesNo(d.blueBar), switch_done: yesNo(d.switchDone), switch_date: date };
}

/** A switch date as the engine accepts it: YYYY-MM-DD, not after today (local). */
export function switchDateValid(v: string | null, today: Date = new Date()): boolean {
  if (v === null || v.trim() === "") return true;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim());
  if (!m) return false;
  const date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (date.getMonth() !== Number(m[2]) - 1 || date.getDate() !== Number(m[3])) return false;
  const end = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  return date <= end;
}

/** The migration question, pre-answered from the coexisting agents. */
export function migratedDefault(c: Coexistence | undefined): "yes" | "no" | null {
  if (!c) return null;
  if (c.connection_switch_relevant === true) return "yes";
  if (c.connection_switch_relevant === false) return "no";
  return null;
}

export interface Change {
  id: string;
  before: Status;
  after: Status;
}

/** What a re-run changed: findings whose status moved, and new ones. */
export function changes(before: Diagnosis | null, after: Diagnosis): Change[] {
  if (!before) return [];
  const old = new Map(before.findings.map((f) => [f.id, f.status] as const));
  return after.findings
    .filter((f) => old.has(f.id) && old.get(f.id) !== f.status)
    .map((f) => ({ id: f.id, before: old.get(f.id) as Status, after: f.status }));
}

/** Every check on the endpoint passed: the cause is probably on the console's side. */
export function healthy(d: Diagnosis): boolean {
  // Not while anything on the endpoint is unchecked: "no problems found" would be untrue.
  return (
    networkChecked(d) &&
    d.findings
      .filter((f) => f.step === "process" || f.step === "system" || f.step === "network")
      .every((f) => f.status !== "fail" && f.status !== "warn" && f.status !== "skipped")
  );
}

export function businessIdValid(v: string | null): boolean {
  return v !== null && /^[A-Za-z0-9-]{4,64}$/.test(v.normalize("NFKC").trim());
}

/** Server GUIDs as the Apex One consoles show them: 8-4-4-4-12 hex digits. */
export function guidValid(v: string | null): boolean {
  return v === null || v.trim() === "" || /^\{?[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\}?$/.test(v.trim());
}

/** Trend Micro activation codes: XX-XXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX. */
export function activationCodeValid(v: string | null): boolean {
  return v === null || v.trim() === "" || /^[A-Za-z0-9]{2}-[A-Za-z0-9]{4}(-[A-Za-z0-9]{5}){5}$/.test(v.trim());
}

/** A question of step 4 applies to this endpoint. */
export function asks(c: Coexistence | undefined, id: string): boolean {
  return !!c?.questions.some((q) => q.id === id);
}

/** The Business ID typed is not the agent's own: the agent came from another company's
 * package. The same finding the bundle adds (`checks::agent_facts::business_id_mismatch`),
 * so the review and the saved report cannot disagree. Full-width letters count as typed. */
export function businessIdMismatch(d: Diagnosis | null, typed: string | null): Finding | null {
  const theirs = d?.agent?.business_id?.trim();
  const mine = (typed ?? "").normalize("NFKC").trim();
  if (!theirs || mine === "" || theirs.toLowerCase() === mine.toLowerCase()) return null;
  return {
    id: "agent.business_id",
    step: "support",
    status: "warn",
    message: { key: "agent.business_id.mismatch", params: { typed: mine, agent: theirs } },
    evidence: [
      { key: "business_id_typed", value: mine },
      { key: "business_id_agent", value: theirs },
    ],
    remedy: { key: "agent.business_id.mismatch.remedy", params: {} },
    show_remedy: true,
  } as Finding;
}

/** The review's verdict: the engine's, raised to "warn" by a problem only the window knows
 * of (the Business ID typed there), as the bundle's report will be. */
export function reviewVerdict(d: Diagnosis, mismatch: Finding | null): Diagnosis["summary"]["verdict"] {
  const v = d.summary.verdict;
  return mismatch && (v === "pass" || v === "incomplete") ? "warn" : v;
}

/** A screenshot slot is still asked for by the answers given: a blue-bar picture after
 * "no blue bar" (or after "not managed by on-premises Apex One") is not, and must not reach
 * support beside an answer it contradicts. */
export function slotApplies(slot: string, d: ReadonlyDraft, c: Coexistence | undefined): boolean {
  switch (slot) {
    case "blue_bar":
      return d.migrated === "yes" && d.blueBar === "yes";
    case "no_blue_bar":
      return d.migrated === "yes" && d.blueBar === "no";
    case "workbench_recipients":
      return asks(c, "on_premises_server");
    default:
      return true;
  }
}

/** The screenshots the bundle takes: those of slots that still apply, when included. */
export function shotsToSend<T extends { slot: string }>(shots: readonly T[], d: ReadonlyDraft, c: Coexistence | undefined): T[] {
  return d.include.screenshots ? shots.filter((s) => slotApplies(s.slot, d, c)) : [];
}

/** A proxy as the window shows it: without a user name or password. */
export function proxyForDisplay(p: string): string {
  const at = p.lastIndexOf("@");
  if (at < 0) return p;
  const scheme = p.match(/^[a-z][a-z0-9+.-]*:\/\//i)?.[0] ?? "";
  return `${scheme}***@${p.slice(at + 1)}`;
}
