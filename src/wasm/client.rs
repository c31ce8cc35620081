//! `ZenClient` and `ZenStream`: the transport around [`crate::client`]'s
//! state machine. Everything decided here is a host call (fetch, read,
//! timers, abort); what to retry, deliver or report is decided by the core.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{AbortController, AbortSignal, ReadableStreamDefaultReader};

use super::api::write_models;
use super::convert::{from_js, parse_json, write_to_js};
use super::errors::to_js_error;
use super::transport::{
    abort_fn, body_reader, body_text, failure, global_fetch, is_browser, on_abort, read_chunk,
    response_headers, send, sleep, Timer,
};
use crate::catalog::Catalog;
use crate::client::{prepare, CallState, ClientOptions, Next, Progress};
use crate::error::{ErrorKind, ZenError};
use crate::event::Event;
use crate::json_write::JsonWriter;
use crate::request::parse::read_request;
use crate::request::HttpRequest;
use crate::retry::RetryDecision;
use crate::wire::WireFormat;

#[wasm_bindgen(inline_js = "export function make_async_iterable(o) {
  const p = Object.getPrototypeOf(o);
  if (!Object.prototype.hasOwnProperty.call(p, Symbol.asyncIterator)) {
    Object.defineProperty(p, Symbol.asyncIterator, {
      value: function () { return this; }, writable: true, configurable: true,
    });
  }
  return o;
}")]
extern "C" {
    /// Gives `o`'s class a `[Symbol.asyncIterator]()` returning the object
    /// itself (once per class), so `for await (const ev of stream)` works.
    /// A snippet because an exported Rust method cannot return its own JS
    /// wrapper object.
    fn make_async_iterable(o: JsValue) -> JsValue;
}

/// The promise of `future`. Boxed to `dyn` so the whole spawn/resolve
/// machinery of `future_to_promise` exists once in the package, not once
/// per async method.
fn promise(future: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>) -> Promise {
    future_to_promise(future)
}

fn thrown(e: ZenError) -> JsValue {
    to_js_error(&e)
}

fn aborted() -> ZenError {
    ZenError::local(ErrorKind::Aborted, "the request was aborted")
}

/// What every call of one client shares.
struct ClientCore {
    options: ClientOptions,
    fetch: Function,
}

/// A client for the Zen gateway (streaming, non-streaming, models list).
#[wasm_bindgen]
pub struct ZenClient {
    core: Rc<ClientCore>,
}

#[wasm_bindgen]
impl ZenClient {
    /// A client; `options.fetch` defaults to `globalThis.fetch`, `browser`
    /// to whether the host is a browser. Throws a ZenError
    /// (`invalidRequest`) for malformed options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "ZenClientOptions")] options: JsValue,
    ) -> Result<ZenClient, JsValue> {
        let given = !(options.is_undefined() || options.is_null());
        let mut parsed: ClientOptions = if given {
            from_js(&options, "options", ClientOptions::from_json).map_err(thrown)?
        } else {
            ClientOptions::default()
        };
        let field = |name: &str| {
            if given {
                Reflect::get(&options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
            } else {
                JsValue::UNDEFINED
            }
        };
        if field("browser").is_undefined() {
            parsed.browser = is_browser();
        }
        let fetch = match field("fetch") {
            f if f.is_undefined() || f.is_null() => global_fetch().ok_or_else(|| {
                thrown(ZenError::local(
                    ErrorKind::InvalidRequest,
                    "options.fetch: no global fetch in this host; pass one",
                ))
            })?,
            f => f.dyn_into::<Function>().map_err(|_| {
                thrown(ZenError::local(
                    ErrorKind::InvalidRequest,
                    "options.fetch: not a function",
                ))
            })?,
        };
        Ok(ZenClient {
            core: Rc::new(ClientCore {
                options: parsed,
                fetch,
            }),
        })
    }

    /// Starts a streaming request and returns at once. Iterate the stream
    /// with `for await`; failures end the iteration by throwing a ZenError.
    /// An invalid request throws here, before anything is sent.
    #[wasm_bindgen(unchecked_return_type = "ZenStream")]
    pub fn stream(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UnifiedRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let req = from_js(&request, "request", read_request).map_err(thrown)?;
        let prepared =
            prepare(&req, true, &self.core.options, Catalog::builtin()).map_err(thrown)?;
        let cancel = Cancel::new(&options)?;
        let inner = StreamInner {
            core: self.core.clone(),
            http: prepared.http,
            call: CallState::new(prepared.format, self.core.options.retry_policy()),
            phase: Phase::Idle,
            cancel,
            ready: None,
        };
        let stream = ZenStream {
            inner: Rc::new(RefCell::new(inner)),
            tail: RefCell::new(None),
        };
        Ok(make_async_iterable(stream.into()))
    }

    /// A non-streaming request, decoded into the final Message. Same
    /// retries, timeouts and errors as `stream`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Message>")]
    pub fn complete(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UnifiedRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let core = self.core.clone();
        let setup = (|| -> Result<_, JsValue> {
            let req = from_js(&request, "request", read_request).map_err(thrown)?;
            let prepared =
                prepare(&req, false, &core.options, Catalog::builtin()).map_err(thrown)?;
            Ok((prepared, Cancel::new(&options)?))
        })();
        promise(Box::pin(async move {
            let (prepared, cancel) = setup?;
            whole_call(
                &core,
                &prepared.http,
                prepared.format,
                &cancel,
                decode_message,
            )
            .await
        }))
    }

    /// `GET {baseUrl}/models` merged with the built-in catalog: listed
    /// models the catalog lacks come as `unknown`, catalog models the list
    /// lacks are marked `unavailable`.
    #[wasm_bindgen(js_name = listModels, unchecked_return_type = "Promise<ModelInfo[]>")]
    pub fn list_models(&self) -> Promise {
        let core = self.core.clone();
        promise(Box::pin(async move {
            let cancel = Cancel::new(&JsValue::UNDEFINED)?;
            let http = core.options.models_request();
            whole_call(&core, &http, WireFormat::Chat, &cancel, decode_models).await
        }))
    }
}

