//! Anthropic Messages body (`POST /messages`).

use serde_json::{Map, Value};

use super::json::{obj, put, string, strings};

use super::types::{
    Content, ContentPart, ImageSource, ReasoningEffort, RequestMessage, ToolChoice, ToolChoiceMode,
};
use super::{put_sampling, reasoning_applies, RequestError, UnifiedRequest};
use crate::catalog::ModelInfo;
use crate::event::ReasoningBlock;

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

/// The request body. Input must have passed validation.
pub(super) fn body(req: &UnifiedRequest, model: &ModelInfo) -> Result<Value, RequestError> {
    let (max_tokens, thinking_budget) = token_plan(req, model)?;

    let mut messages: Vec<Value> = Vec::with_capacity(req.messages.len());
    // Blocks of the user turn being assembled: consecutive tool results (and
    // a user message right after them) form ONE user turn, as Anthropic
    // requires all results of a tool-use turn in the next user message.
    let mut user_blocks: Vec<Value> = Vec::new();
    for m in &req.messages {
        match m {
            RequestMessage::User { content } => user_blocks.extend(blocks(content)),
            RequestMessage::Tool {
                tool_call_id,
                content,
                is_error,
                ..
            } => {
                let mut r = Map::new();
                put(&mut r, "type", string("tool_result"));
                put(
                    &mut r,
                    "tool_use_id",
                    tool_call_id.as_deref().map_or(Value::Null, string),
                );
                match content {
                    Content::Text(t) if t.is_empty() => {}
                    Content::Text(t) => {
                        put(&mut r, "content", string(t));
                    }
                    Content::Parts(_) => {
                        put(&mut r, "content", Value::Array(blocks(content)));
                    }
                }
                if *is_error {
                    put(&mut r, "is_error", Value::Bool(true));
                }
                user_blocks.push(Value::Object(r));
            }
            RequestMessage::Assistant {
                content,
                tool_calls,
                reasoning_blocks,
                ..
            } => {
                flush_user(&mut user_blocks, &mut messages);
                let mut out = Vec::new();
                // Thinking blocks first and byte-for-byte: the signature
                // covers them. Unsigned thinking cannot be replayed.
                for b in reasoning_blocks {
                    match b {
                        ReasoningBlock::Thinking {
                            text,
                            signature: Some(sig),
                        } => out.push(obj([
                            ("type", string("thinking")),
                            ("thinking", string(text)),
                            ("signature", string(sig)),
                        ])),
                        ReasoningBlock::Thinking {
                            signature: None, ..
                        } => {}
                        ReasoningBlock::Redacted { data } => {
                            out.push(obj([
                                ("type", string("redacted_thinking")),
                                ("data", string(data)),
                            ]));
                        }
                    }
                }
                if let Some(c) = content {
                    out.extend(blocks(c));
                }
                for c in tool_calls {
                    out.push(obj([
                        ("type", string("tool_use")),
                        ("id", string(&c.id)),
                        ("name", string(&c.name)),
                        ("input", c.arguments.clone()),
                    ]));
                }
                // A turn with nothing replayable (only unsigned reasoning) is
                // left out rather than sent empty, which Anthropic rejects.
                if !out.is_empty() {
                    messages.push(obj([
                        ("role", string("assistant")),
                        ("content", Value::Array(out)),
                    ]));
                }
            }
        }
    }
    flush_user(&mut user_blocks, &mut messages);

    let mut b = Map::new();
    put(&mut b, "model", string(&req.model));
    if let Some(system) = req.system.as_deref().filter(|s| !s.is_empty()) {
        put(&mut b, "system", string(system));
    }
    put(&mut b, "messages", Value::Array(messages));
    put(&mut b, "max_tokens", Value::from(max_tokens));
    put_sampling(&mut b, req, model, "top_p");
    if let Some(stop) = &req.stop {
        put(&mut b, "stop_sequences", strings(stop.as_slice()));
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
                put(&mut f, "input_schema", t.parameters.clone());
                Value::Object(f)
            })
            .collect();
        put(&mut b, "tools", Value::Array(tools));
    }
    if let Some(choice) = &req.tool_choice {
        let v = match choice {
            ToolChoice::Mode(ToolChoiceMode::Auto) => obj([("type", string("auto"))]),
            ToolChoice::Mode(ToolChoiceMode::None) => obj([("type", string("none"))]),
            ToolChoice::Mode(ToolChoiceMode::Required) => obj([("type", string("any"))]),
            ToolChoice::Named { name } => obj([("type", string("tool")), ("name", string(name))]),
        };
        put(&mut b, "tool_choice", v);
    }
    if let Some(budget) = thinking_budget {
        put(
            &mut b,
            "thinking",
            obj([
                ("type", string("enabled")),
                ("budget_tokens", Value::from(budget)),
            ]),
        );
    }
    put(&mut b, "stream", Value::Bool(req.stream));
    Ok(Value::Object(b))
}

fn flush_user(blocks: &mut Vec<Value>, messages: &mut Vec<Value>) {
    if !blocks.is_empty() {
        messages.push(obj([
            ("role", string("user")),
            ("content", Value::Array(std::mem::take(blocks))),
        ]));
    }
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

fn blocks(content: &Content) -> Vec<Value> {
    match content {
        Content::Text(t) if t.is_empty() => Vec::new(),
        Content::Text(t) => vec![obj([("type", string("text")), ("text", string(t))])],
        Content::Parts(parts) => parts
            .iter()
            .filter_map(|p| match p {
                ContentPart::Text { text } => {
                    Some(obj([("type", string("text")), ("text", string(text))]))
                }
                ContentPart::Image(img) => {
                    let source = match img.source()? {
                        ImageSource::Url(url, _) => {
                            obj([("type", string("url")), ("url", string(url))])
                        }
                        ImageSource::Base64 { media_type, data } => obj([
                            ("type", string("base64")),
                            ("media_type", string(media_type)),
                            ("data", string(data)),
                        ]),
                    };
                    Some(obj([("type", string("image")), ("source", source)]))
                }
            })
            .collect(),
    }
}
