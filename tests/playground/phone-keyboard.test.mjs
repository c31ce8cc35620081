// Phone width (375×740) and keyboard use: the chat-settings button has a
// name, the connection stays in sight, Esc closes the conversations drawer,
// tables scroll sideways with their words whole, nothing is cut off; the
// model picker follows the combobox + listbox pattern (arrow keys, Enter);
// the skip link works in compare mode too.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startStack, shot } from "./support/stack.mjs";

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };

async function open(contextOptions = {}, hash = "") {
  const page = await stack.newPage(contextOptions);
  await page.goto(stack.pageUrl() + hash);
  await page.waitForSelector("body[data-models=loaded]");
  return page;
}

const noSideScroll = (page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

test("at phone width the chat settings have a name, the connection shows, and nothing is cut off", async () => {
  const page = await open(PHONE);
  const settings = page.getByRole("button", { name: "Settings for this chat" });
  assert.equal(await settings.isVisible(), true);
  const connection = page.getByRole("button", { name: /^Connection: Relay/ });
  assert.equal(await connection.isVisible(), true, "where messages go stays in sight");
  assert.equal((await connection.innerText()).trim(), "Relay");
  assert.equal(await noSideScroll(page), 0);

  await settings.click();
  const panel = page.getByRole("region", { name: "Chat settings" });
  await panel.waitFor();
  // Big Pickle takes every setting: no note, and no stray text.
  assert.doesNotMatch(await panel.innerText(), /\bnull\b/);
  await shot(page, "13-phone-chat-settings");
  await page.close();
});

test("the max-tokens placeholder fits its field at every width", async () => {
  for (const width of [1280, 740, 375]) {
    const page = await open({ viewport: { width, height: 740 } });
    await page.getByRole("button", { name: "Settings for this chat" }).click();
    const field = page.getByRole("spinbutton", { name: "Max output tokens" });
    const { text, room } = await field.evaluate((input) => {
      const cs = getComputedStyle(input);
      const ctx = document.createElement("canvas").getContext("2d");
      ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      // Room for text: the content box less the number field's spin buttons.
      return { text: ctx.measureText(input.placeholder).width, room: input.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 20 };
    });
    assert.ok(text <= room, `at ${width} px the placeholder needs ${text.toFixed(0)} px of ${room.toFixed(0)}`);
    await page.close();
  }
});

test("Esc closes the conversations drawer", async () => {
  const page = await open(PHONE);
  const menu = page.getByRole("button", { name: "Show conversations" });
  await menu.click();
  const drawer = page.getByRole("complementary", { name: "Conversations" });
  await drawer.waitFor({ state: "visible" });
  await page.keyboard.press("Escape");
  await drawer.waitFor({ state: "hidden" });
  assert.equal(await menu.getAttribute("aria-expanded"), "false");
  assert.equal(await menu.evaluate((el) => el === document.activeElement), true, "focus returns to the menu button");
  await page.close();
});

test("a wide table scrolls sideways instead of breaking its words", async () => {
  const page = await open(PHONE);
  const words = ["Serialization", "Deserialization", "Interoperability", "Throughput", "Incompatibility"];
  const table = `| ${words.join(" | ")} |\n|${words.map(() => "---").join("|")}|\n| ${words.map((w) => w.toLowerCase()).join(" | ")} |`;
  await page.getByRole("textbox", { name: "Message" }).fill(`A table:\n\n${table}`); // mock-zen echoes it
  await page.keyboard.press("Enter");
  await page.waitForSelector('#chat-log .msg-assistant[aria-busy="false"]');
  const shown = page.getByRole("table");
  const { scrolls, broken } = await shown.evaluate((t) => {
    const lines = (cell) => {
      const range = document.createRange();
      range.selectNodeContents(cell);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    };
    return { scrolls: t.scrollWidth > t.clientWidth, broken: [...t.querySelectorAll("th, td")].filter((c) => lines(c) > 1).map((c) => c.textContent) };
  });
  assert.equal(scrolls, true, "the table scrolls sideways");
  assert.deepEqual(broken, [], "no cell breaks its word over lines");
  assert.equal(await noSideScroll(page), 0, "the page itself does not");
  await shot(page, "14-phone-table");
  await page.close();
});

test("arrow keys move through the model picker and Enter picks", async () => {
  const page = await open();
  await page.getByRole("button", { name: /^Model: Big Pickle/ }).click();
  const search = page.getByRole("combobox", { name: "Search models" });
  assert.equal(await search.evaluate((el) => el === document.activeElement), true, "focus is in the search field");
  const active = () => search.evaluate((el) => document.getElementById(el.getAttribute("aria-activedescendant") ?? ""));
  const activeName = async () => (await search.evaluate((el) => document.getElementById(el.getAttribute("aria-activedescendant") ?? "")?.querySelector(".model-name")?.textContent)) ?? null;
  assert.equal(await activeName(), "Big Pickle", "the current model is active at first");

  // Down and up through the options; unavailable ones are skipped.
  const seen = [];
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press("ArrowDown");
    seen.push(await activeName());
    assert.equal(await search.evaluate((el) => document.getElementById(el.getAttribute("aria-activedescendant")).getAttribute("aria-disabled")), null);
  }
  assert.equal(new Set(seen).size, 6, `six different options: ${seen}`);
  await page.keyboard.press("ArrowUp");
  assert.equal(await activeName(), seen[4]);
  assert.ok(await active(), "an option is active");
  assert.equal(await page.getByRole("option", { name: new RegExp(seen[4].replace(/[.()]/g, "\\$&")) }).getAttribute("aria-selected"), "true");

  // Typing filters; Enter picks the first match.
  await search.fill("haiku 4.5");
  assert.equal(await activeName(), "Claude Haiku 4.5");
  await page.keyboard.press("Enter");
  await page.getByRole("dialog", { name: "Choose a model" }).waitFor({ state: "hidden" });
  assert.match(await page.getByRole("button", { name: /^Model: / }).getAttribute("aria-label"), /^Model: Claude Haiku 4\.5/);
  await page.close();
});

test("the skip link works in compare mode", async () => {
  const page = await open({}, "#compare");
  const skip = page.getByRole("link", { name: /^Skip to the/ });
  assert.equal(await skip.evaluate((el) => el === document.querySelector("a[href], button, input, textarea, select")), true, "the skip link comes first");
  await skip.focus();
  await page.keyboard.press("Enter");
  assert.equal(new URL(page.url()).hash, "#compare", "still in compare mode");
  assert.equal(await page.getByRole("region", { name: "Compare models" }).isVisible(), true);
  const prompt = page.getByRole("textbox", { name: "Prompt for every model" });
  assert.equal(await prompt.evaluate((el) => el === document.activeElement), true, "focus is on the prompt");

  // And in chat mode, on the message box.
  await page.getByRole("button", { name: "Chat" }).click();
  await skip.focus();
  await page.keyboard.press("Enter");
  assert.equal(await page.getByRole("textbox", { name: "Message" }).evaluate((el) => el === document.activeElement), true);
  await page.close();
});
