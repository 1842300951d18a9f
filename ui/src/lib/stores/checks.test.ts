import { describe, expect, it, vi } from "vitest";

// Each runChecks call waits until the test answers it, so a second run can be asked for
// while the first is still going.
const calls: { region: string | null; answer: (d: unknown) => void }[] = [];
let cancels = 0;

vi.mock("../../platform", () => ({
  runChecks: (region: string | null) => new Promise((answer) => calls.push({ region, answer })),
  cancelChecks: async () => {
    cancels += 1;
  },
  asCommandError: (e: unknown) => ({ code: "ui.error.unexpected", message: String(e) }),
}));

import { ChecksStore } from "./checks.svelte";

const diagnosis = (region: string | null) => ({
  findings: [],
  network: region === null ? null : { region: { reason: "chosen", code: region } },
});
const settle = () => new Promise((r) => setTimeout(r, 0));

describe("the checks store", () => {
  it("runs a region asked for while the first checks still run, once they end", async () => {
    calls.length = 0;
    const s = new ChecksStore();
    const first = s.run(null);
    await settle();
    // Next on the region screen while the start-up checks run: not dropped.
    expect(await s.run("jp")).toBeNull();
    expect(await s.run("us")).toBeNull(); // only the latest counts
    expect(calls.map((c) => c.region)).toEqual([null]);
    calls[0].answer(diagnosis(null));
    await settle();
    expect(calls.map((c) => c.region)).toEqual([null, "us"]);
    expect(s.running).toBe(true);
    calls[1].answer(diagnosis("us"));
    await first;
    expect(s.running).toBe(false);
    expect(s.diagnosis?.network?.region?.code).toBe("us");
    expect(s.stale("us")).toBe(false);
  });

  it("does not run again for what has just run, and Stop drops what was waiting", async () => {
    calls.length = 0;
    cancels = 0;
    const s = new ChecksStore();
    const first = s.run("jp");
    await settle();
    await s.run("jp");
    calls[0].answer(diagnosis("jp"));
    await first;
    expect(calls.length).toBe(1);

    const second = s.run(null);
    await settle();
    await s.run("us");
    await s.cancel();
    expect(cancels).toBe(1);
    calls[1].answer(diagnosis(null));
    await second;
    expect(calls.length).toBe(2);
    expect(s.stale("us")).toBe(true);
  });
});
