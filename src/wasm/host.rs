//! The package's one JS snippet: host steps written in JS where one JS
//! function is smaller than the imported calls it replaces (each import
//! costs a JS wrapper, a hash-suffixed name and a wasm shim). One snippet
//! module, since each `inline_js` is a file of its own. Each function does
//! exactly the reads, calls and error handling of the js-sys/web-sys steps
//! it replaced.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::{AbortController, AbortSignal};

#[wasm_bindgen(inline_js = "export function make_async_iterable(o) {
  const p = Object.getPrototypeOf(o);
  if (!Object.prototype.hasOwnProperty.call(p, Symbol.asyncIterator)) {
    Object.defineProperty(p, Symbol.asyncIterator, {
      value: function () { return this; }, writable: true, configurable: true,
    });
  }
  return o;
}
export function header_pairs(v) {
  const out = [];
  if (v === undefined || v === null) return out;
  let it, items = [];
  try {
    const f = Reflect.get(v, Symbol.iterator);
    if (typeof f === 'function') it = f.call(v);
  } catch (_) {}
  if (typeof it === 'object' && it !== null && typeof it.next === 'function') {
    for (;;) {
      let r;
      try { r = it.next(); } catch (_) { break; }
      if (r.done | 0) break;
      items.push(r.value);
    }
  } else {
    let o = false;
    try { o = v instanceof Object; } catch (_) {}
    if (o) items = Object.entries(v);
  }
  for (let i = 0; i < items.length; i++) {
    const p = items[i];
    if (!Array.isArray(p)) continue;
    const n = p[0], x = p[1];
    let s = x, ok = typeof x === 'string';
    if (!ok && typeof x === 'number' && x - x === 0) try { s = x.toString(10); ok = true; } catch (_) {}
    if (ok) out.push(n, s);
  }
  return out;
}
export function global_fetch() {
  try { const f = Reflect.get(globalThis, 'fetch'); if (typeof f === 'function') return f; } catch (_) {}
}
export function is_browser() {
  const has = (n) => { try { return Reflect.get(globalThis, n) !== undefined; } catch (_) { return false; } };
  return has('document') || has('importScripts');
}
export function set_timer(f, ms) {
  try { const t = Reflect.get(globalThis, 'setTimeout'); if (typeof t === 'function') return t.call(globalThis, f, ms); } catch (_) {}
}
export function clear_timer(h) {
  if (h !== undefined) try { const c = Reflect.get(globalThis, 'clearTimeout'); if (typeof c === 'function') c.call(globalThis, h); } catch (_) {}
}
export function abort_fn(c) {
  const f = Reflect.get(c, 'abort');
  if (typeof f !== 'function') throw f;
  return f.bind(c);
}
export function send(fetch, url, method, headers, body, signal) {
  const init = new Object();
  Reflect.set(init, 'method', method);
  Reflect.set(init, 'headers', headers);
  if (body !== '') Reflect.set(init, 'body', body);
  Reflect.set(init, 'signal', signal);
  return Promise.resolve(fetch.call(globalThis, url, init));
}
export function done_result() {
  const o = new Object();
  Reflect.set(o, 'value', undefined);
  Reflect.set(o, 'done', true);
  return o;
}
export function zen_error(message, kind, status, retryAfter, retryable, provider, errorType, code) {
  const e = new Error(message);
  e.name = 'ZenError';
  Reflect.set(e, 'kind', kind);
  Reflect.set(e, 'status', status);
  Reflect.set(e, 'retryAfter', retryAfter);
  Reflect.set(e, 'retryable', retryable);
  Reflect.set(e, 'provider', provider);
  Reflect.set(e, 'errorType', errorType);
  Reflect.set(e, 'code', code);
  return e;
}")]
extern "C" {
    /// Gives `o`'s class a `[Symbol.asyncIterator]()` returning the object
    /// itself (once per class), so `for await (const ev of stream)` works.
    /// A snippet because an exported Rust method cannot return its own JS
    /// wrapper object.
    pub(crate) fn make_async_iterable(o: JsValue) -> JsValue;

    /// The `[name, value, name, value, …]` of a header collection (see
    /// `convert::headers_from_js`): the entries of its iterator if it has
    /// one, else its own enumerable properties (`Object.entries`, for
    /// objects only); entries that are not arrays with a string or finite
    /// number value are skipped, a number becomes `toString(10)`; the
    /// caller drops names that are not strings. The
    /// steps (and the errors swallowed or passed on) are exactly those of
    /// `js_sys::try_iter` and the loop it replaced: an iterator ends at a
    /// throwing `next()` or a `done` that is non-zero as an i32 (`| 0`, as
    /// a wasm bool return converts).
    pub(crate) fn header_pairs(v: &JsValue) -> Array;

    /// `globalThis.fetch`, for clients given none.
    pub(crate) fn global_fetch() -> Option<Function>;

    /// Whether this host enforces CORS on our requests: a page (`document`)
    /// or a browser worker (`importScripts`). Node and Cloudflare Workers
    /// have neither.
    pub(crate) fn is_browser() -> bool;

    /// `globalThis.setTimeout(f, ms)`'s handle, or `undefined` when it
    /// cannot be called (then nothing fires).
    pub(crate) fn set_timer(f: &Function, ms: f64) -> JsValue;

    /// `globalThis.clearTimeout(handle)` for a handle that is not
    /// `undefined`; failures are ignored (the timer is being dropped).
    pub(crate) fn clear_timer(handle: &JsValue);

    /// `controller.abort` bound to `controller`: a JS function that aborts
    /// it, usable as a timer or event callback without a Rust closure.
    /// (A non-function `abort` is thrown as is, as `dyn_into` returned it.)
    #[wasm_bindgen(catch)]
    pub(crate) fn abort_fn(controller: &AbortController) -> Result<Function, JsValue>;

    /// `Promise.resolve(fetch.call(globalThis, url, init))` with `init`
    /// `{method, headers, body (unless empty), signal}`. `fetch` needs the
    /// global object as `this` ("Illegal invocation" otherwise); an
    /// injected function ignores it.
    #[wasm_bindgen(catch, js_name = send)]
    pub(crate) fn fetch_with(
        fetch: &Function,
        url: &str,
        method: &str,
        headers: &JsValue,
        body: &str,
        signal: &AbortSignal,
    ) -> Result<Promise, JsValue>;

    /// A fresh `{value: undefined, done: true}`: the end of an iteration.
    pub(crate) fn done_result() -> JsValue;

    /// `new Error(message)` named "ZenError", with the typed fields set in
    /// this order (`None` as `undefined`); see `errors::to_js_error`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn zen_error(
        message: &str,
        kind: &str,
        status: Option<u16>,
        retry_after: Option<f64>,
        retryable: bool,
        provider: Option<&str>,
        error_type: Option<&str>,
        code: Option<&str>,
    ) -> JsValue;
}
