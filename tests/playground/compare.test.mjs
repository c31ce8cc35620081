// Compare mode: one prompt to three models at once, streaming side by side,
// each column with its own numbers.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startStack, shot, allRequests } from "./support/stack.mjs";

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

test("compare mode streams one prompt to three models side by side", async () => {
  const page = await stack.newPage({ viewport: { width: 1440, height: 860 } });
  await page.goto(stack.pageUrl("index.html") + "#compare");
  await page.waitForSelector("body[data-models=loaded]");
  const columns = page.locator("#compare-grid .compare-col");
  // Default line-up: the three free models.
  assert.equal(await columns.count(), 3);
  const names = await page.locator("#compare-grid .compare-col .model-button-name").allInnerTexts();
  assert.equal(new Set(names).size, 3, `three different models: ${names}`);

  const before = (await allRequests(stack.mock.url)).length;
  await page.fill("#view-compare .composer-input", "/mock long:40\nCompare yourselves");
  await page.keyboard.press("Enter");

  // All three stream at the same time.
  await page.waitForFunction(
    () => [...document.querySelectorAll("#compare-grid .compare-col")].every((c) => c.querySelector('.msg-assistant[aria-busy="true"] .answer-body')?.textContent.trim()),
    null,
    { timeout: 10_000 },
  );
  await shot(page, "10-compare-streaming");
  await page.waitForFunction(() => document.querySelectorAll('#compare-grid .msg-assistant[aria-busy="false"]').length === 3, null, { timeout: 20_000 });

  for (let i = 0; i < 3; i++) {
    const col = columns.nth(i);
    const text = (await col.locator(".answer-body").innerText()).trim();
    assert.ok(text.split(/\s+/).length >= 40, `column ${i} has the whole answer`);
    const stats = await col.locator(".stats").innerText();
    for (const label of ["First token", "Output", "Billed"]) assert.match(stats, new RegExp(label), `column ${i} shows ${label}`);
  }
  // (Only POSTs: the page's model-list GETs reach mock-zen too.)
  const requests = (await allRequests(stack.mock.url)).slice(before).filter((r) => r.method === "POST");
  assert.equal(requests.length, 3);
  assert.equal(new Set(requests.map((r) => r.model)).size, 3, "each column asked its own model");
  await shot(page, "11-compare-done");

  // A fourth column can be added; no more than four.
  await page.click("#compare-add");
  await page.getByRole("dialog", { name: "Add a model to compare" }).locator('[role="option"]:not([aria-disabled="true"])').first().click();
  assert.equal(await columns.count(), 4);
  assert.equal(await page.locator("#compare-add").isDisabled(), true);
  assert.deepEqual(page.problems, []);
  await page.close();
});
