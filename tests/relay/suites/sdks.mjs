// Real clients no one here wrote: the official `openai` and
// `@anthropic-ai/sdk` packages pointed at the relay over HTTP with a relay
// token as their API key, streaming unmodified.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { startRelay, mintAdmin, mockZen, recordingFetch, ZEN_KEY } from "../support.mjs";

describe("official SDKs", { timeout: 60_000 }, () => {
  let relay, token, zen, openai, anthropic;
  before(async () => {
    zen = await mockZen();
    relay = await startRelay("sdks");
    token = await mintAdmin(relay, { sub: "sdk-user", maxOutputTokens: 48, models: ["big-pickle", "gpt-5.1", "claude-sonnet-4-5"] });
    // The only change from Zen: the base URL (and the relay token as the key).
    openai = new OpenAI({ apiKey: token, baseURL: `${relay.url}/zen/v1`, maxRetries: 0, fetch: recordingFetch("openai sdk") });
    // The Anthropic SDK appends /v1/messages itself, as with Zen's own base URL.
    anthropic = new Anthropic({ apiKey: token, baseURL: `${relay.url}/zen`, maxRetries: 0, fetch: recordingFetch("anthropic sdk") });
  });

  test("openai: chat.completions streaming", async () => {
    const stream = await openai.chat.completions.create({
      model: "big-pickle",
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 4000,
      messages: [{ role: "user", content: "hello from the openai sdk" }],
    });
    let text = "";
    let chunks = 0;
    let usage;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, "You said: hello from the openai sdk");
    assert.ok(chunks > 3);
    assert.ok(usage?.completion_tokens > 0);
    const seen = await zen.last();
    assert.equal(seen.body.max_tokens, 48);
    assert.equal(seen.headers.authorization, `Bearer ${ZEN_KEY}`);
  });

  test("openai: chat.completions non-streaming", async () => {
    const r = await openai.chat.completions.create({ model: "big-pickle", messages: [{ role: "user", content: "plain" }] });
    assert.equal(r.choices[0].message.content, "You said: plain");
  });

  test("openai: responses streaming", async () => {
    const stream = await openai.responses.create({ model: "gpt-5.1", input: "hello responses", stream: true });
    let text = "";
    let completed;
    for await (const ev of stream) {
      if (ev.type === "response.output_text.delta") text += ev.delta;
      if (ev.type === "response.completed") completed = ev.response;
    }
    assert.equal(text, "You said: hello responses");
    assert.equal(completed?.status, "completed");
    assert.equal((await zen.last()).body.max_output_tokens, 48);
  });

  test("anthropic: messages streaming (create and the stream helper)", async () => {
    const stream = await anthropic.messages.create({ model: "claude-sonnet-4-5", max_tokens: 1000, stream: true, messages: [{ role: "user", content: "hello anthropic" }] });
    let text = "";
    let stop;
    for await (const ev of stream) {
      if (ev.type === "content_block_delta" && ev.delta.type === "text_delta") text += ev.delta.text;
      if (ev.type === "message_delta") stop = ev.delta.stop_reason;
    }
    assert.equal(text, "You said: hello anthropic");
    assert.equal(stop, "end_turn");
    const seen = await zen.last();
    assert.equal(seen.body.max_tokens, 48);
    assert.equal(seen.headers["x-api-key"], ZEN_KEY);
    const final = await anthropic.messages.stream({ model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: "helper" }] }).finalMessage();
    assert.equal(final.content[0].text, "You said: helper");
  });

  test("SDKs raise the relay's refusals as their own typed errors", async () => {
    await assert.rejects(
      openai.chat.completions.create({ model: "glm-4.6", messages: [{ role: "user", content: "x" }] }),
      (e) => e instanceof OpenAI.PermissionDeniedError && e.status === 403 && e.code === "model_not_allowed",
    );
    const bad = new OpenAI({ apiKey: `${token}x`, baseURL: `${relay.url}/zen/v1`, maxRetries: 0, fetch: recordingFetch("openai sdk") });
    await assert.rejects(bad.responses.create({ model: "gpt-5.1", input: "x" }), (e) => e instanceof OpenAI.AuthenticationError && e.code === "token_bad_signature");
    await assert.rejects(
      anthropic.messages.create({ model: "claude-haiku-4-5", max_tokens: 5, messages: [{ role: "user", content: "x" }] }),
      (e) => e instanceof Anthropic.PermissionDeniedError && e.status === 403 && e.error?.error?.type === "permission_error",
    );
  });

  test("a stream broken mid-way reaches the SDK as an error, not a silent end", async () => {
    // The reset cuts an event in half; the relay ends the stream with an
    // error event, and the SDK raises (on the cut event or on the error).
    const stream = await openai.chat.completions.create({ model: "big-pickle", stream: true, messages: [{ role: "user", content: "/mock reset\nbreak me" }] });
    let text = "";
    await assert.rejects(async () => {
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
    });
    assert.match(text, /said/);
    const ms = await anthropic.messages.create({ model: "claude-sonnet-4-5", max_tokens: 20, stream: true, messages: [{ role: "user", content: "/mock reset\nbreak me" }] });
    await assert.rejects(async () => {
      for await (const _ of ms);
    });
  });

});
