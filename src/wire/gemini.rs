//! Gemini stream decoder (`POST /models/{id}:streamGenerateContent?alt=sse`).
//!
//! Every SSE `data` payload is one `GenerateContentResponse`:
//!
//! * `candidates[].index` (default 0) is the choice. In `content.parts[]`,
//!   `text` → `textDelta`, or `reasoningDelta` when the part has
//!   `thought: true`; a `thoughtSignature` on any part → `reasoningSignature`
//!   (after the part's text); `functionCall` → `toolCallStart`, one
//!   `toolCallDelta` holding the serialized arguments, and `toolCall` — Gemini
//!   sends each call whole. The call id is `functionCall.id` when present,
//!   otherwise `call_<n>` with n the call's index within the choice (Gemini
//!   matches function responses by name, so the id only has to be stable
//!   within the response). `inlineData` parts (generated images) and other
//!   part kinds are skipped without being materialized.
//! * `responseId` / `modelVersion` → `start`, once.
//! * `usageMetadata` is cumulative; it is emitted whenever it changes, in Zen
//!   semantics: input = prompt − cached, cacheRead = cached, output =
//!   candidates + thoughts, reasoning = thoughts.
//! * `finishReason`: `STOP` → stop (toolCalls when the candidate produced
//!   function calls), `MAX_TOKENS` → length, safety-type reasons → contentFilter,
//!   anything else → other; the raw reason is kept.
//! * `promptFeedback.blockReason` (the prompt itself was blocked, no
//!   candidates) → choice 0 finishes with contentFilter and the raw block
//!   reason. It is a result, not a failure: no error event, because retrying
//!   the same prompt would be blocked again.
//! * `{"error":{code,message,status}}` → an error event (kind from `status`,
//!   else from the HTTP `code`, else from a Zen/Anthropic-shaped `type`);
//!   choices that had output and no finish finish with reason `error`.
//! * Zen's cost frame (`{"type":"ping","cost":…,"normalizedUsage":…}`) →
//!   `cost` (+ `usage`).
//!
//! Invalid JSON yields a `protocol` error and decoding goes on. A body that
//! ends before any candidate finished yields a retryable `network` error.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{error_type_kind, ErrorKind};
use crate::event::{Event, FinishReason, Usage};
use crate::sse::SseEventRef;
use crate::wire::event_data::{ended_early_event, parse_event_data};
use crate::wire::text_or::TextOr;
use crate::wire::zen_cost::{lenient_cost, push_cost_events, ZenNormalizedUsage};
use crate::wire::WireDecoder;

/// Decodes Gemini SSE events into unified events.
#[derive(Debug, Default)]
pub struct GeminiDecoder {
    /// `start` was emitted.
    started: bool,
    /// Per-candidate state, sorted by choice index (usually one entry).
    choices: Vec<CandidateState>,
    /// The last usage emitted, to skip unchanged repeats.
    last_usage: Option<Usage>,
    /// At least one frame was decoded.
    saw_frame: bool,
    /// An error event ended the stream.
    failed: bool,
}

#[derive(Debug, Default)]
struct CandidateState {
    choice: u32,
    /// Function calls so far: the next tool-call index.
    tool_calls: u32,
    /// An output event was emitted for this choice.
    output: bool,
    /// `finish` was emitted for this choice.
    finished: bool,
}

/// One `GenerateContentResponse` (plus the fields of Zen's cost frame and of
/// error bodies). Unknown fields — including large `inlineData` payloads — are
/// skipped by the parser without allocation.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Frame<'a> {
    candidates: Option<Vec<Candidate>>,
    usage_metadata: Option<UsageMetadata>,
    /// Repeated on every chunk but used once: borrowed, not allocated.
    #[serde(borrow)]
    model_version: Option<Text<'a>>,
    #[serde(borrow)]
    response_id: Option<Text<'a>>,
    prompt_feedback: Option<PromptFeedback>,
    error: Option<WireError>,
    #[serde(default, deserialize_with = "lenient_cost")]
    cost: Option<String>,
    normalized_usage: Option<ZenNormalizedUsage>,
}

