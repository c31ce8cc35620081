// make bench-relay: what the relay adds over a bare JavaScript Worker that
// pumps the same upstream body through an IdentityTransformStream (the least
// any streaming Worker does), measured in the same run against one mock-zen
// without pacing, loopback only:
//
// * first byte and total, p50 — both Workers in ONE Miniflare (one workerd),
//   requests interleaved one by one, so both see the same load and the same
//   harness hop (Node → Miniflare's entry worker → the Worker);
// * workerd CPU per streamed request — the same Miniflare, alternating blocks
//   of requests to each Worker, CPU read from /proc/<workerd>/task/*/schedstat
//   (nanoseconds on CPU, all threads) around each block; the relay's blocks
//   include both limiter calls (acquire before forwarding, settle after the
//   stream) because each block waits until the limiter is idle;
// * RSS growth per stream over BENCH_STREAMS streams — one Miniflare per
//   Worker (so each workerd's RSS is its own), batches of BENCH_CONCURRENT
//   concurrent streams alternating between the two; also over the second
//   half of the batches alone (per-stream retention shows there too, a heap
//   still settling at a larger size does not).
//
// The three "added" figures are relay − bare. Wall-clock figures are noisy on
// a shared machine; the CPU and RSS figures are counters. BENCH_STAGES=1 adds
// the relay's CPU by where a request stops.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, readdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { loadavg } from "node:os";
import { Miniflare } from "miniflare";
import { relayWorker, mintLocal, ADMIN_SECRET, ZEN_KEY } from "./support.mjs";

const N = Number(process.env.BENCH_N ?? 400);
const CPU_BLOCKS = Number(process.env.BENCH_CPU_BLOCKS ?? 8);
const CPU_BLOCK = Number(process.env.BENCH_CPU_BLOCK ?? 100);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 200);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 3000);
const STAGES = process.env.BENCH_STAGES === "1";

// ---- mock-zen, without pacing --------------------------------------------
const mz = spawn("target/debug/mock-zen", ["--port", "0", "--quiet", "--delay-ms", "0", "--key", ZEN_KEY], { stdio: ["ignore", "pipe", "inherit"] });
// However the run ends (a failed start included), mock-zen goes with it.
process.on("exit", () => mz.kill("SIGTERM"));
const [line] = await once(createInterface({ input: mz.stdout }), "line");
const zenBase = line.match(/http:\/\/127\.0\.0\.1:\d+/)[0];

// ---- the two Workers -----------------------------------------------------
// The baseline: forwards the client's body to the same upstream endpoint with
// the same key, and pumps the answer through an IdentityTransformStream from
// a waitUntil task, chunk by chunk (what the relay does, minus its policy).
const BARE = `export default { async fetch(req, env, ctx) {
  const up = await fetch(env.UPSTREAM + "/chat/completions", { method: "POST", body: await req.arrayBuffer(),
    headers: { "content-type": "application/json", authorization: "Bearer " + env.KEY } });
  const { readable, writable } = new IdentityTransformStream();
  ctx.waitUntil((async () => {
    const w = writable.getWriter(), r = up.body.getReader();
    for (;;) { const { value, done } = await r.read(); if (done) break; await w.write(value); }
    await w.close();
  })());
  return new Response(readable, { status: up.status, headers: { "content-type": up.headers.get("content-type") } });
} }`;
const bareWorker = (name) => ({ name, modules: true, script: BARE, compatibilityDate: "2026-04-01", bindings: { UPSTREAM: `${zenBase}/zen/v1`, KEY: ZEN_KEY } });
const relayVars = { ZEN_UPSTREAM: `${zenBase}/zen/v1`, IDLE_TIMEOUT_MS: "20000", FIRST_BYTE_TIMEOUT_MS: "10000" };
// A budgeted token, as a real deployment hands out (free model: the
// reservation and the settlement still run; the concurrency claim admits
// the concurrent batches).
const token = mintLocal({ sub: "bench", maxOutputTokens: 64, budgetUsdPerDay: "1000", concurrency: 10000 });
const viaRelay = { authorization: `Bearer ${token}` };

async function start(workers) {
  // workerd's stdout/stderr (the relay's log lines) are drained, not
  // printed: an undrained pipe would stall workerd once it fills.
  const mf = new Miniflare({ cf: false, workers, handleRuntimeStdio: (out, err) => (out.resume(), err.resume()) });
  const url = String(await mf.ready).replace(/\/$/, "");
  return { mf, url, pid: workerdOf(mf) };
}

