//! OpenAI Responses stream decoder (`POST /responses`, Zen's `openai` format).
//!
//! Dispatch is on the JSON `type` field, falling back to the SSE `event:`
//! name only when the JSON has none (compatible servers omit `event:` lines).
//! Everything is choice 0: the Responses API has no `n`.
//!
//! Choices worth knowing:
//! * Tool calls use the item's `call_id` (what a `function_call_output` must
//!   reference), not the item id (`fc_…`); the unified `index` counts function
//!   calls in order of appearance across the whole stream.
//! * Reasoning summary parts (and raw reasoning content parts) are separated by
//!   `"\n\n"`: a delta that opens a new part after earlier reasoning text is
//!   prefixed with it, so the joined reasoning reads as paragraphs.
//! * A reasoning item's `encrypted_content` (present with
//!   `include: ["reasoning.encrypted_content"]`) is emitted as
//!   `reasoningSignature` when the item is done: it is the opaque blob that
//!   must be replayed verbatim, and pairing it with the summary text just
//!   streamed gives the accumulator a replayable block. The item id is not
//!   kept: stateless replay (store=false) needs only the encrypted content.
//! * Zen's `ping` frames carry `cost` (and sometimes `normalizedUsage`); a
//!   `cost` at the top level of any event is reported. Pings after
//!   `response.completed` are normal.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::Value;

use super::openai::{error_event, invalid_json, lenient_count, lenient_text, StreamedCall};
use super::zen_cost::{lenient_cost, push_cost_events, ZenNormalizedUsage};
use crate::error::ErrorKind;
use crate::event::{Event, FinishReason, Usage};
use crate::sse::SseEventRef;
use crate::wire::WireDecoder;

/// Decodes Responses SSE events into unified events.
#[derive(Debug, Default)]
pub struct ResponsesDecoder {
    /// `start` was emitted.
    started: bool,
    /// Function calls of the stream, by item id; completed ones stay (marked
    /// done) so a late `output_item.done` does not report them twice.
    calls: Vec<ResponsesCall>,
    /// The next unified tool call index.
    next_index: u32,
    /// The current response made a function call (finish → toolCalls).
    made_calls: bool,
    /// An `error` event was already reported for the current response.
    error_reported: bool,
    /// The reasoning part the last reasoning delta belonged to.
    reasoning_part: Option<ReasoningPart>,
}

#[derive(Debug)]
struct ResponsesCall {
    item_id: String,
    /// `None` once completed.
    streamed: Option<StreamedCall>,
}

#[derive(Debug, PartialEq)]
struct ReasoningPart {
    item_id: String,
    index: u64,
    summary: bool,
}

#[derive(Deserialize)]
struct StreamEvent<'a> {
    #[serde(rename = "type", borrow, default, deserialize_with = "lenient_text")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    delta: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    item_id: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "lenient_count")]
    summary_index: Option<u64>,
    #[serde(default, deserialize_with = "lenient_count")]
    content_index: Option<u64>,
    #[serde(borrow, default)]
    item: Option<Item<'a>>,
    #[serde(borrow, default)]
    response: Option<Response<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    arguments: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    code: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    message: Option<Cow<'a, str>>,
    /// Cold and variably shaped: read as a tree.
    #[serde(default)]
    error: Option<Value>,
    #[serde(default, deserialize_with = "lenient_cost")]
    cost: Option<String>,
    #[serde(default, rename = "normalizedUsage")]
    normalized_usage: Option<ZenNormalizedUsage>,
}

