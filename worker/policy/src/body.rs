//! Body policy before anything is spent: size cap, JSON, the model (the
//! deployment's allowlist, the caller's, served on this endpoint, free in
//! public mode) and the output cap written into every dialect's field.

use serde_json::{Map, Value};
use zenwire::catalog::{Catalog, ModelInfo};
use zenwire::wire::WireFormat;

use crate::auth::Caller;
use crate::config::RelayConfig;
use crate::dialect::{Refusal, RefusalKind};
use crate::inputs;
use crate::route::Endpoint;

/// Most choices/candidates a request may ask for (each multiplies output).
pub const MAX_CHOICES: u64 = 8;

/// A request that passed the policy, ready to forward.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// The model id.
    pub model: ModelInfo,
    /// The client asked for a stream.
    pub stream: bool,
    /// The body to send upstream (output cap applied).
    pub body: Vec<u8>,
    /// The output cap now in the body.
    pub max_output_tokens: u64,
    /// Choices/candidates requested (`n`, `candidateCount`); output × this.
    pub choices: u64,
    /// Size of the client's body in bytes (input estimate basis).
    pub body_bytes: usize,
    /// The body uses input its size cannot bound ([`crate::inputs`]); the
    /// caller may, so the reservation assumes the model's whole context.
    pub unbounded_input: bool,
}

fn invalid(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal::new(RefusalKind::InvalidRequest, code, message)
}

/// Checks the declared `content-length` before reading the body.
pub fn check_declared_length(
    config: &RelayConfig,
    content_length: Option<&str>,
) -> Result<(), Refusal> {
    match content_length.map(|v| v.trim().parse::<u64>()) {
        Some(Ok(n)) if n > config.max_body_bytes as u64 => Err(too_large(config)),
        _ => Ok(()),
    }
}

/// The 413 refusal.
pub fn too_large(config: &RelayConfig) -> Refusal {
    Refusal::new(
        RefusalKind::TooLarge,
        "body_too_large",
        format!("request body exceeds {} bytes", config.max_body_bytes),
    )
}

/// Applies the body policy to a request for `endpoint`.
pub fn prepare(
    config: &RelayConfig,
    catalog: &Catalog,
    caller: &Caller,
    endpoint: &Endpoint,
    body: &[u8],
) -> Result<Prepared, Refusal> {
    if body.len() > config.max_body_bytes {
        return Err(too_large(config));
    }
    let mut json: Value = serde_json::from_slice(body).map_err(|e| {
        invalid(
            "invalid_json",
            format!("request body is not valid JSON: {e}"),
        )
    })?;
    let Some(obj) = json.as_object_mut() else {
        return Err(invalid(
            "invalid_json",
            "request body must be a JSON object",
        ));
    };
    let format = endpoint.format();
    let (model_id, stream) = match endpoint {
        Endpoint::Gemini { model, stream } => (model.clone(), *stream),
        _ => {
            let model = match obj.get("model") {
                Some(Value::String(m)) if !m.is_empty() => m.clone(),
                Some(_) => {
                    return Err(invalid(
                        "invalid_model",
                        "`model` must be a non-empty string",
                    ))
                }
                None => return Err(invalid("missing_model", "`model` is required")),
            };
            let stream = match obj.get("stream") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err(invalid("invalid_stream", "`stream` must be a boolean")),
            };
            (model, stream)
        }
    };
    let model = check_model(config, catalog, caller, format, &model_id)?;
    if format == WireFormat::Gemini {
        if let Some(field) = inputs::gemini_snake_case_field(obj) {
            return Err(invalid(
                "snake_case_field",
                format!("`{field}`: this relay reads Gemini fields by their camelCase names only; send the camelCase name"),
            ));
        }
    }
    let uses = inputs::find(format, obj);
    if let Some(u) = uses.iter().find(|u| !caller.allows(u.kind)) {
        let whose = match caller {
            Caller::Token(_) => {
                "this relay token has a budget and its `allow` claim does not include"
            }
            Caller::Public { .. } => "public mode does not allow",
        };
        return Err(Refusal::new(
            RefusalKind::Forbidden,
            "input_not_allowed",
            format!(
                "{} uses input whose cost the request's size cannot bound; {whose} {:?}",
                u.at,
                u.kind.as_str()
            ),
        ));
    }
    let choices = choices(obj, format)?;
    let cap = output_cap(config, caller, &model);
    clamp_output(obj, format, cap)?;
    let out = serde_json::to_vec(&json).map_err(|e| invalid("invalid_json", e.to_string()))?;
    Ok(Prepared {
        model,
        stream,
        body: out,
        max_output_tokens: cap,
        choices,
        body_bytes: body.len(),
        unbounded_input: !uses.is_empty(),
    })
}

/// The endpoint path (below `/zen/v1`) that serves `format`, for messages.
fn endpoint_name(format: WireFormat, model: &str) -> String {
    match format {
        WireFormat::Gemini => format!("/zen/v1/models/{model}:streamGenerateContent"),
        other => format!(
            "/zen/v1{}",
            zenwire::catalog::endpoint_path(other, model, false)
        ),
    }
}

