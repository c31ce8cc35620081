//! OpenAI Chat Completions body (`POST /chat/completions`).

use serde_json::{json, Map, Value};

use super::types::{Content, ContentPart, RequestMessage, ToolChoice, ToolChoiceMode};
use super::{number, reasoning_applies, temperature_applies, UnifiedRequest};
use crate::catalog::ModelInfo;
use crate::event::ReasoningBlock;

/// The request body. Input must have passed validation.
pub(super) fn body(req: &UnifiedRequest, model: &ModelInfo) -> Value {
    let mut messages = Vec::with_capacity(req.messages.len() + 1);
    if let Some(system) = req.system.as_deref().filter(|s| !s.is_empty()) {
        messages.push(json!({"role": "system", "content": system}));
    }
    for m in &req.messages {
        messages.push(message(m, model));
    }

    let mut b = Map::new();
    b.insert("model".into(), json!(req.model));
    b.insert("messages".into(), Value::Array(messages));
    if let Some(max) = req.max_output_tokens {
        b.insert("max_tokens".into(), json!(max));
    }
    if temperature_applies(model) {
        if let Some(t) = req.temperature {
            b.insert("temperature".into(), number(t));
        }
        if let Some(p) = req.top_p {
            b.insert("top_p".into(), number(p));
        }
    }
    if let Some(stop) = &req.stop {
        b.insert("stop".into(), json!(stop));
    }
    if !req.tools.is_empty() {
        let tools = req
            .tools
            .iter()
            .map(|t| {
                let mut f = Map::new();
                f.insert("name".into(), json!(t.name));
                if let Some(d) = &t.description {
                    f.insert("description".into(), json!(d));
                }
                f.insert("parameters".into(), t.parameters.clone());
                json!({"type": "function", "function": f})
            })
            .collect();
        b.insert("tools".into(), Value::Array(tools));
    }
    if let Some(choice) = &req.tool_choice {
        let v = match choice {
            ToolChoice::Mode(ToolChoiceMode::Auto) => json!("auto"),
            ToolChoice::Mode(ToolChoiceMode::None) => json!("none"),
            ToolChoice::Mode(ToolChoiceMode::Required) => json!("required"),
            ToolChoice::Named { name } => {
                json!({"type": "function", "function": {"name": name}})
            }
        };
        b.insert("tool_choice".into(), v);
    }
    if let Some(effort) = req.reasoning.as_ref().and_then(|r| r.effort_level()) {
        if reasoning_applies(model) {
            b.insert("reasoning_effort".into(), json!(effort.as_str()));
        }
    }
    b.insert("stream".into(), json!(req.stream));
    if req.stream {
        // Zen adds this too; asking explicitly keeps the usage chunk when
        // the base URL points at another OpenAI-compatible server.
        b.insert("stream_options".into(), json!({"include_usage": true}));
    }
    Value::Object(b)
}

fn message(m: &RequestMessage, model: &ModelInfo) -> Value {
    match m {
        RequestMessage::User { content } => {
            json!({"role": "user", "content": user_content(content)})
        }
        RequestMessage::Assistant {
            content,
            tool_calls,
            reasoning,
            reasoning_blocks,
        } => {
            let mut o = Map::new();
            o.insert("role".into(), json!("assistant"));
            let text = content
                .as_ref()
                .map(Content::joined_text)
                .unwrap_or_default();
            o.insert("content".into(), json!(text));
            if !tool_calls.is_empty() {
                let calls = tool_calls
                    .iter()
                    .map(|c| {
                        json!({
                            "id": c.id,
                            "type": "function",
                            "function": {"name": c.name, "arguments": c.arguments.to_string()},
                        })
                    })
                    .collect();
                o.insert("tool_calls".into(), Value::Array(calls));
            }
            // Interleaved-reasoning models (kimi-k2-thinking, …) expect their
            // earlier reasoning back, or they lose the thread across tool calls.
            if model.capabilities.interleaved_reasoning {
                let text = reasoning_text(reasoning.as_deref(), reasoning_blocks);
                if !text.is_empty() {
                    o.insert("reasoning_content".into(), json!(text));
                }
            }
            Value::Object(o)
        }
        RequestMessage::Tool {
            tool_call_id,
            content,
            ..
        } => json!({
            "role": "tool",
            "tool_call_id": tool_call_id,
            "content": content.joined_text(),
        }),
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
        Content::Text(t) => json!(t),
        Content::Parts(parts) => parts
            .iter()
            .map(|p| match p {
                ContentPart::Text { text } => json!({"type": "text", "text": text}),
                ContentPart::Image(img) => {
                    json!({"type": "image_url", "image_url": {"url": img.as_url()}})
                }
            })
            .collect(),
    }
}
