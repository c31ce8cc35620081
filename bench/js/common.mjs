// What the JS benchmarks share: the recorded inputs (restored to what the
// real APIs send), cutting them into pieces, a fetch that answers with those
// pieces as a streaming body, the zenwire build under test, the official SDK
// pipelines and the timing loop.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const benchDir = join(repoRoot, "../shared/fixtures/bench");
const MIN_MEASURE_MS = Number(process.env.BENCH_MIN_MS ?? 800);
// Long enough for V8 to finish tiering up (wasm from Liftoff to TurboFan, JS
// to its optimizing tier) on a loaded 2-core machine: with 100 ms the first
// row measured zenwire at ~0.75 of its steady speed.
const WARMUP_MS = 500;

export const KEY = "sk-bench";
export const BASE = "http://bench.invalid/v1";

// ---------------------------------------------------------------- input ----

/** Which wire format a recording is, from its first payload. */
function formatOf(name, firstLine) {
  if (name.endsWith(".sse")) return "gemini";
  const first = JSON.parse(firstLine);
  if (first.object === "chat.completion.chunk") return "chat";
  if (typeof first.type === "string" && first.type.startsWith("response.")) return "responses";
  if (first.type === "message_start") return "messages";
  throw new Error(`${name}: cannot tell its wire format`);
}

/** Wire-like SSE for a `.chunks.txt` (one JSON payload per line): chat →
 *  `data: L` … `data: [DONE]`; Responses / Anthropic → `event: <type>` +
 *  `data: L`, as the real APIs send them. `.sse` files are used as is. */
function wireBytes(text, format) {
  if (format === "gemini") return Buffer.from(text);
  let out = "";
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    out += format === "chat" ? `data: ${line}\n\n` : `event: ${JSON.parse(line).type}\ndata: ${line}\n\n`;
  }
  if (format === "chat") out += "data: [DONE]\n\n";
  return Buffer.from(out);
}

/** The named recordings of ../shared/fixtures/bench as wire bytes, grouped
 *  by format: `{chat: [{name, bytes}], …}` (formats without one are absent). */
export function loadInputs(names) {
  if (!existsSync(benchDir)) throw new Error(`${benchDir} not found (the shared recorded fixtures)`);
  const byFormat = {};
  for (const name of names) {
    const text = readFileSync(join(benchDir, name), "utf8");
    const format = formatOf(name, text.slice(0, text.indexOf("\n")));
    (byFormat[format] ??= []).push({ name, bytes: wireBytes(text, format) });
  }
  return byFormat;
}

/** `bytes` in pieces of `size` bytes, or, for `size` = [min, max], of sizes
 *  drawn in that range from a fixed pseudo-random sequence (the same pieces
 *  on every run and for every pipeline). */
export function cut(bytes, size) {
  const out = [];
  let seed = 0x2545f491;
  const next = () => {
    if (typeof size === "number") return size;
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return size[0] + (seed % (size[1] - size[0] + 1));
  };
  for (let i = 0; i < bytes.length; ) {
    const n = next();
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

// ------------------------------------------------------------ pipelines ----

/** The zenwire build under test (pkg-node/, or ZENWIRE_PKG to compare
 *  another build), or undefined when it was not built. */
export async function loadZenwire() {
  const file = join(resolve(process.env.ZENWIRE_PKG ?? join(repoRoot, "pkg-node")), "zenwire.js");
  if (!existsSync(file)) return undefined;
  const mod = await import(pathToFileURL(file).href);
  return typeof mod.StreamDecoder === "function" ? mod : mod.default;
}

/** The web package (pkg/, built for size: what a page downloads) loaded in
 *  Node, or undefined when it was not built. */
export async function loadZenwireWeb() {
  const dir = join(repoRoot, "pkg");
  if (!existsSync(join(dir, "zenwire.js"))) return undefined;
  const mod = await import(pathToFileURL(join(dir, "zenwire.js")).href);
  mod.initSync({ module: readFileSync(join(dir, "zenwire_bg.wasm")) });
  return mod;
}

/** A fetch that answers every request with `pieces` as a streaming body,
 *  one piece per read. */
export function fetchReturning(pieces) {
  return async () => {
    let i = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (i < pieces.length) controller.enqueue(pieces[i++]);
        else controller.close();
      },
    });
    return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
  };
}

