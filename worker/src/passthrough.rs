//! The streaming passthrough: the upstream body goes to the client chunk by
//! chunk while a copy feeds the core `EventDecoder` for the usage tap.
//!
//! Why it is built this way: the pump runs as a `waitUntil` task and writes
//! into a workerd `IdentityTransformStream` whose readable side is the
//! response body. When the client leaves, workerd drops that readable side
//! without cancelling anything in JavaScript and without dropping a Rust
//! stream handed to `Response::from_stream` — so a design that settles in a
//! `Drop` or a `cancel` callback never settles. A write into the identity
//! stream, however, rejects as soon as its reader is gone, and the
//! `waitUntil` task outlives the response, so the pump sees the client leave
//! on its next write, cancels the upstream, and reports the outcome (usage,
//! cost, whether the stream's terminal frame was seen, aborted or not) for
//! settlement and the log line.
//!
//! Nothing else tells the pump that the client left (no signal fires, empty
//! writes succeed), and the platform ends a `waitUntil` task 30 s after the
//! client is gone. So the pump keeps its own clock while it waits for the
//! upstream: after `silence_charge_ms` of silence it has the reservation
//! charged in full at once (settlement corrects it if the stream goes on),
//! and every `renew_ms` it tells the limiter the stream is alive so a
//! stream longer than the reservation's TTL keeps its concurrency slot.
//!
//! Backpressure is one chunk: a write into an identity stream resolves only
//! once the client side has taken the chunk, and the next upstream read
//! starts after that. A stream's chunks go out up to their last complete
//! event (the very `Uint8Array` the upstream produced when it ends on an
//! event boundary, as Zen's chunks do); the bytes of an incomplete event
//! wait for the rest of it, which no client could use earlier anyway. So a
//! piece that completes an error event holds the whole event, and is
//! redacted like an error body before it goes out.

use std::future::Future;
use std::pin::{pin, Pin};
use std::time::Duration;

use futures_util::future::{select, Either};
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use worker::web_sys::{ReadableStream, ReadableStreamDefaultReader, WritableStreamDefaultWriter};
use worker::{AbortController, Delay};
use zenwire::cost::Usd;
use zenwire::event::{Event, Usage};
use zenwire::stream::EventDecoder;
use zenwire::wire::WireFormat;
use zenwire_relay_policy::dialect::{Refusal, RefusalKind};
use zenwire_relay_policy::redact::redact;

use crate::limiter_client::Reservation;

/// Largest non-streaming body kept aside to read its usage.
const MAX_TAPPED_BODY: usize = 8 << 20;
/// Longest incomplete event held back; past it the bytes go out as they are.
const MAX_HELD_EVENT: usize = 64 << 10;

#[wasm_bindgen]
extern "C" {
    /// workerd's pass-through stream (a native pipe: its writable side's
    /// writes fail once the readable side's consumer is gone).
    type IdentityTransformStream;
    #[wasm_bindgen(constructor, catch)]
    fn new() -> Result<IdentityTransformStream, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &IdentityTransformStream) -> ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &IdentityTransformStream) -> worker::web_sys::WritableStream;

    /// `{ done, value }` from `ReadableStreamDefaultReader.read()`.
    type ReadResult;
    #[wasm_bindgen(method, getter)]
    fn done(this: &ReadResult) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn value(this: &ReadResult) -> JsValue;
}

/// The client's end: the response body and the writer the pump feeds.
pub(crate) struct ClientPipe {
    /// Goes into the `Response`.
    pub readable: ReadableStream,
    /// Fed by [`pump`].
    pub writer: WritableStreamDefaultWriter,
}

impl ClientPipe {
    /// A new pipe; `None` outside workerd (no `IdentityTransformStream`).
    pub fn new() -> Option<ClientPipe> {
        let pipe = IdentityTransformStream::new().ok()?;
        let writer = pipe.writable().get_writer().ok()?;
        Some(ClientPipe {
            readable: pipe.readable(),
            writer,
        })
    }
}

