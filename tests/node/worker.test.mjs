// The web build inside a Cloudflare Worker (Miniflare 4 / workerd): the
// `import wasm from "./zenwire_bg.wasm"; initSync({ module: wasm })` path the
// spec documents for Workers, decoding a stream and calling mock-zen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { webPkgDir } from "./support/pkg.mjs";
import { startMockZen, MOCK_KEY } from "./support/mock-zen.mjs";

const WORKER = `
import wasm from "./zenwire_bg.wasm";
import { initSync, StreamDecoder, ZenClient } from "./zenwire.js";
initSync({ module: wasm });

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/decode") {
      // Decode the posted SSE body in 7-byte pieces, as a network would split it.
      const format = url.searchParams.get("format");
      const bytes = new Uint8Array(await request.arrayBuffer());
      const dec = new StreamDecoder(format);
      const events = [];
      for (let i = 0; i < bytes.length; i += 7) events.push(...dec.push(bytes.subarray(i, i + 7)));
      events.push(...dec.finish());
      const message = dec.message();
      dec.free();
      return Response.json({ events, message });
    }
    if (url.pathname === "/chat") {
      const client = new ZenClient({ baseUrl: env.ZEN_BASE_URL, apiKey: env.ZEN_KEY, fetch: (u, i) => fetch(u, i) });
      const stream = client.stream({ model: "claude-haiku-4-5", messages: [{ role: "user", content: "from a worker" }] });
      const types = [];
      for await (const ev of stream) types.push(ev.type);
      return Response.json({ types, message: stream.message() });
    }
    return new Response("not found", { status: 404 });
  },
};
`;

/** Every .js (ES module) and .wasm (compiled module) file under pkg/. */
function packageModules() {
  const out = [];
  for (const rel of readdirSync(webPkgDir, { recursive: true }).map(String).sort()) {
    const path = join(webPkgDir, rel);
    if (rel.endsWith(".js")) out.push({ type: "ESModule", path, contents: readFileSync(path, "utf8") });
    else if (rel.endsWith(".wasm")) out.push({ type: "CompiledWasm", path, contents: readFileSync(path) });
  }
  return out;
}

let mf;
let zen;
before(async () => {
  for (const f of ["zenwire.js", "zenwire_bg.wasm"]) {
    if (!existsSync(join(webPkgDir, f))) throw new Error(`${join(webPkgDir, f)} is missing: run make pkg`);
  }
  zen = await startMockZen();
  mf = new Miniflare({
    cf: false,
    compatibilityDate: "2026-04-01",
    // The worker lives (virtually) next to the package, so its relative
    // imports resolve exactly as in a deployed Worker bundle; every module of
    // the package (zenwire.js, its snippets/, the .wasm) goes in as is.
    modules: [{ type: "ESModule", path: join(webPkgDir, "__test_worker.mjs"), contents: WORKER }, ...packageModules()],
    modulesRoot: webPkgDir,
    bindings: { ZEN_BASE_URL: zen.baseUrl, ZEN_KEY: MOCK_KEY },
  });
  try {
    await mf.ready;
  } catch (err) {
    // Do not leave a half-started workerd behind (it would keep the run alive).
    const failed = mf;
    mf = undefined;
    await failed.dispose().catch(() => {});
    throw err;
  }
});
after(async () => {
  try {
    await mf?.dispose();
  } finally {
    await zen?.stop();
  }
});

test("StreamDecoder runs in a Worker after initSync({module})", async () => {
  const sse = [
    `data: {"id":"c1","object":"chat.completion.chunk","model":"glm-4.6","choices":[{"index":0,"delta":{"content":"Grüße "},"finish_reason":null}]}`,
    `data: {"id":"c1","object":"chat.completion.chunk","model":"glm-4.6","choices":[{"index":0,"delta":{"content":"aus workerd"},"finish_reason":"stop"}]}`,
    `data: {"id":"c1","object":"chat.completion.chunk","model":"glm-4.6","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}`,
    `data: [DONE]`,
  ]
    .map((l) => `${l}\n\n`)
    .join("");
  const res = await mf.dispatchFetch("http://worker/decode?format=chat", { method: "POST", body: sse });
  assert.equal(res.status, 200, await res.clone().text());
  const { events, message } = await res.json();
  assert.deepEqual(
    events.filter((e) => e.type === "textDelta"),
    [
      { type: "textDelta", choice: 0, text: "Grüße " },
      { type: "textDelta", choice: 0, text: "aus workerd" },
    ],
  );
  assert.equal(events.filter((e) => e.type === "finish").at(-1).reason, "stop");
  assert.equal(message.choices[0].text, "Grüße aus workerd");
  assert.equal(message.usage.inputTokens, 9);
});

test("ZenClient streams from mock-zen inside a Worker", async () => {
  const res = await mf.dispatchFetch("http://worker/chat");
  assert.equal(res.status, 200, await res.clone().text());
  const { types, message } = await res.json();
  assert.ok(types.includes("textDelta"));
  assert.ok(types.includes("cost"));
  assert.equal(message.choices[0].text, "You said: from a worker");
  const req = await zen.lastRequest();
  assert.equal(req.path, "/zen/v1/messages");
  assert.equal(req.headers["x-api-key"], MOCK_KEY);
});