/** How many items an async iterable yields. */
export async function countIter(iterable) {
  let n = 0;
  for await (const _ of iterable) n++;
  return n;
}

/** openai-node (chat / responses) with an injected fetch: `create({stream: true})`. */
export function openaiNode(format) {
  return async (pieces) => {
    const client = new OpenAI({ apiKey: KEY, baseURL: BASE, fetch: fetchReturning(pieces), maxRetries: 0 });
    const stream =
      format === "chat"
        ? await client.chat.completions.create({ model: "glm-4.6", messages: [{ role: "user", content: "Hi" }], stream: true })
        : await client.responses.create({ model: "gpt-5.1", input: "Hi", stream: true });
    return countIter(stream);
  };
}

/** @anthropic-ai/sdk with an injected fetch: `messages.create({stream: true})`. */
export async function anthropicSdk(pieces) {
  const client = new Anthropic({ apiKey: KEY, baseURL: BASE, fetch: fetchReturning(pieces), maxRetries: 0 });
  const stream = await client.messages.create({
    model: "claude-bench",
    max_tokens: 1024,
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
  });
  return countIter(stream);
}

// ----------------------------------------------------------- measurement ----

/** MB/s (10⁶ bytes) of `run` over every input, each cut with `size` (see
 *  `cut`), after a warm-up; repeats whole passes until MIN_MEASURE_MS
 *  elapsed. `events` is what one pass counted. */
export async function measure(run, inputs, size) {
  const split = inputs.map((i) => cut(i.bytes, size));
  const bytesPerPass = inputs.reduce((a, i) => a + i.bytes.length, 0);
  const pass = async () => {
    let events = 0;
    for (const pieces of split) events += await run(pieces);
    return events;
  };
  let events = 0;
  for (let t0 = performance.now(); performance.now() - t0 < WARMUP_MS; ) events = await pass();
  if (events === 0) throw new Error("decoded no events");
  let passes = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < MIN_MEASURE_MS) {
    await pass();
    passes++;
    elapsed = performance.now() - t0;
  }
  return { mbps: (bytesPerPass * passes) / 1e6 / (elapsed / 1000), events };
}

/**
 * MB/s of each of `runs` over `inputs` cut with `size`, measured
 * interleaved: after a warm-up, `rounds` rounds each give every pipeline
 * (in turn, the order rotating) a slice of `sliceMs` of whole passes; a
 * pipeline's figure is its best slice. A burst of load on a shared machine
 * then costs a slice, not a whole pipeline's measurement, and every
 * pipeline sees the same conditions. `events` is what one pass counted.
 */
export async function measureInterleaved(runs, inputs, size, { rounds = 25, sliceMs = 40 } = {}) {
  const split = inputs.map((i) => cut(i.bytes, size));
  const bytesPerPass = inputs.reduce((a, i) => a + i.bytes.length, 0);
  const pass = async (run) => {
    let events = 0;
    for (const pieces of split) events += await run(pieces);
    return events;
  };
  const results = [];
  for (const run of runs) {
    let events = 0;
    for (let t0 = performance.now(); performance.now() - t0 < WARMUP_MS; ) events = await pass(run);
    if (events === 0) throw new Error("decoded no events");
    results.push({ mbps: 0, events });
  }
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < runs.length; k++) {
      const i = (k + round) % runs.length;
      let passes = 0;
      const t0 = performance.now();
      let elapsed = 0;
      while (elapsed < sliceMs) {
        await pass(runs[i]);
        passes++;
        elapsed = performance.now() - t0;
      }
      results[i].mbps = Math.max(results[i].mbps, (bytesPerPass * passes) / 1e6 / (elapsed / 1000));
    }
  }
  return results;
}
