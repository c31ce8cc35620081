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
use super::convert::{from_js, js_message, parse_json, write_to_js};
use super::errors::to_js_error;
use super::transport::{
    abort_fn, body_reader, body_text, failure, global_fetch, is_browser, on_abort, read_chunk,
    response_headers, response_of, send, sleep, Timer,
};
use crate::catalog::Catalog;
use crate::client::{prepare, CallState, ClientOptions, Next, Prepared, Progress};
use crate::error::{ErrorKind, ZenError};
use crate::event::Event;
use crate::json_write::JsonWriter;
use crate::request::parse::read_request;
use crate::request::HttpRequest;
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
        let prepared = self.prepare(&request, true)?;
        let call = self.call(prepared.http, prepared.format, None, &options)?;
        let stream = ZenStream {
            call,
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
        let call = self.prepare(&request, false).and_then(|prepared| {
            self.call(
                prepared.http,
                prepared.format,
                Some(decode_message),
                &options,
            )
        });
        promise(call, None)
    }

    /// `GET {baseUrl}/models` merged with the built-in catalog: listed
    /// models the catalog lacks come as `unknown`, catalog models the list
    /// lacks are marked `unavailable`.
    #[wasm_bindgen(js_name = listModels, unchecked_return_type = "Promise<ModelInfo[]>")]
    pub fn list_models(&self) -> Promise {
        let http = self.core.options.models_request();
        let call = self.call(
            http,
            WireFormat::Chat,
            Some(decode_models),
            &JsValue::UNDEFINED,
        );
        promise(call, None)
    }
}

impl ZenClient {
    /// The HTTP request for the JS `request` in the given mode.
    fn prepare(&self, request: &JsValue, stream: bool) -> Result<Prepared, JsValue> {
        let req = from_js(request, "request", read_request).map_err(thrown)?;
        prepare(&req, stream, &self.core.options, Catalog::builtin()).map_err(thrown)
    }

    /// A call of `http` not started yet; `whole` is `None` for a stream.
    fn call(
        &self,
        http: HttpRequest,
        format: WireFormat,
        whole: Option<Decode>,
        options: &JsValue,
    ) -> Result<Rc<RefCell<Call>>, JsValue> {
        Ok(Rc::new(RefCell::new(Call {
            core: self.core.clone(),
            http: Rc::new(http),
            state: CallState::new(format, self.core.options.retry_policy()),
            whole: whole.map(|decode| (decode, format)),
            phase: Phase::Idle,
            cancel: Cancel::new(options)?,
            ready: None,
        })))
    }
}

/// Turns the 2xx body of a non-streaming call into the value its promise
/// resolves to (a plain `fn`: one copy of the call machinery serves both).
type Decode = fn(WireFormat, &str) -> Result<JsValue, ZenError>;

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

/// Where a call is.
enum Phase {
    /// No attempt in flight: the next step sends the request.
    Idle,
    /// Reading the streaming body of the current attempt.
    Reading {
        reader: ReadableStreamDefaultReader,
        attempt: Rc<Attempt>,
        /// The first-byte timer, until the first chunk arrives.
        first_timer: Option<Timer>,
    },
    /// Ended (normally, by an error, or cancelled).
    Done,
}

/// One call (streaming or not) across all its attempts.
struct Call {
    core: Rc<ClientCore>,
    http: Rc<HttpRequest>,
    state: CallState,
    /// `None` for a stream; for a non-streaming call, what turns its 2xx
    /// body (in this format) into the promised value.
    whole: Option<(Decode, WireFormat)>,
    phase: Phase,
    cancel: Cancel,
    /// Iterator results (`{value, done: false}`) of the last read, parsed
    /// in one crossing, and the index of the next one to hand out.
    ready: Option<(Array, u32)>,
}

impl Call {
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

    /// Ends the call with `err`, as the JS error to reject with.
    fn fail(&mut self, err: ZenError) -> JsValue {
        self.ready = None;
        self.end();
        thrown(err)
    }
}

