import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startMockZen, startRelay, mint, mockRequests, ZEN_KEY, ORIGIN } from "./harness.mjs";

let zen, relay, mf, token;
const seen = []; // every response header/body, scanned for the key at the end

async function call(path, { body, headers = {}, method = "POST" } = {}) {
  const r = await mf.dispatchFetch(`http://relay${path}`, {
    method,
    headers: { "accept-encoding": "identity", "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await r.text();
  seen.push(JSON.stringify([...r.headers]), text);
  return { status: r.status, headers: r.headers, text, json: () => JSON.parse(text) };
}
const auth = (t = token) => ({ authorization: `Bearer ${t}` });

before(async () => {
  zen = await startMockZen();
  relay = await startRelay(zen.base);
  mf = relay.mf;
  token = await mint(mf, { sub: "alice", maxOutputTokens: 64 });
});
after(async () => {
  await mf?.dispose();
  zen?.stop();
});

test("health", async () => {
  const r = await call("/healthz", { method: "GET" });
  assert.equal(r.status, 200);
});

test("preflight: allowed origin echoed, unknown origin gets nothing", async () => {
  const ok = await call("/zen/v1/chat/completions", { method: "OPTIONS", headers: { origin: ORIGIN } });
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get("access-control-allow-origin"), ORIGIN);
  assert.match(ok.headers.get("vary"), /Origin/);
  const bad = await call("/zen/v1/chat/completions", { method: "OPTIONS", headers: { origin: "https://evil.example" } });
  assert.equal(bad.headers.get("access-control-allow-origin"), null);
});

test("refusals are in the endpoint's dialect", async () => {
  const chat = await call("/zen/v1/chat/completions", { body: { model: "big-pickle", messages: [] } });
  assert.equal(chat.status, 401);
  assert.equal(chat.json().error.code, "token_missing");
  const msg = await call("/zen/v1/messages", { body: { model: "claude-sonnet-4-5", messages: [] } });
  assert.equal(msg.status, 401);
  assert.equal(msg.json().type, "error");
  assert.equal(msg.json().error.type, "authentication_error");
  const gem = await call("/zen/v1/models/gemini-3-pro:generateContent", { body: {} });
  assert.equal(gem.json().error.status, "UNAUTHENTICATED");
  const wrong = await call("/zen/v1/chat/completions", { headers: auth(), body: { model: "claude-sonnet-4-5", messages: [] } });
  assert.equal(wrong.status, 400);
  assert.match(wrong.json().error.message, /\/zen\/v1\/messages/);
});

test("chat streams through, clamped, headers stripped, first event before the rest", async () => {
  const r = await mf.dispatchFetch("http://relay/zen/v1/chat/completions", {
    method: "POST",
    headers: { ...auth(), "accept-encoding": "identity", "content-type": "application/json", cookie: "s=1", "x-forwarded-for": "1.2.3.4", "x-opencode-session": "sess-1" },
    body: JSON.stringify({ model: "big-pickle", stream: true, max_tokens: 5000, messages: [{ role: "user", content: "/mock slow\nhello there" }] }),
  });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("cache-control"), "no-cache, no-transform");
  const reader = r.body.getReader();
  const first = await reader.read();
  assert.match(new TextDecoder().decode(first.value), /data: /);
  // While the client holds the first bytes, mock-zen is still generating.
  const live = (await mockRequests(zen.base)).at(-1);
  assert.equal(live.completed, false);
  assert.equal(live.body.max_tokens, 64);
  assert.equal(live.headers.authorization, `Bearer ${ZEN_KEY}`);
  assert.equal(live.headers["x-opencode-session"], "sess-1");
  for (const h of ["cookie", "x-forwarded-for"]) assert.equal(live.headers[h], undefined, h);
  await reader.cancel();
});

test("every dialect streams end to end", async () => {
  const cases = [
    ["/zen/v1/responses", { model: "gpt-5.1", stream: true, input: "hi" }, /response.completed/],
    ["/zen/v1/messages", { model: "claude-sonnet-4-5", stream: true, max_tokens: 10, messages: [{ role: "user", content: "hi" }] }, /message_stop/],
    ["/zen/v1/models/gemini-3-pro:streamGenerateContent", { contents: [{ role: "user", parts: [{ text: "hi" }] }] }, /candidates/],
    ["/zen/v1/chat/completions", { model: "big-pickle", stream: true, messages: [{ role: "user", content: "hi" }] }, /\[DONE\]/],
  ];
  for (const [path, body, re] of cases) {
    const r = await call(path, { headers: auth(), body });
    assert.equal(r.status, 200, `${path}: ${r.text}`);
    assert.match(r.text, re, path);
  }
});

test("client abort reaches mock-zen as a cancel", async () => {
  const ctrl = new AbortController();
  const r = await mf.dispatchFetch("http://relay/zen/v1/chat/completions", {
    method: "POST",
    signal: ctrl.signal,
    headers: { ...auth(), "accept-encoding": "identity", "content-type": "application/json" },
    body: JSON.stringify({ model: "big-pickle", stream: true, messages: [{ role: "user", content: "/mock slow\nabort me" }] }),
  });
  const reader = r.body.getReader();
  await reader.read();
  ctrl.abort();
  await reader.cancel().catch(() => {});
  let last;
  for (let i = 0; i < 50; i++) {
    last = (await mockRequests(zen.base)).at(-1);
    if (last.cancelled) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(last.cancelled, true);
});

test("stall before headers → 504 in dialect", async () => {
  const r = await call("/zen/v1/messages", { headers: auth(), body: { model: "claude-sonnet-4-5", max_tokens: 5, messages: [{ role: "user", content: "/mock stall-before-headers\nx" }] } });
  assert.equal(r.status, 504);
  assert.equal(r.json().error.type, "timeout_error");
});

test("the Zen key never appears in responses or logs", async () => {
  const all = seen.join("\n") + relay.logs.join("\n");
  assert.equal(all.includes(ZEN_KEY), false);
  assert.ok(relay.logs.some((l) => l.includes('"msg":"relay"')), "log lines were written");
});
