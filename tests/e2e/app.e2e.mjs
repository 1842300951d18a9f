// End-to-end test of the real Basecamp Doctor window: tauri-driver + WebKitWebDriver
// drive the built app under Xvfb. Plain Node over HTTP, no npm dependencies.
// Usage (inside xvfb-run): node tests/e2e/app.e2e.mjs <path to basecamp-doctor-app>

import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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

async function session(args, { keepDraft = false } = {}) {
  if (!keepDraft) freshDraft();
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
    // The page's new state is in the DOM before it is painted: give it two frames' time,
    // or the picture shows the screen before.
    await sleep(400);
    const png = await wd("GET", `/session/${id}/screenshot`);
    writeFileSync(join(outDir, name), Buffer.from(png, "base64"));
  };
  const exec = (script, args = []) => wd("POST", `/session/${id}/execute/sync`, { script, args });
  const close = () => wd("DELETE", `/session/${id}`).catch(() => {});
  // As a person would, bring the control to the middle of the window first: the sticky
  // action bar covers the bottom edge, and a click there would land on the bar.
  const click = async (css) => {
    const el = await find(css);
    await exec("arguments[0].scrollIntoView({ block: 'center' })", [{ [ELEMENT]: el }]);
    return wd("POST", `/session/${id}/element/${el}/click`, {});
  };
  const type = async (css, value) => wd("POST", `/session/${id}/element/${await find(css)}/value`, { text: value });
  // The screen's primary action is visible without scrolling: scrolled to the top, its
  // box lies inside the window and it is what a click at its centre would land on.
  const primaryInView = async (screen) => {
    const seen = await exec(`
      document.scrollingElement.scrollTop = 0;
      return [...document.querySelectorAll('button.primary')].filter((b) => b.offsetParent !== null).map((b) => {
        const r = b.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        const inside = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
        return { id: b.dataset.testid, w: innerWidth, h: innerHeight, inside, onTop: !!hit && b.contains(hit) };
      });`);
    assert(seen.length > 0, `${screen}: no visible primary action`);
    for (const b of seen) {
      assert(b.inside && b.onTop, `${screen}: the primary action ${b.id} is not in view in ${b.w}x${b.h}: ${JSON.stringify(b)}`);
    }
    return { ...seen[0], id: seen.map((b) => b.id).join("+") };
  };
  return { id, find, findAll, textOf, attr, shot, exec, close, click, type, primaryInView };
}

const results = [];
async function test(name, fn) {
  // E2E_ONLY=<part of a name> runs just the matching tests (while working on one).
  if (process.env.E2E_ONLY && !name.includes(process.env.E2E_ONLY)) return;
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

// A home of its own: an empty draft for every session and a Desktop the test can read.
const home = mkdtempSync(join(tmpdir(), "basecamp-doctor-e2e-"));
const desktop = join(home, "Desktop");
mkdirSync(join(home, ".config"), { recursive: true });
mkdirSync(desktop, { recursive: true });
writeFileSync(join(home, ".config", "user-dirs.dirs"), 'XDG_DESKTOP_DIR="$HOME/Desktop"\n');
const appData = join(home, ".local", "share", "jp.basecampdoctor.app");
const freshDraft = () => rmSync(appData, { recursive: true, force: true });

// A fake of Vision One's endpoint-data API on 127.0.0.1 (the shapes in docs/inventory.md),
// for the review screen's console check; the app is pointed at it by BASECAMP_DOCTOR_API_URL.
const API_KEY = "e2e-v1-key-0d15ea5e";
const HOST = "PC-TOKYO-017"; // windows-64-healthy's name and agent ID
const AGENT_ID = "3f6b2a9e-1c4d-4e8f-9a70-5b2d8c1e0f47";
const entry = (name, guid) => ({
  agentGuid: guid,
  endpointName: { value: name, updatedDateTime: "2026-11-20T03:04:05Z" },
  ip: { value: ["10.0.0.17"], updatedDateTime: "2026-11-20T03:04:05Z" },
  macAddress: { value: ["00:11:22:33:44:55"], updatedDateTime: "2026-11-20T03:04:05Z" },
  osName: "Windows",
  productCode: "xes",
  installedProductCodes: ["xes"],
});
const tenants = {
  listed: [entry(HOST, AGENT_ID)],
  not_listed: [entry("PC-ELSEWHERE", "0badc0de-0000-0000-0000-000000000001")],
  clone: [entry("PC-OSAKA-003", AGENT_ID)],
  several: [entry(HOST, AGENT_ID), entry(HOST, "0badc0de-0000-0000-0000-000000000002")],
};
let tenant = "listed";
const fakeApi = createServer((req, res) => {
  const reply = (status, body) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (req.headers.authorization !== `Bearer ${API_KEY}`) return reply(401, { error: { code: "InvalidCredentials", message: "Invalid token" } });
  if (!req.url.startsWith("/v3.0/eiqs/endpoints")) return reply(404, { error: { code: "NotFound" } });
  const terms = [...String(req.headers["tmv1-query"] ?? "").matchAll(/(\w+) eq '([^']*)'/g)].map((m) => [m[1], m[2]]);
  const field = (r, f) => (f === "endpointName" ? r.endpointName.value : r[f]);
  const items = tenants[tenant].filter((r) => terms.some(([f, v]) => String(field(r, f)).toLowerCase() === v.toLowerCase()));
  reply(200, { items });
});
await new Promise((r) => fakeApi.listen(0, "127.0.0.1", r));
const apiUrl = `http://127.0.0.1:${fakeApi.address().port}`;

// E2E_LANG=ja runs the app as on a Japanese system (screenshots for the README).
const uiLang = process.env.E2E_LANG === "ja" ? "ja" : "en";
const driver = spawn("tauri-driver", ["--port", String(PORT), "--native-driver", "/usr/bin/WebKitWebDriver"], {
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, HOME: home, LANG: uiLang === "ja" ? "ja_JP.UTF-8" : "C.UTF-8", LC_ALL: "", BASECAMP_DOCTOR_API_URL: apiUrl },
});