/// A string borrowed from the event data when it has no escapes.
/// (`Option<Cow<str>>` fields would always allocate.)
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Candidate {
    index: Option<u32>,
    content: Option<Content>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Content {
    parts: Option<Vec<Part>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Part {
    text: Option<String>,
    thought: Option<bool>,
    thought_signature: Option<String>,
    function_call: Option<FunctionCall>,
}

#[derive(Deserialize)]
struct FunctionCall {
    id: Option<String>,
    name: Option<String>,
    /// Read once per call, never on a per-token path.
    args: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsageMetadata {
    prompt_token_count: Option<u64>,
    candidates_token_count: Option<u64>,
    thoughts_token_count: Option<u64>,
    cached_content_token_count: Option<u64>,
}

impl UsageMetadata {
    /// Gemini's prompt count includes cached tokens and its candidates count
    /// excludes thoughts; Zen's usage is the other way round on both.
    fn to_usage(&self) -> Usage {
        let output = match (self.candidates_token_count, self.thoughts_token_count) {
            (None, None) => None,
            (c, t) => Some(c.unwrap_or(0).saturating_add(t.unwrap_or(0))),
        };
        Usage {
            input_tokens: self
                .prompt_token_count
                .map(|p| p.saturating_sub(self.cached_content_token_count.unwrap_or(0))),
            output_tokens: output,
            cache_read_tokens: self.cached_content_token_count,
            cache_write_tokens: None,
            reasoning_tokens: self.thoughts_token_count,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromptFeedback {
    block_reason: Option<String>,
}

/// Google's error object; Zen's own errors use `type` instead of `status`.
/// Error bodies are rare, so a loose shape costs nothing.
type WireError = TextOr<WireErrorObject>;

/// The object form of [`WireError`].
#[derive(Deserialize)]
struct WireErrorObject {
    code: Option<Value>,
    message: Option<String>,
    status: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// The unified reason of a Gemini `finishReason`.
fn finish_reason(raw: &str, made_calls: bool) -> FinishReason {
    match raw {
        "STOP" if made_calls => FinishReason::ToolCalls,
        "STOP" => FinishReason::Stop,
        "MAX_TOKENS" => FinishReason::Length,
        "SAFETY"
        | "RECITATION"
        | "BLOCKLIST"
        | "PROHIBITED_CONTENT"
        | "SPII"
        | "IMAGE_SAFETY"
        | "IMAGE_PROHIBITED_CONTENT"
        | "IMAGE_RECITATION" => FinishReason::ContentFilter,
        _ => FinishReason::Other,
    }
}

impl WireDecoder for GeminiDecoder {
    fn on_event(&mut self, event: &SseEventRef<'_>, out: &mut Vec<Event>) {
        let Some(frame) = parse_event_data::<Frame>("Gemini", event.data, out) else {
            return;
        };
        self.saw_frame = true;
        if !self.started && (frame.response_id.is_some() || frame.model_version.is_some()) {
            self.started = true;
            out.push(Event::Start {
                id: frame.response_id.map(|t| t.0.into_owned()),
                model: frame.model_version.map(|t| t.0.into_owned()),
            });
        }
        for candidate in frame.candidates.into_iter().flatten() {
            self.on_candidate(candidate, out);
        }
        if let Some(usage) = frame.usage_metadata {
            let usage = usage.to_usage();
            if !usage.is_empty() && self.last_usage.as_ref() != Some(&usage) {
                self.last_usage = Some(usage.clone());
                out.push(Event::Usage(usage));
            }
        }
        if let Some(block_reason) = frame
            .prompt_feedback
            .and_then(|f| f.block_reason)
            .filter(|r| !r.is_empty() && r != "BLOCK_REASON_UNSPECIFIED")
        {
            let state = self.state(0);
            if !state.finished {
                state.finished = true;
                out.push(Event::Finish {
                    choice: 0,
                    reason: FinishReason::ContentFilter,
                    raw: Some(block_reason),
                });
            }
        }
        if let Some(error) = frame.error {
            self.on_error(error, out);
        }
        if frame.cost.is_some() || frame.normalized_usage.is_some() {
            push_cost_events(frame.cost, frame.normalized_usage.as_ref(), out);
        }
    }

    fn finish(&mut self, out: &mut Vec<Event>) {
        if self.failed || self.choices.iter().any(|c| c.finished) {
            return;
        }
        out.push(ended_early_event(
            "Gemini",
            self.saw_frame,
            "any candidate finished",
        ));
        self.failed = true;
    }
}

impl GeminiDecoder {
    /// The state of choice `choice`, created on first use.
    fn state(&mut self, choice: u32) -> &mut CandidateState {
        let pos = match self.choices.binary_search_by_key(&choice, |c| c.choice) {
            Ok(pos) => pos,
            Err(pos) => {
                self.choices.insert(
                    pos,
                    CandidateState {
                        choice,
                        ..CandidateState::default()
                    },
                );
                pos
            }
        };
        &mut self.choices[pos]
    }

    fn on_candidate(&mut self, candidate: Candidate, out: &mut Vec<Event>) {
        let choice = candidate.index.unwrap_or(0);
        let state = self.state(choice);
        let first_new = out.len();
        let parts = candidate.content.and_then(|c| c.parts).unwrap_or_default();
        for part in parts {
            if let Some(text) = part.text.filter(|t| !t.is_empty()) {
                out.push(if part.thought == Some(true) {
                    Event::ReasoningDelta { choice, text }
                } else {
                    Event::TextDelta { choice, text }
                });
            }
            if let Some(signature) = part.thought_signature.filter(|s| !s.is_empty()) {
                out.push(Event::ReasoningSignature { choice, signature });
            }
            if let Some(call) = part.function_call {
                let index = state.tool_calls;
                state.tool_calls = state.tool_calls.saturating_add(1);
                push_function_call(choice, index, call, out);
            }
        }
        if out[first_new..].iter().any(Event::is_output) {
            state.output = true;
        }
        if let Some(raw) = candidate.finish_reason.filter(|r| !r.is_empty()) {
            if !state.finished {
                state.finished = true;
                out.push(Event::Finish {
                    choice,
                    reason: finish_reason(&raw, state.tool_calls > 0),
                    raw: Some(raw),
                });
            }
        }
    }

    fn on_error(&mut self, error: WireError, out: &mut Vec<Event>) {
        let (code, message, status, error_type) = match error {
            TextOr::Object(WireErrorObject {
                code,
                message,
                status,
                kind,
            }) => (code, message, status, kind),
            TextOr::Text(message) => (None, Some(message), None, None),
        };
        let code = code.as_ref().and_then(|c| match c {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        });
        let kind = status
            .as_deref()
            .and_then(error_type_kind)
            .or_else(|| {
                code.and_then(|c| u16::try_from(c).ok())
                    .and_then(ErrorKind::from_status)
            })
            .or_else(|| error_type.as_deref().and_then(error_type_kind))
            .unwrap_or(ErrorKind::Unknown);
        let raw = status.or(error_type);
        let message = message
            .filter(|m| !m.is_empty())
            .or_else(|| raw.clone())
            .unwrap_or_else(|| "the Gemini stream reported an error".into());
        out.push(Event::Error {
            kind,
            message,
            retryable: kind.is_retryable(),
        });
        for state in &mut self.choices {
            if state.output && !state.finished {
                state.finished = true;
                out.push(Event::Finish {
                    choice: state.choice,
                    reason: FinishReason::Error,
                    raw: raw.clone(),
                });
            }
        }
        self.failed = true;
    }
}

/// A whole function call: start, its arguments as one fragment, the call.
fn push_function_call(choice: u32, index: u32, call: FunctionCall, out: &mut Vec<Event>) {
    let id = call
        .id
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| format!("call_{index}"));
    let name = call.name.unwrap_or_default();
    let arguments = match call.args {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(args) => args,
    };
    out.push(Event::ToolCallStart {
        choice,
        index,
        id: id.clone(),
        name: name.clone(),
    });
    out.push(Event::ToolCallDelta {
        choice,
        index,
        arguments_delta: arguments.to_string(),
    });
    out.push(Event::ToolCall {
        choice,
        index,
        id,
        name,
        arguments,
    });
}
