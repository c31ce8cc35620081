// End to end in Node: what a user who writes `for await (const ev of
// client.stream(req))` gets, zenwire's ZenClient against the official SDK
// clients, in one run. Prints one markdown table.
//
//   node bench/js/client.mjs            (make bench-js; needs `make pkg`)
//   ZENWIRE_PKG=dir node bench/js/client.mjs   (measure another pkg-node build)
//
// Every pipeline gets the same recorded body (one per format, restored to
// what the real API sends, see common.mjs) through an injected `fetch` whose
// Response streams it in the same pieces of 64–4096 B (a fixed pseudo-random
// sequence of sizes), and counts every event to the end of the stream:
// * zenwire ZenClient.stream: `new ZenClient({fetch})`, then `for await` over
//   `client.stream(request)`, with the Node package (pkg-node/, built for
//   speed) and, as "web build", with the web package (pkg/, built for size:
//   what a page downloads and runs);
// * zenwire StreamDecoder.push: the loop a user writes around the decoder
//   with the same fetch: `response.body.getReader()`, `push` per read,
//   `finish` (no request building, retries or timeouts);
// * openai-node `chat.completions.create({stream: true})` /
//   `responses.create({stream: true})`, @anthropic-ai/sdk
//   `messages.create({stream: true})`, each `for await` over the stream.
// Every column includes its request set-up per response: the cost a user pays.
// The pipelines of a format are measured interleaved (common.mjs,
// measureInterleaved): each figure is the best of 25 slices of 40 ms.
import { anthropicSdk, BASE, countIter, fetchReturning, KEY, loadInputs, loadZenwire, loadZenwireWeb, measureInterleaved, openaiNode } from "./common.mjs";

const PIECES = [64, 4096];
/** The model ZenClient is asked for, per format (built-in catalog). */
const MODEL = { chat: "glm-4.6", responses: "gpt-5.1", messages: "claude-haiku-4-5" };

function zenClientStream(zw, format) {
  return (pieces) => {
    const client = new zw.ZenClient({ baseUrl: BASE, apiKey: KEY, fetch: fetchReturning(pieces), maxRetries: 0 });
    return countIter(client.stream({ model: MODEL[format], messages: [{ role: "user", content: "Hi" }] }));
  };
}

function decoderLoop(zw, format) {
  return async (pieces) => {
    const response = await fetchReturning(pieces)();
    const reader = response.body.getReader();
    const dec = new zw.StreamDecoder(format);
    let n = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      n += dec.push(value).length;
    }
    n += dec.finish().length;
    dec.free();
    return n;
  };
}

const zw = await loadZenwire();
const web = await loadZenwireWeb();
if (!zw || !web) {
  console.error("pkg-node/zenwire.js or pkg/zenwire.js not found — run make pkg");
  process.exit(1);
}
// The issue's recordings: one body per format.
const inputs = loadInputs(["openai-text.chunks.txt", "openai-reasoning-encrypted-content.1.chunks.txt", "anthropic-web-search-tool.1.chunks.txt"]);
const COLUMNS = [
  ["zenwire ZenClient.stream", (f) => zenClientStream(zw, f)],
  ["zenwire StreamDecoder.push", (f) => decoderLoop(zw, f)],
  ["zenwire ZenClient.stream, web build", (f) => zenClientStream(web, f)],
  ["openai-node", (f) => (f === "messages" ? undefined : openaiNode(f))],
  ["@anthropic-ai/sdk", (f) => (f === "messages" ? anthropicSdk : undefined)],
];

const t0 = performance.now();
const rows = [];
for (const [format, list] of Object.entries(inputs)) {
  const columns = COLUMNS.map(([name, make]) => [name, make(format)]);
  const measured = await measureInterleaved(columns.filter(([, run]) => run).map(([, run]) => run), list, PIECES);
  const cells = columns.map(([name, run]) => {
    if (!run) return "–";
    const r = measured.shift();
    process.stderr.write(`${format} ${name}: ${r.mbps.toFixed(1)} MB/s (${r.events} events/pass)\n`);
    return r;
  });
  rows.push({ format, name: list[0].name, bytes: list[0].bytes.length, cells });
}

const fmt = (c, base) => (typeof c === "string" ? c : `${c.mbps.toFixed(1)}${base ? ` (${(c.mbps / base.mbps).toFixed(2)}×)` : ""}`);
console.log(`\nEnd to end, MB/s (ratio to ZenClient.stream), pieces of ${PIECES[0]}–${PIECES[1]} B, Node ${process.version}; one run, pipelines interleaved, best of 25 slices.\n`);
console.log(`| format (recording, bytes) | ${COLUMNS.map(([n]) => n).join(" | ")} |`);
console.log(`|---|${COLUMNS.map(() => "---:").join("|")}|`);
for (const r of rows) {
  const [zen] = r.cells;
  console.log(`| ${r.format} (${r.name}, ${r.bytes}) | ${r.cells.map((c, i) => fmt(c, i === 0 ? undefined : zen)).join(" | ")} |`);
}
console.log(`Total bench time ${((performance.now() - t0) / 1000).toFixed(0)} s.`);

// The issue's goals: ≥ 3× the official SDK of the format, within 2× of the decoder loop.
const goals = [];
// Not a goal, said beside them: what a page gets from the size-built package.
const forPages = [];
for (const r of rows) {
  const [zen, push, web, openai, anthropic] = r.cells;
  const sdk = typeof openai === "object" ? ["openai-node", openai] : ["@anthropic-ai/sdk", anthropic];
  goals.push([`${r.format}: ZenClient.stream ≥ 3× ${sdk[0]} (${(zen.mbps / sdk[1].mbps).toFixed(2)}×)`, zen.mbps >= 3 * sdk[1].mbps]);
  goals.push([`${r.format}: ZenClient.stream within 2× of StreamDecoder.push (${(push.mbps / zen.mbps).toFixed(2)}×)`, 2 * zen.mbps >= push.mbps]);
  forPages.push(`- web build, ${r.format}: ZenClient.stream ${(web.mbps / sdk[1].mbps).toFixed(2)}× ${sdk[0]}`);
}
console.log(`\nGoals: ${goals.filter(([, ok]) => ok).length}/${goals.length} met.`);
for (const [what, ok] of goals) console.log(`- ${ok ? "met" : "NOT met"}: ${what}`);
for (const line of forPages) console.log(line);
