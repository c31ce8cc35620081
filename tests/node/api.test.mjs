// The stateless functions of the JS API: buildRequest, models/model,
// estimateCost, parseError, decodeResponse — through the built package.
import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadNodePkg, repoRoot } from "./support/pkg.mjs";
import { assertZenError } from "./support/zen-error.mjs";

/** `fn()` must throw a ZenError of `kind`; returns it. */
function throwsZen(fn, kind) {
  try {
    fn();
  } catch (err) {
    return assertZenError(err, kind);
  }
  assert.fail(`expected a ZenError of kind ${kind}, nothing was thrown`);
}

let zw;
before(async () => {
  zw = await loadNodePkg();
});

const hi = [{ role: "user", content: "Hi" }];

describe("buildRequest", () => {
  const dir = join(repoRoot, "tests/fixtures/requests");
  const cases = readdirSync(dir).filter((n) => n.endsWith(".json") && n !== "models.json").sort();

  test("the golden request fixtures exist", () => {
    assert.ok(cases.length >= 9, `expected the request golden cases in ${dir}, found ${cases.length}`);
  });

  // The same golden cases the Rust builder is checked against: the wasm
  // build must produce byte-for-byte the same requests.
  for (const name of cases) {
    test(`golden: ${name}`, () => {
      const c = JSON.parse(readFileSync(join(dir, name), "utf8"));
      const entries = Object.entries(c.expected);
      assert.ok(entries.length > 0);
      for (const [modelId, want] of entries) {
        const request = { ...c.request, model: modelId, ...(want.requestPatch ?? {}) };
        const built = zw.buildRequest(request, c.apiKey ? { apiKey: c.apiKey } : {});
        const ctx = `${name} / ${modelId}`;
        assert.equal(built.method, want.method, `${ctx}: method`);
        assert.equal(built.url, want.url, `${ctx}: url`);
        assert.equal(Object.getPrototypeOf(built.headers), Object.prototype, `${ctx}: headers is a plain object`);
        assert.deepEqual({ ...built.headers }, want.headers, `${ctx}: headers`);
        assert.equal(typeof built.body, "string", `${ctx}: body is a JSON string`);
        assert.deepEqual(JSON.parse(built.body), want.body, `${ctx}: body`);
      }
    });
  }

  test("URL and auth header per endpoint", () => {
    const opts = { baseUrl: "http://127.0.0.1:9/zen/v1/", apiKey: "sk-x" };
    const chat = zw.buildRequest({ model: "glm-4.6", messages: hi, stream: true }, opts);
    assert.equal(chat.url, "http://127.0.0.1:9/zen/v1/chat/completions");
    assert.equal(chat.headers.authorization, "Bearer sk-x");
    assert.equal(chat.headers.accept, "text/event-stream");
    assert.equal(JSON.parse(chat.body).stream, true);

    const resp = zw.buildRequest({ model: "gpt-5.1", messages: hi }, opts);
    assert.equal(resp.url, "http://127.0.0.1:9/zen/v1/responses");
    assert.equal(resp.headers.authorization, "Bearer sk-x");

    const msgs = zw.buildRequest({ model: "claude-haiku-4-5", messages: hi, maxOutputTokens: 64 }, opts);
    assert.equal(msgs.url, "http://127.0.0.1:9/zen/v1/messages");
    assert.equal(msgs.headers["x-api-key"], "sk-x");
    assert.equal(msgs.headers.authorization, undefined, "Zen reads only x-api-key on /messages");
    assert.equal(msgs.headers["anthropic-version"], "2023-06-01");
    assert.equal(JSON.parse(msgs.body).max_tokens, 64);

    const gem = zw.buildRequest({ model: "gemini-3-pro", messages: hi, stream: true }, opts);
    assert.equal(gem.url, "http://127.0.0.1:9/zen/v1/models/gemini-3-pro:streamGenerateContent?alt=sse");
    assert.equal(gem.headers["x-goog-api-key"], "sk-x");
    assert.equal(gem.headers.authorization, undefined);
    const gem2 = zw.buildRequest({ model: "gemini-3-pro", messages: hi }, opts);
    assert.equal(gem2.url, "http://127.0.0.1:9/zen/v1/models/gemini-3-pro:generateContent");
    assert.deepEqual(JSON.parse(gem2.body).contents, [{ role: "user", parts: [{ text: "Hi" }] }]);
  });

  test("the default base URL is Zen's", () => {
    const r = zw.buildRequest({ model: "glm-4.6", messages: hi }, { apiKey: "k" });
    assert.equal(r.url, "https://opencode.ai/zen/v1/chat/completions");
    assert.equal(r.method, "POST");
  });

  test("a paid model without a key is an auth error naming the model", () => {
    const err = throwsZen(() => zw.buildRequest({ model: "claude-sonnet-4-5", messages: hi }), "auth");
    assert.match(err.message, /claude-sonnet-4-5/);
    assert.equal(err.retryable, false);
    throwsZen(() => zw.buildRequest({ model: "glm-4.6", messages: hi }, {}), "auth");
  });

  test("a free model without a key sends no auth header", () => {
    const r = zw.buildRequest({ model: "big-pickle", messages: hi });
    assert.equal(r.headers.authorization, undefined);
    assert.equal(r.headers["x-api-key"], undefined);
    assert.equal(r.headers["content-type"], "application/json");
    assert.equal(JSON.parse(r.body).model, "big-pickle");
  });

  test("invalid requests are invalidRequest errors with the field path", () => {
    const typo = throwsZen(() => zw.buildRequest({ model: "glm-4.6", messages: hi, maxTokens: 5 }, { apiKey: "k" }), "invalidRequest");
    assert.match(typo.message, /maxTokens/);
    const img = throwsZen(
      () =>
        zw.buildRequest(
          { model: "glm-4.6", messages: [{ role: "user", content: [{ type: "image", url: "https://x/y.png" }] }] },
          { apiKey: "k" },
        ),
      "invalidRequest",
    );
    assert.match(img.message, /messages\[0\]/);
    throwsZen(() => zw.buildRequest({ model: "glm-4.6", messages: "Hi" }, { apiKey: "k" }), "invalidRequest");
    throwsZen(() => zw.buildRequest({ model: "glm-4.6", messages: hi }, { apiKey: "k", baseUrl: "ftp://x" }), "invalidRequest");
    throwsZen(() => zw.buildRequest({ model: "glm-4.6", messages: hi }, { apiKey: "bad key\r\nx: y" }));
  });
});

