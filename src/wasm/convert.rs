//! Crossing the JS boundary with JSON: Rust values go out as one JSON
//! string and one `JSON.parse` (a single crossing, however many objects;
//! stream events take the faster `event_tape`),
//! JS values come in through one `JSON.stringify`. This is faster
//! than building objects field by field over the boundary and keeps the JS
//! shapes exactly the serde JSON the Rust types document. Everything goes
//! out through [`write_to_js`] and the types' hand-written writers
//! (`crate::output_json`), byte-identical to serde's text without serde's
//! serializer code in the package. Incoming text is
//! read by the types' pull-reader parsers (`from_json`), not serde, whose
//! per-type deserializers would cost tens of KB here.

use js_sys::{Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue, UnwrapThrowExt};

use super::host::header_pairs;

use crate::error::{ErrorKind, ZenError};
use crate::json_input::InputError;
use crate::json_write::JsonWriter;
use crate::wire::WireFormat;

/// What `write` writes, as a JS value, via one `JSON.parse`. (`dyn`: one
/// copy of this in the package, whatever the callers write.)
pub(crate) fn write_to_js(write: &dyn Fn(&mut JsonWriter)) -> Result<JsValue, ZenError> {
    let mut w = JsonWriter::new();
    write(&mut w);
    parse_json(&w.finish())
}

/// `JSON.parse(text)`.
fn parse_json(text: &str) -> Result<JsValue, ZenError> {
    JSON::parse(text).map_err(|e| ZenError::local(ErrorKind::Protocol, js_message(&e)))
}

/// A JS value read by `parse` from its `JSON.stringify` text (functions
/// and `undefined` fields are dropped by it, as the readers' defaults
/// expect). `what` roots the JSON path in the error, which is
/// `invalidRequest`: `request.messages[0].content: …`.
pub(crate) fn from_js<T>(
    value: &JsValue,
    what: &str,
    parse: fn(&str) -> Result<T, InputError>,
) -> Result<T, ZenError> {
    let text = js_text(value, what)?;
    parse(&text).map_err(|e| invalid(e.rooted(what)))
}

/// `JSON.stringify(value)`; the part of [`from_js`] that does not depend on
/// the type read, kept out of line so each reader's copy stays small.
#[inline(never)]
fn js_text(value: &JsValue, what: &str) -> Result<String, ZenError> {
    JSON::stringify(value)
        .map_err(|e| invalid(format!("{what}: {}", js_message(&e))))?
        .as_string()
        .ok_or_else(|| invalid(format!("{what}: not a JSON value")))
}

/// An `invalidRequest` error with `message` (one copy for every reader).
fn invalid(message: String) -> ZenError {
    ZenError::local(ErrorKind::InvalidRequest, message)
}

/// A wire format name (`"chat"`, `"responses"`, `"messages"`, `"gemini"`).
pub(crate) fn format_from_js(name: &str) -> Result<WireFormat, ZenError> {
    name.parse().map_err(invalid)
}

/// Header pairs from a `Record<string,string>`, a `Headers` (or any
/// iterable of `[name, value]` pairs, such as an array or a `Map`).
/// Entries that are not name/value pairs are skipped; a number value is
/// written by JS itself (`Number.prototype.toString`, what a `Headers`
/// object would store): Rust's `f64` Display would pull core's float
/// formatter (~20 KB) into the package for this one header case. Read in
/// JS ([`header_pairs`]): one call instead of a dozen imported steps.
pub(crate) fn headers_from_js(value: &JsValue) -> Vec<(String, String)> {
    let flat = header_pairs(value);
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < flat.length() {
        // A string by construction; a patched `Number.prototype.toString`
        // returning something else throws, as `String::from(JsString)` did.
        let value = flat.get(i + 1).as_string().unwrap_throw();
        if let Some(name) = flat.get(i).as_string() {
            out.push((name, value));
        }
        i += 2;
    }
    out
}

/// Header pairs as a `Record<string,string>` JSON object (the builder's
/// names are fixed lowercase names, so `JSON.parse` gives the very object
/// property-by-property setting did, without a `Reflect.set` per header).
pub(crate) fn write_headers(w: &mut JsonWriter, headers: &[(String, String)]) {
    w.begin_object();
    for (name, value) in headers {
        w.field(name, value);
    }
    w.end_object();
}

/// The message of a thrown JS value (an `Error`'s `message`, else its
/// string form).
pub(crate) fn js_message(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string()
        .or_else(|| {
            Reflect::get(e, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "unknown JavaScript error".to_owned())
}
