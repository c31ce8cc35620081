// Upstream faults (mock-zen scenarios) and retries before the first byte.
// After each fault the relay must still serve a normal request.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { startRelay, mintLocal, mockZen, bearer, assertRefusal, bodyFor, until, uid, lastEvent, ZEN_KEY, CHAT, RESPONSES, MESSAGES, GEMINI } from "../support.mjs";

describe("upstream faults and retries", { timeout: 60_000 }, () => {
  let relay, capped, zen, token;
  const ask = (scenario, id) => `/mock ${scenario}\n${id}`;
  const attemptsFor = async (id) => (await zen.requests()).filter((q) => JSON.stringify(q.body).includes(id));
  const stillServes = async (r = relay) => {
    const ok = await r.call(CHAT, { headers: bearer(token), body: bodyFor(CHAT) });
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.text, /\[DONE\]/);
  };
  before(async () => {
    zen = await mockZen();
    relay = await startRelay("faults", { UPSTREAM_RETRIES: "2", RETRY_AFTER_CAP_MS: "3000", IDLE_TIMEOUT_MS: "1000" });
    capped = await startRelay("faults-capped", { UPSTREAM_RETRIES: "2", RETRY_AFTER_CAP_MS: "1000" });
    token = mintLocal({ sub: "faults", maxOutputTokens: 64 });
  });

  test("rate-limit-once: the 429 is retried after its retry-after, the client sees only the 200", async () => {
    const id = uid("rl1");
    const r = await relay.call(CHAT, { headers: bearer(token), body: bodyFor(CHAT, ask(`rate-limit-once:${id}`, id)) });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /\[DONE\]/);
    const tries = await attemptsFor(id);
    assert.deepEqual(tries.map((q) => q.status), [429, 200]);
    const line = await until(() => relay.logLines().find((l) => l.attempts === 2 && l.status === 200));
    assert.ok(line, "the log line counts both attempts");
  });

  test("a retry-after beyond the cap is not waited out: the 429 goes to the client in its own shape", async () => {
    const id = uid("rl");
    const r = await capped.call(MESSAGES, { headers: bearer(token), body: bodyFor(MESSAGES, ask("rate-limit", id)) });
    assert.equal(r.status, 429, r.text);
    assert.equal(r.headers.get("retry-after"), "2");
    assert.equal((await attemptsFor(id)).length, 1);
    await stillServes(capped);
  });

  test("server-error 500: retried, then passed on in its own shape", async () => {
    const id = uid("500");
    const r = await relay.call(MESSAGES, { headers: bearer(token), body: bodyFor(MESSAGES, ask("server-error", id)) });
    assert.equal(r.status, 500);
    assert.deepEqual(r.json(), { type: "error", error: { type: "error", message: "Internal server error" } });
    assert.equal((await attemptsFor(id)).length, 3);
    await stillServes();
  });

  test("overloaded: a 200 stream opening with the error is retried before any byte went out", async () => {
    for (const path of [CHAT, MESSAGES, RESPONSES]) {
      const id = uid("ovl");
      const r = await relay.call(path, { headers: bearer(token), body: bodyFor(path, ask("overloaded", id)) });
      // After the retries the last attempt's stream (with its error event) is passed on.
      assert.equal(r.status, 200, path);
      assert.match(r.text, /[Oo]verloaded/, path);
      assert.equal((await attemptsFor(id)).length, 3, path);
    }
    // Non-streaming: 529 (Gemini 503) retried, then passed on.
    const id = uid("ovl529");
    const r = await relay.call(CHAT, { headers: bearer(token), body: bodyFor(CHAT, ask("overloaded", id), { stream: false }) });
    assert.equal(r.status, 529);
    assert.equal((await attemptsFor(id)).length, 3);
    await stillServes();
  });

  test("overloaded after output is not retried (bytes already reached the client)", async () => {
    const id = uid("ovl-late");
    const r = await relay.call(CHAT, { headers: bearer(token), body: bodyFor(CHAT, ask("overloaded-after-output", id)) });
    assert.equal(r.status, 200);
    assert.match(r.text, /said/);
    assert.match(r.text, /verloaded/);
    assert.equal((await attemptsFor(id)).length, 1);
  });

  test("reset mid-stream: the client stream ends cleanly with an error event in dialect", async () => {
    const checks = [
      [CHAT, null, (d) => d.error.code === "upstream_reset" && d.error.type === "server_error"],
      [MESSAGES, "error", (d) => d.type === "error" && d.error.type === "api_error"],
      [RESPONSES, "error", (d) => d.type === "error" && d.code === "upstream_reset"],
      [GEMINI, null, (d) => d.error.code === 502 && d.error.status === "UNAVAILABLE"],
    ];
    for (const [path, event, ok] of checks) {
      const r = await relay.call(path, { headers: bearer(token), body: bodyFor(path, ask("reset", uid("reset"))) });
      assert.equal(r.status, 200, path);
      assert.match(r.text, /said/, path);
      const last = lastEvent(r.text);
      assert.equal(last.event, event, path);
      assert.ok(ok(last.data), `${path}: ${JSON.stringify(last)}`);
    }
    await stillServes();
  });

  test("garbage: passed through as it came, the stream ends, the relay keeps serving", async () => {
    for (const path of [CHAT, MESSAGES, GEMINI]) {
      const r = await relay.call(path, { headers: bearer(token), body: bodyFor(path, ask("garbage", uid("garbage"))) });
      assert.equal(r.status, 200, path);
      assert.ok(r.text.length > 0);
    }
    await stillServes();
  });

  test("stall after the first event: the idle timeout ends the stream with an error event and cancels upstream", async () => {
    const id = uid("stall");
    const r = await relay.call(MESSAGES, { headers: bearer(token), body: bodyFor(MESSAGES, ask("stall", id)) });
    assert.equal(r.status, 200);
    assert.match(r.text, /message_start/);
    assert.deepEqual(lastEvent(r.text), { event: "error", data: { type: "error", error: { type: "timeout_error", message: "upstream stream went silent" } } });
    const q = await until(async () => (await attemptsFor(id)).find((x) => x.cancelled));
    assert.equal(q?.cancelled, true);
    await stillServes();
  });

  test("stall before headers → 504 in every dialect", async () => {
    for (const [path, want] of [[CHAT, { code: "upstream_timeout", type: "timeout_error" }], [GEMINI, { googleStatus: "DEADLINE_EXCEEDED" }]]) {
      const id = uid("stall0");
      const r = await capped.call(path, { headers: bearer(token), body: bodyFor(path, ask("stall-before-headers", id)) });
      assertRefusal(path, r, 504, want);
      // A timeout is not retried (a stalled upstream would stall again and the client already waited).
      assert.equal((await attemptsFor(id)).length, 1);
    }
    await stillServes(capped);
  });

  test("error-cost-trailer (401 with a cost frame glued on): passed in its own shape, no key", async () => {
    const r = await relay.call(CHAT, { headers: bearer(token), body: bodyFor(CHAT, ask("error-cost-trailer", uid("ect"))) });
    assert.equal(r.status, 401);
    assert.match(r.text, /^\{"error":\{"message":"User not found\.","code":401\}\}/);
    assert.equal(r.text.includes(ZEN_KEY), false);
    await stillServes();
  });

  test("credits / free-tier errors pass through with their status", async () => {
    const c = await relay.call(RESPONSES, { headers: bearer(token), body: bodyFor(RESPONSES, ask("credits", uid("cr"))) });
    assert.equal(c.status, 401);
    assert.match(c.text, /CreditsError|credit/i);
    const f = await relay.call(CHAT, { headers: bearer(token), body: bodyFor(CHAT, ask("free-tier", uid("ft"))) });
    assert.equal(f.status, 403);
    await stillServes();
  });
});
