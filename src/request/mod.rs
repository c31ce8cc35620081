//! Unified request → HTTP request, for each of Zen's four wire formats.
//!
//! [`build`] takes a [`UnifiedRequest`] (one provider-neutral shape), the
//! [`ModelInfo`] the caller resolved for its model (normally from the catalog)
//! and [`BuildOptions`] (base URL, key), validates everything, and returns the
//! [`HttpRequest`] to send: method, URL, headers and JSON body in the model's
//! wire format. Nothing here performs I/O.
//!
//! Policy for settings a model cannot take (documented so callers can rely
//! on it):
//! * `temperature` / `topP` are dropped for models whose catalog entry says
//!   they reject temperature (the GPT-5 family), since the request is still
//!   meaningful without them.
//! * `reasoning` is dropped for models without reasoning.
//! * What cannot be dropped without changing the answer's meaning is an
//!   error: images for a model without attachments, tools for a model
//!   without tools, `stop` on the Responses format (it has no such field).
//!   Capability checks are skipped for models the catalog does not know
//!   (`ModelInfo::unknown`), whose capabilities are only guessed.
//! * Reasoning that cannot be replayed is not sent back: Responses reasoning
//!   items (the unified message does not carry their ids) and Anthropic
//!   thinking text without a signature.

mod chat;
mod gemini;
mod lazy_turn;
pub(crate) mod merge;
mod messages;
pub(crate) mod parse;
mod responses;
mod turn;
mod types;
mod validate;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::ModelInfo;
use crate::json::JsonError;
use crate::json_write::JsonWriter;
use crate::wire::WireFormat;

pub use merge::merge_patch;
pub use turn::assistant_turn;
pub use types::{
    AssistantToolCall, Content, ContentPart, ImagePart, ReasoningConfig, ReasoningEffort,
    RequestMessage, Stop, Tool, ToolChoice, ToolChoiceMode, UnifiedRequest,
};

/// Zen's API root.
pub const DEFAULT_BASE_URL: &str = "https://opencode.ai/zen/v1";

/// The `anthropic-version` header value sent on the Messages format.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// Where and with which key to send requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildOptions {
    /// API root; a trailing slash is tolerated.
    pub base_url: String,
    /// Zen API key; `None` is allowed only for free models.
    pub api_key: Option<String>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            api_key: None,
        }
    }
}

impl BuildOptions {
    /// Default base URL with this key.
    pub fn with_key(key: impl Into<String>) -> Self {
        Self {
            api_key: Some(key.into()),
            ..Self::default()
        }
    }
}

/// A ready-to-send HTTP request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRequest {
    /// HTTP method (always `POST` for generation).
    pub method: String,
    /// Full URL.
    pub url: String,
    /// Headers, names in lower case, in a stable order.
    pub headers: Vec<(String, String)>,
    /// JSON body.
    pub body: String,
}

impl HttpRequest {
    /// The body parsed back into JSON (numbers read as everywhere in
    /// zenwire: floats correctly rounded).
    pub fn body_json(&self) -> Result<Value, JsonError> {
        crate::json_value::parse_value(&self.body)
    }

