//! [`StreamDecoder`]: SSE framing, a wire decoder and the accumulator wired
//! together — the one type most callers need.

use crate::event::{Accumulator, Event, Message};
use crate::sse::{SseDecoder, SseItem, SseOptions};
use crate::wire::{AnyWireDecoder, WireDecoder, WireFormat};

/// Decodes a streaming response body of one wire format into unified events,
/// keeping the accumulated [`Message`]. Feed it the body in any pieces.
#[derive(Debug)]
pub struct StreamDecoder {
    sse: SseDecoder,
    wire: AnyWireDecoder,
    acc: Accumulator,
    items: Vec<SseItem>,
}

impl StreamDecoder {
    /// A decoder for `format` with default SSE options.
    pub fn new(format: WireFormat) -> Self {
        Self::with_options(format, SseOptions::default())
    }

    /// A decoder for `format` with the given SSE options.
    pub fn with_options(format: WireFormat, options: SseOptions) -> Self {
        StreamDecoder {
            sse: SseDecoder::with_options(options),
            wire: AnyWireDecoder::new(format),
            acc: Accumulator::new(),
            items: Vec::new(),
        }
    }

    /// Decodes one piece of the body, appending the events it completes.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<Event>) {
        self.sse.push(chunk, &mut self.items);
        self.drain(out);
    }

    /// The body ended: flushes the last event and anything pending.
    pub fn finish(&mut self, out: &mut Vec<Event>) {
        self.sse.finish(&mut self.items);
        self.drain(out);
        let start = out.len();
        self.wire.finish(out);
        for ev in &out[start..] {
            self.acc.apply(ev);
        }
    }

    /// The message accumulated so far.
    pub fn message(&self) -> &Message {
        self.acc.message()
    }

    /// Consumes the decoder, returning the accumulated message.
    pub fn into_message(self) -> Message {
        self.acc.into_message()
    }

    fn drain(&mut self, out: &mut Vec<Event>) {
        let start = out.len();
        for item in self.items.drain(..) {
            match item {
                SseItem::Event(ev) => self.wire.on_event(&ev, out),
                SseItem::Comment(_) => {}
                SseItem::Error(err) => out.push(err.into_event()),
            }
        }
        for ev in &out[start..] {
            self.acc.apply(ev);
        }
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