fn check_model(
    config: &RelayConfig,
    catalog: &Catalog,
    caller: &Caller,
    format: WireFormat,
    id: &str,
) -> Result<ModelInfo, Refusal> {
    if id.len() > 128 {
        return Err(invalid("invalid_model", "model id is too long"));
    }
    if !config.models.allows(id) {
        return Err(Refusal::new(
            RefusalKind::Forbidden,
            "model_not_allowed",
            format!("model {id} is not served by this relay"),
        ));
    }
    if let Caller::Token(claims) = caller {
        if !claims.allows_model(id) {
            return Err(Refusal::new(
                RefusalKind::Forbidden,
                "model_not_allowed",
                format!("this relay token may not use model {id}"),
            ));
        }
    }
    let model = catalog.resolve(id);
    if matches!(caller, Caller::Public { .. }) && !model.free {
        return Err(Refusal::new(
            RefusalKind::Forbidden,
            "model_not_free",
            format!("model {id} is not free; public mode serves free models only"),
        ));
    }
    if model.format != format {
        return Err(invalid(
            "wrong_endpoint",
            format!(
                "model {id} is served on {}, not on {}",
                endpoint_name(model.format, id),
                endpoint_name(format, id)
            ),
        ));
    }
    Ok(model)
}

/// The output cap: the caller's, within the model's limit.
fn output_cap(config: &RelayConfig, caller: &Caller, model: &ModelInfo) -> u64 {
    let model_max = (model.limits.output > 0).then_some(model.limits.output);
    match (caller.max_output_tokens(config), model_max) {
        (Some(c), Some(m)) => c.min(m),
        (Some(c), None) => c,
        (None, Some(m)) => m,
        // Unknown model limit and no caller cap: a fixed bound so the
        // reservation stays finite.
        (None, None) => 32_000,
    }
}

fn positive_int(v: &Value, field: &str) -> Result<u64, Refusal> {
    match v.as_u64() {
        Some(n) if n > 0 => Ok(n),
        _ => Err(invalid(
            "invalid_max_tokens",
            format!("`{field}` must be a positive integer"),
        )),
    }
}

fn choices(obj: &Map<String, Value>, format: WireFormat) -> Result<u64, Refusal> {
    let (field, v) = match format {
        WireFormat::Chat => ("n", obj.get("n")),
        WireFormat::Gemini => (
            "generationConfig.candidateCount",
            obj.get("generationConfig")
                .and_then(|g| g.get("candidateCount")),
        ),
        _ => return Ok(1),
    };
    match v {
        None | Some(Value::Null) => Ok(1),
        Some(v) => match v.as_u64() {
            Some(n) if (1..=MAX_CHOICES).contains(&n) => Ok(n),
            _ => Err(invalid(
                "invalid_choices",
                format!("`{field}` must be an integer from 1 to {MAX_CHOICES}"),
            )),
        },
    }
}

/// Output-cap fields some backend reads, in any format: Zen converts between
/// formats, so a field foreign to the endpoint may still reach a backend
/// that honours it. Each one present is clamped.
const CAP_FIELDS: [&str; 3] = ["max_tokens", "max_completion_tokens", "max_output_tokens"];

/// Lowers (or sets) the output-token field(s) of `format` to at most `cap`.
fn clamp_output(obj: &mut Map<String, Value>, format: WireFormat, cap: u64) -> Result<(), Refusal> {
    /// Clamps `field` when present; returns the value the client asked for.
    fn clamp_field(
        obj: &mut Map<String, Value>,
        field: &str,
        cap: u64,
    ) -> Result<Option<u64>, Refusal> {
        match obj.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => {
                let n = positive_int(v, field)?;
                obj.insert(field.to_owned(), Value::from(n.min(cap)));
                Ok(Some(n))
            }
        }
    }
    let primary = match format {
        // `max_tokens` is what Zen's OpenAI-compatible backends read, and the
        // Messages API requires it.
        WireFormat::Chat | WireFormat::Messages => "max_tokens",
        WireFormat::Responses => "max_output_tokens",
        WireFormat::Gemini => {
            let gc = obj
                .entry("generationConfig")
                .or_insert_with(|| Value::Object(Map::new()));
            if gc.is_null() {
                *gc = Value::Object(Map::new());
            }
            let Some(gc) = gc.as_object_mut() else {
                return Err(invalid(
                    "invalid_generation_config",
                    "`generationConfig` must be an object",
                ));
            };
            if clamp_field(gc, "maxOutputTokens", cap)?.is_none() {
                gc.insert("maxOutputTokens".to_owned(), Value::from(cap));
            }
            return Ok(());
        }
    };
    let mut requested: Option<u64> = None;
    for field in CAP_FIELDS {
        if let Some(n) = clamp_field(obj, field, cap)? {
            requested = Some(requested.map_or(n, |r| r.min(n)));
        }
    }
    // Always written: the smallest cap asked for, within the relay's.
    obj.insert(
        primary.to_owned(),
        Value::from(requested.unwrap_or(cap).min(cap)),
    );
    Ok(())
}
