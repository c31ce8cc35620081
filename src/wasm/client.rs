//! `ZenClient`: plain async code (wasm-bindgen-futures) around
//! [`crate::client::CallState`], which decides what to deliver, when to
//! retry and what to report. Here: fetch, timers and abort; a stream's body
//! is read by its JS side (`stream.js`), which hands each read to
//! [`Call::on_read`].
//!
//! Every attempt has its own abort controller and timer ([`Attempt`]); the
//! timer aborts it when a wait outlasts its limit, and the failure that
//! causes is reported as `timeout`:
//! * first byte (`firstByteTimeoutMs`): from sending until the response head
//!   and, for a stream, until its first body bytes (or its whole error body);
//! * idle (`idleTimeoutMs`): each later read of a stream, and the whole body
//!   of a non-streaming call.
//!
//! A call's cancellation ([`Cancel`]) aborts the attempt in flight and any
//! pause before a retry at once, so whatever is pending fails as `aborted`.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::{AbortSignal, ReadableStreamDefaultReader, Response};

use super::api::write_models;
use super::cancel::Cancel;
use super::convert::{from_js, js_message, write_to_js};
use super::errors::to_js_error;
use super::event_tape::EventTape;
use super::host::{global_fetch, is_browser, WaitTimer};
use super::stream::new_stream;
use super::transport::{
    aborted, body_reader, clamp_ms, response_error, response_of, send, sleep, Attempt, Limit,
};
use super::waiter::Waiter;
use crate::catalog::Catalog;
use crate::client::{prepare, CallState, ClientOptions, Next, Progress};
use crate::error::{ErrorKind, ZenError};
use crate::event::Event;
use crate::json_write::JsonWriter;
use crate::request::parse::read_request;
use crate::request::HttpRequest;
use crate::wire::WireFormat;

fn thrown(e: ZenError) -> JsValue {
    to_js_error(&e)
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
        let call = self.start(&request, true, &options).map_err(thrown)?;
        Ok(new_stream(call))
    }

    /// A non-streaming request, decoded into the final Message. Same
    /// retries, timeouts and errors as `stream`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Message>")]
    pub fn complete(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UnifiedRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let call = self.start(&request, false, &options);
        promise_of(Box::pin(async move {
            let call = call?;
            let body = call.whole_body().await?;
            let message = crate::response::decode_response(call.format, &body)?;
            write_to_js(&|w| message.write_json(w))
        }))
    }

    /// `GET {baseUrl}/models` merged with the built-in catalog: listed
    /// models the catalog lacks come as `unknown`, catalog models the list
    /// lacks are marked `unavailable`.
    #[wasm_bindgen(js_name = listModels, unchecked_return_type = "Promise<ModelInfo[]>")]
    pub fn list_models(&self) -> Promise {
        let http = self.core.options.models_request();
        let call = Call::new(&self.core, http, WireFormat::Chat);
        promise_of(Box::pin(async move {
            let body = call.whole_body().await?;
            let catalog = Catalog::builtin()
                .with_models_list(&body)
                .map_err(|e| ZenError::local(ErrorKind::Protocol, e.to_string()))?;
            write_to_js(&|w| write_models(w, catalog.models()))
        }))
    }
}

impl ZenClient {
    /// A call of the JS `request` in the given mode with the call
    /// `options` (`{signal?}`), not started yet.
    fn start(
        &self,
        request: &JsValue,
        stream: bool,
        options: &JsValue,
    ) -> Result<Rc<Call>, ZenError> {
        let req = from_js(request, "request", read_request)?;
        let prepared = prepare(req, stream, &self.core.options, Catalog::builtin())?;
        let call = Rc::new(Call::new(&self.core, prepared.http, prepared.format));
        if let Some(signal) = caller_signal(options)? {
            let weak = Rc::downgrade(&call);
            let listener = Closure::new(move || {
                if let Some(call) = weak.upgrade() {
                    call.cancel();
                }
            });
            call.cancel
                .follow(signal, listener)
                .map_err(invalid_signal)?;
        }
        Ok(call)
    }
}

/// `options.signal`, when it is an object (taken as an `AbortSignal`).
fn caller_signal(options: &JsValue) -> Result<Option<AbortSignal>, ZenError> {
    if !options.is_object() {
        return Ok(None);
    }
    let signal = Reflect::get(options, &JsValue::from_str("signal")).map_err(invalid_signal)?;
    Ok(signal.is_object().then(|| signal.unchecked_into()))
}

fn invalid_signal(e: JsValue) -> ZenError {
    ZenError::local(
        ErrorKind::InvalidRequest,
        format!("options.signal: {}", js_message(&e)),
    )
}

/// The promise of `work`, rejected with its error as a JS ZenError. (`dyn`:
/// one copy of the promise machinery serves `complete` and `listModels`.)
fn promise_of(work: Pin<Box<dyn Future<Output = Result<JsValue, ZenError>>>>) -> Promise {
    future_to_promise(async move { work.await.map_err(thrown) })
}

