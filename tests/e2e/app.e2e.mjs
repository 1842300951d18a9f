// End-to-end test of the real Basecamp Doctor window: tauri-driver + WebKitWebDriver
// drive the built app under Xvfb. Plain Node over HTTP, no npm dependencies.
// Usage (inside xvfb-run): node tests/e2e/app.e2e.mjs <path to basecamp-doctor-app>

import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const app = resolve(process.argv[2] ?? "target/debug/basecamp-doctor-app");
const scenarios = resolve(here, "../fixtures/scenarios");
const outDir = join(here, "out");
mkdirSync(outDir, { recursive: true });
const PORT = 4444;
const base = `http://127.0.0.1:${PORT}`;
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function wd(method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json)}`);
  return json.value;
}

async function waitFor(fn, what, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
}

async function session(args) {
  const caps = {
    capabilities: {
      alwaysMatch: { browserName: "wry", "tauri:options": { application: app, args } },
    },
  };
  const s = await wd("POST", "/session", caps);
  const id = s.sessionId;
  const find = async (css) => (await wd("POST", `/session/${id}/element`, { using: "css selector", value: css }))[ELEMENT];
  const findAll = async (css) =>
    (await wd("POST", `/session/${id}/elements`, { using: "css selector", value: css })).map((e) => e[ELEMENT]);
  const textOf = (el) => wd("GET", `/session/${id}/element/${el}/text`);
  const attr = (el, name) => wd("GET", `/session/${id}/element/${el}/attribute/${name}`);
  const shot = async (name) => {
    const png = await wd("GET", `/session/${id}/screenshot`);
    writeFileSync(join(outDir, name), Buffer.from(png, "base64"));
  };
  const exec = (script, args = []) => wd("POST", `/session/${id}/execute/sync`, { script, args });
  const close = () => wd("DELETE", `/session/${id}`).catch(() => {});
  return { find, findAll, textOf, attr, shot, exec, close };
}

const results = [];
async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push([name, true]);
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push([name, false]);
    console.log(`FAIL ${name}: ${e.stack ?? e}`);
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

const driver = spawn("tauri-driver", ["--port", String(PORT), "--native-driver", "/usr/bin/WebKitWebDriver"], {
  stdio: ["ignore", "inherit", "inherit"],
});
try {
  await waitFor(() => fetch(`${base}/status`).then((r) => r.ok), "tauri-driver to listen", 15000);

  await test("the window checks this real machine and lists its findings", async () => {
    const s = await session([]);
    try {
      const verdict = await waitFor(() => s.find("[data-testid=verdict]"), "the verdict");
      assert((await s.textOf(verdict)).length > 10, "the verdict has text");
      const items = await s.findAll("li.finding");
      assert(items.length >= 10, `expected at least 10 findings, saw ${items.length}`);
      assert((await s.attr(items[0], "data-id")) === "agent.basecamp.process", "step 1 comes first");
      const banners = await s.findAll("[data-testid=replay-banner]");
      assert(banners.length === 0, "no replay banner when looking at the real machine");
      await s.shot("live.png");
    } finally {
      await s.close();
    }
  });

  await test("a replayed scenario is labelled and shows its problems in both languages", async () => {
    const s = await session(["--scenario", join(scenarios, "windows-basecamp-not-installed.json")]);
    try {
      const banner = await waitFor(() => s.find("[data-testid=replay-banner]"), "the replay banner");
      assert((await s.textOf(banner)).includes("windows-basecamp-not-installed"), "banner names the scenario");
      await waitFor(() => s.find("[data-testid=verdict]"), "the verdict");
      const first = await s.find('li.finding[data-id="agent.basecamp.process"]');
      assert((await s.attr(first, "class")).includes("fail"), "missing Basecamp is a problem");
      const lang = await s.find("[data-testid=lang]");
      await s.exec(
        "arguments[0].value = 'ja'; arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
        [{ [ELEMENT]: lang }],
      );
      await waitFor(async () => (await s.textOf(await s.find("[data-testid=step-process] h2"))).includes("ステップ 1"), "Japanese heading");
      const remedyJa = await s.textOf(await s.find('li.finding[data-id="agent.basecamp.process"] .remedy'));
      assert(remedyJa.includes("Agent Installer"), "remedy names the Agent Installer tab");
      await s.shot("scenario-ja.png");
      await s.exec(
        "arguments[0].value = 'en'; arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
        [{ [ELEMENT]: lang }],
      );
      await waitFor(async () => (await s.textOf(await s.find("[data-testid=step-process] h2"))).startsWith("Step 1"), "English heading");
      await s.shot("scenario-en.png");
    } finally {
      await s.close();
    }
  });
  await test("step 2 shows the replayed network results with the TLS inspection named", async () => {
    const s = await session(["--scenario", join(scenarios, "windows-tls-inspection.json")]);
    try {
      await waitFor(() => s.find("[data-testid=step-network]"), "the network step");
      const inspection = await s.find('li.finding[data-id="network.tls_inspection"]');
      assert((await s.attr(inspection, "class")).includes("fail"), "TLS inspection is a problem");
      assert((await s.textOf(inspection)).includes("Corp SSL Inspection CA"), "the intercepting CA is named");
      const region = await s.find('li.finding[data-id="network.region"]');
      const text = await s.textOf(region);
      assert(text.includes("日本") || text.includes("Japan"), `region named: ${text}`);
      await s.exec("document.querySelector('[data-testid=step-network]').scrollIntoView()");
      await s.shot("network.png");
    } finally {
      await s.close();
    }
  });
} finally {
  driver.kill();
}

const passed = results.filter(([, ok]) => ok).length;
const failed = results.length - passed;
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
