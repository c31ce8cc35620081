//! `StreamDecoder` for JS: bytes in, `ZenEvent[]` out, one crossing per call.

use wasm_bindgen::prelude::*;

use super::convert::{format_from_js, to_js};
use super::errors::to_js_error;
use crate::event::Event;

/// Decodes a streaming response body of one wire format, in any pieces.
#[wasm_bindgen(js_name = StreamDecoder)]
pub struct JsStreamDecoder {
    inner: crate::stream::StreamDecoder,
    events: Vec<Event>,
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

    fn take_events(&mut self) -> Result<JsValue, JsValue> {
        let result = to_js(&self.events).map_err(|e| to_js_error(&e));
        self.events.clear();
        result
    }
}
