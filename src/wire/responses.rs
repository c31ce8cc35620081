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
//!
//! A non-streaming body lists whole output items instead of these events,
//! so [`crate::response`] walks it; how a response ends (`incomplete`,
//! `FAILED_WITHOUT_ERROR`), how reasoning parts join
//! (`ReasoningParagraphs`) and how usage counts (`usage`) come from here.

use std::borrow::Cow;

use super::event_data::{ended_early_event, payload, read_event_data};
use super::fields;
use super::fields::optional_raw;
use super::openai::{error_event, member, raw_error_event, StreamedCall};
use super::zen_cost::{push_cost_events, ZenNormalizedUsage};
use crate::error::ErrorKind;
use crate::event::{Event, FinishReason, Usage};
use crate::json::{JsonError, Reader};
use crate::sse::SseEventRef;
use crate::wire::{push_usage, PendingToolCall, WireDecoder};

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
    /// Reasoning text joined into paragraphs, part by part.
    paragraphs: ReasoningParagraphs,
    /// The current response's `response.completed`, `.incomplete` or
    /// `.failed` arrived.
    terminal: bool,
    /// At least one event was decoded.
    saw_frame: bool,
}

/// One function call of the stream, by its item id.
#[derive(Debug)]
struct ResponsesCall {
    item_id: String,
    /// `None` once completed.
    streamed: Option<StreamedCall>,
}

/// Which reasoning part a piece of reasoning text belongs to: a summary
/// part or a content part of a reasoning item.
#[derive(Debug, PartialEq)]
pub(crate) struct ReasoningPart {
    /// The reasoning item's id.
    pub(crate) item_id: String,
    /// The part's index within the item's summary (or content).
    pub(crate) index: u64,
    /// A summary part (else a raw content part).
    pub(crate) summary: bool,
}

/// Reasoning parts (summary or content, of any reasoning item) are
/// paragraphs: text that opens a new part after earlier reasoning text is
/// prefixed with a blank line, so the joined reasoning reads as
/// paragraphs. One rule for the stream's deltas and a whole response's
/// parts.
#[derive(Debug, Default)]
pub(crate) struct ReasoningParagraphs {
    /// The part the last text belonged to.
    last: Option<ReasoningPart>,
}

impl ReasoningParagraphs {
    /// `text` of `part` as it joins the reasoning so far.
    pub(crate) fn text(&mut self, part: ReasoningPart, text: &str) -> String {
        match &self.last {
            Some(last) if *last == part => text.to_owned(),
            Some(_) => {
                self.last = Some(part);
                format!("\n\n{text}")
            }
            None => {
                self.last = Some(part);
                text.to_owned()
            }
        }
    }
}

// The frame structs below are filled by walking the data line with the JSON
// reader and turned into events only once the whole line has been read, so a
// frame cut off mid-way emits nothing. A key given twice takes its last value
// (serde's derive refused such a frame; no server sends one).

/// One Responses stream event (every `type`, plus Zen's `ping`): the union
/// of the fields the decoder uses.
#[derive(Default)]
struct StreamEvent<'a> {
    /// The JSON `type`.
    kind: Option<Cow<'a, str>>,
    delta: Option<Cow<'a, str>>,
    item_id: Option<Cow<'a, str>>,
    summary_index: Option<u64>,
    content_index: Option<u64>,
    item: Option<Item<'a>>,
    response: Option<Response<'a>>,
    arguments: Option<Cow<'a, str>>,
    code: Option<Cow<'a, str>>,
    message: Option<Cow<'a, str>>,
    /// The `error` value's text (cold and variably shaped: parsed as a tree
    /// only when present).
    error: Option<&'a str>,
    cost: Option<String>,
    normalized_usage: Option<ZenNormalizedUsage>,
}

