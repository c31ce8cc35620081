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
use crate::json_input::{read_document, Input, InputError, Others, Path};

/// The top-level fields, in the order of [`request`]'s reads; any other
/// key is refused (as serde's `deny_unknown_fields`), so a typo such as
/// `maxTokens` fails loudly.
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

/// A request read straight into its final value (no slot struct to move
/// it out of), with whether `model` and `messages`, which are required,
/// were there. The walk refuses a repeated key, so each field is written
/// at most once; an optional one keeps `None` for an explicit `null`.
#[derive(Default)]
struct ReadRequest {
    req: UnifiedRequest,
    has_model: bool,
    has_messages: bool,
}

fn request(p: &mut Input<'_>, at: &Path) -> Result<UnifiedRequest, InputError> {
    let read = p.fields(
        at,
        REQUEST_FIELDS,
        Others::Refuse,
        |p, at, i, read: &mut ReadRequest| {
            let req = &mut read.req;
            match i {
                0 => {
                    req.model = p.string(at)?;
                    read.has_model = true;
                }
                1 => req.system = p.opt_string(at)?,
                2 => {
                    req.messages = p.list(at, message)?;
                    read.has_messages = true;
                }
                3 => req.tools = p.list(at, tool)?,
                4 => req.tool_choice = p.nullable(at, choice)?,
                5 => req.max_output_tokens = p.opt_u64(at)?,
                6 => req.temperature = p.opt_f64(at)?,
                7 => req.top_p = p.opt_f64(at)?,
                8 => req.stop = p.nullable(at, stop_sequences)?,
                9 => req.reasoning = p.nullable(at, reasoning_config)?,
                10 => req.stream = p.bool(at)?,
                _ => req.extra = p.nullable(at, object_value)?,
            }
            Ok(())
        },
    )?;
    if !read.has_model {
        return Err(at.missing("model"));
    }
    if !read.has_messages {
        return Err(at.missing("messages"));
    }
    Ok(read.req)
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
    Ok(match p.one_of(at, ROLES)? {
        0 => Role::User,
        1 => Role::Assistant,
        _ => Role::Tool,
    })
}

/// Every field any role of a message takes, in [`RawMessage`]'s order;
/// other keys are ignored.
const MESSAGE_FIELDS: &[&str] = &[
    "role",
    "content",
    "toolCalls",
    "reasoning",
    "reasoningBlocks",
    "toolCallId",
    "name",
    "isError",
];

/// Every field any role of a message takes, as read.
#[derive(Default)]
struct RawMessage {
    role: Option<Role>,
    content: Option<Content>,
    tool_calls: Vec<AssistantToolCall>,
    reasoning: Option<String>,
    reasoning_blocks: Vec<ReasoningBlock>,
    tool_call_id: Option<String>,
    name: Option<String>,
    is_error: bool,
}

