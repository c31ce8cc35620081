// Errors a person understands, worded for the connection in use: rate limits
// shown at once with a live countdown and Stop (and retried when it ends),
// every error card with Retry, a bad relay token, the own-key connection
// (never "the relay"), and a failed fetch told apart (unreachable, CORS,
// offline). Paid models are marked before anything is sent.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { join } from "node:path";
import { startStack, shot, lastRequest, allRequests, mintToken, serveDirectory, ROOT } from "./support/stack.mjs";

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

async function openChat(url = stack.pageUrl(), contextOptions = {}) {
  const page = await stack.newPage(contextOptions);
  await page.goto(url);
  await page.waitForSelector("body[data-models=loaded]");
  return page;
}

async function send(page, text) {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.keyboard.press("Enter");
}

/** Sets the connection in Settings, as a person would. */
async function connect(page, { relayToken, zenKey }) {
  await page.getByRole("button", { name: "Settings", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Settings" });
  if (zenKey !== undefined) {
    await dialog.getByLabel("Use my own Zen key").check();
    await dialog.getByLabel("Your OpenCode Zen API key").fill(zenKey);
  } else {
    await dialog.getByLabel("Relay", { exact: true }).check();
    await dialog.getByLabel("Relay token").fill(relayToken ?? "");
  }
  await dialog.getByRole("button", { name: "Save" }).click();
  await page.waitForSelector("body[data-models=loaded]");
}

const lastAnswer = (page) => page.getByRole("article", { name: "Answer" }).last();
const done = (page) => page.waitForSelector('#chat-log .msg-assistant:last-child[aria-busy="false"]', { timeout: 30_000 });
const posts = async () => (await allRequests(stack.mock.url)).filter((r) => r.method === "POST").length;

test("a relay rate limit shows its countdown at once, with Stop", async () => {
  const page = await openChat();
  await connect(page, { relayToken: await mintToken(stack.site.url, { rpm: 1 }) });
  // The relay counts per clock minute: start well inside one, so the
  // second request is refused with a wait of more than a few seconds.
  const toNextMinute = 60_000 - (Date.now() % 60_000);
  if (toNextMinute < 15_000) await page.waitForTimeout(toNextMinute + 500);
  await send(page, "first question");
  await done(page);
  const sent = await posts();

  await send(page, "second question, over the limit");
  const notice = lastAnswer(page).getByText(/^Rate limited by the relay — retrying in \d+ s$/);
  await notice.waitFor({ timeout: 5_000 });
  const seconds = async () => Number(/in (\d+) s/.exec(await notice.innerText())[1]);
  const first = await seconds();
  assert.ok(first > 5, `the wait is shown as it starts (${first} s left)`);
  // The countdown is live.
  await page.waitForFunction((n) => Number(/ in (\d+) s/.exec(document.querySelector("#chat-log .msg-assistant:last-child .wait-notice").textContent)?.[1]) < n, first, { timeout: 5_000 });
  assert.equal(await posts(), sent, "the relay refused it; nothing reached Zen");
  await shot(page, "rate-limit-countdown");

  await lastAnswer(page).getByRole("button", { name: "Stop", exact: true }).click();
  await done(page);
  assert.equal(await lastAnswer(page).locator(".msg-status").innerText(), "Stopped");
  assert.equal(await notice.isVisible(), false, "the countdown is gone");
  assert.equal(await lastAnswer(page).getByRole("alert").count(), 0, "stopping is not an error");
  assert.deepEqual(page.problems.filter((p) => !/429/.test(p)), []);
  await page.close();
});

test("a rate limit is retried by itself when its countdown ends", async () => {
  const page = await openChat();
  // The relay's own 429 (rpm) with a short wait, once; then the request goes through.
  let refused = 0;
  await page.route(`${stack.site.url}/zen/v1/chat/completions`, (route) => {
    if (refused++) return route.fallback();
    return route.fulfill({
      status: 429,
      headers: { "retry-after": "2", "content-type": "application/json" },
      body: JSON.stringify({ error: { message: "requests per minute limit reached", type: "rate_limit_error", param: null, code: "rate_limit_rpm" } }),
    });
  });
  await send(page, "Are you there?");
  await lastAnswer(page).getByText(/^Rate limited by the relay — retrying in [12] s$/).waitFor({ timeout: 5_000 });
  await done(page);
  assert.equal((await lastAnswer(page).locator(".answer-body").innerText()).trim(), "You said: Are you there?");
  assert.equal(refused, 2, "one refused attempt, one retry");
  assert.equal(await lastAnswer(page).getByRole("alert").count(), 0);
  assert.deepEqual(page.problems.filter((p) => !/429/.test(p)), []);
  await page.close();
});

test("a rate limit too long to wait for ends in an error card with Retry", async () => {
  const page = await openChat();
  // mock-zen's 429 asks for 90 s: more than the relay waits out, so it passes it on.
  await send(page, "/mock rate-limit:90\nAre you there?");
  const card = lastAnswer(page).getByRole("alert");
  await card.waitFor({ timeout: 20_000 });
  assert.match(await card.innerText(), /Rate limited by Zen/);
  assert.match(await card.innerText(), /It asks to wait 1 min 30 s/);
  assert.equal(await card.getByRole("button", { name: "Retry" }).isEnabled(), true);
  assert.doesNotMatch(await card.innerText(), /at \w+ \(|\.js:\d+|\{"type":"error"/, "no stack or raw JSON");
  assert.equal((await lastRequest(stack.mock.url)).status, 429);
  await page.close();
});

test("every error card offers Retry, and Retry asks again", async () => {
  const page = await openChat();
  // Errors of every sort the page words differently (none retried by itself).
  for (const scenario of ["credits", "free-tier", "error-cost-trailer", "rate-limit:90"]) {
    await send(page, `/mock ${scenario}\nhello`);
    await done(page);
    const card = lastAnswer(page).getByRole("alert");
    assert.equal(await card.getByRole("button", { name: "Retry", exact: true }).count(), 1, `${scenario}: ${await card.innerText()}`);
  }
  const sent = await posts();
  await lastAnswer(page).getByRole("button", { name: "Retry", exact: true }).click();
  await done(page);
  assert.equal(await posts(), sent + 1, "Retry sent the question again");
  await page.close();
});

test("a bad relay token on a free model is not told to pick a free model", async () => {
  const page = await openChat();
  await connect(page, { relayToken: "zr1.not-a-token.at-all" });
  await send(page, "hello");
  await done(page);
  const card = lastAnswer(page).getByRole("alert");
  const text = await card.innerText();
  assert.match(text, /The relay did not accept your relay token/);
  assert.doesNotMatch(text, /(pick|choose) (a free|another) model/i);
  assert.equal(await card.getByRole("button", { name: "Choose another model" }).count(), 0);
  assert.equal(await card.getByRole("button", { name: "Open settings" }).count(), 1);
  await shot(page, "bad-relay-token");
  await page.close();
});

test("own-key mode never mentions the relay", async () => {
  const page = await openChat();
  // Zen itself is played by mock-zen: nothing leaves the machine.
  let zen = "mock";
  await page.route("https://opencode.ai/zen/v1/**", async (route) => {
    if (zen === "down") return route.abort("connectionrefused");
    const url = route.request().url().replace("https://opencode.ai/zen/v1", stack.mock.url);
    return route.fulfill({ response: await route.fetch({ url }) });
  });
  await connect(page, { zenKey: "not-my-real-key" });
  assert.match(await page.getByRole("button", { name: /^Connection:/ }).innerText(), /Your Zen key/);
  await send(page, "hello");
  await done(page);
  let card = lastAnswer(page).getByRole("alert");
  assert.match(await card.innerText(), /Zen did not accept your API key/);
  assert.match(await card.innerText(), /Zen said: Invalid API key\./);
  assert.doesNotMatch(await lastAnswer(page).innerText(), /relay/i);

  await connect(page, { zenKey: "zen-test-key" }); // mock-zen's key: past the key check
  await send(page, "/mock credits\nhello");
  await done(page);
  assert.match(await lastAnswer(page).innerText(), /Your Zen account has no credits left/);
  assert.doesNotMatch(await lastAnswer(page).innerText(), /relay/i);

  zen = "down";
  await send(page, "hello again");
  await done(page);
  card = lastAnswer(page).getByRole("alert");
  assert.match(await card.innerText(), /Could not reach Zen at opencode\.ai/);
  assert.doesNotMatch(await lastAnswer(page).innerText(), /relay|Failed to fetch/i);
  await page.close();
});

test("a failed fetch says what happened: unreachable, CORS, offline", async () => {
  // Unreachable: a port nothing listens on.
  const port = await new Promise((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
  let page = await openChat(stack.pageUrl("index.html", { relay: `http://127.0.0.1:${port}/zen/v1` }));
  await send(page, "hello");
  await done(page);
  let text = await lastAnswer(page).getByRole("alert").innerText();
  assert.match(text, new RegExp(`Could not reach the relay at 127\\.0\\.0\\.1:${port}`));
  assert.match(text, /Check the relay URL in Settings/);
  assert.doesNotMatch(text, /Failed to fetch|Gateway said/);
  await page.close();

  // CORS: the page from another origin, which this relay does not allow.
  const elsewhere = await serveDirectory(join(ROOT, "www"));
  try {
    page = await openChat(`${elsewhere.url}/index.html?relay=${encodeURIComponent(`${stack.site.url}/zen/v1`)}`);
    await send(page, "hello");
    await done(page);
    text = await lastAnswer(page).getByRole("alert").innerText();
    assert.match(text, new RegExp(`The relay at 127\\.0\\.0\\.1:\\d+ does not accept requests from this page`));
    assert.match(text, new RegExp(`Add ${elsewhere.url.replace(/\./g, "\\.")} to the relay's ALLOWED_ORIGINS`));
    assert.doesNotMatch(text, /Failed to fetch|Gateway said/);
    await shot(page, "cors-refused");
    await page.close();
  } finally {
    await elsewhere.close();
  }

  // Offline: the browser knows.
  page = await openChat();
  await page.context().setOffline(true);
  await send(page, "hello");
  await done(page);
  text = await lastAnswer(page).getByRole("alert").innerText();
  assert.match(text, /You are offline/);
  assert.doesNotMatch(text, /Failed to fetch|Gateway said/);
  await page.context().setOffline(false);
  await page.close();
});

test("paid models are marked in the picker, and the empty chat says so before sending", async () => {
  const page = await openChat();
  const sent = await posts();
  await page.getByRole("button", { name: /^Model: / }).click();
  const picker = page.getByRole("dialog", { name: "Choose a model" });
  const claude = picker.locator('[data-model="claude-sonnet-4-5"]');
  assert.match(await claude.innerText(), /Needs a relay token/);
  assert.doesNotMatch(await picker.locator('[data-model="big-pickle"]').innerText(), /Needs/);
  await shot(page, "picker-needs-token");
  await claude.click();

  const note = page.getByRole("note");
  assert.match(await note.innerText(), /Claude Sonnet 4\.5 is a paid model: this relay needs a relay token for it, and none is set/);
  assert.equal(await posts(), sent, "said before anything was sent");

  // With a token, nothing is marked and nothing is said.
  await connect(page, { relayToken: await mintToken(stack.site.url) });
  assert.equal(await note.count(), 0);
  await page.getByRole("button", { name: /^Model: / }).click();
  assert.doesNotMatch(await claude.innerText(), /Needs/);
  await page.keyboard.press("Escape");
  await page.close();
});
