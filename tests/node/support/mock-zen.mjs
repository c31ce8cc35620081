// Starts and stops the mock-zen binary (a local Zen stand-in) for a test file.
//
//   const zen = await startMockZen();      // in before()
//   zen.baseUrl                             // http://127.0.0.1:PORT/zen/v1
//   await zen.lastRequest()                 // GET /__mock/requests/last
//   await zen.stop();                       // in after()
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { repoRoot } from "./pkg.mjs";

/** The key mock-zen accepts (its `--key` default). */
export const MOCK_KEY = "zen-test-key";

function binaryPath() {
  if (process.env.MOCK_ZEN_BIN) return process.env.MOCK_ZEN_BIN;
  const targetDir = process.env.CARGO_TARGET_DIR ?? join(repoRoot, "target");
  return join(targetDir, "debug", "mock-zen");
}

/**
 * Spawns mock-zen on a free port and resolves once it printed its
 * `mock-zen listening on http://127.0.0.1:PORT` line. `args` are extra flags
 * (default pacing is 2 ms between events, to keep the tests quick).
 */
export async function startMockZen(args = ["--delay-ms", "2"]) {
  const bin = binaryPath();
  if (!existsSync(bin)) {
    throw new Error(`${bin} is missing: run cargo build -p mock-zen (make test-node does it)`);
  }
  const child = spawn(bin, ["--port", "0", "--quiet", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const origin = await new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`mock-zen did not report its port within 10 s; stderr: ${stderr}`));
    }, 10_000);
    lines.once("line", (line) => {
      clearTimeout(timer);
      const m = /^mock-zen listening on (http:\/\/127\.0\.0\.1:\d+)\s*$/.exec(line);
      if (m) resolvePromise(m[1]);
      else reject(new Error(`unexpected first line from mock-zen: ${JSON.stringify(line)}`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`mock-zen exited early (code ${code}); stderr: ${stderr}`));
    });
  });
  // Keep draining stdout so the child never blocks on a full pipe.
  child.stdout.resume();
  // A test file that fails before its after() hook must neither hang on the
  // child (unref: it does not keep Node alive) nor leave it running.
  const killOnExit = () => child.kill();
  process.once("exit", killOnExit);
  child.once("exit", () => process.removeListener("exit", killOnExit));
  child.unref();
  child.stdout.unref?.();
  child.stderr.unref?.();

  const mockApi = async (path, init) => {
    const res = await fetch(`${origin}/__mock/${path}`, init);
    if (!res.ok) throw new Error(`mock-zen ${path}: HTTP ${res.status}`);
    return init?.method === "DELETE" ? undefined : res.json();
  };

  return {
    origin,
    baseUrl: `${origin}/zen/v1`,
    /** Every recorded request, oldest first. */
    requests: () => mockApi("requests"),
    /** The most recent recorded request. */
    lastRequest: () => mockApi("requests/last"),
    /** Forgets the recorded requests. */
    clearRequests: () => mockApi("requests", { method: "DELETE" }),
    /** Stops the server and waits for it to exit. */
    stop: () =>
      new Promise((resolvePromise) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
        child.once("exit", () => resolvePromise());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * Polls `check` (an async predicate) until it is true or `tries` run out;
 * for server-side facts that settle shortly after the client acted (mock-zen
 * notices a closed connection within ~10 ms). Returns the last value seen.
 */
export async function eventually(check, { tries = 100, intervalMs = 20 } = {}) {
  let last;
  for (let i = 0; i < tries; i++) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return last;
}
