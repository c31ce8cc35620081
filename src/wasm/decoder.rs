//! `StreamDecoder` for JS: bytes in, `ZenEvent[]` out, one crossing per call.
//!
//! `push` is called once per network read, often for a few bytes that
//! complete no event, so its fixed cost matters as much as its throughput:
//! a push that completes nothing returns a fresh `[]` without touching JSON,
//! and the events of one push cross as a single JSON text, written (by
//! `Event::write_json`, not serde) into a buffer kept between calls and
//! parsed by one `JSON.parse`.
//!
//! `push` and `finish` never throw, like the decoder itself, which reports
//! every problem of the body as an `error` event: without a `Result`, the
//! array returns as a plain value, sparing every push wasm-bindgen's
//! multi-value return and externref-table round trip (about a third of the
//! fixed cost of a push that completes nothing).

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::convert::{format_from_js, parse_json, write_to_js};
use super::errors::to_js_error;
use crate::error::{ErrorKind, ZenError};
use crate::event::Event;
use crate::json_write::JsonWriter;

/// Above this, the JSON buffer is given back after a call: one huge batch
/// (a long tool-call argument) should not pin its memory for the rest of the
/// stream, while ordinary batches keep reusing the allocation.
const KEEP_JSON_CAPACITY: usize = 256 * 1024;

/// Decodes a streaming response body of one wire format, in any pieces.
#[wasm_bindgen(js_name = StreamDecoder)]
pub struct JsStreamDecoder {
    inner: crate::stream::StreamDecoder,
    /// Events of the current call; emptied before it returns.
    events: Vec<Event>,
    /// The current call's events as JSON; reused so a push allocates nothing.
    json: String,
}

#[wasm_bindgen(js_class = StreamDecoder)]
impl JsStreamDecoder {
    /// A decoder for `format`; throws a ZenError (`invalidRequest`) for an
    /// unknown format.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "WireFormat")] format: &str,
    ) -> Result<JsStreamDecoder, JsValue> {
        let format = format_from_js(format).map_err(|e| to_js_error(&e))?;
        Ok(JsStreamDecoder {
            inner: crate::stream::StreamDecoder::new(format),
            events: Vec::new(),
            json: String::new(),
        })
    }

    /// All events completed by this piece of the body.
    #[wasm_bindgen(unchecked_return_type = "ZenEvent[]")]
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] chunk: &[u8],
    ) -> JsValue {
        self.inner.push(chunk, &mut self.events);
        self.take_events()
    }

    /// The body ended: the last events (pending tool calls, a final event
    /// without its blank line).
    #[wasm_bindgen(unchecked_return_type = "ZenEvent[]")]
    pub fn finish(&mut self) -> JsValue {
        self.inner.finish(&mut self.events);
        self.take_events()
    }

    /// The message accumulated so far.
    #[wasm_bindgen(unchecked_return_type = "Message")]
    pub fn message(&self) -> Result<JsValue, JsValue> {
        let message = self.inner.message();
        write_to_js(&|w| message.write_json(w)).map_err(|e| to_js_error(&e))
    }

    /// The collected events as a JS array, leaving `events` empty.
    fn take_events(&mut self) -> JsValue {
        if self.events.is_empty() {
            // Most small pushes end here: no serializing, no string decoding.
            return Array::new().into();
        }
        let mut w = JsonWriter::with_buffer(std::mem::take(&mut self.json));
        w.begin_array();
        self.events.iter().for_each(|e| e.write_json(&mut w));
        w.end_array();
        self.events.clear();
        self.json = w.finish();
        let result = parse_json(&self.json).unwrap_or_else(|e| handover_failed(&e));
        if self.json.capacity() > KEEP_JSON_CAPACITY {
            self.json = String::new();
        }
        result
    }
}

/// The events of a call whose JSON text `JSON.parse` refused: that text is
/// the writer's own, so this is a bug, reported as the decoder reports
/// everything, in-band: one `protocol` error event (the call's events are
/// lost; the stream goes on).
#[cold]
fn handover_failed(e: &ZenError) -> JsValue {
    let event = Event::Error {
        kind: ErrorKind::Protocol,
        message: format!(
            "zenwire could not hand this piece's events to JavaScript: {}",
            e.message
        ),
        retryable: false,
    };
    write_to_js(&|w| {
        w.begin_array();
        event.write_json(w);
        w.end_array();
    })
    .unwrap_or_else(|_| Array::new().into())
}
