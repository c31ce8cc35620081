//! OpenAI Responses body (`POST /responses`).

use super::types::{Content, ContentPart, RequestMessage, ToolChoice, ToolChoiceMode};
use super::{put_sampling, put_tool_head, reasoning_applies, UnifiedRequest};
use crate::catalog::ModelInfo;
use crate::json_write::JsonWriter;

/// Writes the request body. Input must have passed validation (which
/// refuses `stop`: the Responses API has no stop sequences).
pub(super) fn body(w: &mut JsonWriter, req: &UnifiedRequest, model: &ModelInfo) {
    w.begin_object();
    w.field("model", &req.model);
    if let Some(system) = req.system.as_deref().filter(|s| !s.is_empty()) {
        w.field("instructions", system);
    }
    w.key("input");
    w.begin_array();
    for m in &req.messages {
        items(w, m);
    }
    w.end_array();
    if let Some(max) = req.max_output_tokens {
        // Never `max_tokens`: the Responses API (and Zen) reject it.
        w.key("max_output_tokens");
        w.u64(max);
    }
    put_sampling(w, req, model, "top_p");
    if !req.tools.is_empty() {
        w.key("tools");
        w.begin_array();
        for t in &req.tools {
            w.begin_object();
            w.field("type", "function");
            put_tool_head(w, t);
            w.key("parameters");
            w.value(&t.parameters);
            // Responses function tools default to strict mode, which
            // rejects ordinary schemas (optional properties,
            // additionalProperties unset); the unified tool is plain
            // JSON Schema, so ask for non-strict explicitly.
            w.key("strict");
            w.bool(false);
            w.end_object();
        }
        w.end_array();
    }
    if let Some(choice) = &req.tool_choice {
        w.key("tool_choice");
        match choice {
            ToolChoice::Mode(ToolChoiceMode::Auto) => w.str("auto"),
            ToolChoice::Mode(ToolChoiceMode::None) => w.str("none"),
            ToolChoice::Mode(ToolChoiceMode::Required) => w.str("required"),
            ToolChoice::Named { name } => {
                w.begin_object();
                w.field("type", "function");
                w.field("name", name);
                w.end_object();
            }
        }
    }
    if reasoning_applies(model) {
        // Reasoning models always get `summary: "auto"`: without it the
        // stream carries no reasoning text at all (what OpenCode sends too).
        w.key("reasoning");
        w.begin_object();
        if let Some(effort) = req.reasoning.as_ref().and_then(|r| r.effort_level()) {
            w.field("effort", effort.as_str());
        }
        w.field("summary", "auto");
        w.end_object();
    }
    w.key("stream");
    w.bool(req.stream);
    w.end_object();
}

/// Writes the input items of one message.
fn items(w: &mut JsonWriter, m: &RequestMessage) {
    match m {
        RequestMessage::User { content } => {
            w.begin_object();
            w.field("role", "user");
            w.key("content");
            w.begin_array();
            for p in content.part_list().iter() {
                w.begin_object();
                match p {
                    ContentPart::Text { text } => {
                        w.field("type", "input_text");
                        w.field("text", text);
                    }
                    ContentPart::Image(img) => {
                        w.field("type", "input_image");
                        w.key("image_url");
                        w.opt_str(img.as_url().as_deref());
                        w.field("detail", "auto");
                    }
                }
                w.end_object();
            }
            w.end_array();
            w.end_object();
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
                w.begin_object();
                w.field("role", "assistant");
                w.key("content");
                w.begin_array();
                w.begin_object();
                w.field("type", "output_text");
                w.field("text", &text);
                w.end_object();
                w.end_array();
                w.end_object();
            }
            for c in tool_calls {
                w.begin_object();
                w.field("type", "function_call");
                w.field("call_id", &c.id);
                w.field("name", &c.name);
                w.field("arguments", &JsonWriter::text(&c.arguments));
                w.end_object();
            }
        }
        RequestMessage::Tool {
            tool_call_id,
            content,
            ..
        } => {
            w.begin_object();
            w.field("type", "function_call_output");
            w.key("call_id");
            w.opt_str(tool_call_id.as_deref());
            w.field("output", &content.joined_text());
            w.end_object();
        }
    }
}
