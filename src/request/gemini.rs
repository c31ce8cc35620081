//! Google Gemini body (`POST /models/{id}:generateContent` or
//! `:streamGenerateContent?alt=sse`; the stream choice is in the URL).

use serde_json::{Map, Value};

use super::json::{obj, put, string, strings};

use super::types::{ContentPart, ImageSource, RequestMessage, ToolChoice, ToolChoiceMode};
use super::{call_names, put_sampling, reasoning_applies, UnifiedRequest};
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
            contents.push(user_parts(std::mem::take(&mut responses)));
        }
        match m {
            RequestMessage::User { content } => {
                let parts: Vec<Value> = content.parts().iter().filter_map(part).collect();
                contents.push(user_parts(parts));
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
                    parts.push(obj([(
                        "functionCall",
                        obj([("name", string(&c.name)), ("args", c.arguments.clone())]),
                    )]));
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
                        put(p, "thoughtSignature", string(sig));
                    }
                }
                if !parts.is_empty() {
                    contents.push(obj([
                        ("role", string("model")),
                        ("parts", Value::Array(parts)),
                    ]));
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
                let response = obj([(key, Value::String(content.joined_text()))]);
                responses.push(obj([(
                    "functionResponse",
                    obj([("name", string(name)), ("response", response)]),
                )]));
            }
        }
    }
    if !responses.is_empty() {
        contents.push(user_parts(responses));
    }

    let mut b = Map::new();
    if let Some(system) = req.system.as_deref().filter(|s| !s.is_empty()) {
        put(
            &mut b,
            "systemInstruction",
            obj([("parts", Value::Array(vec![obj([("text", string(system))])]))]),
        );
    }
    put(&mut b, "contents", Value::Array(contents));

    let mut config = Map::new();
    if let Some(max) = req.max_output_tokens {
        put(&mut config, "maxOutputTokens", Value::from(max));
    }
    put_sampling(&mut config, req, model, "topP");
    if let Some(stop) = &req.stop {
        put(&mut config, "stopSequences", strings(stop.as_slice()));
    }
    if reasoning_applies(model) {
        // Thought summaries are only streamed when asked for.
        let mut thinking = Map::new();
        put(&mut thinking, "includeThoughts", Value::Bool(true));
        if let Some(r) = &req.reasoning {
            let budget = r
                .budget_tokens
                .or_else(|| r.effort.map(|e| e.budget_tokens()));
            if let Some(budget) = budget {
                put(&mut thinking, "thinkingBudget", Value::from(budget));
            }
        }
        put(&mut config, "thinkingConfig", Value::Object(thinking));
    }
    if !config.is_empty() {
        put(&mut b, "generationConfig", Value::Object(config));
    }

    if !req.tools.is_empty() {
        let decls: Vec<Value> = req
            .tools
            .iter()
            .map(|t| {
                let mut f = Map::new();
                put(&mut f, "name", string(&t.name));
                if let Some(d) = &t.description {
                    put(&mut f, "description", string(d));
                }
                if let Some(schema) = gemini_schema(&t.parameters) {
                    put(&mut f, "parameters", schema);
                }
                Value::Object(f)
            })
            .collect();
        let tool = obj([("functionDeclarations", Value::Array(decls))]);
        put(&mut b, "tools", Value::Array(vec![tool]));
    }
    if let Some(choice) = &req.tool_choice {
        let config = match choice {
            ToolChoice::Mode(ToolChoiceMode::Auto) => obj([("mode", string("AUTO"))]),
            ToolChoice::Mode(ToolChoiceMode::None) => obj([("mode", string("NONE"))]),
            ToolChoice::Mode(ToolChoiceMode::Required) => obj([("mode", string("ANY"))]),
            ToolChoice::Named { name } => obj([
                ("mode", string("ANY")),
                ("allowedFunctionNames", Value::Array(vec![string(name)])),
            ]),
        };
        put(
            &mut b,
            "toolConfig",
            obj([("functionCallingConfig", config)]),
        );
    }
    Value::Object(b)
}

fn part(p: &ContentPart) -> Option<Value> {
    Some(match p {
        ContentPart::Text { text } if text.is_empty() => return None,
        ContentPart::Text { text } => obj([("text", string(text))]),
        ContentPart::Image(img) => match img.source()? {
            ImageSource::Base64 { media_type, data } => {
                let data = obj([("mimeType", string(media_type)), ("data", string(data))]);
                obj([("inlineData", data)])
            }
            ImageSource::Url(url, Some(mt)) => {
                let file = obj([("mimeType", string(mt)), ("fileUri", string(url))]);
                obj([("fileData", file)])
            }
            ImageSource::Url(url, None) => obj([("fileData", obj([("fileUri", string(url))]))]),
        },
    })
}

/// A user content with these parts.
fn user_parts(parts: Vec<Value>) -> Value {
    obj([("role", string("user")), ("parts", Value::Array(parts))])
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
    let is_empty_object = schema.get("type").and_then(Value::as_str) == Some("object")
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
