// make bench-playground: how busy a long streaming answer keeps the page's
// main thread. The `make demo` stack (mock-zen behind the relay in wrangler
// dev) with mock-zen at its full rate (no pause between events) streams a
// 20,000-token Markdown answer (`/mock markdown:20000`: headings, lists, code
// fences, tables, quotes) into the playground in headless Chromium; Chrome's
// own counters (CDP Performance.getMetrics: TaskDuration, ScriptDuration,
// LayoutDuration, RecalcStyleDuration) are read at the first token and at
// the end, and divided by the time in between.
//
// Two rows in one run: the page as it is, and the page before issue #14
// (www/ of BENCH_BEFORE_REV, with today's generated pkg/ and vendor/), which
// re-parsed the whole answer on every animation frame. Both are served by
// intercepting the page's own requests, so both talk to the same relay.
//
//   make bench-playground                      # both rows
//   BENCH_BEFORE_REV= make bench-playground    # only the current page
//   BENCH_TOKENS=5000 BENCH_TRACE=/tmp/traces make bench-playground
//
// The machine's load average is printed with the table: on a shared machine
// the busy share rises with it (the stream's duration is set by the page
// keeping up with mock-zen, and both compete for the same cores).

import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, mkdirSync, existsSync } from "node:fs";
import { loadavg, cpus, tmpdir } from "node:os";
import { join, extname } from "node:path";
import { startDemoStack, launchBrowser, ROOT, CONTENT_TYPES } from "../../tests/playground/support/stack.mjs";

const TOKENS = Number(process.env.BENCH_TOKENS ?? 20_000);
const BEFORE_REV = process.env.BENCH_BEFORE_REV ?? "6a68938b99842ad2d20abad6f11223d80e125f64";
const TRACE_DIR = process.env.BENCH_TRACE ?? "";
const GOAL_BUSY = 30;

/** www/ at `rev` with today's generated parts (pkg/, vendor/), in a temporary folder. */
function wwwAt(rev) {
  const dir = mkdtempSync(join(tmpdir(), "zenwire-bench-www-"));
  execFileSync("bash", ["-c", `git -C "${ROOT}" archive "${rev}" www | tar -x -C "${dir}"`]);
  for (const generated of ["pkg", "vendor"]) cpSync(join(ROOT, "www", generated), join(dir, "www", generated), { recursive: true });
  return join(dir, "www");
}

/** Serves `www` for the stack's own pages (the API under /zen/ still reaches the relay). */
async function serveFrom(page, origin, www) {
  await page.route(
    (url) => url.origin === origin && !url.pathname.startsWith("/zen/"),
    (route) => {
      const path = new URL(route.request().url()).pathname.replace(/^\/+/, "") || "index.html";
      const file = join(www, path);
      if (!file.startsWith(www) || !existsSync(file)) return route.fulfill({ status: 404, body: "" });
      return route.fulfill({ path: file, contentType: CONTENT_TYPES[extname(file)] ?? "application/octet-stream" });
    },
  );
}

const metric = (m, name) => m.metrics.find((x) => x.name === name)?.value ?? 0;

async function measure(browser, stack, name, www) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  if (www) await serveFrom(page, new URL(stack.url).origin, www);
  await page.goto(`${stack.url}/`, { timeout: 120_000 });
  await page.waitForSelector("body[data-models=loaded]", { timeout: 120_000 });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable", { timeDomain: "timeTicks" });
  if (TRACE_DIR) {
    mkdirSync(TRACE_DIR, { recursive: true });
    await browser.startTracing(page, { path: join(TRACE_DIR, `${name}.json`), screenshots: false });
  }

  await page.fill("#view-chat .composer-input", `/mock markdown:${TOKENS}\nA long answer, please.`);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("#chat-log .msg-assistant .answer-body")?.textContent.trim().length > 0, null, { timeout: 60_000, polling: 10 });
  const start = await cdp.send("Performance.getMetrics");
  await page.waitForSelector('#chat-log .msg-assistant[aria-busy="false"]', { timeout: 30 * 60_000 });
  const end = await cdp.send("Performance.getMetrics");
  if (TRACE_DIR) await browser.stopTracing();

  const seconds = metric(end, "Timestamp") - metric(start, "Timestamp");
  const share = (n) => (100 * (metric(end, n) - metric(start, n))) / seconds;
  const output = await page.evaluate(() => document.querySelector("#chat-log .msg-assistant .stats")?.innerText ?? "");
  const words = await page.evaluate(() => document.querySelector("#chat-log .msg-assistant .answer-body").textContent.length);
  await context.close();
  return {
    name,
    seconds,
    busy: share("TaskDuration"),
    script: share("ScriptDuration"),
    layout: share("LayoutDuration") + share("RecalcStyleDuration"),
    chars: words,
    complete: /Output\s+[\d,]+/.test(output),
    problems,
  };
}

const stack = await startDemoStack({ env: { DEMO_MOCK_DELAY_MS: "0" } });
const { browser, close } = await launchBrowser();
const rows = [];
const version = browser.version();
let before = null;
try {
  if (BEFORE_REV) {
    before = wwwAt(BEFORE_REV);
    rows.push(await measure(browser, stack, `before (${BEFORE_REV.slice(0, 7)}: whole answer re-rendered every frame)`, before));
  }
  rows.push(await measure(browser, stack, "after (settled blocks once, open block per frame)", null));
} finally {
  await close();
  await stack.stop();
  if (before) rmSync(join(before, ".."), { recursive: true, force: true });
}

const [l1, l5] = loadavg();
console.log(`\nPlayground main thread while a ${TOKENS.toLocaleString("en-US")}-token Markdown answer streams from mock-zen at full rate (Chromium ${version}, ${cpus().length} cores, load average ${l1.toFixed(2)} / ${l5.toFixed(2)} over 1 / 5 min)\n`);
console.log("| page | stream, first token → end | main thread busy | of which script | style + layout | goal busy < 30 % |");
console.log("|---|---:|---:|---:|---:|---|");
for (const r of rows) {
  console.log(`| ${r.name} | ${r.seconds.toFixed(1)} s | ${r.busy.toFixed(1)} % | ${r.script.toFixed(1)} % | ${r.layout.toFixed(1)} % | ${r.busy < GOAL_BUSY ? "met" : "missed"} |`);
}
for (const r of rows) {
  if (!r.complete) console.log(`\nwarning: "${r.name}" did not end with its usage numbers`);
  if (r.problems.length) console.log(`\nwarning: "${r.name}" page errors: ${r.problems.join("; ")}`);
}
if (TRACE_DIR) console.log(`\nChrome traces (open in chrome://tracing or Perfetto): ${TRACE_DIR}`);
