//! Reading a [`UnifiedRequest`] from JSON text with the pull reader, for
//! the wasm package (which would otherwise carry ~44 KB of serde
//! deserializers for it) and [`UnifiedRequest::from_json`].
//!
//! It accepts exactly the documents the serde derives in `types.rs` accept
//! and builds the same values (tests/input_parse.rs checks both on the
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

/// The top-level fields; any other key is refused (as serde's
/// `deny_unknown_fields`), so a typo such as `maxTokens` fails loudly.
#[derive(Clone, Copy)]
enum RequestField {
    Model,
    System,
    Messages,
    Tools,
    ToolChoice,
    MaxOutputTokens,
    Temperature,
    TopP,
    Stop,
    Reasoning,
    Stream,
    Extra,
}

impl RequestField {
    const NAMES: &[(&str, Self)] = &[
        ("model", Self::Model),
        ("system", Self::System),
        ("messages", Self::Messages),
        ("tools", Self::Tools),
        ("toolChoice", Self::ToolChoice),
        ("maxOutputTokens", Self::MaxOutputTokens),
        ("temperature", Self::Temperature),
        ("topP", Self::TopP),
        ("stop", Self::Stop),
        ("reasoning", Self::Reasoning),
        ("stream", Self::Stream),
        ("extra", Self::Extra),
    ];
}

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
        RequestField::NAMES,
        Others::Refuse,
        |p, at, field, read: &mut ReadRequest| {
            let req = &mut read.req;
            match field {
                RequestField::Model => {
                    req.model = p.string(at)?;
                    read.has_model = true;
                }
                RequestField::System => req.system = p.opt_string(at)?,
                RequestField::Messages => {
                    req.messages = p.list(at, message)?;
                    read.has_messages = true;
                }
                RequestField::Tools => req.tools = p.list(at, tool)?,
                RequestField::ToolChoice => req.tool_choice = p.nullable(at, choice)?,
                RequestField::MaxOutputTokens => req.max_output_tokens = p.opt_u64(at)?,
                RequestField::Temperature => req.temperature = p.opt_f64(at)?,
                RequestField::TopP => req.top_p = p.opt_f64(at)?,
                RequestField::Stop => req.stop = p.nullable(at, stop_sequences)?,
                RequestField::Reasoning => req.reasoning = p.nullable(at, reasoning_config)?,
                RequestField::Stream => req.stream = p.bool(at)?,
                RequestField::Extra => req.extra = p.nullable(at, object_value)?,
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

/// Who speaks in a message.
#[derive(Clone, Copy)]
enum Role {
    User,
    Assistant,
    Tool,
}

impl Role {
    /// The `role` values of a message.
    const NAMES: &[(&str, Self)] = &[
        ("user", Self::User),
        ("assistant", Self::Assistant),
        ("tool", Self::Tool),
    ];
}

/// Every field any role of a message takes; other keys are ignored.
#[derive(Clone, Copy)]
enum MessageField {
    Role,
    Content,
    ToolCalls,
    Reasoning,
    ReasoningBlocks,
    ToolCallId,
    Name,
    IsError,
}

impl MessageField {
    const NAMES: &[(&str, Self)] = &[
        ("role", Self::Role),
        ("content", Self::Content),
        ("toolCalls", Self::ToolCalls),
        ("reasoning", Self::Reasoning),
        ("reasoningBlocks", Self::ReasoningBlocks),
        ("toolCallId", Self::ToolCallId),
        ("name", Self::Name),
        ("isError", Self::IsError),
    ];
}

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
        MessageField::NAMES,
        Others::Skip,
        |p, at, field, raw: &mut RawMessage| {
            match field {
                MessageField::Role => raw.role = Some(p.one_of(at, Role::NAMES)?),
                MessageField::Content => raw.content = p.nullable(at, message_content)?,
                MessageField::ToolCalls => raw.tool_calls = p.list(at, tool_call)?,
                MessageField::Reasoning => raw.reasoning = p.opt_string(at)?,
                MessageField::ReasoningBlocks => {
                    raw.reasoning_blocks = p.list(at, reasoning_block)?
                }
                MessageField::ToolCallId => raw.tool_call_id = p.opt_string(at)?,
                MessageField::Name => raw.name = p.opt_string(at)?,
                MessageField::IsError => raw.is_error = p.bool(at)?,
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
#[derive(Clone, Copy)]
enum PartType {
    Text,
    Image,
}

impl PartType {
    const NAMES: &[(&str, Self)] = &[("text", Self::Text), ("image", Self::Image)];
}

/// Every field of any content part; other keys are ignored.
#[derive(Clone, Copy)]
enum PartField {
    Type,
    Text,
    Url,
    MediaType,
    Data,
}

impl PartField {
    const NAMES: &[(&str, Self)] = &[
        ("type", Self::Type),
        ("text", Self::Text),
        ("url", Self::Url),
        ("mediaType", Self::MediaType),
        ("data", Self::Data),
    ];
}

/// Every field of any content part, as read.
#[derive(Default)]
struct RawPart {
    kind: Option<PartType>,
    text: Option<String>,
    url: Option<String>,
    media_type: Option<String>,
    data: Option<String>,
}

/// One content part; like a message, all fields are read, `type` picks.
fn content_part(p: &mut Input<'_>, at: &Path) -> Result<ContentPart, InputError> {
    let raw = p.fields(
        at,
        PartField::NAMES,
        Others::Skip,
        |p, at, field, raw: &mut RawPart| {
            match field {
                PartField::Type => raw.kind = Some(p.one_of(at, PartType::NAMES)?),
                PartField::Text => raw.text = p.opt_string(at)?,
                PartField::Url => raw.url = p.opt_string(at)?,
                PartField::MediaType => raw.media_type = p.opt_string(at)?,
                PartField::Data => raw.data = p.opt_string(at)?,
            }
            Ok(())
        },
    )?;
    Ok(match at.required(raw.kind, "type")? {
        PartType::Image => ContentPart::Image(ImagePart {
            url: raw.url,
            media_type: raw.media_type,
            data: raw.data,
        }),
        PartType::Text => ContentPart::Text {
            text: at.required(raw.text, "text")?,
        },
    })
}

/// The fields of a tool call; other keys are ignored.
#[derive(Clone, Copy)]
enum CallField {
    Id,
    Name,
    Arguments,
}

impl CallField {
    const NAMES: &[(&str, Self)] = &[
        ("id", Self::Id),
        ("name", Self::Name),
        ("arguments", Self::Arguments),
    ];
}

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
        CallField::NAMES,
        Others::Skip,
        |p, at, field, raw: &mut RawToolCall| {
            match field {
                CallField::Id => raw.id = Some(p.string(at)?),
                CallField::Name => raw.name = Some(p.string(at)?),
                CallField::Arguments => raw.arguments = Some(p.value(at)?),
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
#[derive(Clone, Copy)]
enum BlockType {
    Thinking,
    Redacted,
}

impl BlockType {
    const NAMES: &[(&str, Self)] = &[("thinking", Self::Thinking), ("redacted", Self::Redacted)];
}

/// Every field of any reasoning block; other keys are ignored.
#[derive(Clone, Copy)]
enum BlockField {
    Type,
    Text,
    Signature,
    Data,
}

impl BlockField {
    const NAMES: &[(&str, Self)] = &[
        ("type", Self::Type),
        ("text", Self::Text),
        ("signature", Self::Signature),
        ("data", Self::Data),
    ];
}

/// Every field of any reasoning block, as read.
#[derive(Default)]
struct RawBlock {
    kind: Option<BlockType>,
    text: Option<String>,
    signature: Option<String>,
    data: Option<String>,
}

/// A reasoning block to replay; all fields read, `type` picks.
fn reasoning_block(p: &mut Input<'_>, at: &Path) -> Result<ReasoningBlock, InputError> {
    let raw = p.fields(
        at,
        BlockField::NAMES,
        Others::Skip,
        |p, at, field, raw: &mut RawBlock| {
            match field {
                BlockField::Type => raw.kind = Some(p.one_of(at, BlockType::NAMES)?),
                BlockField::Text => raw.text = p.opt_string(at)?,
                BlockField::Signature => raw.signature = p.opt_string(at)?,
                BlockField::Data => raw.data = p.opt_string(at)?,
            }
            Ok(())
        },
    )?;
    Ok(match at.required(raw.kind, "type")? {
        BlockType::Redacted => ReasoningBlock::Redacted {
            data: at.required(raw.data, "data")?,
        },
        BlockType::Thinking => ReasoningBlock::Thinking {
            text: at.required(raw.text, "text")?,
            signature: raw.signature,
        },
    })
}

/// The fields of a tool definition (others are refused).
#[derive(Clone, Copy)]
enum ToolField {
    Name,
    Description,
    Parameters,
}

impl ToolField {
    const NAMES: &[(&str, Self)] = &[
        ("name", Self::Name),
        ("description", Self::Description),
        ("parameters", Self::Parameters),
    ];
}

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
        ToolField::NAMES,
        Others::Refuse,
        |p, at, field, raw: &mut RawTool| {
            match field {
                ToolField::Name => raw.name = Some(p.string(at)?),
                ToolField::Description => raw.description = p.opt_string(at)?,
                ToolField::Parameters => raw.parameters = Some(p.value(at)?),
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
const CHOICE_MODES: &[(&str, ToolChoiceMode)] = &[
    ("auto", ToolChoiceMode::Auto),
    ("none", ToolChoiceMode::None),
    ("required", ToolChoiceMode::Required),
];

/// The one field of a named tool choice (other keys are ignored).
const CHOICE_FIELDS: &[(&str, ())] = &[("name", ())];

/// `"auto"` / `"none"` / `"required"`, or `{"name": …}` (other keys of the
/// object are ignored).
fn choice(p: &mut Input<'_>, at: &Path) -> Result<ToolChoice, InputError> {
    match p.kind(at)? {
        Kind::String => p.one_of(at, CHOICE_MODES).map(ToolChoice::Mode),
        Kind::Object => {
            let name = p.fields(
                at,
                CHOICE_FIELDS,
                Others::Skip,
                |p, at, (), name: &mut Option<String>| {
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
#[derive(Clone, Copy)]
enum ReasoningField {
    Effort,
    BudgetTokens,
}

impl ReasoningField {
    const NAMES: &[(&str, Self)] = &[
        ("effort", Self::Effort),
        ("budgetTokens", Self::BudgetTokens),
    ];
}

/// The effort levels.
const EFFORTS: &[(&str, ReasoningEffort)] = &[
    ("minimal", ReasoningEffort::Minimal),
    ("low", ReasoningEffort::Low),
    ("medium", ReasoningEffort::Medium),
    ("high", ReasoningEffort::High),
];

fn effort(p: &mut Input<'_>, at: &Path) -> Result<ReasoningEffort, InputError> {
    p.one_of(at, EFFORTS)
}

/// Reasoning settings.
fn reasoning_config(p: &mut Input<'_>, at: &Path) -> Result<ReasoningConfig, InputError> {
    let raw = p.fields(
        at,
        ReasoningField::NAMES,
        Others::Refuse,
        |p, at, field, raw: &mut ReasoningConfig| {
            match field {
                ReasoningField::Effort => raw.effort = p.nullable(at, effort)?,
                ReasoningField::BudgetTokens => raw.budget_tokens = p.opt_u64(at)?,
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