/** Every file under `dir` that holds `needle`. */
function filesHolding(dir, needle) {
  const hits = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) hits.push(...filesHolding(p, needle));
    else if (st.isFile() && st.size < 64 * 1024 * 1024 && readFileSync(p).includes(needle)) hits.push(p);
  }
  return hits;
}
try {
  await waitFor(() => fetch(`${base}/status`).then((r) => r.ok), "tauri-driver to listen", 15000);

  await test("the window checks this real machine and lists its findings", async () => {
    const s = await session([]);
    try {
      await waitFor(() => s.find("[data-testid=screen-welcome]"), "the welcome screen");
      await s.click("[data-testid=nav-process]");
      const first = await waitFor(() => s.find('li.finding[data-id="agent.basecamp.process"]'), "step 1's findings");
      assert((await s.textOf(first)).length > 10, "the finding has text");
      const items = await s.findAll("li.finding");
      assert(items.length >= 8, `expected at least 8 findings, saw ${items.length}`);
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
      await s.click("[data-testid=nav-process]");
      const first = await waitFor(() => s.find('li.finding[data-id="agent.basecamp.process"]'), "step 1's findings");
      assert((await s.attr(first, "class")).includes("fail"), "missing Basecamp is a problem");
      const lang = await s.find("[data-testid=lang]");
      await s.exec(
        "arguments[0].value = 'ja'; arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
        [{ [ELEMENT]: lang }],
      );
      await waitFor(async () => (await s.textOf(await s.find("[data-testid=screen-title]"))).includes("ステップ 1"), "Japanese heading");
      const remedyJa = await s.textOf(await s.find('li.finding[data-id="agent.basecamp.process"] .remedy'));
      assert(remedyJa.includes("Agent Installer"), "remedy names the Agent Installer tab");
      await s.shot("scenario-ja.png");
      await s.exec(
        "arguments[0].value = 'en'; arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
        [{ [ELEMENT]: lang }],
      );
      await waitFor(async () => (await s.textOf(await s.find("[data-testid=screen-title]"))).startsWith("Step 1"), "English heading");
      await s.shot("scenario-en.png");
    } finally {
      await s.close();
    }
  });
  await test("step 2 shows the replayed network results with the TLS inspection named", async () => {
    const s = await session(["--scenario", join(scenarios, "windows-tls-inspection.json")]);
    try {
      await waitFor(() => s.find("[data-testid=screen-welcome]"), "the welcome screen");
      await s.click("[data-testid=nav-network]");
      // One cause, one problem: the summary names the inspecting CA; no separate allow-rule problem.
      const inspection = await waitFor(() => s.find('li.finding[data-id="network.summary"]'), "the step 2 summary").catch(async (e) => {
        await s.shot("network-failed.png");
        throw e;
      });
      assert((await s.attr(inspection, "class")).includes("fail"), "TLS inspection is a problem");
      assert((await s.textOf(inspection)).includes("Corp SSL Inspection CA"), "the intercepting CA is named");
      const region = await s.find('li.finding[data-id="network.region"]');
      const text = await s.textOf(region);
      assert(text.includes("日本") || text.includes("Japan"), `region named: ${text}`);
      await s.shot("network.png");
    } finally {
      await s.close();
    }
  });
  await test("a new user goes from launch to a saved bundle that holds what was typed", async () => {
    const s = await session(["--scenario", join(scenarios, "windows-apexone-onprem-migrated.json")]);
    let clicks = 0;
    const inView = [];
    const click = async (css) => {
      clicks += 1;
      await s.click(css);
    };
    try {
      await waitFor(() => s.find("[data-testid=screen-welcome]"), "the welcome screen");
      inView.push(await s.primaryInView("welcome"));
      await s.shot(`${uiLang}-wizard-1-welcome.png`);
      await click("[data-testid=next]");
      // This endpoint's files do not name its region: the screen asks, and the admin chooses.
      await waitFor(() => s.find("[data-testid=region-choose]"), "the request to choose a region");
      await click("[data-testid=region-jp]");
      inView.push(await s.primaryInView("region"));
      await s.shot(`${uiLang}-wizard-2-region.png`);
      await click("[data-testid=next]");
      await waitFor(() => s.find("[data-testid=screen-process] li.finding"), "step 1");
      inView.push(await s.primaryInView("step 1"));
      await s.shot(`${uiLang}-wizard-3-process.png`);
      await click("[data-testid=next]");
      await waitFor(() => s.find("[data-testid=screen-network]"), "step 2");
      inView.push(await s.primaryInView("step 2"));
      await s.shot(`${uiLang}-wizard-4-network.png`);
      await click("[data-testid=next]");
      await waitFor(() => s.find("[data-testid=screen-connection]"), "step 3");
      const pre = await s.exec("return document.querySelector('[data-testid=migrated-yes]').checked");
      assert(pre === true, "step 3 is pre-answered 'migrated' for an on-premises agent");
      await click("[data-testid=bluebar-no]");
      await waitFor(() => s.find("[data-testid=slot-no_blue_bar]"), "the no-blue-bar screenshot slot");
      // A real capture: three-second countdown, window hidden, screen captured, preview.
      await click("[data-testid=capture-no_blue_bar]");
      await waitFor(() => s.find("[data-testid=slot-no_blue_bar] [data-testid=shot] img"), "the captured screenshot's preview", 20000);
      inView.push(await s.primaryInView("step 3"));
      await s.shot(`${uiLang}-wizard-5-connection.png`);
      await click("[data-testid=next]");
      await waitFor(() => s.find("[data-testid=screen-support]"), "step 4");
      await s.type("[data-testid=business-id]", "bad id!");
      await waitFor(() => s.find(".field-error"), "the Business ID format error");
      await s.exec("const i = document.querySelector('[data-testid=business-id]'); i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true }));");
      await s.type("[data-testid=business-id]", "A1B2C3D4-E2E");
      await click("[data-testid=onprem-gone]");
      await s.find("[data-testid=recipients-reminder]");
      inView.push(await s.primaryInView("step 4"));
      await s.shot(`${uiLang}-wizard-6-support.png`);
      await click("[data-testid=next]");
      await waitFor(() => s.find("[data-testid=screen-review] [data-testid=verdict]"), "the review");
      inView.push(await s.primaryInView("review"));
      await s.shot(`${uiLang}-wizard-7-review.png`);
      await click("[data-testid=next]");
      await waitFor(() => s.find("[data-testid=screen-save]"), "the save screen");
      inView.push(await s.primaryInView("save"));
      await s.shot(`${uiLang}-wizard-8-save.png`);
      await click("[data-testid=save]");
      const saved = await waitFor(() => s.find("[data-testid=saved]"), "the saved bundle", 60000);
      const text = await s.textOf(saved);
      assert(text.includes(desktop), `saved on the Desktop: ${text}`);
      inView.push(await s.primaryInView("saved"));
      await s.shot(`${uiLang}-wizard-9-saved.png`);
      const zips = readdirSync(desktop).filter((n) => n.endsWith(".zip"));
      assert(zips.length === 1, `one zip on the Desktop: ${zips}`);
      const manifest = await unzipManifest(join(desktop, zips[0]));
      assert(manifest.answers.business_id === "A1B2C3D4-E2E", "the typed Business ID is in the manifest");
      assert(manifest.answers.on_premises_server_gone === true, "the 'old server is gone' answer is in the manifest");
      assert(manifest.lang === uiLang, "the bundle is in the chosen language");
      const shot = manifest.screenshots.find((x) => x.slot === "no_blue_bar");
      assert(shot && shot.entry.startsWith("screenshots/"), "the captured screenshot is in the bundle");
      console.log(`     clicks from launch to saved bundle: ${clicks}`);
      const { w, h } = inView[0];
      assert(w === 1080 && h === 600, `the walk ran at the default window size, not ${w}x${h}`);
      console.log(`     primary action in view at ${w}x${h} on ${inView.length} screens: ${inView.map((x) => x.id).join(", ")}`);
    } finally {
      await s.close();
    }
  });

  await test("the console check answers the four verdicts from the fake API and keeps the key off the disk", async () => {
    const s = await session(["--scenario", join(scenarios, "windows-64-healthy.json")]);
    try {
      await waitFor(() => s.find("[data-testid=screen-welcome]"), "the welcome screen");
      await s.click("[data-testid=nav-review]");
      await waitFor(() => s.find("[data-testid=console-key]"), "the console check");
      assert((await s.attr(await s.find("[data-testid=console-key]"), "type")) === "password", "the key field is a password field");
      await s.type("[data-testid=console-key]", API_KEY);
      for (const [name, id, cls] of [
        ["listed", "inventory.listed", "pass"],
        ["not_listed", "inventory.not_listed", "fail"],
        ["clone", "inventory.clone", "fail"],
        ["several", "inventory.several", "warn"],
      ]) {
        tenant = name;
        await waitFor(async () => (await s.exec("return !document.querySelector('[data-testid=console-run]').disabled")) === true, "the check button");
        await s.click("[data-testid=console-run]");
        const item = await waitFor(() => s.find(`[data-testid=console-result] li.finding[data-id="${id}"]`), `the ${name} verdict`, 30000);
        assert((await s.attr(item, "class")).includes(cls), `${name} is ${cls}`);
        if (name === "listed") assert((await s.textOf(item)).includes(AGENT_ID), "the agent GUID is shown");
        if (name === "clone") assert((await s.textOf(item)).includes("PC-OSAKA-003"), "the other name is shown");
        if (name === "clone") await s.shot(`${uiLang}-console-check.png`);
      }
      await sleep(800); // past the draft's save delay
      const holding = filesHolding(home, API_KEY);
      assert(holding.length === 0, `the key is on disk: ${holding.join(", ")}`);
      assert(!(await s.textOf(await s.find("body"))).includes(API_KEY), "the key is shown on the screen");
    } finally {
      await s.close();
    }
    const holding = filesHolding(home, API_KEY);
    assert(holding.length === 0, `the key is on disk after closing: ${holding.join(", ")}`);
  });

  await test("what was typed survives closing the app", async () => {
    const s = await session(["--scenario", join(scenarios, "windows-apexone-onprem-migrated.json")]);
    try {
      await waitFor(() => s.find("[data-testid=screen-welcome]"), "the welcome screen");
      await s.click("[data-testid=nav-support]");
      await s.type("[data-testid=business-id]", "KEEP-ME-123");
      await sleep(800); // the draft is saved 300 ms after the last change
    } finally {
      await s.close();
    }
    const again = await session(["--scenario", join(scenarios, "windows-apexone-onprem-migrated.json")], { keepDraft: true });
    try {
      const input = await waitFor(() => again.find("[data-testid=business-id]"), "step 4 restored");
      const value = await again.exec("return document.querySelector('[data-testid=business-id]').value");
      assert(value === "KEEP-ME-123" && input, `restored value: ${value}`);
    } finally {
      await again.close();
    }
  });
  await pasteTests();
} finally {
  driver.kill();
  fakeApi.close();
  rmSync(home, { recursive: true, force: true });
}

