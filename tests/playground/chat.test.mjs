// The chat in a real browser against mock-zen: clean load, progressive
// streaming, Stop (the server sees the cancel), untrusted output rendered as
// text, regenerate, edit-and-resend, model picker, dark mode, phone width.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startStack, shot, lastRequest, allRequests } from "./support/stack.mjs";

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

async function openChat(opts = {}) {
  const page = await stack.newPage(opts);
  await page.goto(stack.pageUrl());
  await page.waitForSelector("body[data-models=loaded]");
  return page;
}

async function send(page, text) {
  await page.fill("#view-chat .composer-input", text);
  await page.keyboard.press("Enter");
}

const answerText = (page) => page.evaluate(() => (document.querySelector("#chat-log .msg-assistant:last-of-type .answer-body")?.textContent ?? "").trim());

test("the page loads with no console errors and lists the models", async () => {
  const page = await openChat();
  await page.waitForSelector("#model-button");
  assert.match(await page.locator("#model-button").innerText(), /Big Pickle/);
  await shot(page, "01-empty");

  await page.click("#model-button");
  const picker = page.locator("dialog.picker");
  await picker.waitFor();
  // Free models come first and are marked; paid ones show prices per 1M.
  const groups = await picker.locator(".picker-group-title").allInnerTexts();
  assert.match(groups[0], /free/i);
  assert.ok(groups.length >= 4, `groups: ${groups}`);
  const firstGroupModels = await picker.locator(".picker-group").first().locator(".model-option").count();
  assert.equal(await picker.locator(".picker-group").first().locator(".badge-free").count(), firstGroupModels);
  assert.match(await picker.locator('[data-model="claude-sonnet-4-5"]').innerText(), /\$3 in · \$15 out per 1M/);
  // mock-zen does not list every catalog model: those are greyed out.
  assert.ok((await picker.locator(".model-option.is-unavailable").count()) > 0, "unavailable models are shown greyed");
  await shot(page, "02-model-picker");
  await page.keyboard.press("Escape");
  await picker.waitFor({ state: "hidden" });

  // Settings: relay (default: same origin) or the person's own key, clearly labelled.
  await page.getByRole("button", { name: "Settings", exact: true }).click();
  const settings = page.locator("dialog.settings");
  await settings.waitFor();
  await settings.getByLabel("Use my own Zen key").check();
  assert.match(await settings.locator("#zen-key-help").innerText(), /only in this browser/);
  await shot(page, "02b-settings");
  await settings.getByRole("button", { name: "Cancel" }).click();

  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a free model answers with text that appears progressively", async () => {
  const page = await openChat();
  await send(page, "/mock slow\nstream slowly please");
  const answer = page.locator("#chat-log .msg-assistant").last();
  await answer.waitFor();
  assert.equal(await answer.getAttribute("aria-busy"), "true");

  // Sample the text as it grows: several distinct, ever longer states while
  // the answer is still streaming.
  const seen = [];
  for (let i = 0; i < 4; i++) {
    const previous = seen.at(-1)?.length ?? 0;
    await page.waitForFunction(
      (n) => (document.querySelector("#chat-log .msg-assistant:last-of-type .answer-body")?.textContent ?? "").trim().length > n,
      previous,
      { timeout: 10_000 },
    );
    seen.push(await answerText(page));
    assert.equal(await answer.getAttribute("aria-busy"), "true", "still streaming");
  }
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i].length > seen[i - 1].length && seen[i].startsWith(seen[i - 1].trimEnd().slice(0, 10)), `state ${i} grows`);
  }
  assert.match(seen[0], /^word1\b/); // mock-zen's slow answer: word1 word2 …
  // Live numbers are there while streaming.
  assert.match(await answer.locator(".stats").innerText(), /First token/);
  await shot(page, "03-streaming");
  await page.keyboard.press("Escape"); // end it
  await page.waitForSelector("#chat-log .msg-assistant[aria-busy=false]");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a complete answer shows its numbers and can be regenerated and edited", async () => {
  const page = await openChat();
  await send(page, "Hello **world**, here is `code`:\n\n```js\nconst x = 1;\n```");
  const answer = page.locator("#chat-log .msg-assistant").last();
  await page.waitForSelector("#chat-log .msg-assistant[aria-busy=false]");
  const stats = await answer.locator(".stats").innerText();
  for (const label of ["First token", "Speed", "Input", "Output", "Est. cost", "Billed"]) assert.match(stats, new RegExp(label), `stats has ${label}`);
  // Markdown is rendered; the code block has a copy button.
  assert.equal(await answer.locator(".answer-body strong").innerText(), "world");
  assert.equal((await answer.locator(".codeblock pre").innerText()).trim(), "const x = 1;");
  assert.equal(await answer.locator('.codeblock [data-action="copy-code"]').count(), 1);
  await shot(page, "04-answer");

  const posts = async () => (await allRequests(stack.mock.url)).filter((r) => r.method === "POST").length;
  const before = await posts();
  await answer.getByRole("button", { name: "Regenerate answer" }).click();
  await page.waitForSelector("#chat-log .msg-assistant[aria-busy=false]");
  assert.equal(await posts(), before + 1);
  assert.equal(await page.locator("#chat-log .msg-assistant").count(), 1, "regenerate replaces the answer");

  await page.locator("#chat-log .msg-user").first().hover();
  await page.getByRole("button", { name: "Edit and resend this message" }).click();
  await page.fill("#chat-log .edit-area", "An edited question");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#chat-log .msg-assistant[aria-busy=false]");
  assert.equal(await answerText(page), "You said: An edited question");
  const req = await lastRequest(stack.mock.url);
  assert.equal(req.method, "POST");
  assert.equal(req.body.messages.length, 1, "the edited turn replaces the old history");
  assert.equal(req.body.messages[0].content, "An edited question");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("Stop ends the stream mid-way and mock-zen records the cancel", async () => {
  const page = await openChat();
  await send(page, "/mock slow\nplease keep talking");
  await page.waitForFunction(() => (document.querySelector("#chat-log .answer-body")?.textContent ?? "").split(" ").length > 4, null, { timeout: 10_000 });
  await page.getByRole("button", { name: "Stop generating" }).click();

  const answer = page.locator("#chat-log .msg-assistant").last();
  await page.waitForSelector("#chat-log .msg-assistant[aria-busy=false]");
  assert.equal(await answer.locator(".msg-status").innerText(), "Stopped");
  const kept = await answerText(page);
  assert.match(kept, /^word1 word2 word3/, "the partial answer is kept");
  assert.equal(await page.getByRole("button", { name: "Send message" }).isVisible(), true);

  // The upstream sees the connection close (noticed within ~10 ms).
  let req;
  for (let i = 0; i < 50 && !req?.cancelled; i++) {
    req = await lastRequest(stack.mock.url);
    if (!req?.cancelled) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(req.scenario, "slow");
  assert.equal(req.cancelled, true, "mock-zen saw the cancel");
  assert.equal(req.completed, false);
  // Nothing more arrives after Stop.
  await page.waitForTimeout(600);
  assert.equal(await answerText(page), kept);
  await shot(page, "05-stopped");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("model output with <img onerror> and <script> renders as text and nothing executes", async () => {
  const page = await openChat();
  const payload = `<img src=x onerror="window.__xss = 'img'"> <script>window.__xss = 'script'</script> [link](javascript:window.__xss='link')`;
  await send(page, payload);
  await page.waitForSelector("#chat-log .msg-assistant[aria-busy=false]");
  const answer = page.locator("#chat-log .msg-assistant").last();
  const body = answer.locator(".answer-body");
  // mock-zen echoes the prompt: the answer carries the HTML, shown literally.
  const text = await body.innerText();
  assert.match(text, /<img src=x onerror=/);
  assert.match(text, /<script>window\.__xss = 'script'<\/script>/);
  assert.equal(await page.locator("#chat-log img, #chat-log script").count(), 0, "no element was created from the answer");
  assert.equal(await page.locator('#chat-log a[href^="javascript"]').count(), 0);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__xss), undefined, "nothing executed");
  // The stored conversation renders the same way after a reload.
  await page.reload();
  await page.waitForSelector("#chat-log .msg-assistant");
  assert.match(await page.locator("#chat-log .answer-body").last().innerText(), /<img src=x onerror=/);
  assert.equal(await page.locator("#chat-log img, #chat-log script").count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  await shot(page, "06-untrusted-output");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("dark mode and phone width", async () => {
  const page = await openChat({ colorScheme: "dark" });
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, "rgb(14, 16, 22)", "dark background from prefers-color-scheme");
  await send(page, "Show me a list:\n\n- one\n- two\n\n> a quote");
  await page.waitForSelector("#chat-log .msg-assistant[aria-busy=false]");
  await shot(page, "07-dark");
  // The toggle switches to light and is remembered.
  await page.click("#theme-toggle");
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "light");
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), "rgb(255, 255, 255)");
  await page.close();

  const phone = await openChat({ viewport: { width: 390, height: 780 } });
  assert.equal(await phone.locator(".sidebar").isVisible(), false, "conversations are behind the menu button");
  await send(phone, "Hi from a phone");
  await phone.waitForSelector("#chat-log .msg-assistant[aria-busy=false]");
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, "no horizontal scrolling");
  await shot(phone, "08-phone");
  await phone.getByRole("button", { name: "Show conversations" }).click();
  await phone.waitForSelector(".sidebar-open .sidebar");
  await shot(phone, "09-phone-menu");
  assert.deepEqual(phone.problems, []);
  await phone.close();
});
