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
use super::convert::{from_js, js_message, write_to_js};
use super::errors::to_js_error;
use super::event_tape::EventTape;
use super::host::{abort_fn, done_result, global_fetch, is_browser, make_async_iterable};
use super::transport::{
    body_reader, chunk_of, failure, on_abort, response_headers, response_of, send, sleep, Timer,
};
use crate::catalog::Catalog;
use crate::client::{prepare, CallState, ClientOptions, Next, Prepared, Progress};
use crate::error::{ErrorKind, ZenError};
use crate::event::Event;
use crate::request::parse::read_request;
use crate::request::HttpRequest;
use crate::wire::WireFormat;

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
        prepare(req, stream, &self.core.options, Catalog::builtin()).map_err(thrown)
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
            tape: EventTape::default(),
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
    /// Iterator results (`{value, done: false}`) of the last read, made in
    /// one crossing, and the index of the next one to hand out.
    ready: Option<(Array, u32)>,
    /// The buffers those results cross in.
    tape: EventTape,
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

    fn set_ready(&mut self, events: &[Event]) {
        if events.is_empty() {
            return;
        }
        let results = self.tape.hand_over(events, true);
        self.ready = Some((results.unchecked_into::<Array>(), 0));
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

/// The promise of one step of `call` (after `previous` settled): the next
/// stream item, or a non-streaming call's value. The package's one async
/// body and one `future_to_promise` (`dyn`, so its spawn/resolve machinery
/// exists once): it only awaits the host promises [`advance`] asks for, so
/// every decision is plain synchronous code.
fn promise(call: Result<Rc<RefCell<Call>>, JsValue>, previous: Option<Promise>) -> Promise {
    let run: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>> = Box::pin(async move {
        let call = call?;
        let mut wait = previous.map(|p| (p, Wait::Previous));
        loop {
            let settled = match wait.take() {
                Some((promise, what)) => Some((what, JsFuture::from(promise).await)),
                None => None,
            };
            match advance(&call, settled)? {
                Advance::Value(value) => return Ok(value),
                Advance::Wait(promise, what) => wait = Some((promise, what)),
            }
        }
    });
    future_to_promise(run)
}

/// What the host promise a call waits on is for (and what must live until
/// it settles, such as the timer that aborts it).
enum Wait {
    /// A previous `next()`: only the order matters.
    Previous,
    /// An attempt's response head, under the first-byte timer.
    Head { attempt: Attempt, timer: Timer },
    /// A whole body as text: a non-streaming call's, or the error response
    /// of a stream.
    Text {
        attempt: Attempt,
        _timer: Timer,
        status: u16,
        headers: Vec<(String, String)>,
        ok: bool,
        /// The timeout message: "`prefix` `ms` ms".
        prefix: &'static str,
        ms: u64,
    },
    /// One read of a streaming body, under the first-byte or idle timer.
    Read {
        reader: ReadableStreamDefaultReader,
        attempt: Rc<Attempt>,
        _timer: Timer,
        prefix: &'static str,
        ms: u64,
    },
    /// The pause before a retry.
    Sleep(Timer),
}

/// What [`advance`] led to.
enum Advance {
    /// What the promise resolves to.
    Value(JsValue),
    /// Wait for this host promise, then advance again.
    Wait(Promise, Wait),
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

/// Moves the call on from what last `settled` (`None`: nothing was awaited)
/// until it has an item or value to hand out, must wait for the host, ends,
/// or fails. No `RefCell` borrow is held across a call into user-supplied
/// objects (`fetch`, the response and its reader may call back into us).
fn advance(
    call: &RefCell<Call>,
    mut settled: Option<(Wait, Result<JsValue, JsValue>)>,
) -> Result<Advance, JsValue> {
    let (cancel_signal, first_ms, idle_ms, whole) = {
        let s = call.borrow();
        let opts = &s.core.options;
        (
            s.cancel.signal(),
            opts.first_byte_timeout_ms,
            opts.idle_timeout_ms,
            s.whole,
        )
    };
    loop {
        let step = match settled.take() {
            None | Some((Wait::Previous, _)) => 'top: {
                let mut s = call.borrow_mut();
                let done = matches!(s.phase, Phase::Done);
                if !done && cancel_signal.aborted() {
                    return Err(s.fail(aborted()));
                }
                if let Some(item) = s.take_ready() {
                    return Ok(Advance::Value(item));
                }
                if done {
                    return Ok(Advance::Value(done_result()));
                }
                // Taken, not cloned: every step sets the next phase.
                match std::mem::replace(&mut s.phase, Phase::Idle) {
                    Phase::Idle => {
                        s.state.begin_attempt();
                        let attempt = match Attempt::new(&s.cancel) {
                            Ok(attempt) => attempt,
                            // A non-streaming call reports it like a failed
                            // connection; a stream rejects this `next()` as is.
                            Err(e) if whole.is_some() => {
                                break 'top Step::Failed(ZenError::local(
                                    ErrorKind::Network,
                                    js_message(&e),
                                ))
                            }
                            Err(e) => return Err(e),
                        };
                        let (core, http) = (s.core.clone(), s.http.clone());
                        drop(s);
                        let timer = attempt.timer(first_ms);
                        match send(&core.fetch, &http, &attempt.signal()) {
                            Ok(head) => {
                                return Ok(Advance::Wait(head, Wait::Head { attempt, timer }))
                            }
                            Err(e) => Step::Failed(failure(
                                &e,
                                &cancel_signal,
                                &attempt.signal(),
                                "no response within",
                                first_ms,
                            )),
                        }
                    }
                    Phase::Reading {
                        reader,
                        attempt,
                        first_timer,
                    } => {
                        drop(s);
                        let (timer, prefix, ms) = match first_timer {
                            Some(timer) => (timer, "no data within", first_ms),
                            None => (attempt.timer(idle_ms), "no data for", idle_ms),
                        };
                        let read = reader.read();
                        return Ok(Advance::Wait(
                            read,
                            Wait::Read {
                                reader,
                                attempt,
                                _timer: timer,
                                prefix,
                                ms,
                            },
                        ));
                    }
                    // Not reached: a finished call returned above.
                    Phase::Done => return Ok(Advance::Value(done_result())),
                }
            }
            Some((Wait::Head { attempt, timer }, result)) => 'head: {
                let response = match result.and_then(response_of) {
                    Ok(response) => response,
                    Err(e) => {
                        break 'head Step::Failed(failure(
                            &e,
                            &cancel_signal,
                            &attempt.signal(),
                            "no response within",
                            first_ms,
                        ))
                    }
                };
                let ok = response.ok();
                if whole.is_none() && ok {
                    break 'head match body_reader(&response) {
                        Some(reader) => {
                            call.borrow_mut().phase = Phase::Reading {
                                reader,
                                attempt: Rc::new(attempt),
                                first_timer: Some(timer),
                            };
                            Step::Continue
                        }
                        // A 2xx without a body: the stream is over.
                        None => Step::End,
                    };
                }
                // A whole body gets the idle timeout from here on; an error
                // body of a stream is still the first byte's.
                let (timer, prefix, ms) = if whole.is_some() {
                    drop(timer);
                    let idle = attempt.timer(idle_ms);
                    (idle, "the body did not arrive within", idle_ms)
                } else {
                    (timer, "no response within", first_ms)
                };
                let status = response.status();
                let headers = response_headers(&response);
                match response.text() {
                    Ok(text) => {
                        let what = Wait::Text {
                            attempt,
                            _timer: timer,
                            status,
                            headers,
                            ok,
                            prefix,
                            ms,
                        };
                        return Ok(Advance::Wait(text, what));
                    }
                    Err(e) => {
                        Step::Failed(failure(&e, &cancel_signal, &attempt.signal(), prefix, ms))
                    }
                }
            }
            Some((
                Wait::Text {
                    attempt,
                    _timer,
                    status,
                    headers,
                    ok,
                    prefix,
                    ms,
                },
                result,
            )) => {
                drop(_timer);
                match result {
                    Err(e) => {
                        Step::Failed(failure(&e, &cancel_signal, &attempt.signal(), prefix, ms))
                    }
                    Ok(text) => {
                        let text = text.as_string().unwrap_or_default();
                        match whole {
                            Some((decode, format)) if ok => match decode(format, &text) {
                                Ok(value) => {
                                    call.borrow_mut().end();
                                    return Ok(Advance::Value(value));
                                }
                                Err(err) => Step::Failed(err),
                            },
                            _ => {
                                let now = Some(js_sys::Date::now() as u64);
                                Step::Failed(ZenError::from_response_at(
                                    status, headers, &text, now,
                                ))
                            }
                        }
                    }
                }
            }
            Some((
                Wait::Read {
                    reader,
                    attempt,
                    _timer,
                    prefix,
                    ms,
                },
                result,
            )) => {
                // From here on the idle timer applies.
                drop(_timer);
                let read = result.and_then(|r| chunk_of(&r));
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
                                s.set_ready(&out);
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
            Some((Wait::Sleep(timer), result)) => {
                drop(timer);
                if result.is_err() {
                    return Err(call.borrow_mut().fail(aborted()));
                }
                Step::Continue
            }
        };
        let delay_ms = match step {
            Step::Continue => continue,
            Step::End => {
                // The last events, then the end of the stream.
                let mut out = Vec::new();
                let mut s = call.borrow_mut();
                match s.state.on_end(&mut out, js_sys::Math::random()) {
                    Progress::Continue => {
                        s.set_ready(&out);
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
        match sleep(delay_ms, &cancel_signal) {
            Some((pause, timer)) => return Ok(Advance::Wait(pause, Wait::Sleep(timer))),
            None => return Err(call.borrow_mut().fail(aborted())),
        }
    }
}
