//! OpenAI Chat Completions body (`POST /chat/completions`).

use super::types::{Content, ContentPart, RequestMessage, Stop, ToolChoice, ToolChoiceMode};
use super::{put_sampling, put_tool_head, reasoning_applies, UnifiedRequest};
use crate::catalog::ModelInfo;
use crate::event::ReasoningBlock;
use crate::json_write::JsonWriter;

/// Writes the request body. Input must have passed validation.
pub(super) fn body(w: &mut JsonWriter, req: &UnifiedRequest, model: &ModelInfo) {
    w.begin_object();
    w.field("model", &req.model);
    w.key("messages");
    w.begin_array();
    if let Some(system) = req.system.as_deref().filter(|s| !s.is_empty()) {
        w.begin_object();
        w.field("role", "system");
        w.field("content", system);
        w.end_object();
    }
    for m in &req.messages {
        message(w, m, model);
    }
    w.end_array();
    if let Some(max) = req.max_output_tokens {
        w.key("max_tokens");
        w.u64(max);
    }
    put_sampling(w, req, model, "top_p");
    if let Some(stop) = &req.stop {
        w.key("stop");
        match stop {
            Stop::One(s) => w.str(s),
            Stop::Many(list) => w.strings(list),
        }
    }
    if !req.tools.is_empty() {
        w.key("tools");
        w.begin_array();
        for t in &req.tools {
            w.begin_object();
            w.field("type", "function");
            w.key("function");
            w.begin_object();
            put_tool_head(w, t);
            w.key("parameters");
            w.value(&t.parameters);
            w.end_object();
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
                w.key("function");
                w.begin_object();
                w.field("name", name);
                w.end_object();
                w.end_object();
            }
        }
    }
    if let Some(effort) = req.reasoning.as_ref().and_then(|r| r.effort_level()) {
        if reasoning_applies(model) {
            w.field("reasoning_effort", effort.as_str());
        }
    }
    w.key("stream");
    w.bool(req.stream);
    if req.stream {
        // Zen adds this too; asking explicitly keeps the usage chunk when
        // the base URL points at another OpenAI-compatible server.
        w.key("stream_options");
        w.begin_object();
        w.key("include_usage");
        w.bool(true);
        w.end_object();
    }
    w.end_object();
}

fn message(w: &mut JsonWriter, m: &RequestMessage, model: &ModelInfo) {
    w.begin_object();
    match m {
        RequestMessage::User { content } => {
            w.field("role", "user");
            w.key("content");
            user_content(w, content);
        }
        RequestMessage::Assistant {
            content,
            tool_calls,
            reasoning,
            reasoning_blocks,
        } => {
            w.field("role", "assistant");
            let text = content
                .as_ref()
                .map(Content::joined_text)
                .unwrap_or_default();
            w.field("content", &text);
            if !tool_calls.is_empty() {
                w.key("tool_calls");
                w.begin_array();
                for c in tool_calls {
                    w.begin_object();
                    w.field("id", &c.id);
                    w.field("type", "function");
                    w.key("function");
                    w.begin_object();
                    w.field("name", &c.name);
                    w.field("arguments", &JsonWriter::text(&c.arguments));
                    w.end_object();
                    w.end_object();
                }
                w.end_array();
            }
            // Interleaved-reasoning models (kimi-k2-thinking, …) expect their
            // earlier reasoning back, or they lose the thread across tool calls.
            if model.capabilities.interleaved_reasoning {
                let reasoning = reasoning_text(reasoning.as_deref(), reasoning_blocks);
                if !reasoning.is_empty() {
                    w.field("reasoning_content", &reasoning);
                }
            }
        }
        RequestMessage::Tool {
            tool_call_id,
            content,
            ..
        } => {
            w.field("role", "tool");
            w.key("tool_call_id");
            w.opt_str(tool_call_id.as_deref());
            w.field("content", &content.joined_text());
        }
    }
    w.end_object();
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

fn user_content(w: &mut JsonWriter, content: &Content) {
    let parts = match content {
        Content::Text(t) => return w.str(t),
        Content::Parts(parts) => parts,
    };
    w.begin_array();
    for p in parts {
        w.begin_object();
        match p {
            ContentPart::Text { text } => {
                w.field("type", "text");
                w.field("text", text);
            }
            ContentPart::Image(img) => {
                w.field("type", "image_url");
                w.key("image_url");
                w.begin_object();
                w.key("url");
                w.opt_str(img.as_url().as_deref());
                w.end_object();
            }
        }
        w.end_object();
    }
    w.end_array();
}