/// One read from the upstream body.
pub(crate) enum Read {
    /// A chunk (never copied: it goes to the client as it is).
    Chunk(Uint8Array),
    /// The body ended.
    End,
    /// The body broke (reset, aborted).
    Broken,
}

/// The upstream body, read with the platform's own reader.
pub(crate) struct BodyReader {
    reader: ReadableStreamDefaultReader,
}

impl BodyReader {
    /// Locks `stream` for reading; `None` when it cannot be.
    pub fn new(stream: &ReadableStream) -> Option<BodyReader> {
        let reader = stream.get_reader().dyn_into().ok()?;
        Some(BodyReader { reader })
    }

    /// The next chunk. A non-byte chunk (which `fetch` never produces) is
    /// reported as a broken body rather than trusted. The returned future
    /// does not borrow the reader, so it can race a timer and the reader
    /// can still be moved afterwards.
    pub fn read(&self) -> impl std::future::Future<Output = Read> + 'static {
        let next = JsFuture::from(self.reader.read());
        async move {
            let Ok(result) = next.await else {
                return Read::Broken;
            };
            let result: ReadResult = result.unchecked_into();
            if result.done().as_bool().unwrap_or(true) {
                return Read::End;
            }
            match result.value().dyn_into::<Uint8Array>() {
                Ok(chunk) => Read::Chunk(chunk),
                Err(_) => Read::Broken,
            }
        }
    }

    /// Cancels the body (the upstream connection closes).
    pub async fn cancel(&self) {
        let _ = JsFuture::from(self.reader.cancel()).await;
    }
}

/// What the passthrough learned by the time the body ended or the client
/// left.
pub(crate) struct Outcome {
    /// Usage read off the stream (merged).
    pub usage: Usage,
    /// Zen's own cost frame/field, when it sent one.
    pub cost: Option<String>,
    /// The response's terminal frame (or Zen's cost frame, or a whole
    /// non-streaming body) was seen: `usage` is final.
    pub complete: bool,
    /// The client went away before the end.
    pub client_aborted: bool,
    /// A public (token-less) call was billed by Zen (a stream is cut there).
    pub public_billed: bool,
}

/// How a [`Tap`] treats its stream.
pub(crate) struct TapSettings {
    /// Wire format (dialect of the error frames, decoder).
    pub format: WireFormat,
    /// SSE stream (else a whole body, parsed at the end).
    pub streaming: bool,
    /// Longest upstream silence before the stream is ended.
    pub idle_ms: u64,
    /// Silence after which the reservation is charged at once.
    pub silence_charge_ms: u64,
    /// Interval of the signs of life.
    pub renew_ms: u64,
    /// Public-mode call: a non-zero cost frame cuts it.
    pub public: bool,
    /// The Zen key (redacted from error events).
    pub zen_key: &'static str,
}

/// The body passthrough's state: where bytes come from and what the usage
/// tap has seen.
pub(crate) struct Tap {
    upstream: Option<BodyReader>,
    /// Bytes already read (and held) while the opening was checked.
    pending: Option<Vec<u8>>,
    decoder: Option<EventDecoder>,
    /// Events of the current chunk, reused from chunk to chunk.
    events: Vec<Event>,
    /// Non-streaming body, kept to read its usage at the end.
    kept: Vec<u8>,
    /// The body was larger than [`MAX_TAPPED_BODY`]: its usage is unknown.
    kept_overflowed: bool,
    /// Reused buffer the decoder reads each chunk from.
    scratch: Vec<u8>,
    /// Bytes of an incomplete event, held until it completes.
    held: Vec<u8>,
    usage: Usage,
    cost: Option<String>,
    /// The current chunk completed an error event.
    saw_error: bool,
    /// A whole non-streaming body parsed.
    body_complete: bool,
    public_billed: bool,
    settings: TapSettings,
    keepalive: Reservation,
    /// The watchdog: one timer reused across reads (a timer per chunk was a
    /// `setTimeout`/`clearTimeout` pair and a closure each time).
    timer: Option<Pin<Box<Delay>>>,
    /// When the current read started (Unix ms): silence is counted from
    /// there, so time spent waiting for a slow client is not silence.
    waiting_since_ms: u64,
    /// Last sign of life sent (Unix ms).
    held_at_ms: u64,
    /// The reservation was charged because of a silence.
    charged: bool,
    abort: Option<AbortController>,
    /// `end` ran (the decoder is flushed once).
    finished: bool,
}

