// <zen-chat> in the plain example page: one element, shadow DOM, streams.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startStack, shot, lastRequest } from "./support/stack.mjs";

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

test("<zen-chat> works in embed-example.html", async () => {
  const page = await stack.newPage({ viewport: { width: 1000, height: 900 } });
  await page.goto(stack.pageUrl("embed-example.html"));
  const chat = page.locator("zen-chat");
  await page.waitForSelector("zen-chat[data-ready=true]");
  // No relay-url attribute: it uses the relay that served zen-chat.js.
  assert.equal(await chat.getAttribute("relay-url"), null);

  // Its UI lives in a shadow root; Playwright locators pierce it.
  assert.equal(await page.evaluate(() => !!document.querySelector("zen-chat").shadowRoot), true);
  assert.match(await chat.locator(".title").innerText(), /Big Pickle/);
  await chat.locator(".composer-input").fill("Hello from an embedded chat");
  await chat.locator(".composer-input").press("Enter");
  await page.waitForFunction(() => document.querySelector("zen-chat").shadowRoot.querySelector('.msg-assistant[aria-busy="false"]'), null, { timeout: 10_000 });
  assert.equal((await chat.locator(".answer-body").innerText()).trim(), "You said: Hello from an embedded chat");

  // The attributes reach the request: model and system prompt.
  const req = await lastRequest(stack.mock.url);
  assert.equal(req.model, "big-pickle");
  const system = JSON.stringify(req.body.messages.find((m) => m.role === "system") ?? req.body.system ?? "");
  assert.match(system, /friendly assistant on an example page/);
  // Everything it renders stays inside its shadow root.
  assert.equal(await page.evaluate(() => document.querySelectorAll(".msg, .composer").length), 0);
  await shot(page, "12-embed");
  assert.deepEqual(page.problems, [], page.problems.join("\n"));
  await page.close();
});
