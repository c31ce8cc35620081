//! OpenAI Responses body (`POST /responses`).

use serde_json::{Map, Value};

use super::json::{obj, put, string};

use super::types::{Content, ContentPart, RequestMessage, ToolChoice, ToolChoiceMode};
use super::{put_sampling, reasoning_applies, UnifiedRequest};
use crate::catalog::ModelInfo;

/// The request body. Input must have passed validation (which refuses
/// `stop`: the Responses API has no stop sequences).
pub(super) fn body(req: &UnifiedRequest, model: &ModelInfo) -> Value {
    let mut input = Vec::with_capacity(req.messages.len());
    for m in &req.messages {
        items(m, &mut input);
    }

    let mut b = Map::new();
    put(&mut b, "model", string(&req.model));
    if let Some(system) = req.system.as_deref().filter(|s| !s.is_empty()) {
        put(&mut b, "instructions", string(system));
    }
    put(&mut b, "input", Value::Array(input));
    if let Some(max) = req.max_output_tokens {
        // Never `max_tokens`: the Responses API (and Zen) reject it.
        put(&mut b, "max_output_tokens", Value::from(max));
    }
    put_sampling(&mut b, req, model, "top_p");
    if !req.tools.is_empty() {
        let tools = req
            .tools
            .iter()
            .map(|t| {
                let mut f = Map::new();
                put(&mut f, "type", string("function"));
                put(&mut f, "name", string(&t.name));
                if let Some(d) = &t.description {
                    put(&mut f, "description", string(d));
                }
                put(&mut f, "parameters", t.parameters.clone());
                // Responses function tools default to strict mode, which
                // rejects ordinary schemas (optional properties,
                // additionalProperties unset); the unified tool is plain
                // JSON Schema, so ask for non-strict explicitly.
                put(&mut f, "strict", Value::Bool(false));
                Value::Object(f)
            })
            .collect();
        put(&mut b, "tools", Value::Array(tools));
    }
    if let Some(choice) = &req.tool_choice {
        let v = match choice {
            ToolChoice::Mode(ToolChoiceMode::Auto) => string("auto"),
            ToolChoice::Mode(ToolChoiceMode::None) => string("none"),
            ToolChoice::Mode(ToolChoiceMode::Required) => string("required"),
            ToolChoice::Named { name } => {
                obj([("type", string("function")), ("name", string(name))])
            }
        };
        put(&mut b, "tool_choice", v);
    }
    if reasoning_applies(model) {
        // Reasoning models always get `summary: "auto"`: without it the
        // stream carries no reasoning text at all (what OpenCode sends too).
        let mut r = Map::new();
        if let Some(effort) = req.reasoning.as_ref().and_then(|r| r.effort_level()) {
            put(&mut r, "effort", string(effort.as_str()));
        }
        put(&mut r, "summary", string("auto"));
        put(&mut b, "reasoning", Value::Object(r));
    }
    put(&mut b, "stream", Value::Bool(req.stream));
    Value::Object(b)
}

fn items(m: &RequestMessage, out: &mut Vec<Value>) {
    match m {
        RequestMessage::User { content } => {
            let parts: Vec<Value> = content
                .parts()
                .iter()
                .map(|p| match p {
                    ContentPart::Text { text } => {
                        obj([("type", string("input_text")), ("text", string(text))])
                    }
                    ContentPart::Image(img) => obj([
                        ("type", string("input_image")),
                        ("image_url", img.as_url().map_or(Value::Null, Value::String)),
                        ("detail", string("auto")),
                    ]),
                })
                .collect();
            out.push(obj([
                ("role", string("user")),
                ("content", Value::Array(parts)),
            ]));
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
                let part = obj([
                    ("type", string("output_text")),
                    ("text", Value::String(text)),
                ]);
                out.push(obj([
                    ("role", string("assistant")),
                    ("content", Value::Array(vec![part])),
                ]));
            }
            for c in tool_calls {
                out.push(obj([
                    ("type", string("function_call")),
                    ("call_id", string(&c.id)),
                    ("name", string(&c.name)),
                    ("arguments", Value::String(c.arguments.to_string())),
                ]));
            }
        }
        RequestMessage::Tool {
            tool_call_id,
            content,
            ..
        } => out.push(obj([
            ("type", string("function_call_output")),
            (
                "call_id",
                tool_call_id.as_deref().map_or(Value::Null, string),
            ),
            ("output", Value::String(content.joined_text())),
        ])),
    }
}