#[derive(Deserialize)]
struct Item<'a> {
    #[serde(rename = "type", borrow, default, deserialize_with = "lenient_text")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    call_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    arguments: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    encrypted_content: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Response<'a> {
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    model: Option<Cow<'a, str>>,
    #[serde(default)]
    usage: Option<ResponsesUsage>,
    #[serde(borrow, default)]
    incomplete_details: Option<IncompleteDetails<'a>>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct IncompleteDetails<'a> {
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    reason: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct ResponsesUsage {
    #[serde(default, deserialize_with = "lenient_count")]
    input_tokens: Option<u64>,
    #[serde(default, deserialize_with = "lenient_count")]
    output_tokens: Option<u64>,
    #[serde(default)]
    input_tokens_details: Option<InputDetails>,
    #[serde(default)]
    output_tokens_details: Option<OutputDetails>,
}

#[derive(Deserialize)]
struct InputDetails {
    #[serde(default, deserialize_with = "lenient_count")]
    cached_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct OutputDetails {
    #[serde(default, deserialize_with = "lenient_count")]
    reasoning_tokens: Option<u64>,
}

impl ResponsesUsage {
    /// Zen semantics: input excludes cached tokens; output (which already
    /// includes reasoning here) is kept as is.
    fn to_usage(&self) -> Usage {
        let cached = self
            .input_tokens_details
            .as_ref()
            .and_then(|d| d.cached_tokens);
        Usage {
            input_tokens: self
                .input_tokens
                .map(|i| i.saturating_sub(cached.unwrap_or(0))),
            output_tokens: self.output_tokens,
            cache_read_tokens: cached,
            cache_write_tokens: None,
            reasoning_tokens: self
                .output_tokens_details
                .as_ref()
                .and_then(|d| d.reasoning_tokens),
        }
    }
}

/// How calls left open by a response's end are reported.
enum Unfinished<'r> {
    /// Completed normally (their arguments decide).
    Complete,
    /// Cut by the output token limit.
    Truncated,
    /// Invalid for this reason.
    Invalid(&'r str),
}

impl ResponsesDecoder {
    fn on_stream_event(
        &mut self,
        ev: StreamEvent<'_>,
        sse_name: Option<&str>,
        out: &mut Vec<Event>,
    ) {
        if !self.started {
            if let Some(r) = ev
                .response
                .as_ref()
                .filter(|r| r.id.is_some() || r.model.is_some())
            {
                self.started = true;
                out.push(Event::Start {
                    id: r.id.as_deref().map(str::to_owned),
                    model: r.model.as_deref().map(str::to_owned),
                });
            }
        }
        let kind = ev.kind.as_deref().or(sse_name).unwrap_or("");
        match kind {
            "response.created" => {
                // A new response (multi-step streams concatenate several).
                self.made_calls = false;
                self.error_reported = false;
            }
            "response.output_text.delta" => {
                if let Some(text) = ev.delta.filter(|t| !t.is_empty()) {
                    out.push(Event::TextDelta {
                        choice: 0,
                        text: text.into_owned(),
                    });
                }
            }
            "response.refusal.delta" => {
                if let Some(text) = ev.delta.filter(|t| !t.is_empty()) {
                    out.push(Event::RefusalDelta {
                        choice: 0,
                        text: text.into_owned(),
                    });
                }
            }
            "response.reasoning_summary_text.delta" => {
                self.on_reasoning(&ev, ev.summary_index, true, out);
            }
            "response.reasoning_text.delta" => {
                self.on_reasoning(&ev, ev.content_index, false, out);
            }
            "response.output_item.added" => {
                if let Some(item) = ev.item.as_ref().filter(|i| is_function_call(i)) {
                    let Some(item_id) = item.id.as_deref().or(item.call_id.as_deref()) else {
                        return;
                    };
                    let pos = self.call_for(item_id);
                    if let Some(s) = self.streamed(pos) {
                        s.learn(item.call_id.as_deref(), item.name.as_deref());
                        if let Some(args) = item.arguments.as_deref() {
                            s.push_arguments(args, out);
                        }
                        s.try_start(out);
                    }
                }
            }
            "response.function_call_arguments.delta" => {
                let (Some(item_id), Some(delta)) = (ev.item_id.as_deref(), ev.delta.as_deref())
                else {
                    return;
                };
                let pos = self.call_for(item_id);
                if let Some(s) = self.streamed(pos) {
                    s.push_arguments(delta, out);
                }
            }
            "response.function_call_arguments.done" => {
                let Some(item_id) = ev.item_id.as_deref() else {
                    return;
                };
                let pos = self.call_for(item_id);
                let ready = match self.streamed(pos) {
                    Some(s) => {
                        if let Some(full) = ev.arguments.as_deref() {
                            s.settle_arguments(full, out);
                        }
                        s.try_start(out);
                        s.has_started()
                    }
                    None => false,
                };
                // Without call_id/name (output_item.added was missed) the
                // call waits for output_item.done, which carries them.
                if ready {
                    self.complete_at(pos, false, out);
                }
            }
            "response.output_item.done" => match ev.item.as_ref() {
                Some(item) if is_function_call(item) => {
                    let Some(item_id) = item.id.as_deref().or(item.call_id.as_deref()) else {
                        return;
                    };
                    let pos = self.call_for(item_id);
                    if let Some(s) = self.streamed(pos) {
                        s.learn(item.call_id.as_deref(), item.name.as_deref());
                        if let Some(full) = item.arguments.as_deref() {
                            s.settle_arguments(full, out);
                        }
                        s.try_start(out);
                    }
                    self.complete_at(pos, false, out);
                }
                Some(item) if item.kind.as_deref() == Some("reasoning") => {
                    if let Some(sig) = item.encrypted_content.as_deref().filter(|s| !s.is_empty()) {
                        out.push(Event::ReasoningSignature {
                            choice: 0,
                            signature: sig.to_owned(),
                        });
                    }
                }
                _ => {}
            },
            "response.completed" => {
                self.close_calls(Unfinished::Complete, out);
                self.push_usage(ev.response.as_ref(), out);
                let reason = if self.made_calls {
                    FinishReason::ToolCalls
                } else {
                    FinishReason::Stop
                };
                out.push(Event::Finish {
                    choice: 0,
                    reason,
                    raw: Some("completed".into()),
                });
            }
            "response.incomplete" => {
                let raw = ev
                    .response
                    .as_ref()
                    .and_then(|r| r.incomplete_details.as_ref())
                    .and_then(|d| d.reason.as_deref())
                    .unwrap_or("incomplete")
                    .to_owned();
                let (reason, unfinished) = match raw.as_str() {
                    "max_output_tokens" => (FinishReason::Length, Unfinished::Truncated),
                    "content_filter" => (
                        FinishReason::ContentFilter,
                        Unfinished::Invalid(
                            "the content filter stopped the output before the call finished",
                        ),
                    ),
                    _ => (
                        FinishReason::Other,
                        Unfinished::Invalid(
                            "the response ended incomplete before the call finished",
                        ),
                    ),
                };
                self.close_calls(unfinished, out);
                self.push_usage(ev.response.as_ref(), out);
                out.push(Event::Finish {
                    choice: 0,
                    reason,
                    raw: Some(raw),
                });
            }
            "response.failed" => {
                self.close_calls(
                    Unfinished::Invalid("the response failed before the call finished"),
                    out,
                );
                if !self.error_reported {
                    self.error_reported = true;
                    let err = ev
                        .response
                        .as_ref()
                        .and_then(|r| r.error.as_ref())
                        .filter(|e| !e.is_null());
                    out.push(match err {
                        Some(e) => error_event(Some(e), None, None),
                        None => Event::Error {
                            kind: ErrorKind::Unknown,
                            message: "the response failed without an error message".into(),
                            retryable: false,
                        },
                    });
                }
                self.push_usage(ev.response.as_ref(), out);
                out.push(Event::Finish {
                    choice: 0,
                    reason: FinishReason::Error,
                    raw: Some("failed".into()),
                });
            }
            "error" => {
                self.error_reported = true;
                let err = ev.error.as_ref().filter(|e| !e.is_null());
                out.push(error_event(err, ev.code.as_deref(), ev.message.as_deref()));
            }
            _ => {
                // A typeless frame carrying only an `error` (compatible
                // servers, upstream failures) is still an error.
                if ev.kind.is_none() {
                    if let Some(err) = ev.error.as_ref().filter(|e| !e.is_null()) {
                        out.push(error_event(Some(err), None, None));
                    }
                }
            }
        }
        push_cost_events(ev.cost, ev.normalized_usage.as_ref(), out);
    }

    fn on_reasoning(
        &mut self,
        ev: &StreamEvent<'_>,
        index: Option<u64>,
        summary: bool,
        out: &mut Vec<Event>,
    ) {
        let Some(text) = ev.delta.as_deref().filter(|t| !t.is_empty()) else {
            return;
        };
        let part = ReasoningPart {
            item_id: ev.item_id.as_deref().unwrap_or("").to_owned(),
            index: index.unwrap_or(0),
            summary,
        };
        let text = match &self.reasoning_part {
            Some(last) if *last == part => text.to_owned(),
            Some(_) => {
                self.reasoning_part = Some(part);
                format!("\n\n{text}")
            }
            None => {
                self.reasoning_part = Some(part);
                text.to_owned()
            }
        };
        out.push(Event::ReasoningDelta { choice: 0, text });
    }

    /// The position of the (open or completed) call for `item_id`, creating
    /// an open one if the stream never announced it.
    fn call_for(&mut self, item_id: &str) -> usize {
        if let Some(pos) = self.calls.iter().rposition(|c| c.item_id == item_id) {
            return pos;
        }
        let index = self.next_index;
        self.next_index = self.next_index.saturating_add(1);
        self.made_calls = true;
        self.calls.push(ResponsesCall {
            item_id: item_id.to_owned(),
            streamed: Some(StreamedCall::new(0, index)),
        });
        self.calls.len() - 1
    }

    /// The open call at `pos` (`None` when it is already completed).
    fn streamed(&mut self, pos: usize) -> Option<&mut StreamedCall> {
        self.calls.get_mut(pos).and_then(|c| c.streamed.as_mut())
    }

    fn complete_at(&mut self, pos: usize, truncated: bool, out: &mut Vec<Event>) {
        if let Some(s) = self.calls.get_mut(pos).and_then(|c| c.streamed.take()) {
            s.complete(truncated, out);
        }
    }

    fn close_calls(&mut self, how: Unfinished<'_>, out: &mut Vec<Event>) {
        for c in &mut self.calls {
            if let Some(s) = c.streamed.take() {
                match how {
                    Unfinished::Complete => s.complete(false, out),
                    Unfinished::Truncated => s.complete(true, out),
                    Unfinished::Invalid(reason) => s.fail(reason.to_owned(), out),
                }
            }
        }
    }

    fn push_usage(&self, response: Option<&Response<'_>>, out: &mut Vec<Event>) {
        if let Some(u) = response
            .and_then(|r| r.usage.as_ref())
            .map(ResponsesUsage::to_usage)
        {
            if !u.is_empty() {
                out.push(Event::Usage(u));
            }
        }
    }
}

fn is_function_call(item: &Item<'_>) -> bool {
    item.kind.as_deref() == Some("function_call")
}

impl WireDecoder for ResponsesDecoder {
    fn on_event(&mut self, event: &SseEventRef<'_>, out: &mut Vec<Event>) {
        let data = event.data.trim();
        if data.is_empty() || data == "[DONE]" {
            return;
        }
        match serde_json::from_str::<StreamEvent>(data) {
            Ok(ev) => {
                let before = out.len();
                self.on_stream_event(ev, event.event, out);
                // Once output went out without a start (no response.created
                // seen), a late start would be misleading: give it up.
                if !self.started
                    && out
                        .get(before..)
                        .is_some_and(|new| new.iter().any(Event::is_output))
                {
                    self.started = true;
                }
            }
            Err(e) => out.push(invalid_json("responses", &e)),
        }
    }

    /// Completes calls left open by a stream that ended without a terminal
    /// response event; whether they are usable depends on their arguments.
    fn finish(&mut self, out: &mut Vec<Event>) {
        self.close_calls(Unfinished::Complete, out);
    }
}