/// The body of a streaming attempt that answered 2xx, read by `stream.js`.
struct Body {
    attempt: Attempt,
    /// The first read is still to come: the attempt's first-byte wait goes
    /// on until it settles (then `stream.js` limits each read by the idle
    /// timeout).
    first_read: bool,
}

/// One call (streaming or not) across all its attempts. Only one of its
/// steps runs at a time (the stream's JS side starts the next only after the
/// last settled), and no `RefCell` borrow is held across an await.
pub(crate) struct Call {
    core: Rc<ClientCore>,
    http: HttpRequest,
    format: WireFormat,
    cancel: Cancel,
    state: RefCell<CallState>,
    /// The jitter of the attempt in flight's retry decisions (one draw per
    /// attempt, in `[0, 1)`).
    jitter: Cell<f64>,
    /// The streaming body being read.
    body: RefCell<Option<Body>>,
    /// The pause a retry asked for, taken by the next `connect`.
    pause_before: Cell<Option<u64>>,
    /// The events of one read, and the buffers they cross to JS in.
    events: RefCell<Vec<Event>>,
    tape: RefCell<EventTape>,
    /// Awaits the call's host steps, one at a time.
    waiter: Waiter,
}

impl Call {
    fn new(core: &Rc<ClientCore>, http: HttpRequest, format: WireFormat) -> Call {
        Call {
            core: core.clone(),
            http,
            format,
            cancel: Cancel::new(),
            state: RefCell::new(CallState::new(format, core.options.retry_policy())),
            jitter: Cell::new(0.0),
            body: RefCell::new(None),
            pause_before: Cell::new(None),
            events: RefCell::new(Vec::new()),
            tape: RefCell::new(EventTape::default()),
            waiter: Waiter::new(),
        }
    }

    fn first_byte(&self, what: &'static str) -> Limit {
        Limit {
            what,
            ms: self.core.options.first_byte_timeout_ms,
        }
    }

    /// The idle timeout, as `stream.js` starts the attempt's timer with it.
    pub(crate) fn idle_ms(&self) -> f64 {
        clamp_ms(self.core.options.idle_timeout_ms)
    }

    fn idle(&self, what: &'static str) -> Limit {
        Limit {
            what,
            ms: self.core.options.idle_timeout_ms,
        }
    }

    /// Runs `attempt` until it succeeds, the retry policy gives up or the
    /// call is cancelled, waiting between attempts as the policy says.
    async fn retrying<T>(
        &self,
        attempt: impl AsyncFn(Attempt) -> Result<T, ZenError>,
    ) -> Result<T, ZenError> {
        loop {
            if self.cancel.is_cancelled() {
                return Err(aborted());
            }
            self.state.borrow_mut().begin_attempt();
            self.jitter.set(js_sys::Math::random());
            let outcome = match Attempt::new() {
                Ok(started) => {
                    self.cancel.attempt(started.abort_fn());
                    attempt(started).await
                }
                Err(e) => Err(ZenError::local(ErrorKind::Network, js_message(&e))),
            };
            match outcome {
                Ok(value) => return Ok(value),
                Err(err) => self.retry_after(err).await?,
            }
        }
    }

    /// After a failed attempt: the pause the policy asks for, or the error
    /// when it gives up.
    async fn retry_after(&self, err: ZenError) -> Result<(), ZenError> {
        let next = self.state.borrow_mut().on_failure(err, self.jitter.get());
        match next {
            Next::Retry { delay_ms } => self.pause(delay_ms).await,
            Next::Fail(err) => Err(err),
        }
    }

    async fn pause(&self, ms: u64) -> Result<(), ZenError> {
        sleep(ms, &self.cancel, &self.waiter).await
    }

    /// What `step` of `attempt` (a host call that returned a promise)
    /// settles to; a failure typed by [`Attempt::failure`].
    async fn settle(
        &self,
        attempt: &Attempt,
        step: Result<Promise, JsValue>,
        limit: Limit,
    ) -> Result<JsValue, ZenError> {
        let settled = match step {
            Ok(promise) => self.waiter.wait(&promise).await,
            Err(e) => Err(e),
        };
        settled.map_err(|e| attempt.failure(&e, &self.cancel, limit))
    }

    /// Sends the request on `attempt`: the response head, under the
    /// first-byte timeout (still running when this returns).
    async fn open(&self, attempt: &Attempt) -> Result<Response, ZenError> {
        let limit = self.first_byte("no response within");
        attempt.start_wait(limit);
        let head = send(&self.core.fetch, &self.http, &attempt.signal());
        let resolved = self.settle(attempt, head, limit).await?;
        response_of(resolved).map_err(|e| attempt.failure(&e, &self.cancel, limit))
    }

