// Admin endpoints: mint, usage, revoke (a revoked token is refused).
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { startRelay, mintLocal, bearer, assertRefusal, bodyFor, usage, nowSecs, ADMIN_SECRET, SIGNING_SECRET, CHAT, MESSAGES } from "../support.mjs";

describe("admin", { timeout: 60_000 }, () => {
  let relay;
  const admin = { authorization: `Bearer ${ADMIN_SECRET}` };
  before(async () => {
    relay = await startRelay("admin");
  });

  test("mint: needs the admin secret, validates claims, returns a working token and its claims", async () => {
    assertRefusal(CHAT, await relay.call("/admin/tokens", { body: { sub: "x" } }), 401, { code: "admin_unauthorized" });
    assertRefusal(CHAT, await relay.call("/admin/tokens", { headers: bearer(`${ADMIN_SECRET}x`), body: { sub: "x" } }), 401, { code: "admin_unauthorized" });
    assertRefusal(CHAT, await relay.call("/admin/tokens", { headers: { "x-api-key": SIGNING_SECRET }, body: { sub: "x" } }), 401, { code: "admin_unauthorized" });
    for (const bad of [{ ttl: "1h" }, { sub: "", ttl: "1h" }, { sub: "x", ttl: "forever" }, { sub: "x" }, { sub: "x", ttl: "1h", maxOutputTokens: 0 }, { sub: "x", ttl: "1h", origins: ["https://a.example/"] }, { sub: "x", ttl: "1h", allow: ["everything"] }, { sub: "x", ttl: "1h", allow: "media" }, { sub: "x", ttl: "1h", concurrency: 0 }, { sub: "x", ttl: "1h", budgetUsdPerDy: "1" }]) {
      assertRefusal(CHAT, await relay.call("/admin/tokens", { headers: admin, body: bad }), 400, { code: "invalid_admin_request" });
    }
    assertRefusal(CHAT, await relay.call("/admin/tokens", { headers: admin, body: "not json" }), 400, { code: "invalid_admin_request" });
    const r = await relay.call("/admin/tokens", { headers: admin, body: { sub: "carol", ttl: "2h", models: ["big-pickle"], rpm: 100, budgetUsdPerDay: "1.5" } });
    assert.equal(r.status, 200, r.text);
    const { token, claims } = r.json();
    assert.match(token, /^zr1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.equal(claims.sub, "carol");
    assert.ok(Math.abs(claims.exp - claims.iat - 7200) <= 1);
    assert.equal((await relay.call(CHAT, { headers: bearer(token), body: bodyFor(CHAT) })).status, 200);
    // The `allow` claim (input the body cannot bound) is accepted and returned.
    const a = await relay.call("/admin/tokens", { headers: admin, body: { sub: "dora", ttl: "1h", budgetUsdPerDay: "2", allow: ["media", "serverTools", "stateful"] } });
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(a.json().claims.allow, ["media", "serverTools", "stateful"]);
  });

  test("usage: per-subject counters; needs the secret and a subject", async () => {
    const t = mintLocal({ sub: "dave" });
    for (let i = 0; i < 2; i++) assert.equal((await relay.call(CHAT, { headers: bearer(t), body: bodyFor(CHAT) })).status, 200);
    let u;
    for (let i = 0; i < 50 && (u = await usage(relay, "sub:dave")).inFlight !== 0; i++) await new Promise((res) => setTimeout(res, 50));
    assert.equal(u.requests, 2);
    assert.equal(u.inFlight, 0);
    assert.equal(u.denied, 0);
    assert.ok(u.spent.tokens > 0, "settled tokens from the streams' usage");
    assert.equal(u.spent.usd, "0", "big-pickle is free");
    assertRefusal(CHAT, await relay.call("/admin/usage", { method: "GET", headers: admin }), 400, { code: "invalid_admin_request" });
    assertRefusal(CHAT, await relay.call("/admin/usage?sub=sub:dave", { method: "GET", headers: bearer(t) }), 401, { code: "admin_unauthorized" });
    assertRefusal(CHAT, await relay.call("/admin/usage?sub=sub:dave", { method: "POST", headers: admin }), 405, { code: "method_not_allowed" });
  });

  test("revoke: every token of the subject issued so far is refused; later ones work; others unaffected", async () => {
    const t = mintLocal({ sub: "erin" });
    const other = mintLocal({ sub: "frank" });
    assert.equal((await relay.call(CHAT, { headers: bearer(t), body: bodyFor(CHAT) })).status, 200);
    const r = await relay.call("/admin/revoke", { headers: admin, body: { sub: "erin" } });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json().revokedThrough >= nowSecs() - 5);
    assertRefusal(CHAT, await relay.call(CHAT, { headers: bearer(t), body: bodyFor(CHAT) }), 401, { code: "token_revoked" });
    assertRefusal(MESSAGES, await relay.call(MESSAGES, { headers: bearer(t), body: bodyFor(MESSAGES) }), 401, { type: "authentication_error" });
    assert.equal((await relay.call(CHAT, { headers: bearer(other), body: bodyFor(CHAT) })).status, 200);
    // A token issued after the revocation works (iat within the allowed clock skew).
    const fresh = mintLocal({ sub: "erin", iat: nowSecs() + 2 });
    assert.equal((await relay.call(CHAT, { headers: bearer(fresh), body: bodyFor(CHAT) })).status, 200);
    assertRefusal(CHAT, await relay.call("/admin/revoke", { headers: admin, body: { user: "erin" } }), 400, { code: "invalid_admin_request" });
    assertRefusal(CHAT, await relay.call("/admin/revoke", { headers: bearer(fresh), body: { sub: "erin" } }), 401, { code: "admin_unauthorized" });
  });
});
