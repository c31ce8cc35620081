// What ZenClient costs per network read and per event, counted: every call
// into the wasm module (each export, wrapped before the package loads) and
// every read of the body (an injected fetch whose ReadableStream counts its
// pulls). The client must do a bounded number of wasm calls per read and none
// per event: the events of one read are handed out from a JS array. And what
// a finished stream keeps: the size of the wasm memory.
import { test, describe, before } from "node:test";
import assert from "node:assert/strict";

// Counts calls into every function the wasm instance exports. Installed
// before the package is loaded (this file runs in its own process).
let wasmCalls = 0;
// And the calls the wasm side makes to hand a batch of events to JS (the
// import wasm-bindgen names `__wbg_events_from_tape_<hash>`).
let tapeCalls = 0;
let memory;
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function CountingInstance(module, imports) {
  for (const functions of Object.values(imports)) {
    for (const [name, f] of Object.entries(functions)) {
      if (name.includes("events_from_tape")) {
        functions[name] = function (...args) {
          tapeCalls++;
          return f.apply(this, args);
        };
      }
    }
  }
  const { exports } = new Instance(module, imports);
  memory = exports.memory;
  const counted = {};
  for (const [name, value] of Object.entries(exports)) {
    counted[name] =
      typeof value === "function"
        ? function (...args) {
            wasmCalls++;
            return value.apply(this, args);
          }
        : value;
  }
  return { exports: counted };
};
const { loadNodePkg } = await import("./support/pkg.mjs");

let zw;
before(async () => {
  zw = await loadNodePkg();
  // One stream first: the package's first calls also grow its tables.
  await streamCounted(inPieces(chatBody(1), 1));
});

const encoder = new TextEncoder();

/** A chat stream of `deltas` text deltas, then a finish, usage and `[DONE]`. */
function chatBody(deltas) {
  const chunk = (delta, extra = {}) =>
    `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", model: "glm-4.6", choices: [{ index: 0, delta, ...extra }] })}\n\n`;
  let body = chunk({ role: "assistant", content: "" });
  for (let i = 0; i < deltas; i++) body += chunk({ content: `w${i} ` });
  body += chunk({}, { finish_reason: "stop" });
  body += `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 3, completion_tokens: deltas } })}\n\n`;
  return encoder.encode(body + "data: [DONE]\n\n");
}

/** `bytes` in `count` pieces of (nearly) equal size. */
function inPieces(bytes, count) {
  const size = Math.ceil(bytes.length / count);
  const pieces = [];
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
  return pieces;
}

/** A fetch answering with `pieces` as a streamed 2xx body (or `body` text
 *  for a non-streaming call); `reads` counts the pulls of the body. */
function countingFetch(pieces, body) {
  const seen = { reads: 0, requests: 0 };
  const fetch = async () => {
    seen.requests++;
    if (body !== undefined) return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
    let i = 0;
    const stream = new ReadableStream({
      pull(controller) {
        seen.reads++;
        if (i < pieces.length) controller.enqueue(pieces[i++]);
        else controller.close();
      },
    });
    return new Response(stream, { status: 200, headers: { "content-type": "text/event-stream" } });
  };
  return { fetch, seen };
}

function newClient(fetch) {
  return new zw.ZenClient({ baseUrl: "http://zen.invalid/v1", apiKey: "k", fetch, maxRetries: 0 });
}

/** Iterates a stream of `pieces` to its end: the events, the body reads and
 *  the wasm calls it took (from `stream()` on). */
async function streamCounted(pieces) {
  const { fetch, seen } = countingFetch(pieces);
  const client = newClient(fetch);
  const before = wasmCalls;
  const events = [];
  for await (const ev of client.stream({ model: "glm-4.6", messages: [{ role: "user", content: "hi" }] })) events.push(ev);
  return { events, reads: seen.reads, calls: wasmCalls - before };
}

