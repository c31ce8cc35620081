// The stack the playground tests run against: the `make demo` stack —
// scripts/demo starts mock-zen (the local Zen stand-in) and the relay Worker
// in wrangler dev (real workerd, public mode), which serves www/ and the API
// on one origin — plus headless Debian Chromium.
//
// The page talks to its own origin's relay (`/zen/v1`, the default); mock-zen
// is only read for its request log. `make test-playground` starts one stack
// for every test file (support/run.mjs sets PLAYGROUND_URL and MOCK_ZEN_URL);
// a test file run on its own starts its own. PLAYGROUND_URL + MOCK_ZEN_URL
// point the tests at a stack that is already running.

import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { createServer as createHttpServer } from "node:http";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const SCREENSHOTS = join(ROOT, "screenshots");

/**
 * Public-mode requests per minute per IP for the test stack: the suite sends
 * far more than the real demo's 10 from one address (127.0.0.1).
 */
const TEST_PUBLIC_RPM = "1000";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A port that was free a moment ago on 127.0.0.1. */
function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/**
 * Runs scripts/demo (expects `make www relay-build` done) on a free port with
 * its own Durable Object state; resolves `{url, mockUrl, stop}` once the
 * relay answers /healthz. `stop()` ends scripts/demo, which stops mock-zen and
 * wrangler; the demo runs in its own process group, killed as a backstop.
 */
export async function startDemoStack({ timeoutMs = 180_000 } = {}) {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), "zenwire-playground-"));
  const stateFile = join(dir, "demo.env");
  const child = spawn(join(ROOT, "scripts/demo"), [], {
    cwd: ROOT,
    detached: true, // its own process group: stop() can reach everything it started
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      DEMO_PORT: String(port),
      DEMO_STATE_FILE: stateFile,
      DEMO_PERSIST_DIR: join(dir, "wrangler-state"),
      DEMO_PUBLIC_RPM: process.env.DEMO_PUBLIC_RPM ?? TEST_PUBLIC_RPM,
    },
  });
  let output = "";
  const keep = (chunk) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise((done) => child.once("exit", (code, signal) => done({ code, signal })));
  let gone = false;
  exited.then(() => (gone = true));

  const stop = async () => {
    if (!gone) {
      child.kill("SIGTERM"); // scripts/demo's trap stops mock-zen and wrangler
      const clean = await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)]);
      if (!clean) process.stderr.write("playground: scripts/demo did not stop within 20 s; killing its process group\n");
    }
    try {
      process.kill(-child.pid, "SIGKILL"); // anything left in its group (normally nothing)
    } catch {
      // the group is already empty
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(stateFile, "utf8").catch(() => null);
    if (text) {
      const vars = Object.fromEntries(text.trim().split("\n").map((l) => l.split(/=(.*)/s).slice(0, 2)));
      if (!vars.DEMO_RELAY_URL || !vars.DEMO_MOCK_ZEN_URL) {
        await stop();
        throw new Error(`scripts/demo wrote an unexpected state file:\n${text}`);
      }
      return { url: vars.DEMO_RELAY_URL, mockUrl: vars.DEMO_MOCK_ZEN_URL, stop };
    }
    if (gone || Date.now() > deadline) {
      await stop();
      throw new Error(`the demo stack did not start (${gone ? "scripts/demo exited" : "timed out"}); run \`make www relay-build\` first. Output:\n${output}`);
    }
    await sleep(100);
  }
}

/**
 * Headless Debian Chromium (never a downloaded browser). `chromium.launch`
 * gives it a fresh temporary user-data-dir; every page gets its own
 * isolated context, so localStorage never leaks from one test to the next.
 */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  return {
    browser,
    newContext: (opts = {}) => browser.newContext({ viewport: { width: 1280, height: 820 }, ...opts }),
    close: () => browser.close(),
  };
}

