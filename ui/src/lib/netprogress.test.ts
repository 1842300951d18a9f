import { describe, expect, it } from "vitest";
import { applyEvent, cells, counts, type NetProgress } from "./netprogress";
import type { NetEvent } from "./types";

const host = (name: string) => ({ host: name, port: 443, purpose: "xbc_api", optional: false });
const notRun = { outcome: "not_run" } as const;

function fold(events: NetEvent[]): NetProgress | null {
  return events.reduce<NetProgress | null>((p, e) => applyEvent(p, e), null);
}

const targets: NetEvent = { kind: "targets", hosts: [host("a.example"), host("b.example")], via_proxy: [null, null] };

describe("step 2's live rows", () => {
  it("start waiting, then run stage by stage as results arrive", () => {
    let p = fold([targets]);
    expect(counts(p)).toEqual({ done: 0, total: 2 });
    // Direct: the proxy's stage does not apply.
    expect(cells(p!.rows[0]).map((c) => c.state)).toEqual(["waiting", "waiting", "none", "waiting", "waiting"]);
    p = fold([targets, { kind: "host_started", index: 0 }]);
    expect(cells(p!.rows[0]).map((c) => c.state)).toEqual(["running", "waiting", "none", "waiting", "waiting"]);
    p = fold([
      targets,
      { kind: "host_started", index: 0 },
      { kind: "stage", index: 0, stage: "dns", outcome: { outcome: "ok", ms: 3 } },
      { kind: "stage", index: 0, stage: "tcp", outcome: { outcome: "ok", ms: 5 } },
      { kind: "stage", index: 0, stage: "proxy", outcome: notRun },
    ]);
    expect(cells(p!.rows[0]).map((c) => c.state)).toEqual(["ok", "ok", "none", "running", "waiting"]);
    // The other host has not started: it waits.
    expect(cells(p!.rows[1]).map((c) => c.state)).toEqual(["waiting", "waiting", "none", "waiting", "waiting"]);
    expect(counts(p)).toEqual({ done: 0, total: 2 });
  });

  it("show a failure with its reason, and the stages after it as not run once the host is done", () => {
    const p = fold([
      targets,
      { kind: "host_started", index: 1 },
      { kind: "stage", index: 1, stage: "dns", outcome: { outcome: "ok", ms: 3 } },
      { kind: "stage", index: 1, stage: "tcp", outcome: { outcome: "failed", ms: 9, error: "refused" } },
      {
        kind: "host_done",
        index: 1,
        result: {
          target: host("b.example"), via_proxy: null, tls_seen: null,
          dns: { outcome: "ok", ms: 3, value: ["127.0.0.1"] },
          tcp: { outcome: "failed", ms: 9, error: "refused", detail: "127.0.0.1:443: refused" },
          proxy: notRun, tls: notRun, http: notRun,
        },
      },
    ]);
    const row = cells(p!.rows[1]);
    expect(row.map((c) => c.state)).toEqual(["ok", "failed", "none", "not_run", "not_run"]);
    expect(row[1].error).toBe("refused");
    expect(counts(p)).toEqual({ done: 1, total: 2 });
  });

  it("never show a stopped host as OK: what it did not finish is not run", () => {
    const p = fold([
      targets,
      { kind: "host_started", index: 0 },
      { kind: "stage", index: 0, stage: "dns", outcome: { outcome: "ok", ms: 3 } },
      {
        kind: "host_done",
        index: 0,
        result: {
          target: host("a.example"), via_proxy: null, tls_seen: null, stopped: true,
          dns: { outcome: "ok", ms: 3, value: ["127.0.0.1"] },
          tcp: notRun, proxy: notRun, tls: notRun, http: notRun,
        },
      },
      {
        kind: "host_done",
        index: 1,
        result: { target: host("b.example"), via_proxy: null, tls_seen: null, stopped: true, dns: notRun, tcp: notRun, proxy: notRun, tls: notRun, http: notRun },
      },
    ]);
    expect(p!.rows.every((r) => r.stopped)).toBe(true);
    expect(cells(p!.rows[0]).map((c) => c.state)).toEqual(["ok", "not_run", "none", "not_run", "not_run"]);
    expect(cells(p!.rows[1]).some((c) => c.state === "ok")).toBe(false);
  });

  it("show what applies: through a proxy its stage is tested; plain HTTP has no TLS", () => {
    const p = fold([
      { kind: "targets", hosts: [host("a.example"), { ...host("cdn.example"), port: 80 }], via_proxy: ["proxy.corp:8080", "proxy.corp:8080"] },
      { kind: "host_started", index: 0 },
      { kind: "stage", index: 0, stage: "dns", outcome: { outcome: "ok", ms: 1 } },
      { kind: "stage", index: 0, stage: "tcp", outcome: { outcome: "ok", ms: 1 } },
    ]);
    expect(cells(p!.rows[0]).map((c) => c.state)).toEqual(["ok", "ok", "running", "waiting", "waiting"]);
    expect(cells(p!.rows[1]).map((c) => c.state)).toEqual(["waiting", "waiting", "waiting", "none", "waiting"]);
  });

  it("ignore events for hosts it does not know, and a new list starts over", () => {
    let p = fold([{ kind: "stage", index: 4, stage: "dns", outcome: notRun }]);
    expect(counts(p)).toEqual({ done: 0, total: 0 });
    p = fold([targets, { kind: "host_started", index: 0 }, { kind: "targets", hosts: [host("c.example")], via_proxy: [null] }]);
    expect(p!.rows.map((r) => [r.target.host, r.started])).toEqual([["c.example", false]]);
  });
});