/// What `complete()` resolves to: the response body decoded into a Message.
fn decode_message(format: WireFormat, body: &str) -> Result<JsValue, ZenError> {
    let message = crate::response::decode_response(format, body)?;
    write_to_js(&|w| message.write_json(w))
}

/// What `listModels()` resolves to: the models list merged with the catalog.
fn decode_models(_: WireFormat, body: &str) -> Result<JsValue, ZenError> {
    let catalog = Catalog::builtin()
        .with_models_list(body)
        .map_err(|e| ZenError::local(ErrorKind::Protocol, e.to_string()))?;
    write_to_js(&|w| write_models(w, catalog.models()))
}

/// The body of a non-streaming call decoded by `decode`, with retries; the
/// caller's signal is let go of however it ends.
async fn whole_call(
    core: &ClientCore,
    http: &HttpRequest,
    format: WireFormat,
    cancel: &Cancel,
    decode: fn(WireFormat, &str) -> Result<JsValue, ZenError>,
) -> Result<JsValue, JsValue> {
    let result = fetch_with_retries(core, http, cancel, |body| decode(format, body)).await;
    cancel.release();
    result.map_err(thrown)
}

/// The caller's cancellation: a controller aborted by `stream.cancel()` or
/// by the caller's `signal` (linked through a bound function, removed again
/// when the call ends).
struct Cancel {
    controller: AbortController,
    abort: Function,
    user_signal: Option<AbortSignal>,
}

impl Cancel {
    /// From call options `{signal?}`.
    fn new(options: &JsValue) -> Result<Cancel, JsValue> {
        let controller = AbortController::new()?;
        let abort = abort_fn(&controller)?;
        let signal = if options.is_object() {
            Reflect::get(options, &JsValue::from_str("signal"))?
        } else {
            JsValue::UNDEFINED
        };
        let user_signal = if signal.is_object() {
            let signal = signal.unchecked_into::<AbortSignal>();
            if signal.aborted() {
                controller.abort();
            } else {
                on_abort(&signal, &abort)?;
            }
            Some(signal)
        } else {
            None
        };
        Ok(Cancel {
            controller,
            abort,
            user_signal,
        })
    }

    fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    fn cancel(&self) {
        self.controller.abort();
    }

    /// The call ended: stop listening to the caller's signal.
    fn release(&self) {
        if let Some(signal) = &self.user_signal {
            let _ = signal.remove_event_listener_with_callback("abort", &self.abort);
        }
    }
}

/// One attempt's own controller, aborted by the caller's cancellation and
/// by our timeouts.
struct Attempt {
    controller: AbortController,
    abort: Function,
}