impl<'a> StreamEvent<'a> {
    /// Walks one data line's JSON object into `self` (a default event).
    /// Filled in place, not returned: moving the struct through `Result`
    /// and `Option` cost more than reading it.
    fn read(&mut self, r: &mut Reader<'a>) -> Result<(), JsonError> {
        let ev = self;
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                "type" => fields::text(r, &mut ev.kind)?,
                "delta" => fields::text(r, &mut ev.delta)?,
                "item_id" => fields::text(r, &mut ev.item_id)?,
                "summary_index" => fields::count(r, &mut ev.summary_index)?,
                "content_index" => fields::count(r, &mut ev.content_index)?,
                "item" => Item::read(r, &mut ev.item)?,
                "response" => Response::read(r, &mut ev.response)?,
                "arguments" => fields::text(r, &mut ev.arguments)?,
                "code" => fields::text(r, &mut ev.code)?,
                "message" => fields::text(r, &mut ev.message)?,
                "error" => ev.error = optional_raw(r)?,
                "cost" => fields::cost(r, &mut ev.cost)?,
                "normalizedUsage" => ZenNormalizedUsage::read(r, &mut ev.normalized_usage)?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

/// An output item (`output_item.added` / `.done`).
#[derive(Default)]
struct Item<'a> {
    /// The JSON `type`.
    kind: Option<Cow<'a, str>>,
    id: Option<Cow<'a, str>>,
    call_id: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
    arguments: Option<Cow<'a, str>>,
    encrypted_content: Option<Cow<'a, str>>,
}

impl<'a> Item<'a> {
    /// Walks an `item` value; `null` reads as `None`.
    fn read(r: &mut Reader<'a>, slot: &mut Option<Self>) -> Result<(), JsonError> {
        *slot = None;
        if !fields::optional_object(r)? {
            return Ok(());
        }
        let item = slot.insert(Item::default());
        while let Some(key) = r.next_key()? {
            let slot = match key.as_ref() {
                "type" => &mut item.kind,
                "id" => &mut item.id,
                "call_id" => &mut item.call_id,
                "name" => &mut item.name,
                "arguments" => &mut item.arguments,
                "encrypted_content" => &mut item.encrypted_content,
                _ => {
                    r.skip()?;
                    continue;
                }
            };
            fields::text(r, slot)?;
        }
        Ok(())
    }
}

/// The `response` object of the lifecycle events.
#[derive(Default)]
struct Response<'a> {
    id: Option<Cow<'a, str>>,
    model: Option<Cow<'a, str>>,
    usage: Option<ResponsesUsage>,
    /// `incomplete_details.reason`.
    incomplete_reason: Option<Cow<'a, str>>,
    /// The `error` value's text, as for [`StreamEvent::error`].
    error: Option<&'a str>,
}

impl<'a> Response<'a> {
    /// Walks a `response` value; `null` reads as `None`. Its `output` (the
    /// whole response again, on `response.completed`) is skipped unbuilt.
    fn read(r: &mut Reader<'a>, slot: &mut Option<Self>) -> Result<(), JsonError> {
        *slot = None;
        if !fields::optional_object(r)? {
            return Ok(());
        }
        let resp = slot.insert(Response::default());
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                "id" => fields::text(r, &mut resp.id)?,
                "model" => fields::text(r, &mut resp.model)?,
                "usage" => ResponsesUsage::read(r, &mut resp.usage)?,
                "incomplete_details" => {
                    member(r, "reason", &mut resp.incomplete_reason, fields::text)?;
                }
                "error" => resp.error = optional_raw(r)?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

/// The usage a Responses `usage` object's text amounts to: the stream's
/// reading ([`ResponsesUsage`]), for non-streaming bodies.
pub(crate) fn usage(text: &str) -> Option<Usage> {
    fields::read_text(text, ResponsesUsage::read).map(|u| u.to_usage())
}

/// A response's `usage` (Responses field names).
#[derive(Default)]
struct ResponsesUsage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    /// `input_tokens_details.cached_tokens`.
    cached_tokens: Option<u64>,
    /// `output_tokens_details.reasoning_tokens`.
    reasoning_tokens: Option<u64>,
}

impl ResponsesUsage {
    /// Walks a `usage` value; `null` reads as `None`, odd counts as unknown.
    fn read(r: &mut Reader<'_>, slot: &mut Option<Self>) -> Result<(), JsonError> {
        *slot = None;
        if !fields::optional_object(r)? {
            return Ok(());
        }
        let u = slot.insert(ResponsesUsage::default());
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                "input_tokens" => fields::count(r, &mut u.input_tokens)?,
                "output_tokens" => fields::count(r, &mut u.output_tokens)?,
                "input_tokens_details" => {
                    member(r, "cached_tokens", &mut u.cached_tokens, fields::count)?;
                }
                "output_tokens_details" => {
                    member(
                        r,
                        "reasoning_tokens",
                        &mut u.reasoning_tokens,
                        fields::count,
                    )?;
                }
                _ => r.skip()?,
            }
        }
        Ok(())
    }

    /// Zen semantics: input excludes cached tokens; output (which already
    /// includes reasoning here) is kept as is.
    fn to_usage(&self) -> Usage {
        let cached = self.cached_tokens;
        Usage {
            input_tokens: self
                .input_tokens
                .map(|i| i.saturating_sub(cached.unwrap_or(0))),
            output_tokens: self.output_tokens,
            cache_read_tokens: cached,
            cache_write_tokens: None,
            reasoning_tokens: self.reasoning_tokens,
        }
    }
}

/// How calls left open by a response's end are reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Unfinished {
    /// Completed normally (their arguments decide).
    Complete,
    /// Cut by the output token limit.
    Truncated,
    /// Invalid for this reason.
    Invalid(&'static str),
}

impl Unfinished {
    /// The final event of an unfinished `call`, settled this way.
    pub(crate) fn settle(self, call: PendingToolCall) -> Event {
        match self {
            Unfinished::Complete => call.complete(false),
            Unfinished::Truncated => call.complete(true),
            Unfinished::Invalid(reason) => call.invalid(reason.to_owned()),
        }
    }
}