/** Everything a test file needs: `{mock, site, browser, pageUrl(path), newPage(), stop()}`. */
export async function startStack() {
  const given = process.env.PLAYGROUND_URL;
  if (given && !process.env.MOCK_ZEN_URL) throw new Error("PLAYGROUND_URL needs MOCK_ZEN_URL (the mock-zen behind that relay)");
  const demo = given ? { url: given, mockUrl: process.env.MOCK_ZEN_URL, stop: async () => {} } : await startDemoStack();
  const site = { url: demo.url.replace(/\/$/, "") };
  const mock = { url: demo.mockUrl.replace(/\/$/, "") };
  let browser;
  try {
    browser = await launchBrowser();
    await mkdir(SCREENSHOTS, { recursive: true });
  } catch (e) {
    await demo.stop();
    throw e;
  }
  return {
    mock,
    site,
    browser,
    /** URL of a page of the playground (served by the relay; the API is the same origin's /zen/v1). */
    pageUrl(path = "index.html", params = {}) {
      const u = new URL(path, `${site.url}/`);
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
      return u.href;
    },
    /** A new page that records console errors and uncaught exceptions. */
    async newPage(contextOptions = {}) {
      const context = await browser.newContext(contextOptions);
      const page = await context.newPage();
      // A first load through wrangler dev can pass Playwright's 30 s on a
      // busy 2-core machine; these tests judge behaviour, not load time.
      page.setDefaultNavigationTimeout(90_000);
      page.once("close", () => context.close().catch(() => {}));
      page.problems = [];
      page.on("console", (m) => {
        if (m.type() === "error") page.problems.push(`console: ${m.text()} (${m.location()?.url ?? "?"})`);
      });
      page.on("pageerror", (e) => page.problems.push(`pageerror: ${e.message}`));
      // A load through wrangler dev has stalled now and then: the page never
      // reached "load" within 90 s (twice in about ten full runs, each time the
      // first load of a test file's fresh browser; never when the file ran
      // alone). One more load, logged, before a test fails on it; what the
      // stalled load left in `problems` is not the page's.
      const goto = page.goto.bind(page);
      page.goto = async (url, options) => {
        try {
          return await goto(url, options);
        } catch (e) {
          if (e?.name !== "TimeoutError") throw e;
          process.stderr.write(`playground: ${url} did not load in time; loading it once more\n`);
          page.problems.length = 0;
          return goto(url, options);
        }
      };
      return page;
    },
    async stop() {
      await browser.close();
      await demo.stop();
    },
  };
}

/** Saves a screenshot to screenshots/<name>.png. */
export async function shot(page, name, opts = {}) {
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, ...opts });
  return path;
}

/** mock-zen's record of the last request (`GET /__mock/requests/last`). */
export async function lastRequest(mockUrl) {
  const res = await fetch(`${mockUrl}/__mock/requests/last`);
  return res.ok ? res.json() : null;
}

/** Every request mock-zen recorded. */
export async function allRequests(mockUrl) {
  const res = await fetch(`${mockUrl}/__mock/requests`);
  return res.json();
}

/** Content types of the files the playground is made of. */
const CONTENT_TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".svg": "image/svg+xml", ".json": "application/json" };

/**
 * A plain static server for `dir` on a free port of 127.0.0.1 — another
 * origin than the relay's, as a page hosted elsewhere; resolves `{url, close}`.
 */
export async function serveDirectory(dir) {
  const server = createHttpServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^[/\\]+/, "") || "index.html";
    try {
      const body = await readFile(join(dir, path));
      res.writeHead(200, { "content-type": CONTENT_TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => server.close(ok)) };
}

/** The admin secret scripts/demo gives the relay (demo-only). */
const DEMO_ADMIN_SECRET = "demo-admin-secret";

/** A relay token minted by the demo relay's admin API with these claims (e.g. `{rpm: 1}`). */
export async function mintToken(siteUrl, claims = {}) {
  const res = await fetch(`${siteUrl}/admin/tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${DEMO_ADMIN_SECRET}`, "content-type": "application/json" },
    body: JSON.stringify({ sub: `test-${Math.random().toString(36).slice(2)}`, ttl: "1h", ...claims }),
  });
  if (!res.ok) throw new Error(`minting a token failed: ${res.status} ${await res.text()}`);
  return (await res.json()).token;
}