    /// The whole 2xx body of a non-streaming call.
    async fn whole_body(&self) -> Result<String, ZenError> {
        let body = self
            .retrying(async |attempt| {
                let response = self.open(&attempt).await?;
                let limit = self.idle("the body did not arrive within");
                attempt.start_wait(limit);
                let text = self
                    .settle(&attempt, response.text(), limit)
                    .await?
                    .as_string()
                    .unwrap_or_default();
                if response.ok() {
                    Ok(text)
                } else {
                    Err(response_error(&response, &text))
                }
            })
            .await;
        self.end();
        body
    }

    /// Connects (again), after the pause a retry asked for: attempts until
    /// one answers 2xx. Its body stays here, under the first-byte timeout
    /// until its first read; `stream.js` gets its reader (`None` for a
    /// response without a body) and the attempt's timer. Fails as `aborted`
    /// once the call is cancelled.
    pub(crate) async fn connect(
        &self,
    ) -> Result<(Option<ReadableStreamDefaultReader>, WaitTimer), ZenError> {
        if let Some(ms) = self.pause_before.take() {
            self.pause(ms).await?;
        }
        let (reader, body) = self
            .retrying(async |attempt| {
                let response = self.open(&attempt).await?;
                if !response.ok() {
                    let limit = self.first_byte("no response within");
                    let text = self.settle(&attempt, response.text(), limit).await?;
                    return Err(response_error(
                        &response,
                        &text.as_string().unwrap_or_default(),
                    ));
                }
                let body = Body {
                    attempt,
                    first_read: true,
                };
                Ok((body_reader(&response), body))
            })
            .await?;
        let timer = body.attempt.timer().clone();
        *self.body.borrow_mut() = Some(body);
        Ok((reader, timer))
    }

    /// What a read of the body brought: `Some(bytes)`, or `None` at its
    /// end. The events to hand out, as a JS array; `null` when the read
    /// completed none (most reads of a long event: no array made and no
    /// call into JS for them); `undefined` when the stream asked for a retry
    /// before any output (its connection closed, the pause noted): connect
    /// again.
    pub(crate) fn on_read(&self, bytes: Option<&[u8]>) -> JsValue {
        let mut body = self.body.borrow_mut();
        let mut events = self.events.borrow_mut();
        let progress = {
            let mut state = self.state.borrow_mut();
            match bytes {
                Some(bytes) => state.on_chunk(bytes, &mut events, self.jitter.get()),
                None => state.on_end(&mut events, self.jitter.get()),
            }
        };
        match progress {
            Progress::Continue => {
                if bytes.is_none() {
                    // The body ended: so did its attempt.
                    *body = None;
                } else if let Some(body) = body.as_mut().filter(|b| b.first_read) {
                    body.first_read = false;
                    body.attempt.end_wait();
                }
                if events.is_empty() {
                    return JsValue::NULL;
                }
                let array = self.tape.borrow_mut().hand_over(&events);
                events.clear();
                array
            }
            Progress::Retry { delay_ms } => {
                // Close this attempt's connection before the next one.
                if let Some(body) = body.take() {
                    body.attempt.abort();
                }
                self.pause_before.set(Some(delay_ms));
                JsValue::UNDEFINED
            }
        }
    }

    /// A read of the body failed with `error` (it rejected, or its chunk was
    /// not bytes): the attempt is over. `Ok`: connect again (the retry
    /// policy's pause noted); `Err`: the call failed.
    pub(crate) fn on_read_failure(&self, error: &JsValue) -> Result<(), ZenError> {
        let Some(body) = self.body.borrow_mut().take() else {
            return Err(aborted());
        };
        let limit = if body.first_read {
            self.first_byte("no data within")
        } else {
            self.idle("no data for")
        };
        let err = body.attempt.failure(error, &self.cancel, limit);
        drop(body);
        match self.state.borrow_mut().on_failure(err, self.jitter.get()) {
            Next::Retry { delay_ms } => {
                self.pause_before.set(Some(delay_ms));
                Ok(())
            }
            Next::Fail(err) => Err(err),
        }
    }

    /// `{cancelled}`, true once the call is cancelled (see [`Cancel`]).
    pub(crate) fn cancelled_flag(&self) -> &Object {
        self.cancel.flag()
    }

    /// The message accumulated so far, as JSON text.
    pub(crate) fn message_json(&self) -> String {
        let mut w = JsonWriter::new();
        self.state.borrow().message().write_json(&mut w);
        w.finish()
    }

    /// Aborts whatever is pending, which fails as `aborted`, and so does
    /// any later `connect`.
    pub(crate) fn cancel(&self) {
        self.cancel.cancel();
    }

    /// The call is over: drop its body (stopping its timer), stop listening
    /// to the caller's signal, give back the tape's buffers.
    pub(crate) fn end(&self) {
        self.body.borrow_mut().take();
        self.cancel.release();
        *self.tape.borrow_mut() = EventTape::default();
    }
}