/// One piece for the client.
enum Piece {
    Upstream(Uint8Array),
    Own(Vec<u8>),
}

impl Tap {
    /// A tap over `upstream` (after `held`, the opening bytes already read).
    /// `abort` stops the upstream fetch; `keepalive` reaches the limiter.
    pub fn new(
        upstream: Option<BodyReader>,
        held: Option<Vec<u8>>,
        settings: TapSettings,
        abort: AbortController,
        keepalive: Reservation,
    ) -> Tap {
        let now = crate::now_ms();
        Tap {
            upstream,
            pending: held,
            decoder: settings
                .streaming
                .then(|| EventDecoder::new(settings.format)),
            events: Vec::new(),
            kept: Vec::new(),
            kept_overflowed: false,
            scratch: Vec::new(),
            held: Vec::new(),
            usage: Usage::default(),
            cost: None,
            saw_error: false,
            body_complete: false,
            public_billed: false,
            settings,
            keepalive,
            timer: None,
            waiting_since_ms: now,
            held_at_ms: now,
            charged: false,
            abort: Some(abort),
            finished: false,
        }
    }

    fn observe(&mut self, chunk: &[u8]) {
        match &mut self.decoder {
            Some(d) => {
                d.push(chunk, &mut self.events);
                self.absorb_events();
            }
            None if self.kept.len() + chunk.len() <= MAX_TAPPED_BODY => {
                self.kept.extend_from_slice(chunk);
            }
            None => self.kept_overflowed = true,
        }
    }

    /// Takes in the decoder's events, leaving the reused buffer empty.
    fn absorb_events(&mut self) {
        let mut events = std::mem::take(&mut self.events);
        self.absorb(events.drain(..));
        self.events = events;
    }

    fn absorb(&mut self, events: impl IntoIterator<Item = Event>) {
        for ev in events {
            match ev {
                Event::Usage(u) => self.usage.merge(&u),
                Event::Cost { usd } => {
                    if self.settings.public && Usd::parse(&usd).map_or(true, |c| !c.is_zero()) {
                        self.public_billed = true;
                    }
                    self.cost = Some(usd);
                }
                Event::Error { .. } => self.saw_error = true,
                _ => {}
            }
        }
    }

    /// Flushes the decoder (or parses the kept body) and lets go of the
    /// upstream.
    fn end(&mut self) {
        if std::mem::replace(&mut self.finished, true) {
            return;
        }
        if let Some(d) = &mut self.decoder {
            d.finish(&mut self.events);
            self.absorb_events();
        } else if !self.kept_overflowed {
            // (A body too large to keep is charged as reserved.)
            let body = String::from_utf8_lossy(&self.kept);
            if let Ok(events) = zenwire::response::response_events(self.settings.format, &body) {
                self.body_complete = true;
                self.absorb(events);
            }
        }
        self.upstream = None;
    }

    /// Stops the upstream: Zen stops generating.
    async fn cancel_upstream(&mut self) {
        if let Some(a) = self.abort.take() {
            a.abort();
        }
        if let Some(up) = self.upstream.take() {
            up.cancel().await;
        }
    }

