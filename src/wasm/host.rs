//! Host steps written in JS (`host.js`, where each is documented): the ones
//! that are a few lines of JS but would be a dozen imported js-sys/web-sys
//! calls.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::{AbortController, AbortSignal};

#[wasm_bindgen(module = "/src/wasm/host.js")]
extern "C" {
    /// `[name, value, …]` of a `Headers`, a `Map`, an array of pairs or a
    /// plain object (see `convert::headers_from_js`).
    pub(crate) fn header_pairs(headers: &JsValue) -> Array;

    /// `globalThis.fetch`, for clients given none.
    pub(crate) fn global_fetch() -> Option<Function>;

    /// Whether this host enforces CORS on our requests (a page or a browser
    /// worker).
    pub(crate) fn is_browser() -> bool;

    /// `setTimeout(f, ms)`'s handle (`undefined` in a host without timers).
    pub(crate) fn set_timer(f: &Function, ms: f64) -> JsValue;

    /// `clearTimeout(handle)`.
    pub(crate) fn clear_timer(handle: &JsValue);

    /// Calls a function when a wait between `start(ms)` and `stop()` lasts
    /// longer than its `ms`; one `setTimeout` for many waits.
    #[derive(Clone)]
    pub(crate) type WaitTimer;

    #[wasm_bindgen(constructor)]
    pub(crate) fn new(on_expired: &Function) -> WaitTimer;

    #[wasm_bindgen(method)]
    pub(crate) fn start(this: &WaitTimer, ms: f64);

    #[wasm_bindgen(method)]
    pub(crate) fn stop(this: &WaitTimer);

    /// Stops it for good (clears its `setTimeout`).
    #[wasm_bindgen(method)]
    pub(crate) fn dispose(this: &WaitTimer);

    /// `controller.abort`, bound: usable as a timer or event callback.
    #[wasm_bindgen(catch)]
    pub(crate) fn abort_fn(controller: &AbortController) -> Result<Function, JsValue>;

    /// `fetch(url, {method, headers, body, signal})` as a promise.
    #[wasm_bindgen(catch, js_name = send)]
    pub(crate) fn fetch_with(
        fetch: &Function,
        url: &str,
        method: &str,
        headers: &JsValue,
        body: &str,
        signal: &AbortSignal,
    ) -> Result<Promise, JsValue>;

    /// The JS `Error` named "ZenError" with the typed fields (`None` as
    /// `undefined`); see `errors::to_js_error`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn zen_error(
        message: &str,
        kind: &str,
        status: Option<u16>,
        retry_after: Option<f64>,
        retryable: bool,
        provider: Option<&str>,
        error_type: Option<&str>,
        code: Option<&str>,
    ) -> JsValue;
}
