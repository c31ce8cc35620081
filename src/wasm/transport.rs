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

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, ReadableStreamDefaultReader, Response};

use super::convert::{js_message, write_headers, write_to_js};
use super::errors::to_js_error;
use super::host::{clear_timer, fetch_with, set_timer};
use crate::error::{ErrorKind, ZenError};
use crate::request::HttpRequest;

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
) -> ZenError {
    if cancel.aborted() {
        ZenError::local(ErrorKind::Aborted, "the request was aborted")
    } else if attempt.aborted() {
        ZenError::local(ErrorKind::Timeout, format!("{timeout_prefix} {ms} ms"))
    } else {
        ZenError::local(ErrorKind::Network, js_message(e))
    }
}
