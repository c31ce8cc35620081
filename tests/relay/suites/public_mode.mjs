// Public mode: no token needed, but free models only, allowed origins only,
// and a per-IP rate limit.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { startRelay, mintLocal, mockZen, bearer, assertRefusal, bodyFor, usage, ORIGIN, EVIL, CHAT, RESPONSES, MESSAGES } from "../support.mjs";

describe("public mode", { timeout: 60_000 }, () => {
  let relay, zen;
  const from = (ip, extra = {}) => ({ origin: ORIGIN, "cf-connecting-ip": ip, ...extra });
  before(async () => {
    zen = await mockZen();
    relay = await startRelay("public", { PUBLIC_MODE: "true", PUBLIC_RPM: "3", PUBLIC_MAX_OUTPUT_TOKENS: "40" });
  });

  test("no token, allowed origin, free model → streams, clamped to the public cap, no key from the client needed", async () => {
    const r = await relay.call(CHAT, { headers: from("203.0.113.1"), body: bodyFor(CHAT, "hi", { max_tokens: 9999 }) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get("access-control-allow-origin"), ORIGIN);
    assert.match(r.text, /said/);
    assert.equal((await zen.last()).body.max_tokens, 40);
    const free = await relay.call(RESPONSES, { headers: from("203.0.113.1"), body: bodyFor(RESPONSES, "hi", { model: "gpt-5-nano" }) });
    assert.equal(free.status, 200, free.text);
  });

  test("no token: priced models refused 403, no origin 401, unknown origin 403", async () => {
    assertRefusal(CHAT, await relay.call(CHAT, { headers: from("203.0.113.2"), body: bodyFor(CHAT, "hi", { model: "glm-4.6" }) }), 403, { code: "model_not_free" });
    assertRefusal(MESSAGES, await relay.call(MESSAGES, { headers: from("203.0.113.2"), body: bodyFor(MESSAGES) }), 403, { type: "permission_error" });
    assertRefusal(CHAT, await relay.call(CHAT, { headers: { "cf-connecting-ip": "203.0.113.2" }, body: bodyFor(CHAT) }), 401, { code: "token_missing" });
    const evil = await relay.call(CHAT, { headers: from("203.0.113.2", { origin: EVIL }), body: bodyFor(CHAT) });
    assertRefusal(CHAT, evil, 403, { code: "origin_not_allowed" });
    assert.equal(evil.headers.get("access-control-allow-origin"), null);
    // The `public` key (what Zen itself calls keyless use) is the same as none.
    assert.equal((await relay.call(CHAT, { headers: from("203.0.113.2", bearer("public")), body: bodyFor(CHAT) })).status, 200);
  });

  test("per-IP rate limit: the 4th request of an IP in a minute → 429 with retry-after; other IPs unaffected", async () => {
    const ip = "198.51.100.7";
    for (let i = 0; i < 3; i++) assert.equal((await relay.call(CHAT, { headers: from(ip), body: bodyFor(CHAT) })).status, 200);
    const r = await relay.call(CHAT, { headers: from(ip), body: bodyFor(CHAT) });
    assertRefusal(CHAT, r, 429, { code: "rate_limit_rpm" });
    assert.ok(Number(r.headers.get("retry-after")) >= 1);
    assert.equal(r.headers.get("access-control-allow-origin"), ORIGIN);
    assert.equal((await relay.call(CHAT, { headers: from("198.51.100.8"), body: bodyFor(CHAT) })).status, 200);
    const u = await usage(relay, `ip:${ip}`);
    assert.equal(u.requests, 3);
    assert.equal(u.denied, 1);
  });

  test("the models list needs no token and no Origin (same-origin GETs carry none); foreign origins and bad tokens are still refused", async () => {
    const r = await relay.call("/zen/v1/models", { method: "GET", headers: { "cf-connecting-ip": "203.0.113.9" } });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json().data.some((m) => m.id === "big-pickle"));
    const allowed = await relay.call("/zen/v1/models", { method: "GET", headers: from("203.0.113.9") });
    assert.equal(allowed.status, 200, allowed.text);
    assert.equal(allowed.headers.get("access-control-allow-origin"), ORIGIN);
    assertRefusal("/zen/v1/models", await relay.call("/zen/v1/models", { method: "GET", headers: { origin: EVIL } }), 403, { code: "origin_not_allowed" });
    assertRefusal("/zen/v1/models", await relay.call("/zen/v1/models", { method: "GET", headers: bearer("garbage") }), 401, { code: "token_malformed" });
    // Listing spends nothing, so it does not count against the per-IP rate.
    for (let i = 0; i < 4; i++) assert.equal((await relay.call("/zen/v1/models", { method: "GET", headers: from("203.0.113.10") })).status, 200);
    assert.equal((await relay.call(CHAT, { headers: from("203.0.113.10"), body: bodyFor(CHAT) })).status, 200);
  });

  test("a token still works in public mode, for priced models too", async () => {
    const t = mintLocal({ sub: "member" });
    const r = await relay.call(CHAT, { headers: from("198.51.100.7", bearer(t)), body: bodyFor(CHAT, "hi", { model: "glm-4.6" }) });
    assert.equal(r.status, 200, r.text);
  });
});
