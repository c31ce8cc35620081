// README's "Use it in a web page" example, taken from README.md as written,
// runs in headless Chromium against mock-zen: the page is served next to
// pkg/ from a plain static server on another origin (so the call is
// cross-origin, as from any page to Zen), with only the mock's URL swapped in.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join, normalize } from "node:path";
import { startStack, ROOT, lastRequest } from "./support/stack.mjs";

/** The README's example URL for mock-zen, replaced by the test's own mock. */
const README_MOCK_URL = "http://127.0.0.1:8788";

/** The first ```html block after the "Use it in a web page" heading. */
async function readmeExample() {
  const readme = await readFile(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Use it in a web page"));
  const block = section.match(/```html\n([\s\S]*?)```/);
  assert.ok(block, "README has no html example under 'Use it in a web page'");
  return block[1];
}

const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };

/** Serves `page` at / and the built package at /pkg/. */
function servePage(page) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end(page);
      return;
    }
    if (path === "/favicon.ico") {
      res.writeHead(204).end(); // the browser asks; an error would be a console problem
      return;
    }
    const file = normalize(path).replace(/^\/+/, "");
    if (!file.startsWith("pkg/")) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(join(ROOT, file));
      const ext = file.slice(file.lastIndexOf("."));
      res.writeHead(200, { "content-type": TYPES[ext] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

let stack, server;
before(async () => {
  stack = await startStack();
});
after(async () => {
  server?.close();
  await stack?.stop();
});

test("the README's ten-line web page example streams an answer from mock-zen", async () => {
  const example = await readmeExample();
  assert.ok(example.split("\n").filter((l) => l.trim()).length <= 10, "the example is more than ten lines");
  assert.ok(example.includes(README_MOCK_URL), `the example no longer points at ${README_MOCK_URL}`);
  server = await servePage(example.replaceAll(README_MOCK_URL, stack.mock.url));
  const page = await stack.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => /billed \$/.test(document.getElementById("out").textContent), null, { timeout: 15_000 });
  const [answer, totals] = (await page.locator("#out").innerText()).split("\n");
  // mock-zen echoes the prompt; usage and Zen's cost frame arrive at the end.
  assert.equal(answer, "You said: Hello!");
  assert.match(totals, /^\d+ tokens, billed \$\d+(\.\d+)?$/);
  const req = await lastRequest(stack.mock.url);
  assert.equal(req.model, "big-pickle");
  assert.deepEqual(page.problems, [], page.problems.join("\n"));
  await page.close();
});
