// Loads the built zenwire wasm packages for the Node tests.
//
// The tests run against what `make pkg` produced (pkg-node/ for Node,
// pkg/ for the web/Workers build), never against sources, so a missing build
// is a hard failure with the command that fixes it — not a skipped test.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Repository root (tests/node/support/ → ../../..). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Directory of the Node build (`wasm-pack --target nodejs`). */
export const nodePkgDir = join(repoRoot, "pkg-node");
/** Directory of the web build (`wasm-pack --target web`). */
export const webPkgDir = join(repoRoot, "pkg");

function requireBuilt(file) {
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run make pkg (builds pkg/ and pkg-node/) before the Node tests`);
  }
}

let nodePkg;
/** The Node build's exports (pkg-node/zenwire.js), loaded once. */
export async function loadNodePkg() {
  if (!nodePkg) {
    const file = join(nodePkgDir, "zenwire.js");
    requireBuilt(file);
    let mod;
    try {
      mod = await import(pathToFileURL(file).href);
    } catch (err) {
      // The repo's package.json says "type": "module", so a CommonJS build
      // needs its own package.json ({"type": "commonjs"}) to load as such,
      // and its wasm-bindgen snippets (ES modules) need {"type": "module"}.
      throw new Error(
        `loading ${file} failed (${err.message}). Under the repo's "type": "module", pkg-node/ needs ` +
          `package.json {"type":"commonjs"} and pkg-node/snippets/package.json {"type":"module"}: run make pkg`,
        { cause: err },
      );
    }
    // wasm-pack's nodejs target is CommonJS: Node exposes its exports as
    // named exports when it can detect them, and always as `default`.
    nodePkg = typeof mod.StreamDecoder === "function" ? mod : mod.default;
    if (typeof nodePkg?.StreamDecoder !== "function") {
      throw new Error(`${file} does not export StreamDecoder: is it a zenwire build? (run make pkg)`);
    }
  }
  return nodePkg;
}

let webPkg;
/** The web build's exports (pkg/zenwire.js), initialised synchronously
 *  from the .wasm bytes the way a Worker or bundler would. */
export async function loadWebPkg() {
  if (!webPkg) {
    const file = join(webPkgDir, "zenwire.js");
    const wasmFile = join(webPkgDir, "zenwire_bg.wasm");
    requireBuilt(file);
    requireBuilt(wasmFile);
    const mod = await import(pathToFileURL(file).href);
    mod.initSync({ module: readFileSync(wasmFile) });
    webPkg = mod;
  }
  return webPkg;
}
