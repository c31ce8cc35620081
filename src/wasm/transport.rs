//! The I/O pieces the client needs from the JS host, written against the
//! web platform's lowest common denominator (browsers, Cloudflare Workers,
//! Node ≥ 18): an injectable `fetch`, `setTimeout`, `AbortController` and
//! `ReadableStream` readers.
//!
//! Why not gloo-net (the stack's fetch wrapper): it always calls the global
//! `fetch`, and the client must accept an injected one — tests route requests
//! through it, Workers pass a service binding's `fetch`. So the request is
//! made with a `js_sys::Function` and the body is read with
//! `web_sys::ReadableStreamDefaultReader` directly.

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, AbortSignal, ReadableStreamDefaultReader, Response};

use super::convert::{js_message, write_headers, write_to_js};
use super::errors::to_js_error;
use crate::error::{ErrorKind, Fail, ZenError};
use crate::request::HttpRequest;

// Host steps written in JS where one JS function is smaller than the
// imported calls it replaces (each import costs a JS wrapper and a wasm
// shim). One snippet module: each `inline_js` is a file of its own.
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
    fn set_timer(f: &Function, ms: f64) -> JsValue;

    /// `globalThis.clearTimeout(handle)` for a handle that is not
    /// `undefined`; failures are ignored (the timer is being dropped).
    fn clear_timer(handle: &JsValue);

    /// `controller.abort` bound to `controller`: a JS function that aborts
    /// it, usable as a timer or event callback without a Rust closure.
    #[wasm_bindgen(catch)]
    pub(crate) fn abort_fn(controller: &AbortController) -> Result<Function, JsValue>;

    /// `Promise.resolve(fetch.call(globalThis, url, init))` with `init`
    /// `{method, headers, body (unless empty), signal}`. `fetch` needs the
    /// global object as `this` ("Illegal invocation" otherwise); an
    /// injected function ignores it.
    #[wasm_bindgen(catch, js_name = send)]
    fn fetch_with(
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

/// A pending `setTimeout`; cleared on drop, so no early return leaves a
/// timer behind.
pub(crate) struct Timer(JsValue);

impl Timer {
    /// Calls `callback` after `ms` milliseconds (clamped to what
    /// `setTimeout` accepts: larger delays would fire at once).
    pub(crate) fn start(callback: &Function, ms: u64) -> Timer {
        Timer(set_timer(callback, ms.min(i32::MAX as u64) as f64))
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timer(&self.0);
    }
}

/// Runs `callback` when `signal` aborts.
pub(crate) fn on_abort(signal: &AbortSignal, callback: &Function) -> Result<(), JsValue> {
    signal.add_event_listener_with_callback("abort", callback)
}

/// A promise resolved after `ms` (the returned timer clears it on drop),
/// or rejected as soon as `cancel` aborts; `None` when `cancel` already
/// aborted or cannot be listened to.
pub(crate) fn sleep(ms: u64, cancel: &AbortSignal) -> Option<(Promise, Timer)> {
    if cancel.aborted() {
        return None;
    }
    let mut timer = None;
    let mut listen = Ok(());
    // `new_typed`: the constructor `future_to_promise` already imports.
    let promise = Promise::new_typed::<JsValue>(&mut |resolve, reject| {
        timer = Some(Timer::start(resolve.unchecked_ref(), ms));
        listen = on_abort(cancel, reject.unchecked_ref());
    });
    listen.ok()?;
    Some((promise.unchecked_into(), timer?))
}

/// Starts sending `req` with `fetch`, aborted by `signal`: the promise of
/// the response head (see [`response_of`]).
pub(crate) fn send(
    fetch: &Function,
    req: &HttpRequest,
    signal: &AbortSignal,
) -> Result<Promise, JsValue> {
    let headers = write_to_js(&|w| write_headers(w, &req.headers)).map_err(|e| to_js_error(&e))?;
    fetch_with(fetch, &req.url, &req.method, &headers, &req.body, signal)
}

/// The response head a fetch resolved to.
pub(crate) fn response_of(resolved: JsValue) -> Result<Response, JsValue> {
    // Not `dyn_into`: an injected fetch (Miniflare, undici, a polyfill) may
    // return a Response of another realm or class, which fails `instanceof`
    // but has the same shape.
    if !resolved.is_object() {
        return Err(JsValue::from_str("fetch did not resolve to a Response"));
    }
    Ok(resolved.unchecked_into::<Response>())
}

/// The response headers as name/value pairs.
pub(crate) fn response_headers(response: &Response) -> Vec<(String, String)> {
    super::convert::headers_from_js(&response.headers())
}

/// A reader of the body, or `None` for a response without one.
pub(crate) fn body_reader(response: &Response) -> Option<ReadableStreamDefaultReader> {
    response.body().map(|body| {
        body.get_reader()
            .unchecked_into::<ReadableStreamDefaultReader>()
    })
}

/// What one `reader.read()` resolved to: `Some(bytes)`, or `None` at the
/// end of the body.
pub(crate) fn chunk_of(result: &JsValue) -> Result<Option<Vec<u8>>, JsValue> {
    let done = Reflect::get(result, &"done".into())?
        .as_bool()
        .unwrap_or(false);
    if done {
        return Ok(None);
    }
    let value = Reflect::get(result, &"value".into())?;
    if !value.is_object() {
        return Err(JsValue::from_str("body chunk is not a Uint8Array"));
    }
    // Unchecked for the same cross-realm reason as the Response.
    Ok(Some(value.unchecked_into::<js_sys::Uint8Array>().to_vec()))
}

/// The typed error for a rejected fetch or read: `aborted` when the caller
/// cancelled, `timeout` when our timer aborted the attempt (the message is
/// "`timeout_prefix` `ms` ms"), `network` otherwise.
pub(crate) fn failure(
    e: &JsValue,
    cancel: &AbortSignal,
    attempt: &AbortSignal,
    timeout_prefix: &str,
    ms: u64,
) -> Fail {
    if cancel.aborted() {
        ZenError::fail(ErrorKind::Aborted, "the request was aborted".into())
    } else if attempt.aborted() {
        ZenError::fail(ErrorKind::Timeout, format!("{timeout_prefix} {ms} ms"))
    } else {
        ZenError::fail(ErrorKind::Network, js_message(e))
    }
}