impl Attempt {
    fn new(cancel: &Cancel) -> Result<Attempt, JsValue> {
        let controller = AbortController::new()?;
        let abort = abort_fn(&controller)?;
        on_abort(&cancel.signal(), &abort)?;
        Ok(Attempt { controller, abort })
    }

    fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    fn timer(&self, ms: u64) -> Timer {
        Timer::start(&self.abort, ms)
    }
}

/// Sends `http` until it succeeds and `decode` accepts the body, or the
/// retry policy gives up (non-streaming calls: no output is ever delivered
/// before the body is complete, so every retryable failure may retry).
async fn fetch_with_retries(
    core: &ClientCore,
    http: &HttpRequest,
    cancel: &Cancel,
    decode: impl Fn(&str) -> Result<JsValue, ZenError>,
) -> Result<JsValue, ZenError> {
    let policy = core.options.retry_policy();
    let mut attempts = 0u32;
    loop {
        if cancel.signal().aborted() {
            return Err(aborted());
        }
        attempts = attempts.saturating_add(1);
        let result = match fetch_text(core, http, cancel).await {
            Ok(text) => decode(&text),
            Err(e) => Err(e),
        };
        let err = match result {
            Ok(value) => return Ok(value),
            Err(err) => err,
        };
        match policy.decide(&err, attempts, false, js_sys::Math::random()) {
            RetryDecision::RetryAfter { delay_ms } => {
                sleep(delay_ms, &cancel.signal())
                    .await
                    .map_err(|_| aborted())?;
            }
            RetryDecision::GiveUp { .. } => return Err(err),
        }
    }
}

/// One attempt of a non-streaming request: the body text of a 2xx
/// response, or the typed error.
async fn fetch_text(
    core: &ClientCore,
    http: &HttpRequest,
    cancel: &Cancel,
) -> Result<String, ZenError> {
    let opts = &core.options;
    let attempt = Attempt::new(cancel)
        .map_err(|e| ZenError::local(ErrorKind::Network, super::convert::js_message(&e)))?;
    let head_timer = attempt.timer(opts.first_byte_timeout_ms);
    let response = send(&core.fetch, http, &attempt.signal())
        .await
        .map_err(|e| {
            failure(
                &e,
                &cancel.signal(),
                &attempt.signal(),
                &format!("no response within {} ms", opts.first_byte_timeout_ms),
            )
        })?;
    drop(head_timer);
    let body_timer = attempt.timer(opts.idle_timeout_ms);
    let text = body_text(&response).await.map_err(|e| {
        failure(
            &e,
            &cancel.signal(),
            &attempt.signal(),
            &format!("the body did not arrive within {} ms", opts.idle_timeout_ms),
        )
    })?;
    drop(body_timer);
    if !response.ok() {
        return Err(ZenError::from_response_at(
            response.status(),
            response_headers(&response),
            &text,
            Some(js_sys::Date::now() as u64),
        ));
    }
    Ok(text)
}

/// Where a stream is.
#[derive(Clone)]
enum Phase {
    /// No attempt in flight: the next step sends the request.
    Idle,
    /// Reading the body of the current attempt.
    Reading {
        reader: ReadableStreamDefaultReader,
        attempt: Rc<Attempt>,
        /// The first-byte timer, until the first chunk arrives.
        first_timer: Option<Rc<Timer>>,
    },
    /// Ended (normally, by an error, or cancelled).
    Done,
}

struct StreamInner {
    core: Rc<ClientCore>,
    http: HttpRequest,
    call: CallState,
    phase: Phase,
    cancel: Cancel,
    /// Iterator results (`{value, done: false}`) of the last read, parsed
    /// in one crossing, and the index of the next one to hand out.
    ready: Option<(Array, u32)>,
}

impl StreamInner {
    fn take_ready(&mut self) -> Option<JsValue> {
        let (items, pos) = self.ready.as_mut()?;
        if *pos >= items.length() {
            self.ready = None;
            return None;
        }
        let item = items.get(*pos);
        *pos += 1;
        Some(item)
    }

    fn set_ready(&mut self, events: &[Event]) -> Result<(), JsValue> {
        if events.is_empty() {
            return Ok(());
        }
        // `{value, done: false}` per event, written as one JSON array.
        let mut w = JsonWriter::new();
        w.begin_array();
        for event in events {
            w.begin_object();
            w.key("value");
            event.write_json(&mut w);
            w.key("done");
            w.bool(false);
            w.end_object();
        }
        w.end_array();
        let text = w.finish();
        let parsed = parse_json(&text).map_err(thrown)?;
        self.ready = Some((parsed.unchecked_into::<Array>(), 0));
        Ok(())
    }

