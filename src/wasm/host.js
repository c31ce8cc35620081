// Host steps of the wasm binding that are simplest written in JS (imported by
// src/wasm/host.rs). They run in browsers, Cloudflare Workers and Node alike,
// so they only use what all of those share, and reach host globals through
// `globalThis` at call time (a test or polyfill may replace them).

/**
 * The `[name, value, name, value, …]` of a header collection: the entries of
 * its iterator if it has one (a `Headers`, a `Map`, an array of pairs), else
 * its own enumerable properties (a plain object). Entries that are not arrays
 * with a string or finite number value are skipped; a number is written as
 * `toString(10)` would, as a `Headers` object would store it. Names that are
 * not strings are dropped by the caller (`convert::headers_from_js`). A
 * throwing iterator ends the list; nothing here throws.
 */
export function header_pairs(headers) {
  const out = [];
  if (headers === undefined || headers === null) return out;
  for (const entry of headerEntries(headers)) {
    if (!Array.isArray(entry)) continue;
    const [name, value] = entry;
    if (typeof value === "string") out.push(name, value);
    else if (typeof value === "number" && Number.isFinite(value)) out.push(name, value.toString(10));
  }
  return out;
}

/** The entries of `headers` (see `header_pairs`), up to a throwing step. */
function headerEntries(headers) {
  let iterator;
  try {
    const iterate = headers[Symbol.iterator];
    if (typeof iterate === "function") iterator = iterate.call(headers);
  } catch {
    // Not iterable after all: read it as a plain object below.
  }
  if (typeof iterator !== "object" || iterator === null || typeof iterator.next !== "function") {
    return headers instanceof Object ? Object.entries(headers) : [];
  }
  const entries = [];
  for (;;) {
    let step;
    try {
      step = iterator.next();
    } catch {
      break;
    }
    if (step.done) break;
    entries.push(step.value);
  }
  return entries;
}

/** `globalThis.fetch`, for clients given none (undefined when there is none). */
export function global_fetch() {
  const fetch = globalThis.fetch;
  return typeof fetch === "function" ? fetch : undefined;
}

/**
 * Whether this host enforces CORS on our requests: a page (`document`) or a
 * browser worker (`importScripts`). Node and Cloudflare Workers have neither.
 */
export function is_browser() {
  return globalThis.document !== undefined || globalThis.importScripts !== undefined;
}

/** `setTimeout(f, ms)`'s handle, or undefined in a host without timers (then nothing fires). */
export function set_timer(f, ms) {
  const setTimeout = globalThis.setTimeout;
  return typeof setTimeout === "function" ? setTimeout.call(globalThis, f, ms) : undefined;
}

/** `clearTimeout(handle)` for a handle `set_timer` gave. */
export function clear_timer(handle) {
  const clearTimeout = globalThis.clearTimeout;
  if (handle !== undefined && typeof clearTimeout === "function") clearTimeout.call(globalThis, handle);
}

/**
 * Calls `onExpired` when a wait that `start(ms)` began is not `stop()`ped
 * within `ms`: an attempt's timeouts (for its first byte, then for each read
 * of a streamed body). One `setTimeout` serves all the waits of an attempt:
 * when it fires before the current wait's deadline it is set again for the
 * rest, and it is reset only for a wait that must end before it fires. So a
 * wait costs two calls instead of a `setTimeout` and a `clearTimeout`.
 */
export class WaitTimer {
  #onExpired;
  /** When the current wait must end (`Date.now()` time), or -1 between waits. */
  #deadline = -1;
  /** The pending `setTimeout`, if any, and when it fires. */
  #handle;
  #fires = 0;

  constructor(onExpired) {
    this.#onExpired = onExpired;
  }

  start(ms) {
    const now = Date.now();
    this.#deadline = now + ms;
    if (this.#handle !== undefined && this.#fires <= this.#deadline) return;
    clear_timer(this.#handle);
    this.#set(now, ms);
  }

  stop() {
    this.#deadline = -1;
  }

  /** Stops it for good: a pending `setTimeout` would keep a Node process alive. */
  dispose() {
    this.#deadline = -1;
    clear_timer(this.#handle);
    this.#handle = undefined;
  }

  #set(now, ms) {
    this.#fires = now + ms;
    this.#handle = set_timer(() => this.#fire(), ms);
  }

  #fire() {
    this.#handle = undefined;
    if (this.#deadline < 0) return;
    const now = Date.now();
    if (this.#deadline > now) this.#set(now, this.#deadline - now);
    else this.#onExpired();
  }
}

/** `controller.abort` bound to `controller`: a timer or event callback that aborts it. */
export function abort_fn(controller) {
  return controller.abort.bind(controller);
}

/**
 * `fetch(url, {method, headers, body, signal})` (no body when it is empty),
 * as a promise even if an injected fetch returns a plain value. The global
 * `fetch` needs the global object as `this` ("Illegal invocation"
 * otherwise); an injected function ignores it.
 */
export function send(fetch, url, method, headers, body, signal) {
  const init = { method, headers, signal };
  if (body !== "") init.body = body;
  return Promise.resolve(fetch.call(globalThis, url, init));
}

/**
 * The JS form of a ZenError: a real `Error` (with a stack) named "ZenError",
 * with the typed fields the API promises (absent ones `undefined`).
 */
export function zen_error(message, kind, status, retryAfter, retryable, provider, errorType, code) {
  const error = new Error(message);
  error.name = "ZenError";
  Object.assign(error, { kind, status, retryAfter, retryable, provider, errorType, code });
  return error;
}
