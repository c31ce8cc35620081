// Token checks: every credential header, expiry, not-yet-valid, signature,
// tampering, wrong model, wrong origin.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { startRelay, mintLocal, mintAdmin, bearer, assertRefusal, bodyFor, nowSecs, ORIGIN, ORIGIN2, EVIL, CHAT, RESPONSES, MESSAGES, GEMINI, ENDPOINTS } from "../support.mjs";

describe("tokens", { timeout: 60_000 }, () => {
  let relay;
  before(async () => {
    relay = await startRelay("tokens");
  });

  test("a token minted outside the relay (same format, same secret) is accepted in each SDK's header", async () => {
    const t = mintLocal({ sub: "local", maxOutputTokens: 32 });
    for (const headers of [bearer(t), { "x-api-key": t }, { "x-goog-api-key": t }]) {
      for (const path of ENDPOINTS) {
        const r = await relay.call(path, { headers, body: bodyFor(path) });
        assert.equal(r.status, 200, `${path} ${Object.keys(headers)}: ${r.text}`);
      }
    }
  });

  test("expired → 401 token_expired in every dialect", async () => {
    const t = mintLocal({ sub: "old", iat: nowSecs() - 7200, exp: nowSecs() - 10 });
    for (const path of ENDPOINTS) {
      assertRefusal(path, await relay.call(path, { headers: bearer(t), body: bodyFor(path) }), 401, {
        code: "token_expired",
        type: path === MESSAGES ? "authentication_error" : undefined,
        googleStatus: "UNAUTHENTICATED",
      });
    }
  });

  test("issued in the future beyond the skew → 401 token_not_yet_valid", async () => {
    const t = mintLocal({ sub: "future", iat: nowSecs() + 3600, exp: nowSecs() + 7200 });
    assertRefusal(CHAT, await relay.call(CHAT, { headers: bearer(t), body: bodyFor(CHAT) }), 401, { code: "token_not_yet_valid" });
  });

  test("bad signature: another secret, a flipped signature, a tampered payload", async () => {
    const other = mintLocal({ sub: "mallory" }, "another-deployment-secret-0123456789abcdef");
    const good = mintLocal({ sub: "bob", models: ["big-pickle"] });
    const [p, payload, sig] = good.split(".");
    const flipped = `${p}.${payload}.${sig.slice(0, -2)}${sig.at(-2) === "A" ? "B" : "A"}${sig.at(-1)}`;
    const claims = JSON.parse(Buffer.from(payload, "base64url"));
    const tampered = `${p}.${Buffer.from(JSON.stringify({ ...claims, models: [] })).toString("base64url")}.${sig}`;
    for (const t of [other, flipped, tampered]) {
      for (const path of [CHAT, MESSAGES]) {
        assertRefusal(path, await relay.call(path, { headers: bearer(t), body: bodyFor(path) }), 401, { code: "token_bad_signature", type: "authentication_error" });
      }
    }
  });

  test("malformed tokens → 401 token_malformed", async () => {
    for (const t of ["zr1", "zr1.a", "zr2.e30.AAAA", "zr1.e30.a.b", "not-a-token", `zr1.${"A".repeat(5000)}.AAAA`, "zr1.e30.@@@"]) {
      assertRefusal(CHAT, await relay.call(CHAT, { headers: bearer(t), body: bodyFor(CHAT) }), 401, { code: "token_malformed" });
    }
  });

  test("wrong model → 403 model_not_allowed (token list and deployment list)", async () => {
    const t = await mintAdmin(relay, { sub: "pickle-only", models: ["big-pickle"] });
    assert.equal((await relay.call(CHAT, { headers: bearer(t), body: bodyFor(CHAT) })).status, 200);
    assertRefusal(CHAT, await relay.call(CHAT, { headers: bearer(t), body: bodyFor(CHAT, "hi", { model: "glm-4.6" }) }), 403, { code: "model_not_allowed", type: "permission_error" });
    assertRefusal(MESSAGES, await relay.call(MESSAGES, { headers: bearer(t), body: bodyFor(MESSAGES) }), 403, { type: "permission_error" });
    assertRefusal(GEMINI, await relay.call(GEMINI, { headers: bearer(t), body: bodyFor(GEMINI) }), 403, { googleStatus: "PERMISSION_DENIED" });
    // Not on the deployment's allowlist at all, whatever the token says.
    const any = mintLocal({ sub: "any" });
    assertRefusal(CHAT, await relay.call(CHAT, { headers: bearer(any), body: bodyFor(CHAT, "hi", { model: "kimi-k2" }) }), 403, { code: "model_not_allowed" });
    assertRefusal(RESPONSES, await relay.call(RESPONSES, { headers: bearer(any), body: bodyFor(RESPONSES, "hi", { model: "gpt-5.1-codex-max" }) }), 403, { code: "model_not_allowed" });
  });

  test("wrong origin → 403: the token's origins, and origins the deployment does not know", async () => {
    const t = mintLocal({ sub: "web", origins: [ORIGIN] });
    const ok = await relay.call(CHAT, { headers: { ...bearer(t), origin: ORIGIN }, body: bodyFor(CHAT) });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.headers.get("access-control-allow-origin"), ORIGIN);
    const other = await relay.call(CHAT, { headers: { ...bearer(t), origin: ORIGIN2 }, body: bodyFor(CHAT) });
    assertRefusal(CHAT, other, 403, { code: "origin_not_allowed" });
    // ORIGIN2 is a deployment origin, so its page may read the refusal.
    assert.equal(other.headers.get("access-control-allow-origin"), ORIGIN2);
    // A browser-bound token used without any Origin (a server) is refused too.
    assertRefusal(MESSAGES, await relay.call(MESSAGES, { headers: bearer(t), body: bodyFor(MESSAGES) }), 403, { type: "permission_error" });
    // An unknown origin is refused even with an unrestricted token, and gets no CORS headers.
    const evil = await relay.call(CHAT, { headers: { ...bearer(mintLocal({ sub: "x" })), origin: EVIL }, body: bodyFor(CHAT) });
    assertRefusal(CHAT, evil, 403, { code: "origin_not_allowed" });
    assert.equal(evil.headers.get("access-control-allow-origin"), null);
  });

  test("without public mode, no token and the `public` key are refused", async () => {
    assertRefusal(CHAT, await relay.call(CHAT, { headers: { origin: ORIGIN }, body: bodyFor(CHAT) }), 401, { code: "token_missing" });
    assertRefusal(CHAT, await relay.call(CHAT, { headers: bearer("public"), body: bodyFor(CHAT) }), 401, { code: "token_missing" });
    assertRefusal(CHAT, await relay.call(CHAT, { headers: { authorization: "Basic Zm9vOmJhcg==" }, body: bodyFor(CHAT) }), 401, { code: "token_missing" });
  });
});
