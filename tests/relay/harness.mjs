// Test harness: a mock-zen on a free port and the built Worker in Miniflare.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { Miniflare } from "miniflare";

export const ZEN_KEY = "zen-test-key";
export const ADMIN_SECRET = "admin-secret-for-tests-0123456789";
export const ORIGIN = "https://app.example";

export async function startMockZen() {
  const proc = spawn("target/debug/mock-zen", ["--port", "0", "--quiet", "--key", ZEN_KEY], { stdio: ["ignore", "pipe", "inherit"] });
  const rl = createInterface({ input: proc.stdout });
  const [line] = await once(rl, "line");
  const base = line.match(/http:\/\/127\.0\.0\.1:\d+/)[0];
  return { base, proc, stop: () => proc.kill("SIGTERM") };
}

export async function startRelay(upstream, vars = {}) {
  const logs = [];
  const mf = new Miniflare({
    cf: false,
    modules: true,
    scriptPath: "worker/build/index.js",
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-04-01",
    durableObjects: { LIMITER: "Limiter" },
    handleRuntimeStdio(stdout, stderr) {
      for (const s of [stdout, stderr]) s.on("data", (d) => logs.push(String(d)));
    },
    bindings: {
      ZEN_UPSTREAM: `${upstream}/zen/v1`,
      ZEN_API_KEY: ZEN_KEY,
      TOKEN_SIGNING_SECRET: "signing-secret-for-tests-0123456789abcdef",
      ADMIN_SECRET,
      ALLOWED_ORIGINS: ORIGIN,
      MODEL_ALLOWLIST: "*",
      FIRST_BYTE_TIMEOUT_MS: "1500",
      IDLE_TIMEOUT_MS: "3000",
      UPSTREAM_RETRIES: "0",
      ...vars,
    },
  });
  await mf.ready;
  return { mf, logs };
}

export async function mint(mf, claims) {
  const r = await mf.dispatchFetch("http://relay/admin/tokens", {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_SECRET}`, "content-type": "application/json" },
    body: JSON.stringify({ ttl: "1h", ...claims }),
  });
  if (r.status !== 200) throw new Error(`mint ${r.status} ${await r.text()}`);
  return (await r.json()).token;
}

export async function mockRequests(base) {
  return (await fetch(`${base}/__mock/requests`)).json();
}
