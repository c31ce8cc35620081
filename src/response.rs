//! Non-streaming response bodies: one JSON document per response, turned
//! into the same unified [`Event`]s a stream of that format produces and
//! folded by the same [`Accumulator`] — so a non-streamed [`Message`] has
//! exactly the shape of a streamed one.
//!
//! Usage is normalized to Zen's semantics (see [`Usage`]): input excludes
//! cache reads and writes, output includes reasoning.

use serde_json::{Map, Value};

use crate::error::{first_json_value, ErrorKind, ZenError};
use crate::event::{Accumulator, Event, FinishReason, Message, Usage};
use crate::wire::{PendingToolCall, WireFormat};

/// Decodes a non-streaming response body of `format` into a [`Message`].
/// An error body (even with HTTP 200) is returned as `Err`, as is a body
/// that is not JSON or not a response of `format`.
pub fn decode_response(format: WireFormat, body: &str) -> Result<Message, ZenError> {
    let events = response_events(format, body)?;
    let mut acc = Accumulator::new();
    for ev in &events {
        acc.apply(ev);
    }
    Ok(acc.into_message())
}

/// The unified events a non-streaming body of `format` amounts to: `start`,
/// per choice its reasoning, text, refusal and tool calls (each call as
/// `toolCallStart`, one `toolCallDelta` and the final `toolCall` /
/// `toolCallInvalid`, as a stream delivers them) and `finish`, then `usage`
/// and `cost`.
pub fn response_events(format: WireFormat, body: &str) -> Result<Vec<Event>, ZenError> {
    let text = body.trim_start_matches('\u{feff}').trim();
    let value = first_json_value(text).ok_or_else(|| {
        ZenError::local(
            ErrorKind::Protocol,
            format!("{format} response body is not JSON"),
        )
    })?;
    let Value::Object(root) = &value else {
        return Err(not_a_response(format));
    };
    if is_error_body(root) {
        return Err(ZenError::from_response(200, NO_HEADERS, text));
    }
    let mut out = Vec::new();
    match format {
        WireFormat::Chat => chat(root, &mut out)?,
        WireFormat::Responses => responses(root, &mut out)?,
        WireFormat::Messages => messages(root, &mut out)?,
        WireFormat::Gemini => gemini(root, &mut out)?,
    }
    if let Some(usd) = cost_of(root) {
        out.push(Event::Cost { usd });
    }
    Ok(out)
}

const NO_HEADERS: [(&str, &str); 0] = [];

fn not_a_response(format: WireFormat) -> ZenError {
    ZenError::local(
        ErrorKind::Protocol,
        format!("body is not a {format} response"),
    )
}

/// `{"error": {…}}` (OpenAI/Google/upstream), `{"type":"error",…}` (Zen,
/// Anthropic). A Responses object carries `"error": null` on success.
fn is_error_body(root: &Map<String, Value>) -> bool {
    root.get("type").and_then(Value::as_str) == Some("error")
        || matches!(root.get("error"), Some(Value::Object(_) | Value::String(_)))
}

/// Zen's top-level `"cost"` (a decimal string; a number is kept as written).
fn cost_of(root: &Map<String, Value>) -> Option<String> {
    match root.get("cost")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn u64_at(v: &Value, path: &[&str]) -> Option<u64> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_u64()
}

fn start(root: &Map<String, Value>, id_key: &str, model_key: &str, out: &mut Vec<Event>) {
    out.push(Event::Start {
        id: root.get(id_key).and_then(Value::as_str).map(str::to_string),
        model: root
            .get(model_key)
            .and_then(Value::as_str)
            .map(str::to_string),
    });
}

fn push_text(out: &mut Vec<Event>, choice: u32, text: &str, make: fn(u32, String) -> Event) {
    if !text.is_empty() {
        out.push(make(choice, text.to_string()));
    }
}

fn text_event(choice: u32, text: String) -> Event {
    Event::TextDelta { choice, text }
}

fn reasoning_event(choice: u32, text: String) -> Event {
    Event::ReasoningDelta { choice, text }
}

fn refusal_event(choice: u32, text: String) -> Event {
    Event::RefusalDelta { choice, text }
}