    fn end(&mut self) {
        self.phase = Phase::Done;
        self.cancel.release();
    }
}

/// A streaming response: an async iterable of `ZenEvent`s.
#[wasm_bindgen]
pub struct ZenStream {
    inner: Rc<RefCell<StreamInner>>,
    /// The promise of the last `next()`, so overlapping calls run in order.
    tail: RefCell<Option<Promise>>,
}

#[wasm_bindgen]
impl ZenStream {
    /// The next event: `{value, done: false}`, or `{done: true}` at the end.
    /// Rejects with a ZenError when the stream fails, times out or is
    /// cancelled.
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<ZenEvent, undefined>>")]
    pub fn next(&self) -> Promise {
        let inner = self.inner.clone();
        let previous = self.tail.borrow_mut().take();
        let next = promise(Box::pin(async move {
            if let Some(previous) = previous {
                // Only the order matters; the previous caller saw its result.
                let _ = JsFuture::from(previous).await;
            }
            next_item(&inner).await
        }));
        *self.tail.borrow_mut() = Some(next.clone());
        next
    }

    /// Ends the iteration early (what `break` in `for await` calls): cancels
    /// the request and resolves `{done: true}`.
    #[wasm_bindgen(
        js_name = "return",
        unchecked_return_type = "Promise<IteratorResult<ZenEvent, undefined>>"
    )]
    pub fn return_(&self) -> Promise {
        let mut inner = self.inner.borrow_mut();
        inner.cancel.cancel();
        inner.ready = None;
        inner.end();
        Promise::resolve(&done_result())
    }

    /// The message accumulated so far (final once the iteration ended).
    #[wasm_bindgen(unchecked_return_type = "Message")]
    pub fn message(&self) -> Result<JsValue, JsValue> {
        let inner = self.inner.borrow();
        let message = inner.call.message();
        write_to_js(&|w| message.write_json(w)).map_err(thrown)
    }

    /// Aborts the request at once; a pending or later `next()` throws a
    /// ZenError of kind `aborted`.
    pub fn cancel(&self) {
        self.inner.borrow().cancel.cancel();
    }
}

fn done_result() -> JsValue {
    let o = js_sys::Object::new();
    let _ = Reflect::set(&o, &"value".into(), &JsValue::UNDEFINED);
    let _ = Reflect::set(&o, &"done".into(), &JsValue::TRUE);
    o.into()
}

/// Runs the stream until it has an item to hand out, ends, or fails.
async fn next_item(inner: &Rc<RefCell<StreamInner>>) -> Result<JsValue, JsValue> {
    loop {
        let phase = {
            let mut s = inner.borrow_mut();
            let done = matches!(s.phase, Phase::Done);
            if !done && s.cancel.signal().aborted() {
                s.ready = None;
                s.end();
                return Err(thrown(aborted()));
            }
            if let Some(item) = s.take_ready() {
                return Ok(item);
            }
            if done {
                return Ok(done_result());
            }
            s.phase.clone()
        };
        match phase {
            Phase::Idle => start_attempt(inner).await?,
            Phase::Reading {
                reader,
                attempt,
                first_timer,
            } => read_more(inner, reader, attempt, first_timer).await?,
            Phase::Done => return Ok(done_result()),
        }
    }
}

/// Sends the request; on a 2xx the stream moves to reading its body.
async fn start_attempt(inner: &Rc<RefCell<StreamInner>>) -> Result<(), JsValue> {
    let (core, http, attempt) = {
        let mut s = inner.borrow_mut();
        s.call.begin_attempt();
        let attempt = Rc::new(Attempt::new(&s.cancel)?);
        (s.core.clone(), s.http.clone(), attempt)
    };
    let first_ms = core.options.first_byte_timeout_ms;
    let timer = Rc::new(attempt.timer(first_ms));
    let timeout_msg = || format!("no response within {first_ms} ms");
    let cancel_signal = inner.borrow().cancel.signal();
    let response = match send(&core.fetch, &http, &attempt.signal()).await {
        Ok(r) => r,
        Err(e) => {
            let err = failure(&e, &cancel_signal, &attempt.signal(), &timeout_msg());
            return after_failure(inner, err).await;
        }
    };
    if !response.ok() {
        let status = response.status();
        let headers = response_headers(&response);
        let err = match body_text(&response).await {
            Ok(text) => {
                ZenError::from_response_at(status, headers, &text, Some(js_sys::Date::now() as u64))
            }
            Err(e) => failure(&e, &cancel_signal, &attempt.signal(), &timeout_msg()),
        };
        return after_failure(inner, err).await;
    }
    match body_reader(&response) {
        Some(reader) => {
            inner.borrow_mut().phase = Phase::Reading {
                reader,
                attempt,
                first_timer: Some(timer),
            };
            Ok(())
        }
        // A 2xx without a body: the stream is over.
        None => end_of_body(inner).await,
    }
}

