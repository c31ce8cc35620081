// Issue #12: what a valid token holder (or a public visitor) could make the
// relay spend past a budget, tried as an attacker would. Each test names the
// attack; each failed against the relay before the fix.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import {
  startRelay, mintLocal, mockZen, usage, settledUsage, awayFromMinuteEdge, bearer, assertRefusal, bodyFor,
  until, uid, atto, lastEvent, ZEN_KEY, ORIGIN, CHAT, RESPONSES, MESSAGES, GEMINI,
} from "../support.mjs";

// A priced model on each endpoint (so a reservation is money).
const PRICED = { [CHAT]: "glm-4.6", [RESPONSES]: "gpt-5.1", [MESSAGES]: "claude-sonnet-4-5", [GEMINI]: "gemini-3-pro" };
const priced = (path, text, extra = {}) => bodyFor(path, text, path === GEMINI ? extra : { model: PRICED[path], ...extra });
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

describe("issue 12: budgets hold against a token holder", { timeout: 120_000 }, () => {
  let relay, zen;
  const forwarded = async (id) => (await zen.requests()).filter((q) => JSON.stringify(q.body).includes(id));
  before(async () => {
    zen = await mockZen();
    relay = await startRelay("attacks");
  });

  /** Opens a slow priced stream for a fresh budgeted subject; returns it with its reservation. */
  async function openSlow(path, claims = {}) {
    const sub = uid("cut");
    const t = mintLocal({ sub, budgetUsdPerDay: "50", maxOutputTokens: 200, ...claims });
    const s = await relay.open(path, { headers: bearer(t), body: priced(path, `/mock slow\n${sub}`) });
    assert.equal(s.status, 200, path);
    const reserved = await usage(relay, `sub:${sub}`);
    assert.equal(reserved.inFlight, 1);
    return { s, sub, token: t, reserved: atto(reserved.reserved.usd), reservedTokens: reserved.reserved.tokens };
  }

  test("attack: leave a stream right after its first event (Messages' message_start says 1 output token) — every format is charged its reservation", async () => {
    for (const path of [CHAT, RESPONSES, MESSAGES, GEMINI]) {
      const { s, sub, reserved, reservedTokens } = await openSlow(path);
      assert.ok(reserved > 0n, path);
      await s.read();
      await s.cancel();
      const u = await settledUsage(relay, `sub:${sub}`);
      assert.equal(u?.inFlight, 0, `${path}: settled`);
      assert.ok(atto(u.spent.usd) >= reserved, `${path}: spent ${u.spent.usd} < reserved`);
      assert.ok(u.spent.tokens >= reservedTokens, `${path}: tokens ${u.spent.tokens}`);
    }
  });

  test("attack: leave a stream mid-text — every format is charged its reservation", async () => {
    for (const path of [CHAT, RESPONSES, MESSAGES, GEMINI]) {
      const { s, sub, reserved } = await openSlow(path);
      while (!/word3/.test(s.text)) assert.notEqual(await s.read(), null, path);
      await s.cancel();
      const u = await settledUsage(relay, `sub:${sub}`);
      assert.ok(atto(u.spent.usd) >= reserved, `${path}: spent ${u.spent.usd} < reserved`);
    }
  });

  test("a stream read to its end is charged what Zen billed, not its reservation", async () => {
    const sub = uid("whole");
    const t = mintLocal({ sub, budgetUsdPerDay: "50", maxOutputTokens: 200 });
    const r = await relay.call(MESSAGES, { headers: bearer(t), body: priced(MESSAGES, "hello") });
    assert.equal(r.status, 200);
    const billed = r.text.match(/"cost":"([0-9.]+)"/)[1];
    const u = await settledUsage(relay, `sub:${sub}`);
    assert.equal(atto(u.spent.usd), atto(billed));
  });

  test("attack: a request that times out or is reset after it was sent is charged its reservation, not $0", async () => {
    // Bodies of one length per case, so a probe that stalls (its reservation
    // is read while it waits) reserves exactly what the case reserves.
    const ask = (path, scenario, stream) => priced(path, `/mock ${scenario}\n${uid("late")}`.padEnd(96, "."), stream === false ? { stream } : {});
    const cases = [
      // A non-streaming call outliving FIRST_BYTE_TIMEOUT_MS (mock-zen answers after 60 s).
      [CHAT, "slow", false, 504, "upstream_timeout"],
      [MESSAGES, "stall-before-headers", true, 504, undefined],
      // The connection closes after the request was read, before any byte.
      [CHAT, "reset-before-headers", true, 502, "upstream_unreachable"],
    ];
    for (const [path, scenario, stream, status, code] of cases) {
      const probe = uid("probe");
      const held = relay.call(path, { headers: bearer(mintLocal({ sub: probe, budgetUsdPerDay: "50", maxOutputTokens: 200 })), body: ask(path, "stall-before-headers", stream) });
      const during = await until(async () => {
        const u = await usage(relay, `sub:${probe}`);
        return u.inFlight === 1 ? u : null;
      });
      const reserved = atto(during.reserved.usd);
      await held;
      const sub = uid("late");
      const t = mintLocal({ sub, budgetUsdPerDay: "50", maxOutputTokens: 200 });
      assertRefusal(path, await relay.call(path, { headers: bearer(t), body: ask(path, scenario, stream) }), status, { code });
      const u = await settledUsage(relay, `sub:${sub}`);
      assert.ok(reserved > 0n && atto(u.spent.usd) >= reserved, `${path} ${scenario}: spent ${u.spent.usd}, reserved ${reserved}`);
    }
  });

  test("attack: input the body cannot bound (documents, URLs, server tools, provider state) is refused for a budgeted token, in dialect, nothing forwarded", async () => {
    const t = mintLocal({ sub: uid("media"), budgetUsdPerDay: "5" });
    const cases = [
      [CHAT, { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://img.example/a.png" } }] }] }, "media"],
      [CHAT, { tools: [{ type: "web_search" }] }, "serverTools"],
      [RESPONSES, { input: [{ role: "user", content: [{ type: "input_file", file_url: "https://x.example/a.pdf" }] }] }, "media"],
      [RESPONSES, { previous_response_id: "resp_123" }, "stateful"],
      [RESPONSES, { tools: [{ type: "web_search_preview" }] }, "serverTools"],
      [MESSAGES, { messages: [{ role: "user", content: [{ type: "document", source: { type: "url", url: "https://x.example/a.pdf" } }] }] }, "media"],
      [MESSAGES, { tools: [{ type: "web_fetch_20250910", name: "web_fetch" }] }, "serverTools"],
      [GEMINI, { contents: [{ role: "user", parts: [{ fileData: { fileUri: "https://x.example/a.pdf", mimeType: "application/pdf" } }] }] }, "media"],
      [GEMINI, { tools: [{ urlContext: {} }] }, "serverTools"],
      [GEMINI, { cachedContent: "cachedContents/abc" }, "stateful"],
    ];
    for (const [path, extra, kind] of cases) {
      const id = uid("unb");
      const body = { ...priced(path, id), ...extra };
      const r = await relay.call(path, { headers: bearer(t), body });
      const j = assertRefusal(path, r, 403, { code: "input_not_allowed", type: "permission_error", googleStatus: "PERMISSION_DENIED" });
      assert.match(JSON.stringify(j), new RegExp(kind), path);
      assert.equal((await forwarded(id)).length, 0, `${path}: nothing forwarded`);
    }
  });

  test("an `allow` claim admits such input, reserving the model's whole context window", async () => {
    const id = uid("allowed");
    const doc = { messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url: "https://img.example/a.png" } }, { type: "text", text: id }] }] };
    // $1 covers an ordinary request but not a 1M-token context at Sonnet's price.
    const sub = uid("allow");
    const small = mintLocal({ sub, budgetUsdPerDay: "1", allow: ["media"], maxOutputTokens: 100 });
    assertRefusal(MESSAGES, await relay.call(MESSAGES, { headers: bearer(small), body: { ...priced(MESSAGES, "x"), ...doc } }), 429, { type: "rate_limit_error" });
    assert.equal((await relay.call(MESSAGES, { headers: bearer(small), body: priced(MESSAGES, "x") })).status, 200);
    const big = mintLocal({ sub: uid("allow-big"), budgetUsdPerDay: "100", allow: ["media"], maxOutputTokens: 100 });
    const r = await relay.call(MESSAGES, { headers: bearer(big), body: { ...priced(MESSAGES, "x"), ...doc } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await forwarded(id)).length, 1);
  });

  test("attack: an anthropic-beta header that switches on paid features is refused (default allowlist is empty)", async () => {
    const t = mintLocal({ sub: uid("beta"), budgetUsdPerDay: "5" });
    for (const path of [MESSAGES, CHAT]) {
      const id = uid("beta");
      const r = await relay.call(path, { headers: { ...bearer(t), "anthropic-beta": "web-fetch-2025-09-10" }, body: priced(path, id) });
      assertRefusal(path, r, 403, { code: "anthropic_beta_not_allowed", type: "permission_error" });
      assert.equal((await forwarded(id)).length, 0);
    }
  });

  test("attack: a budgeted token without a concurrency claim opens many streams at once — the fifth is refused", async () => {
    const sub = uid("burst");
    const t = mintLocal({ sub, budgetUsdPerDay: "50", maxOutputTokens: 200 });
    const open = [];
    for (let i = 0; i < 4; i++) {
      const s = await relay.open(CHAT, { headers: bearer(t), body: priced(CHAT, `/mock slow\n${sub}-${i}`) });
      assert.equal(s.status, 200);
      open.push(s);
    }
    const fifth = await relay.call(CHAT, { headers: bearer(t), body: priced(CHAT, "one more") });
    assertRefusal(CHAT, fifth, 429, { code: "rate_limit_concurrency" });
    for (const s of open) await s.cancel();
    await settledUsage(relay, `sub:${sub}`);
  });

  test("attack: a chat body with only max_completion_tokens reaches Zen with max_tokens capped too", async () => {
    const t = mintLocal({ sub: uid("cap"), maxOutputTokens: 64 });
    const id = uid("mct");
    const r = await relay.call(CHAT, { headers: bearer(t), body: priced(CHAT, id, { max_completion_tokens: 100000 }) });
    assert.equal(r.status, 200, r.text);
    const [seen] = await forwarded(id);
    assert.equal(seen.body.max_tokens, 64);
    assert.equal(seen.body.max_completion_tokens, 64);
  });

  test("attack: Gemini snake_case aliases (generation_config, max_output_tokens, candidate_count) are refused in Google's dialect", async () => {
    const t = mintLocal({ sub: uid("snake"), maxOutputTokens: 64 });
    for (const extra of [
      { generation_config: { max_output_tokens: 100000 } },
      { generationConfig: { max_output_tokens: 100000 } },
      { generationConfig: { candidate_count: 8 } },
    ]) {
      const id = uid("snake");
      const r = await relay.call(GEMINI, { headers: bearer(t), body: { ...bodyFor(GEMINI, id), ...extra } });
      assertRefusal(GEMINI, r, 400, { googleStatus: "INVALID_ARGUMENT" });
      assert.equal((await forwarded(id)).length, 0);
    }
  });
});

