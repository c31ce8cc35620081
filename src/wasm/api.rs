//! The stateless functions of the JS API: request building, the catalog,
//! cost estimates, error parsing and non-streaming body decoding.

use wasm_bindgen::prelude::*;

use super::convert::{format_from_js, from_js, headers_from_js, write_headers, write_to_js};
use super::errors::to_js_error;
use crate::catalog::{Catalog, ModelInfo};
use crate::client::{request_error, ClientOptions};
use crate::error::ZenError;
use crate::event::Usage;
use crate::request::parse::read_request;
use crate::request::BuildOptions;

/// `models` as a JSON array (`ModelInfo[]`).
pub(crate) fn write_models(w: &mut crate::json_write::JsonWriter, models: &[ModelInfo]) {
    w.begin_array();
    models.iter().for_each(|m| m.write_json(w));
    w.end_array();
}

fn thrown(e: ZenError) -> JsValue {
    to_js_error(&e)
}

/// The HTTP request (`{url, method, headers, body}`) for a unified request,
/// in its model's wire format. Throws a ZenError: `invalidRequest` naming
/// the field path, or `auth` for a paid model without a key.
#[wasm_bindgen(js_name = buildRequest, unchecked_return_type = "HttpRequest")]
pub fn build_request(
    #[wasm_bindgen(unchecked_param_type = "UnifiedRequest")] request: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "BuildOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let req = from_js(&request, "request", read_request).map_err(thrown)?;
    // Read with ClientOptions' reader (its other fields default): one
    // reader fewer in the wasm module than a struct of its own.
    let opts = if options.is_undefined() || options.is_null() {
        BuildOptions::default()
    } else {
        from_js(&options, "options", ClientOptions::from_json)
            .map_err(thrown)?
            .build_options()
    };
    let model = Catalog::builtin().resolve(&req.model);
    let http = crate::request::build(&req, &model, &opts).map_err(|e| thrown(request_error(&e)))?;
    write_to_js(&|w| {
        w.begin_object();
        w.field("url", &http.url);
        w.field("method", &http.method);
        w.key("headers");
        write_headers(w, &http.headers);
        w.field("body", &http.body);
        w.end_object();
    })
    .map_err(thrown)
}

/// Every model of the built-in catalog.
#[wasm_bindgen(unchecked_return_type = "ModelInfo[]")]
pub fn models() -> Result<JsValue, JsValue> {
    let models = Catalog::builtin().models();
    write_to_js(&|w| write_models(w, models)).map_err(thrown)
}

/// The catalog entry for `id`, or a fallback entry with `unknown: true`.
#[wasm_bindgen(unchecked_return_type = "ModelInfo")]
pub fn model(id: &str) -> Result<JsValue, JsValue> {
    let info = Catalog::builtin().resolve(id);
    write_to_js(&|w| info.write_json(w)).map_err(thrown)
}

/// What `usage` costs on `model` by the catalog's prices (decimal USD strings).
#[wasm_bindgen(js_name = estimateCost, unchecked_return_type = "CostEstimate")]
pub fn estimate_cost(
    model: &str,
    #[wasm_bindgen(unchecked_param_type = "Partial<Usage>")] usage: JsValue,
) -> Result<JsValue, JsValue> {
    let usage = from_js(&usage, "usage", Usage::from_json).map_err(thrown)?;
    let info = Catalog::builtin().resolve(model);
    let estimate = crate::cost::estimate(&info, &usage);
    write_to_js(&|w| estimate.write_json(w)).map_err(thrown)
}

/// The typed error an HTTP error response amounts to (returned, not thrown).
#[wasm_bindgen(js_name = parseError, unchecked_return_type = "ZenError")]
pub fn parse_error(
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "Record<string, string> | Headers | [string, string][]")]
    headers: JsValue,
    #[wasm_bindgen(js_name = bodyText)] body_text: &str,
) -> JsValue {
    let headers = headers_from_js(&headers);
    to_js_error(&ZenError::from_response_at(
        status,
        headers,
        body_text,
        Some(js_sys::Date::now() as u64),
    ))
}

/// The message a non-streaming response body of `format` amounts to;
/// throws a ZenError for an error body or a body that is not a response.
#[wasm_bindgen(js_name = decodeResponse, unchecked_return_type = "Message")]
pub fn decode_response(
    #[wasm_bindgen(unchecked_param_type = "WireFormat")] format: &str,
    #[wasm_bindgen(js_name = bodyText)] body_text: &str,
) -> Result<JsValue, JsValue> {
    let format = format_from_js(format).map_err(thrown)?;
    let message = crate::response::decode_response(format, body_text).map_err(thrown)?;
    write_to_js(&|w| message.write_json(w)).map_err(thrown)
}
