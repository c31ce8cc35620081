//! Reading a [`UnifiedRequest`] from JSON text with the pull reader, for
//! the wasm package (which would otherwise carry ~44 KB of serde
//! deserializers for it) and [`UnifiedRequest::from_json`].
//!
//! It accepts exactly the documents the serde derives in `types.rs` accept
//! and builds the same values (tests/request_parse.rs checks both on the
//! fixtures and on generated requests); only the error text differs, and
//! names the JSON path. Two deliberate differences, both at the edges:
//! a `\u` escape naming a lone surrogate reads as U+FFFD (the pull
//! reader's rule, matching `JSON.parse`) where serde refuses the document,
//! and an enum written in serde's map form (`"role": {"user": null}`) is
//! refused.

use serde_json::{Map, Value};

use super::types::{
    AssistantToolCall, Content, ContentPart, ImagePart, ReasoningConfig, ReasoningEffort,
    RequestMessage, Stop, Tool, ToolChoice, ToolChoiceMode, UnifiedRequest,
};
use crate::event::ReasoningBlock;
use crate::json::Kind;
use crate::json_input::{read_document, Input, InputError, Path};

/// The top-level fields; any other key is refused (as serde's
/// `deny_unknown_fields`), so a typo such as `maxTokens` fails loudly.
const REQUEST_FIELDS: &[&str] = &[
    "model",
    "system",
    "messages",
    "tools",
    "toolChoice",
    "maxOutputTokens",
    "temperature",
    "topP",
    "stop",
    "reasoning",
    "stream",
    "extra",
];

/// A unified request from JSON text.
pub(crate) fn read_request(text: &str) -> Result<UnifiedRequest, InputError> {
    read_document(text, request)
}

/// The members of a request as read; a slot is `Some` once its key was seen
/// (so `Some(None)` is an explicit `null`).
#[derive(Default)]
struct RawRequest {
    model: Option<String>,
    system: Option<Option<String>>,
    messages: Option<Vec<RequestMessage>>,
    tools: Option<Vec<Tool>>,
    tool_choice: Option<Option<ToolChoice>>,
    max_output_tokens: Option<Option<u64>>,
    temperature: Option<Option<f64>>,
    top_p: Option<Option<f64>>,
    stop: Option<Option<Stop>>,
    reasoning: Option<Option<ReasoningConfig>>,
    stream: Option<bool>,
    extra: Option<Option<Map<String, Value>>>,
}

fn request(p: &mut Input<'_>, at: &Path) -> Result<UnifiedRequest, InputError> {
    let raw = p.fields(at, |p, at, key, raw: &mut RawRequest| match key {
        "model" => p.set(at, &mut raw.model, Input::string),
        "system" => p.set(at, &mut raw.system, Input::opt_string),
        "messages" => p.set(at, &mut raw.messages, |p, at| p.list(at, message)),
        "tools" => p.set(at, &mut raw.tools, |p, at| p.list(at, tool)),
        "toolChoice" => p.set(at, &mut raw.tool_choice, |p, at| p.nullable(at, choice)),
        "maxOutputTokens" => p.set(at, &mut raw.max_output_tokens, Input::opt_u64),
        "temperature" => p.set(at, &mut raw.temperature, Input::opt_f64),
        "topP" => p.set(at, &mut raw.top_p, Input::opt_f64),
        "stop" => p.set(at, &mut raw.stop, |p, at| p.nullable(at, stop_sequences)),
        "reasoning" => p.set(at, &mut raw.reasoning, |p, at| {
            p.nullable(at, reasoning_config)
        }),
        "stream" => p.set(at, &mut raw.stream, Input::bool),
        "extra" => p.set(at, &mut raw.extra, |p, at| p.nullable(at, object_value)),
        _ => Err(at.unknown_field(REQUEST_FIELDS)),
    })?;
    Ok(UnifiedRequest {
        model: at.required(raw.model, "model")?,
        system: raw.system.flatten(),
        messages: at.required(raw.messages, "messages")?,
        tools: raw.tools.unwrap_or_default(),
        tool_choice: raw.tool_choice.flatten(),
        max_output_tokens: raw.max_output_tokens.flatten(),
        temperature: raw.temperature.flatten(),
        top_p: raw.top_p.flatten(),
        stop: raw.stop.flatten(),
        reasoning: raw.reasoning.flatten(),
        stream: raw.stream.unwrap_or(false),
        extra: raw.extra.flatten(),
    })
}

