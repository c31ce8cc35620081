// Body cap, requests per minute, concurrency.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { startRelay, mintLocal, bearer, assertRefusal, bodyFor, usage, CHAT, RESPONSES, MESSAGES, GEMINI } from "../support.mjs";

const CAP = 1 << 20; // the default MAX_BODY_BYTES

describe("limits", { timeout: 60_000 }, () => {
  let relay;
  before(async () => {
    relay = await startRelay("limits");
  });

  test("body cap: over the default 1 MiB → 413 in dialect (declared length and streamed body)", async () => {
    const t = mintLocal({ sub: "big" });
    const pad = (n) => JSON.stringify(bodyFor(CHAT, "hi", { metadata: { pad: "x".repeat(n) } }));
    const base = pad(0).length;
    const over = pad(CAP - base + 1);
    assert.equal(over.length, CAP + 1);
    assertRefusal(CHAT, await relay.call(CHAT, { headers: bearer(t), body: over }), 413, { code: "body_too_large" });
    const overMsg = JSON.stringify(bodyFor(MESSAGES, "x".repeat(CAP)));
    assertRefusal(MESSAGES, await relay.call(MESSAGES, { headers: bearer(t), body: overMsg }), 413, { type: "request_too_large" });
    assertRefusal(GEMINI, await relay.call(GEMINI, { headers: bearer(t), body: JSON.stringify(bodyFor(GEMINI, "x".repeat(CAP))) }), 413, { googleStatus: "INVALID_ARGUMENT" });
    // No content-length: the relay stops reading at the cap.
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream({
      pull(c) {
        if (sent > 2 * CAP) return c.close();
        sent += chunk.length;
        c.enqueue(chunk);
      },
    });
    const r = await relay.mf.dispatchFetch(`http://relay${RESPONSES}`, { method: "POST", duplex: "half", headers: { ...bearer(t), "accept-encoding": "identity" }, body: stream });
    const text = await r.text();
    assertRefusal(RESPONSES, { status: r.status, headers: r.headers, text, json: () => JSON.parse(text) }, 413, { code: "body_too_large" });
    assert.equal((await relay.call("/healthz", { method: "GET" })).status, 200);
  });

  test("a configured cap: a body of exactly the cap is forwarded, one byte more is refused", async () => {
    const small = await startRelay("limits-64k", { MAX_BODY_BYTES: "65536" });
    const t = mintLocal({ sub: "exact" });
    const pad = (n) => JSON.stringify(bodyFor(CHAT, "hi", { metadata: { pad: "x".repeat(n) } }));
    const exact = pad(65536 - pad(0).length);
    assert.equal(exact.length, 65536);
    const ok = await small.call(CHAT, { headers: bearer(t), body: exact });
    assert.equal(ok.status, 200, ok.text.slice(0, 200));
    assertRefusal(CHAT, await small.call(CHAT, { headers: bearer(t), body: `${exact} ` }), 413, { code: "body_too_large" });
  });

  test("rpm: the request over the limit → 429 with retry-after, in each dialect; the count is per subject", async () => {
    const t = mintLocal({ sub: "rpm3", rpm: 3 });
    for (let i = 0; i < 3; i++) assert.equal((await relay.call(CHAT, { headers: bearer(t), body: bodyFor(CHAT, "hi", { stream: false }) })).status, 200);
    const checks = [
      [CHAT, { code: "rate_limit_rpm", type: "rate_limit_error" }],
      [RESPONSES, { code: "rate_limit_rpm" }],
      [MESSAGES, { type: "rate_limit_error" }],
      [GEMINI, { googleStatus: "RESOURCE_EXHAUSTED" }],
    ];
    for (const [path, want] of checks) {
      const r = await relay.call(path, { headers: bearer(t), body: bodyFor(path) });
      assertRefusal(path, r, 429, want);
      const ra = Number(r.headers.get("retry-after"));
      assert.ok(Number.isInteger(ra) && ra >= 1 && ra <= 60, `retry-after ${ra}`);
    }
    // Another subject is unaffected.
    assert.equal((await relay.call(CHAT, { headers: bearer(mintLocal({ sub: "rpm-other", rpm: 3 })), body: bodyFor(CHAT) })).status, 200);
    const u = await usage(relay, "sub:rpm3");
    assert.equal(u.requests, 3);
    assert.equal(u.denied, 4);
    assert.equal(u.requestsThisMinute, 3);
  });

  test("concurrency: a second request while a stream is open → 429; after it ends, admitted again", async () => {
    const t = mintLocal({ sub: "one-at-a-time", concurrency: 1 });
    const s = await relay.open(CHAT, { headers: bearer(t), body: bodyFor(CHAT, "/mock long:20\nhold") });
    assert.equal(s.status, 200);
    await s.read();
    const r = await relay.call(MESSAGES, { headers: bearer(t), body: bodyFor(MESSAGES) });
    assertRefusal(MESSAGES, r, 429, { type: "rate_limit_error" });
    assert.ok(Number(r.headers.get("retry-after")) >= 1);
    assert.match(await s.rest(), /\[DONE\]/);
    // Settlement runs after the stream ended; poll the counters.
    let u;
    for (let i = 0; i < 50 && (u = await usage(relay, "sub:one-at-a-time")).inFlight !== 0; i++) await new Promise((res) => setTimeout(res, 50));
    assert.equal(u.inFlight, 0);
    assert.equal((await relay.call(CHAT, { headers: bearer(t), body: bodyFor(CHAT) })).status, 200);
  });
});