/// A streaming response: an async iterable of `ZenEvent`s.
#[wasm_bindgen]
pub struct ZenStream {
    call: Rc<RefCell<Call>>,
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
        let previous = self.tail.borrow_mut().take();
        let next = promise(Ok(self.call.clone()), previous);
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
        let mut call = self.call.borrow_mut();
        call.cancel.cancel();
        call.ready = None;
        call.end();
        Promise::resolve(&done_result())
    }

    /// The message accumulated so far (final once the iteration ended).
    #[wasm_bindgen(unchecked_return_type = "Message")]
    pub fn message(&self) -> Result<JsValue, JsValue> {
        let call = self.call.borrow();
        let message = call.state.message();
        write_to_js(&|w| message.write_json(w)).map_err(thrown)
    }

    /// Aborts the request at once; a pending or later `next()` throws a
    /// ZenError of kind `aborted`.
    pub fn cancel(&self) {
        self.call.borrow().cancel.cancel();
    }
}

fn done_result() -> JsValue {
    let o = js_sys::Object::new();
    let _ = Reflect::set(&o, &"value".into(), &JsValue::UNDEFINED);
    let _ = Reflect::set(&o, &"done".into(), &JsValue::TRUE);
    o.into()
}

/// The promise of one step of `call` (after `previous` settled): the next
/// stream item, or a non-streaming call's value. The one async body and
/// the one `future_to_promise` of the package (`dyn`, so its spawn/resolve
/// machinery exists once).
fn promise(call: Result<Rc<RefCell<Call>>, JsValue>, previous: Option<Promise>) -> Promise {
    let run: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>> = Box::pin(async move {
        let call = call?;
        if let Some(previous) = previous {
            // Only the order matters; the previous caller saw its result.
            let _ = JsFuture::from(previous).await;
        }
        run(&call).await
    });
    future_to_promise(run)
}

/// What an attempt's step led to.
enum Step {
    /// Go on (items may be ready, or the body is being read).
    Continue,
    /// The streaming body ended.
    End,
    /// The attempt failed: retry or report, as the policy says.
    Failed(ZenError),
    /// Abandon the attempt; retry after this many milliseconds.
    Retry(u64),
}