    /// `read`'s result, or `None` once the upstream has sent nothing for
    /// `idle_ms` while this read waited. Meanwhile the reservation is
    /// charged after `silence_charge_ms` of silence, and a sign of life goes
    /// to the limiter every `renew_ms`. The watchdog timer outlives reads and
    /// is re-armed for whichever of these comes next.
    async fn read_watched(&mut self, read: impl Future<Output = Read>) -> Option<Read> {
        let mut read = pin!(read);
        self.waiting_since_ms = crate::now_ms();
        loop {
            let next = self.next_deadline_ms();
            let timer = self.timer.get_or_insert_with(|| {
                let wait = next.saturating_sub(crate::now_ms()).max(1);
                Box::pin(Delay::from(Duration::from_millis(wait)))
            });
            match select(read.as_mut(), timer.as_mut()).await {
                Either::Left((r, _)) => return Some(r),
                Either::Right(_) => {
                    self.timer = None;
                    let now = crate::now_ms();
                    let silent = now.saturating_sub(self.waiting_since_ms);
                    if silent >= self.settings.idle_ms {
                        return None;
                    }
                    if !self.charged && silent >= self.settings.silence_charge_ms {
                        self.charged = true;
                        self.held_at_ms = now;
                        self.keepalive.hold(true).await;
                    } else if now.saturating_sub(self.held_at_ms) >= self.settings.renew_ms {
                        self.held_at_ms = now;
                        self.keepalive.hold(false).await;
                    }
                }
            }
        }
    }

    /// When the watchdog must next look (Unix ms).
    fn next_deadline_ms(&self) -> u64 {
        let s = &self.settings;
        let mut next = self.waiting_since_ms.saturating_add(s.idle_ms);
        if !self.charged {
            next = next.min(self.waiting_since_ms.saturating_add(s.silence_charge_ms));
        }
        next.min(self.held_at_ms.saturating_add(s.renew_ms))
    }

    /// What of the bytes just observed goes to the client now: up to the
    /// end of their last complete event (streams), redacted when they
    /// completed an error event. `None` when all of it waits.
    fn release(&mut self, chunk: Option<Uint8Array>, bytes: &[u8]) -> Option<Piece> {
        let error = std::mem::take(&mut self.saw_error);
        let Some(decoder) = &self.decoder else {
            return Some(chunk.map_or_else(|| Piece::Own(bytes.to_vec()), Piece::Upstream));
        };
        // The decoder framed these bytes already: the last `partial` of
        // everything observed belong to an event not complete yet.
        let partial = usize::try_from(decoder.partial_event_len()).unwrap_or(usize::MAX);
        let whole = self.held.is_empty() && partial == 0 && !bytes.is_empty();
        let piece = if whole {
            match chunk {
                Some(c) if !error => return Some(Piece::Upstream(c)),
                _ => bytes.to_vec(),
            }
        } else {
            let mut all = std::mem::take(&mut self.held);
            all.extend_from_slice(bytes);
            // No event ends inside `all` when the unfinished one began
            // before it (`held` was let go past MAX_HELD_EVENT).
            let cut = match all.len().saturating_sub(partial) {
                0 if all.len() > MAX_HELD_EVENT => all.len(),
                0 => {
                    self.held = all;
                    return None;
                }
                cut => cut,
            };
            self.held = all.split_off(cut);
            all
        };
        if !error {
            return Some(Piece::Own(piece));
        }
        let text = redact(&String::from_utf8_lossy(&piece), &[self.settings.zen_key]);
        Some(Piece::Own(text.into_bytes()))
    }

