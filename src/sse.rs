//! SSE push decoder (being implemented; this file is the interface).

use crate::error::ErrorKind;
use crate::event::Event;

/// Options for [`SseDecoder`].
#[derive(Debug, Clone)]
pub struct SseOptions {
    /// Largest event (data + field lines buffered) accepted, in bytes.
    pub max_event_size: usize,
    /// Follow the spec at end of body: discard an event not ended by a blank line.
    pub strict: bool,
}

impl Default for SseOptions {
    fn default() -> Self {
        SseOptions {
            max_event_size: 16 << 20,
            strict: false,
        }
    }
}

/// A dispatched SSE event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, `None` when absent or empty (the spec's "message").
    pub event: Option<String>,
    /// Data lines joined with `\n`.
    pub data: String,
    /// The last event id at dispatch, `None` if no `id:` was ever seen.
    pub id: Option<String>,
    /// A valid `retry:` given within this event, in milliseconds.
    pub retry: Option<u64>,
}

/// A decoding error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseError {
    /// An event grew beyond the size limit and was discarded.
    EventTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
}

impl SseError {
    /// The unified error event for this error.
    pub fn into_event(self) -> Event {
        Event::Error {
            kind: ErrorKind::Protocol,
            message: match self {
                SseError::EventTooLarge { limit } => {
                    format!("SSE event larger than {limit} bytes discarded")
                }
            },
            retryable: false,
        }
    }
}

/// What the decoder yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseItem {
    /// A dispatched event.
    Event(SseEvent),
    /// A `:` comment line, without the colon.
    Comment(String),
    /// A decoding error.
    Error(SseError),
}

/// Push decoder for `text/event-stream`.
#[derive(Debug, Default)]
pub struct SseDecoder {
    options: SseOptions,
}

impl SseDecoder {
    /// A decoder with default options.
    pub fn new() -> Self {
        Self::default()
    }
    /// A decoder with `options`.
    pub fn with_options(options: SseOptions) -> Self {
        SseDecoder { options }
    }
    /// Decodes a piece of the body.
    pub fn push(&mut self, _chunk: &[u8], _out: &mut Vec<SseItem>) {
        let _ = &self.options;
    }
    /// End of body.
    pub fn finish(&mut self, _out: &mut Vec<SseItem>) {}
}