/// One message: every field any role takes is read (and type-checked)
/// whatever the role, then `role` picks the ones that apply; other keys are
/// ignored — the serde reading through `RawMessage` does the same.
fn message(p: &mut Input<'_>, at: &Path) -> Result<RequestMessage, InputError> {
    let raw = p.fields(
        at,
        MESSAGE_FIELDS,
        Others::Skip,
        |p, at, i, raw: &mut RawMessage| {
            match i {
                0 => raw.role = Some(role(p, at)?),
                1 => raw.content = p.nullable(at, message_content)?,
                2 => raw.tool_calls = p.list(at, tool_call)?,
                3 => raw.reasoning = p.opt_string(at)?,
                4 => raw.reasoning_blocks = p.list(at, reasoning_block)?,
                5 => raw.tool_call_id = p.opt_string(at)?,
                6 => raw.name = p.opt_string(at)?,
                _ => raw.is_error = p.bool(at)?,
            }
            Ok(())
        },
    )?;
    Ok(match at.required(raw.role, "role")? {
        Role::User => RequestMessage::User {
            content: at.required(raw.content, "content")?,
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
            content: at.required(raw.content, "content")?,
            is_error: raw.is_error,
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

/// Every field of any content part, in [`RawPart`]'s order; other keys are
/// ignored.
const PART_FIELDS: &[&str] = &["type", "text", "url", "mediaType", "data"];

/// Every field of any content part, as read.
#[derive(Default)]
struct RawPart {
    /// `type`: true for an image.
    image: Option<bool>,
    text: Option<String>,
    url: Option<String>,
    media_type: Option<String>,
    data: Option<String>,
}

/// One content part; like a message, all fields are read, `type` picks.
fn content_part(p: &mut Input<'_>, at: &Path) -> Result<ContentPart, InputError> {
    let raw = p.fields(
        at,
        PART_FIELDS,
        Others::Skip,
        |p, at, i, raw: &mut RawPart| {
            match i {
                0 => raw.image = Some(p.one_of(at, PART_TYPES)? == 1),
                1 => raw.text = p.opt_string(at)?,
                2 => raw.url = p.opt_string(at)?,
                3 => raw.media_type = p.opt_string(at)?,
                _ => raw.data = p.opt_string(at)?,
            }
            Ok(())
        },
    )?;
    Ok(if at.required(raw.image, "type")? {
        ContentPart::Image(ImagePart {
            url: raw.url,
            media_type: raw.media_type,
            data: raw.data,
        })
    } else {
        ContentPart::Text {
            text: at.required(raw.text, "text")?,
        }
    })
}

/// The fields of a tool call, in [`RawToolCall`]'s order; other keys are
/// ignored.
const CALL_FIELDS: &[&str] = &["id", "name", "arguments"];

/// The fields of a tool call as read.
#[derive(Default)]
struct RawToolCall {
    id: Option<String>,
    name: Option<String>,
    arguments: Option<Value>,
}

/// A tool call of an earlier assistant turn; other keys are ignored.
fn tool_call(p: &mut Input<'_>, at: &Path) -> Result<AssistantToolCall, InputError> {
    let raw = p.fields(
        at,
        CALL_FIELDS,
        Others::Skip,
        |p, at, i, raw: &mut RawToolCall| {
            match i {
                0 => raw.id = Some(p.string(at)?),
                1 => raw.name = Some(p.string(at)?),
                _ => raw.arguments = Some(p.value(at)?),
            }
            Ok(())
        },
    )?;
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

/// Every field of any reasoning block, in [`RawBlock`]'s order; other keys
/// are ignored.
const BLOCK_FIELDS: &[&str] = &["type", "text", "signature", "data"];

/// Every field of any reasoning block, as read.
#[derive(Default)]
struct RawBlock {
    /// `type`: true for a redacted block.
    redacted: Option<bool>,
    text: Option<String>,
    signature: Option<String>,
    data: Option<String>,
}

/// A reasoning block to replay; all fields read, `type` picks.
fn reasoning_block(p: &mut Input<'_>, at: &Path) -> Result<ReasoningBlock, InputError> {
    let raw = p.fields(
        at,
        BLOCK_FIELDS,
        Others::Skip,
        |p, at, i, raw: &mut RawBlock| {
            match i {
                0 => raw.redacted = Some(p.one_of(at, BLOCK_TYPES)? == 1),
                1 => raw.text = p.opt_string(at)?,
                2 => raw.signature = p.opt_string(at)?,
                _ => raw.data = p.opt_string(at)?,
            }
            Ok(())
        },
    )?;
    Ok(if at.required(raw.redacted, "type")? {
        ReasoningBlock::Redacted {
            data: at.required(raw.data, "data")?,
        }
    } else {
        ReasoningBlock::Thinking {
            text: at.required(raw.text, "text")?,
            signature: raw.signature,
        }
    })
}

/// The fields of a tool definition, in [`RawTool`]'s order (others are
/// refused).
const TOOL_FIELDS: &[&str] = &["name", "description", "parameters"];

/// The fields of a tool definition as read.
#[derive(Default)]
struct RawTool {
    name: Option<String>,
    description: Option<String>,
    parameters: Option<Value>,
}

/// A tool definition.
fn tool(p: &mut Input<'_>, at: &Path) -> Result<Tool, InputError> {
    let raw = p.fields(
        at,
        TOOL_FIELDS,
        Others::Refuse,
        |p, at, i, raw: &mut RawTool| {
            match i {
                0 => raw.name = Some(p.string(at)?),
                1 => raw.description = p.opt_string(at)?,
                _ => raw.parameters = Some(p.value(at)?),
            }
            Ok(())
        },
    )?;
    Ok(Tool {
        name: at.required(raw.name, "name")?,
        description: raw.description,
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

/// The fields of a named tool choice (other keys are ignored).
const CHOICE_FIELDS: &[&str] = &["name"];

/// `"auto"` / `"none"` / `"required"`, or `{"name": …}` (other keys of the
/// object are ignored).
fn choice(p: &mut Input<'_>, at: &Path) -> Result<ToolChoice, InputError> {
    match p.kind(at)? {
        Kind::String => Ok(ToolChoice::Mode(match p.one_of(at, CHOICE_MODES)? {
            0 => ToolChoiceMode::Auto,
            1 => ToolChoiceMode::None,
            _ => ToolChoiceMode::Required,
        })),
        Kind::Object => {
            let name = p.fields(
                at,
                CHOICE_FIELDS,
                Others::Skip,
                |p, at, _, name: &mut Option<String>| {
                    *name = Some(p.string(at)?);
                    Ok(())
                },
            )?;
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
    Ok(match p.one_of(at, EFFORTS)? {
        0 => ReasoningEffort::Minimal,
        1 => ReasoningEffort::Low,
        2 => ReasoningEffort::Medium,
        _ => ReasoningEffort::High,
    })
}

/// Reasoning settings.
fn reasoning_config(p: &mut Input<'_>, at: &Path) -> Result<ReasoningConfig, InputError> {
    let raw = p.fields(
        at,
        REASONING_FIELDS,
        Others::Refuse,
        |p, at, i, raw: &mut ReasoningConfig| {
            match i {
                0 => raw.effort = p.nullable(at, effort)?,
                _ => raw.budget_tokens = p.opt_u64(at)?,
            }
            Ok(())
        },
    )?;
    Ok(raw)
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
