// Answers while and after they stream: a stopped answer keeps its numbers
// (estimated, marked partial); New chat leaves an answer streaming in its
// own conversation; tool calls come from the package's accumulator (a call
// cut off by Stop is not shown as ready); a slow first token is counted in
// seconds; the Markdown renderer that only re-renders the open block gives
// the same DOM as rendering the whole text and never rebuilds settled blocks.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startStack, shot, lastRequest, mintToken } from "./support/stack.mjs";

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

async function openChat(contextOptions = {}) {
  const page = await stack.newPage(contextOptions);
  await page.goto(stack.pageUrl());
  await page.waitForSelector("body[data-models=loaded]");
  return page;
}

async function send(page, text) {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.keyboard.press("Enter");
}

async function pickModel(page, id) {
  await page.getByRole("button", { name: /^Model: / }).click();
  await page.getByRole("dialog", { name: "Choose a model" }).locator(`[data-model="${id}"]`).click();
}

const lastAnswer = (page) => page.getByRole("article", { name: "Answer" }).last();
const words = (page) => page.evaluate(() => (document.querySelector("#chat-log .msg-assistant:last-child .answer-body")?.textContent ?? "").trim().split(/\s+/).filter(Boolean).length);

test("a stopped answer keeps its token and cost figures, marked partial", async () => {
  const page = await openChat();
  // A paid model, so there is a cost to estimate.
  await page.getByRole("button", { name: "Settings", exact: true }).click();
  await page.getByLabel("Relay token").fill(await mintToken(stack.site.url));
  await page.getByRole("button", { name: "Save" }).click();
  await pickModel(page, "claude-haiku-4-5");
  await send(page, "/mock slow\nplease keep talking");
  await page.waitForFunction(() => document.querySelector("#chat-log .msg-assistant .answer-body")?.textContent.split(" ").length > 5, null, { timeout: 15_000 });
  await page.getByRole("button", { name: "Stop generating" }).click();
  await page.waitForSelector('#chat-log .msg-assistant[aria-busy="false"]');

  const stats = lastAnswer(page).getByRole("definition");
  const figure = async (label) => {
    const terms = await lastAnswer(page).getByRole("term").allInnerTexts();
    const i = terms.indexOf(label);
    return i < 0 ? null : (await stats.nth(i).innerText()).trim();
  };
  assert.match(await figure("Output"), /^≈ \d+$/, "output tokens estimated from what arrived");
  assert.ok(Number((await figure("Output")).slice(2)) >= (await words(page)), "at least a token a word");
  assert.match(await figure("Input"), /^(≈ )?\d+$/, "input as reported when the stream began, or estimated");
  assert.match(await figure("Est. cost"), /^≈ \$\d/, "a cost estimate for a paid model");
  assert.equal(await figure("Partial"), "stopped early");
  await shot(page, "15-stopped-partial");

  // Kept as they were after a reload.
  await page.reload();
  await page.waitForSelector("#chat-log .msg-assistant");
  assert.match(await figure("Est. cost"), /^≈ \$\d/);
  assert.equal(await figure("Partial"), "stopped early");
  await page.close();
});