/// Emits a complete tool call the way a stream does: start, the arguments
/// as one delta, then the parsed (or invalid) call.
fn push_tool_call(out: &mut Vec<Event>, call: PendingToolCall, truncated: bool) {
    out.push(Event::ToolCallStart {
        choice: call.choice,
        index: call.index,
        id: call.id.clone(),
        name: call.name.clone(),
    });
    if !call.arguments.is_empty() {
        out.push(Event::ToolCallDelta {
            choice: call.choice,
            index: call.index,
            arguments_delta: call.arguments.clone(),
        });
    }
    out.push(call.complete(truncated));
}

/// Arguments as JSON text: strings verbatim (parsed later, once), objects
/// serialized.
fn arguments_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn index_of(v: &Value, fallback: usize) -> u32 {
    v.get("index")
        .and_then(Value::as_u64)
        .and_then(|i| u32::try_from(i).ok())
        .unwrap_or_else(|| u32::try_from(fallback).unwrap_or(u32::MAX))
}

// ---------------------------------------------------------------- chat

fn chat(root: &Map<String, Value>, out: &mut Vec<Event>) -> Result<(), ZenError> {
    let Some(choices) = root.get("choices").and_then(Value::as_array) else {
        return Err(not_a_response(WireFormat::Chat));
    };
    start(root, "id", "model", out);
    for (pos, ch) in choices.iter().enumerate() {
        let choice = index_of(ch, pos);
        let raw_finish = str_field(ch, "finish_reason");
        let finish = raw_finish.as_deref().map(crate::wire::chat::finish_reason);
        let truncated = finish == Some(FinishReason::Length);
        if let Some(msg) = ch.get("message") {
            // `reasoning_content` (GLM, Kimi, DeepSeek, xAI) or `reasoning` (vLLM, OpenRouter).
            let reasoning = msg
                .get("reasoning_content")
                .and_then(Value::as_str)
                .or_else(|| msg.get("reasoning").and_then(Value::as_str));
            push_text(out, choice, reasoning.unwrap_or(""), reasoning_event);
            match msg.get("content") {
                Some(Value::String(s)) => push_text(out, choice, s, text_event),
                // Content-part arrays: keep the text parts.
                Some(Value::Array(parts)) => {
                    for part in parts {
                        if let Some(t) = part.get("text").and_then(Value::as_str) {
                            push_text(out, choice, t, text_event);
                        }
                    }
                }
                _ => {}
            }
            if let Some(r) = msg.get("refusal").and_then(Value::as_str) {
                push_text(out, choice, r, refusal_event);
            }
            let calls = msg.get("tool_calls").and_then(Value::as_array);
            for (i, call) in calls.into_iter().flatten().enumerate() {
                let function = call.get("function");
                push_tool_call(
                    out,
                    PendingToolCall {
                        choice,
                        index: index_of(call, i),
                        id: str_field(call, "id").unwrap_or_default(),
                        name: function
                            .and_then(|f| str_field(f, "name"))
                            .unwrap_or_default(),
                        arguments: arguments_text(function.and_then(|f| f.get("arguments"))),
                    },
                    truncated,
                );
            }
        }
        if let Some(reason) = finish {
            out.push(Event::Finish {
                choice,
                reason,
                raw: raw_finish,
            });
        }
    }
    if let Some(usage) = root.get("usage").filter(|u| u.is_object()) {
        out.push(Event::Usage(chat_usage(usage)));
    }
    Ok(())
}

/// Chat usage → Zen semantics. `prompt_tokens` includes cached (and cache
/// write) tokens, so they are subtracted. `completion_tokens` includes
/// reasoning for OpenAI; some compatible providers (xAI) report reasoning
/// on top of it — recognizable as `total = prompt + completion + reasoning`
/// — and then reasoning is added to the output.
pub(crate) fn chat_usage(u: &Value) -> Usage {
    let prompt = u64_at(u, &["prompt_tokens"]);
    let completion = u64_at(u, &["completion_tokens"]);
    let total = u64_at(u, &["total_tokens"]);
    let cache_read = u64_at(u, &["prompt_tokens_details", "cached_tokens"])
        .or_else(|| u64_at(u, &["cached_tokens"]));
    let cache_write = u64_at(u, &["prompt_tokens_details", "cache_write_tokens"]);
    let reasoning = u64_at(u, &["completion_tokens_details", "reasoning_tokens"]);
    let reasoning_outside = match (prompt, completion, total, reasoning) {
        (Some(p), Some(c), Some(t), Some(r)) => {
            r > 0 && p.checked_add(c).and_then(|s| s.checked_add(r)) == Some(t)
        }
        _ => false,
    };
    let output = if reasoning_outside {
        completion.zip(reasoning).map(|(c, r)| c.saturating_add(r))
    } else {
        completion
    };
    Usage {
        input_tokens: prompt.map(|p| {
            p.saturating_sub(cache_read.unwrap_or(0))
                .saturating_sub(cache_write.unwrap_or(0))
        }),
        output_tokens: output,
        cache_read_tokens: cache_read,
        cache_write_tokens: cache_write,
        reasoning_tokens: reasoning,
    }
}

