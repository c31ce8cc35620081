//! The stream `ZenClient.stream()` returns: a JS class (`stream.js`) that
//! hands out the events of one network read from an array, and calls into
//! wasm ([`StreamCall::pull`]) only when that array is empty. So `for await`
//! costs a resolved promise per event, and a wasm call and an await per read.

use std::rc::Rc;

use js_sys::Function;
use js_sys::Object;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::client::Call;
use super::errors::to_js_error;

#[wasm_bindgen(module = "/src/wasm/stream.js")]
extern "C" {
    #[wasm_bindgen(js_name = ZenStream)]
    type JsZenStream;

    #[wasm_bindgen(constructor, js_class = "ZenStream")]
    fn new(call: StreamCall, cancelled: &Object) -> JsZenStream;
}

/// The `ZenStream` of `call`.
pub(crate) fn new_stream(call: Rc<Call>) -> JsValue {
    let cancelled = call.cancelled_flag().clone();
    JsZenStream::new(StreamCall { call }, &cancelled).into()
}

/// The wasm side of one `ZenStream` (not exported: only `stream.js` holds
/// one).
#[wasm_bindgen(private)]
pub struct StreamCall {
    call: Rc<Call>,
}

#[wasm_bindgen]
impl StreamCall {
    /// Reads on until the next network read(s) complete some events, then
    /// calls `resolve` with them as an array (`[]` once the stream ended),
    /// or `reject` with a ZenError when the call fails, times out or is
    /// cancelled (it is over then). The caller makes the promise these
    /// settle (cheaper in JS than from here) and pulls again only after it
    /// settled.
    pub fn pull(&self, resolve: Function, reject: Function) {
        let call = self.call.clone();
        spawn_local(async move {
            let _ = match call.pull().await {
                Ok(events) => resolve.call1(&JsValue::UNDEFINED, &events),
                Err(err) => reject.call1(&JsValue::UNDEFINED, &to_js_error(&err)),
            };
        });
    }

    /// The message accumulated so far, as JSON text.
    #[wasm_bindgen(js_name = messageJson)]
    pub fn message_json(&self) -> String {
        self.call.message_json()
    }

    /// Aborts the request at once (a pending or later pull rejects).
    pub fn cancel(&self) {
        self.call.cancel();
    }

    /// Ends the call (cancelling it, unless it ended) and frees it: the
    /// final message, as JSON text. `stream.js` calls this when the
    /// iteration ends, however it ends: a wasm object left to finalization
    /// pins its memory until the event loop turns, which a loop of streams
    /// over an injected `fetch` never lets happen.
    pub fn finish(self) -> String {
        self.call.close();
        self.call.message_json()
    }
}
