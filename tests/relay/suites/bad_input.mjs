// Table-driven bad input: each case is answered 4xx in the dialect of the
// endpoint called, and the relay still serves a normal request afterwards.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { startRelay, mintLocal, bearer, assertRefusal, bodyFor, mockZen, EVIL, CHAT, RESPONSES, MESSAGES, GEMINI } from "../support.mjs";

const G = (spec) => `/zen/v1/models/${spec}`;

// [name, path, request, status, expectations]
const CASES = [
  ["chat: not JSON", CHAT, { body: "{model:" }, 400, { code: "invalid_json" }],
  ["responses: not JSON", RESPONSES, { body: "nope" }, 400, { code: "invalid_json" }],
  ["messages: not JSON", MESSAGES, { body: "{\"model\":" }, 400, { type: "invalid_request_error" }],
  ["gemini: not JSON", GEMINI, { body: "<xml/>" }, 400, { googleStatus: "INVALID_ARGUMENT" }],
  ["chat: empty body", CHAT, { body: "" }, 400, { code: "invalid_json" }],
  ["messages: empty body", MESSAGES, { body: "" }, 400, { type: "invalid_request_error" }],
  ["chat: JSON array", CHAT, { body: "[1,2]" }, 400, { code: "invalid_json" }],
  ["gemini: JSON string", GEMINI, { body: "\"hi\"" }, 400, { googleStatus: "INVALID_ARGUMENT" }],
  ["chat: JSON null", CHAT, { body: "null" }, 400, { code: "invalid_json" }],
  ["chat: invalid UTF-8", CHAT, { body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }, 400, { code: "invalid_json" }],
  ["chat: missing model", CHAT, { body: { messages: [] } }, 400, { code: "missing_model" }],
  ["responses: missing model", RESPONSES, { body: { input: "hi" } }, 400, { code: "missing_model" }],
  ["messages: missing model", MESSAGES, { body: { max_tokens: 5, messages: [] } }, 400, { type: "invalid_request_error" }],
  ["chat: model is a number", CHAT, { body: { model: 42 } }, 400, { code: "invalid_model" }],
  ["chat: model is empty", CHAT, { body: { model: "" } }, 400, { code: "invalid_model" }],
  ["responses: model is an object", RESPONSES, { body: { model: { id: "gpt-5.1" } } }, 400, { code: "invalid_model" }],
  ["chat: model id too long", CHAT, { body: { model: "m".repeat(300) } }, 400, { code: "invalid_model" }],
  ["chat: stream is a string", CHAT, { body: { model: "big-pickle", stream: "yes" } }, 400, { code: "invalid_stream" }],
  ["messages: stream is a number", MESSAGES, { body: { model: "claude-sonnet-4-5", stream: 1, max_tokens: 5 } }, 400, { type: "invalid_request_error" }],
  ["chat: max_tokens negative", CHAT, { body: { model: "big-pickle", max_tokens: -1 } }, 400, { code: "invalid_max_tokens" }],
  ["chat: max_tokens zero", CHAT, { body: { model: "big-pickle", max_tokens: 0 } }, 400, { code: "invalid_max_tokens" }],
  ["chat: max_tokens a string", CHAT, { body: { model: "big-pickle", max_tokens: "100" } }, 400, { code: "invalid_max_tokens" }],
  ["chat: max_completion_tokens fractional", CHAT, { body: { model: "big-pickle", max_completion_tokens: 1.5 } }, 400, { code: "invalid_max_tokens" }],
  ["responses: max_output_tokens negative", RESPONSES, { body: { model: "gpt-5.1", max_output_tokens: -5 } }, 400, { code: "invalid_max_tokens" }],
  ["messages: max_tokens a string", MESSAGES, { body: { model: "claude-sonnet-4-5", max_tokens: "ten" } }, 400, { type: "invalid_request_error" }],
  ["gemini: maxOutputTokens negative", GEMINI, { body: { generationConfig: { maxOutputTokens: -1 } } }, 400, { googleStatus: "INVALID_ARGUMENT" }],
  ["gemini: generationConfig a string", GEMINI, { body: { generationConfig: "fast" } }, 400, { googleStatus: "INVALID_ARGUMENT" }],
  ["chat: n = 0", CHAT, { body: { model: "big-pickle", n: 0 } }, 400, { code: "invalid_choices" }],
  ["chat: n = 100", CHAT, { body: { model: "big-pickle", n: 100 } }, 400, { code: "invalid_choices" }],
  ["gemini: candidateCount 50", GEMINI, { body: { generationConfig: { candidateCount: 50 } } }, 400, { googleStatus: "INVALID_ARGUMENT" }],
  ["chat: Claude model on chat", CHAT, { body: { model: "claude-sonnet-4-5" } }, 400, { code: "wrong_endpoint" }],
  ["messages: chat model on messages", MESSAGES, { body: { model: "big-pickle", max_tokens: 5 } }, 400, { type: "invalid_request_error" }],
  ["responses: Claude model on responses", RESPONSES, { body: { model: "claude-haiku-4-5" } }, 400, { code: "wrong_endpoint" }],
  ["gemini: chat model in a Gemini path", G("big-pickle:generateContent"), { body: bodyFor(GEMINI) }, 400, { googleStatus: "INVALID_ARGUMENT" }],
  ["chat: model not on the deployment's list", CHAT, { body: { model: "kimi-k2" } }, 403, { code: "model_not_allowed" }],
  ["gemini: unknown method", G("gemini-3-pro:countTokens"), { body: {} }, 404, { googleStatus: "NOT_FOUND" }],
  ["gemini: no method", G("gemini-3-pro"), { body: {} }, 404, { googleStatus: "NOT_FOUND" }],
  ["gemini: empty model", G(":generateContent"), { body: {} }, 404, { googleStatus: "NOT_FOUND" }],
  ["gemini: model with a space", G("gem%20ini:generateContent"), { body: {} }, 404, { googleStatus: "NOT_FOUND" }],
  ["gemini: path traversal", G("..%2F..%2Fadmin:generateContent"), { body: {} }, 404, { googleStatus: "NOT_FOUND" }],
  ["unknown API path", "/zen/v1/embeddings", { body: {} }, 404, { code: "not_found" }],
  ["API root", "/zen/v1", { body: {} }, 404, { code: "not_found" }],
  ["chat: GET", CHAT, { method: "GET" }, 405, { code: "method_not_allowed" }],
  ["messages: PUT", MESSAGES, { method: "PUT", body: {} }, 405, { type: "invalid_request_error" }],
  ["gemini: DELETE", GEMINI, { method: "DELETE" }, 405, { googleStatus: "UNIMPLEMENTED" }],
  ["models: POST", "/zen/v1/models", { body: {} }, 405, { code: "method_not_allowed" }],
  ["chat: no token", CHAT, { token: null, body: bodyFor(CHAT) }, 401, { code: "token_missing" }],
  ["messages: garbage token", MESSAGES, { token: "garbage", body: bodyFor(MESSAGES) }, 401, { type: "authentication_error" }],
  ["gemini: empty bearer", GEMINI, { token: null, headers: { authorization: "Bearer " }, body: bodyFor(GEMINI) }, 401, { googleStatus: "UNAUTHENTICATED" }],
  ["chat: unknown origin", CHAT, { headers: { origin: EVIL }, body: bodyFor(CHAT) }, 403, { code: "origin_not_allowed" }],
  ["chat: origin `null`", CHAT, { headers: { origin: "null" }, body: bodyFor(CHAT) }, 403, { code: "origin_not_allowed" }],
  ["admin: no secret", "/admin/tokens", { token: null, body: { sub: "x" } }, 401, { code: "admin_unauthorized" }],
  ["admin: relay token is not the admin secret", "/admin/tokens", { body: { sub: "x" } }, 401, { code: "admin_unauthorized" }],
  ["admin: unknown op", "/admin/keys", { body: {} }, 404, { code: "not_found" }],
  ["healthz: POST", "/healthz", { body: {} }, 405, { code: "method_not_allowed" }],
];

describe("bad input", { timeout: 60_000 }, () => {
  let relay, token, zen;
  before(async () => {
    zen = await mockZen();
    relay = await startRelay("bad-input");
    token = mintLocal({ sub: "fuzzer", maxOutputTokens: 32 });
  });

  test(`at least 40 cases (${CASES.length}), each 4xx in dialect, nothing forwarded, relay still serving`, async () => {
    assert.ok(CASES.length >= 40);
    for (const [name, path, req, status, want] of CASES) {
      const before = (await zen.requests()).length;
      const headers = { ...(req.token === null ? {} : bearer(req.token ?? token)), ...req.headers };
      const r = await relay.call(path, { method: req.method, headers, body: req.body });
      assert.ok(r.status >= 400 && r.status < 500, `${name}: ${r.status}`);
      assertRefusal(path.startsWith("/admin") || path === "/healthz" ? CHAT : path, r, status, want);
      assert.equal((await zen.requests()).length, before, `${name}: nothing reaches upstream`);
      const ok = await relay.call(CHAT, { headers: bearer(token), body: bodyFor(CHAT, "still there?", { stream: false }) });
      assert.equal(ok.status, 200, `${name}: relay still serving`);
    }
  });
});
