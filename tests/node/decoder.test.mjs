// StreamDecoder through the built wasm package: splitting invariance on every
// fixture, and the exact JS shape of the unified events.
import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  FORMATS,
  projectStreamFixtures,
  sharedStreamFixtures,
  fixedPieces,
  randomPieces,
  decodePieces,
} from "./support/fixtures.mjs";
import { loadNodePkg, loadWebPkg, repoRoot } from "./support/pkg.mjs";

/** Every event type of `zenwire::Event`, serde camelCase: the one list,
 *  kept in tests/common/event_types.rs (which tests/event_shapes.rs checks
 *  against the package's declarations). */
const EVENT_TYPES = (() => {
  const rust = readFileSync(join(repoRoot, "tests/common/event_types.rs"), "utf8");
  const [, count, body] = rust.match(/EVENT_TYPES: \[&str; (\d+)\] = \[([^\]]*)\]/);
  const types = new Set(body.match(/"[^"]*"/g).map((t) => JSON.parse(t)));
  assert.equal(types.size, Number(count), "tests/common/event_types.rs read whole");
  return types;
})();

/** Walking 1-byte pieces through a multi-megabyte recording costs seconds and
 *  proves nothing the 7-byte and random splits do not; above this size the
 *  1-byte split is replaced by a 3-byte one. */
const ONE_BYTE_LIMIT = 256 * 1024;

/** Keys of an event (outside tool arguments, which are user JSON) must be camelCase. */
function assertCamelCase(ev, where) {
  for (const key of Object.keys(ev)) {
    assert.match(key, /^[a-z][A-Za-z0-9]*$/, `${where}: event key ${key} is not camelCase`);
  }
}

function checkEventShapes(events, where) {
  for (const ev of events) {
    assert.equal(typeof ev, "object", `${where}: event is not an object`);
    assert.ok(EVENT_TYPES.has(ev.type), `${where}: unknown event type ${JSON.stringify(ev.type)}`);
    assertCamelCase(ev, where);
    if ("choice" in ev) assert.ok(Number.isInteger(ev.choice), `${where}: choice is not an integer`);
    // Events are plain JSON data: a JSON round trip must not change them.
    assert.deepEqual(JSON.parse(JSON.stringify(ev)), ev, `${where}: event is not plain JSON data`);
  }
}

let pkg;
before(async () => {
  pkg = await loadNodePkg();
});

describe("StreamDecoder: splitting the input never changes the output", () => {
  for (const format of FORMATS) {
    const project = projectStreamFixtures(format);
    const shared = sharedStreamFixtures(format);
    test(`${format}: fixtures are present`, () => {
      // Visible in the report: how much material this format is checked on.
      assert.ok(
        project.length + shared.length > 0,
        `no ${format} stream fixtures in tests/fixtures/${format}/ or ../shared/fixtures`,
      );
    });
    for (const fx of [...project, ...shared]) {
      test(`${fx.name}`, () => {
        const whole = decodePieces(pkg, format, [fx.bytes]);
        assert.ok(whole.events.length > 0, `${fx.name}: no events at all`);
        checkEventShapes(whole.events, fx.name);
        const splits = {
          [fx.bytes.length <= ONE_BYTE_LIMIT ? "1-byte" : "3-byte"]: fixedPieces(
            fx.bytes,
            fx.bytes.length <= ONE_BYTE_LIMIT ? 1 : 3,
          ),
          "7-byte": fixedPieces(fx.bytes, 7),
          "random A": randomPieces(fx.bytes, 0x5eed1),
          "random B": randomPieces(fx.bytes, 0x5eed2, 4096),
        };
        for (const [label, pieces] of Object.entries(splits)) {
          const got = decodePieces(pkg, format, pieces);
          assert.deepEqual(got.events, whole.events, `${fx.name}: ${label} pieces give other events`);
          assert.deepEqual(got.message, whole.message, `${fx.name}: ${label} pieces give another message`);
        }
      });
    }
  }
});

// Hand-written streams with known content, so the exact JS objects can be
// asserted (field names, nesting, null for unreported counts).
const CHAT = [
  `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"glm-4.6","choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"Think"},"finish_reason":null}]}`,
  `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"glm-4.6","choices":[{"index":0,"delta":{"content":"Hé 👋"},"finish_reason":null}]}`,
  `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"glm-4.6","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":"}}]},"finish_reason":null}]}`,
  `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"glm-4.6","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\"Paris\\"}"}}]},"finish_reason":null}]}`,
  `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"glm-4.6","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
  `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"glm-4.6","choices":[],"usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,"prompt_tokens_details":{"cached_tokens":40},"completion_tokens_details":{"reasoning_tokens":5}}}`,
  `data: [DONE]`,
  `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"glm-4.6","choices":[],"cost":"0.00002740"}`,
]
  .map((l) => `${l}\n\n`)
  .join("");