test("New chat during an answer leaves it streaming in its own conversation", async () => {
  const page = await openChat();
  await send(page, "/mock slow\ntell me a long story");
  await page.waitForFunction(() => document.querySelector("#chat-log .msg-assistant .answer-body")?.textContent.split(" ").length > 3, null, { timeout: 15_000 });
  await page.getByRole("button", { name: "New chat" }).click();
  await page.getByRole("heading", { name: "What would you like to ask?" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Send message" }).isVisible(), true, "the new chat can be used at once");

  // Opening the first conversation again shows its answer still streaming.
  const saved = page.getByRole("navigation", { name: "Saved conversations" });
  const first = saved.getByRole("button", { name: /^\/mock slow/ });
  const listed = await first.innerText();
  await first.click();
  const answer = lastAnswer(page);
  assert.equal(await answer.getAttribute("aria-busy"), "true", "still streaming");
  const n = await words(page);
  await page.waitForFunction((k) => (document.querySelector("#chat-log .msg-assistant:last-child .answer-body")?.textContent ?? "").trim().split(/\s+/).length > k, n, { timeout: 15_000 });
  const req = await lastRequest(stack.mock.url);
  assert.equal(req.scenario, "slow");
  assert.equal(req.cancelled, false, "the request was never cancelled");
  assert.match(listed, /answering…/, "the list said it was still answering");

  await page.getByRole("button", { name: "Stop generating" }).click();
  await page.waitForSelector('#chat-log .msg-assistant[aria-busy="false"]');
  assert.equal(await answer.locator(".msg-status").innerText(), "Stopped");
  await page.close();
});

test("tool calls come from the package: a finished one is ready, one cut off by Stop is not", async () => {
  const page = await openChat();
  await page.getByRole("button", { name: "Settings for this chat" }).click();
  await page.getByLabel(/Offer a demo tool/).check();

  await send(page, "please use tool");
  await page.waitForSelector('#chat-log .msg-assistant[aria-busy="false"]');
  let call = lastAnswer(page).locator(".tool-call");
  assert.match(await call.innerText(), /get_weather/);
  assert.match(await call.innerText(), /ready — the playground does not run tools/);
  // The arguments as the package parsed them, pretty-printed.
  assert.equal(await call.locator("pre").innerText(), JSON.stringify({ input: "please use tool" }, null, 2));

  // A long argument streams in 8-character fragments: stop while it forms.
  await send(page, `use tool ${"with a very long argument ".repeat(100)}`);
  call = lastAnswer(page).locator(".tool-call");
  await call.getByText("forming…").waitFor({ timeout: 15_000 });
  await page.getByRole("button", { name: "Stop generating" }).click();
  await page.waitForSelector('#chat-log .msg-assistant:last-child[aria-busy="false"]');
  assert.match(await call.innerText(), /not valid: cut off before its arguments were complete/);
  assert.doesNotMatch(await call.innerText(), /ready/);
  await page.close();
});

test("a slow first token shows the seconds waited, with Stop", async () => {
  const page = await openChat();
  // mock-zen opens the stream and then sends nothing.
  await send(page, "/mock stall\nhello?");
  const status = lastAnswer(page).locator(".msg-status");
  await page.waitForFunction(() => /^Waiting for the first token… [2-9] s$/.test(document.querySelector("#chat-log .msg-assistant:last-child .msg-status")?.textContent), null, { timeout: 6_000 });
  const seconds = Number(/(\d+) s$/.exec(await status.innerText())[1]);
  // The seconds count on.
  await page.waitForFunction((n) => Number(/(\d+) s$/.exec(document.querySelector("#chat-log .msg-assistant:last-child .msg-status").textContent)?.[1]) > n, seconds, { timeout: 5_000 });
  await page.getByRole("button", { name: "Stop generating" }).click();
  await page.waitForSelector('#chat-log .msg-assistant[aria-busy="false"]');
  assert.equal(await status.innerText(), "Stopped");
  await page.close();
});

/** Varied Markdown: lists (loose, nested, ordered), fences (with blank lines, unclosed), tables, nested quotes, reference links, headings. */
const DOCS = [
  "# Title\n\nPara one\nline two with **bold** and `code`.\n\n- a\n- b\n\n  continued\n\n1. x\n2. y\n\n```js\nconst a = 1;\n\n\nlet b = `t`;\n```\n\n> q\n> > nested\n>\n> back\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n| long cell | x |\n\n[ref]: https://example.com/r\n\nSee [ref] and [later].\n\n    indented\n\n    more\n\n1. a\n\n2. b\n\n- x\n\n  - y\n\n    - z\n\nSetext\n---\n\n***\n\n[later]: https://example.com/later \"T\"\n\nend *em* ~~del~~ <b>html</b> https://auto.example/x\n",
  "- a\n\n- b\n\n- c\n\npara\n\n- d\n\n1. one\n\n2\n\n3. three\n\n```\nunclosed fence\n\n- not a list",
  "text\n```\nfence right after a paragraph\n```\nmore\n    not code\n> quote\nlazy line\n\n| h |\n|---|\n| row |\nnot a row\n\n~~~\ntilde fence\n~~~\n",
];

test("rendering only the open block gives the same DOM as rendering the whole text", async () => {
  const page = await openChat();
  const mismatches = await page.evaluate(async (docs) => {
    const { MarkdownView, renderMarkdown } = await import("./lib/markdown.js");
    const html = (frag) => {
      const div = document.createElement("div");
      div.append(frag);
      return div.innerHTML;
    };
    const out = [];
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (const [d, doc] of docs.entries()) {
      // Every prefix once (one character at a time), then random pieces of 1–40 characters.
      for (const max of [1, 3, 12, 40, 40, 40]) {
        const el = document.createElement("div");
        const view = new MarkdownView(el);
        for (let i = 0; i < doc.length; ) {
          i = Math.min(doc.length, i + 1 + Math.floor(random() * max));
          view.update(doc.slice(0, i));
          if (max === 1 || i === doc.length) {
            const whole = html(renderMarkdown(doc.slice(0, i)));
            if (el.innerHTML !== whole) {
              out.push({ doc: d, at: i, max, got: el.innerHTML, want: whole });
              break;
            }
          }
        }
      }
    }
    return out;
  }, DOCS);
  assert.deepEqual(mismatches.slice(0, 1), []);
  await page.close();
});

test("a long Markdown answer streamed through the relay renders as the whole text does", async () => {
  const page = await openChat();
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await send(page, "/mock markdown:1500\nsome Markdown please");
  const answer = lastAnswer(page);
  // Rendered once: the blocks shown while the answer is young (all but the
  // open tail) are the very same nodes when it has ended, never rebuilt.
  const body = "#chat-log .msg-assistant:last-child .answer-body";
  await page.waitForFunction((sel) => document.querySelector(sel)?.children.length >= 12, body, { timeout: 30_000, polling: 50 });
  const early = await page.evaluateHandle((sel) => {
    const el = document.querySelector(sel);
    return { el, blocks: [...el.children].slice(0, -3), busy: el.closest(".msg-assistant").getAttribute("aria-busy") };
  }, body);
  assert.equal(await early.evaluate((e) => e.busy), "true", "still streaming");
  await page.waitForSelector('#chat-log .msg-assistant[aria-busy="false"]', { timeout: 60_000 });
  const kept = await early.evaluate(({ el, blocks }) => blocks.filter((b) => b.parentNode === el).length);
  assert.equal(kept, await early.evaluate((e) => e.blocks.length), "settled blocks were not rendered again");
  assert.ok((await answer.getByRole("table").count()) > 5, "tables");
  assert.ok((await answer.getByRole("button", { name: "Copy code" }).count()) > 5, "code blocks");
  // The text as the person can copy it, rendered whole, is what streamed in.
  await answer.getByRole("button", { name: "Copy answer" }).click();
  const same = await page.evaluate(async () => {
    const { renderMarkdown } = await import("./lib/markdown.js");
    const text = await navigator.clipboard.readText();
    const div = document.createElement("div");
    div.append(renderMarkdown(text));
    return div.innerHTML === document.querySelector("#chat-log .msg-assistant:last-child .answer-body").innerHTML;
  });
  assert.equal(same, true);
  await shot(page, "16-markdown-answer");
  await page.close();
});
