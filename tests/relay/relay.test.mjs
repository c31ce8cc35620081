// The relay suite: the built Worker (worker/build) in workerd via Miniflare
// against mock-zen. One process, so the last test can scan everything every
// suite saw (response headers, bodies, SDK traffic, log lines) for the key.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { collected, stopAll, ZEN_KEY } from "./support.mjs";

import "./suites/streaming.mjs";
import "./suites/tokens.mjs";
import "./suites/limits.mjs";
import "./suites/budget.mjs";
import "./suites/faults.mjs";
import "./suites/bad_input.mjs";
import "./suites/sdks.mjs";
import "./suites/sdks_python.mjs";
import "./suites/public_mode.mjs";
import "./suites/admin.mjs";
import "./suites/logs.mjs";
import "./suites/attacks.mjs";

after(stopAll);

test("the Zen key never appears in any response header, body or log line of the suite", async () => {
  const all = await collected();
  // Meaningful volume: every suite contributed.
  assert.ok(all.length > 300, `only ${all.length} recordings`);
  const needles = [ZEN_KEY, ZEN_KEY.slice(-24), encodeURIComponent(ZEN_KEY), Buffer.from(ZEN_KEY).toString("base64")];
  for (const [label, text] of all) {
    for (const n of needles) assert.equal(text.includes(n), false, `key material in ${label}`);
  }
});
