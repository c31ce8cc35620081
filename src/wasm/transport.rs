//! The host I/O the client needs, written against what browsers, Cloudflare
//! Workers and Node ≥ 18 share: an injectable `fetch`, `setTimeout`,
//! `AbortController` and `ReadableStream` readers, each wrapped as a small
//! awaitable step whose failures are typed [`ZenError`]s.
//!
//! Why not gloo-net (the stack's fetch wrapper): it always calls the global
//! `fetch`, and the client must accept an injected one — tests route requests
//! through it, Workers pass a service binding's `fetch`. So the request is
//! made with a `js_sys::Function` and the body is read with
//! `web_sys::ReadableStreamDefaultReader` directly.

use js_sys::{Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, AbortSignal, ReadableStreamDefaultReader, Response};

use super::cancel::Cancel;
use super::convert::{js_message, write_headers, write_to_js};
use super::host::{abort_fn, clear_timer, fetch_with, set_timer, WaitTimer};
use super::waiter::Waiter;
use crate::error::{ErrorKind, ZenError};
use crate::request::HttpRequest;

/// The error of a call its caller cancelled.
pub(crate) fn aborted() -> ZenError {
    ZenError::local(ErrorKind::Aborted, "the request was aborted")
}

/// A pending `setTimeout`; cleared on drop, so no early return leaves a
/// timer behind.
pub(crate) struct Timer(JsValue);

impl Timer {
    /// Calls `callback` after `ms` milliseconds (clamped to what
    /// `setTimeout` accepts: larger delays would fire at once).
    pub(crate) fn start(callback: &Function, ms: u64) -> Timer {
        Timer(set_timer(callback, clamp_ms(ms)))
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timer(&self.0);
    }
}

/// `ms` as `setTimeout` takes it (larger delays would fire at once).
pub(crate) fn clamp_ms(ms: u64) -> f64 {
    ms.min(i32::MAX as u64) as f64
}

/// Runs `callback` when `signal` aborts.
pub(crate) fn on_abort(signal: &AbortSignal, callback: &Function) -> Result<(), JsValue> {
    signal.add_event_listener_with_callback("abort", callback)
}

/// Waits `ms` milliseconds (with `waiter`); fails as `aborted` at once when
/// the call is cancelled (or already was).
pub(crate) async fn sleep(ms: u64, cancel: &Cancel, waiter: &Waiter) -> Result<(), ZenError> {
    if cancel.is_cancelled() {
        return Err(aborted());
    }
    let mut timer = None;
    let pause = Promise::new(&mut |resolve, reject| {
        timer = Some(Timer::start(&resolve, ms));
        cancel.pause(Some(reject));
    });
    let result = waiter.wait(&pause).await;
    cancel.pause(None);
    drop(timer);
    result.map(drop).map_err(|_| aborted())
}

/// A wait that an attempt's timer limits: what it is called in the timeout
/// error ("`what` `ms` ms").
#[derive(Clone, Copy)]
pub(crate) struct Limit {
    pub(crate) what: &'static str,
    pub(crate) ms: u64,
}

/// One attempt's own controller and timer: the controller aborts the
/// attempt's fetch and body reads, and is aborted by the call's cancellation
/// and by the timer, which limits each wait of the attempt (the response
/// head, a body read). The timer is stopped for good on drop.
pub(crate) struct Attempt {
    controller: AbortController,
    abort: Function,
    timer: WaitTimer,
}

impl Attempt {
    pub(crate) fn new() -> Result<Attempt, JsValue> {
        let controller = AbortController::new()?;
        let abort = abort_fn(&controller)?;
        let timer = WaitTimer::new(&abort);
        Ok(Attempt {
            controller,
            abort,
            timer,
        })
    }

    pub(crate) fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// Aborts the attempt (closes its connection).
    pub(crate) fn abort(&self) {
        self.controller.abort();
    }

    /// A function that aborts the attempt.
    pub(crate) fn abort_fn(&self) -> &Function {
        &self.abort
    }

    /// A wait begins (in place of the one in progress, if any): the attempt
    /// is aborted unless it ends ([`Attempt::end_wait`]) within `limit.ms`.
    pub(crate) fn start_wait(&self, limit: Limit) {
        self.timer.start(clamp_ms(limit.ms));
    }

    /// The wait in progress ended in time.
    pub(crate) fn end_wait(&self) {
        self.timer.stop();
    }

    /// The timer, for `stream.js`, which starts and stops it around each
    /// read of a body after the first.
    pub(crate) fn timer(&self) -> &WaitTimer {
        &self.timer
    }

    /// The typed error for a failed fetch or read: `aborted` when the caller
    /// cancelled, `timeout` when a timer aborted the attempt during `limit`,
    /// `network` otherwise.
    pub(crate) fn failure(&self, e: &JsValue, cancel: &Cancel, limit: Limit) -> ZenError {
        if cancel.is_cancelled() {
            aborted()
        } else if self.signal().aborted() {
            ZenError::local(
                ErrorKind::Timeout,
                format!("{} {} ms", limit.what, limit.ms),
            )
        } else {
            ZenError::local(ErrorKind::Network, js_message(e))
        }
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        self.timer.dispose();
    }
}

/// Starts sending `req` with `fetch`, aborted by `signal`: the promise of
/// the response head (see [`response_of`]).
pub(crate) fn send(
    fetch: &Function,
    req: &HttpRequest,
    signal: &AbortSignal,
) -> Result<Promise, JsValue> {
    let headers = write_to_js(&|w| write_headers(w, &req.headers))
        .map_err(|e| JsValue::from_str(e.message()))?;
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

/// The typed error an HTTP error response amounts to, from its `body`.
pub(crate) fn response_error(response: &Response, body: &str) -> ZenError {
    let headers = super::convert::headers_from_js(&response.headers());
    let now = js_sys::Date::now() as u64;
    ZenError::from_response_at(response.status(), headers, body, Some(now))
}

/// A reader of the body, or `None` for a response without one.
pub(crate) fn body_reader(response: &Response) -> Option<ReadableStreamDefaultReader> {
    response.body().map(|body| {
        body.get_reader()
            .unchecked_into::<ReadableStreamDefaultReader>()
    })
}