// The workerd serving a Miniflare: the one child of this process that is new.
const known = new Set();
function workerdOf() {
  const procs = readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map((pid) => {
      try {
        const [, comm, rest] = readFileSync(`/proc/${pid}/stat`, "utf8").match(/^\d+ \((.*)\) (.*)$/s);
        return { pid: Number(pid), comm, ppid: Number(rest.split(" ")[1]) };
      } catch {
        return null;
      }
    })
    .filter(Boolean);
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) if (!mine.has(p.pid) && mine.has(p.ppid)) (mine.add(p.pid), (grew = true));
  }
  const fresh = procs.filter((p) => mine.has(p.pid) && p.comm.startsWith("workerd") && !known.has(p.pid));
  if (fresh.length !== 1) throw new Error(`expected one new workerd below this process, found ${JSON.stringify(fresh)}`);
  known.add(fresh[0].pid);
  return fresh[0].pid;
}
const cpuNs = (pid) =>
  readdirSync(`/proc/${pid}/task`).reduce((sum, t) => {
    try {
      return sum + Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      return sum; // a thread that ended between the listing and the read
    }
  }, 0);
const rssKiB = (pid) => Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1]);

const body = JSON.stringify({ model: "big-pickle", stream: true, messages: [{ role: "user", content: "benchmark hello" }] });
/** One streamed chat request to `worker` of `m`, read to the end. */
async function one(m, worker, headers = {}) {
  const t0 = performance.now();
  const r = await fetch(`${m.url}/zen/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "accept-encoding": "identity", "MF-Route-Override": worker, ...headers },
    body,
  });
  const reader = r.body.getReader();
  const dec = new TextDecoder();
  let ttfb = null;
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    ttfb ??= performance.now() - t0;
    text += dec.decode(value, { stream: true });
  }
  if (r.status !== 200 || !text.includes("[DONE]")) throw new Error(`${worker}: status ${r.status}: ${text.slice(0, 200)}`);
  return { ttfb, total: performance.now() - t0 };
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

const load0 = loadavg()[0];

// ---- latency and CPU: both Workers in one Miniflare ----------------------
const both = await start([await relayWorker("relay", relayVars), bareWorker("bare")]);
const admin = { authorization: `Bearer ${ADMIN_SECRET}`, "MF-Route-Override": "relay" };
const inFlight = async (m) => (await (await fetch(`${m.url}/admin/usage?sub=sub:bench`, { headers: admin })).json()).inFlight;
// The relay settles after the stream ended (a waitUntil task). A block's CPU
// is read SETTLE_MS after its last response, so it holds its own requests'
// settle calls; checked (outside the measured window) before the next block.
const SETTLE_MS = 50;
const settled = async () => {
  for (let i = 0; i < 200; i++) {
    if ((await inFlight(both)) === 0) return;
    await sleep(5);
  }
  throw new Error("the relay did not settle");
};
for (let i = 0; i < 50; i++) {
  await one(both, "bare");
  await one(both, "relay", viaRelay);
}
const lat = { bare: [], relay: [] };
for (let i = 0; i < N; i++) {
  // Alternate which goes first, so neither always follows the other.
  const order = i % 2 ? ["bare", "relay"] : ["relay", "bare"];
  for (const w of order) lat[w].push(await one(both, w, w === "relay" ? viaRelay : {}));
}
const cpu = { bare: [], relay: [] };
for (let b = 0; b < CPU_BLOCKS; b++) {
  for (const w of b % 2 ? ["bare", "relay"] : ["relay", "bare"]) {
    await settled();
    const c0 = cpuNs(both.pid);
    for (let i = 0; i < CPU_BLOCK; i++) await one(both, w, w === "relay" ? viaRelay : {});
    await sleep(SETTLE_MS);
    cpu[w].push((cpuNs(both.pid) - c0) / 1e6 / CPU_BLOCK);
  }
}

// Where the relay's CPU goes: requests that stop at each stage.
const stages = [];
if (STAGES) {
  const post = (headers, b = body) =>
    fetch(`${both.url}/zen/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", "accept-encoding": "identity", "MF-Route-Override": "relay", ...headers }, body: b }).then((r) => r.text());
  const denied = { authorization: `Bearer ${mintLocal({ sub: "bench-denied", rpm: 0 })}` };
  for (const [name, send] of [
    ["`GET /healthz` (floor: entry worker + HTTP + Worker dispatch)", () => fetch(`${both.url}/healthz`, { headers: { "MF-Route-Override": "relay" } }).then((r) => r.text())],
    ["refused after token check and body policy, before the limiter (403 model)", () => post(viaRelay, body.replace("big-pickle", "glm-4.6-x"))],
    ["refused by the limiter (one Durable Object call, 429)", () => post(denied)],
    ["full streamed request (limiter, upstream, usage tap, settle)", () => post(viaRelay)],
  ]) {
    for (let i = 0; i < 20; i++) await send();
    await settled();
    const c0 = cpuNs(both.pid);
    for (let i = 0; i < N; i++) await send();
    await sleep(SETTLE_MS);
    stages.push([name, (cpuNs(both.pid) - c0) / 1e6 / N]);
  }
}
await both.mf.dispose();

// ---- RSS: one workerd per Worker, batches alternating --------------------
const memRelay = await start([await relayWorker("relay", relayVars)]);
const memBare = await start([bareWorker("bare")]);
async function batch(m, w) {
  const res = await Promise.allSettled(Array.from({ length: CONCURRENT }, () => one(m, w, w === "relay" ? viaRelay : {})));
  return res.filter((x) => x.status === "rejected").length;
}
const errors = { bare: 0, relay: 0 };
// One warm-up batch each (JIT, connection pools, the heap's first growth).
for (const [m, w] of [[memRelay, "relay"], [memBare, "bare"]]) errors[w] += await batch(m, w);
const rss0 = { relay: rssKiB(memRelay.pid), bare: rssKiB(memBare.pid) };
const series = { relay: [rss0.relay], bare: [rss0.bare] };
for (let done = 0; done < STREAMS; done += CONCURRENT) {
  for (const [m, w] of done % (2 * CONCURRENT) ? [[memBare, "bare"], [memRelay, "relay"]] : [[memRelay, "relay"], [memBare, "bare"]]) {
    errors[w] += await batch(m, w);
    series[w].push(rssKiB(m.pid));
  }
}
await sleep(SETTLE_MS);
const relayUsage = await fetch(`${memRelay.url}/admin/usage?sub=sub:bench`, { headers: admin }).then((r) => r.json());
await memRelay.mf.dispose();
await memBare.mf.dispose();
const streams = Math.ceil(STREAMS / CONCURRENT) * CONCURRENT;
// RSS growth per stream from the reading after `from` batches to the last (KiB → kB).
const growthKB = (w, from = 0) => ((series[w].at(-1) - series[w][from]) * 1.024) / ((series[w].length - 1 - from) * CONCURRENT);
// Where the second half of the batches starts (see the header).
const half = Math.floor((series.relay.length - 1) / 2);

// ---- the table -----------------------------------------------------------
const f = (x, d = 2) => x.toFixed(d);
const p50 = (w, k) => pct(lat[w].map((x) => x[k]), 50);
const addedTtfb = p50("relay", "ttfb") - p50("bare", "ttfb");
const cpuRelay = median(cpu.relay), cpuBare = median(cpu.bare);
const diffs = cpu.relay.map((c, i) => c - cpu.bare[i]);
const addedCpu = median(diffs);
const addedRss = growthKB("relay") - growthKB("bare");
const mib = (k) => (k / 1024).toFixed(1);
console.log(`
### Relay benchmark: relay vs a bare JavaScript Worker (IdentityTransformStream pump), same run

Load average (1 min) at start / end: ${f(load0)} / ${f(loadavg()[0])}. mock-zen without pacing, loopback,
streamed chat requests (\`big-pickle\`, budgeted token).

| measure | bare JS Worker | relay | **added (relay − bare)** | goal |
|---|---|---|---|---|
| first byte, p50 (${N} each, interleaved) | ${f(p50("bare", "ttfb"))} ms | ${f(p50("relay", "ttfb"))} ms | **${f(addedTtfb)} ms** | ≤ 0.5 ms |
| total, p50 | ${f(p50("bare", "total"))} ms | ${f(p50("relay", "total"))} ms | ${f(p50("relay", "total") - p50("bare", "total"))} ms | |
| workerd CPU per streamed request (median of ${CPU_BLOCKS} blocks of ${CPU_BLOCK}; relay: both limiter calls) | ${f(cpuBare, 3)} ms | ${f(cpuRelay, 3)} ms | **${f(addedCpu, 3)} ms** | ≤ 1.0 ms |
| RSS growth per stream over ${streams} streams (${CONCURRENT} concurrent) | ${f(growthKB("bare"), 1)} kB | ${f(growthKB("relay"), 1)} kB | **${f(addedRss, 1)} kB** | ≤ 5 kB |

* CPU per block, ms per request — relay: ${cpu.relay.map((x) => f(x, 3)).join(" ")}; bare: ${cpu.bare.map((x) => f(x, 3)).join(" ")}; added per block pair: ${diffs.map((x) => f(x, 3)).join(" ")}
* first byte p90 — bare ${f(pct(lat.bare.map((x) => x.ttfb), 90))} ms, relay ${f(pct(lat.relay.map((x) => x.ttfb), 90))} ms
* RSS growth per stream over the second half (${(series.relay.length - 1 - half) * CONCURRENT} streams) — relay ${f(growthKB("relay", half), 1)} kB, bare ${f(growthKB("bare", half), 1)} kB
* RSS (MiB) after warm-up, then after each batch — relay: ${series.relay.map(mib).join(" / ")}; bare: ${series.bare.map(mib).join(" / ")}
* stream errors — relay ${errors.relay}, bare ${errors.bare}; relay limiter afterwards: ${relayUsage.inFlight} in flight, ${relayUsage.requests} admitted
${stages.length ? `\n| relay: workerd CPU per request, by where the request stops | ms |\n|---|---|\n${stages.map(([n, v]) => `| ${n} | ${f(v, 3)} |`).join("\n")}\n` : ""}
ADDED first-byte p50 ${f(addedTtfb)} ms | ADDED CPU per streamed request ${f(addedCpu, 3)} ms | ADDED RSS per stream ${f(addedRss, 1)} kB
`);
mz.kill("SIGTERM");
if (errors.relay || errors.bare || relayUsage.inFlight) process.exit(1);