/** manifest.json of a zip, read with Python's zipfile (no npm dependency). */
async function unzipManifest(path) {
  const { execFileSync } = await import("node:child_process");
  const out = execFileSync("python3", ["-c", "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; sys.stdout.write(z.read('manifest.json').decode())", path]);
  return JSON.parse(out.toString());
}

// ---- Paste works (issue 15 item 9) ------------------------------------------------------
// A real Ctrl+V in the real window on Linux: WebKitGTK's paste event carries no image, so
// the slot asks the Rust side, which reads the X clipboard (filled here by xclip, as a
// screenshot tool would). Text on the clipboard is said beside the slot, never silence.

/** A w×h PNG of one colour, written without any dependency (stored, uncompressed deflate). */
function solidPng(w, h, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => [r, g, b]).flat())]);
  return import("node:zlib").then(({ deflateSync }) =>
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk("IHDR", ihdr),
      chunk("IDAT", deflateSync(Buffer.concat(Array.from({ length: h }, () => row)))),
      chunk("IEND", Buffer.alloc(0)),
    ]),
  );
}

/** Puts `data` on the X clipboard as `type`, served by xclip in the foreground until killed. */
function clipboardHolding(type, data) {
  const args = ["-quiet", "-selection", "clipboard", ...(type ? ["-t", type] : []), "-i"];
  const xclip = spawn("xclip", args, { stdio: ["pipe", "ignore", "inherit"] });
  xclip.stdin.end(data);
  return xclip;
}

