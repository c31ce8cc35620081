//! [`StreamDecoder`]: SSE framing, a wire decoder and the accumulator wired
//! together — the one type most callers need — over [`EventDecoder`], the
//! same without the accumulator.

use crate::event::{Accumulator, Event, Message};
use crate::sse::{SseDecoder, SseItemRef, SseOptions};
use crate::wire::{AnyWireDecoder, WireDecoder, WireFormat};

/// SSE framing and a wire decoder: a streaming body in any pieces, unified
/// events out, nothing kept. For callers that only watch the events (the
/// relay's usage tap); [`StreamDecoder`] adds the accumulated message.
#[derive(Debug)]
pub struct EventDecoder {
    sse: SseDecoder,
    wire: AnyWireDecoder,
}

impl EventDecoder {
    /// A decoder for `format` with default SSE options.
    pub fn new(format: WireFormat) -> Self {
        Self::with_options(format, SseOptions::default())
    }

    /// A decoder for `format` with the given SSE options. Comment lines carry
    /// nothing for the wire decoders, so they are dropped without being
    /// collected whatever `options.comments` says.
    pub fn with_options(format: WireFormat, options: SseOptions) -> Self {
        EventDecoder {
            sse: SseDecoder::with_options(SseOptions {
                comments: false,
                ..options
            }),
            wire: AnyWireDecoder::new(format),
        }
    }

    /// Decodes one piece of the body, appending the events it completes.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<Event>) {
        let wire = &mut self.wire;
        // Each SSE event goes to the wire decoder as soon as it is framed.
        self.sse.push_with(chunk, |item| to_wire(wire, item, out));
    }

    /// The body ended: flushes the last event and anything pending.
    pub fn finish(&mut self, out: &mut Vec<Event>) {
        let wire = &mut self.wire;
        self.sse.finish_with(|item| to_wire(wire, item, out));
        self.wire.finish(out);
    }

    /// The stream's terminal frame has been decoded (chat `[DONE]` or usage
    /// after a finish reason, Messages `message_delta`/`message_stop`,
    /// Responses `response.completed`/`incomplete`/`failed`, Gemini every
    /// candidate finished with `usageMetadata`): the usage seen is final.
    /// Before that, usage events are interim counts (Messages'
    /// `message_start` reports one output token), so a stream cut earlier
    /// cannot be priced by them.
    pub fn terminal_seen(&self) -> bool {
        self.wire.terminal_seen()
    }

    /// How many of the bytes pushed so far belong to an SSE event not
    /// complete yet (see [`SseDecoder::partial_event_len`]): what a caller
    /// passing the body on only at event boundaries holds back.
    pub fn partial_event_len(&self) -> u64 {
        self.sse.partial_event_len()
    }
}

/// Decodes a streaming response body of one wire format into unified events,
/// keeping the accumulated [`Message`]. Feed it the body in any pieces.
#[derive(Debug)]
pub struct StreamDecoder {
    events: EventDecoder,
    acc: Accumulator,
}

impl StreamDecoder {
    /// A decoder for `format` with default SSE options.
    pub fn new(format: WireFormat) -> Self {
        Self::with_options(format, SseOptions::default())
    }

    /// A decoder for `format` with the given SSE options (see
    /// [`EventDecoder::with_options`]).
    pub fn with_options(format: WireFormat, options: SseOptions) -> Self {
        StreamDecoder {
            events: EventDecoder::with_options(format, options),
            acc: Accumulator::new(),
        }
    }

    /// Decodes one piece of the body, appending the events it completes.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<Event>) {
        let start = out.len();
        self.events.push(chunk, out);
        self.apply(start, out);
    }

    /// The body ended: flushes the last event and anything pending.
    pub fn finish(&mut self, out: &mut Vec<Event>) {
        let start = out.len();
        self.events.finish(out);
        self.apply(start, out);
    }

    /// The message accumulated so far.
    pub fn message(&self) -> &Message {
        self.acc.message()
    }

    /// Consumes the decoder, returning the accumulated message.
    pub fn into_message(self) -> Message {
        self.acc.into_message()
    }

    /// Folds the events appended since `start` into the accumulator.
    fn apply(&mut self, start: usize, out: &[Event]) {
        for ev in out.get(start..).unwrap_or_default() {
            self.acc.apply(ev);
        }
    }
}

/// Hands one SSE item to the wire decoder, borrowed: event data goes from
/// the body to the JSON parser without being copied.
fn to_wire(wire: &mut AnyWireDecoder, item: SseItemRef<'_>, out: &mut Vec<Event>) {
    match item {
        SseItemRef::Event(ev) => wire.on_event(&ev, out),
        SseItemRef::Comment(_) => {}
        SseItemRef::Error(err) => out.push(err.into_event()),
    }
}

/// Decodes a whole body at once (convenience for tests and non-streaming use).
pub fn decode_all(format: WireFormat, body: &[u8]) -> (Vec<Event>, Message) {
    let mut d = StreamDecoder::new(format);
    let mut out = Vec::new();
    d.push(body, &mut out);
    d.finish(&mut out);
    (out, d.into_message())
}
