// The official `openai` and `anthropic` PyPI packages against the relay over
// loopback HTTP (tests/relay/sdks_python.py), from the venv scripts/setup
// makes in .venv/. Their output goes through the collector like every other
// response, so the key scan covers it too.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { startRelay, mintAdmin, mockZen, record, ZEN_KEY } from "../support.mjs";

const PYTHON = ".venv/bin/python";

describe("official Python SDKs", { timeout: 90_000 }, () => {
  let relay, token, zen;
  before(async () => {
    zen = await mockZen();
    relay = await startRelay("sdks-python");
    token = await mintAdmin(relay, { sub: "py-user", maxOutputTokens: 48, models: ["big-pickle", "gpt-5.1", "claude-sonnet-4-5"] });
  });

  test("openai (chat, responses) and anthropic (messages, stream helper) stream through the relay", async () => {
    assert.ok(existsSync(PYTHON), `${PYTHON} missing: run scripts/setup`);
    const before = (await zen.requests()).length;
    const child = spawn(PYTHON, ["tests/relay/sdks_python.py"], {
      env: { PATH: process.env.PATH, RELAY_URL: relay.url, RELAY_TOKEN: token },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const code = await new Promise((res) => child.on("close", res));
    record("python sdks stdout", out);
    record("python sdks stderr", err);
    assert.equal(code, 0, `python exited ${code}\n${out}\n${err}`);
    const checks = out.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(
      checks.map((c) => c.check),
      ["openai chat stream", "openai responses stream", "openai responses status", "anthropic messages stream", "anthropic stop reason", "anthropic stream helper", "openai refusal"],
    );
    assert.ok(checks.every((c) => c.ok));
    // Four streams reached mock-zen with the Zen key (the refusal did not).
    const seen = (await zen.requests()).slice(before);
    assert.equal(seen.length, 4, JSON.stringify(seen.map((q) => q.path)));
    for (const q of seen) {
      assert.ok(q.headers.authorization === `Bearer ${ZEN_KEY}` || q.headers["x-api-key"] === ZEN_KEY, q.path);
      assert.equal(q.completed, true, q.path);
    }
    // The relay clamped each output cap to the token's 48 (the helper asked for 10).
    const caps = seen.map((q) => q.body.max_tokens ?? q.body.max_output_tokens ?? q.body.max_completion_tokens);
    assert.deepEqual(caps, [48, 48, 48, 10]);
  });
});
