//! The unified request: one provider-neutral shape (serde, camelCase — the same
//! JSON the JS API takes) that [`super::build`] turns into any wire format.

use std::borrow::Cow;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::event::ReasoningBlock;

/// A provider-neutral chat request.
///
/// Minimal JSON form:
/// `{"model":"glm-4.6","messages":[{"role":"user","content":"Hi"}]}`.
/// Unknown top-level fields are rejected so that a typo such as `maxTokens`
/// fails loudly instead of being ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnifiedRequest {
    /// Zen model id, e.g. `claude-sonnet-4-5`.
    pub model: String,
    /// System prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The conversation, oldest first.
    pub messages: Vec<RequestMessage>,
    /// Tools the model may call.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Tool>,
    /// Whether and which tool the model must call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    /// Largest number of tokens to generate (reasoning included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u64>,
    /// Sampling temperature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Nucleus sampling mass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// Stop sequence(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<Stop>,
    /// Reasoning ("thinking") settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<ReasoningConfig>,
    /// Ask for a server-sent-event stream.
    #[serde(default)]
    pub stream: bool,
    /// Provider-specific body fields, merged into the built body last as a
    /// JSON Merge Patch (RFC 7396: objects merge recursively, `null` deletes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<Map<String, Value>>,
}

impl UnifiedRequest {
    /// Parses a unified request from JSON, with a typed error whose
    /// message names the JSON path (`messages[0].content: …`). Accepts the
    /// same documents as this type's `Deserialize` (see `parse.rs`) without
    /// serde's per-type code, which matters in the wasm package.
    pub fn from_json(text: &str) -> Result<Self, super::RequestError> {
        super::parse::read_request(text).map_err(|e| super::RequestError::Parse {
            message: e.to_string(),
        })
    }
}

/// One turn of the conversation, tagged by `role`.
///
/// Deserialized through `RawMessage` (one flat struct) rather than serde's
/// internally tagged enum support, which buffers every message into serde's
/// private `Content` tree and instantiates each variant's deserializer a
/// second time for it — tens of KB in the wasm package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "role",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    try_from = "RawMessage"
)]
pub enum RequestMessage {
    /// The user speaks.
    User {
        /// Text or parts.
        content: Content,
    },
    /// An earlier model turn.
    Assistant {
        /// Answer text (may be absent when the turn only called tools).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<Content>,
        /// Tool calls the model made.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<AssistantToolCall>,
        /// Reasoning text (sent back as `reasoning_content` to chat models
        /// that interleave reasoning).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reasoning: Option<String>,
        /// Signed / redacted reasoning blocks, replayed verbatim (Anthropic
        /// thinking blocks; the signature of a Gemini turn).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        reasoning_blocks: Vec<ReasoningBlock>,
    },
    /// The result of a tool call.
    Tool {
        /// Id of the call this answers (required; optional here so that a
        /// missing id is a typed validation error, not a parse error).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tool_call_id: Option<String>,
        /// Tool name; looked up from the call when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// The result.
        content: Content,
        /// The tool failed; `content` describes the error.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        is_error: bool,
    },
}

/// Every field any role of [`RequestMessage`] takes; `role` picks which
/// apply (the others are ignored, as for the tagged enum).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMessage {
    role: Role,
    #[serde(default)]
    content: Option<Content>,
    #[serde(default)]
    tool_calls: Vec<AssistantToolCall>,
    #[serde(default)]
    reasoning: Option<String>,
    #[serde(default)]
    reasoning_blocks: Vec<ReasoningBlock>,
    #[serde(default)]
    tool_call_id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    is_error: bool,
}

/// The `role` values of [`RequestMessage`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum Role {
    User,
    Assistant,
    Tool,
}

impl TryFrom<RawMessage> for RequestMessage {
    type Error = &'static str;

    fn try_from(raw: RawMessage) -> Result<Self, Self::Error> {
        const NO_CONTENT: &str = "missing field `content`";
        Ok(match raw.role {
            Role::User => RequestMessage::User {
                content: raw.content.ok_or(NO_CONTENT)?,
            },
            Role::Assistant => RequestMessage::Assistant {
                content: raw.content,
                tool_calls: raw.tool_calls,
                reasoning: raw.reasoning,
                reasoning_blocks: raw.reasoning_blocks,
            },
            Role::Tool => RequestMessage::Tool {
                tool_call_id: raw.tool_call_id,
                name: raw.name,
                content: raw.content.ok_or(NO_CONTENT)?,
                is_error: raw.is_error,
            },
        })
    }
}

