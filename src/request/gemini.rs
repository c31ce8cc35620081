//! Google Gemini body (`POST /models/{id}:generateContent` or
//! `:streamGenerateContent?alt=sse`; the stream choice is in the URL).

use serde_json::{Map, Value};

use super::lazy_turn::LazyTurn;
use super::types::{Content, ContentPart, ImageSource, RequestMessage, ToolChoice, ToolChoiceMode};
use super::{
    call_name, has_sampling, put_sampling, put_tool_head, reasoning_applies, UnifiedRequest,
};
use crate::catalog::ModelInfo;
use crate::event::ReasoningBlock;
use crate::json_write::JsonWriter;

/// Writes the request body. Input must have passed validation.
pub(super) fn body(w: &mut JsonWriter, req: &UnifiedRequest, model: &ModelInfo) {
    w.begin_object();
    if let Some(system) = req.system.as_deref().filter(|s| !s.is_empty()) {
        w.key("systemInstruction");
        w.begin_object();
        w.key("parts");
        w.begin_array();
        w.begin_object();
        w.field("text", system);
        w.end_object();
        w.end_array();
        w.end_object();
    }
    w.key("contents");
    w.begin_array();
    contents(w, req);
    w.end_array();

    let thinking = reasoning_applies(model);
    let has_config = req.max_output_tokens.is_some()
        || has_sampling(req, model)
        || req.stop.is_some()
        || thinking;
    if has_config {
        w.key("generationConfig");
        w.begin_object();
        if let Some(max) = req.max_output_tokens {
            w.key("maxOutputTokens");
            w.u64(max);
        }
        put_sampling(w, req, model, "topP");
        if let Some(stop) = &req.stop {
            w.key("stopSequences");
            w.strings(stop.as_slice());
        }
        if thinking {
            // Thought summaries are only streamed when asked for.
            w.key("thinkingConfig");
            w.begin_object();
            w.key("includeThoughts");
            w.bool(true);
            if let Some(r) = &req.reasoning {
                let budget = r
                    .budget_tokens
                    .or_else(|| r.effort.map(|e| e.budget_tokens()));
                if let Some(budget) = budget {
                    w.key("thinkingBudget");
                    w.u64(budget);
                }
            }
            w.end_object();
        }
        w.end_object();
    }

    if !req.tools.is_empty() {
        w.key("tools");
        w.begin_array();
        w.begin_object();
        w.key("functionDeclarations");
        w.begin_array();
        for t in &req.tools {
            w.begin_object();
            put_tool_head(w, t);
            if wants_parameters(&t.parameters) {
                w.key("parameters");
                schema(w, &t.parameters);
            }
            w.end_object();
        }
        w.end_array();
        w.end_object();
        w.end_array();
    }
    if let Some(choice) = &req.tool_choice {
        w.key("toolConfig");
        w.begin_object();
        w.key("functionCallingConfig");
        w.begin_object();
        match choice {
            ToolChoice::Mode(ToolChoiceMode::Auto) => w.field("mode", "AUTO"),
            ToolChoice::Mode(ToolChoiceMode::None) => w.field("mode", "NONE"),
            ToolChoice::Mode(ToolChoiceMode::Required) => w.field("mode", "ANY"),
            ToolChoice::Named { name } => {
                w.field("mode", "ANY");
                w.key("allowedFunctionNames");
                w.begin_array();
                w.str(name);
                w.end_array();
            }
        }
        w.end_object();
        w.end_object();
    }
    w.end_object();
}

