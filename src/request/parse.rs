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

fn request(p: &mut Input<'_>, at: &Path) -> Result<UnifiedRequest, InputError> {
    p.object(at)?;
    let mut model = None;
    let mut system = None;
    let mut messages = None;
    let mut tools = None;
    let mut tool_choice = None;
    let mut max_output_tokens = None;
    let mut temperature = None;
    let mut top_p = None;
    let mut stop = None;
    let mut reasoning = None;
    let mut stream = None;
    let mut extra = None;
    while let Some(key) = p.next_key(at)? {
        let at = at.key(&key);
        match key.as_ref() {
            "model" => {
                at.fresh(&model)?;
                model = Some(p.string(&at)?);
            }
            "system" => {
                at.fresh(&system)?;
                system = Some(p.opt_string(&at)?);
            }
            "messages" => {
                at.fresh(&messages)?;
                messages = Some(p.list(&at, message)?);
            }
            "tools" => {
                at.fresh(&tools)?;
                tools = Some(p.list(&at, tool)?);
            }
            "toolChoice" => {
                at.fresh(&tool_choice)?;
                tool_choice = Some(if p.null(&at)? {
                    None
                } else {
                    Some(choice(p, &at)?)
                });
            }
            "maxOutputTokens" => {
                at.fresh(&max_output_tokens)?;
                max_output_tokens = Some(p.opt_u64(&at)?);
            }
            "temperature" => {
                at.fresh(&temperature)?;
                temperature = Some(p.opt_f64(&at)?);
            }
            "topP" => {
                at.fresh(&top_p)?;
                top_p = Some(p.opt_f64(&at)?);
            }
            "stop" => {
                at.fresh(&stop)?;
                stop = Some(if p.null(&at)? {
                    None
                } else {
                    Some(stop_sequences(p, &at)?)
                });
            }
            "reasoning" => {
                at.fresh(&reasoning)?;
                reasoning = Some(if p.null(&at)? {
                    None
                } else {
                    Some(reasoning_config(p, &at)?)
                });
            }
            "stream" => {
                at.fresh(&stream)?;
                stream = Some(p.bool(&at)?);
            }
            "extra" => {
                at.fresh(&extra)?;
                extra = Some(if p.null(&at)? {
                    None
                } else {
                    Some(object_value(p, &at)?)
                });
            }
            _ => return Err(at.unknown_field(REQUEST_FIELDS)),
        }
    }
    Ok(UnifiedRequest {
        model: at.required(model, "model")?,
        system: system.flatten(),
        messages: at.required(messages, "messages")?,
        tools: tools.unwrap_or_default(),
        tool_choice: tool_choice.flatten(),
        max_output_tokens: max_output_tokens.flatten(),
        temperature: temperature.flatten(),
        top_p: top_p.flatten(),
        stop: stop.flatten(),
        reasoning: reasoning.flatten(),
        stream: stream.unwrap_or(false),
        extra: extra.flatten(),
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

/// One message: every field any role takes is read (and type-checked)
/// whatever the role, then `role` picks the ones that apply; other keys are
/// ignored — the serde reading through `RawMessage` does the same.
fn message(p: &mut Input<'_>, at: &Path) -> Result<RequestMessage, InputError> {
    p.object(at)?;
    let mut role = None;
    let mut content = None;
    let mut tool_calls = None;
    let mut reasoning = None;
    let mut reasoning_blocks = None;
    let mut tool_call_id = None;
    let mut name = None;
    let mut is_error = None;
    while let Some(key) = p.next_key(at)? {
        let at = at.key(&key);
        match key.as_ref() {
            "role" => {
                at.fresh(&role)?;
                role = Some(match p.str(&at)?.as_ref() {
                    "user" => Role::User,
                    "assistant" => Role::Assistant,
                    "tool" => Role::Tool,
                    other => return Err(at.not_one_of(other, ROLES)),
                });
            }
            "content" => {
                at.fresh(&content)?;
                content = Some(if p.null(&at)? {
                    None
                } else {
                    Some(message_content(p, &at)?)
                });
            }
            "toolCalls" => {
                at.fresh(&tool_calls)?;
                tool_calls = Some(p.list(&at, tool_call)?);
            }
            "reasoning" => {
                at.fresh(&reasoning)?;
                reasoning = Some(p.opt_string(&at)?);
            }
            "reasoningBlocks" => {
                at.fresh(&reasoning_blocks)?;
                reasoning_blocks = Some(p.list(&at, reasoning_block)?);
            }
            "toolCallId" => {
                at.fresh(&tool_call_id)?;
                tool_call_id = Some(p.opt_string(&at)?);
            }
            "name" => {
                at.fresh(&name)?;
                name = Some(p.opt_string(&at)?);
            }
            "isError" => {
                at.fresh(&is_error)?;
                is_error = Some(p.bool(&at)?);
            }
            _ => p.skip(&at)?,
        }
    }
    let content = content.flatten();
    Ok(match at.required(role, "role")? {
        Role::User => RequestMessage::User {
            content: at.required(content, "content")?,
        },
        Role::Assistant => RequestMessage::Assistant {
            content,
            tool_calls: tool_calls.unwrap_or_default(),
            reasoning: reasoning.flatten(),
            reasoning_blocks: reasoning_blocks.unwrap_or_default(),
        },
        Role::Tool => RequestMessage::Tool {
            tool_call_id: tool_call_id.flatten(),
            name: name.flatten(),
            content: at.required(content, "content")?,
            is_error: is_error.unwrap_or(false),
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

/// One content part; like a message, all fields are read, `type` picks.
fn content_part(p: &mut Input<'_>, at: &Path) -> Result<ContentPart, InputError> {
    p.object(at)?;
    let mut image = None;
    let mut text = None;
    let mut url = None;
    let mut media_type = None;
    let mut data = None;
    while let Some(key) = p.next_key(at)? {
        let at = at.key(&key);
        match key.as_ref() {
            "type" => {
                at.fresh(&image)?;
                image = Some(match p.str(&at)?.as_ref() {
                    "text" => false,
                    "image" => true,
                    other => return Err(at.not_one_of(other, PART_TYPES)),
                });
            }
            "text" => {
                at.fresh(&text)?;
                text = Some(p.opt_string(&at)?);
            }
            "url" => {
                at.fresh(&url)?;
                url = Some(p.opt_string(&at)?);
            }
            "mediaType" => {
                at.fresh(&media_type)?;
                media_type = Some(p.opt_string(&at)?);
            }
            "data" => {
                at.fresh(&data)?;
                data = Some(p.opt_string(&at)?);
            }
            _ => p.skip(&at)?,
        }
    }
    Ok(if at.required(image, "type")? {
        ContentPart::Image(ImagePart {
            url: url.flatten(),
            media_type: media_type.flatten(),
            data: data.flatten(),
        })
    } else {
        ContentPart::Text {
            text: at.required(text.flatten(), "text")?,
        }
    })
}

/// A tool call of an earlier assistant turn; other keys are ignored.
fn tool_call(p: &mut Input<'_>, at: &Path) -> Result<AssistantToolCall, InputError> {
    p.object(at)?;
    let mut id = None;
    let mut name = None;
    let mut arguments = None;
    while let Some(key) = p.next_key(at)? {
        let at = at.key(&key);
        match key.as_ref() {
            "id" => {
                at.fresh(&id)?;
                id = Some(p.string(&at)?);
            }
            "name" => {
                at.fresh(&name)?;
                name = Some(p.string(&at)?);
            }
            "arguments" => {
                at.fresh(&arguments)?;
                arguments = Some(p.value(&at)?);
            }
            _ => p.skip(&at)?,
        }
    }
    Ok(AssistantToolCall {
        id: at.required(id, "id")?,
        name: at.required(name, "name")?,
        // Absent → `{}`; an explicit `null` stays `null` (serde's
        // `default` applies only to a missing field).
        arguments: arguments.unwrap_or_else(|| Value::Object(Map::new())),
    })
}

/// The `type` values of a reasoning block.
const BLOCK_TYPES: &[&str] = &["thinking", "redacted"];

/// A reasoning block to replay; all fields read, `type` picks.
fn reasoning_block(p: &mut Input<'_>, at: &Path) -> Result<ReasoningBlock, InputError> {
    p.object(at)?;
    let mut redacted = None;
    let mut text = None;
    let mut signature = None;
    let mut data = None;
    while let Some(key) = p.next_key(at)? {
        let at = at.key(&key);
        match key.as_ref() {
            "type" => {
                at.fresh(&redacted)?;
                redacted = Some(match p.str(&at)?.as_ref() {
                    "thinking" => false,
                    "redacted" => true,
                    other => return Err(at.not_one_of(other, BLOCK_TYPES)),
                });
            }
            "text" => {
                at.fresh(&text)?;
                text = Some(p.opt_string(&at)?);
            }
            "signature" => {
                at.fresh(&signature)?;
                signature = Some(p.opt_string(&at)?);
            }
            "data" => {
                at.fresh(&data)?;
                data = Some(p.opt_string(&at)?);
            }
            _ => p.skip(&at)?,
        }
    }
    Ok(if at.required(redacted, "type")? {
        ReasoningBlock::Redacted {
            data: at.required(data.flatten(), "data")?,
        }
    } else {
        ReasoningBlock::Thinking {
            text: at.required(text.flatten(), "text")?,
            signature: signature.flatten(),
        }
    })
}

/// The fields of a tool definition (others are refused).
const TOOL_FIELDS: &[&str] = &["name", "description", "parameters"];

/// A tool definition.
fn tool(p: &mut Input<'_>, at: &Path) -> Result<Tool, InputError> {
    p.object(at)?;
    let mut name = None;
    let mut description = None;
    let mut parameters = None;
    while let Some(key) = p.next_key(at)? {
        let at = at.key(&key);
        match key.as_ref() {
            "name" => {
                at.fresh(&name)?;
                name = Some(p.string(&at)?);
            }
            "description" => {
                at.fresh(&description)?;
                description = Some(p.opt_string(&at)?);
            }
            "parameters" => {
                at.fresh(&parameters)?;
                parameters = Some(p.value(&at)?);
            }
            _ => return Err(at.unknown_field(TOOL_FIELDS)),
        }
    }
    Ok(Tool {
        name: at.required(name, "name")?,
        description: description.flatten(),
        // Absent → an empty object schema; an explicit `null` stays `null`
        // (validation reports it), as with serde's `default`.
        parameters: parameters.unwrap_or_else(|| {
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
            p.object(at)?;
            let mut name = None;
            while let Some(key) = p.next_key(at)? {
                let at = at.key(&key);
                match key.as_ref() {
                    "name" => {
                        at.fresh(&name)?;
                        name = Some(p.string(&at)?);
                    }
                    _ => p.skip(&at)?,
                }
            }
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
        Kind::Array => p.list(at, |p, at| p.string(at)).map(Stop::Many),
        _ => Err(p.wrong_type(at, "a string or an array of strings")),
    }
}

/// The fields of the reasoning settings (others are refused).
const REASONING_FIELDS: &[&str] = &["effort", "budgetTokens"];

/// The effort levels.
const EFFORTS: &[&str] = &["minimal", "low", "medium", "high"];

/// Reasoning settings.
fn reasoning_config(p: &mut Input<'_>, at: &Path) -> Result<ReasoningConfig, InputError> {
    p.object(at)?;
    let mut effort = None;
    let mut budget_tokens = None;
    while let Some(key) = p.next_key(at)? {
        let at = at.key(&key);
        match key.as_ref() {
            "effort" => {
                at.fresh(&effort)?;
                effort = Some(if p.null(&at)? {
                    None
                } else {
                    Some(match p.str(&at)?.as_ref() {
                        "minimal" => ReasoningEffort::Minimal,
                        "low" => ReasoningEffort::Low,
                        "medium" => ReasoningEffort::Medium,
                        "high" => ReasoningEffort::High,
                        other => return Err(at.not_one_of(other, EFFORTS)),
                    })
                });
            }
            "budgetTokens" => {
                at.fresh(&budget_tokens)?;
                budget_tokens = Some(p.opt_u64(&at)?);
            }
            _ => return Err(at.unknown_field(REASONING_FIELDS)),
        }
    }
    Ok(ReasoningConfig {
        effort: effort.flatten(),
        budget_tokens: budget_tokens.flatten(),
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
