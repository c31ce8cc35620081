// Decode throughput in Node: zenwire's StreamDecoder (wasm) against the JS
// stacks people use for the same streams. Prints one markdown table.
//
//   node bench/js/decode.mjs            (make bench-js; needs `make pkg`)
//   ZENWIRE_PKG=dir node bench/js/decode.mjs   (measure another pkg-node build)
//
// Input: the recorded streams in ../shared/fixtures/bench (outside the repo),
// restored to what the real APIs send (common.mjs). Each measurement
// hands the same bytes, cut into pieces of 4096, 64 or 7 bytes, to:
// * zenwire: StreamDecoder.push per piece (one wasm crossing each), counting
//   events, with the Node package (pkg-node/, built for speed) and, as "web
//   build", the web package (pkg/, built for size: what a page runs);
// * eventsource-parser + JSON.parse: the minimal "parse SSE, parse JSON" loop;
// * the AI SDK provider for the format (provider(model).doStream(...)), the
//   official openai-node / @anthropic-ai/sdk clients: each with a mocked
//   `fetch` answering a Response whose body streams exactly those pieces.
// The SDK columns therefore include their request set-up and web-stream
// plumbing per run: that is the cost a user of them pays per response.
import { createParser } from "eventsource-parser";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { createOpenAI } from "@ai-sdk/openai";
import { createAnthropic } from "@ai-sdk/anthropic";
import { createGoogleGenerativeAI } from "@ai-sdk/google";
import { anthropicSdk, BASE, fetchReturning, KEY, loadInputs, loadZenwire, loadZenwireWeb, measure, openaiNode } from "./common.mjs";

const PIECE_SIZES = [4096, 64, 7];

async function countParts(stream) {
  let n = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return n;
    // A pipeline that rejected the input would be measured on its error path.
    if (value.type === "error") throw new Error(`AI SDK stream error: ${JSON.stringify(value.error)}`);
    n++;
  }
}

const AI_PROMPT = [{ role: "user", content: [{ type: "text", text: "Hi" }] }];

/** The AI SDK provider pipeline for a format. */
function aiSdk(format) {
  return async (pieces) => {
    const fetch = fetchReturning(pieces);
    const model = {
      chat: () => createOpenAICompatible({ name: "zen", baseURL: BASE, apiKey: KEY, fetch }).chatModel("glm-4.6"),
      responses: () => createOpenAI({ baseURL: BASE, apiKey: KEY, fetch }).responses("gpt-5.1"),
      messages: () => createAnthropic({ baseURL: BASE, apiKey: KEY, fetch })("claude-bench"),
      gemini: () => createGoogleGenerativeAI({ baseURL: BASE, apiKey: KEY, fetch })("gemini-3-pro"),
    }[format]();
    const { stream } = await model.doStream({ prompt: AI_PROMPT });
    return countParts(stream);
  };
}

/** The minimal JS loop: bytes → text → SSE events → JSON.parse each data. */
function eventsourceParser(pieces) {
  let n = 0;
  const parser = createParser({
    onEvent(ev) {
      if (ev.data !== "[DONE]") {
        JSON.parse(ev.data);
        n++;
      }
    },
  });
  const text = new TextDecoder();
  for (const p of pieces) parser.feed(text.decode(p, { stream: true }));
  parser.feed(text.decode());
  return n;
}

function zenwireDecoder(zw, format) {
  return (pieces) => {
    const dec = new zw.StreamDecoder(format);
    let n = 0;
    for (const p of pieces) n += dec.push(p).length;
    n += dec.finish().length;
    dec.free();
    return n;
  };
}

// ----------------------------------------------------------------- main ----

const zw = await loadZenwire();
const web = await loadZenwireWeb();
const inputs = loadInputs(["openai-text.chunks.txt", "deepseek-reasoning.chunks.txt", "xai-tool-call.chunks.txt",
  "openai-reasoning-encrypted-content.1.chunks.txt", "openai-web-search-tool.1.chunks.txt",
  "anthropic-json-tool.1.chunks.txt", "anthropic-web-search-tool.1.chunks.txt", "gemini-image.sse"]);

