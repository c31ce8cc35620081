//! `StreamDecoder` for JS: bytes in, `ZenEvent[]` out, one crossing per call.
//!
//! `push` is called once per network read, often for a few bytes that
//! complete no event, so its fixed cost matters as much as its throughput:
//! a push that completes nothing returns a fresh `[]`, and the events of one
//! push cross together as one tape (`event_tape`).
//!
//! `push` and `finish` never throw, like the decoder itself, which reports
//! every problem of the body as an `error` event: without a `Result`, the
//! array returns as a plain value, sparing every push wasm-bindgen's
//! multi-value return and externref-table round trip (about a third of the
//! fixed cost of a push that completes nothing).

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::convert::{format_from_js, write_to_js};
use super::errors::to_js_error;
use super::event_tape::EventTape;
use crate::event::Event;

/// Decodes a streaming response body of one wire format, in any pieces.
#[wasm_bindgen(js_name = StreamDecoder)]
pub struct JsStreamDecoder {
    inner: crate::stream::StreamDecoder,
    /// Events of the current call; emptied before it returns.
    events: Vec<Event>,
    /// The buffers the events cross in; reused so a push allocates nothing.
    tape: EventTape,
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
            tape: EventTape::default(),
        })
    }

    /// All events completed by this piece of the body. `chunk` must be a
    /// `Uint8Array` (a Node `Buffer` is one); wrap an `ArrayBuffer` or
    /// another view as `new Uint8Array(buffer)` first: anything else is not
    /// read as its bytes.
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
            // Most small pushes end here.
            return Array::new().into();
        }
        let array = self.tape.hand_over(&self.events);
        self.events.clear();
        array
    }
}
