//! Anthropic Messages body (`POST /messages`).

use super::lazy_turn::LazyTurn;
use super::types::{
    Content, ContentPart, ImageSource, ReasoningEffort, RequestMessage, ToolChoice, ToolChoiceMode,
};
use super::{put_sampling, put_tool_head, reasoning_applies, RequestError, UnifiedRequest};
use crate::catalog::ModelInfo;
use crate::event::ReasoningBlock;
use crate::json_write::JsonWriter;

/// `max_tokens` when the request gives none (Anthropic requires it): the
/// model's output limit, capped here because Anthropic counts `max_tokens`
/// against output-token rate limits before generating anything.
pub const DEFAULT_MAX_TOKENS: u64 = 32_000;

/// `max_tokens` when the model's output limit is unknown (0).
const FALLBACK_MAX_TOKENS: u64 = 4_096;

/// Anthropic's smallest thinking budget.
pub const MIN_THINKING_BUDGET: u64 = 1024;

/// Room kept for the answer when `max_tokens` is raised to fit a budget.
const ANSWER_ROOM: u64 = 4_096;

/// Writes the request body. Input must have passed validation.
pub(super) fn body(
    w: &mut JsonWriter,
    req: &UnifiedRequest,
    model: &ModelInfo,
) -> Result<(), RequestError> {
    let (max_tokens, thinking_budget) = token_plan(req, model)?;

    w.begin_object();
    w.field("model", &req.model);
    if let Some(system) = req.system.as_deref().filter(|s| !s.is_empty()) {
        w.field("system", system);
    }
    w.key("messages");
    w.begin_array();
    // The user turn being assembled: consecutive tool results (and a user
    // message right after them) form ONE user turn, as Anthropic requires
    // all results of a tool-use turn in the next user message.
    let mut user = LazyTurn::new("user", "content");
    for m in &req.messages {
        match m {
            RequestMessage::User { content } => blocks(w, content, Some(&mut user)),
            RequestMessage::Tool {
                tool_call_id,
                content,
                is_error,
                ..
            } => {
                user.item(w);
                w.begin_object();
                w.field("type", "tool_result");
                w.key("tool_use_id");
                w.opt_str(tool_call_id.as_deref());
                match content {
                    Content::Text(t) if t.is_empty() => {}
                    Content::Text(t) => w.field("content", t),
                    Content::Parts(_) => {
                        w.key("content");
                        w.begin_array();
                        blocks(w, content, None);
                        w.end_array();
                    }
                }
                if *is_error {
                    w.key("is_error");
                    w.bool(true);
                }
                w.end_object();
            }
            RequestMessage::Assistant {
                content,
                tool_calls,
                reasoning_blocks,
                ..
            } => {
                user.close(w);
                // A turn with nothing replayable (only unsigned reasoning) is
                // left out rather than sent empty, which Anthropic rejects.
                let mut turn = LazyTurn::new("assistant", "content");
                // Thinking blocks first and byte-for-byte: the signature
                // covers them. Unsigned thinking cannot be replayed.
                for b in reasoning_blocks {
                    match b {
                        ReasoningBlock::Thinking {
                            text,
                            signature: Some(sig),
                        } => {
                            turn.item(w);
                            w.begin_object();
                            w.field("type", "thinking");
                            w.field("thinking", text);
                            w.field("signature", sig);
                            w.end_object();
                        }
                        ReasoningBlock::Thinking {
                            signature: None, ..
                        } => {}
                        ReasoningBlock::Redacted { data } => {
                            turn.item(w);
                            w.begin_object();
                            w.field("type", "redacted_thinking");
                            w.field("data", data);
                            w.end_object();
                        }
                    }
                }
                if let Some(c) = content {
                    blocks(w, c, Some(&mut turn));
                }
                for c in tool_calls {
                    turn.item(w);
                    w.begin_object();
                    w.field("type", "tool_use");
                    w.field("id", &c.id);
                    w.field("name", &c.name);
                    w.key("input");
                    w.value(&c.arguments);
                    w.end_object();
                }
                turn.close(w);
            }
        }
    }
    user.close(w);
    w.end_array();

    w.key("max_tokens");
    w.u64(max_tokens);
    put_sampling(w, req, model, "top_p");
    if let Some(stop) = &req.stop {
        w.key("stop_sequences");
        w.strings(stop.as_slice());
    }
    if !req.tools.is_empty() {
        w.key("tools");
        w.begin_array();
        for t in &req.tools {
            w.begin_object();
            put_tool_head(w, t);
            w.key("input_schema");
            w.value(&t.parameters);
            w.end_object();
        }
        w.end_array();
    }
    if let Some(choice) = &req.tool_choice {
        w.key("tool_choice");
        w.begin_object();
        match choice {
            ToolChoice::Mode(ToolChoiceMode::Auto) => w.field("type", "auto"),
            ToolChoice::Mode(ToolChoiceMode::None) => w.field("type", "none"),
            ToolChoice::Mode(ToolChoiceMode::Required) => w.field("type", "any"),
            ToolChoice::Named { name } => {
                w.field("type", "tool");
                w.field("name", name);
            }
        }
        w.end_object();
    }
    if let Some(budget) = thinking_budget {
        w.key("thinking");
        w.begin_object();
        w.field("type", "enabled");
        w.key("budget_tokens");
        w.u64(budget);
        w.end_object();
    }
    w.key("stream");
    w.bool(req.stream);
    w.end_object();
    Ok(())
}

