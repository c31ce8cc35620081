//! Google Gemini body (`POST /models/{id}:generateContent` or
//! `:streamGenerateContent?alt=sse`; the stream choice is in the URL).

use serde_json::{json, Map, Value};

use super::types::{ContentPart, ImageSource, RequestMessage, ToolChoice, ToolChoiceMode};
use super::{call_names, number, reasoning_applies, temperature_applies, UnifiedRequest};
use crate::catalog::ModelInfo;
use crate::event::ReasoningBlock;

/// The request body. Input must have passed validation.
pub(super) fn body(req: &UnifiedRequest, model: &ModelInfo) -> Value {
    let names = call_names(req);
    let mut contents: Vec<Value> = Vec::with_capacity(req.messages.len());
    // Results of parallel calls go back together, in one user content.
    let mut responses: Vec<Value> = Vec::new();
    for m in &req.messages {
        if !matches!(m, RequestMessage::Tool { .. }) && !responses.is_empty() {
            contents.push(json!({"role": "user", "parts": std::mem::take(&mut responses)}));
        }
        match m {
            RequestMessage::User { content } => {
                let parts: Vec<Value> = content.parts().iter().filter_map(part).collect();
                contents.push(json!({"role": "user", "parts": parts}));
            }
            RequestMessage::Assistant {
                content,
                tool_calls,
                reasoning_blocks,
                ..
            } => {
                let mut parts: Vec<Value> = content
                    .as_ref()
                    .map(|c| c.parts().iter().filter_map(part).collect())
                    .unwrap_or_default();
                let first_call = parts.len();
                for c in tool_calls {
                    parts.push(json!({"functionCall": {"name": c.name, "args": c.arguments}}));
                }
                if let Some(sig) = signature(reasoning_blocks) {
                    // Gemini signs the first function call of a turn (or,
                    // without calls, the last part); it rejects a tool-call
                    // turn whose signature is missing.
                    let at = if tool_calls.is_empty() {
                        parts.len().checked_sub(1)
                    } else {
                        Some(first_call)
                    };
                    if let Some(Value::Object(p)) = at.and_then(|i| parts.get_mut(i)) {
                        p.insert("thoughtSignature".into(), json!(sig));
                    }
                }
                if !parts.is_empty() {
                    contents.push(json!({"role": "model", "parts": parts}));
                }
            }
            RequestMessage::Tool {
                tool_call_id,
                name,
                content,
                is_error,
            } => {
                let name = name
                    .as_deref()
                    .or_else(|| {
                        tool_call_id
                            .as_deref()
                            .and_then(|id| names.get(id).copied())
                    })
                    .unwrap_or_default();
                // Gemini's documented keys: "output" for a result, "error"
                // for a failure.
                let key = if *is_error { "error" } else { "output" };
                responses.push(json!({
                    "functionResponse": {"name": name, "response": {key: content.joined_text()}}
                }));
            }
        }
    }
    if !responses.is_empty() {
        contents.push(json!({"role": "user", "parts": responses}));
    }

    let mut b = Map::new();
    if let Some(system) = req.system.as_deref().filter(|s| !s.is_empty()) {
        b.insert(
            "systemInstruction".into(),
            json!({"parts": [{"text": system}]}),
        );
    }
    b.insert("contents".into(), Value::Array(contents));

    let mut config = Map::new();
    if let Some(max) = req.max_output_tokens {
        config.insert("maxOutputTokens".into(), json!(max));
    }
    if temperature_applies(model) {
        if let Some(t) = req.temperature {
            config.insert("temperature".into(), number(t));
        }
        if let Some(p) = req.top_p {
            config.insert("topP".into(), number(p));
        }
    }
    if let Some(stop) = &req.stop {
        config.insert("stopSequences".into(), json!(stop.as_slice()));
    }
    if reasoning_applies(model) {
        // Thought summaries are only streamed when asked for.
        let mut thinking = Map::new();
        thinking.insert("includeThoughts".into(), json!(true));
        if let Some(r) = &req.reasoning {
            let budget = r
                .budget_tokens
                .or_else(|| r.effort.map(|e| e.budget_tokens()));
            if let Some(budget) = budget {
                thinking.insert("thinkingBudget".into(), json!(budget));
            }
        }
        config.insert("thinkingConfig".into(), Value::Object(thinking));
    }
    if !config.is_empty() {
        b.insert("generationConfig".into(), Value::Object(config));
    }

    if !req.tools.is_empty() {
        let decls: Vec<Value> = req
            .tools
            .iter()
            .map(|t| {
                let mut f = Map::new();
                f.insert("name".into(), json!(t.name));
                if let Some(d) = &t.description {
                    f.insert("description".into(), json!(d));
                }
                if let Some(schema) = gemini_schema(&t.parameters) {
                    f.insert("parameters".into(), schema);
                }
                Value::Object(f)
            })
            .collect();
        b.insert("tools".into(), json!([{"functionDeclarations": decls}]));
    }
    if let Some(choice) = &req.tool_choice {
        let config = match choice {
            ToolChoice::Mode(ToolChoiceMode::Auto) => json!({"mode": "AUTO"}),
            ToolChoice::Mode(ToolChoiceMode::None) => json!({"mode": "NONE"}),
            ToolChoice::Mode(ToolChoiceMode::Required) => json!({"mode": "ANY"}),
            ToolChoice::Named { name } => json!({"mode": "ANY", "allowedFunctionNames": [name]}),
        };
        b.insert(
            "toolConfig".into(),
            json!({"functionCallingConfig": config}),
        );
    }
    Value::Object(b)
}