/// The `role` values of a message.
const ROLES: &[&str] = &["user", "assistant", "tool"];

/// Who speaks in a message.
enum Role {
    User,
    Assistant,
    Tool,
}

fn role(p: &mut Input<'_>, at: &Path) -> Result<Role, InputError> {
    match p.str(at)?.as_ref() {
        "user" => Ok(Role::User),
        "assistant" => Ok(Role::Assistant),
        "tool" => Ok(Role::Tool),
        other => Err(at.not_one_of(other, ROLES)),
    }
}

/// Every field any role of a message takes.
#[derive(Default)]
struct RawMessage {
    role: Option<Role>,
    content: Option<Option<Content>>,
    tool_calls: Option<Vec<AssistantToolCall>>,
    reasoning: Option<Option<String>>,
    reasoning_blocks: Option<Vec<ReasoningBlock>>,
    tool_call_id: Option<Option<String>>,
    name: Option<Option<String>>,
    is_error: Option<bool>,
}

/// One message: every field any role takes is read (and type-checked)
/// whatever the role, then `role` picks the ones that apply; other keys are
/// ignored — the serde reading through `RawMessage` does the same.
fn message(p: &mut Input<'_>, at: &Path) -> Result<RequestMessage, InputError> {
    let raw = p.fields(at, |p, at, key, raw: &mut RawMessage| match key {
        "role" => p.set(at, &mut raw.role, role),
        "content" => p.set(at, &mut raw.content, |p, at| {
            p.nullable(at, message_content)
        }),
        "toolCalls" => p.set(at, &mut raw.tool_calls, |p, at| p.list(at, tool_call)),
        "reasoning" => p.set(at, &mut raw.reasoning, Input::opt_string),
        "reasoningBlocks" => p.set(at, &mut raw.reasoning_blocks, |p, at| {
            p.list(at, reasoning_block)
        }),
        "toolCallId" => p.set(at, &mut raw.tool_call_id, Input::opt_string),
        "name" => p.set(at, &mut raw.name, Input::opt_string),
        "isError" => p.set(at, &mut raw.is_error, Input::bool),
        _ => p.skip(at),
    })?;
    let content = raw.content.flatten();
    Ok(match at.required(raw.role, "role")? {
        Role::User => RequestMessage::User {
            content: at.required(content, "content")?,
        },
        Role::Assistant => RequestMessage::Assistant {
            content,
            tool_calls: raw.tool_calls.unwrap_or_default(),
            reasoning: raw.reasoning.flatten(),
            reasoning_blocks: raw.reasoning_blocks.unwrap_or_default(),
        },
        Role::Tool => RequestMessage::Tool {
            tool_call_id: raw.tool_call_id.flatten(),
            name: raw.name.flatten(),
            content: at.required(content, "content")?,
            is_error: raw.is_error.unwrap_or(false),
        },
    })
}

/// Message content: a string or an array of parts.
fn message_content(p: &mut Input<'_>, at: &Path) -> Result<Content, InputError> {
    match p.kind(at)? {
        Kind::String => p.string(at).map(Content::Text),
        Kind::Array => p.list(at, content_part).map(Content::Parts),
        _ => Err(p.wrong_type(at, "a string or an array of content parts")),
    }
}

/// The `type` values of a content part.
const PART_TYPES: &[&str] = &["text", "image"];

/// Every field of any content part.
#[derive(Default)]
struct RawPart {
    /// `type`: true for an image.
    image: Option<bool>,
    text: Option<Option<String>>,
    url: Option<Option<String>>,
    media_type: Option<Option<String>>,
    data: Option<Option<String>>,
}