describe("models / model", () => {
  test("models() is the built-in catalog", () => {
    const all = zw.models();
    assert.ok(Array.isArray(all));
    const catalog = JSON.parse(readFileSync(join(repoRoot, "src/catalog.json"), "utf8")).models;
    assert.deepEqual(all.map((m) => m.id), catalog.map((m) => m.id));
    const formats = new Set(all.map((m) => m.format));
    assert.deepEqual([...formats].sort(), ["chat", "gemini", "messages", "responses"]);
    for (const m of all) {
      assert.equal(typeof m.prices.input, "string", `${m.id}: prices are decimal strings`);
      assert.equal(typeof m.capabilities.tools, "boolean");
      assert.equal(typeof m.limits.context, "number");
      assert.ok(!m.unknown, `${m.id} is a catalog entry`);
    }
  });

  test("model(id) returns the catalog entry", () => {
    const m = zw.model("claude-sonnet-4-5");
    assert.equal(m.id, "claude-sonnet-4-5");
    assert.equal(m.format, "messages");
    assert.equal(m.free, false);
    assert.equal(m.prices.output, "15.00");
    assert.ok(m.pricesOver200k, "tiered prices");
    assert.equal(zw.model("big-pickle").free, true);
  });

  test("model(id) of an unknown id is a fallback marked unknown, routed by family", () => {
    const cases = { "gpt-9": "responses", "claude-next": "messages", "gemini-9-ultra": "gemini", "mystery-model": "chat" };
    for (const [id, format] of Object.entries(cases)) {
      const m = zw.model(id);
      assert.equal(m.id, id);
      assert.equal(m.unknown, true, id);
      assert.equal(m.format, format, id);
      assert.equal(m.free, false, `${id}: nothing pretends to be free`);
    }
  });
});

