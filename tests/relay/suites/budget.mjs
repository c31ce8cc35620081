// The daily budget through the Durable Object under 50 concurrent requests,
// and settlement from the usage and cost the relay read off each stream.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { startRelay, mintLocal, bearer, assertRefusal, usage, atto, mockZen, CHAT } from "../support.mjs";

// A priced chat model (glm-4.6): Zen bills it, so each stream carries a cost.
// Every body has the same size (so the same reservation): the scenario line
// is padded to a fixed width. `long:40` makes the actual cost a good part of
// the worst case, so 50 requests need far more than the budget allows.
const body = (scenario, i = 0) => {
  const content = `/mock ${scenario}\nbudget request ${String(i).padStart(2, "0")} `;
  return { model: "glm-4.6", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: content.padEnd(48, ".") }] };
};

/** The usage and billed cost a chat stream reported (its last usage chunk and cost frame). */
function streamUsage(text) {
  let prompt = 0, completion = 0, cost = null;
  for (const line of text.split("\n")) {
    if (!line.startsWith("data: {")) continue;
    const j = JSON.parse(line.slice(6));
    if (j.usage) ({ prompt_tokens: prompt, completion_tokens: completion } = j.usage);
    if (typeof j.cost === "string") cost = j.cost;
  }
  return { tokens: prompt + completion, cost };
}

describe("budget", { timeout: 60_000 }, () => {
  let relay;
  before(async () => {
    relay = await startRelay("budget");
    await mockZen();
  });

  test("50 concurrent requests never overspend by more than one reservation; settled spend = mock-zen's billed cost", async () => {
    const claims = { maxOutputTokens: 64 };
    // Learn one request's reservation from a held request of the same size on another subject.
    const probe = mintLocal({ sub: "budget-probe", ...claims });
    const held = await relay.open(CHAT, { headers: bearer(probe), body: body("slow") });
    await held.read();
    const reservation = atto((await usage(relay, "sub:budget-probe")).reserved.usd);
    await held.cancel();
    assert.ok(reservation > 0n, "a priced request reserves something");

    // Room for five worst cases and a half.
    const budget = (reservation * 11n) / 2n;
    const usd = `${budget / 10n ** 18n}.${String(budget % 10n ** 18n).padStart(18, "0")}`;
    // All 50 may be in flight at once: the budget alone must hold them.
    const t = mintLocal({ sub: "budget", budgetUsdPerDay: usd, concurrency: 50, ...claims });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => relay.call(CHAT, { headers: bearer(t), body: body("long:40", i) })));

    const ok = results.filter((r) => r.status === 200);
    const denied = results.filter((r) => r.status === 429);
    assert.equal(ok.length + denied.length, 50, `statuses: ${results.map((r) => r.status)}`);
    for (const r of denied) {
      assertRefusal(CHAT, r, 429, { code: "budget_usd_exceeded", type: "rate_limit_error" });
      assert.ok(Number(r.headers.get("retry-after")) >= 1);
    }
    assert.ok(ok.length >= 5, `granted ${ok.length}`);
    assert.ok(denied.length >= 1, "the budget refused some");

    // Every admitted stream settles; then the counters equal what the streams reported.
    let u;
    for (let i = 0; i < 100 && (u = await usage(relay, "sub:budget")).inFlight !== 0; i++) await new Promise((res) => setTimeout(res, 50));
    assert.equal(u.inFlight, 0);
    assert.equal(atto(u.reserved.usd), 0n);
    assert.equal(u.requests, ok.length);
    assert.equal(u.denied, denied.length);
    const reported = ok.map((r) => streamUsage(r.text));
    for (const s of reported) assert.ok(s.cost !== null && atto(s.cost) > 0n, "each stream carries Zen's cost frame");
    const billed = reported.reduce((a, s) => a + atto(s.cost), 0n);
    assert.equal(atto(u.spent.usd), billed, `spent ${u.spent.usd}`);
    assert.equal(u.spent.tokens, reported.reduce((a, s) => a + s.tokens, 0));
    assert.ok(atto(u.spent.usd) <= budget + reservation, "overspend bounded by one reservation");
  });
});