/// `max_tokens` and the thinking budget (when reasoning is on).
///
/// An explicit `budgetTokens` must stay below `max_tokens`. An effort maps
/// to [`ReasoningEffort::budget_tokens`], capped so that the answer keeps
/// 4096 tokens or a quarter of `max_tokens`, whichever is smaller. Without
/// `maxOutputTokens`, `max_tokens` is the default raised to budget + 4096
/// where the model's output limit allows.
fn token_plan(req: &UnifiedRequest, model: &ModelInfo) -> Result<(u64, Option<u64>), RequestError> {
    let limit = model.limits.output;
    let default = if limit > 0 {
        limit.min(DEFAULT_MAX_TOKENS)
    } else {
        FALLBACK_MAX_TOKENS
    };
    let reasoning = req.reasoning.as_ref().filter(|_| reasoning_applies(model));
    let Some(r) = reasoning else {
        return Ok((req.max_output_tokens.unwrap_or(default), None));
    };
    let wanted = match (r.budget_tokens, r.effort) {
        (Some(b), _) => b,
        (None, Some(e)) => e.budget_tokens(),
        (None, None) => ReasoningEffort::Medium.budget_tokens(),
    };
    let max_tokens = req.max_output_tokens.unwrap_or_else(|| {
        let raised = default.max(wanted.saturating_add(ANSWER_ROOM));
        if limit > 0 {
            raised.min(limit)
        } else {
            raised
        }
    });
    let budget = if r.budget_tokens.is_some() {
        if wanted >= max_tokens {
            return Err(RequestError::invalid(
                "reasoning.budgetTokens",
                format!("must be below max output tokens ({max_tokens})"),
            ));
        }
        wanted
    } else {
        wanted.min(max_tokens - ANSWER_ROOM.min(max_tokens / 4))
    };
    if budget < MIN_THINKING_BUDGET {
        return Err(RequestError::invalid(
            "maxOutputTokens",
            format!(
                "{max_tokens} leaves no room for the minimum thinking budget of {MIN_THINKING_BUDGET} tokens"
            ),
        ));
    }
    Ok((max_tokens, Some(budget)))
}

/// Writes the content blocks of `content` as array items, each announced to
/// `turn` first when the blocks go into a lazily opened turn.
fn blocks(w: &mut JsonWriter, content: &Content, mut turn: Option<&mut LazyTurn>) {
    let mut block = |w: &mut JsonWriter| {
        if let Some(t) = turn.as_deref_mut() {
            t.item(w);
        }
        w.begin_object();
    };
    match content {
        Content::Text(t) if t.is_empty() => {}
        Content::Text(t) => {
            block(w);
            w.field("type", "text");
            w.field("text", t);
            w.end_object();
        }
        Content::Parts(parts) => {
            for p in parts {
                match p {
                    ContentPart::Text { text } => {
                        block(w);
                        w.field("type", "text");
                        w.field("text", text);
                    }
                    ContentPart::Image(img) => {
                        // Validation refuses malformed images; skip one anyway.
                        let Some(source) = img.source() else {
                            continue;
                        };
                        block(w);
                        w.field("type", "image");
                        w.key("source");
                        w.begin_object();
                        match source {
                            ImageSource::Url(url, _) => {
                                w.field("type", "url");
                                w.field("url", url);
                            }
                            ImageSource::Base64 { media_type, data } => {
                                w.field("type", "base64");
                                w.field("media_type", media_type);
                                w.field("data", data);
                            }
                        }
                        w.end_object();
                    }
                }
                w.end_object();
            }
        }
    }
}
