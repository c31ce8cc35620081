// Health, CORS, dialect refusals, streaming passthrough, clamping, header
// stripping, client abort, first-byte timeout.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { startRelay, mintAdmin, mockZen, bearer, assertRefusal, bodyFor, until, uid, ZEN_KEY, ORIGIN, EVIL, CHAT, RESPONSES, MESSAGES, GEMINI } from "../support.mjs";

describe("streaming and CORS", { timeout: 60_000 }, () => {
  let relay, token, zen;
  before(async () => {
    zen = await mockZen();
    relay = await startRelay("streaming", { ANTHROPIC_BETA_ALLOWLIST: "fine-grained-tool-streaming-2025-05-14" });
    token = await mintAdmin(relay, { sub: "alice", maxOutputTokens: 64 });
  });

  test("health", async () => {
    const r = await relay.call("/healthz", { method: "GET" });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json(), { ok: true });
  });

  test("preflight: allowed origin echoed alone with Vary, unknown origin gets no CORS headers, no token needed", async () => {
    for (const path of [CHAT, RESPONSES, MESSAGES, GEMINI, "/zen/v1/models"]) {
      const ok = await relay.call(path, { method: "OPTIONS", headers: { origin: ORIGIN, "access-control-request-method": "POST" } });
      assert.equal(ok.status, 204, path);
      assert.equal(ok.headers.get("access-control-allow-origin"), ORIGIN);
      assert.match(ok.headers.get("vary"), /Origin/);
      assert.match(ok.headers.get("access-control-allow-headers"), /authorization/);
      assert.match(ok.headers.get("access-control-allow-headers"), /x-api-key/);
      const bad = await relay.call(path, { method: "OPTIONS", headers: { origin: EVIL } });
      assert.equal(bad.headers.get("access-control-allow-origin"), null);
      assert.equal(bad.headers.get("access-control-allow-methods"), null);
    }
  });

  test("refusals are in the endpoint's dialect", async () => {
    assertRefusal(CHAT, await relay.call(CHAT, { body: bodyFor(CHAT) }), 401, { code: "token_missing", type: "authentication_error" });
    assertRefusal(RESPONSES, await relay.call(RESPONSES, { body: bodyFor(RESPONSES) }), 401, { code: "token_missing" });
    assertRefusal(MESSAGES, await relay.call(MESSAGES, { body: bodyFor(MESSAGES) }), 401, { type: "authentication_error" });
    assertRefusal(GEMINI, await relay.call(GEMINI, { body: bodyFor(GEMINI) }), 401, { googleStatus: "UNAUTHENTICATED" });
    const wrong = await relay.call(CHAT, { headers: bearer(token), body: { model: "claude-sonnet-4-5", messages: [] } });
    assertRefusal(CHAT, wrong, 400, { code: "wrong_endpoint" });
    assert.match(wrong.json().error.message, /\/zen\/v1\/messages/);
  });

  test("chat streams through unbuffered: clamped, headers stripped, first event while mock-zen still generates", async () => {
    const s = await relay.open(CHAT, {
      headers: { ...bearer(token), origin: ORIGIN, cookie: "s=1", "x-forwarded-for": "1.2.3.4", "cf-ray": "abc", "x-opencode-session": "sess-1", "anthropic-beta": "fine-grained-tool-streaming-2025-05-14", "x-evil": "1" },
      body: { model: "big-pickle", stream: true, max_tokens: 5000, messages: [{ role: "user", content: "/mock slow\nhello there" }] },
    });
    assert.equal(s.status, 200);
    assert.equal(s.headers.get("cache-control"), "no-cache, no-transform");
    assert.match(s.headers.get("content-type"), /text\/event-stream/);
    assert.equal(s.headers.get("content-encoding"), null);
    assert.equal(s.headers.get("content-length"), null);
    assert.equal(s.headers.get("access-control-allow-origin"), ORIGIN);
    assert.match(await s.read(), /data: /);
    // The client holds the first bytes while mock-zen is still generating.
    const live = await zen.last();
    assert.equal(live.completed, false);
    assert.equal(live.body.max_tokens, 64);
    assert.equal(live.headers.authorization, `Bearer ${ZEN_KEY}`);
    assert.equal(live.headers["x-opencode-session"], "sess-1");
    assert.equal(live.headers["anthropic-beta"], "fine-grained-tool-streaming-2025-05-14");
    for (const h of ["cookie", "x-forwarded-for", "cf-ray", "x-evil", "origin"]) assert.equal(live.headers[h], undefined, h);
    await s.cancel();
  });

  test("each dialect clamps its own output field and gets the key in the header that endpoint reads", async () => {
    const cases = [
      [CHAT, { max_completion_tokens: 9000 }, (b) => b.max_completion_tokens, "authorization", `Bearer ${ZEN_KEY}`],
      [RESPONSES, { max_output_tokens: 9000 }, (b) => b.max_output_tokens, "authorization", `Bearer ${ZEN_KEY}`],
      [MESSAGES, { max_tokens: 9000 }, (b) => b.max_tokens, "x-api-key", ZEN_KEY],
      [GEMINI, { generationConfig: { maxOutputTokens: 9000 } }, (b) => b.generationConfig.maxOutputTokens, "x-goog-api-key", ZEN_KEY],
    ];
    for (const [path, extra, field, header, value] of cases) {
      const r = await relay.call(path, { headers: bearer(token), body: bodyFor(path, "hi", extra) });
      assert.equal(r.status, 200, `${path}: ${r.text}`);
      const seen = await zen.last();
      assert.equal(field(seen.body), 64, path);
      assert.equal(seen.headers[header], value, path);
      for (const other of ["authorization", "x-api-key", "x-goog-api-key"].filter((h) => h !== header)) assert.equal(seen.headers[other], undefined, `${path} ${other}`);
    }
    // Messages requires max_tokens, so the relay sets it when it is missing.
    const r = await relay.call(MESSAGES, { headers: bearer(token), body: { model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }] } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await zen.last()).body.max_tokens, 64);
  });

  test("every dialect streams end to end, and non-streaming answers pass through", async () => {
    const cases = [
      [RESPONSES, bodyFor(RESPONSES), /response\.completed/],
      [MESSAGES, bodyFor(MESSAGES), /message_stop/],
      [GEMINI, bodyFor(GEMINI), /candidates/],
      [CHAT, bodyFor(CHAT), /\[DONE\]/],
      [CHAT, bodyFor(CHAT, "hi", { stream: false }), /"choices"/],
      ["/zen/v1/models/gemini-3-pro:generateContent", bodyFor(GEMINI), /"candidates"/],
    ];
    for (const [path, body, re] of cases) {
      const r = await relay.call(path, { headers: bearer(token), body });
      assert.equal(r.status, 200, `${path}: ${r.text}`);
      assert.match(r.text, re, path);
      assert.match(r.text, /said/, path);
    }
  });

  test("the models list passes through with a token", async () => {
    const r = await relay.call("/zen/v1/models", { method: "GET", headers: bearer(token) });
    assert.equal(r.status, 200);
    assert.ok(r.json().data.some((m) => m.id === "big-pickle"));
    assertRefusal("/zen/v1/models", await relay.call("/zen/v1/models", { method: "GET" }), 401, { code: "token_missing" });
  });

  test("client abort reaches mock-zen as a cancel", async () => {
    const ctrl = new AbortController();
    const id = uid("abort");
    const s = await relay.open(CHAT, { signal: ctrl.signal, headers: bearer(token), body: bodyFor(CHAT, `/mock slow\n${id}`) });
    await s.read();
    ctrl.abort();
    await s.cancel();
    const mine = () => zen.requests().then((all) => all.find((q) => JSON.stringify(q.body).includes(id)));
    const last = await until(async () => ((await mine())?.cancelled ? mine() : null));
    assert.equal(last?.cancelled, true);
  });

  test("stall before headers → 504 in dialect", async () => {
    const r = await relay.call(MESSAGES, { headers: bearer(token), body: bodyFor(MESSAGES, "/mock stall-before-headers\nx") });
    assertRefusal(MESSAGES, r, 504, { type: "timeout_error" });
    const g = await relay.call(GEMINI, { headers: bearer(token), body: bodyFor(GEMINI, "/mock stall-before-headers\nx") });
    assertRefusal(GEMINI, g, 504, { googleStatus: "DEADLINE_EXCEEDED" });
  });
});