describe("issue 12: settlement always happens", { timeout: 120_000 }, () => {
  let relay;
  before(async () => {
    // Idle timeout far beyond the platform's 30 s waitUntil grace; short
    // silence charge and TTL so the test runs in seconds.
    relay = await startRelay("attacks-clock", { IDLE_TIMEOUT_MS: "60000", SILENCE_CHARGE_MS: "1000", RESERVATION_TTL_MS: "2000" });
  });

  test("attack: leave while the upstream is silent — the reservation is charged on the relay's own clock, long before the idle timeout", async () => {
    const sub = uid("silent");
    const t = mintLocal({ sub, budgetUsdPerDay: "50", maxOutputTokens: 200 });
    const s = await relay.open(MESSAGES, { headers: bearer(t), body: priced(MESSAGES, `/mock stall\n${sub}`) });
    await s.read();
    const reserved = atto((await usage(relay, `sub:${sub}`)).reserved.usd);
    await s.cancel();
    // The pump is still waiting on the silent upstream (the platform may end
    // it 30 s after the client left), yet the charge is already made.
    const u = await until(async () => {
      const x = await usage(relay, `sub:${sub}`);
      return atto(x.spent.usd) >= reserved ? x : null;
    });
    assert.ok(u, "charged in full within the silence charge interval");
    assert.equal(u.inFlight, 1, "the stream has not ended yet");
  });

  test("attack: a stream that outlives its reservation's TTL is charged in full and keeps its concurrency slot", async () => {
    const sub = uid("ttl");
    const t = mintLocal({ sub, budgetUsdPerDay: "50", maxOutputTokens: 200, concurrency: 1 });
    const s = await relay.open(CHAT, { headers: bearer(t), body: priced(CHAT, `/mock slow\n${sub}`) });
    const reserved = atto((await usage(relay, `sub:${sub}`)).reserved.usd);
    // Keep reading for two TTLs.
    const stop = Date.now() + 4500;
    while (Date.now() < stop) assert.notEqual(await s.read(), null);
    const u = await usage(relay, `sub:${sub}`);
    assert.ok(atto(u.spent.usd) >= reserved, `charged at its TTL: ${u.spent.usd}`);
    assert.equal(u.inFlight, 1, "the live stream keeps its slot");
    assertRefusal(CHAT, await relay.call(CHAT, { headers: bearer(t), body: priced(CHAT, "second") }), 429, { code: "rate_limit_concurrency" });
    await s.cancel();
    const after = await settledUsage(relay, `sub:${sub}`);
    assert.ok(atto(after.spent.usd) >= reserved);
  });
});

