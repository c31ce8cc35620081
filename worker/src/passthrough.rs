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
//! cost, aborted or not) for settlement and the log line.
//!
//! Backpressure is one chunk: a write into an identity stream resolves only
//! once the client side has taken the chunk, and the next upstream read
//! starts after that. Nothing is held back: each upstream chunk is written
//! as soon as it is read (the very `Uint8Array` the upstream produced).

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
use zenwire::event::{Event, Usage};
use zenwire::stream::EventDecoder;
use zenwire::wire::WireFormat;
use zenwire_relay_policy::dialect::{Refusal, RefusalKind};

/// Largest non-streaming body kept aside to read its usage.
const MAX_TAPPED_BODY: usize = 8 << 20;

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
    /// The client went away before the end.
    pub client_aborted: bool,
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
    /// Reused buffer the decoder reads each chunk from.
    scratch: Vec<u8>,
    usage: Usage,
    cost: Option<String>,
    format: WireFormat,
    idle_ms: u64,
    /// The idle watchdog: one timer reused across reads (a timer per chunk
    /// was a `setTimeout`/`clearTimeout` pair and a closure each time).
    idle: Option<Pin<Box<Delay>>>,
    /// When the current read started (Unix ms): silence is counted from
    /// there, so time spent waiting for a slow client is not silence.
    waiting_since_ms: u64,
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
    /// A tap over `upstream` (after `held`, the opening bytes already read);
    /// `streaming` selects the SSE decoder, else the whole body is parsed at
    /// the end. `abort` stops the upstream fetch.
    pub fn new(
        upstream: Option<BodyReader>,
        held: Option<Vec<u8>>,
        streaming: bool,
        format: WireFormat,
        idle_ms: u64,
        abort: AbortController,
    ) -> Tap {
        Tap {
            upstream,
            pending: held,
            decoder: streaming.then(|| EventDecoder::new(format)),
            events: Vec::new(),
            kept: Vec::new(),
            scratch: Vec::new(),
            usage: Usage::default(),
            cost: None,
            format,
            idle_ms,
            idle: None,
            waiting_since_ms: 0,
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
            None => {
                if self.kept.len() + chunk.len() <= MAX_TAPPED_BODY {
                    self.kept.extend_from_slice(chunk);
                }
            }
        }
    }

    fn observe_js(&mut self, chunk: &Uint8Array) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.resize(chunk.length() as usize, 0);
        chunk.copy_to(&mut scratch);
        self.observe(&scratch);
        self.scratch = scratch;
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
                Event::Cost { usd } => self.cost = Some(usd),
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
        } else if let Ok(events) =
            zenwire::response::response_events(self.format, &String::from_utf8_lossy(&self.kept))
        {
            self.absorb(events);
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
    /// `idle_ms` while this read waited. The watchdog timer outlives reads;
    /// when it fires early for this read it is re-armed for the rest.
    async fn read_within_idle(&mut self, read: impl Future<Output = Read>) -> Option<Read> {
        let mut read = pin!(read);
        self.waiting_since_ms = crate::now_ms();
        loop {
            let idle_ms = self.idle_ms;
            let idle = self
                .idle
                .get_or_insert_with(|| Box::pin(Delay::from(Duration::from_millis(idle_ms))));
            match select(read.as_mut(), idle.as_mut()).await {
                Either::Left((r, _)) => return Some(r),
                Either::Right(_) => {
                    let silent = crate::now_ms().saturating_sub(self.waiting_since_ms);
                    if silent >= idle_ms {
                        self.idle = None;
                        return None;
                    }
                    let rest = Duration::from_millis(idle_ms - silent);
                    self.idle = Some(Box::pin(Delay::from(rest)));
                }
            }
        }
    }

    /// The next piece for the client, `None` at the end. An upstream that
    /// breaks or goes silent ends the stream with an error frame in the
    /// dialect (streams only; a plain body just ends).
    async fn next_piece(&mut self) -> Option<Piece> {
        if let Some(first) = self.pending.take() {
            self.observe(&first);
            return Some(Piece::Own(first));
        }
        let Some(up) = self.upstream.as_ref() else {
            self.end();
            return None;
        };
        let read = up.read();
        let fault = match self.read_within_idle(read).await {
            Some(Read::Chunk(chunk)) => {
                self.observe_js(&chunk);
                return Some(Piece::Upstream(chunk));
            }
            Some(Read::End) => {
                self.end();
                return None;
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
        self.cancel_upstream().await;
        self.end();
        self.decoder
            .is_some()
            .then(|| Piece::Own(fault.stream_frame(self.format).into_bytes()))
    }
}

/// Moves the body from `tap` to the client's `writer` until the upstream
/// ends or a write fails (the client left: the upstream is cancelled at
/// once). Runs inside `waitUntil`, so it finishes even after the client is
/// gone.
pub(crate) async fn pump(mut tap: Tap, writer: WritableStreamDefaultWriter) -> Outcome {
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
    Outcome {
        usage: std::mem::take(&mut tap.usage),
        cost: tap.cost.take(),
        client_aborted,
    }
}
