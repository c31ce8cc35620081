// make bench-relay: latency through the relay vs directly to mock-zen (same
// run, same mock-zen), workerd CPU per request from /proc, and 200
// concurrent streams (errors, workerd RSS before/after). Loopback only.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, readdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { startRelay, stopAll, mintLocal, ZEN_KEY } from "./support.mjs";

const N = Number(process.env.BENCH_N ?? 300);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 200);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 6);
const CLK_TCK = 100; // Linux USER_HZ

// A mock-zen without pacing, so the numbers are the relay's, not the pauses.
const mz = spawn("target/debug/mock-zen", ["--port", "0", "--quiet", "--delay-ms", "0", "--key", ZEN_KEY], { stdio: ["ignore", "pipe", "inherit"] });
// However the run ends (a failed start included), mock-zen goes with it.
process.on("exit", () => mz.kill("SIGTERM"));
const [line] = await once(createInterface({ input: mz.stdout }), "line");
const zenBase = line.match(/http:\/\/127\.0\.0\.1:\d+/)[0];
const relay = await startRelay("bench", { ZEN_UPSTREAM: `${zenBase}/zen/v1` });
const token = mintLocal({ sub: "bench", maxOutputTokens: 64 });

// The workerd serving this Miniflare: a descendant of this process.
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
const workerd = procs.filter((p) => mine.has(p.pid) && p.comm.startsWith("workerd"));
if (workerd.length !== 1) {
  await stopAll();
  mz.kill("SIGTERM");
  throw new Error(`expected one workerd below this process, found ${JSON.stringify(workerd)} in ${[...mine]}`);
}
const wpid = workerd[0].pid;
const cpuTicks = () => {
  const rest = readFileSync(`/proc/${wpid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return Number(rest[11]) + Number(rest[12]); // utime + stime (fields 14, 15)
};
const rssKiB = () => Number(readFileSync(`/proc/${wpid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1]);

const body = JSON.stringify({ model: "big-pickle", stream: true, messages: [{ role: "user", content: "benchmark hello" }] });
async function one(base, headers) {
  const t0 = performance.now();
  const r = await fetch(`${base}/zen/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", "accept-encoding": "identity", ...headers }, body });
  const reader = r.body.getReader();
  let ttfb = null;
  let text = "";
  const dec = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    ttfb ??= performance.now() - t0;
    text += dec.decode(value, { stream: true });
  }
  if (r.status !== 200 || !text.includes("[DONE]")) throw new Error(`status ${r.status}: ${text.slice(0, 200)}`);
  return { ttfb, total: performance.now() - t0 };
}
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const direct = { authorization: `Bearer ${ZEN_KEY}` };
const viaRelay = { authorization: `Bearer ${token}` };
for (let i = 0; i < 30; i++) {
  await one(zenBase, direct);
  await one(relay.url, viaRelay);
}
// Interleaved, so both see the same machine load.
const d = [], r = [];
const cpu0 = cpuTicks();
for (let i = 0; i < N; i++) {
  d.push(await one(zenBase, direct));
  const x = await one(relay.url, viaRelay);
  r.push(x);
}
const cpuPerReqMs = ((cpuTicks() - cpu0) / CLK_TCK / N) * 1000;

// The harness's own hop (Miniflare's entry worker, loopback HTTP) to a
// Worker that answers by itself: no limiter, no upstream, no stream.
const health = [];
for (let i = 0; i < N; i++) {
  const t0 = performance.now();
  await (await fetch(`${relay.url}/healthz`)).text();
  health.push({ total: performance.now() - t0 });
}

// Where the CPU goes: the same workerd, requests that stop at each stage.
// Each figure is whole-process CPU per request, so it includes the floor
// (Miniflare's entry worker and loopback HTTP) that `healthz` measures.
async function cpuOf(send) {
  for (let i = 0; i < 20; i++) await send();
  const t0 = cpuTicks();
  for (let i = 0; i < N; i++) await send();
  return ((cpuTicks() - t0) / CLK_TCK / N) * 1000;
}
const post = (headers, b = body) =>
  fetch(`${relay.url}/zen/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", "accept-encoding": "identity", ...headers }, body: b }).then(async (r) => {
    await r.text();
    return r.status;
  });
const stages = [
  ["`GET /healthz` (floor: entry worker + HTTP + Worker dispatch)", () => fetch(`${relay.url}/healthz`).then((r) => r.text())],
  ["refused after token check and body policy, before the limiter (403 model)", () => post(viaRelay, body.replace("big-pickle", "glm-4.6-x"))],
  ["refused by the limiter (one Durable Object call, 429)", () => post({ authorization: `Bearer ${mintLocal({ sub: "bench-denied", rpm: 0 })}` })],
  ["full streamed request (limiter, upstream, usage tap, settle)", () => post(viaRelay)],
];
const breakdown = [];
for (const [name, send] of stages) breakdown.push([name, await cpuOf(send)]);

// Concurrent streams, batch after batch: RSS must level off, not grow with
// the number of requests served. The first batch warms the isolates up (JIT,
// connection pools, the V8 heap's first growth), so "flat" is judged on the
// batches after it.
async function batch() {
  const res = await Promise.allSettled(Array.from({ length: CONCURRENT }, () => one(relay.url, viaRelay)));
  return res.filter((x) => x.status === "rejected").length;
}
const rssSeries = [rssKiB()];
const batchErrors = [];
for (let i = 0; i < BATCHES; i++) {
  batchErrors.push(await batch());
  rssSeries.push(rssKiB());
}
const mib = (k) => (k / 1024).toFixed(1);
const afterWarmup = rssSeries.slice(2);
const spread = afterWarmup.length ? Math.max(...afterWarmup) - Math.min(...afterWarmup) : 0;

const f = (x) => x.toFixed(2);
const row = (name, xs, key) => `| ${name} | ${f(pct(xs.map((x) => x[key]), 50))} | ${f(pct(xs.map((x) => x[key]), 99))} |`;
console.log(`
### Relay benchmark (${N} sequential streamed chat requests each way, interleaved; mock-zen without pacing; loopback)

| path | p50 ms | p99 ms |
|---|---|---|
${row("direct → mock-zen, first byte", d, "ttfb")}
${row("relay → mock-zen, first byte", r, "ttfb")}
${row("direct → mock-zen, total", d, "total")}
${row("relay → mock-zen, total", r, "total")}
${row("relay, `GET /healthz` (answers itself; the harness's own hop)", health, "total")}

| measure | value |
|---|---|
| added at p50, first byte | ${f(pct(r.map((x) => x.ttfb), 50) - pct(d.map((x) => x.ttfb), 50))} ms |
| added at p50, total | ${f(pct(r.map((x) => x.total), 50) - pct(d.map((x) => x.total), 50))} ms |
| workerd CPU per request (utime+stime, incl. Durable Object, usage tap, Miniflare's entry worker) | ${f(cpuPerReqMs)} ms |
| ${CONCURRENT} concurrent streams × ${BATCHES} batches: errors per batch | ${batchErrors.join(" / ")} |
| workerd RSS before, then after each batch | ${rssSeries.map(mib).join(" / ")} MiB |
| RSS spread over batches 2–${BATCHES} (after warm-up) | ${mib(spread)} MiB |

| workerd CPU per request, by where the request stops | ms |
|---|---|
${breakdown.map(([n, v]) => `| ${n} | ${f(v)} |`).join("\n")}
`);
await stopAll();
mz.kill("SIGTERM");
if (batchErrors.some((e) => e > 0)) process.exit(1);