describe("issue 12: secrets and public mode", { timeout: 120_000 }, () => {
  test("attack: a weak, empty or missing TOKEN_SIGNING_SECRET — no token is accepted anywhere, 500 relay_misconfigured in dialect, logged once", async () => {
    for (const [name, secret] of [["weak", "short-secret"], ["empty", ""], ["missing", undefined]]) {
      const relay = await startRelay(`misconfigured-${name}`, { TOKEN_SIGNING_SECRET: secret, PUBLIC_MODE: "true" });
      // A token forged with the weak secret (or an empty key).
      const forged = mintLocal({ sub: "forger" }, secret ?? "");
      const models = await relay.call("/zen/v1/models", { method: "GET", headers: bearer(forged) });
      assertRefusal("/zen/v1/models", models, 500, { code: "relay_misconfigured" });
      assertRefusal(CHAT, await relay.call(CHAT, { headers: bearer(forged), body: bodyFor(CHAT) }), 500, { code: "relay_misconfigured" });
      assertRefusal(MESSAGES, await relay.call(MESSAGES, { headers: bearer(forged), body: bodyFor(MESSAGES) }), 500, { type: "api_error" });
      assertRefusal(GEMINI, await relay.call(GEMINI, { headers: { origin: ORIGIN }, body: bodyFor(GEMINI) }), 500, { googleStatus: "INTERNAL" });
      assertRefusal(CHAT, await relay.call(CHAT, { headers: { origin: ORIGIN, "cf-connecting-ip": "203.0.113.50" }, body: bodyFor(CHAT) }), 500, { code: "relay_misconfigured" });
      await sleep(100);
      const notes = relay.logs.join("").split("\n").filter((l) => l.includes('"msg":"relay misconfigured"'));
      assert.equal(notes.length, 1, `${name}: logged once: ${notes}`);
      assert.match(notes[0], /TOKEN_SIGNING_SECRET/);
    }
  });

  test("attack: ZEN_UPSTREAM over plain http to a non-loopback host — refused at load", async () => {
    const relay = await startRelay("misconfigured-upstream", { ZEN_UPSTREAM: "http://zen.example/zen/v1" });
    const t = mintLocal({ sub: "x" });
    assertRefusal(CHAT, await relay.call(CHAT, { headers: bearer(t), body: bodyFor(CHAT) }), 500, { code: "relay_misconfigured" });
  });

  test("attack: one IPv6 subscriber rotating addresses inside its /64 shares one public rate", async () => {
    const relay = await startRelay("public-v6", { PUBLIC_MODE: "true", PUBLIC_RPM: "2" });
    await awayFromMinuteEdge();
    const from = (ip) => ({ origin: ORIGIN, "cf-connecting-ip": ip });
    assert.equal((await relay.call(CHAT, { headers: from("2001:db8:7:1::1"), body: bodyFor(CHAT) })).status, 200);
    assert.equal((await relay.call(CHAT, { headers: from("2001:db8:7:1:ffff:1:2:3"), body: bodyFor(CHAT) })).status, 200);
    assertRefusal(CHAT, await relay.call(CHAT, { headers: from("2001:db8:7:1:abcd::9"), body: bodyFor(CHAT) }), 429, { code: "rate_limit_rpm" });
    assert.equal((await relay.call(CHAT, { headers: from("2001:db8:7:2::1"), body: bodyFor(CHAT) })).status, 200, "another /64");
    assert.equal((await usage(relay, "ip:2001:db8:7:1::/64")).requests, 2);
  });

  test("attack: many addresses together — the public mode's deployment-wide rate caps them", async () => {
    const relay = await startRelay("public-global", { PUBLIC_MODE: "true", PUBLIC_RPM: "100", PUBLIC_GLOBAL_RPM: "3" });
    await awayFromMinuteEdge();
    const from = (i) => ({ origin: ORIGIN, "cf-connecting-ip": `198.51.100.${i}` });
    for (let i = 1; i <= 3; i++) assert.equal((await relay.call(CHAT, { headers: from(i), body: bodyFor(CHAT) })).status, 200);
    const r = await relay.call(CHAT, { headers: from(4), body: bodyFor(CHAT) });
    assertRefusal(CHAT, r, 429, { code: "rate_limit_public" });
    assert.ok(Number(r.headers.get("retry-after")) >= 1);
    // The refused caller holds nothing.
    assert.equal((await settledUsage(relay, "ip:198.51.100.4")).inFlight, 0);
    // A token holder is not public traffic.
    assert.equal((await relay.call(CHAT, { headers: { ...from(5), ...bearer(mintLocal({ sub: uid("member") })) }, body: bodyFor(CHAT) })).status, 200);
  });

  test("attack: a 'free' model that Zen bills on a public call — the stream is cut before the cost frame and logged", async () => {
    const relay = await startRelay("public-billed", { PUBLIC_MODE: "true" });
    const r = await relay.call(CHAT, { headers: { origin: ORIGIN, "cf-connecting-ip": "203.0.113.77" }, body: bodyFor(CHAT, "/mock billed:0.01000000\nhi") });
    assert.equal(r.status, 200);
    assert.equal(r.text.includes('"cost":"0.01000000"'), false, "the billed cost frame is not passed on");
    const last = lastEvent(r.text);
    assert.equal(last.data.error.code, "public_call_billed");
    const line = await until(() => relay.logLines().find((l) => l.code === "public_call_billed"));
    assert.equal(line?.subject, "ip:203.0.113.77");
    assert.match(relay.logs.join(""), /relay public call billed/);
  });
});