// ----------------------------------------------------------- responses

fn responses(root: &Map<String, Value>, out: &mut Vec<Event>) -> Result<(), ZenError> {
    let Some(items) = root.get("output").and_then(Value::as_array) else {
        return Err(not_a_response(WireFormat::Responses));
    };
    let status = root.get("status").and_then(Value::as_str);
    if status == Some("failed") {
        return Err(ZenError::local(
            ErrorKind::Server,
            "the response failed without an error message",
        ));
    }
    let incomplete_reason = root
        .get("incomplete_details")
        .and_then(|d| str_field(d, "reason"));
    let truncated =
        status == Some("incomplete") && incomplete_reason.as_deref() != Some("content_filter");
    start(root, "id", "model", out);
    let mut calls = 0u32;
    // Reasoning parts (summary or content, in any reasoning item) are
    // paragraphs: each after the first is prefixed with a blank line, as
    // the stream decoder does when a delta opens a new part.
    let mut reasoning_seen = false;
    for item in items {
        match item.get("type").and_then(Value::as_str) {
            Some("reasoning") => {
                let summary = item.get("summary").and_then(Value::as_array);
                let content = item.get("content").and_then(Value::as_array);
                for part in summary
                    .into_iter()
                    .flatten()
                    .chain(content.into_iter().flatten())
                {
                    if let Some(t) = part.get("text").and_then(Value::as_str) {
                        if !t.is_empty() {
                            let text = if reasoning_seen {
                                format!("\n\n{t}")
                            } else {
                                t.to_string()
                            };
                            out.push(reasoning_event(0, text));
                            reasoning_seen = true;
                        }
                    }
                }
                // The encrypted content is the opaque blob to replay with
                // this item's summary: a signature of the text just pushed,
                // exactly as the stream decoder reports it.
                if let Some(sig) = item
                    .get("encrypted_content")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                {
                    out.push(Event::ReasoningSignature {
                        choice: 0,
                        signature: sig.to_string(),
                    });
                }
            }
            Some("message") => {
                let parts = item.get("content").and_then(Value::as_array);
                for part in parts.into_iter().flatten() {
                    match part.get("type").and_then(Value::as_str) {
                        Some("output_text") => push_text(
                            out,
                            0,
                            part.get("text").and_then(Value::as_str).unwrap_or(""),
                            text_event,
                        ),
                        Some("refusal") => push_text(
                            out,
                            0,
                            part.get("refusal").and_then(Value::as_str).unwrap_or(""),
                            refusal_event,
                        ),
                        _ => {}
                    }
                }
            }
            Some("function_call") => {
                push_tool_call(
                    out,
                    PendingToolCall {
                        choice: 0,
                        index: calls,
                        // The tool result must reference call_id, not the item id.
                        id: str_field(item, "call_id")
                            .or_else(|| str_field(item, "id"))
                            .unwrap_or_default(),
                        name: str_field(item, "name").unwrap_or_default(),
                        arguments: arguments_text(item.get("arguments")),
                    },
                    truncated,
                );
                calls = calls.saturating_add(1);
            }
            _ => {}
        }
    }
    let finish = match status {
        Some("completed") if calls > 0 => Some((FinishReason::ToolCalls, "completed".to_string())),
        Some("completed") => Some((FinishReason::Stop, "completed".to_string())),
        Some("incomplete") => {
            let raw = incomplete_reason.unwrap_or_else(|| "incomplete".to_string());
            let reason = match raw.as_str() {
                "max_output_tokens" => FinishReason::Length,
                "content_filter" => FinishReason::ContentFilter,
                _ => FinishReason::Other,
            };
            Some((reason, raw))
        }
        Some("cancelled") => Some((FinishReason::Other, "cancelled".to_string())),
        // queued / in_progress (background responses): not finished yet.
        _ => None,
    };
    if let Some((reason, raw)) = finish {
        out.push(Event::Finish {
            choice: 0,
            reason,
            raw: Some(raw),
        });
    }
    if let Some(usage) = root.get("usage").filter(|u| u.is_object()) {
        out.push(Event::Usage(responses_usage(usage)));
    }
    Ok(())
}