/// Writes the items of `contents`.
fn contents(w: &mut JsonWriter, req: &UnifiedRequest) {
    // Results of parallel calls go back together, in one user content.
    let mut responses = LazyTurn::new("user", "parts");
    for m in &req.messages {
        if !matches!(m, RequestMessage::Tool { .. }) {
            responses.close(w);
        }
        match m {
            RequestMessage::User { content } => {
                // Sent even when no part is left (validation refuses an
                // empty user message anyway).
                w.begin_object();
                w.field("role", "user");
                w.key("parts");
                w.begin_array();
                for p in content.part_list().iter().filter(|p| has_part(p)) {
                    part(w, p, None);
                }
                w.end_array();
                w.end_object();
            }
            RequestMessage::Assistant {
                content,
                tool_calls,
                reasoning_blocks,
                ..
            } => {
                let all = content.as_ref().map(Content::part_list).unwrap_or_default();
                let parts: Vec<&ContentPart> = all.iter().filter(|p| has_part(p)).collect();
                if parts.is_empty() && tool_calls.is_empty() {
                    continue;
                }
                // Gemini signs the first function call of a turn (or,
                // without calls, the last part); it rejects a tool-call
                // turn whose signature is missing.
                let sig = signature(reasoning_blocks);
                let signed_part = if tool_calls.is_empty() {
                    parts.len().checked_sub(1)
                } else {
                    None
                };
                w.begin_object();
                w.field("role", "model");
                w.key("parts");
                w.begin_array();
                for (i, p) in parts.iter().enumerate() {
                    part(w, p, sig.filter(|_| Some(i) == signed_part));
                }
                for (i, c) in tool_calls.iter().enumerate() {
                    w.begin_object();
                    w.key("functionCall");
                    w.begin_object();
                    w.field("name", &c.name);
                    w.key("args");
                    w.value(&c.arguments);
                    w.end_object();
                    if let Some(sig) = sig.filter(|_| i == 0) {
                        w.field("thoughtSignature", sig);
                    }
                    w.end_object();
                }
                w.end_array();
                w.end_object();
            }
            RequestMessage::Tool {
                tool_call_id,
                name,
                content,
                is_error,
            } => {
                let name = name
                    .as_deref()
                    .or_else(|| tool_call_id.as_deref().and_then(|id| call_name(req, id)))
                    .unwrap_or_default();
                responses.item(w);
                w.begin_object();
                w.key("functionResponse");
                w.begin_object();
                w.field("name", name);
                w.key("response");
                w.begin_object();
                // Gemini's documented keys: "output" for a result, "error"
                // for a failure.
                let key = if *is_error { "error" } else { "output" };
                w.field(key, &content.joined_text());
                w.end_object();
                w.end_object();
                w.end_object();
            }
        }
    }
    responses.close(w);
}

/// Whether [`part`] writes anything for `p`: empty text and malformed images
/// (which validation refuses) are left out.
fn has_part(p: &ContentPart) -> bool {
    match p {
        ContentPart::Text { text } => !text.is_empty(),
        ContentPart::Image(img) => img.source().is_some(),
    }
}

/// Writes part `p` (one for which [`has_part`] holds), with the turn's
/// thought signature when it is the signed part.
fn part(w: &mut JsonWriter, p: &ContentPart, signature: Option<&str>) {
    w.begin_object();
    match p {
        ContentPart::Text { text } => w.field("text", text),
        ContentPart::Image(img) => match img.source() {
            Some(ImageSource::Base64 { media_type, data }) => {
                w.key("inlineData");
                w.begin_object();
                w.field("mimeType", media_type);
                w.field("data", data);
                w.end_object();
            }
            Some(ImageSource::Url(url, media_type)) => {
                w.key("fileData");
                w.begin_object();
                if let Some(mt) = media_type {
                    w.field("mimeType", mt);
                }
                w.field("fileUri", url);
                w.end_object();
            }
            None => {}
        },
    }
    if let Some(sig) = signature {
        w.field("thoughtSignature", sig);
    }
    w.end_object();
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

/// Whether the tool's schema is sent: Gemini refuses an OBJECT with empty
/// `properties`, so an object schema without properties is left out
/// entirely.
fn wants_parameters(schema: &Value) -> bool {
    let is_empty_object = schema.get("type").and_then(Value::as_str) == Some("object")
        && schema
            .get("properties")
            .and_then(Value::as_object)
            .is_none_or(Map::is_empty);
    !is_empty_object
}

/// Writes the tool's JSON Schema in the OpenAPI subset Gemini's `parameters`
/// accepts: `$schema`, `$id`, `$comment` and `additionalProperties` are
/// rejected there as unknown fields, so they are left out (at every schema
/// level: the schema, each property's schema, `items`, and the members of
/// `anyOf` / `oneOf` / `allOf`; never from a `properties` map, where they
/// would be property names).
fn schema(w: &mut JsonWriter, s: &Value) {
    let Value::Object(map) = s else {
        w.value(s);
        return;
    };
    w.begin_object();
    for (key, value) in map {
        match (key.as_str(), value) {
            ("$schema" | "$id" | "$comment" | "additionalProperties", _) => continue,
            ("properties", Value::Object(props)) => {
                w.key(key);
                w.begin_object();
                for (name, property) in props {
                    w.key(name);
                    schema(w, property);
                }
                w.end_object();
            }
            ("items", _) => {
                w.key(key);
                schema(w, value);
            }
            ("anyOf" | "oneOf" | "allOf", Value::Array(list)) => {
                w.key(key);
                w.begin_array();
                list.iter().for_each(|s| schema(w, s));
                w.end_array();
            }
            _ => {
                w.key(key);
                w.value(value);
            }
        }
    }
    w.end_object();
}
