//! Errors at the very start of a 200 stream. Zen reports an overloaded
//! provider as a 200 whose first event is an error; while the relay still
//! holds the opening bytes (nothing went to the client yet) it may retry
//! such a stream like a 529, under the same retry policy. The relay holds
//! bytes only until the first complete event has been seen, so a healthy
//! stream is delayed by at most its first event.

use zenwire::event::Event;
use zenwire::stream::StreamDecoder;
use zenwire::wire::WireFormat;

/// Opening bytes held back at most while waiting for a complete first
/// event; past this the stream is passed on undecided (no retry).
pub const MAX_HELD_BYTES: usize = 64 * 1024;

/// What the opening bytes of a stream say.
#[derive(Debug, Clone, PartialEq)]
pub enum Opening {
    /// No complete event yet: read another chunk before deciding.
    NeedMore,
    /// The stream opens with this error, before any output.
    Error(Event),
    /// The stream opens normally (or is undecidable): pass it on.
    Fine,
}

/// Decodes a stream's opening chunks until the first complete events.
#[derive(Debug)]
pub struct OpeningScan {
    decoder: StreamDecoder,
    held: usize,
}

impl OpeningScan {
    /// A scan of a stream of `format`.
    pub fn new(format: WireFormat) -> OpeningScan {
        OpeningScan {
            decoder: StreamDecoder::new(format),
            held: 0,
        }
    }

    /// Feeds the next opening chunk. Only an error that precedes all output
    /// makes the attempt worthless; events after it do not matter.
    pub fn push(&mut self, chunk: &[u8]) -> Opening {
        self.held = self.held.saturating_add(chunk.len());
        let mut events = Vec::new();
        self.decoder.push(chunk, &mut events);
        if events.is_empty() {
            return if self.held >= MAX_HELD_BYTES {
                Opening::Fine
            } else {
                Opening::NeedMore
            };
        }
        match events
            .into_iter()
            .take_while(|e| !e.is_output())
            .find(|e| matches!(e, Event::Error { .. }))
        {
            Some(e) => Opening::Error(e),
            None => Opening::Fine,
        }
    }
}

/// The first error event in `first_chunk` when it comes before any output
/// (a one-chunk [`OpeningScan`]; `None` also when no event is complete).
pub fn error_before_output(format: WireFormat, first_chunk: &[u8]) -> Option<Event> {
    match OpeningScan::new(format).push(first_chunk) {
        Opening::Error(e) => Some(e),
        Opening::NeedMore | Opening::Fine => None,
    }
}
