//! The stream `ZenClient.stream()` returns: a JS class (`stream.js`) that
//! reads the response body itself, as a user's own loop around
//! `StreamDecoder.push` does, and hands out the events of each read from an
//! array. Per network read: one await and one wasm call ([`StreamCall::push`]),
//! none per event. What the JS side cannot decide alone — connecting and
//! retrying, the timers, what a failure means — is asked of [`StreamCall`].

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
    fn new(call: StreamCall, cancelled: &Object, idle_ms: f64) -> JsZenStream;
}

/// The `ZenStream` of `call`.
pub(crate) fn new_stream(call: Rc<Call>) -> JsValue {
    let cancelled = call.cancelled_flag().clone();
    let idle_ms = call.idle_ms();
    JsZenStream::new(StreamCall { call }, &cancelled, idle_ms).into()
}

/// The wasm side of one `ZenStream` (not exported: only `stream.js` holds
/// one). The JS side takes one step at a time: it connects, reads the body
/// (`push` per read, `end` at its end, `failed` when a read fails), and
/// connects again when a step says so.
#[wasm_bindgen(private)]
pub struct StreamCall {
    call: Rc<Call>,
}

#[wasm_bindgen]
impl StreamCall {
    /// Connects (again, after the pause a retry asked for): calls `resolve`
    /// with the body's reader (`null` for a response without a body) and the
    /// attempt's timer, to start with the idle timeout and stop around every
    /// read after the first (the first-byte timeout covers the first), or
    /// `reject` with a ZenError when the call fails, is cancelled or runs
    /// out of retries (it is over then). The caller makes the promise these
    /// settle (cheaper in JS than from here).
    pub fn connect(&self, resolve: Function, reject: Function) {
        let call = self.call.clone();
        spawn_local(async move {
            let _ = match call.connect().await {
                Ok((reader, timer)) => {
                    let reader = reader.map_or(JsValue::NULL, JsValue::from);
                    resolve.call2(&JsValue::UNDEFINED, &reader, &timer)
                }
                Err(err) => reject.call1(&JsValue::UNDEFINED, &to_js_error(&err)),
            };
        });
    }

    /// A read brought `chunk`: the events it completed, as an array,
    /// `null` when it completed none, or `undefined`: the stream asked for
    /// a retry, connect again. `chunk` must be a `Uint8Array` (`stream.js` checks it is an
    /// object). No `Result`: a plain return value costs a read less.
    pub fn push(&self, chunk: &[u8]) -> JsValue {
        self.call.on_read(Some(chunk))
    }

    /// The body ended: the last events, or `undefined` (see `push`).
    pub fn end(&self) -> JsValue {
        self.call.on_read(None)
    }

    /// A read failed with `error`: returns when the call is to connect
    /// again; throws the ZenError the call failed with (it is over then).
    pub fn failed(&self, error: JsValue) -> Result<(), JsValue> {
        self.call
            .on_read_failure(&error)
            .map_err(|e| to_js_error(&e))
    }

    /// The message accumulated so far, as JSON text.
    #[wasm_bindgen(js_name = messageJson)]
    pub fn message_json(&self) -> String {
        self.call.message_json()
    }

    /// Aborts the request at once: the step pending fails as `aborted`, and
    /// so does any later `connect`.
    pub fn cancel(&self) {
        self.call.cancel();
    }

    /// Ends the call and frees it: the final message, as JSON text.
    /// `stream.js` calls this when the iteration ends, however it ends: a
    /// wasm object left to finalization pins its memory until the event
    /// loop turns, which a loop of streams over an injected `fetch` never
    /// lets happen.
    pub fn finish(self) -> String {
        self.call.end();
        self.call.message_json()
    }
}
