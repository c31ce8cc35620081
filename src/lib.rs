//! zenwire — a sans-IO client core for the OpenCode Zen AI gateway.
//!
//! Bytes in, events out: nothing in this crate performs I/O. The pieces are
//! layered the way the bytes flow:
//!
//! * [`sse`] — a push decoder for `text/event-stream` framing (WHATWG HTML).
//! * [`wire`] — one decoder per Zen wire format (Chat Completions, Responses,
//!   Anthropic Messages, Gemini) turning SSE events into unified [`event::Event`]s.
//! * [`json`] — a strict pull reader for JSON text, compiled once for every frame shape.
//! * [`json_write`] — the matching writer: compact JSON byte-identical to `serde_json`'s.
//! * [`event`] — the unified event model and the [`event::Accumulator`] that folds
//!   events into a final [`event::Message`].
//! * [`stream`] — [`stream::StreamDecoder`], the three above wired together
//!   ([`stream::EventDecoder`]: the same without the accumulated message).
//! * [`request`] — one unified request → the exact HTTP request for the model's endpoint.
//! * [`catalog`] — the embedded model table (format, prices, limits, capabilities).
//! * [`cost`] — exact decimal cost estimates, beside Zen's billed cost.
//! * [`error`] — `(status, headers, body)` → a typed [`error::ZenError`].
//! * [`retry`] — the pure retry policy (only before output, honours `retry-after`).
//! * [`response`] — non-streaming bodies → the same [`event::Message`].
//! * [`client`] — the client's decisions (retries, held events, browser headers) without I/O.
//! * `wasm` (wasm32 only) — the JavaScript binding, glue over the modules above.

#![warn(missing_docs)]

pub mod catalog;
pub mod client;
pub mod cost;
pub mod error;
pub mod event;
mod http_date;
pub mod json;
mod json_input;
mod json_value;
mod json_view;
pub mod json_write;
mod output_json;
pub mod request;
pub mod response;
pub mod retry;
pub mod sse;
pub mod stream;
pub mod wire;
mod word_scan;
// The wasm package's allocator; natively only for its tests.
#[cfg(any(test, all(target_arch = "wasm32", feature = "js")))]
mod spare_alloc;

pub use error::{ErrorKind, ZenError};
pub use event::{Accumulator, Event, FinishReason, Message, Usage};
pub use json_input::InputError;
pub use sse::{SseDecoder, SseEvent, SseEventRef, SseItem, SseItemRef};
pub use stream::{EventDecoder, StreamDecoder};
pub use wire::WireFormat;

#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod wasm;
