//! `StreamDecoder` for JS: bytes in, `ZenEvent[]` out, one crossing per call.
//!
//! `push` is called once per network read, often for a few bytes that
//! complete no event, so its fixed cost matters as much as its throughput:
//! a push that completes nothing returns a fresh `[]` without touching JSON,
//! and the events of one push cross as a single JSON text, serialized into a
//! buffer kept between calls and parsed by one `JSON.parse`.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::convert::{format_from_js, parse_json, to_js};
use super::errors::to_js_error;
use crate::error::{ErrorKind, ZenError};
use crate::event::Event;

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
    json: Vec<u8>,
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
            json: Vec::new(),
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
        to_js(self.inner.message()).map_err(|e| to_js_error(&e))
    }

    /// The collected events as a JS array, leaving `events` empty.
    fn take_events(&mut self) -> Result<JsValue, JsValue> {
        if self.events.is_empty() {
            // Most small pushes end here: no serializing, no string decoding.
            return Ok(Array::new().into());
        }
        self.json.clear();
        let written = serde_json::to_writer(&mut self.json, &self.events);
        self.events.clear();
        let result = written
            .map_err(|e| ZenError::local(ErrorKind::Protocol, e.to_string()))
            .and_then(|()| {
                let text = std::str::from_utf8(&self.json)
                    .map_err(|e| ZenError::local(ErrorKind::Protocol, e.to_string()))?;
                parse_json(text)
            })
            .map_err(|e| to_js_error(&e));
        if self.json.capacity() > KEEP_JSON_CAPACITY {
            self.json = Vec::new();
        }
        result
    }
}