/// One content part; like a message, all fields are read, `type` picks.
fn content_part(p: &mut Input<'_>, at: &Path) -> Result<ContentPart, InputError> {
    let raw = p.fields(at, |p, at, key, raw: &mut RawPart| match key {
        "type" => p.set(at, &mut raw.image, |p, at| match p.str(at)?.as_ref() {
            "text" => Ok(false),
            "image" => Ok(true),
            other => Err(at.not_one_of(other, PART_TYPES)),
        }),
        "text" => p.set(at, &mut raw.text, Input::opt_string),
        "url" => p.set(at, &mut raw.url, Input::opt_string),
        "mediaType" => p.set(at, &mut raw.media_type, Input::opt_string),
        "data" => p.set(at, &mut raw.data, Input::opt_string),
        _ => p.skip(at),
    })?;
    Ok(if at.required(raw.image, "type")? {
        ContentPart::Image(ImagePart {
            url: raw.url.flatten(),
            media_type: raw.media_type.flatten(),
            data: raw.data.flatten(),
        })
    } else {
        ContentPart::Text {
            text: at.required(raw.text.flatten(), "text")?,
        }
    })
}

/// The fields of a tool call.
#[derive(Default)]
struct RawToolCall {
    id: Option<String>,
    name: Option<String>,
    arguments: Option<Value>,
}

/// A tool call of an earlier assistant turn; other keys are ignored.
fn tool_call(p: &mut Input<'_>, at: &Path) -> Result<AssistantToolCall, InputError> {
    let raw = p.fields(at, |p, at, key, raw: &mut RawToolCall| match key {
        "id" => p.set(at, &mut raw.id, Input::string),
        "name" => p.set(at, &mut raw.name, Input::string),
        "arguments" => p.set(at, &mut raw.arguments, Input::value),
        _ => p.skip(at),
    })?;
    Ok(AssistantToolCall {
        id: at.required(raw.id, "id")?,
        name: at.required(raw.name, "name")?,
        // Absent → `{}`; an explicit `null` stays `null` (serde's
        // `default` applies only to a missing field).
        arguments: raw.arguments.unwrap_or_else(|| Value::Object(Map::new())),
    })
}

/// The `type` values of a reasoning block.
const BLOCK_TYPES: &[&str] = &["thinking", "redacted"];

/// Every field of any reasoning block.
#[derive(Default)]
struct RawBlock {
    /// `type`: true for a redacted block.
    redacted: Option<bool>,
    text: Option<Option<String>>,
    signature: Option<Option<String>>,
    data: Option<Option<String>>,
}

/// A reasoning block to replay; all fields read, `type` picks.
fn reasoning_block(p: &mut Input<'_>, at: &Path) -> Result<ReasoningBlock, InputError> {
    let raw = p.fields(at, |p, at, key, raw: &mut RawBlock| match key {
        "type" => p.set(at, &mut raw.redacted, |p, at| match p.str(at)?.as_ref() {
            "thinking" => Ok(false),
            "redacted" => Ok(true),
            other => Err(at.not_one_of(other, BLOCK_TYPES)),
        }),
        "text" => p.set(at, &mut raw.text, Input::opt_string),
        "signature" => p.set(at, &mut raw.signature, Input::opt_string),
        "data" => p.set(at, &mut raw.data, Input::opt_string),
        _ => p.skip(at),
    })?;
    Ok(if at.required(raw.redacted, "type")? {
        ReasoningBlock::Redacted {
            data: at.required(raw.data.flatten(), "data")?,
        }
    } else {
        ReasoningBlock::Thinking {
            text: at.required(raw.text.flatten(), "text")?,
            signature: raw.signature.flatten(),
        }
    })
}

/// The fields of a tool definition (others are refused).
const TOOL_FIELDS: &[&str] = &["name", "description", "parameters"];

/// The fields of a tool definition as read.
#[derive(Default)]
struct RawTool {
    name: Option<String>,
    description: Option<Option<String>>,
    parameters: Option<Value>,
}

