// `make test-playground`: starts one `make demo` stack (scripts/demo on a
// free port), runs the given command with PLAYGROUND_URL and MOCK_ZEN_URL
// pointing at it, then stops the stack — also on Ctrl-C / SIGTERM.
//
//   node tests/playground/support/run.mjs node --test --test-concurrency=1 tests/playground/

import { spawn } from "node:child_process";
import { startDemoStack } from "./stack.mjs";

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  process.stderr.write("usage: run.mjs <command> [args…]\n");
  process.exit(2);
}

const stack = await startDemoStack();
process.stderr.write(`playground tests against the demo stack: relay ${stack.url}, mock-zen ${stack.mockUrl}\n`);

let stopping = null;
const stopOnce = () => (stopping ??= stack.stop());

const child = spawn(cmd, args, {
  stdio: "inherit",
  env: { ...process.env, PLAYGROUND_URL: stack.url, MOCK_ZEN_URL: stack.mockUrl },
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    child.kill(signal);
  });
}
const code = await new Promise((done) => {
  child.once("error", (err) => {
    process.stderr.write(`cannot run ${cmd}: ${err.message}\n`);
    done(1);
  });
  child.once("exit", (c, signal) => done(c ?? (signal ? 1 : 0)));
});
await stopOnce();
process.exit(code);