/// Message content: a plain string or a list of parts.
///
/// Serialized untagged; deserialized by hand (a string or an array), which
/// avoids serde's buffering `untagged` machinery (see [`RequestMessage`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Content {
    /// Plain text.
    Text(String),
    /// Text and image parts.
    Parts(Vec<ContentPart>),
}

impl Content {
    /// Concatenated text of all text parts.
    pub fn joined_text(&self) -> String {
        match self {
            Content::Text(t) => t.clone(),
            Content::Parts(parts) => parts
                .iter()
                .filter_map(|p| match p {
                    ContentPart::Text { text } => Some(text.as_str()),
                    ContentPart::Image(_) => None,
                })
                .collect(),
        }
    }

    /// The content as a list of parts, borrowed where it already is one
    /// (the builders' view: no copy of every part and image).
    pub(crate) fn part_list(&self) -> Cow<'_, [ContentPart]> {
        match self {
            Content::Text(t) => Cow::Owned(vec![ContentPart::Text { text: t.clone() }]),
            Content::Parts(p) => Cow::Borrowed(p),
        }
    }

    /// The content as a list of parts (a string is one text part).
    pub fn parts(&self) -> Vec<ContentPart> {
        match self {
            Content::Text(t) => vec![ContentPart::Text { text: t.clone() }],
            Content::Parts(p) => p.clone(),
        }
    }
}

impl<'de> Deserialize<'de> for Content {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ContentVisitor;
        impl<'de> Visitor<'de> for ContentVisitor {
            type Value = Content;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or an array of content parts")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Content, E> {
                Ok(Content::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Content, E> {
                Ok(Content::Text(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Content, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Content::Parts)
            }
        }
        deserializer.deserialize_any(ContentVisitor)
    }
}

/// One content part, tagged by `type`.
///
/// Deserialized through `RawPart`, for the reason given on
/// [`RequestMessage`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", try_from = "RawPart")]
pub enum ContentPart {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// An image, by URL or inline base64.
    Image(ImagePart),
}

/// Every field of any [`ContentPart`]; `type` picks which apply.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPart {
    #[serde(rename = "type")]
    kind: PartKind,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    data: Option<String>,
}

/// The `type` values of [`ContentPart`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum PartKind {
    Text,
    Image,
}

impl TryFrom<RawPart> for ContentPart {
    type Error = &'static str;

    fn try_from(raw: RawPart) -> Result<Self, Self::Error> {
        Ok(match raw.kind {
            PartKind::Text => ContentPart::Text {
                text: raw.text.ok_or("missing field `text`")?,
            },
            PartKind::Image => ContentPart::Image(ImagePart {
                url: raw.url,
                media_type: raw.media_type,
                data: raw.data,
            }),
        })
    }
}

/// An image: either `url`, or `mediaType` + base64 `data`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImagePart {
    /// `https:` / `data:` URL of the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// MIME type, e.g. `image/png` (required with `data`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Base64-encoded bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// Where an image comes from, once validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageSource<'a> {
    /// A URL, with an optional declared media type.
    Url(&'a str, Option<&'a str>),
    /// Inline base64 data with its media type.
    Base64 {
        /// MIME type.
        media_type: &'a str,
        /// Base64 text.
        data: &'a str,
    },
}

impl ImagePart {
    /// The validated source (`None` when the part is malformed; validation
    /// reports that before any builder runs).
    pub(crate) fn source(&self) -> Option<ImageSource<'_>> {
        match (&self.url, &self.media_type, &self.data) {
            (Some(url), _, None) if url.starts_with("data:") => parse_data_url(url),
            (Some(url), mt, None) => Some(ImageSource::Url(url, mt.as_deref())),
            (None, Some(mt), Some(data)) => Some(ImageSource::Base64 {
                media_type: mt,
                data,
            }),
            _ => None,
        }
    }

    /// The image as a URL: itself, or a `data:` URL for inline data.
    pub(crate) fn as_url(&self) -> Option<String> {
        if let Some(url) = self.url.as_ref().filter(|_| self.data.is_none()) {
            return Some(url.clone());
        }
        match self.source()? {
            ImageSource::Url(url, _) => Some(url.to_owned()),
            ImageSource::Base64 { media_type, data } => {
                Some(format!("data:{media_type};base64,{data}"))
            }
        }
    }
}

/// Splits `data:<media type>;base64,<data>`; other data: URLs (percent-
/// encoded text) are not images any provider accepts, so they give `None`.
fn parse_data_url(url: &str) -> Option<ImageSource<'_>> {
    let rest = url.strip_prefix("data:")?;
    let (meta, data) = rest.split_once(',')?;
    let media_type = meta.strip_suffix(";base64")?;
    Some(ImageSource::Base64 { media_type, data })
}