fn part(p: &ContentPart) -> Option<Value> {
    Some(match p {
        ContentPart::Text { text } if text.is_empty() => return None,
        ContentPart::Text { text } => json!({"text": text}),
        ContentPart::Image(img) => match img.source()? {
            ImageSource::Base64 { media_type, data } => {
                json!({"inlineData": {"mimeType": media_type, "data": data}})
            }
            ImageSource::Url(url, Some(mt)) => {
                json!({"fileData": {"mimeType": mt, "fileUri": url}})
            }
            ImageSource::Url(url, None) => json!({"fileData": {"fileUri": url}}),
        },
    })
}

/// The turn's signature: the first signed reasoning block.
fn signature(blocks: &[ReasoningBlock]) -> Option<&str> {
    blocks.iter().find_map(|b| match b {
        ReasoningBlock::Thinking {
            signature: Some(s), ..
        } => Some(s.as_str()),
        _ => None,
    })
}

/// The tool's JSON Schema in the OpenAPI subset Gemini's `parameters`
/// accepts: `$schema`, `$id`, `$comment` and `additionalProperties` are
/// rejected there as unknown fields, so they are removed (at every schema
/// level, never from a `properties` map, where they would be property
/// names); an object schema without properties is left out entirely, since
/// Gemini refuses an OBJECT with empty `properties`.
fn gemini_schema(schema: &Value) -> Option<Value> {
    let is_empty_object = schema.get("type") == Some(&json!("object"))
        && schema
            .get("properties")
            .and_then(Value::as_object)
            .is_none_or(Map::is_empty);
    if is_empty_object {
        return None;
    }
    let mut s = schema.clone();
    clean_schema(&mut s);
    Some(s)
}

fn clean_schema(schema: &mut Value) {
    let Value::Object(map) = schema else {
        return;
    };
    for key in ["$schema", "$id", "$comment", "additionalProperties"] {
        map.remove(key);
    }
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        props.values_mut().for_each(clean_schema);
    }
    if let Some(items) = map.get_mut("items") {
        clean_schema(items);
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(list)) = map.get_mut(key) {
            list.iter_mut().for_each(clean_schema);
        }
    }
}
