//! `ZenError` as a real JS `Error` (instanceof Error, with a stack) carrying
//! the typed fields the JS API promises.

use wasm_bindgen::JsValue;

use super::host::zen_error;
use crate::error::ZenError;

/// The JS `Error` for `err`: `name` "ZenError", `message`, `kind`, `status`,
/// `retryAfter` (seconds), `retryable`, `provider`, `errorType`, `code`
/// (absent values are `undefined`).
pub(crate) fn to_js_error(err: &ZenError) -> JsValue {
    zen_error(
        err.message(),
        err.kind().as_str(),
        err.status(),
        err.retry_after_ms().map(|ms| ms as f64 / 1000.0),
        err.retryable(),
        err.provider(),
        err.error_type(),
        err.code(),
    )
}
