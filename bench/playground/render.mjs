// make bench-playground: how busy a long streaming answer keeps the page's
// main thread. The playground, served by the `make demo` stack, in headless
// Chromium streams a 20,000-token Markdown answer from mock-zen
// (`/mock markdown:20000`: headings, lists, code fences, tables, quotes);
// Chrome's own counters (CDP Performance.getMetrics: TaskDuration,
// ScriptDuration, LayoutDuration, RecalcStyleDuration) are read when the
// question is sent and when the answer has ended, and divided by the time in
// between.
//
// Each page streams the answer twice: at mock-zen's own rate (BENCH_DELAY_MS
// between events, 20 by default as in `make demo`: about 50 tokens/s, as fast
// as many of the models Zen serves, so the answer takes 9–10 minutes),
// where what counts is the busy share (goal: under 30 %); and with no pause
// at all (the whole answer is there at once, so the page is busy until it
// has caught up, and what counts is how long that takes).
//
// Two pages in one run: the page as it is (served by the relay), and the
// page before issue #14 (www/ of BENCH_BEFORE_REV with today's generated
// pkg/ and vendor/, from a static server), which re-parsed the whole answer
// on every animation frame.
//
// The page talks to mock-zen directly (`?relay=`, mock-zen allows any
// origin), not through the relay in wrangler dev: that hop slows down as a
// stream goes on (a 10,000-event stream at full rate took 44 s through it,
// 1.9 s through the same Worker in plain Miniflare, 0.1 s straight from
// mock-zen) and would be what this measured.
//
//   make bench-playground                      # both pages
//   BENCH_BEFORE_REV= make bench-playground    # only the current page
//   BENCH_TOKENS=5000 BENCH_DELAY_MS=20 BENCH_TRACE=/tmp/traces make bench-playground
//
// The machine's load average is printed with the table: on a shared machine
// the numbers rise with it.

import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { loadavg, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { startDemoStack, launchBrowser, serveDirectory, ROOT } from "../../tests/playground/support/stack.mjs";

const TOKENS = Number(process.env.BENCH_TOKENS ?? 20_000);
const DELAY_MS = process.env.BENCH_DELAY_MS ?? "20";
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

const metric = (m, name) => m.metrics.find((x) => x.name === name)?.value ?? 0;

async function measure(browser, stack, site, delayMs, label) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  // mock-zen's pause between events, per request (a page cannot set headers of its own).
  await page.route(`${stack.mockUrl}/zen/v1/chat/completions`, (route) =>
    route.continue({ headers: { ...route.request().headers(), "x-mock-delay-ms": delayMs } }),
  );
  await page.goto(`${site}/index.html?relay=${encodeURIComponent(`${stack.mockUrl}/zen/v1`)}`, { timeout: 120_000 });
  await page.waitForSelector("body[data-models=loaded]", { timeout: 120_000 });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable", { timeDomain: "timeTicks" });
  if (TRACE_DIR) {
    mkdirSync(TRACE_DIR, { recursive: true });
    await browser.startTracing(page, { path: join(TRACE_DIR, `${label.replace(/\W+/g, "-")}.json`), screenshots: false });
  }

  await page.fill("#view-chat .composer-input", `/mock markdown:${TOKENS}\nA long answer, please.`);
  const start = await cdp.send("Performance.getMetrics");
  await page.keyboard.press("Enter");
  await page.waitForSelector('#chat-log .msg-assistant[aria-busy="false"]', { timeout: 60 * 60_000 });
  const end = await cdp.send("Performance.getMetrics");
  if (TRACE_DIR) await browser.stopTracing();

  const seconds = metric(end, "Timestamp") - metric(start, "Timestamp");
  const share = (n) => (100 * (metric(end, n) - metric(start, n))) / seconds;
  const stats = (await (await page.$("#chat-log .msg-assistant .stats"))?.innerText()) ?? "";
  await context.close();
  return {
    seconds,
    busy: share("TaskDuration"),
    cpu: share("ThreadTime"),
    script: share("ScriptDuration"),
    layout: share("LayoutDuration") + share("RecalcStyleDuration"),
    complete: /Output\s+[\d,]+/.test(stats),
    problems,
  };
}

const { browser, close } = await launchBrowser();
const version = browser.version();
const stack = await startDemoStack();
// The old page from a plain static server (on loopback too, so the browser
// lets it call mock-zen just like the page the relay serves).
const beforeWww = BEFORE_REV ? wwwAt(BEFORE_REV) : null;
const beforeSite = beforeWww ? await serveDirectory(beforeWww) : null;
const rows = [];
try {
  const pages = [
    ...(beforeSite ? [[`before (${BEFORE_REV.slice(0, 7)}: whole answer re-rendered every frame)`, beforeSite.url]] : []),
    ["after (settled blocks once, open block per render)", stack.url],
  ];
  for (const [name, site] of pages) {
    for (const delay of [DELAY_MS, "0"]) {
      const pace = delay === "0" ? "no pause (all at once)" : `${delay} ms between events`;
      rows.push({ name, pace, paced: delay !== "0", ...(await measure(browser, stack, site, delay, `${name} ${pace}`)) });
    }
  }
} finally {
  await close();
  await stack.stop();
  await beforeSite?.close();
  if (beforeWww) rmSync(join(beforeWww, ".."), { recursive: true, force: true });
}

const [l1, l5] = loadavg();
console.log(`\nPlayground main thread while a ${TOKENS.toLocaleString("en-US")}-token Markdown answer streams from mock-zen (Chromium ${version}, ${cpus().length} cores, load average ${l1.toFixed(2)} / ${l5.toFixed(2)} over 1 / 5 min)\n`);
console.log("| page | mock-zen | sent → answer ended | main thread busy | of which script | style + layout | main thread CPU | busy < 30 % |");
console.log("|---|---|---:|---:|---:|---:|---:|---|");
for (const r of rows) {
  const goal = r.paced ? (r.busy < GOAL_BUSY ? "met" : "missed") : "–";
  console.log(`| ${r.name} | ${r.pace} | ${r.seconds.toFixed(1)} s | ${r.busy.toFixed(1)} % | ${r.script.toFixed(1)} % | ${r.layout.toFixed(1)} % | ${r.cpu.toFixed(1)} % | ${goal} |`);
}
for (const r of rows) {
  if (!r.complete) console.log(`\nwarning: "${r.name}, ${r.pace}" did not end with its usage numbers`);
  if (r.problems.length) console.log(`\nwarning: "${r.name}, ${r.pace}" page errors: ${r.problems.join("; ")}`);
}
if (TRACE_DIR) console.log(`\nChrome traces (open in Perfetto or chrome://tracing): ${TRACE_DIR}`);
