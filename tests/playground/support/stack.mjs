// The stack the playground tests run against: mock-zen (the local Zen
// stand-in), a static server for www/, and headless Debian Chromium.
//
// The page talks to mock-zen through `?relay=<mock>/zen/v1` (mock-zen sends
// CORS `*`). With the relay Worker, the page's default — same origin
// `/zen/v1` — needs no parameter: set PLAYGROUND_URL to the relay's URL
// (e.g. http://127.0.0.1:8787/) and MOCK_ZEN_URL to the mock-zen behind it.

import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { stat, mkdir } from "node:fs/promises";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const WWW = join(ROOT, "www");
export const SCREENSHOTS = join(ROOT, "screenshots");

/** Starts target/debug/mock-zen on a free port; resolves `{url, stop}`. */
export function startMockZen(extraArgs = []) {
  const bin = process.env.MOCK_ZEN_BIN ?? join(ROOT, "target/debug/mock-zen");
  const child = spawn(bin, ["--port", "0", "--quiet", ...extraArgs], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolveStart, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error("mock-zen did not start within 20 s")), 20_000);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start mock-zen (${bin}): ${err.message} — run \`cargo build -p mock-zen\``));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`mock-zen exited early (code ${code})`));
    });
    lines.once("line", (line) => {
      clearTimeout(timer);
      const url = /https?:\/\/\S+/.exec(line)?.[0];
      if (!url) return reject(new Error(`unexpected first line from mock-zen: ${line}`));
      lines.on("line", () => {}); // keep draining stdout
      resolveStart({
        url: url.replace(/\/$/, ""),
        stop: () =>
          new Promise((done) => {
            if (child.exitCode != null) return done();
            child.removeAllListeners("exit");
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".map": "application/json",
};

/** Serves `root` on 127.0.0.1 (GET/HEAD only, no directory escapes). */
export function startStaticServer(root = WWW) {
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) throw Object.assign(new Error("outside"), { code: "ENOENT" });
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, "index.html");
        info = await stat(file);
      }
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "content-length": info.size, "cache-control": "no-store" });
      if (req.method === "HEAD") return res.end();
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  return new Promise((ok) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      ok({ url: `http://127.0.0.1:${port}`, stop: () => new Promise((done) => server.close(() => done())) });
    }),
  );
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
  const external = process.env.PLAYGROUND_URL;
  const mock = process.env.MOCK_ZEN_URL ? { url: process.env.MOCK_ZEN_URL.replace(/\/$/, ""), stop: async () => {} } : await startMockZen();
  const site = external ? { url: external.replace(/\/$/, ""), stop: async () => {} } : await startStaticServer();
  const browser = await launchBrowser();
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    mock,
    site,
    browser,
    /** URL of a page of the playground, pointed at mock-zen unless a relay serves it. */
    pageUrl(path = "index.html", params = {}) {
      const u = new URL(path, `${site.url}/`);
      if (!external) u.searchParams.set("relay", `${mock.url}/zen/v1`);
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
      return u.href;
    },
    /** A new page that records console errors and uncaught exceptions. */
    async newPage(contextOptions = {}) {
      const context = await browser.newContext(contextOptions);
      const page = await context.newPage();
      page.once("close", () => context.close().catch(() => {}));
      page.problems = [];
      page.on("console", (m) => {
        if (m.type() === "error") page.problems.push(`console: ${m.text()}`);
      });
      page.on("pageerror", (e) => page.problems.push(`pageerror: ${e.message}`));
      return page;
    },
    async stop() {
      await browser.close();
      await site.stop();
      await mock.stop();
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
