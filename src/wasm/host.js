// Host steps of the wasm binding that are simplest written in JS (imported by
// src/wasm/host.rs). They run in browsers, Cloudflare Workers and Node alike,
// so they only use what all of those share, and reach host globals through
// `globalThis` at call time (a test or polyfill may replace them).

/**
 * Gives `o`'s class a `[Symbol.asyncIterator]()` returning the object itself
 * (once per class), so `for await (const ev of stream)` works: an exported
 * Rust method cannot return its own JS wrapper object.
 */
export function make_async_iterable(o) {
  const proto = Object.getPrototypeOf(o);
  if (!Object.prototype.hasOwnProperty.call(proto, Symbol.asyncIterator)) {
    Object.defineProperty(proto, Symbol.asyncIterator, {
      value() {
        return this;
      },
      writable: true,
      configurable: true,
    });
  }
  return o;
}

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

/** A fresh `{value: undefined, done: true}`: the end of an iteration. */
export function done_result() {
  return { value: undefined, done: true };
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
