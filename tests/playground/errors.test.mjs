// Errors a person understands: a 429 from mock-zen, passed on by the relay
// once its own retries are spent, shows a retry countdown.

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

async function openChat() {
  const page = await stack.newPage();
  await page.goto(stack.pageUrl());
  await page.waitForSelector("body[data-models=loaded]");
  return page;
}

test("a 429 shows a human message with a retry countdown, then allows a retry", async () => {
  const page = await openChat();
  await page.fill("#view-chat .composer-input", "/mock rate-limit\nAre you there?");
  await page.keyboard.press("Enter");

  const card = page.locator('#chat-log .error-card[data-kind="rateLimit"]');
  await card.waitFor({ timeout: 20_000 });
  assert.match(await card.locator(".error-title").innerText(), /too many requests/i);
  // The countdown starts from the gateway's retry-after (mock-zen: 2 s) when
  // the browser may read that header (a relay that exposes it); otherwise
  // from the page's default cool-down.
  const source = await card.getAttribute("data-retry-source");
  const seconds = Number(await card.getAttribute("data-retry-after"));
  assert.equal(seconds, source === "server" ? 2 : 5);
  const countdown = card.locator(".error-countdown");
  const shown = Number(/retry in (\d+) s/i.exec(await countdown.innerText())?.[1]);
  assert.ok(shown >= 1 && shown <= seconds, `countdown shows ${shown} of ${seconds} s`);
  const retry = card.getByRole("button", { name: /retry/i });
  assert.equal(await retry.isDisabled(), true, "retry waits for the countdown");
  await shot(page, "rate-limit-countdown");

  // The countdown reaches zero and the button becomes usable.
  await page.waitForFunction(() => document.querySelector("#chat-log .error-countdown")?.dataset.seconds === "0", null, { timeout: 10_000 });
  assert.equal(await retry.isDisabled(), false);
  assert.equal(await retry.innerText(), "Retry now");
  // No stack trace or raw JSON anywhere in the answer.
  const text = await page.locator("#chat-log").innerText();
  assert.doesNotMatch(text, /at \w+ \(|\.js:\d+|\{"type":"error"/);

  const req = await lastRequest(stack.mock.url);
  assert.equal(req.status, 429);
  assert.deepEqual(page.problems.filter((p) => !/429/.test(p)), []);
  await page.close();
});