describe("ZenClient: wasm calls and reads are counted", () => {
  test("a stream costs the same wasm calls whether its reads complete 10 or 1000 events", async () => {
    const few = await streamCounted(inPieces(chatBody(10), 4));
    const many = await streamCounted(inPieces(chatBody(1000), 4));
    assert.equal(few.events.filter((e) => e.type === "textDelta").length, 10);
    assert.equal(many.events.filter((e) => e.type === "textDelta").length, 1000);
    // Every piece read once, then the read that finds the end.
    assert.equal(few.reads, 5);
    assert.equal(many.reads, 5);
    assert.equal(many.calls, few.calls, `wasm calls: ${few.calls} for 10 events, ${many.calls} for 1000`);
  });

  test("wasm calls grow with the reads, at a bounded number per read", async () => {
    const body = chatBody(200);
    const four = await streamCounted(inPieces(body, 4));
    const forty = await streamCounted(inPieces(body, 40));
    assert.deepEqual(forty.events, four.events, "the same events whatever the pieces");
    assert.equal(forty.reads, 41);
    const perRead = (forty.calls - four.calls) / (forty.reads - four.reads);
    // What a user's own loop around StreamDecoder.push does: the copy of
    // the bytes into wasm memory (its allocation) and the push.
    assert.ok(perRead <= 2, `${perRead} wasm calls per read`);
    // The set-up (request, connect, the attempt's steps, the end): 11 today.
    assert.ok(four.calls <= 12 + 2 * four.reads, `${four.calls} wasm calls for a stream of ${four.reads} reads`);
  });

  test("a read that completes no event hands nothing to JS", async () => {
    // One 20 KB delta in 40 pieces: most reads only carry it on.
    const body = encoder.encode(
      [{ role: "assistant", content: "" }, { content: "x".repeat(20000) }]
        .map((delta) => `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", model: "glm-4.6", choices: [{ index: 0, delta }] })}\n\n`)
        .join("") +
        `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\ndata: [DONE]\n\n`,
    );
    const before = tapeCalls;
    const { events, reads } = await streamCounted(inPieces(body, 40));
    assert.equal(reads, 41);
    assert.equal(events.filter((e) => e.type === "textDelta").map((e) => e.text).join(""), "x".repeat(20000));
    // The first piece completes the start, the 20 KB delta one read, the
    // finish and the end the last ones: a handful of batches, not 41.
    assert.ok(tapeCalls - before <= 5, `${tapeCalls - before} batches handed to JS for ${reads} reads`);
  });

  test("a stream sets one timer, however many reads it takes", async () => {
    // The attempt's timer limits the wait for the first byte, then each
    // read: one setTimeout serves them all (the waits here are shorter
    // than the default 5 min limits, so it never fires).
    const setTimeout = globalThis.setTimeout;
    let timers = 0;
    globalThis.setTimeout = (...args) => {
      timers++;
      return setTimeout(...args);
    };
    try {
      const { reads } = await streamCounted(inPieces(chatBody(200), 40));
      assert.equal(reads, 41);
    } finally {
      globalThis.setTimeout = setTimeout;
    }
    assert.equal(timers, 1, `${timers} setTimeout calls for one stream`);
  });

  test("complete() costs the same wasm calls for a short and a long answer", async () => {
    const answer = (text) =>
      JSON.stringify({
        id: "c1",
        object: "chat.completion",
        model: "glm-4.6",
        choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
        usage: { prompt_tokens: 3, completion_tokens: 5 },
      });
    const counted = async (text) => {
      const { fetch, seen } = countingFetch(undefined, answer(text));
      const client = new zw.ZenClient({ baseUrl: "http://zen.invalid/v1", apiKey: "k", fetch, maxRetries: 0 });
      const before = wasmCalls;
      const message = await client.complete({ model: "glm-4.6", messages: [{ role: "user", content: "hi" }] });
      assert.equal(message.choices[0].text, text);
      assert.equal(seen.requests, 1);
      return wasmCalls - before;
    };
    const short = await counted("ok");
    const long = await counted("word ".repeat(20000));
    assert.equal(long, short, `wasm calls: ${short} for a short answer, ${long} for a 100 KB one`);
  });
});

describe("ZenClient: a finished stream holds no wasm memory", () => {
  // Finalization (what frees a wasm object whose JS side was collected)
  // runs only when the event loop turns; a loop of streams on an injected
  // fetch never lets it. So whatever a stream keeps in wasm after its end
  // piles up: here, 300 streams of 100 deltas each.
  const hello = { model: "glm-4.6", messages: [{ role: "user", content: "hi" }] };
  const pieces = inPieces(chatBody(100), 8);
  const answer = Array.from({ length: 100 }, (_, i) => `w${i} `).join("");

  test("ended, failed or returned, its memory is reused by the next stream", async () => {
    const client = newClient(countingFetch(pieces).fetch);
    const failing = newClient(async () => {
      throw new TypeError("connection refused");
    });
    const rounds = async (n) => {
      for (let i = 0; i < n; i++) {
        const ended = client.stream(hello);
        for await (const _ of ended);
        assert.equal(ended.message().choices[0].text, answer);
        const failed = failing.stream(hello);
        await assert.rejects(failed.next(), /connection refused/);
        assert.equal(failed.message().choices.length, 0);
        const returned = client.stream(hello);
        await returned.next();
        await returned.return();
        assert.equal(returned.message().id, "c1");
      }
    };
    await rounds(20);
    const before = memory.buffer.byteLength;
    await rounds(300);
    assert.equal(memory.buffer.byteLength, before, `the wasm memory grew by ${(memory.buffer.byteLength - before) / 1024} KiB`);
  });
});