    /// The value of a header (name matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum RequestError {
    /// The unified request JSON did not parse.
    Parse {
        /// The parser's message.
        message: String,
    },
    /// The model is paid and no API key was given.
    MissingKey {
        /// The model id.
        model: String,
    },
    /// The API key cannot be sent in a header.
    InvalidKey {
        /// Why.
        reason: String,
    },
    /// The base URL is unusable.
    InvalidBaseUrl {
        /// The URL given.
        url: String,
        /// Why.
        reason: String,
    },
    /// A field of the request is invalid or not supported by the model.
    Invalid {
        /// Field path, e.g. `messages[2].content`.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// [`assistant_turn`]: the message has no choice with this index.
    NoSuchChoice {
        /// The index asked for.
        choice: u32,
    },
}

impl RequestError {
    /// An [`RequestError::Invalid`] for `path`.
    pub fn invalid(path: impl Into<String>, reason: impl Into<String>) -> Self {
        RequestError::Invalid {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestError::Parse { message } => write!(f, "request JSON: {message}"),
            RequestError::MissingKey { model } => write!(
                f,
                "model {model} is not free: an API key is required (get one at https://opencode.ai/zen)"
            ),
            RequestError::InvalidKey { reason } => write!(f, "api key: {reason}"),
            RequestError::InvalidBaseUrl { url, reason } => {
                write!(f, "base url {url:?}: {reason}")
            }
            RequestError::Invalid { path, reason } => write!(f, "{path}: {reason}"),
            RequestError::NoSuchChoice { choice } => {
                write!(f, "the message has no choice {choice}")
            }
        }
    }
}

impl std::error::Error for RequestError {}

/// Builds the HTTP request for `req` in `model`'s wire format.
///
/// `model` is the caller's resolution of `req.model` (its `id` must equal
/// it). Checks, in order: the key (a paid model without a key fails with
/// [`RequestError::MissingKey`] before anything else), the base URL, then
/// every field of the request. Never panics.
pub fn build(
    req: &UnifiedRequest,
    model: &ModelInfo,
    options: &BuildOptions,
) -> Result<HttpRequest, RequestError> {
    let key = check_key(options.api_key.as_deref(), model)?;
    let base = check_base_url(&options.base_url)?;
    validate::validate(req, model)?;

    let mut w = JsonWriter::new();
    match model.format {
        WireFormat::Chat => chat::body(&mut w, req, model),
        WireFormat::Responses => responses::body(&mut w, req, model),
        WireFormat::Messages => messages::body(&mut w, req, model)?,
        WireFormat::Gemini => gemini::body(&mut w, req, model),
    }
    let body = match &req.extra {
        // The builders write valid JSON, so the patch always applies.
        Some(extra) => merge::patch_body(&w.finish(), extra)
            .map_err(|e| RequestError::invalid("extra", format!("could not be merged: {e}")))?,
        None => w.finish(),
    };

    let mut url = base.to_owned();
    let (path, auth_header) = match model.format {
        WireFormat::Chat => ("/chat/completions", "authorization"),
        WireFormat::Responses => ("/responses", "authorization"),
        WireFormat::Messages => ("/messages", "x-api-key"),
        WireFormat::Gemini => {
            url.push_str("/models/");
            url.push_str(&req.model);
            let method = if req.stream {
                ":streamGenerateContent?alt=sse"
            } else {
                ":generateContent"
            };
            (method, "x-goog-api-key")
        }
    };
    url.push_str(path);

    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    let accept = if req.stream {
        "text/event-stream"
    } else {
        "application/json"
    };
    headers.push(("accept".to_owned(), accept.to_owned()));
    if let Some(key) = key {
        let value = if auth_header == "authorization" {
            format!("Bearer {key}")
        } else {
            key.to_owned()
        };
        headers.push((auth_header.to_owned(), value));
    }
    if model.format == WireFormat::Messages {
        headers.push(("anthropic-version".to_owned(), ANTHROPIC_VERSION.to_owned()));
    }

    Ok(HttpRequest {
        method: "POST".to_owned(),
        url,
        headers,
        body,
    })
}

/// The key to send, if any. Keys go into a header verbatim, so anything but
/// visible ASCII (CR/LF would inject headers; spaces would split a Bearer
/// token, which Zen reads as "the text after the first space") is refused.
fn check_key<'a>(key: Option<&'a str>, model: &ModelInfo) -> Result<Option<&'a str>, RequestError> {
    match key {
        None if model.free => Ok(None),
        None => Err(RequestError::MissingKey {
            model: model.id.clone(),
        }),
        Some("") => Err(RequestError::InvalidKey {
            reason: "empty".into(),
        }),
        Some(k) => match k.bytes().position(|b| !b.is_ascii_graphic()) {
            Some(pos) => Err(RequestError::InvalidKey {
                reason: format!(
                    "byte {pos} is not a visible ASCII character (control characters, spaces and non-ASCII are refused)"
                ),
            }),
            None => Ok(Some(k)),
        },
    }
}

/// The base URL without its trailing slashes, if it is an http(s) URL that
/// is safe to put on a request line.
fn check_base_url(url: &str) -> Result<&str, RequestError> {
    let bad = |reason: &str| RequestError::InvalidBaseUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let trimmed = url.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| bad("must start with https:// or http://"))?;
    if rest.is_empty() {
        return Err(bad("has no host"));
    }
    if !trimmed.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad("contains spaces, control or non-ASCII characters"));
    }
    if trimmed.contains(['?', '#']) {
        return Err(bad("must not have a query or fragment"));
    }
    Ok(trimmed)
}

/// Whether reasoning settings apply to this model: it reasons, or it is not
/// in the catalog (so the caller's request is trusted).
pub(crate) fn reasoning_applies(model: &ModelInfo) -> bool {
    model.capabilities.reasoning || model.unknown
}

/// Whether `temperature` / top-p are sent: only to models that accept
/// sampling settings (or are not in the catalog, so the caller's request is
/// trusted); reasoning models such as the GPT-5 family reject them.
pub(crate) fn sampling_applies(model: &ModelInfo) -> bool {
    model.capabilities.temperature || model.unknown
}

/// Whether [`put_sampling`] writes anything for this request.
pub(crate) fn has_sampling(req: &UnifiedRequest, model: &ModelInfo) -> bool {
    sampling_applies(model) && (req.temperature.is_some() || req.top_p.is_some())
}

/// Writes `temperature` and top-p (under `top_p_key`, which differs by
/// format) as members of the object being written, where they apply (see
/// [`sampling_applies`]). Validation already refused non-finite values.
pub(crate) fn put_sampling(
    w: &mut JsonWriter,
    req: &UnifiedRequest,
    model: &ModelInfo,
    top_p_key: &str,
) {
    if !sampling_applies(model) {
        return;
    }
    if let Some(t) = req.temperature {
        w.key("temperature");
        w.f64(t);
    }
    if let Some(p) = req.top_p {
        w.key(top_p_key);
        w.f64(p);
    }
}

/// Writes a tool definition's `name` and, when it has one, `description`
/// (the members every format's tool starts with).
pub(crate) fn put_tool_head(w: &mut JsonWriter, tool: &Tool) {
    w.field("name", &tool.name);
    if let Some(d) = &tool.description {
        w.field("description", d);
    }
}

/// The tool name of call `id` in the conversation (the last call with that
/// id, should there be several), for formats whose tool results carry a name
/// instead of an id (Gemini). A linear scan rather than a map: conversations
/// hold few calls, and a hash map instance costs ~3 KB of wasm.
pub(crate) fn call_name<'r>(req: &'r UnifiedRequest, id: &str) -> Option<&'r str> {
    req.messages.iter().rev().find_map(|m| match m {
        RequestMessage::Assistant { tool_calls, .. } => tool_calls
            .iter()
            .rev()
            .find(|c| c.id == id)
            .map(|c| c.name.as_str()),
        _ => None,
    })
}