    /// The next piece for the client, `None` at the end. An upstream that
    /// breaks or goes silent ends the stream with an error frame in the
    /// dialect (streams only; a plain body just ends).
    async fn next_piece(&mut self) -> Option<Piece> {
        loop {
            if let Some(first) = self.pending.take() {
                self.observe(&first);
                if let Some(cut) = self.cut_if_billed().await {
                    return cut;
                }
                match self.release(None, &first) {
                    Some(piece) => return Some(piece),
                    None => continue,
                }
            }
            let Some(up) = self.upstream.as_ref() else {
                self.end();
                // Whatever an unfinished last event left is passed on as is.
                let rest = std::mem::take(&mut self.held);
                return (!rest.is_empty()).then_some(Piece::Own(rest));
            };
            let read = up.read();
            let fault = match self.read_watched(read).await {
                Some(Read::Chunk(chunk)) => {
                    let mut scratch = std::mem::take(&mut self.scratch);
                    scratch.resize(chunk.length() as usize, 0);
                    chunk.copy_to(&mut scratch);
                    self.observe(&scratch);
                    if let Some(cut) = self.cut_if_billed().await {
                        self.scratch = scratch;
                        return cut;
                    }
                    let piece = self.release(Some(chunk), &scratch);
                    self.scratch = scratch;
                    match piece {
                        Some(piece) => return Some(piece),
                        None => continue,
                    }
                }
                Some(Read::End) => {
                    self.end();
                    continue;
                }
                Some(Read::Broken) => Refusal::new(
                    RefusalKind::BadGateway,
                    "upstream_reset",
                    "upstream stream ended abruptly",
                ),
                None => Refusal::new(
                    RefusalKind::Timeout,
                    "upstream_idle",
                    "upstream stream went silent",
                ),
            };
            return self.stop_with(fault).await;
        }
    }

    /// A public call whose cost frame says Zen billed it: a "free" model
    /// became paid. The stream is cut at once (the cost frame is not passed
    /// on) and ends with an error frame.
    async fn cut_if_billed(&mut self) -> Option<Option<Piece>> {
        if !self.public_billed {
            return None;
        }
        self.held.clear();
        let r = Refusal::new(
            RefusalKind::Forbidden,
            "public_call_billed",
            "this model is no longer free; the relay stopped the stream",
        );
        Some(self.stop_with(r).await)
    }

    /// Cancels the upstream and ends the stream with `fault` as an error
    /// frame (streams only).
    async fn stop_with(&mut self, fault: Refusal) -> Option<Piece> {
        self.cancel_upstream().await;
        self.end();
        let mut out = std::mem::take(&mut self.held);
        if self.decoder.is_none() {
            return (!out.is_empty()).then_some(Piece::Own(out));
        }
        out.extend_from_slice(fault.stream_frame(self.settings.format).as_bytes());
        Some(Piece::Own(out))
    }
}

/// Moves the body from `tap` to the client's `writer` until the upstream
/// ends or a write fails (the client left: the upstream is cancelled at
/// once). Runs inside `waitUntil`, so it finishes even after the client is
/// gone. Hands the reservation back for settlement.
pub(crate) async fn pump(
    mut tap: Tap,
    writer: WritableStreamDefaultWriter,
) -> (Outcome, Reservation) {
    let mut client_aborted = false;
    while let Some(piece) = tap.next_piece().await {
        let chunk: JsValue = match piece {
            Piece::Upstream(c) => c.into(),
            Piece::Own(b) if b.is_empty() => continue,
            Piece::Own(b) => Uint8Array::from(&b[..]).into(),
        };
        if JsFuture::from(writer.write_with_chunk(&chunk))
            .await
            .is_err()
        {
            client_aborted = true;
            tap.cancel_upstream().await;
            break;
        }
    }
    if !client_aborted {
        // A close that fails means the client left at the very end; every
        // byte was handed over, so the outcome stands.
        let _ = JsFuture::from(writer.close()).await;
    }
    let complete = match &tap.decoder {
        Some(d) => d.terminal_seen() || tap.cost.is_some(),
        None => tap.body_complete,
    };
    let outcome = Outcome {
        usage: std::mem::take(&mut tap.usage),
        cost: tap.cost.take(),
        complete,
        client_aborted,
        public_billed: tap.public_billed,
    };
    (outcome, tap.keepalive)
}
