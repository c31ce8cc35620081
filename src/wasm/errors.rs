//! `ZenError` as a real JS `Error` (instanceof Error, with a stack) carrying
//! the typed fields the JS API promises.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::error::ZenError;

/// The JS `Error` for `err`: `name` "ZenError", `message`, `kind`, `status`,
/// `retryAfter` (seconds), `retryable`, `provider`, `errorType`, `code`
/// (absent values are `undefined`).
pub(crate) fn to_js_error(err: &ZenError) -> JsValue {
    let e = js_sys::Error::new(&err.message);
    e.set_name("ZenError");
    let opt_str = |v: &Option<String>| v.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str);
    let fields: [(&str, JsValue); 7] = [
        ("kind", JsValue::from_str(err.kind.as_str())),
        (
            "status",
            err.status.map_or(JsValue::UNDEFINED, JsValue::from),
        ),
        (
            "retryAfter",
            err.retry_after_ms.map_or(JsValue::UNDEFINED, |ms| {
                JsValue::from_f64(ms as f64 / 1000.0)
            }),
        ),
        ("retryable", JsValue::from_bool(err.retryable)),
        ("provider", opt_str(&err.provider)),
        ("errorType", opt_str(&err.error_type)),
        ("code", opt_str(&err.code)),
    ];
    for (name, value) in fields {
        // Own data properties on a fresh Error object: setting cannot fail.
        let _ = Reflect::set(&e, &JsValue::from_str(name), &value);
    }
    e.into()
}