/// A tool call in an earlier assistant turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssistantToolCall {
    /// Call id (tool results reference it).
    pub id: String,
    /// Tool name.
    pub name: String,
    /// Arguments, a JSON object.
    #[serde(default = "empty_object")]
    pub arguments: Value,
}

/// A tool definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tool {
    /// Name, `^[a-zA-Z0-9_-]{1,64}$`.
    pub name: String,
    /// What the tool does (the model reads this).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// JSON Schema of the arguments object; `{"type":"object"}` when absent.
    #[serde(default = "empty_object_schema")]
    pub parameters: Value,
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

fn empty_object_schema() -> Value {
    serde_json::json!({"type": "object", "properties": {}})
}

/// Whether the model must call a tool.
///
/// Serialized untagged; deserialized by hand (a mode string or an object),
/// for the reason given on [`Content`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ToolChoice {
    /// `"auto"`, `"none"` or `"required"`.
    Mode(ToolChoiceMode),
    /// `{"name": "…"}`: must call this tool.
    Named {
        /// The tool's name.
        name: String,
    },
}

impl<'de> Deserialize<'de> for ToolChoice {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// The object form.
        #[derive(Deserialize)]
        struct Named {
            name: String,
        }
        struct ChoiceVisitor;
        impl<'de> Visitor<'de> for ChoiceVisitor {
            type Value = ToolChoice;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("\"auto\", \"none\", \"required\" or {\"name\": …}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ToolChoice, E> {
                ToolChoiceMode::deserialize(de::value::StrDeserializer::new(v))
                    .map(ToolChoice::Mode)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ToolChoice, A::Error> {
                Named::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|n| ToolChoice::Named { name: n.name })
            }
        }
        deserializer.deserialize_any(ChoiceVisitor)
    }
}

/// The string forms of [`ToolChoice`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolChoiceMode {
    /// The model decides.
    Auto,
    /// No tool calls.
    None,
    /// At least one tool call.
    Required,
}

/// Stop sequence(s): one string or several.
///
/// Serialized untagged; deserialized by hand, for the reason given on
/// [`Content`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Stop {
    /// One sequence.
    One(String),
    /// Several sequences.
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for Stop {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StopVisitor;
        impl<'de> Visitor<'de> for StopVisitor {
            type Value = Stop;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Stop, E> {
                Ok(Stop::One(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Stop, E> {
                Ok(Stop::One(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Stop, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Stop::Many)
            }
        }
        deserializer.deserialize_any(StopVisitor)
    }
}

impl Stop {
    /// The sequences as a list.
    pub fn as_slice(&self) -> &[String] {
        match self {
            Stop::One(s) => std::slice::from_ref(s),
            Stop::Many(v) => v,
        }
    }
}

/// Reasoning settings: an `effort` level or an explicit `budgetTokens`
/// (exactly one of them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReasoningConfig {
    /// Effort level (mapped to a token budget for Messages and Gemini).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<ReasoningEffort>,
    /// Token budget (mapped to an effort level for Chat and Responses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_tokens: Option<u64>,
}

/// Reasoning effort levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReasoningEffort {
    /// As little as the model allows (not every model accepts it).
    Minimal,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
}

impl ReasoningEffort {
    /// The wire name (`"low"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ReasoningEffort::Minimal => "minimal",
            ReasoningEffort::Low => "low",
            ReasoningEffort::Medium => "medium",
            ReasoningEffort::High => "high",
        }
    }

    /// The token budget an effort stands for on formats that take budgets
    /// (Messages, Gemini). Anthropic's minimum budget is 1024.
    pub fn budget_tokens(self) -> u64 {
        match self {
            ReasoningEffort::Minimal => 1024,
            ReasoningEffort::Low => 4096,
            ReasoningEffort::Medium => 16384,
            ReasoningEffort::High => 32768,
        }
    }

    /// The effort a token budget stands for on formats that take efforts
    /// (Chat, Responses): below 4096 → low, below 16384 → medium, else high.
    /// Never `minimal`, which not every model accepts.
    pub fn from_budget(budget: u64) -> Self {
        if budget < 4096 {
            ReasoningEffort::Low
        } else if budget < 16384 {
            ReasoningEffort::Medium
        } else {
            ReasoningEffort::High
        }
    }
}

/// What the request asks for, resolved to the form a given format needs.
impl ReasoningConfig {
    /// The effort level, derived from the budget if only a budget was given.
    pub fn effort_level(&self) -> Option<ReasoningEffort> {
        self.effort
            .or_else(|| self.budget_tokens.map(ReasoningEffort::from_budget))
    }
}