const MESSAGES = [
  ["message_start", `{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":10,"cache_read_input_tokens":4,"cache_creation_input_tokens":2,"output_tokens":1}}}`],
  ["content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}`],
  ["content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Hmm"}}`],
  ["content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"c2ln"}}`],
  ["content_block_stop", `{"type":"content_block_stop","index":0}`],
  ["content_block_start", `{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}`],
  ["content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi"}}`],
  ["content_block_stop", `{"type":"content_block_stop","index":1}`],
  ["content_block_start", `{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"lookup","input":{}}}`],
  ["content_block_delta", `{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"q\\":"}}`],
  ["content_block_delta", `{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"\\"zen\\"}"}}`],
  ["content_block_stop", `{"type":"content_block_stop","index":2}`],
  ["message_delta", `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":30}}`],
  ["message_stop", `{"type":"message_stop"}`],
  ["ping", `{"type":"ping","cost":"0.00004512"}`],
]
  .map(([e, d]) => `event: ${e}\ndata: ${d}\n\n`)
  .join("");

const RESPONSES = [
  ["response.created", `{"type":"response.created","response":{"id":"resp_1","status":"in_progress","model":"gpt-5.1","output":[]}}`],
  ["response.output_item.added", `{"type":"response.output_item.added","output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}`],
  ["response.output_text.delta", `{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hello"}`],
  ["response.output_text.delta", `{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":" world"}`],
  ["response.output_item.done", `{"type":"response.output_item.done","output_index":0,"item":{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello world","annotations":[]}]}}`],
  ["response.completed", `{"type":"response.completed","response":{"id":"resp_1","status":"completed","model":"gpt-5.1","output":[],"usage":{"input_tokens":60,"input_tokens_details":{"cached_tokens":10},"output_tokens":40,"output_tokens_details":{"reasoning_tokens":16},"total_tokens":100}}}`],
]
  .map(([e, d]) => `event: ${e}\ndata: ${d}\n\n`)
  .join("");

const GEMINI = [
  `{"candidates":[{"content":{"role":"model","parts":[{"text":"Pondering","thought":true}]},"index":0}],"modelVersion":"gemini-3-pro","responseId":"r_1"}`,
  `{"candidates":[{"content":{"role":"model","parts":[{"text":"Ciao"}]},"index":0}],"modelVersion":"gemini-3-pro","responseId":"r_1"}`,
  `{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Rome"}}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":7,"thoughtsTokenCount":3,"cachedContentTokenCount":5,"totalTokenCount":30},"modelVersion":"gemini-3-pro","responseId":"r_1"}`,
]
  .map((d) => `data: ${d}\n\n`)
  .join("");

function decodeText(format, text, p = pkg) {
  return decodePieces(p, format, [new TextEncoder().encode(text)]);
}

const ofType = (events, type) => events.filter((e) => e.type === type);

