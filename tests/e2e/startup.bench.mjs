// Cold start of the real app: from asking for a new window (process start) to the first
// screen being interactive (the welcome screen's Next button present), measured through
// tauri-driver, five times; the peer is a bare WebKitGTK browser (MiniBrowser) started by
// the same WebDriver showing the same built UI from a local server, also five times.
// Prints medians and their ratio. Run inside xvfb-run (scripts/bench-app.sh does).
// Usage: node tests/e2e/startup.bench.mjs <app binary> <url of the built UI>

import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [app, uiUrl] = process.argv.slice(2);
const RUNS = 5;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function wd(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json)}`);
  return json.value;
}

async function up(base) {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(base + "/status");
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`no WebDriver at ${base}`);
}

/** ms from the session request to the Next button being present. */
async function startOnce(base, caps, navigate) {
  const t0 = performance.now();
  const s = await wd(base, "POST", "/session", { capabilities: { alwaysMatch: caps } });
  const id = s.sessionId;
  try {
    if (navigate) await wd(base, "POST", `/session/${id}/url`, { url: navigate });
    for (;;) {
      try {
        await wd(base, "POST", `/session/${id}/element`, { using: "css selector", value: "[data-testid=next]" });
        return performance.now() - t0;
      } catch {
        if (performance.now() - t0 > 60000) throw new Error("the first screen never appeared");
        await sleep(20);
      }
    }
  } finally {
    await wd(base, "DELETE", `/session/${id}`).catch(() => {});
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function series(base, caps, navigate) {
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push(await startOnce(base, caps, navigate));
  return times;
}

const home = mkdtempSync(join(tmpdir(), "bd-startup-"));
const env = { ...process.env, HOME: home, XDG_DATA_HOME: join(home, "data") };
const tauri = spawn("tauri-driver", ["--port", "4446", "--native-port", "4447", "--native-driver", "/usr/bin/WebKitWebDriver"], { env, stdio: "ignore" });
const webkit = spawn("/usr/bin/WebKitWebDriver", ["--port=4448"], { env, stdio: "ignore" });
try {
  await up("http://127.0.0.1:4446");
  await up("http://127.0.0.1:4448");
  const appTimes = await series("http://127.0.0.1:4446", { browserName: "wry", "tauri:options": { application: app } });
  const peerTimes = await series(
    "http://127.0.0.1:4448",
    {
      browserName: "MiniBrowser",
      "webkitgtk:browserOptions": { binary: "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser", args: ["--automation"] },
    },
    uiUrl,
  );
  const a = median(appTimes);
  const p = median(peerTimes);
  console.log(`cold start, app (process start → first screen interactive): median ${a.toFixed(0)} ms  [${appTimes.map((t) => t.toFixed(0)).join(", ")}]`);
  console.log(`peer, MiniBrowser showing the same UI:                     median ${p.toFixed(0)} ms  [${peerTimes.map((t) => t.toFixed(0)).join(", ")}]`);
  console.log(`ratio app/peer: ${(a / p).toFixed(2)}x   (both include WebDriver's own session start)`);
} finally {
  tauri.kill();
  webkit.kill();
}