/// Responses usage → Zen semantics: `input_tokens` includes cached tokens;
/// `output_tokens` already includes reasoning.
pub(crate) fn responses_usage(u: &Value) -> Usage {
    let cache_read = u64_at(u, &["input_tokens_details", "cached_tokens"]);
    Usage {
        input_tokens: u64_at(u, &["input_tokens"])
            .map(|i| i.saturating_sub(cache_read.unwrap_or(0))),
        output_tokens: u64_at(u, &["output_tokens"]),
        cache_read_tokens: cache_read,
        cache_write_tokens: None,
        reasoning_tokens: u64_at(u, &["output_tokens_details", "reasoning_tokens"]),
    }
}

// ------------------------------------------------------------ messages

/// Anthropic stop reasons (same mapping as the stream decoder).
pub(crate) fn messages_finish(raw: &str) -> FinishReason {
    match raw {
        "end_turn" | "stop_sequence" => FinishReason::Stop,
        "max_tokens" | "model_context_window_exceeded" => FinishReason::Length,
        "tool_use" => FinishReason::ToolCalls,
        "refusal" => FinishReason::Refusal,
        _ => FinishReason::Other,
    }
}

fn messages(root: &Map<String, Value>, out: &mut Vec<Event>) -> Result<(), ZenError> {
    let Some(blocks) = root.get("content").and_then(Value::as_array) else {
        return Err(not_a_response(WireFormat::Messages));
    };
    start(root, "id", "model", out);
    let raw_finish = root
        .get("stop_reason")
        .and_then(Value::as_str)
        .map(str::to_string);
    let finish = raw_finish.as_deref().map(messages_finish);
    let truncated = finish == Some(FinishReason::Length);
    let mut calls = 0u32;
    for block in blocks {
        match block.get("type").and_then(Value::as_str) {
            Some("text") => push_text(
                out,
                0,
                block.get("text").and_then(Value::as_str).unwrap_or(""),
                text_event,
            ),
            Some("thinking") => {
                push_text(
                    out,
                    0,
                    block.get("thinking").and_then(Value::as_str).unwrap_or(""),
                    reasoning_event,
                );
                if let Some(sig) = block
                    .get("signature")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                {
                    out.push(Event::ReasoningSignature {
                        choice: 0,
                        signature: sig.to_string(),
                    });
                }
            }
            Some("redacted_thinking") => {
                if let Some(data) = block.get("data").and_then(Value::as_str) {
                    out.push(Event::ReasoningRedacted {
                        choice: 0,
                        data: data.to_string(),
                    });
                }
            }
            Some("tool_use") => {
                push_tool_call(
                    out,
                    PendingToolCall {
                        choice: 0,
                        index: calls,
                        id: str_field(block, "id").unwrap_or_default(),
                        name: str_field(block, "name").unwrap_or_default(),
                        arguments: arguments_text(block.get("input")),
                    },
                    truncated,
                );
                calls = calls.saturating_add(1);
            }
            // server_tool_use, web_search_tool_result, …: not model output
            // the caller acts on.
            _ => {}
        }
    }
    if let Some(reason) = finish {
        out.push(Event::Finish {
            choice: 0,
            reason,
            raw: raw_finish,
        });
    }
    if let Some(usage) = root.get("usage").filter(|u| u.is_object()) {
        out.push(Event::Usage(messages_usage(usage)));
    }
    Ok(())
}

/// Anthropic usage is already Zen-shaped: `input_tokens` excludes cache
/// reads/writes, `output_tokens` includes thinking. Reasoning is reported
/// only by some gateways (`output_tokens_details.thinking_tokens`).
pub(crate) fn messages_usage(u: &Value) -> Usage {
    Usage {
        input_tokens: u64_at(u, &["input_tokens"]),
        output_tokens: u64_at(u, &["output_tokens"]),
        cache_read_tokens: u64_at(u, &["cache_read_input_tokens"]),
        cache_write_tokens: u64_at(u, &["cache_creation_input_tokens"]),
        reasoning_tokens: u64_at(u, &["output_tokens_details", "thinking_tokens"]),
    }
}