const COLUMNS = [
  ["zenwire", (f) => (zw ? zenwireDecoder(zw, f) : undefined)],
  ["zenwire, web build", (f) => (web ? zenwireDecoder(web, f) : undefined)],
  ["eventsource-parser + JSON.parse", () => eventsourceParser],
  ["AI SDK provider", (f) => aiSdk(f)],
  ["openai-node", (f) => (f === "chat" || f === "responses" ? openaiNode(f) : undefined)],
  ["@anthropic-ai/sdk", (f) => (f === "messages" ? anthropicSdk : undefined)],
];
const AI_SDK_NAME = { chat: "openai-compatible", responses: "openai", messages: "anthropic", gemini: "google" };

const t0 = performance.now();
const rows = [];
for (const format of Object.keys(inputs)) {
  const total = inputs[format].reduce((a, i) => a + i.bytes.length, 0);
  for (const size of PIECE_SIZES) {
    const cells = [];
    for (const [name, make] of COLUMNS) {
      const run = make(format);
      if (!run) {
        cells.push(name.startsWith("zenwire") ? "missing (run make pkg)" : "–");
        continue;
      }
      const r = await measure(run, inputs[format], size);
      cells.push(r);
      process.stderr.write(`${format} ${size} B ${name}: ${r.mbps.toFixed(1)} MB/s (${r.events} events/pass)\n`);
    }
    rows.push({ format, size, total, cells });
  }
}

const fmt = (c, base) => {
  if (typeof c === "string") return c;
  const ratio = typeof base === "object" ? ` (${(c.mbps / base.mbps).toFixed(2)}×)` : "";
  return `${c.mbps.toFixed(1)}${ratio}`;
};
console.log(`\nDecode throughput, MB/s (ratio to zenwire), Node ${process.version}; one run.\n`);
console.log(`| format (bytes) | piece | ${COLUMNS.map(([n]) => n).join(" | ")} |`);
console.log(`|---|---:|${COLUMNS.map(() => "---:").join("|")}|`);
for (const r of rows) {
  const base = r.cells[0];
  console.log(`| ${r.format} (${r.total}) | ${r.size} B | ${r.cells.map((c, i) => (i === 0 ? fmt(c) : fmt(c, base))).join(" | ")} |`);
}
console.log(`\nAI SDK provider per format: ${Object.entries(AI_SDK_NAME).map(([f, p]) => `${f} → @ai-sdk/${p}`).join(", ")}.`);
console.log(`Inputs (../shared/fixtures/bench): ${Object.entries(inputs).map(([f, l]) => `${f}: ${l.map((i) => i.name).join(", ")}`).join("; ")}.`);
console.log(`Total bench time ${((performance.now() - t0) / 1000).toFixed(0)} s.`);

/** The goals from the project brief for the zenwire column `k` of each row. */
function goalsOf(k) {
  const goals = [];
  for (const r of rows) {
    const zen = r.cells[k];
    const [esp, , , anth] = r.cells.slice(2);
    if (r.size >= 64 && typeof esp === "object") goals.push([`${r.format} ${r.size} B: ≥ eventsource-parser+JSON.parse`, zen.mbps >= esp.mbps]);
    if (typeof anth === "object") goals.push([`${r.format} ${r.size} B: ≥ 3× @anthropic-ai/sdk`, zen.mbps >= 3 * anth.mbps]);
    if (r.size === 7) goals.push([`${r.format} 7 B: ≥ 20 MB/s`, zen.mbps >= 20]);
  }
  return goals;
}

// Checked when both builds were measured: the Node package's in full, the
// web build's as a count (and what it misses).
if (zw && web) {
  const goals = goalsOf(0);
  console.log(`\nGoals: ${goals.filter(([, ok]) => ok).length}/${goals.length} met.`);
  for (const [what, ok] of goals) console.log(`- ${ok ? "met" : "NOT met"}: ${what}`);
  const webGoals = goalsOf(1);
  console.log(`Web build: ${webGoals.filter(([, ok]) => ok).length}/${webGoals.length} met.`);
  for (const [what] of webGoals.filter(([, ok]) => !ok)) console.log(`- web build NOT met: ${what}`);
} else {
  console.error("\nzenwire column missing: pkg-node/ or pkg/ not found — run make pkg");
  process.exitCode = 1;
}