describe("issue 12: redaction and revocation", { timeout: 60_000 }, () => {
  let relay;
  before(async () => {
    relay = await startRelay("attacks-redaction");
  });

  test("attack: an upstream error event inside a 200 stream quoting the key reaches the client redacted, in every format", async () => {
    const t = mintLocal({ sub: uid("leak"), maxOutputTokens: 64 });
    for (const path of [CHAT, RESPONSES, MESSAGES, GEMINI]) {
      const r = await relay.call(path, { headers: bearer(t), body: bodyFor(path, "/mock leaky-error\none two three") });
      assert.equal(r.status, 200, path);
      assert.match(r.text, /said/, `${path}: the output before the error passes`);
      assert.match(r.text, /\[redacted\]/, path);
      for (const needle of [ZEN_KEY, ZEN_KEY.slice(-24), ZEN_KEY.slice(0, 20)]) assert.equal(r.text.includes(needle), false, `${path}: key material`);
    }
  });

  test("attack: a revoked token still lists models — refused on /models too", async () => {
    const sub = uid("revoked");
    const t = mintLocal({ sub, iat: Math.floor(Date.now() / 1000) - 5 });
    assert.equal((await relay.call("/zen/v1/models", { method: "GET", headers: bearer(t) })).status, 200);
    const r = await relay.call("/admin/revoke", { headers: { authorization: "Bearer admin-secret-for-tests-0123456789" }, body: { sub } });
    assert.equal(r.status, 200);
    assertRefusal("/zen/v1/models", await relay.call("/zen/v1/models", { method: "GET", headers: bearer(t) }), 401, { code: "token_revoked" });
  });
});
