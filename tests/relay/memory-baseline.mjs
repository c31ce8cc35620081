// The memory baseline for `make bench-relay`'s RSS rows: workerd's RSS over
// 20 batches of 200 concurrent streams through a ten-line JS Worker that
// only proxies mock-zen (MODE=fetch), or pumps the body through an
// IdentityTransformStream from waitUntil as the relay does (MODE=pump).
// Miniflare's workerd grows per request even for these, so the relay's RSS
// series is read against this one. Loopback only.
//
//   cargo build -p mock-zen && MODE=pump node tests/relay/memory-baseline.mjs
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, readdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { Miniflare } from "miniflare";
const MODE = process.env.MODE ?? "fetch";
const mz = spawn("target/debug/mock-zen", ["--port", "0", "--quiet", "--delay-ms", "0"], { stdio: ["ignore", "pipe", "inherit"] });
process.on("exit", () => mz.kill("SIGTERM"));
const [line] = await once(createInterface({ input: mz.stdout }), "line");
const zen = line.match(/http:\/\/127\.0\.0\.1:\d+/)[0];
const script = `export default { async fetch(req, env, ctx) {
  const up = await fetch("${zen}/zen/v1/chat/completions", { method: "POST", body: await req.text(), headers: { "content-type": "application/json" } });
  if ("${MODE}" === "fetch") return new Response(up.body, { headers: { "content-type": "text/event-stream" } });
  const { readable, writable } = new IdentityTransformStream();
  ctx.waitUntil((async () => { const w = writable.getWriter(); const r = up.body.getReader();
    for (;;) { const { value, done } = await r.read(); if (done) break; await w.write(value); } await w.close(); })());
  return new Response(readable, { headers: { "content-type": "text/event-stream" } });
} }`;
const mf = new Miniflare({ cf: false, modules: true, script, compatibilityDate: "2025-01-01" });
const url = (await mf.ready).href;
const procs = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map((pid) => { try { const [, comm, rest] = readFileSync(`/proc/${pid}/stat`, "utf8").match(/^\d+ \((.*)\) (.*)$/s); return { pid: Number(pid), comm, ppid: Number(rest.split(" ")[1]) }; } catch { return null; } }).filter(Boolean);
const mine = new Set([process.pid]);
for (let g = true; g; ) { g = false; for (const p of procs) if (!mine.has(p.pid) && mine.has(p.ppid)) (mine.add(p.pid), (g = true)); }
const wpid = procs.find((p) => mine.has(p.pid) && p.comm.startsWith("workerd")).pid;
const rss = () => (Number(readFileSync(`/proc/${wpid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1]) / 1024).toFixed(1);
const body = JSON.stringify({ model: "big-pickle", stream: true, messages: [{ role: "user", content: "benchmark hello" }] });
const one = async () => { const r = await fetch(url, { method: "POST", headers: { "accept-encoding": "identity" }, body }); await r.text(); };
const series = [rss()];
for (let i = 0; i < 20; i++) { await Promise.all(Array.from({ length: 200 }, one)); series.push(rss()); }
console.log(MODE, series.join(" / "));
await mf.dispose();
