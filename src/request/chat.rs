//! OpenAI Chat Completions body (`POST /chat/completions`).

use serde_json::{Map, Value};

use super::json::{obj, put, string, strings};

use super::types::{Content, ContentPart, RequestMessage, Stop, ToolChoice, ToolChoiceMode};
use super::{put_sampling, reasoning_applies, UnifiedRequest};
use crate::catalog::ModelInfo;
use crate::event::ReasoningBlock;

/// The request body. Input must have passed validation.
pub(super) fn body(req: &UnifiedRequest, model: &ModelInfo) -> Value {
    let mut messages = Vec::with_capacity(req.messages.len() + 1);
    if let Some(system) = req.system.as_deref().filter(|s| !s.is_empty()) {
        messages.push(obj([
            ("role", string("system")),
            ("content", string(system)),
        ]));
    }
    for m in &req.messages {
        messages.push(message(m, model));
    }

    let mut b = Map::new();
    put(&mut b, "model", string(&req.model));
    put(&mut b, "messages", Value::Array(messages));
    if let Some(max) = req.max_output_tokens {
        put(&mut b, "max_tokens", Value::from(max));
    }
    put_sampling(&mut b, req, model, "top_p");
    if let Some(stop) = &req.stop {
        let stop = match stop {
            Stop::One(s) => string(s),
            Stop::Many(list) => strings(list),
        };
        put(&mut b, "stop", stop);
    }
    if !req.tools.is_empty() {
        let tools = req
            .tools
            .iter()
            .map(|t| {
                let mut f = Map::new();
                put(&mut f, "name", string(&t.name));
                if let Some(d) = &t.description {
                    put(&mut f, "description", string(d));
                }
                put(&mut f, "parameters", t.parameters.clone());
                obj([("type", string("function")), ("function", Value::Object(f))])
            })
            .collect();
        put(&mut b, "tools", Value::Array(tools));
    }
    if let Some(choice) = &req.tool_choice {
        let v = match choice {
            ToolChoice::Mode(ToolChoiceMode::Auto) => string("auto"),
            ToolChoice::Mode(ToolChoiceMode::None) => string("none"),
            ToolChoice::Mode(ToolChoiceMode::Required) => string("required"),
            ToolChoice::Named { name } => obj([
                ("type", string("function")),
                ("function", obj([("name", string(name))])),
            ]),
        };
        put(&mut b, "tool_choice", v);
    }
    if let Some(effort) = req.reasoning.as_ref().and_then(|r| r.effort_level()) {
        if reasoning_applies(model) {
            put(&mut b, "reasoning_effort", string(effort.as_str()));
        }
    }
    put(&mut b, "stream", Value::Bool(req.stream));
    if req.stream {
        // Zen adds this too; asking explicitly keeps the usage chunk when
        // the base URL points at another OpenAI-compatible server.
        put(
            &mut b,
            "stream_options",
            obj([("include_usage", Value::Bool(true))]),
        );
    }
    Value::Object(b)
}

fn message(m: &RequestMessage, model: &ModelInfo) -> Value {
    match m {
        RequestMessage::User { content } => {
            obj([("role", string("user")), ("content", user_content(content))])
        }
        RequestMessage::Assistant {
            content,
            tool_calls,
            reasoning,
            reasoning_blocks,
        } => {
            let mut o = Map::new();
            put(&mut o, "role", string("assistant"));
            let text = content
                .as_ref()
                .map(Content::joined_text)
                .unwrap_or_default();
            put(&mut o, "content", Value::String(text));
            if !tool_calls.is_empty() {
                let calls = tool_calls
                    .iter()
                    .map(|c| {
                        obj([
                            ("id", string(&c.id)),
                            ("type", string("function")),
                            (
                                "function",
                                obj([
                                    ("name", string(&c.name)),
                                    ("arguments", Value::String(c.arguments.to_string())),
                                ]),
                            ),
                        ])
                    })
                    .collect();
                put(&mut o, "tool_calls", Value::Array(calls));
            }
            // Interleaved-reasoning models (kimi-k2-thinking, …) expect their
            // earlier reasoning back, or they lose the thread across tool calls.
            if model.capabilities.interleaved_reasoning {
                let reasoning = reasoning_text(reasoning.as_deref(), reasoning_blocks);
                if !reasoning.is_empty() {
                    put(&mut o, "reasoning_content", Value::String(reasoning));
                }
            }
            Value::Object(o)
        }
        RequestMessage::Tool {
            tool_call_id,
            content,
            ..
        } => obj([
            ("role", string("tool")),
            (
                "tool_call_id",
                tool_call_id.as_deref().map_or(Value::Null, string),
            ),
            ("content", Value::String(content.joined_text())),
        ]),
    }
}

/// The reasoning text of an assistant turn: the explicit text, else the
/// text of its thinking blocks.
pub(super) fn reasoning_text(reasoning: Option<&str>, blocks: &[ReasoningBlock]) -> String {
    match reasoning {
        Some(r) if !r.is_empty() => r.to_owned(),
        _ => blocks
            .iter()
            .filter_map(|b| match b {
                ReasoningBlock::Thinking { text, .. } => Some(text.as_str()),
                ReasoningBlock::Redacted { .. } => None,
            })
            .collect(),
    }
}

fn user_content(content: &Content) -> Value {
    match content {
        Content::Text(t) => string(t),
        Content::Parts(parts) => parts
            .iter()
            .map(|p| match p {
                ContentPart::Text { text: t } => {
                    obj([("type", string("text")), ("text", string(t))])
                }
                ContentPart::Image(img) => {
                    let url = img.as_url().map_or(Value::Null, Value::String);
                    obj([
                        ("type", string("image_url")),
                        ("image_url", obj([("url", url)])),
                    ])
                }
            })
            .collect(),
    }
}
