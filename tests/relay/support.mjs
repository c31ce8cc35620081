// Shared support for the relay suite: one mock-zen, the built Worker in
// Miniflare (one instance per configuration), a local token minter, dialect
// checks, and the collector that every response header/body and every log
// line goes through so the last test can scan the whole suite for the key.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createHmac } from "node:crypto";
import { createInterface } from "node:readline";
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";

// Distinctive, key-shaped, so a leak of it (or of a long piece of it) is unmistakable.
export const ZEN_KEY = "sk-zen-relay-suite-7f3a9c1e5b2d4f6a8c0e2b4d6f8a0c1e";
export const ADMIN_SECRET = "admin-secret-for-tests-0123456789";
export const SIGNING_SECRET = "signing-secret-for-tests-0123456789abcdef";
export const ORIGIN = "https://app.example";
export const ORIGIN2 = "https://other.example";
export const EVIL = "https://evil.example";
export const MODELS = "big-pickle,grok-code,glm-4.6,gpt-5.1,gpt-5-nano,claude-sonnet-4-5,claude-haiku-4-5,gemini-3-pro";

// ---- the collector -------------------------------------------------------
const seen = []; // [label, text]
const pending = []; // recordings still being read (SDK response clones)
const relays = [];

/** Records one piece of client-visible output. */
export function record(label, text) {
  seen.push([label, String(text)]);
}

function recordHeaders(label, headers) {
  record(`${label} headers`, JSON.stringify([...headers]));
}

/** Everything collected so far, response data and every relay's log output. */
export async function collected() {
  await Promise.allSettled(pending);
  const out = [...seen];
  for (const r of relays) out.push([`log ${r.name}`, r.logs.join("")]);
  return out;
}