/// Reads one chunk of the body and routes its events through the core.
async fn read_more(
    inner: &Rc<RefCell<StreamInner>>,
    reader: ReadableStreamDefaultReader,
    attempt: Rc<Attempt>,
    first_timer: Option<Rc<Timer>>,
) -> Result<(), JsValue> {
    let (timer, timeout_msg) = {
        let opts = &inner.borrow().core.options;
        match first_timer {
            Some(t) => (
                t,
                format!("no data within {} ms", opts.first_byte_timeout_ms),
            ),
            None => (
                Rc::new(attempt.timer(opts.idle_timeout_ms)),
                format!("no data for {} ms", opts.idle_timeout_ms),
            ),
        }
    };
    let read = read_chunk(&reader).await;
    // From here on the idle timer applies; the read's timer is cleared
    // once both this binding and the phase let go of it.
    drop(timer);
    inner.borrow_mut().phase = Phase::Reading {
        reader,
        attempt: attempt.clone(),
        first_timer: None,
    };
    let cancel_signal = inner.borrow().cancel.signal();
    match read {
        Err(e) => {
            let err = failure(&e, &cancel_signal, &attempt.signal(), &timeout_msg);
            after_failure(inner, err).await
        }
        Ok(None) => end_of_body(inner).await,
        Ok(Some(bytes)) => {
            let mut out = Vec::new();
            let progress = {
                let mut s = inner.borrow_mut();
                let progress = s.call.on_chunk(&bytes, &mut out, js_sys::Math::random());
                if progress == Progress::Continue {
                    s.set_ready(&out)?;
                }
                progress
            };
            match progress {
                Progress::Continue => Ok(()),
                Progress::Retry { delay_ms } => {
                    // Close this attempt's connection before the next one.
                    attempt.controller.abort();
                    retry_after(inner, delay_ms).await
                }
            }
        }
    }
}

/// The body ended: the last events, then the end of the stream.
async fn end_of_body(inner: &Rc<RefCell<StreamInner>>) -> Result<(), JsValue> {
    let mut out = Vec::new();
    let progress = {
        let mut s = inner.borrow_mut();
        let progress = s.call.on_end(&mut out, js_sys::Math::random());
        if progress == Progress::Continue {
            s.set_ready(&out)?;
            s.end();
        }
        progress
    };
    match progress {
        Progress::Continue => Ok(()),
        Progress::Retry { delay_ms } => retry_after(inner, delay_ms).await,
    }
}

/// An attempt failed: retry after a pause, or end the stream with `err`.
async fn after_failure(inner: &Rc<RefCell<StreamInner>>, err: ZenError) -> Result<(), JsValue> {
    let next = inner
        .borrow_mut()
        .call
        .on_failure(err, js_sys::Math::random());
    match next {
        Next::Retry { delay_ms } => retry_after(inner, delay_ms).await,
        Next::Fail(err) => {
            let mut s = inner.borrow_mut();
            s.ready = None;
            s.end();
            Err(thrown(err))
        }
    }
}

/// Waits `delay_ms` (cut short by cancellation), then goes back to Idle.
async fn retry_after(inner: &Rc<RefCell<StreamInner>>, delay_ms: u64) -> Result<(), JsValue> {
    let signal = {
        let mut s = inner.borrow_mut();
        s.phase = Phase::Idle;
        s.cancel.signal()
    };
    if sleep(delay_ms, &signal).await.is_err() {
        let mut s = inner.borrow_mut();
        s.ready = None;
        s.end();
        return Err(thrown(aborted()));
    }
    Ok(())
}