// -------------------------------------------------------------- gemini

/// Gemini finish reasons (same mapping as the stream decoder); `STOP` with
/// function calls means the model stopped to call tools.
pub(crate) fn gemini_finish(raw: &str, has_calls: bool) -> FinishReason {
    match raw {
        "STOP" if has_calls => FinishReason::ToolCalls,
        "STOP" => FinishReason::Stop,
        "MAX_TOKENS" => FinishReason::Length,
        "SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII" | "IMAGE_SAFETY" => {
            FinishReason::ContentFilter
        }
        _ => FinishReason::Other,
    }
}

fn gemini(root: &Map<String, Value>, out: &mut Vec<Event>) -> Result<(), ZenError> {
    let candidates = root.get("candidates").and_then(Value::as_array);
    let block_reason = root
        .get("promptFeedback")
        .and_then(|f| str_field(f, "blockReason"));
    if candidates.is_none() && block_reason.is_none() {
        return Err(not_a_response(WireFormat::Gemini));
    }
    start(root, "responseId", "modelVersion", out);
    for (pos, cand) in candidates.into_iter().flatten().enumerate() {
        let choice = index_of(cand, pos);
        let raw_finish = str_field(cand, "finishReason");
        let truncated = raw_finish.as_deref() == Some("MAX_TOKENS");
        let mut calls = 0u32;
        let parts = cand
            .get("content")
            .and_then(|c| c.get("parts"))
            .and_then(Value::as_array);
        for part in parts.into_iter().flatten() {
            let thought = part.get("thought").and_then(Value::as_bool) == Some(true);
            if let Some(t) = part.get("text").and_then(Value::as_str) {
                push_text(
                    out,
                    choice,
                    t,
                    if thought { reasoning_event } else { text_event },
                );
            }
            if let Some(call) = part.get("functionCall") {
                push_tool_call(
                    out,
                    PendingToolCall {
                        choice,
                        index: calls,
                        // Gemini matches results by name; ids are optional,
                        // so a stable one is made up when absent.
                        id: str_field(call, "id").unwrap_or_else(|| format!("call_{calls}")),
                        name: str_field(call, "name").unwrap_or_default(),
                        arguments: arguments_text(call.get("args")),
                    },
                    truncated,
                );
                calls = calls.saturating_add(1);
            }
            if let Some(sig) = part
                .get("thoughtSignature")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            {
                out.push(Event::ReasoningSignature {
                    choice,
                    signature: sig.to_string(),
                });
            }
        }
        if let Some(raw) = raw_finish {
            out.push(Event::Finish {
                choice,
                reason: gemini_finish(&raw, calls > 0),
                raw: Some(raw),
            });
        }
    }
    if candidates.is_none_or(|c| c.is_empty()) {
        if let Some(raw) = block_reason {
            // The prompt itself was blocked: no candidate, one filtered choice.
            out.push(Event::Finish {
                choice: 0,
                reason: FinishReason::ContentFilter,
                raw: Some(raw),
            });
        }
    }
    if let Some(usage) = root.get("usageMetadata").filter(|u| u.is_object()) {
        out.push(Event::Usage(gemini_usage(usage)));
    }
    Ok(())
}

/// Gemini usage → Zen semantics: `promptTokenCount` includes cached
/// content; `candidatesTokenCount` excludes thoughts, which are added.
pub(crate) fn gemini_usage(u: &Value) -> Usage {
    let cache_read = u64_at(u, &["cachedContentTokenCount"]);
    let thoughts = u64_at(u, &["thoughtsTokenCount"]);
    let candidates = u64_at(u, &["candidatesTokenCount"]);
    let output = match (candidates, thoughts) {
        (None, None) => None,
        (c, t) => Some(c.unwrap_or(0).saturating_add(t.unwrap_or(0))),
    };
    Usage {
        input_tokens: u64_at(u, &["promptTokenCount"])
            .map(|p| p.saturating_sub(cache_read.unwrap_or(0))),
        output_tokens: output,
        cache_read_tokens: cache_read,
        cache_write_tokens: None,
        reasoning_tokens: thoughts,
    }
}