/// A tool definition.
fn tool(p: &mut Input<'_>, at: &Path) -> Result<Tool, InputError> {
    let raw = p.fields(at, |p, at, key, raw: &mut RawTool| match key {
        "name" => p.set(at, &mut raw.name, Input::string),
        "description" => p.set(at, &mut raw.description, Input::opt_string),
        "parameters" => p.set(at, &mut raw.parameters, Input::value),
        _ => Err(at.unknown_field(TOOL_FIELDS)),
    })?;
    Ok(Tool {
        name: at.required(raw.name, "name")?,
        description: raw.description.flatten(),
        // Absent → an empty object schema; an explicit `null` stays `null`
        // (validation reports it), as with serde's `default`.
        parameters: raw.parameters.unwrap_or_else(|| {
            let mut schema = Map::new();
            schema.insert("type".to_owned(), Value::String("object".to_owned()));
            schema.insert("properties".to_owned(), Value::Object(Map::new()));
            Value::Object(schema)
        }),
    })
}

/// The string forms of a tool choice.
const CHOICE_MODES: &[&str] = &["auto", "none", "required"];

/// `"auto"` / `"none"` / `"required"`, or `{"name": …}` (other keys of the
/// object are ignored).
fn choice(p: &mut Input<'_>, at: &Path) -> Result<ToolChoice, InputError> {
    match p.kind(at)? {
        Kind::String => Ok(ToolChoice::Mode(match p.str(at)?.as_ref() {
            "auto" => ToolChoiceMode::Auto,
            "none" => ToolChoiceMode::None,
            "required" => ToolChoiceMode::Required,
            other => return Err(at.not_one_of(other, CHOICE_MODES)),
        })),
        Kind::Object => {
            let name = p.fields(at, |p, at, key, name: &mut Option<String>| match key {
                "name" => p.set(at, name, Input::string),
                _ => p.skip(at),
            })?;
            Ok(ToolChoice::Named {
                name: at.required(name, "name")?,
            })
        }
        _ => Err(p.wrong_type(at, "\"auto\", \"none\", \"required\" or {\"name\": …}")),
    }
}

/// One stop sequence or an array of them.
fn stop_sequences(p: &mut Input<'_>, at: &Path) -> Result<Stop, InputError> {
    match p.kind(at)? {
        Kind::String => p.string(at).map(Stop::One),
        Kind::Array => p.list(at, Input::string).map(Stop::Many),
        _ => Err(p.wrong_type(at, "a string or an array of strings")),
    }
}

/// The fields of the reasoning settings (others are refused).
const REASONING_FIELDS: &[&str] = &["effort", "budgetTokens"];

/// The effort levels.
const EFFORTS: &[&str] = &["minimal", "low", "medium", "high"];

fn effort(p: &mut Input<'_>, at: &Path) -> Result<ReasoningEffort, InputError> {
    match p.str(at)?.as_ref() {
        "minimal" => Ok(ReasoningEffort::Minimal),
        "low" => Ok(ReasoningEffort::Low),
        "medium" => Ok(ReasoningEffort::Medium),
        "high" => Ok(ReasoningEffort::High),
        other => Err(at.not_one_of(other, EFFORTS)),
    }
}

/// Reasoning settings.
fn reasoning_config(p: &mut Input<'_>, at: &Path) -> Result<ReasoningConfig, InputError> {
    type Raw = (Option<Option<ReasoningEffort>>, Option<Option<u64>>);
    let (effort_level, budget) = p.fields(at, |p, at, key, raw: &mut Raw| match key {
        "effort" => p.set(at, &mut raw.0, |p, at| p.nullable(at, effort)),
        "budgetTokens" => p.set(at, &mut raw.1, Input::opt_u64),
        _ => Err(at.unknown_field(REASONING_FIELDS)),
    })?;
    Ok(ReasoningConfig {
        effort: effort_level.flatten(),
        budget_tokens: budget.flatten(),
    })
}

/// A JSON object kept as a map (`extra`).
fn object_value(p: &mut Input<'_>, at: &Path) -> Result<Map<String, Value>, InputError> {
    if p.kind(at)? != Kind::Object {
        return Err(p.wrong_type(at, "an object"));
    }
    match p.value(at)? {
        Value::Object(map) => Ok(map),
        _ => Err(at.error("expected an object")),
    }
}
