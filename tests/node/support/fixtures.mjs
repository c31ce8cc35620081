// Fixture discovery and byte splitting shared by the Node tests.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./pkg.mjs";

/** The four wire formats, as the JS API names them. */
export const FORMATS = ["chat", "responses", "messages", "gemini"];

/** The project's own hand-written stream fixtures, `{format, name, bytes}`. */
export function projectStreamFixtures(format) {
  const dir = join(repoRoot, "tests/fixtures", format);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith(".sse"))
    .sort()
    .map((name) => ({ format, name: `${format}/${name}`, bytes: readFileSync(join(dir, name)) }));
}

/** The recorded fixtures (read-only, outside the repo: ../shared/fixtures). */
export const sharedFixturesDir = join(repoRoot, "../shared/fixtures");

/**
 * Wire-like SSE from a vercel `.chunks.txt` (one JSON payload per line):
 * chat → `data: L\n\n` … `data: [DONE]\n\n`; Responses / Anthropic →
 * `event: <L.type>\ndata: L\n\n`, as the real APIs send them.
 */
export function chunksToSse(text, format) {
  let out = "";
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    if (format === "chat") {
      out += `data: ${line}\n\n`;
    } else {
      const type = JSON.parse(line).type;
      out += `event: ${type}\ndata: ${line}\n\n`;
    }
  }
  if (format === "chat") out += "data: [DONE]\n\n";
  return out;
}

const SHARED_DIRS = { chat: "openai-chat", responses: "openai-responses", messages: "anthropic" };

/**
 * Recorded streams per format (.sse as is, .chunks.txt turned into SSE).
 * Gemini has no directory of its own; its one recording is the bench image
 * stream. Empty when ../shared/fixtures is absent.
 */
export function sharedStreamFixtures(format) {
  if (format === "gemini") {
    const file = join(sharedFixturesDir, "bench/gemini-image.sse");
    return existsSync(file) ? [{ format, name: "shared/bench/gemini-image.sse", bytes: readFileSync(file) }] : [];
  }
  const dir = join(sharedFixturesDir, SHARED_DIRS[format]);
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name);
    if (name.endsWith(".sse")) {
      out.push({ format, name: `shared/${SHARED_DIRS[format]}/${name}`, bytes: readFileSync(file) });
    } else if (name.endsWith(".chunks.txt")) {
      const sse = chunksToSse(readFileSync(file, "utf8"), format);
      out.push({ format, name: `shared/${SHARED_DIRS[format]}/${name}`, bytes: Buffer.from(sse) });
    }
  }
  return out;
}

/** `bytes` cut into pieces of `size` bytes (the last may be shorter). */
export function fixedPieces(bytes, size) {
  const out = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** A small deterministic PRNG (mulberry32) so random splits are reproducible. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `bytes` cut at random places (pieces of 0..maxSize bytes, empty ones included:
 *  a decoder must accept an empty push). */
export function randomPieces(bytes, seed, maxSize = 97) {
  const next = rng(seed);
  const out = [];
  let i = 0;
  while (i < bytes.length) {
    const n = Math.floor(next() * (maxSize + 1));
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

/** Every event and the final message of decoding `pieces` with a fresh decoder. */
export function decodePieces(pkg, format, pieces) {
  const dec = new pkg.StreamDecoder(format);
  try {
    const events = [];
    for (const p of pieces) {
      const got = dec.push(p);
      if (!Array.isArray(got)) throw new TypeError(`push() returned ${typeof got}, not an array`);
      events.push(...got);
    }
    events.push(...dec.finish());
    return { events, message: dec.message() };
  } finally {
    dec.free();
  }
}
