//! Gemini stream decoder (`POST /models/{id}:streamGenerateContent?alt=sse`).
//!
//! Every SSE `data` payload is one `GenerateContentResponse`:
//!
//! * `candidates[].index` (default 0) is the choice. In `content.parts[]`,
//!   `text` → `textDelta`, or `reasoningDelta` when the part has
//!   `thought: true`; a `thoughtSignature` on any part → `reasoningSignature`
//!   (after the part's text, before its call); `functionCall` →
//!   `toolCallStart`, one `toolCallDelta` holding the serialized arguments,
//!   and `toolCall` — Gemini sends each call whole, so a call is never
//!   reported cut off, even in a candidate that ends with `MAX_TOKENS`. The call id is `functionCall.id` when present,
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
//! * `{"error":{code,message,status}}` → an error event (kind as an HTTP
//!   error body with these names would have it);
//!   choices that had output and no finish finish with reason `error`.
//! * Zen's cost frame (`{"type":"ping","cost":…,"normalizedUsage":…}`) →
//!   `cost` (+ `usage`).
//!
//! Invalid JSON yields a `protocol` error and decoding goes on. A body that
//! ends before any candidate finished yields a retryable `network` error.
//!
//! A non-streaming body is one such chunk and is decoded by this same code
//! (`response_events`).

use std::borrow::Cow;

use crate::event::{Event, FinishReason, Usage};
use crate::json::{JsonError, Reader};
use crate::sse::SseEventRef;
use crate::wire::event_data::{
    ended_early_event, payload, read_event_data, reported_error_event, WireError,
};
use crate::wire::fields::{
    self, optional_array, optional_bool, optional_object, optional_raw, optional_str, optional_u32,
};
use crate::wire::zen_cost::{push_cost_events, ZenNormalizedUsage};
use crate::wire::{value_arguments, PendingToolCall, WireDecoder};

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

/// What the decoder remembers about one candidate (choice).
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
/// error bodies), walked in one pass. Unknown fields — including large
/// `inlineData` payloads — are skipped by scanning, never built; strings are
/// borrowed from the event data unless they hold escapes (`modelVersion` and
/// `responseId` repeat on every chunk but are used once).
///
/// Fields are typed as Google documents them: a wrong type (a numeric
/// `text`, a string `index`) refuses the frame with a protocol error, except
/// Zen's `cost` and `normalizedUsage`, which are read leniently. A key given
/// twice keeps its last value.
#[derive(Default)]
struct Frame<'a> {
    /// `candidates`; absent and `null` read as none.
    candidates: Vec<Candidate<'a>>,
    usage_metadata: Option<UsageMetadata>,
    model_version: Option<Cow<'a, str>>,
    response_id: Option<Cow<'a, str>>,
    /// `promptFeedback.blockReason`.
    block_reason: Option<Cow<'a, str>>,
    error: Option<WireError<'a>>,
    cost: Option<String>,
    normalized_usage: Option<ZenNormalizedUsage>,
}