/// How a response that ended `incomplete` for `reason` (its
/// `incomplete_details.reason`) finishes its choice, and how its calls not
/// yet complete are settled. One table for the stream's
/// `response.incomplete` and a whole response's status.
pub(crate) fn incomplete(reason: &str) -> (FinishReason, Unfinished) {
    match reason {
        "max_output_tokens" => (FinishReason::Length, Unfinished::Truncated),
        "content_filter" => (
            FinishReason::ContentFilter,
            Unfinished::Invalid("the content filter stopped the output before the call finished"),
        ),
        _ => (
            FinishReason::Other,
            Unfinished::Invalid("the response ended incomplete before the call finished"),
        ),
    }
}

/// The error of a response that `failed` without saying why. A response
/// fails on the service's side (a request it refuses gets no response at
/// all), so it is a server error, streamed or not.
pub(crate) const FAILED_WITHOUT_ERROR: (ErrorKind, &str) = (
    ErrorKind::Server,
    "the response failed without an error message",
);

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
                self.terminal = false;
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
                self.terminal = true;
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
                self.terminal = true;
                let raw = ev
                    .response
                    .as_ref()
                    .and_then(|r| r.incomplete_reason.as_deref())
                    .unwrap_or("incomplete")
                    .to_owned();
                let (reason, unfinished) = incomplete(&raw);
                self.close_calls(unfinished, out);
                self.push_usage(ev.response.as_ref(), out);
                out.push(Event::Finish {
                    choice: 0,
                    reason,
                    raw: Some(raw),
                });
            }
            "response.failed" => {
                self.terminal = true;
                self.close_calls(
                    Unfinished::Invalid("the response failed before the call finished"),
                    out,
                );
                if !self.error_reported {
                    self.error_reported = true;
                    let err = ev.response.as_ref().and_then(|r| r.error);
                    out.push(match err {
                        Some(e) => raw_error_event(e, None, None),
                        None => {
                            let (kind, message) = FAILED_WITHOUT_ERROR;
                            Event::Error {
                                kind,
                                message: message.into(),
                                retryable: kind.is_retryable(),
                            }
                        }
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
                let (code, message) = (ev.code.as_deref(), ev.message.as_deref());
                out.push(match ev.error {
                    Some(e) => raw_error_event(e, code, message),
                    None => error_event(None, code, message),
                });
            }
            _ => {
                // A typeless frame carrying only an `error` (compatible
                // servers, upstream failures) is still an error.
                if ev.kind.is_none() {
                    if let Some(err) = ev.error {
                        out.push(raw_error_event(err, None, None));
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
        let text = self.paragraphs.text(part, text);
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

    fn close_calls(&mut self, how: Unfinished, out: &mut Vec<Event>) {
        for c in &mut self.calls {
            if let Some(s) = c.streamed.take() {
                match how {
                    Unfinished::Invalid(reason) => s.fail(reason.to_owned(), out),
                    _ => s.complete(how == Unfinished::Truncated, out),
                }
            }
        }
    }

    fn push_usage(&self, response: Option<&Response<'_>>, out: &mut Vec<Event>) {
        if let Some(u) = response.and_then(|r| r.usage.as_ref()) {
            push_usage(u.to_usage(), out);
        }
    }
}

fn is_function_call(item: &Item<'_>) -> bool {
    item.kind.as_deref() == Some("function_call")
}

impl WireDecoder for ResponsesDecoder {
    fn on_event(&mut self, event: &SseEventRef<'_>, out: &mut Vec<Event>) {
        let Some(data) = payload(event.data) else {
            return;
        };
        let mut ev = StreamEvent::default();
        if read_event_data("responses", data, out, |r| ev.read(r)).is_none() {
            return;
        }
        self.saw_frame = true;
        let before = out.len();
        self.on_stream_event(ev, event.event, out);
        // Once output went out without a start (no response.created seen),
        // a late start would be misleading: give it up.
        if !self.started
            && out
                .get(before..)
                .is_some_and(|new| new.iter().any(Event::is_output))
        {
            self.started = true;
        }
    }

    /// Completes calls left open by a stream that ended without a terminal
    /// response event (whether they are usable depends on their
    /// arguments), then reports that the body ended early.
    fn finish(&mut self, out: &mut Vec<Event>) {
        self.close_calls(Unfinished::Complete, out);
        if !(self.terminal || self.error_reported) {
            out.push(ended_early_event(
                "responses",
                self.saw_frame,
                "response.completed",
            ));
            self.error_reported = true;
        }
    }
}

impl ResponsesDecoder {
    /// The response's terminal event was seen (`response.completed`,
    /// `response.incomplete` or `response.failed`, which carry the final
    /// usage).
    pub fn terminal_seen(&self) -> bool {
        self.terminal
    }
}