/** A real Ctrl+V from the keyboard, through WebDriver's input actions. */
function pressCtrlV(s) {
  const CONTROL = "\uE009";
  return wd("POST", `/session/${s.id}/actions`, {
    actions: [{
      type: "key",
      id: "keyboard",
      actions: [
        { type: "keyDown", value: CONTROL },
        { type: "keyDown", value: "v" },
        { type: "keyUp", value: "v" },
        { type: "keyUp", value: CONTROL },
      ],
    }],
  });
}

async function pasteTests() {
  const haveXclip = await new Promise((done) => {
    const p = spawn("xclip", ["-version"], { stdio: "ignore" });
    p.on("error", () => done(false));
    p.on("exit", (code) => done(code === 0));
  });
  if (!haveXclip) {
    console.log("skip a real Ctrl+V pastes a screenshot: xclip is not installed (scripts/setup.sh test installs it)");
    return;
  }
  await test("a real Ctrl+V pastes a screenshot from the clipboard, and text on it is said", async () => {
    const s = await session(["--scenario", join(scenarios, "windows-apexone-onprem-migrated.json")]);
    let xclip = null;
    const slot = "[data-testid=slot-business_profile]";
    const shots = () => s.exec(`return document.querySelectorAll('${slot} [data-testid=shot] img').length`);
    try {
      await waitFor(() => s.find("[data-testid=screen-welcome]"), "the welcome screen");
      await s.click("[data-testid=nav-support]");
      await waitFor(() => s.find("[data-testid=paste-business_profile]"), "step 4's paste area");
      // A 321×123 screenshot on the clipboard, as PNG (what screenshot tools offer on X).
      xclip = clipboardHolding("image/png", await solidPng(321, 123, [0x33, 0x66, 0xcc]));
      await sleep(300); // xclip owns the selection once it has read its input
      // What the web view's own paste event carries (logged: WebKitGTK gives no image file).
      await s.exec(`document.addEventListener("paste", (e) => { window.__pasteSeen = { target: e.target?.dataset?.testid ?? e.target?.tagName, types: Array.from(e.clipboardData?.types ?? []), files: e.clipboardData?.files.length ?? 0 }; }, { capture: true, once: true })`);
      await s.click("[data-testid=paste-business_profile]");
      await pressCtrlV(s);
      await waitFor(async () => (await shots()) === 1, "the pasted screenshot in the slot", 20000);
      console.log(`     the web view's paste event: ${JSON.stringify(await s.exec("return window.__pasteSeen ?? null"))}`);
      const size = await waitFor(
        () => s.exec(`const i = document.querySelector('${slot} [data-testid=shot] img'); return i && i.complete && i.naturalWidth ? [i.naturalWidth, i.naturalHeight] : null`),
        "the preview to load",
      );
      assert(size[0] === 321 && size[1] === 123, `the preview is ${size}, not the 321×123 pasted`);
      const noMessage = await s.findAll("[data-testid=slot-message-business_profile]");
      assert(noMessage.length === 0, "a message beside the slot after a successful paste");
      await s.exec(`document.querySelector('${slot}').scrollIntoView({ block: 'center' })`);
      await s.shot(`${uiLang}-paste-image.png`);
      // Text on the clipboard: no new screenshot, and the slot says there is no image.
      xclip.kill();
      await new Promise((r) => xclip.once("exit", r));
      xclip = clipboardHolding(null, "not a screenshot");
      await sleep(300);
      await s.click("[data-testid=paste-business_profile]");
      await pressCtrlV(s);
      const msg = await waitFor(() => s.find("[data-testid=slot-message-business_profile]"), "the 'no image' message", 20000);
      const said = await s.textOf(msg);
      const expected = uiLang === "ja" ? "クリップボードに画像がありません" : "There is no image on the clipboard";
      assert(said.includes(expected), `the slot says "${said}" (${await s.attr(msg, "title")})`);
      assert((await shots()) === 1, "text on the clipboard became a screenshot");
      await s.exec(`document.querySelector('${slot}').scrollIntoView({ block: 'center' })`);
      await s.shot(`${uiLang}-paste-no-image.png`);
    } finally {
      if (xclip && xclip.exitCode === null) xclip.kill();
      await s.close();
    }
  });
}

const passed = results.filter(([, ok]) => ok).length;
const failed = results.length - passed;
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
