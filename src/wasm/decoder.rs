//! `StreamDecoder` for JS: bytes in, `ZenEvent[]` out, one crossing per call.
//!
//! `push` is called once per network read, often for a few bytes that
//! complete no event, so its fixed cost matters as much as its throughput:
//! a push that completes nothing returns a fresh `[]` without touching JSON,
//! and the events of one push cross as a single JSON text, written (by
//! `Event::write_json`, not serde) into a buffer kept between calls and
//! parsed by one `JSON.parse`.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::convert::{format_from_js, parse_json, write_to_js};
use super::errors::to_js_error;
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
    ) -> Result<JsValue, JsValue> {
        self.inner.push(chunk, &mut self.events);
        self.take_events()
    }

    /// The body ended: the last events (pending tool calls, a final event
    /// without its blank line).
    #[wasm_bindgen(unchecked_return_type = "ZenEvent[]")]
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
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
    fn take_events(&mut self) -> Result<JsValue, JsValue> {
        if self.events.is_empty() {
            // Most small pushes end here: no serializing, no string decoding.
            return Ok(Array::new().into());
        }
        let mut w = JsonWriter::with_buffer(std::mem::take(&mut self.json));
        w.begin_array();
        self.events.iter().for_each(|e| e.write_json(&mut w));
        w.end_array();
        self.events.clear();
        self.json = w.finish();
        let result = parse_json(&self.json).map_err(|e| to_js_error(&e));
        if self.json.capacity() > KEEP_JSON_CAPACITY {
            self.json = String::new();
        }
        result
    }
}