impl<'a> Frame<'a> {
    /// Walks one payload (which must be an object) into `self` (a default
    /// frame). Filled in place, not returned: moving the frame through
    /// `Result` and `Option` cost more than reading it.
    fn read(&mut self, r: &mut Reader<'a>) -> Result<(), JsonError> {
        r.begin_object()?;
        let f = self;
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                "candidates" => {
                    f.candidates.clear();
                    if optional_array(r)? {
                        while r.next_item()? {
                            f.candidates.push(Candidate::default());
                            if let Some(candidate) = f.candidates.last_mut() {
                                candidate.read(r)?;
                            }
                        }
                    }
                }
                "usageMetadata" => UsageMetadata::read(r, &mut f.usage_metadata)?,
                "modelVersion" => optional_str(r, &mut f.model_version)?,
                "responseId" => optional_str(r, &mut f.response_id)?,
                "promptFeedback" => {
                    f.block_reason = None;
                    if optional_object(r)? {
                        while let Some(key) = r.next_key()? {
                            match key.as_ref() {
                                "blockReason" => optional_str(r, &mut f.block_reason)?,
                                _ => r.skip()?,
                            }
                        }
                    }
                }
                "error" => WireError::read(r, &mut f.error)?,
                "cost" => fields::cost(r, &mut f.cost)?,
                "normalizedUsage" => ZenNormalizedUsage::read(r, &mut f.normalized_usage)?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

/// One element of `candidates`.
#[derive(Default)]
struct Candidate<'a> {
    index: Option<u32>,
    /// `content.parts`; absent and `null` read as none.
    parts: Vec<Part<'a>>,
    finish_reason: Option<Cow<'a, str>>,
}

impl<'a> Candidate<'a> {
    /// Reads one candidate, which must be an object, into `self` (a
    /// default candidate).
    fn read(&mut self, r: &mut Reader<'a>) -> Result<(), JsonError> {
        r.begin_object()?;
        let c = self;
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                "index" => optional_u32(r, &mut c.index)?,
                "content" => {
                    c.parts.clear();
                    if optional_object(r)? {
                        while let Some(key) = r.next_key()? {
                            match key.as_ref() {
                                "parts" => {
                                    c.parts.clear();
                                    if optional_array(r)? {
                                        while r.next_item()? {
                                            c.parts.push(Part::default());
                                            if let Some(part) = c.parts.last_mut() {
                                                part.read(r)?;
                                            }
                                        }
                                    }
                                }
                                _ => r.skip()?,
                            }
                        }
                    }
                }
                "finishReason" => optional_str(r, &mut c.finish_reason)?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

/// One element of `content.parts`.
#[derive(Default)]
struct Part<'a> {
    text: Option<Cow<'a, str>>,
    thought: Option<bool>,
    thought_signature: Option<Cow<'a, str>>,
    function_call: Option<FunctionCall<'a>>,
}

impl<'a> Part<'a> {
    /// Reads one part, which must be an object; `inlineData` and other part
    /// kinds are skipped. Fills `self` (a default part).
    fn read(&mut self, r: &mut Reader<'a>) -> Result<(), JsonError> {
        r.begin_object()?;
        let p = self;
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                "text" => optional_str(r, &mut p.text)?,
                "thought" => optional_bool(r, &mut p.thought)?,
                "thoughtSignature" => optional_str(r, &mut p.thought_signature)?,
                "functionCall" => FunctionCall::read(r, &mut p.function_call)?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

/// A part's `functionCall`.
#[derive(Default)]
struct FunctionCall<'a> {
    id: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
    /// The `args` value's text (`None` for `null`), parsed once the call
    /// is complete.
    args: Option<&'a str>,
}

impl<'a> FunctionCall<'a> {
    fn read(r: &mut Reader<'a>, slot: &mut Option<Self>) -> Result<(), JsonError> {
        *slot = None;
        if !optional_object(r)? {
            return Ok(());
        }
        let call = slot.insert(FunctionCall::default());
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                "id" => optional_str(r, &mut call.id)?,
                "name" => optional_str(r, &mut call.name)?,
                "args" => call.args = optional_raw(r)?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

/// Gemini's `usageMetadata`.
#[derive(Default)]
struct UsageMetadata {
    prompt_token_count: Option<u64>,
    candidates_token_count: Option<u64>,
    thoughts_token_count: Option<u64>,
    cached_content_token_count: Option<u64>,
}

impl UsageMetadata {
    fn read(r: &mut Reader<'_>, slot: &mut Option<Self>) -> Result<(), JsonError> {
        *slot = None;
        if !optional_object(r)? {
            return Ok(());
        }
        let u = slot.insert(UsageMetadata::default());
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                "promptTokenCount" => fields::count(r, &mut u.prompt_token_count)?,
                "candidatesTokenCount" => fields::count(r, &mut u.candidates_token_count)?,
                "thoughtsTokenCount" => fields::count(r, &mut u.thoughts_token_count)?,
                "cachedContentTokenCount" => fields::count(r, &mut u.cached_content_token_count)?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }

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

/// The unified reason of a Gemini `finishReason`; `STOP` with function
/// calls means the model stopped to call tools.
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

/// Whether a `promptFeedback.blockReason` says the prompt was blocked.
fn is_block_reason(reason: &str) -> bool {
    !reason.is_empty() && reason != "BLOCK_REASON_UNSPECIFIED"
}

/// Decodes a non-streaming body (`:generateContent`). The body is exactly
/// one stream chunk, a `GenerateContentResponse`, so it is read by the same
/// [`Frame`] reader and turned into events by a fresh [`GeminiDecoder`]:
/// what a part, a candidate, a finish reason, usage or Zen's cost mean lives
/// in one place for both paths. A whole body is complete, so there is no
/// end-of-stream check. `false` (nothing appended) when `body` is not a
/// Gemini response: a field of the wrong type, or neither a candidate nor
/// a prompt block reason.
pub(crate) fn response_events(body: &str, out: &mut Vec<Event>) -> bool {
    let mut frame = Frame::default();
    let mut r = Reader::new(body);
    let read = frame.read(&mut r).and_then(|()| r.end());
    let blocked = frame.block_reason.as_deref().is_some_and(is_block_reason);
    if read.is_err() || (frame.candidates.is_empty() && !blocked) {
        return false;
    }
    GeminiDecoder::default().on_frame(frame, out);
    true
}

impl WireDecoder for GeminiDecoder {
    fn on_event(&mut self, event: &SseEventRef<'_>, out: &mut Vec<Event>) {
        let Some(data) = payload(event.data) else {
            return;
        };
        let mut frame = Frame::default();
        if read_event_data("Gemini", data, out, |r| frame.read(r)).is_some() {
            self.on_frame(frame, out);
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
    /// The events of one chunk (of a stream, or a whole body).
    fn on_frame(&mut self, frame: Frame<'_>, out: &mut Vec<Event>) {
        self.saw_frame = true;
        if !self.started && (frame.response_id.is_some() || frame.model_version.is_some()) {
            self.started = true;
            out.push(Event::Start {
                id: frame.response_id.map(Cow::into_owned),
                model: frame.model_version.map(Cow::into_owned),
            });
        }
        for candidate in frame.candidates {
            self.on_candidate(candidate, out);
        }
        if let Some(usage) = frame.usage_metadata {
            let usage = usage.to_usage();
            if !usage.is_empty() && self.last_usage.as_ref() != Some(&usage) {
                self.last_usage = Some(usage.clone());
                out.push(Event::Usage(usage));
            }
        }
        if let Some(block_reason) = frame.block_reason.filter(|r| is_block_reason(r)) {
            let state = self.state(0);
            if !state.finished {
                state.finished = true;
                out.push(Event::Finish {
                    choice: 0,
                    reason: FinishReason::ContentFilter,
                    raw: Some(block_reason.into_owned()),
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

    /// Every candidate seen has its `finishReason` (or the prompt was
    /// blocked) and `usageMetadata` arrived, without an error: the usage is
    /// final. (`usageMetadata` rides on every chunk and grows until then.)
    pub fn terminal_seen(&self) -> bool {
        !self.failed
            && !self.choices.is_empty()
            && self.choices.iter().all(|c| c.finished)
            && self.last_usage.is_some()
    }

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

    fn on_candidate(&mut self, candidate: Candidate<'_>, out: &mut Vec<Event>) {
        let choice = candidate.index.unwrap_or(0);
        let state = self.state(choice);
        let first_new = out.len();
        for part in candidate.parts {
            if let Some(text) = part.text.filter(|t| !t.is_empty()) {
                let text = text.into_owned();
                out.push(if part.thought == Some(true) {
                    Event::ReasoningDelta { choice, text }
                } else {
                    Event::TextDelta { choice, text }
                });
            }
            // A signature signs the thinking that led to its part. It goes
            // out before the part's call, closing that reasoning before the
            // calls it led to (Gemini 3 signs the first call of a step):
            // reasoning → signature → calls, as Anthropic's signature_delta
            // and a Responses reasoning item order them. It goes out after
            // the part's text: a stream sends a signed text over several
            // chunks with the signature on the last (or on an empty part
            // after it), so text first is the order both paths can keep.
            if let Some(signature) = part.thought_signature.filter(|s| !s.is_empty()) {
                out.push(Event::ReasoningSignature {
                    choice,
                    signature: signature.into_owned(),
                });
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
                    raw: Some(raw.into_owned()),
                });
            }
        }
    }

    fn on_error(&mut self, error: WireError<'_>, out: &mut Vec<Event>) {
        let kind = error.names().kind();
        let WireError {
            message,
            status,
            error_type,
            ..
        } = error;
        let raw = status.or(error_type).map(Cow::into_owned);
        out.push(reported_error_event(
            kind,
            message,
            raw.as_deref(),
            "the Gemini stream reported an error",
        ));
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

/// A whole function call: start, its arguments as one fragment, the call
/// (or `toolCallInvalid`, when the arguments make no JSON tree).
///
/// Never truncated, whatever the candidate's `finishReason`: Gemini sends
/// `args` as a parsed object (a protobuf `Struct`), and a call the model
/// could not finish is not sent at all (the candidate ends with
/// `MALFORMED_FUNCTION_CALL` instead). So a call in a candidate that ends
/// with `MAX_TOKENS` is whole: the limit cut what came after it, the choice
/// finishes with `length`, and the call stays executable, streamed or not.
fn push_function_call(choice: u32, index: u32, call: FunctionCall<'_>, out: &mut Vec<Event>) {
    let id = call
        .id
        .filter(|id| !id.is_empty())
        .map_or_else(|| format!("call_{index}"), Cow::into_owned);
    let call = PendingToolCall {
        choice,
        index,
        id,
        name: call.name.map(Cow::into_owned).unwrap_or_default(),
        // Never empty (`{}` at least), so the announcement always carries
        // the arguments as one delta.
        arguments: call.args.map_or_else(|| "{}".to_owned(), value_arguments),
    };
    call.announce(out);
    out.push(call.complete(false));
}
