// ZenClient end to end against mock-zen (a local Zen stand-in), and against an
// injected fetch for host behaviour mock-zen cannot produce: streaming in
// every format, tools, reasoning, usage/cost, complete(), listModels(),
// cancellation, retries, timeouts and typed errors.
import { test, describe, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { loadNodePkg } from "./support/pkg.mjs";
import { startMockZen, eventually, MOCK_KEY } from "./support/mock-zen.mjs";
import { assertZenError } from "./support/zen-error.mjs";

/** One paid model per wire format, all served by mock-zen and in the catalog. */
const MODELS = { chat: "glm-4.6", responses: "gpt-5.1", messages: "claude-haiku-4-5", gemini: "gemini-3-pro" };
const PATHS = {
  chat: "/zen/v1/chat/completions",
  responses: "/zen/v1/responses",
  messages: "/zen/v1/messages",
  gemini: "/zen/v1/models/gemini-3-pro:streamGenerateContent",
};
const AUTH_HEADER = { chat: "authorization", responses: "authorization", messages: "x-api-key", gemini: "x-goog-api-key" };

let zw;
let zen;
before(async () => {
  zw = await loadNodePkg();
  zen = await startMockZen();
});
after(async () => {
  await zen?.stop();
});
beforeEach(async () => {
  await zen.clearRequests();
});

/**
 * A fetch for the client that adds mock-zen control headers (pacing,
 * retry-after) and records what the client asked for — the client API has
 * no header option, and a passed-in `fetch` is its supported seam.
 */
function mockFetch({ set = {}, drop = [], calls = [] } = {}) {
  const f = async (input, init = {}) => {
    const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
    calls.push({ url: String(input instanceof Request ? input.url : input), method: init.method, headers: Object.fromEntries(headers) });
    for (const name of drop) headers.delete(name);
    for (const [k, v] of Object.entries(set)) headers.set(k, v);
    return fetch(input, { ...init, headers });
  };
  f.calls = calls;
  return f;
}

function client(options = {}) {
  return new zw.ZenClient({ baseUrl: zen.baseUrl, apiKey: MOCK_KEY, fetch: mockFetch({ set: { "x-mock-retry-after": "0" } }), ...options });
}

/** Iterates a ZenStream to its end; the error it threw, if any. Accepts a
 *  function making the stream too, for errors the spec lets `stream()`
 *  throw at once (a request that cannot be built, e.g. no key) instead of
 *  from the iteration. */
async function drain(stream) {
  const events = [];
  try {
    if (typeof stream === "function") stream = stream();
    for await (const ev of stream) events.push(ev);
  } catch (err) {
    return { events, err };
  }
  return { events, err: undefined };
}

const text = (events) => events.filter((e) => e.type === "textDelta").map((e) => e.text).join("");
const ofType = (events, type) => events.filter((e) => e.type === type);
const userSays = (content) => [{ role: "user", content }];

/** Requests mock-zen recorded for one scenario (the id makes it unique per test). */
async function requestsFor(scenario) {
  return (await zen.requests()).filter((r) => r.scenario === scenario);
}

describe("ZenClient.stream: every format", () => {
  for (const [format, model] of Object.entries(MODELS)) {
    test(`${format} (${model}): text, finish, usage, cost`, async () => {
      const stream = client().stream({ model, messages: userSays("hello zen wire") });
      assert.equal(typeof stream.then, "undefined", "stream() returns a stream, not a promise");
      assert.equal(typeof stream[Symbol.asyncIterator], "function", "ZenStream is async iterable");
      const { events, err } = await drain(stream);
      assert.equal(err, undefined, `no error: ${err?.message}`);
      assert.equal(text(events), "You said: hello zen wire");
      assert.ok(ofType(events, "textDelta").length >= 2, "the text arrives in several deltas");
      assert.equal(ofType(events, "finish").at(-1)?.reason, "stop");
      // Usage events are cumulative and may each carry only some counts.
      const usage = {};
      for (const ev of ofType(events, "usage")) for (const [k, v] of Object.entries(ev)) if (k !== "type" && v !== null) usage[k] = v;
      assert.ok(usage.inputTokens > 0, "input tokens counted");
      assert.ok(usage.outputTokens > 0, "output tokens counted");
      const [cost] = ofType(events, "cost");
      assert.match(cost?.usd ?? "", /^\d+\.\d+$/, "Zen's cost frame is decoded");
      assert.notEqual(Number(cost.usd), 0, "a paid model costs something");

      const message = stream.message();
      assert.equal(message.choices[0].text, "You said: hello zen wire");
      assert.equal(message.choices[0].finishReason, "stop");
      assert.equal(message.cost, cost.usd);
      for (const [k, v] of Object.entries(usage)) assert.equal(message.usage[k], v, `message.usage.${k}`);

      // mock-zen finalises its record just after the last byte went out.
      const req = await eventually(async () => {
        const r = await zen.lastRequest();
        return r.completed ? r : undefined;
      });
      assert.ok(req, "mock-zen recorded a completed request");
      assert.equal(req.path, PATHS[format]);
      assert.equal(req.stream, true);
      assert.equal(req.format, format);
      assert.equal(req.status, 200);
      assert.ok(req.headers[AUTH_HEADER[format]]?.includes(MOCK_KEY), `key sent in ${AUTH_HEADER[format]}`);
    });
  }

  test("a free model streams without a key", async () => {
    const { events, err } = await drain(client({ apiKey: undefined }).stream({ model: "big-pickle", messages: userSays("free ride") }));
    assert.equal(err, undefined, err?.message);
    assert.equal(text(events), "You said: free ride");
    assert.equal(ofType(events, "cost")[0]?.usd !== undefined, true);
    const req = await zen.lastRequest();
    assert.equal(req.headers.authorization, undefined, "no auth header for a free model without key");
  });
});

describe("ZenClient.stream: tools and reasoning", () => {
  const tools = [{ name: "lookup", description: "Looks a thing up", parameters: { type: "object", properties: { input: { type: "string" } } } }];
  for (const [format, model] of Object.entries(MODELS)) {
    test(`${format}: a tool call arrives parsed`, async () => {
      const stream = client().stream({ model, messages: userSays("please use tool now"), tools });
      const { events, err } = await drain(stream);
      assert.equal(err, undefined, err?.message);
      const calls = ofType(events, "toolCall");
      assert.equal(calls.length, 1, JSON.stringify(events.map((e) => e.type)));
      assert.equal(calls[0].name, "lookup");
      assert.equal(calls[0].arguments.input, "please use tool now");
      assert.ok(calls[0].id.length > 0);
      assert.equal(ofType(events, "finish").at(-1)?.reason, "toolCalls");
      assert.deepEqual(stream.message().choices[0].toolCalls.map((c) => c.name), ["lookup"]);
    });

    test(`${format}: reasoning deltas come before the text`, async () => {
      const stream = client().stream({ model, messages: userSays("think first"), reasoning: { effort: "low" }, maxOutputTokens: 4096 });
      const { events, err } = await drain(stream);
      assert.equal(err, undefined, err?.message);
      const types = events.map((e) => e.type);
      assert.ok(types.includes("reasoningDelta"), `reasoning deltas: ${types.join(",")}`);
      assert.ok(types.lastIndexOf("reasoningDelta") < types.indexOf("textDelta"), "reasoning first");
      assert.ok(stream.message().choices[0].reasoning.length > 0);
      assert.equal(text(events), "You said: think first");
    });
  }
});

describe("ZenClient.complete and listModels", () => {
  for (const [format, model] of Object.entries(MODELS)) {
    test(`complete() on ${format}`, async () => {
      const message = await client().complete({ model, messages: userSays("non streaming please") });
      assert.equal(message.choices[0].text, "You said: non streaming please");
      assert.equal(message.choices[0].finishReason, "stop");
      assert.ok(message.usage.outputTokens > 0);
      const req = await zen.lastRequest();
      assert.equal(req.stream, false);
      assert.equal(req.format, format);
    });
  }

  test("complete() throws typed errors", async () => {
    await assert.rejects(
      client().complete({ model: "glm-4.6", messages: userSays("/mock credits\nhi") }),
      (err) => assertZenError(err, "credits") && err.status === 401,
    );
  });

  test("listModels() merges the served list with the catalog", async () => {
    const list = await client().listModels();
    const byId = new Map(list.map((m) => [m.id, m]));
    for (const id of Object.values(MODELS)) {
      assert.ok(byId.has(id), `${id} listed`);
      assert.ok(!byId.get(id).unavailable, `${id} is available`);
      assert.ok(!byId.get(id).unknown, `${id} is in the catalog`);
    }
    assert.equal(byId.get("glm-4.6").format, "chat");
    // mock-zen (like Zen) lists no alpha-* ids, so the catalog's alpha model is unavailable.
    assert.equal(byId.get("alpha-gd4")?.unavailable, true);
    const req = await zen.lastRequest();
    assert.equal(req.method, "GET");
    assert.equal(req.path, "/zen/v1/models");
  });
});

describe("ZenClient: cancellation", () => {
  test("aborting the signal mid-stream throws aborted and closes the connection", async () => {
    const ac = new AbortController();
    const stream = client().stream({ model: "glm-4.6", messages: userSays("/mock slow\nslowly") }, { signal: ac.signal });
    const seen = [];
    let err;
    try {
      for await (const ev of stream) {
        seen.push(ev);
        if (ev.type === "textDelta") ac.abort();
      }
    } catch (e) {
      err = e;
    }
    assertZenError(err, "aborted");
    assert.ok(seen.some((e) => e.type === "textDelta"));
    assert.ok(text(seen).length < 100, "the stream stopped early");
    const last = await eventually(async () => {
      const r = await zen.lastRequest();
      return r.cancelled ? r : undefined;
    });
    assert.equal(last?.cancelled, true, "mock-zen saw the client leave");
    assert.equal(last.scenario, "slow");
  });

  test("stream.cancel() ends the iteration with aborted", async () => {
    const stream = client().stream({ model: "claude-haiku-4-5", messages: userSays("/mock slow\nslowly") });
    let err;
    let deltas = 0;
    try {
      for await (const ev of stream) {
        if (ev.type === "textDelta" && ++deltas === 2) stream.cancel();
      }
    } catch (e) {
      err = e;
    }
    assertZenError(err, "aborted");
    const last = await eventually(async () => ((await zen.lastRequest()).cancelled ? true : undefined));
    assert.equal(last, true, "mock-zen saw the client leave");
  });

  test("a signal aborted before the start sends nothing", async () => {
    const ac = new AbortController();
    ac.abort();
    const { err } = await drain(client().stream({ model: "glm-4.6", messages: userSays("never") }, { signal: ac.signal }));
    assertZenError(err, "aborted");
    assert.equal((await zen.requests()).length, 0);
  });
});

describe("ZenClient: retries", () => {
  test("a 429 before any output is retried", async () => {
    const scenario = `rate-limit-once:${randomUUID()}`;
    const { events, err } = await drain(client().stream({ model: "glm-4.6", messages: userSays(`/mock ${scenario}\nagain`) }));
    assert.equal(err, undefined, err?.message);
    assert.equal(text(events), "You said: again");
    const reqs = await requestsFor(scenario);
    assert.deepEqual(reqs.map((r) => r.status), [429, 200], "one 429, then the retry");
  });

  test("an in-stream error before output is retried", async () => {
    const { events, err } = await drain(client({ maxRetries: 1 }).stream({ model: "glm-4.6", messages: userSays("/mock overloaded\nx") }));
    // Both attempts are overloaded: the retry happened, then the error surfaces.
    assert.equal((await requestsFor("overloaded")).length, 2, "first try + one retry");
    const surfaced = err ?? ofType(events, "error").at(-1);
    assert.equal(surfaced?.kind, "overloaded");
    assert.equal(ofType(events, "textDelta").length, 0);
  });

  test("no retry once output arrived: the in-stream error is yielded", async () => {
    const { events } = await drain(client().stream({ model: "glm-4.6", messages: userSays("/mock overloaded-after-output\nx") }));
    assert.equal(ofType(events, "textDelta").length, 3);
    const [error] = ofType(events, "error");
    assert.equal(error?.kind, "overloaded");
    assert.equal(typeof error.message, "string");
    assert.equal(error.retryable, true);
    assert.equal((await requestsFor("overloaded-after-output")).length, 1, "not retried");
  });

  test("a connection reset after output throws network and is not retried", async () => {
    const { events, err } = await drain(client().stream({ model: "glm-4.6", messages: userSays("/mock reset\nx") }));
    assert.equal(ofType(events, "textDelta").length, 2);
    assertZenError(err, "network");
    assert.equal((await requestsFor("reset")).length, 1);
  });

  test("a 500 is retried maxRetries times, then thrown as server", async () => {
    const { err } = await drain(client({ maxRetries: 2 }).stream({ model: "glm-4.6", messages: userSays("/mock server-error\nx") }));
    assertZenError(err, "server");
    assert.equal(err.status, 500);
    assert.equal(err.retryable, true);
    assert.equal((await requestsFor("server-error")).length, 3);
  });
});

describe("ZenClient: timeouts", () => {
  test("no response head within firstByteTimeoutMs → timeout", async () => {
    const { err } = await drain(
      client({ firstByteTimeoutMs: 200, maxRetries: 0 }).stream({ model: "glm-4.6", messages: userSays("/mock stall-before-headers\nx") }),
    );
    assertZenError(err, "timeout");
    const last = await eventually(async () => ((await zen.lastRequest()).cancelled ? true : undefined));
    assert.equal(last, true, "the stalled request was abandoned");
  });

  test("a stream that goes silent past idleTimeoutMs → timeout", async () => {
    const { err } = await drain(
      client({ idleTimeoutMs: 200, maxRetries: 0 }).stream({ model: "glm-4.6", messages: userSays("/mock stall\nx") }),
    );
    assertZenError(err, "timeout");
  });
});

describe("ZenClient: typed errors", () => {
  test("a paid model without a key fails locally with auth, nothing is sent", async () => {
    const { err } = await drain(() => client({ apiKey: undefined }).stream({ model: "glm-4.6", messages: userSays("x") }));
    assertZenError(err, "auth");
    assert.equal((await zen.requests()).length, 0);
  });

  test("401 Missing API key from the server (key header lost on the way)", async () => {
    const f = mockFetch({ drop: ["authorization"] });
    const { err } = await drain(client({ fetch: f }).stream({ model: "glm-4.6", messages: userSays("x") }));
    assertZenError(err, "auth");
    assert.equal(err.status, 401);
    assert.match(err.message, /Missing API key/);
    assert.equal(err.retryable, false);
    assert.equal((await zen.requests()).length, 1, "auth errors are never retried");
  });

  test("401 invalid key", async () => {
    const { err } = await drain(client({ apiKey: "wrong-key" }).stream({ model: "claude-haiku-4-5", messages: userSays("x") }));
    assertZenError(err, "auth");
    assert.match(err.message, /Invalid API key/);
  });

  test("credits", async () => {
    const { err } = await drain(client().stream({ model: "gpt-5.1", messages: userSays("/mock credits\nx") }));
    assertZenError(err, "credits");
    assert.equal(err.status, 401);
    assert.equal(err.retryable, false);
    assert.equal((await requestsFor("credits")).length, 1, "credits errors are never retried");
  });

  test("free tier", async () => {
    const { err } = await drain(client().stream({ model: "big-pickle", messages: userSays("/mock free-tier\nx") }));
    assertZenError(err, "freeTier");
    assert.equal(err.status, 403);
  });

  test("unknown model", async () => {
    const { err } = await drain(client().stream({ model: "no-such-model", messages: userSays("x") }));
    assertZenError(err, "model");
    assert.equal(err.status, 401);
  });
});

describe("ZenClient: browser mode", () => {
  test("sends only headers Zen's CORS preflight allows", async () => {
    const calls = [];
    const f = mockFetch({ calls });
    for (const model of Object.values(MODELS)) {
      const { err } = await drain(new zw.ZenClient({ baseUrl: zen.baseUrl, apiKey: MOCK_KEY, fetch: f, browser: true }).stream({ model, messages: userSays("cors") }));
      assert.equal(err, undefined, err?.message);
    }
    const allowed = new Set(["content-type", "authorization", "x-api-key", "x-goog-api-key", "anthropic-version", "accept"]);
    assert.equal(calls.length, 4);
    for (const c of calls) {
      for (const name of Object.keys(c.headers)) assert.ok(allowed.has(name), `${c.url}: header ${name} would fail CORS`);
    }
  });
});

// ------------------------------------------------------------------------
// The same client against an injected fetch that answers from the test
// itself: host behaviour mock-zen cannot produce (a fetch that throws,
// chunks that are not bytes, a body that trickles or stalls) and the timers.

const encoder = new TextEncoder();
const chatChunk = (delta, extra = {}) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", model: "glm-4.6", choices: [{ index: 0, delta, ...extra }] })}\n\n`;
/** A chat stream saying `words` one delta each. */
const chatStream = (words) =>
  chatChunk({ role: "assistant", content: "" }) + words.map((w) => chatChunk({ content: w })).join("") + chatChunk({}, { finish_reason: "stop" }) + "data: [DONE]\n\n";

/**
 * A streamed 2xx Response of `pieces` (strings or bytes), each after `gapMs`
 * when given; after `stallAfter` pieces it sends nothing more. Like a real
 * fetch's, the body fails when the request's `signal` aborts.
 */
function sseResponse(pieces, { gapMs, stallAfter, signal } = {}) {
  let i = 0;
  const body = new ReadableStream({
    start(controller) {
      signal?.addEventListener("abort", () => controller.error(signal.reason));
    },
    async pull(controller) {
      if (stallAfter !== undefined && i >= stallAfter) return new Promise(() => {});
      if (gapMs !== undefined) await new Promise((r) => setTimeout(r, gapMs));
      if (i < pieces.length) {
        const piece = pieces[i++];
        controller.enqueue(typeof piece === "string" ? encoder.encode(piece) : piece);
      } else controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
}

const rateLimited = (seconds) =>
  new Response(JSON.stringify({ type: "error", error: { type: "RateLimitError", message: "Rate limit exceeded" } }), {
    status: 429,
    headers: { "content-type": "application/json", "retry-after": String(seconds) },
  });

/** A client whose fetch answers request i with `answers[i]()` (the last one again after that). */
function scripted(answers, options = {}) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    return answers[Math.min(calls.length, answers.length) - 1](init);
  };
  return { client: new zw.ZenClient({ baseUrl: "http://zen.invalid/v1", apiKey: "k", fetch, ...options }), calls };
}

const hello = { model: "glm-4.6", messages: userSays("hello") };

/**
 * Runs `body` with `globalThis.setTimeout` recording every delay asked for;
 * delays in `fast` fire at once (the retry pauses under test), the rest as asked.
 */
async function withRecordedTimers(fast, body) {
  const real = globalThis.setTimeout;
  const delays = [];
  globalThis.setTimeout = (f, ms, ...args) => {
    delays.push(ms);
    return real(f, fast.includes(ms) ? 0 : ms, ...args);
  };
  try {
    return { result: await body(), delays };
  } finally {
    globalThis.setTimeout = real;
  }
}

describe("ZenClient: retry timing", () => {
  test("the pause before a retry is the server's retry-after", async () => {
    const { client, calls } = scripted([() => rateLimited(7), () => sseResponse([chatStream(["after ", "the wait"])])]);
    const { result, delays } = await withRecordedTimers([7000], () => drain(client.stream(hello)));
    assert.equal(result.err, undefined, result.err?.message);
    assert.equal(text(result.events), "after the wait");
    assert.equal(calls.length, 2);
    assert.ok(delays.includes(7000), `a 7 s pause before the retry (timers: ${delays.join(", ")})`);
  });

  test("complete() retries a 429 too, after its retry-after", async () => {
    const answer = { id: "c1", object: "chat.completion", model: "glm-4.6", choices: [{ index: 0, message: { role: "assistant", content: "done" }, finish_reason: "stop" }] };
    const { client, calls } = scripted([() => rateLimited(3), () => new Response(JSON.stringify(answer), { status: 200 })]);
    const { result, delays } = await withRecordedTimers([3000], () => client.complete(hello));
    assert.equal(result.choices[0].text, "done");
    assert.equal(calls.length, 2);
    assert.ok(delays.includes(3000), `timers: ${delays.join(", ")}`);
  });

  test("cancelling during the pause before a retry ends the call at once, without the retry", async () => {
    const ac = new AbortController();
    const { client, calls } = scripted([() => rateLimited(30), () => sseResponse([chatStream(["never"])])]);
    const stream = client.stream(hello, { signal: ac.signal });
    const pending = drain(stream);
    await eventually(async () => (calls.length === 1 ? true : undefined));
    ac.abort();
    const { err } = await pending;
    assertZenError(err, "aborted");
    assert.equal(calls.length, 1, "the retry was never sent");
  });
});

describe("ZenClient: timeouts per read", () => {
  test("the first-byte timeout also covers the body's first bytes", async () => {
    const { client } = scripted([(init) => sseResponse([], { stallAfter: 0, signal: init.signal })], { firstByteTimeoutMs: 50, maxRetries: 0 });
    const { err } = await drain(client.stream(hello));
    assertZenError(err, "timeout");
    assert.equal(err.message, "no data within 50 ms");
  });

  test("the idle timeout restarts with every read: a body that trickles is not cut off", async () => {
    const words = Array.from({ length: 12 }, (_, i) => `w${i} `);
    const pieces = chatStream(words).match(/[^]{1,60}/g);
    const { client } = scripted([() => sseResponse(pieces, { gapMs: 15 })], { idleTimeoutMs: 150, maxRetries: 0 });
    const { events, err } = await drain(client.stream(hello));
    assert.ok(pieces.length * 15 > 150, "the whole body takes longer than the idle timeout");
    assert.equal(err, undefined, err?.message);
    assert.equal(text(events), words.join(""));
  });

  test("a body that stalls after some output times out with the idle message", async () => {
    const pieces = [chatChunk({ role: "assistant", content: "" }), chatChunk({ content: "partial" })];
    const { client } = scripted([(init) => sseResponse(pieces, { stallAfter: 2, signal: init.signal })], { idleTimeoutMs: 60, maxRetries: 0 });
    const { events, err } = await drain(client.stream(hello));
    assertZenError(err, "timeout");
    assert.equal(err.message, "no data for 60 ms");
    assert.equal(text(events), "partial");
  });
});

describe("ZenClient: every host failure is a ZenError", () => {
  test("a fetch that throws", async () => {
    const { client } = scripted([() => { throw new TypeError("fetch failed: connection refused"); }], { maxRetries: 0 });
    const { err } = await drain(client.stream(hello));
    assertZenError(err, "network");
    assert.match(err.message, /connection refused/);
    await assert.rejects(client.complete(hello), (e) => assertZenError(e, "network") && /connection refused/.test(e.message));
  });

  test("a fetch that resolves to something that is not a Response", async () => {
    const { client } = scripted([() => 42], { maxRetries: 0 });
    const { err } = await drain(client.stream(hello));
    assertZenError(err, "network");
    assert.match(err.message, /did not resolve to a Response/);
  });

  test("a body whose chunks are not bytes", async () => {
    const body = new ReadableStream({ pull: (c) => c.enqueue("data: {}\n\n") });
    const { client } = scripted([() => new Response(body, { status: 200 })], { maxRetries: 0 });
    const { err } = await drain(client.stream(hello));
    assertZenError(err, "network");
    assert.match(err.message, /not a Uint8Array/);
  });

  test("a 200 response without a body reads as an empty body: the stream ended without any event, in every format", async () => {
    // The format's name in its messages.
    const names = { chat: "chat", responses: "responses", messages: "Messages", gemini: "Gemini" };
    const sse = { status: 200, headers: { "content-type": "text/event-stream" } };
    for (const [format, model] of Object.entries(MODELS)) {
      const request = { model, messages: userSays("hello") };
      for (const body of [null, "", ": ping\n\n\n"]) {
        const what = `${format}, body ${JSON.stringify(body)}`;
        const { client, calls } = scripted([() => new Response(body, sse)], { maxRetries: 0 });
        const { events, err } = await drain(client.stream(request));
        assert.equal(err, undefined, what);
        assert.deepEqual(events, [{ type: "error", kind: "protocol", message: `the ${names[format]} stream ended without any event`, retryable: false }], what);
        assert.equal(calls.length, 1, what);
      }
      // A whole body that is empty is no response either.
      const { client } = scripted([() => new Response(null, { status: 200, headers: { "content-type": "application/json" } })], { maxRetries: 0 });
      await assert.rejects(client.complete(request), (e) => assertZenError(e, "protocol") && e.message === `${format} response body is not JSON`, format);
    }
  });

  test("an options.signal that cannot be read", () => {
    const { client } = scripted([() => sseResponse([chatStream(["x"])])]);
    const options = {
      get signal() {
        throw new Error("no signal here");
      },
    };
    assert.throws(() => client.stream(hello, options), (e) => assertZenError(e, "invalidRequest") && /options\.signal: no signal here/.test(e.message));
  });
});

describe("ZenStream: the iterator", () => {
  test("overlapping next() calls are answered in order, then done", async () => {
    const words = Array.from({ length: 20 }, (_, i) => `w${i} `);
    const body = chatStream(words);
    const pieces = body.match(/[^]{1,300}/g);
    const { client } = scripted([() => sseResponse(pieces)]);
    const sequential = (await drain(client.stream(hello))).events;
    const stream = client.stream(hello);
    const results = await Promise.all(Array.from({ length: sequential.length + 3 }, () => stream.next()));
    assert.deepEqual(results.slice(0, sequential.length).map((r) => r.value), sequential);
    for (const r of results.slice(sequential.length)) assert.deepEqual(r, { value: undefined, done: true });
    assert.equal(stream.message().choices[0].text, words.join(""));
  });

  test("after cancel(), the events of the last read are not handed out: next() throws aborted, then is done", async () => {
    const { client } = scripted([() => sseResponse([chatStream(["a", "b", "c", "d"])])]);
    const stream = client.stream(hello);
    const first = await stream.next();
    assert.equal(first.done, false);
    stream.cancel();
    await assert.rejects(stream.next(), (e) => assertZenError(e, "aborted") !== undefined);
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
  });

  test("return() ends the iteration and cancels the request", async () => {
    let signal;
    const { client } = scripted([(init) => ((signal = init.signal), sseResponse([chatStream(["a"])], { stallAfter: 1, signal }))]);
    const stream = client.stream(hello);
    assert.equal((await stream.next()).done, false);
    assert.deepEqual(await stream.return(), { value: undefined, done: true });
    assert.equal(signal.aborted, true, "the request was aborted");
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
  });
});