const USAGE_KEYS = ["inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "reasoningTokens"];

/** The usage the events amount to: usage events are cumulative and a later
 *  one may report only some counts, so each known count overrides (as the
 *  accumulator does). Also checks every usage event has all five keys. */
function foldUsage(events) {
  const usage = ofType(events, "usage");
  assert.ok(usage.length > 0, "at least one usage event");
  const out = Object.fromEntries(USAGE_KEYS.map((k) => [k, null]));
  for (const ev of usage) {
    assert.deepEqual(Object.keys(ev).sort(), ["type", ...USAGE_KEYS].sort(), "usage event keys");
    for (const k of USAGE_KEYS) if (ev[k] !== null) out[k] = ev[k];
  }
  return out;
}

describe("StreamDecoder: event objects", () => {
  test("chat: text, reasoning, tool call, finish, usage and cost", () => {
    const { events, message } = decodeText("chat", CHAT);
    checkEventShapes(events, "chat");
    assert.deepEqual(ofType(events, "reasoningDelta"), [{ type: "reasoningDelta", choice: 0, text: "Think" }]);
    assert.deepEqual(ofType(events, "textDelta"), [{ type: "textDelta", choice: 0, text: "Hé 👋" }]);
    assert.deepEqual(ofType(events, "toolCallStart"), [
      { type: "toolCallStart", choice: 0, index: 0, id: "call_1", name: "get_weather" },
    ]);
    assert.deepEqual(
      ofType(events, "toolCallDelta").map((e) => e.argumentsDelta).join(""),
      '{"city":"Paris"}',
    );
    assert.deepEqual(ofType(events, "toolCall"), [
      { type: "toolCall", choice: 0, index: 0, id: "call_1", name: "get_weather", arguments: { city: "Paris" } },
    ]);
    assert.deepEqual(ofType(events, "finish"), [{ type: "finish", choice: 0, reason: "toolCalls", raw: "tool_calls" }]);
    // Zen-normalized: input excludes the 40 cached tokens; a count the
    // provider never sent is null, not 0.
    assert.deepEqual(foldUsage(events), {
      inputTokens: 60,
      outputTokens: 20,
      cacheReadTokens: 40,
      cacheWriteTokens: null,
      reasoningTokens: 5,
    });
    assert.deepEqual(ofType(events, "cost"), [{ type: "cost", usd: "0.00002740" }]);
    const order = events.map((e) => e.type);
    assert.ok(order.indexOf("toolCallStart") < order.indexOf("toolCall"), "toolCallStart before toolCall");
    assert.ok(order.indexOf("textDelta") < order.indexOf("finish"), "text before finish");

    assert.equal(message.choices.length, 1);
    const c = message.choices[0];
    assert.equal(c.text, "Hé 👋");
    assert.equal(c.reasoning, "Think");
    assert.equal(c.finishReason, "toolCalls");
    assert.equal(c.rawFinishReason, "tool_calls");
    assert.deepEqual(c.toolCalls, [{ index: 0, id: "call_1", name: "get_weather", arguments: { city: "Paris" } }]);
    assert.equal(message.id, "chatcmpl-1");
    assert.equal(message.model, "glm-4.6");
    assert.equal(message.cost, "0.00002740");
    assert.deepEqual(message.usage, {
      inputTokens: 60,
      outputTokens: 20,
      cacheReadTokens: 40,
      cacheWriteTokens: null,
      reasoningTokens: 5,
    });
    assert.equal(message.error, null);
  });

  test("messages: thinking with signature, text, tool use, usage and the ping cost frame", () => {
    const { events, message } = decodeText("messages", MESSAGES);
    checkEventShapes(events, "messages");
    assert.deepEqual(ofType(events, "start"), [{ type: "start", id: "msg_1", model: "claude-sonnet-4-5" }]);
    assert.deepEqual(ofType(events, "reasoningDelta"), [{ type: "reasoningDelta", choice: 0, text: "Hmm" }]);
    assert.deepEqual(ofType(events, "reasoningSignature"), [
      { type: "reasoningSignature", choice: 0, signature: "c2ln" },
    ]);
    assert.deepEqual(ofType(events, "textDelta"), [{ type: "textDelta", choice: 0, text: "Hi" }]);
    assert.deepEqual(
      ofType(events, "toolCall").map(({ type, name, id, arguments: a }) => ({ type, name, id, a })),
      [{ type: "toolCall", name: "lookup", id: "toolu_1", a: { q: "zen" } }],
    );
    assert.deepEqual(ofType(events, "finish").at(-1), { type: "finish", choice: 0, reason: "toolCalls", raw: "tool_use" });
    const usage = foldUsage(events);
    assert.equal(usage.inputTokens, 10);
    assert.equal(usage.cacheReadTokens, 4);
    assert.equal(usage.cacheWriteTokens, 2);
    assert.equal(usage.outputTokens, 30);
    assert.deepEqual(ofType(events, "cost"), [{ type: "cost", usd: "0.00004512" }]);
    const c = message.choices[0];
    assert.equal(c.text, "Hi");
    assert.equal(c.reasoning, "Hmm");
    assert.equal(c.signature, "c2ln");
    assert.deepEqual(c.reasoningBlocks, [{ type: "thinking", text: "Hmm", signature: "c2ln" }]);
    assert.equal(c.toolCalls.length, 1);
    assert.equal(message.cost, "0.00004512");
  });

  test("responses: text deltas, start, usage with cached and reasoning tokens", () => {
    const { events, message } = decodeText("responses", RESPONSES);
    checkEventShapes(events, "responses");
    assert.deepEqual(ofType(events, "start")[0], { type: "start", id: "resp_1", model: "gpt-5.1" });
    assert.deepEqual(ofType(events, "textDelta"), [
      { type: "textDelta", choice: 0, text: "Hello" },
      { type: "textDelta", choice: 0, text: " world" },
    ]);
    assert.deepEqual(ofType(events, "finish").at(-1), { type: "finish", choice: 0, reason: "stop", raw: "completed" });
    const usage = foldUsage(events);
    assert.equal(usage.inputTokens, 50);
    assert.equal(usage.cacheReadTokens, 10);
    assert.equal(usage.outputTokens, 40);
    assert.equal(usage.reasoningTokens, 16);
    assert.equal(message.choices[0].text, "Hello world");
    assert.equal(message.id, "resp_1");
  });

  test("gemini: thought parts, text, function call and usage metadata", () => {
    const { events, message } = decodeText("gemini", GEMINI);
    checkEventShapes(events, "gemini");
    assert.deepEqual(ofType(events, "reasoningDelta"), [{ type: "reasoningDelta", choice: 0, text: "Pondering" }]);
    assert.deepEqual(ofType(events, "textDelta"), [{ type: "textDelta", choice: 0, text: "Ciao" }]);
    const [call] = ofType(events, "toolCall");
    assert.equal(call.name, "get_weather");
    assert.deepEqual(call.arguments, { city: "Rome" });
    assert.equal(typeof call.id, "string");
    assert.ok(call.id.length > 0, "a Gemini call gets an id");
    const usage = foldUsage(events);
    // prompt 20 of which 5 cached; output = candidates 7 + thoughts 3.
    assert.deepEqual(
      [usage.inputTokens, usage.cacheReadTokens, usage.outputTokens, usage.reasoningTokens],
      [15, 5, 10, 3],
    );
    assert.equal(message.choices[0].text, "Ciao");
    assert.equal(message.choices[0].finishReason, "toolCalls");
  });

  test("start, usage and finish have their JSON shape exactly: members in order, null for what is absent", () => {
    // These three are built in JS from the event tape, not parsed from
    // `Event::write_json`: the text must still be what that writes. A count
    // past 2^53 rounds as `JSON.parse` rounds its decimal text.
    const sse = (frames) => frames.map((f) => `data: ${f}\n\n`).join("");
    const bare = decodeText(
      "messages",
      sse([
        `{"type":"message_start","message":{"content":[],"usage":{"input_tokens":9007199254740993}}}`,
        `{"type":"message_stop"}`,
      ]),
    ).events;
    assert.deepEqual(
      bare.map((e) => JSON.stringify(e)),
      [
        `{"type":"start","id":null,"model":null}`,
        `{"type":"usage","inputTokens":9007199254740992,"outputTokens":null,"cacheReadTokens":null,"cacheWriteTokens":null,"reasoningTokens":null}`,
        `{"type":"finish","choice":0,"reason":"stop","raw":null}`,
      ],
    );
    // (JSON.stringify writes NaN as null too: absent counts must be null itself.)
    assert.deepEqual(bare[1], {
      type: "usage",
      inputTokens: 9007199254740992,
      outputTokens: null,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      reasoningTokens: null,
    });
    const full = decodeText("chat", CHAT).events;
    assert.deepEqual(
      ["start", "usage", "finish"].map((t) => JSON.stringify(ofType(full, t).at(-1))),
      [
        `{"type":"start","id":"chatcmpl-1","model":"glm-4.6"}`,
        `{"type":"usage","inputTokens":60,"outputTokens":20,"cacheReadTokens":40,"cacheWriteTokens":null,"reasoningTokens":5}`,
        `{"type":"finish","choice":0,"reason":"toolCalls","raw":"tool_calls"}`,
      ],
    );
  });

  test("push returns only the events its chunk completed; finish flushes the rest", () => {
    const bytes = new TextEncoder().encode(CHAT);
    const firstEventEnd = CHAT.indexOf("\n\n") + 2;
    const dec = new pkg.StreamDecoder("chat");
    try {
      assert.deepEqual(dec.push(bytes.subarray(0, firstEventEnd - 1)), [], "an unfinished event yields nothing");
      const afterFirst = dec.push(bytes.subarray(firstEventEnd - 1, firstEventEnd));
      assert.ok(afterFirst.some((e) => e.type === "reasoningDelta"), "the blank line completes the first event");
      const empty = dec.push(new Uint8Array(0));
      assert.deepEqual(empty, [], "an empty push is fine and yields nothing");
      empty.push("caller's own");
      assert.deepEqual(dec.push(new Uint8Array(0)), [], "each push returns its own array, never a shared one");
      const rest = dec.push(bytes.subarray(firstEventEnd));
      assert.ok(rest.some((e) => e.type === "cost"));
      assert.ok(Array.isArray(dec.finish()));
      assert.equal(dec.message().choices[0].text, "Hé 👋");
    } finally {
      dec.free();
    }
  });

  test("message() holds a tool call while it forms, with its arguments so far, and moves it to toolCalls when it finishes", () => {
    const chunk = (delta, finish = null) => `data: ${JSON.stringify({ id: "c", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const call = (fn, extra = {}) => ({ tool_calls: [{ index: 0, ...extra, function: fn }] });
    const dec = new pkg.StreamDecoder("chat");
    try {
      dec.push(new TextEncoder().encode(chunk(call({ name: "get_weather", arguments: '{"city":' }, { id: "call_1", type: "function" })) + chunk(call({ arguments: '"Oslo' }))));
      const forming = dec.message().choices[0];
      assert.deepEqual(forming.toolCalls, []);
      assert.deepEqual(forming.formingToolCalls, [{ index: 0, id: "call_1", name: "get_weather", rawArguments: '{"city":"Oslo' }]);
      dec.push(new TextEncoder().encode(chunk(call({ arguments: '"}' })) + chunk({}, "tool_calls") + "data: [DONE]\n\n"));
      dec.finish();
      const done = dec.message().choices[0];
      assert.equal(done.formingToolCalls, undefined, "absent when no call is forming");
      assert.deepEqual(done.toolCalls, [{ index: 0, id: "call_1", name: "get_weather", arguments: { city: "Oslo" } }]);
    } finally {
      dec.free();
    }
  });

  test("a stream cut before its final blank line still delivers its last event at finish()", () => {
    const cut = CHAT.slice(0, -2); // drop the last "\n\n" (the cost frame's)
    const dec = new pkg.StreamDecoder("chat");
    try {
      const pushed = dec.push(new TextEncoder().encode(cut));
      assert.ok(!pushed.some((e) => e.type === "cost"), "the unterminated cost frame is not complete yet");
      const flushed = dec.finish();
      assert.deepEqual(ofType(flushed, "cost"), [{ type: "cost", usd: "0.00002740" }]);
    } finally {
      dec.free();
    }
  });

  test("garbage input yields typed error events, never a throw", () => {
    const junk = new Uint8Array(4096);
    let x = 7;
    for (let i = 0; i < junk.length; i++) junk[i] = (x = (x * 1103515245 + 12345) & 0xff);
    for (const format of FORMATS) {
      const lines = `data: {not json\n\n\xff\xfe\n\ndata: [1,2\n\n`;
      const { events } = decodePieces(pkg, format, [junk, new TextEncoder().encode(lines)]);
      checkEventShapes(events, `${format} garbage`);
      for (const e of ofType(events, "error")) {
        assert.equal(typeof e.kind, "string");
        assert.equal(typeof e.message, "string");
        assert.equal(typeof e.retryable, "boolean");
      }
    }
  });

  test("an unknown format is rejected with a typed error", () => {
    assert.throws(
      () => new pkg.StreamDecoder("soap"),
      (err) => err instanceof Error && typeof err.kind === "string" && /soap/.test(err.message),
    );
  });
});

describe("web build (pkg/, initSync with the .wasm bytes)", () => {
  test("decodes like the Node build on every format", async () => {
    const web = await loadWebPkg();
    for (const [format, text] of [
      ["chat", CHAT],
      ["responses", RESPONSES],
      ["messages", MESSAGES],
      ["gemini", GEMINI],
    ]) {
      const bytes = new TextEncoder().encode(text);
      const viaWeb = decodePieces(web, format, fixedPieces(bytes, 7));
      const viaNode = decodePieces(pkg, format, [bytes]);
      assert.deepEqual(viaWeb, viaNode, `${format}: web and Node builds differ`);
    }
  });

  test("exposes the same API surface as the Node build", async () => {
    const web = await loadWebPkg();
    for (const name of ["StreamDecoder", "ZenClient", "buildRequest", "models", "model", "estimateCost", "parseError", "decodeResponse"]) {
      assert.equal(typeof web[name], "function", `pkg/zenwire.js exports ${name}`);
      assert.equal(typeof pkg[name], "function", `pkg-node/zenwire.js exports ${name}`);
    }
    assert.deepEqual(web.models(), pkg.models());
  });
});