describe("estimateCost", () => {
  test("exact decimal parts and total", () => {
    const est = zw.estimateCost("claude-sonnet-4-5", {
      inputTokens: 1000,
      outputTokens: 500,
      cacheReadTokens: 2000,
      cacheWriteTokens: 100,
      reasoningTokens: null,
    });
    assert.deepEqual(
      { input: est.input, output: est.output, cacheRead: est.cacheRead, cacheWrite: est.cacheWrite, total: est.total },
      { input: "0.003", output: "0.0075", cacheRead: "0.0006", cacheWrite: "0.000375", total: "0.011475" },
    );
    assert.equal(est.tierOver200k, false);
    assert.deepEqual(est.missing, []);
  });

  test("the >200K tier applies above 200 000 prompt tokens", () => {
    const est = zw.estimateCost("claude-sonnet-4-5", {
      inputTokens: 150000,
      outputTokens: 1000,
      cacheReadTokens: 50001,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
    assert.equal(est.tierOver200k, true);
    assert.equal(est.input, "0.9"); // 150 000 × $6.00 / 1M
    assert.equal(est.output, "0.0225"); // 1000 × $22.50 / 1M
  });

  test("free models cost 0; unknown models report missing prices instead of $0", () => {
    const free = zw.estimateCost("big-pickle", { inputTokens: 10, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    assert.equal(free.total, "0");
    const unknown = zw.estimateCost("mystery-model", { inputTokens: 10, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    assert.ok(unknown.missing.includes("inputPrice"), JSON.stringify(unknown.missing));
    assert.ok(unknown.missing.includes("outputPrice"), JSON.stringify(unknown.missing));
  });

  test("unreported counts are listed as missing", () => {
    const est = zw.estimateCost("glm-4.6", { inputTokens: 100, outputTokens: null, cacheReadTokens: null, cacheWriteTokens: null, reasoningTokens: null });
    assert.ok(est.missing.includes("outputTokens"), JSON.stringify(est.missing));
    assert.equal(est.input, "0.00006");
  });
});

describe("parseError", () => {
  const dir = join(repoRoot, "tests/fixtures/errors");
  // Same table as tests/errors.rs: status from the file name, expected kind.
  const expected = {
    "200-openai-server-is-overloaded.json": "overloaded",
    "400-google-invalid-argument.json": "invalidRequest",
    "400-openai-context-length.json": "invalidRequest",
    "400-zen-upstream-anthropic.json": "invalidRequest",
    "401-anthropic-authentication.json": "auth",
    "401-bare-message.json": "auth",
    "401-zen-model-disabled.json": "model",
    "401-zen-monthly-limit.json": "monthlyLimit",
    "401-zen-user-limit.json": "userLimit",
    "402-anthropic-billing.json": "credits",
    "403-google-permission-denied.json": "auth",
    "403-openai-shaped-free-tier.json": "freeTier",
    "403-zen-region.json": "model",
    "404-anthropic-not-found.json": "notFound",
    "404-html-page.html": "notFound",
    "404-openai-model-not-found.json": "model",
    "413-anthropic-request-too-large.json": "invalidRequest",
    "429-google-resource-exhausted.json": "rateLimit",
    "429-openai-rate-limit.json": "rateLimit",
    "429-zen-black-usage-limit.json": "rateLimit",
    "429-zen-go-usage-limit.json": "rateLimit",
    "499-empty.txt": "aborted",
    "500-anthropic-api-error.json": "server",
    "500-html-no-title.html": "server",
    "500-openai-server-error.json": "server",
    "500-plain-text.txt": "server",
    "502-cloudflare.html": "server",
    "503-empty.txt": "overloaded",
    "503-google-unavailable.json": "overloaded",
    "504-google-deadline-exceeded.json": "timeout",
    "529-anthropic-overloaded.json": "overloaded",
  };
  const retryable = new Set(["rateLimit", "overloaded", "server", "timeout", "network"]);

  test("every error fixture has an expectation", () => {
    assert.deepEqual(readdirSync(dir).sort(), Object.keys(expected).sort());
  });

  test("each error body maps to its kind, with status and retryable", () => {
    for (const [name, kind] of Object.entries(expected)) {
      const status = Number(name.slice(0, 3));
      const err = zw.parseError(status, {}, readFileSync(join(dir, name), "utf8"));
      assertZenError(err, kind);
      assert.equal(err.status, status, name);
      assert.equal(err.retryable, retryable.has(kind), `${name}: retryable`);
    }
  });

  test("Zen's own shapes: message verbatim, provider named", () => {
    const credits = zw.parseError(
      401,
      {},
      `{"type":"error","error":{"type":"CreditsError","message":"Insufficient balance. Manage your billing here: https://opencode.ai/workspace/wrk_mock/billing"}}`,
    );
    assertZenError(credits, "credits");
    assert.match(credits.message, /^Insufficient balance/);
    const freeTier = zw.parseError(
      403,
      {},
      `{"type":"error","error":{"type":"FreeTierError","message":"Error from provider (Console): OpenCode's free tier can only be used from within OpenCode"}}`,
    );
    assertZenError(freeTier, "freeTier");
    assert.equal(freeTier.provider, "Console");
    // Zen's error body followed by its cost trailer.
    const trailer = zw.parseError(401, {}, `{"error":{"message":"User not found.","code":401}}data: {"choices":[],"cost":"0"}`);
    assertZenError(trailer, "auth");
    assert.equal(trailer.message, "User not found.");
  });

  test("retry-after in seconds from any header form", () => {
    const body = `{"type":"error","error":{"type":"RateLimitError","message":"Rate limit exceeded. Please try again later."}}`;
    for (const headers of [{ "retry-after": "7" }, { "Retry-After": "7" }, [["retry-after", "7"]], new Headers({ "retry-after": "7" })]) {
      const err = zw.parseError(429, headers, body);
      assertZenError(err, "rateLimit");
      assert.equal(err.retryAfter, 7, JSON.stringify(headers));
      assert.equal(err.retryable, true);
    }
    const none = zw.parseError(429, {}, body);
    assert.equal(none.retryAfter, undefined);
  });
});

describe("decodeResponse", () => {
  test("non-streaming bodies of each format become a Message", () => {
    const chat = zw.decodeResponse(
      "chat",
      `{"id":"c1","object":"chat.completion","model":"glm-4.6","choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6},"cost":"0.00001"}`,
    );
    assert.equal(chat.choices[0].text, "Hello");
    assert.equal(chat.choices[0].finishReason, "stop");
    assert.equal(chat.usage.inputTokens, 5);
    const msg = zw.decodeResponse(
      "messages",
      `{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[{"type":"text","text":"Yo"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}`,
    );
    assert.equal(msg.choices[0].text, "Yo");
    assert.equal(msg.id, "msg_1");
  });

  test("a body that is not JSON is a protocol error", () => {
    throwsZen(() => zw.decodeResponse("chat", "<html>oops</html>"), "protocol");
  });
});
