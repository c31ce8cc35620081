//! OpenAI Responses body (`POST /responses`).

use serde_json::{json, Map, Value};

use super::types::{Content, ContentPart, RequestMessage, ToolChoice, ToolChoiceMode};
use super::{number, reasoning_applies, temperature_applies, UnifiedRequest};
use crate::catalog::ModelInfo;

/// The request body. Input must have passed validation (which refuses
/// `stop`: the Responses API has no stop sequences).
pub(super) fn body(req: &UnifiedRequest, model: &ModelInfo) -> Value {
    let mut input = Vec::with_capacity(req.messages.len());
    for m in &req.messages {
        items(m, &mut input);
    }

    let mut b = Map::new();
    b.insert("model".into(), json!(req.model));
    if let Some(system) = req.system.as_deref().filter(|s| !s.is_empty()) {
        b.insert("instructions".into(), json!(system));
    }
    b.insert("input".into(), Value::Array(input));
    if let Some(max) = req.max_output_tokens {
        // Never `max_tokens`: the Responses API (and Zen) reject it.
        b.insert("max_output_tokens".into(), json!(max));
    }
    if temperature_applies(model) {
        if let Some(t) = req.temperature {
            b.insert("temperature".into(), number(t));
        }
        if let Some(p) = req.top_p {
            b.insert("top_p".into(), number(p));
        }
    }
    if !req.tools.is_empty() {
        let tools = req
            .tools
            .iter()
            .map(|t| {
                let mut f = Map::new();
                f.insert("type".into(), json!("function"));
                f.insert("name".into(), json!(t.name));
                if let Some(d) = &t.description {
                    f.insert("description".into(), json!(d));
                }
                f.insert("parameters".into(), t.parameters.clone());
                // Responses function tools default to strict mode, which
                // rejects ordinary schemas (optional properties,
                // additionalProperties unset); the unified tool is plain
                // JSON Schema, so ask for non-strict explicitly.
                f.insert("strict".into(), json!(false));
                Value::Object(f)
            })
            .collect();
        b.insert("tools".into(), Value::Array(tools));
    }
    if let Some(choice) = &req.tool_choice {
        let v = match choice {
            ToolChoice::Mode(ToolChoiceMode::Auto) => json!("auto"),
            ToolChoice::Mode(ToolChoiceMode::None) => json!("none"),
            ToolChoice::Mode(ToolChoiceMode::Required) => json!("required"),
            ToolChoice::Named { name } => json!({"type": "function", "name": name}),
        };
        b.insert("tool_choice".into(), v);
    }
    if reasoning_applies(model) {
        // Reasoning models always get `summary: "auto"`: without it the
        // stream carries no reasoning text at all (what OpenCode sends too).
        let mut r = Map::new();
        if let Some(effort) = req.reasoning.as_ref().and_then(|r| r.effort_level()) {
            r.insert("effort".into(), json!(effort.as_str()));
        }
        r.insert("summary".into(), json!("auto"));
        b.insert("reasoning".into(), Value::Object(r));
    }
    b.insert("stream".into(), json!(req.stream));
    Value::Object(b)
}

fn items(m: &RequestMessage, out: &mut Vec<Value>) {
    match m {
        RequestMessage::User { content } => {
            let parts: Vec<Value> = content
                .parts()
                .iter()
                .map(|p| match p {
                    ContentPart::Text { text } => json!({"type": "input_text", "text": text}),
                    ContentPart::Image(img) => json!({
                        "type": "input_image",
                        "image_url": img.as_url(),
                        "detail": "auto",
                    }),
                })
                .collect();
            out.push(json!({"role": "user", "content": parts}));
        }
        RequestMessage::Assistant {
            content,
            tool_calls,
            ..
        } => {
            let text = content
                .as_ref()
                .map(Content::joined_text)
                .unwrap_or_default();
            if !text.is_empty() {
                out.push(json!({
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": text}],
                }));
            }
            for c in tool_calls {
                out.push(json!({
                    "type": "function_call",
                    "call_id": c.id,
                    "name": c.name,
                    "arguments": c.arguments.to_string(),
                }));
            }
        }
        RequestMessage::Tool {
            tool_call_id,
            content,
            ..
        } => out.push(json!({
            "type": "function_call_output",
            "call_id": tool_call_id,
            "output": content.joined_text(),
        })),
    }
}