// ---- mock-zen ------------------------------------------------------------
let zen;
/** The shared mock-zen (started on first use). */
export async function mockZen() {
  if (zen) return zen;
  const proc = spawn("target/debug/mock-zen", ["--port", "0", "--quiet", "--key", ZEN_KEY], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const rl = createInterface({ input: proc.stdout });
  const [line] = await once(rl, "line");
  const base = line.match(/http:\/\/127\.0\.0\.1:\d+/)[0];
  zen = {
    base,
    proc,
    requests: async () => (await fetch(`${base}/__mock/requests`)).json(),
    last: async () => (await fetch(`${base}/__mock/requests/last`)).json(),
  };
  return zen;
}

// ---- the relay -----------------------------------------------------------
/**
 * Miniflare options of the built Worker (named `name`) with `vars` over the
 * suite's defaults; `ZEN_UPSTREAM` defaults to the shared mock-zen.
 */
export async function relayWorker(name, vars = {}) {
  const upstream = vars.ZEN_UPSTREAM ?? `${(await mockZen()).base}/zen/v1`;
  // A var given as `undefined` is left out (a missing secret).
  const bindings = {
    ZEN_UPSTREAM: upstream,
    ZEN_API_KEY: ZEN_KEY,
    TOKEN_SIGNING_SECRET: SIGNING_SECRET,
    ADMIN_SECRET,
    ALLOWED_ORIGINS: `${ORIGIN},${ORIGIN2}`,
    MODEL_ALLOWLIST: MODELS,
    FIRST_BYTE_TIMEOUT_MS: "1500",
    IDLE_TIMEOUT_MS: "3000",
    UPSTREAM_RETRIES: "0",
    ...vars,
  };
  for (const [k, v] of Object.entries(bindings)) if (v === undefined) delete bindings[k];
  return {
    name,
    modules: true,
    // RELAY_BUILD: another build directory (A/B benchmarks of two builds).
    scriptPath: `${process.env.RELAY_BUILD ?? "worker/build"}/index.js`,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-04-01",
    // SQLite-backed, as wrangler.toml declares it (`new_sqlite_classes`).
    durableObjects: { LIMITER: { className: "Limiter", useSQLite: true } },
    bindings,
  };
}

/** Starts the built Worker in Miniflare against mock-zen with `vars` over the defaults. */
export async function startRelay(name, vars = {}) {
  const logs = [];
  const mf = new Miniflare({
    cf: false,
    handleRuntimeStdio(stdout, stderr) {
      for (const s of [stdout, stderr]) s.on("data", (d) => logs.push(String(d)));
    },
    workers: [await relayWorker(name, vars)],
  });
  const url = await mf.ready;
  const relay = { name, mf, url: String(url).replace(/\/$/, ""), logs, call: null };
  relay.call = (path, opts) => call(relay, path, opts);
  relay.open = (path, opts) => open(relay, path, opts);
  relay.logLines = () => logLines(relay);
  relays.push(relay);
  return relay;
}

/** Disposes every relay and stops mock-zen. */
export async function stopAll() {
  for (const r of relays) await r.mf.dispose().catch(() => {});
  zen?.proc.kill("SIGTERM");
}

function requestInit({ body, headers = {}, method = "POST", signal } = {}) {
  return {
    method,
    signal,
    // identity: workerd would otherwise gzip and coalesce the stream.
    headers: { "accept-encoding": "identity", "content-type": "application/json", ...headers },
    body: body === undefined || typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
  };
}

/** One request, read to the end and recorded. */
async function call(relay, path, opts = {}) {
  const r = await relay.mf.dispatchFetch(`http://relay${path}`, requestInit(opts));
  const text = await r.text();
  recordHeaders(path, r.headers);
  record(path, text);
  let parsed;
  return {
    status: r.status,
    headers: r.headers,
    text,
    json: () => (parsed ??= JSON.parse(text)),
  };
}

/** One request whose body is read incrementally; everything read is recorded. */
async function open(relay, path, opts = {}) {
  // cancel() aborts the request: cancelling only the reader can leave
  // undici draining the body on a kept-alive connection, so the relay
  // would never see the client leave.
  const ctrl = new AbortController();
  opts.signal?.addEventListener("abort", () => ctrl.abort());
  const r = await relay.mf.dispatchFetch(`http://relay${path}`, requestInit({ ...opts, signal: ctrl.signal }));
  recordHeaders(path, r.headers);
  const reader = r.body.getReader();
  const dec = new TextDecoder();
  let text = "";
  return {
    status: r.status,
    headers: r.headers,
    get text() {
      return text;
    },
    async read() {
      const { value, done } = await reader.read();
      if (done) return null;
      const s = dec.decode(value, { stream: true });
      text += s;
      record(path, s);
      return s;
    },
    async rest() {
      while ((await this.read()) !== null);
      return text;
    },
    cancel: async () => {
      ctrl.abort();
      await reader.cancel().catch(() => {});
    },
  };
}

/** The relay's structured log lines so far, parsed. */
function logLines(relay) {
  const out = [];
  for (const line of relay.logs.join("").split("\n")) {
    const i = line.indexOf('{"msg":"relay"');
    if (i >= 0) out.push(JSON.parse(line.slice(i)));
  }
  return out;
}

/** A fetch for SDKs that records each response (headers now, body as it is read). */
export function recordingFetch(label) {
  return async (input, init) => {
    const r = await fetch(input, init);
    recordHeaders(label, r.headers);
    const copy = r.clone();
    pending.push(copy.text().then((t) => record(label, t)));
    return r;
  };
}

// ---- tokens --------------------------------------------------------------
const b64url = (buf) => Buffer.from(buf).toString("base64url");
export const nowSecs = () => Math.floor(Date.now() / 1000);

/** Mints a relay token here, independently of the relay's Rust minter. */
export function mintLocal(claims, secret = SIGNING_SECRET) {
  const full = { iat: nowSecs(), exp: nowSecs() + 3600, ...claims };
  const signed = `zr1.${b64url(JSON.stringify(full))}`;
  return `${signed}.${b64url(createHmac("sha256", secret).update(signed).digest())}`;
}

/** Mints a relay token through `POST /admin/tokens`. */
export async function mintAdmin(relay, claims) {
  const r = await relay.call("/admin/tokens", {
    headers: { authorization: `Bearer ${ADMIN_SECRET}` },
    body: { ttl: "1h", ...claims },
  });
  assert.equal(r.status, 200, `mint: ${r.text}`);
  return r.json().token;
}

/** `GET /admin/usage` for a limiter key (`sub:<name>` / `ip:<addr>`). */
export async function usage(relay, key) {
  const r = await relay.call(`/admin/usage?sub=${encodeURIComponent(key)}`, {
    method: "GET",
    headers: { authorization: `Bearer ${ADMIN_SECRET}` },
  });
  assert.equal(r.status, 200, r.text);
  return r.json();
}

export const bearer = (t) => ({ authorization: `Bearer ${t}` });

// ---- dialects ------------------------------------------------------------
/** The dialect an API path answers in. */
export function dialectOf(path) {
  if (path.startsWith("/zen/v1/messages")) return "anthropic";
  if (/^\/zen\/v1\/models\/.+:/.test(path) || path.startsWith("/zen/v1/models/")) return "google";
  return "openai";
}

/**
 * Asserts `r` is a refusal with `status` in the dialect of `path`; `code` is
 * checked where the dialect carries one (OpenAI's `code`), and the Anthropic
 * `type` / Google `status` where given.
 */
export function assertRefusal(path, r, status, { code, type, googleStatus } = {}) {
  assert.equal(r.status, status, `${path}: ${r.status} ${r.text}`);
  assert.match(r.headers.get("content-type") ?? "", /application\/json/, path);
  const j = r.json();
  switch (dialectOf(path)) {
    case "openai":
      assert.equal(typeof j.error?.message, "string", r.text);
      assert.equal(typeof j.error?.type, "string", r.text);
      if (code) assert.equal(j.error.code, code, r.text);
      if (type) assert.equal(j.error.type, type, r.text);
      break;
    case "anthropic":
      assert.equal(j.type, "error", r.text);
      assert.equal(typeof j.error?.type, "string", r.text);
      assert.equal(typeof j.error?.message, "string", r.text);
      if (type) assert.equal(j.error.type, type, r.text);
      break;
    case "google":
      assert.equal(j.error?.code, status, r.text);
      assert.equal(typeof j.error?.status, "string", r.text);
      assert.equal(typeof j.error?.message, "string", r.text);
      if (googleStatus) assert.equal(j.error.status, googleStatus, r.text);
      break;
  }
  return j;
}

// ---- bodies --------------------------------------------------------------
/** A minimal valid body for `path` asking for `text`. */
export function bodyFor(path, text = "hi", extra = {}) {
  if (path.includes("/chat/completions")) return { model: "big-pickle", stream: true, messages: [{ role: "user", content: text }], ...extra };
  if (path.includes("/responses")) return { model: "gpt-5.1", stream: true, input: text, ...extra };
  if (path.includes("/messages")) return { model: "claude-sonnet-4-5", stream: true, max_tokens: 16, messages: [{ role: "user", content: text }], ...extra };
  return { contents: [{ role: "user", parts: [{ text }] }], ...extra };
}

export const CHAT = "/zen/v1/chat/completions";
export const RESPONSES = "/zen/v1/responses";
export const MESSAGES = "/zen/v1/messages";
export const GEMINI = "/zen/v1/models/gemini-3-pro:streamGenerateContent";
export const ENDPOINTS = [CHAT, RESPONSES, MESSAGES, GEMINI];

/** Polls `fn` until it returns a truthy value (bounded), and returns it. */
export async function until(fn, { tries = 100, every = 50 } = {}) {
  let last;
  for (let i = 0; i < tries; i++) {
    last = await fn();
    if (last) return last;
    await new Promise((res) => setTimeout(res, every));
  }
  return last;
}

/** Exact decimal USD → atto-USD (BigInt), as the relay counts. */
export function atto(usd) {
  const [whole, frac = ""] = String(usd).split(".");
  return BigInt(whole) * 10n ** 18n + BigInt((frac + "0".repeat(18)).slice(0, 18) || "0");
}

/** Waits until `usage(relay, key)` shows nothing in flight; returns it. */
export async function settledUsage(relay, key) {
  return until(async () => {
    const u = await usage(relay, key);
    return u.inFlight === 0 ? u : null;
  });
}

/**
 * Waits, if needed, until at least `ms` remain in the current UTC minute, so
 * a test counting requests per minute does not straddle a window change.
 */
export async function awayFromMinuteEdge(ms = 8000) {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < ms) await new Promise((res) => setTimeout(res, left + 50));
}

/** A unique id for mock-zen scenarios. */
let seq = 0;
export const uid = (p = "t") => `${p}-${process.pid}-${Date.now()}-${seq++}`;

/** The last SSE event of `text`: its `event` name and parsed `data`. */
export function lastEvent(text) {
  const blocks = text.split(/\n\n+/).filter((b) => b.includes("data:"));
  const block = blocks.at(-1) ?? "";
  const event = block.match(/^event: (.*)$/m)?.[1] ?? null;
  const data = block.match(/^data: (.*)$/m)?.[1];
  return { event, data: data === undefined ? undefined : JSON.parse(data) };
}