/// Runs the call until it has an item or a value to hand out, ends, or
/// fails. One loop for every phase, so the package holds one state machine.
async fn run(call: &Rc<RefCell<Call>>) -> Result<JsValue, JsValue> {
    loop {
        let (phase, cancel_signal, first_ms, idle_ms, whole) = {
            let mut s = call.borrow_mut();
            let done = matches!(s.phase, Phase::Done);
            if !done && s.cancel.signal().aborted() {
                return Err(s.fail(aborted()));
            }
            if let Some(item) = s.take_ready() {
                return Ok(item);
            }
            if done {
                return Ok(done_result());
            }
            let opts = &s.core.options;
            let (first_ms, idle_ms) = (opts.first_byte_timeout_ms, opts.idle_timeout_ms);
            // Taken, not cloned: every step below sets the next phase.
            let phase = std::mem::replace(&mut s.phase, Phase::Idle);
            (phase, s.cancel.signal(), first_ms, idle_ms, s.whole)
        };
        let step = match phase {
            Phase::Idle => 'attempt: {
                let attempt = {
                    let mut s = call.borrow_mut();
                    s.state.begin_attempt();
                    Attempt::new(&s.cancel)
                };
                let attempt = match attempt {
                    Ok(attempt) => attempt,
                    // A non-streaming call reports it like a failed
                    // connection; a stream rejects this `next()` as is.
                    Err(e) if whole.is_some() => {
                        break 'attempt Step::Failed(ZenError::local(
                            ErrorKind::Network,
                            js_message(&e),
                        ))
                    }
                    Err(e) => return Err(e),
                };
                let mut timer = Some(attempt.timer(first_ms));
                // No borrow across the host's `fetch`: it may call back
                // into this stream (`return()`, `message()`).
                let (core, http) = {
                    let s = call.borrow();
                    (s.core.clone(), s.http.clone())
                };
                let sent = send(&core.fetch, &http, &attempt.signal());
                let response = match sent {
                    Ok(sent) => response_of(sent).await,
                    Err(e) => Err(e),
                };
                let response = match response {
                    Ok(r) => r,
                    Err(e) => {
                        break 'attempt Step::Failed(failure(
                            &e,
                            &cancel_signal,
                            &attempt.signal(),
                            "no response within",
                            first_ms,
                        ))
                    }
                };
                if whole.is_some() || !response.ok() {
                    // A whole body gets the idle timeout from here on; an
                    // error body of a stream is still the first byte's.
                    let (prefix, ms) = if whole.is_some() {
                        drop(timer.take());
                        timer = Some(attempt.timer(idle_ms));
                        ("the body did not arrive within", idle_ms)
                    } else {
                        ("no response within", first_ms)
                    };
                    let status = response.status();
                    let headers = response_headers(&response);
                    let text = match body_text(&response).await {
                        Ok(text) => text,
                        Err(e) => {
                            let signal = attempt.signal();
                            break 'attempt Step::Failed(failure(
                                &e,
                                &cancel_signal,
                                &signal,
                                prefix,
                                ms,
                            ));
                        }
                    };
                    drop(timer);
                    if !response.ok() {
                        let now = Some(js_sys::Date::now() as u64);
                        break 'attempt Step::Failed(ZenError::from_response_at(
                            status, headers, &text, now,
                        ));
                    }
                    if let Some((decode, format)) = whole {
                        match decode(format, &text) {
                            Ok(value) => {
                                call.borrow_mut().end();
                                return Ok(value);
                            }
                            Err(err) => break 'attempt Step::Failed(err),
                        }
                    }
                    Step::Continue
                } else {
                    match body_reader(&response) {
                        Some(reader) => {
                            call.borrow_mut().phase = Phase::Reading {
                                reader,
                                attempt: Rc::new(attempt),
                                first_timer: timer,
                            };
                            Step::Continue
                        }
                        // A 2xx without a body: the stream is over.
                        None => Step::End,
                    }
                }
            }
            Phase::Reading {
                reader,
                attempt,
                first_timer,
            } => {
                let (prefix, ms, idle_timer) = match first_timer {
                    Some(_) => ("no data within", first_ms, None),
                    None => ("no data for", idle_ms, Some(attempt.timer(idle_ms))),
                };
                let read = read_chunk(&reader).await;
                // From here on the idle timer applies.
                drop(first_timer);
                drop(idle_timer);
                call.borrow_mut().phase = Phase::Reading {
                    reader,
                    attempt: attempt.clone(),
                    first_timer: None,
                };
                match read {
                    Err(e) => {
                        Step::Failed(failure(&e, &cancel_signal, &attempt.signal(), prefix, ms))
                    }
                    Ok(None) => Step::End,
                    Ok(Some(bytes)) => {
                        let mut out = Vec::new();
                        let mut s = call.borrow_mut();
                        match s.state.on_chunk(&bytes, &mut out, js_sys::Math::random()) {
                            Progress::Continue => {
                                s.set_ready(&out)?;
                                Step::Continue
                            }
                            Progress::Retry { delay_ms } => {
                                // Close this attempt's connection before the next one.
                                attempt.controller.abort();
                                Step::Retry(delay_ms)
                            }
                        }
                    }
                }
            }
            // Not reached: a finished call returned above.
            Phase::Done => return Ok(done_result()),
        };
        let delay_ms = match step {
            Step::Continue => continue,
            Step::End => {
                // The last events, then the end of the stream.
                let mut out = Vec::new();
                let mut s = call.borrow_mut();
                match s.state.on_end(&mut out, js_sys::Math::random()) {
                    Progress::Continue => {
                        s.set_ready(&out)?;
                        s.end();
                        continue;
                    }
                    Progress::Retry { delay_ms } => delay_ms,
                }
            }
            Step::Failed(err) => {
                let mut s = call.borrow_mut();
                match s.state.on_failure(err, js_sys::Math::random()) {
                    Next::Retry { delay_ms } => delay_ms,
                    Next::Fail(err) => return Err(s.fail(err)),
                }
            }
            Step::Retry(delay_ms) => delay_ms,
        };
        // Wait (cut short by cancellation), then a new attempt.
        call.borrow_mut().phase = Phase::Idle;
        if sleep(delay_ms, &cancel_signal).await.is_err() {
            return Err(call.borrow_mut().fail(aborted()));
        }
    }
}
