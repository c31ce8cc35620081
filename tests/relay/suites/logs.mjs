// One structured JSON log line per request, with the fields the issue asks
// for and nothing that could carry a body, a token or a key.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { startRelay, mintLocal, mockZen, usage, uid, atto, bearer, bodyFor, until, ORIGIN, ZEN_KEY, CHAT, MESSAGES, GEMINI } from "../support.mjs";

describe("log lines", { timeout: 60_000 }, () => {
  let relay;
  before(async () => {
    relay = await startRelay("logs");
  });

  test("exactly one JSON line per request, whatever its outcome", async () => {
    const t = mintLocal({ sub: "logger", maxOutputTokens: 32 });
    const secretText = "confidential prompt text 4711";
    const requests = [
      () => relay.call(CHAT, { headers: bearer(t), body: bodyFor(CHAT, secretText, { model: "glm-4.6" }) }),
      () => relay.call(MESSAGES, { headers: bearer(t), body: bodyFor(MESSAGES, secretText) }),
      () => relay.call(GEMINI, { headers: bearer(t), body: bodyFor(GEMINI, secretText, { stream: undefined }) }),
      () => relay.call(CHAT, { body: bodyFor(CHAT, secretText) }),
      () => relay.call(CHAT, { headers: bearer(t), body: "{broken" }),
      () => relay.call(CHAT, { headers: bearer(t), body: bodyFor(CHAT, `/mock server-error\n${secretText}`) }),
      () => relay.call("/healthz", { method: "GET" }),
      () => relay.call(CHAT, { method: "OPTIONS", headers: { origin: ORIGIN } }),
      () => relay.call("/zen/v1/models", { method: "GET", headers: bearer(t) }),
    ];
    for (const r of requests) await r();
    const lines = await until(() => (relay.logLines().length >= requests.length ? relay.logLines() : null));
    // Nothing more arrives afterwards (a second line per request would show up here).
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(relay.logLines().length, requests.length, JSON.stringify(relay.logLines(), null, 1));
    const raw = relay.logs.join("");
    for (const needle of [secretText, t, ZEN_KEY, t.split(".")[2]]) assert.equal(raw.includes(needle), false, "no prompt, token or key in logs");
    for (const l of lines) {
      assert.equal(typeof l.endpoint, "string");
      assert.equal(typeof l.status, "number");
      assert.equal(typeof l.msTotal, "number");
      assert.equal(typeof l.subject, "string");
    }
    const byEndpoint = (e, status) => lines.find((l) => l.endpoint === e && l.status === status);
    const chat = byEndpoint("chat", 200);
    assert.equal(chat.subject, "sub:logger");
    assert.equal(chat.model, "glm-4.6");
    assert.equal(typeof chat.msFirstByte, "number");
    assert.ok(chat.inputTokens > 0 && chat.outputTokens > 0, JSON.stringify(chat));
    assert.match(chat.costUsd, /^0\.\d+$/);
    assert.equal(chat.attempts, 1);
    assert.equal(byEndpoint("messages", 200).model, "claude-sonnet-4-5");
    assert.equal(byEndpoint("gemini", 200).model, "gemini-3-pro");
    assert.equal(byEndpoint("chat", 401).code, "token_missing");
    assert.equal(byEndpoint("chat", 400).code, "invalid_json");
    assert.equal(byEndpoint("chat", 500).code, "upstream_error");
    assert.ok(byEndpoint("health", 200));
    assert.ok(byEndpoint("preflight", 204));
    assert.ok(byEndpoint("models", 200));
  });

  // The pump runs in waitUntil and sees the client leave on its next write
  // into the response pipe: it cancels the upstream, settles and logs.
  test("a client that leaves mid-stream: upstream cancelled, reservation settled, exactly one line", async () => {
    const zen = await mockZen();
    const t = mintLocal({ sub: "leaver", budgetUsdPerDay: "1" });
    const id = uid("leave");
    const before = relay.logLines().length;
    const s = await relay.open(CHAT, { headers: bearer(t), body: bodyFor(CHAT, `/mock slow\n${id}`, { model: "glm-4.6" }) });
    assert.equal(s.status, 200);
    assert.match(await s.read(), /data: /);
    // In flight: the reservation is open while the stream runs.
    const during = await usage(relay, "sub:leaver");
    assert.equal(during.inFlight, 1);
    await s.cancel();
    const mine = () => zen.requests().then((all) => all.find((q) => JSON.stringify(q.body).includes(id)));
    const seen = await until(async () => ((await mine())?.cancelled ? mine() : null));
    assert.equal(seen?.cancelled, true, "mock-zen saw the cancel");
    assert.equal(seen.completed, false);
    const line = await until(() => relay.logLines().slice(before).find((l) => l.subject === "sub:leaver"));
    assert.ok(line, "a log line for the request");
    assert.equal(line.clientAborted, true);
    assert.equal(line.status, 200);
    assert.equal(line.endpoint, "chat");
    // Without usage from the stream the whole reservation is charged.
    assert.ok(atto(line.costUsd) > 0n, line.costUsd);
    const after = await until(async () => {
      const u = await usage(relay, "sub:leaver");
      return u.inFlight === 0 ? u : null;
    });
    assert.equal(after?.inFlight, 0, "reservation settled");
    assert.equal(atto(after.reserved.usd), 0n);
    assert.equal(atto(after.spent.usd), atto(line.costUsd));
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(relay.logLines().slice(before).filter((l) => l.subject === "sub:leaver").length, 1, "exactly one line");
  });
});
