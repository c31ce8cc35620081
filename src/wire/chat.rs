//! Chat Completions stream decoder (`POST /chat/completions`, Zen's
//! `oa-compat` format): `data: {chat.completion.chunk}` … `data: [DONE]`.
//!
//! What it handles beyond plain OpenAI:
//! * `delta.reasoning_content` (GLM, Kimi, Big Pickle, DeepSeek, xAI) and
//!   `delta.reasoning` (OpenRouter-style servers). When a delta carries both,
//!   only `reasoning_content` is used: servers that send both send the same
//!   text twice.
//! * Zen's billing frames: the `x-opencode-type: "inference-cost"` frame with
//!   `normalizedUsage`, and the cost frame Zen appends AFTER `data: [DONE]` —
//!   which is why `[DONE]` is skipped rather than treated as the end.
//! * an `error` object in a data line (upstream error mid-stream).
//! * `usage` with cache reads (`prompt_tokens_details.cached_tokens`, or a
//!   top-level `cached_tokens`) and cache writes
//!   (`prompt_tokens_details.cache_write_tokens`), all inside
//!   `prompt_tokens`.
//! * `content` as an array of content parts: their `text`s are the text.
//!
//! Tool calls are keyed by (choice, wire `index`). The unified `index` is
//! assigned in order of appearance within each choice, so it stays dense even
//! when a server skips wire indexes or reuses one index for several calls
//! (a new, different `id` on an index starts a new call). Legacy
//! `delta.function_call` deltas (pre-tools API) are not decoded.
//!
//! A non-streaming completion is decoded by this same code, as one chunk
//! (`response_events`).

use std::borrow::Cow;

use super::event_data::{ended_early_event, payload, read_event_data};
use super::fields;
use super::fields::optional_raw;
use super::openai::{member, raw_error_event, StreamedCall};
use super::zen_cost::{push_cost_events, ZenNormalizedUsage};
use crate::event::{Event, FinishReason, Usage};
use crate::json::{JsonError, Kind, Reader};
use crate::sse::SseEventRef;
use crate::wire::{push_usage, WireDecoder};

/// Decodes Chat Completions SSE events into unified events.
#[derive(Debug, Default)]
pub struct ChatDecoder {
    /// `start` was emitted.
    started: bool,
    /// Tool calls not yet completed, in order of appearance.
    calls: Vec<ChatCall>,
    /// Per choice: how many tool calls it has had (the next unified index).
    call_counts: Vec<(u32, u32)>,
    /// Choices whose finish_reason has been reported.
    finished: Vec<u32>,
    /// `[DONE]` arrived, or a usage chunk at or after a finish_reason: the
    /// usage is final (see [`ChatDecoder::terminal_seen`]).
    ended: bool,
    /// An error frame arrived (the stream ends there), or the end of the
    /// body was reported.
    failed: bool,
    /// At least one chunk was decoded.
    saw_frame: bool,
}

/// One tool call of the stream, keyed by (choice, wire index).
#[derive(Debug)]
struct ChatCall {
    /// The `index` the server gave this call, if any.
    wire_index: Option<u32>,
    streamed: StreamedCall,
}

// The frame structs below are filled by walking the data line with the JSON
// reader and turned into events only once the whole line has been read, so a
// frame cut off mid-way emits nothing. A key given twice takes its last value
// (serde's derive refused such a frame; no server sends one).

/// One `chat.completion.chunk` (or a Zen cost / error frame), or a whole
/// `chat.completion`.
#[derive(Default)]
struct Chunk<'a> {
    /// Whether `id` and `model` are read: only until `start` went out, as
    /// nothing else uses them; afterwards they are skipped like unknown
    /// members (same checks, no string hand-off).
    wants_start: bool,
    /// A whole completion (see [`response_events`]): each choice's
    /// `message` is read where a chunk has its `delta`.
    whole: bool,
    id: Option<Cow<'a, str>>,
    model: Option<Cow<'a, str>>,
    /// The first entry of `choices` (`None` when absent, `null` or empty):
    /// kept inline because nearly every chunk has exactly one, so a frame
    /// costs no allocation.
    choice: Option<ChunkChoice<'a>>,
    /// The entries after the first.
    more_choices: Vec<ChunkChoice<'a>>,
    usage: Option<ChatUsage>,
    normalized_usage: Option<ZenNormalizedUsage>,
    cost: Option<String>,
    /// The `error` value's text: errors are rare and their shapes vary
    /// (object, string, numeric code), so this cold field is parsed as a
    /// tree only when present.
    error: Option<&'a str>,
}

impl<'a> Chunk<'a> {
    /// Walks one data line's JSON object into `self` (a default chunk).
    /// Frames are filled in place, never returned by value: they are a few
    /// hundred bytes, and moving them cost more than reading their members.
    fn read(&mut self, r: &mut Reader<'a>) -> Result<(), JsonError> {
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                "choices" => {
                    self.choice = None;
                    self.more_choices.clear();
                    if fields::optional_array(r)? {
                        while r.next_item()? {
                            let choice = match &mut self.choice {
                                None => self.choice.insert(ChunkChoice::default()),
                                Some(_) => {
                                    self.more_choices.push(ChunkChoice::default());
                                    let last = self.more_choices.len() - 1;
                                    &mut self.more_choices[last]
                                }
                            };
                            choice.read(r, self.whole)?;
                        }
                    }
                }
                "id" if self.wants_start => fields::text(r, &mut self.id)?,
                "model" if self.wants_start => fields::text(r, &mut self.model)?,
                "usage" => ChatUsage::read(r, &mut self.usage)?,
                "normalizedUsage" => ZenNormalizedUsage::read(r, &mut self.normalized_usage)?,
                "cost" => fields::cost(r, &mut self.cost)?,
                "error" => self.error = optional_raw(r)?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

/// One entry of `choices`.
#[derive(Default)]
struct ChunkChoice<'a> {
    /// 0 when absent (servers with `n = 1` may leave it out).
    index: u32,
    delta: Option<Delta<'a>>,
    finish_reason: Option<Cow<'a, str>>,
}

impl<'a> ChunkChoice<'a> {
    /// Walks one choice object into `self` (a default choice); anything
    /// else refuses the frame. `whole`: a completion's choice, whose
    /// `message` holds what a chunk's `delta` holds.
    fn read(&mut self, r: &mut Reader<'a>, whole: bool) -> Result<(), JsonError> {
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                // A chunk's `delta`, or a completion's `message`.
                k @ ("delta" | "message") if (k == "message") == whole => {
                    self.delta = None;
                    if fields::optional_object(r)? {
                        self.delta.insert(Delta::default()).read_members(r)?;
                    }
                }
                "index" => fields::index(r, &mut self.index)?,
                "finish_reason" => fields::text(r, &mut self.finish_reason)?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

/// A choice's `delta` (or a completion's `message`: the same fields).
#[derive(Default)]
struct Delta<'a> {
    content: Option<Cow<'a, str>>,
    reasoning_content: Option<Cow<'a, str>>,
    reasoning: Option<Cow<'a, str>>,
    refusal: Option<Cow<'a, str>>,
    /// Empty when absent or `null`.
    tool_calls: Vec<ToolCallChunk<'a>>,
}

impl<'a> Delta<'a> {
    /// Walks the members of a `delta` object (after its `{`) into `self`.
    fn read_members(&mut self, r: &mut Reader<'a>) -> Result<(), JsonError> {
        let delta = self;
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                "content" => content(r, &mut delta.content)?,
                "reasoning_content" => fields::text(r, &mut delta.reasoning_content)?,
                "reasoning" => fields::text(r, &mut delta.reasoning)?,
                "refusal" => fields::text(r, &mut delta.refusal)?,
                "tool_calls" => {
                    delta.tool_calls.clear();
                    if fields::optional_array(r)? {
                        while r.next_item()? {
                            delta.tool_calls.push(ToolCallChunk::default());
                            if let Some(frag) = delta.tool_calls.last_mut() {
                                frag.read(r)?;
                            }
                        }
                    }
                }
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

/// A message's `content`: a string or, from some compatible servers, an
/// array of content parts whose `text` members are joined; any other value
/// (or part) holds no text. Lenient, like the other optional text fields.
fn content<'a>(r: &mut Reader<'a>, slot: &mut Option<Cow<'a, str>>) -> Result<(), JsonError> {
    *slot = None;
    match r.peek()? {
        Kind::String => {
            *slot = Some(r.str()?);
            return Ok(());
        }
        Kind::Array => r.begin_array()?,
        _ => return r.skip(),
    }
    while r.next_item()? {
        let mut text = None;
        if fields::object(r)? {
            while let Some(key) = r.next_key()? {
                match key.as_ref() {
                    "text" => fields::text(r, &mut text)?,
                    _ => r.skip()?,
                }
            }
        }
        if let Some(part) = text {
            match slot {
                Some(joined) => joined.to_mut().push_str(&part),
                None => *slot = Some(part),
            }
        }
    }
    Ok(())
}

/// One entry of `delta.tool_calls`: a fragment of a call.
#[derive(Default)]
struct ToolCallChunk<'a> {
    index: Option<u32>,
    id: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
    /// Strict on purpose: arguments that are not a string are a protocol
    /// error, not something to drop silently.
    arguments: Option<Cow<'a, str>>,
}

impl<'a> ToolCallChunk<'a> {
    /// Walks one tool-call fragment object, `function` flattened into it.
    /// Fills `self` (a default fragment).
    fn read(&mut self, r: &mut Reader<'a>) -> Result<(), JsonError> {
        let frag = self;
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                "index" => fields::optional_u32(r, &mut frag.index)?,
                "id" => fields::text(r, &mut frag.id)?,
                "function" => {
                    // A repeated `function` replaces the earlier one whole.
                    (frag.name, frag.arguments) = (None, None);
                    if fields::optional_object(r)? {
                        while let Some(key) = r.next_key()? {
                            match key.as_ref() {
                                "name" => fields::text(r, &mut frag.name)?,
                                "arguments" => fields::optional_str(r, &mut frag.arguments)?,
                                _ => r.skip()?,
                            }
                        }
                    }
                }
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

/// A `usage` object (OpenAI field names), in a chunk or a whole response.
#[derive(Default)]
struct ChatUsage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
    total_tokens: Option<u64>,
    /// `prompt_tokens_details.cached_tokens`.
    cached_tokens: Option<u64>,
    /// A top-level `cached_tokens` (some compatible providers), used when
    /// `prompt_tokens_details` has none.
    top_cached_tokens: Option<u64>,
    /// `prompt_tokens_details.cache_write_tokens`.
    cache_write_tokens: Option<u64>,
    /// `completion_tokens_details.reasoning_tokens`.
    reasoning_tokens: Option<u64>,
}

impl ChatUsage {
    /// Walks a `usage` value; `null` reads as `None`, odd counts as unknown.
    fn read(r: &mut Reader<'_>, slot: &mut Option<Self>) -> Result<(), JsonError> {
        *slot = None;
        if !fields::optional_object(r)? {
            return Ok(());
        }
        let u = slot.insert(ChatUsage::default());
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                "prompt_tokens" => fields::count(r, &mut u.prompt_tokens)?,
                "completion_tokens" => fields::count(r, &mut u.completion_tokens)?,
                "total_tokens" => fields::count(r, &mut u.total_tokens)?,
                "cached_tokens" => fields::count(r, &mut u.top_cached_tokens)?,
                "prompt_tokens_details" => {
                    (u.cached_tokens, u.cache_write_tokens) = (None, None);
                    if fields::optional_object(r)? {
                        while let Some(key) = r.next_key()? {
                            match key.as_ref() {
                                "cached_tokens" => fields::count(r, &mut u.cached_tokens)?,
                                "cache_write_tokens" => {
                                    fields::count(r, &mut u.cache_write_tokens)?
                                }
                                _ => r.skip()?,
                            }
                        }
                    }
                }
                "completion_tokens_details" => {
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

    /// Zen semantics: input excludes cache reads and writes (both are
    /// inside `prompt_tokens`); output includes reasoning. OpenAI counts
    /// reasoning inside `completion_tokens`; xAI does not (its
    /// `total_tokens` = prompt + completion + reasoning), which is detected
    /// from the total and corrected so output always includes reasoning.
    fn to_usage(&self) -> Usage {
        let cached = self.cached_tokens.or(self.top_cached_tokens);
        let cache_write = self.cache_write_tokens;
        let reasoning = self.reasoning_tokens;
        let mut output = self.completion_tokens;
        if let (Some(p), Some(c), Some(r), Some(t)) = (
            self.prompt_tokens,
            self.completion_tokens,
            reasoning,
            self.total_tokens,
        ) {
            let plain = p.saturating_add(c);
            if r > 0 && t != plain && t == plain.saturating_add(r) {
                output = Some(c.saturating_add(r));
            }
        }
        Usage {
            input_tokens: self.prompt_tokens.map(|p| {
                p.saturating_sub(cached.unwrap_or(0))
                    .saturating_sub(cache_write.unwrap_or(0))
            }),
            output_tokens: output,
            cache_read_tokens: cached,
            cache_write_tokens: cache_write,
            reasoning_tokens: reasoning,
        }
    }
}

/// Maps a Chat Completions finish_reason (streamed chunks and, in
/// [`crate::response`], whole responses).
pub(crate) fn finish_reason(raw: &str) -> FinishReason {
    match raw {
        "stop" => FinishReason::Stop,
        "length" => FinishReason::Length,
        "tool_calls" | "function_call" => FinishReason::ToolCalls,
        "content_filter" => FinishReason::ContentFilter,
        _ => FinishReason::Other,
    }
}

impl ChatDecoder {
    fn on_chunk(&mut self, chunk: Chunk<'_>, out: &mut Vec<Event>) {
        if let Some(err) = chunk.error {
            out.push(raw_error_event(err, None, None));
            self.failed = true;
        }
        if !self.started && (chunk.id.is_some() || chunk.choice.is_some()) {
            self.started = true;
            out.push(Event::Start {
                id: chunk.id.map(Cow::into_owned),
                model: chunk.model.map(Cow::into_owned),
            });
        }
        if let Some(choice) = chunk.choice {
            self.on_choice(choice, out);
        }
        for choice in chunk.more_choices {
            self.on_choice(choice, out);
        }
        if let Some(u) = &chunk.usage {
            push_usage(u.to_usage(), out);
            self.ended |= !self.finished.is_empty();
        }
        push_cost_events(chunk.cost, chunk.normalized_usage.as_ref(), out);
    }

    // Not inlined: it has two call sites (the first choice and the rest).
    #[inline(never)]
    fn on_choice(&mut self, choice: ChunkChoice<'_>, out: &mut Vec<Event>) {
        let c = choice.index;
        if let Some(delta) = choice.delta {
            let reasoning = delta
                .reasoning_content
                .filter(|s| !s.is_empty())
                .or(delta.reasoning.filter(|s| !s.is_empty()));
            if let Some(text) = reasoning {
                out.push(Event::ReasoningDelta {
                    choice: c,
                    text: text.into_owned(),
                });
            }
            if let Some(text) = delta.content.filter(|s| !s.is_empty()) {
                out.push(Event::TextDelta {
                    choice: c,
                    text: text.into_owned(),
                });
            }
            if let Some(text) = delta.refusal.filter(|s| !s.is_empty()) {
                out.push(Event::RefusalDelta {
                    choice: c,
                    text: text.into_owned(),
                });
            }
            for fragment in delta.tool_calls {
                self.on_tool_fragment(c, fragment, out);
            }
        }
        // Some servers send "" instead of null while the choice is running.
        let Some(raw) = choice.finish_reason.filter(|r| !r.is_empty()) else {
            return;
        };
        if self.finished.contains(&c) {
            return;
        }
        self.finished.push(c);
        self.complete_choice(c, raw == "length", out);
        out.push(Event::Finish {
            choice: c,
            reason: finish_reason(&raw),
            raw: Some(raw.into_owned()),
        });
    }

    fn on_tool_fragment(&mut self, choice: u32, frag: ToolCallChunk<'_>, out: &mut Vec<Event>) {
        let id = frag.id.filter(|s| !s.is_empty());
        let (name, arguments) = (frag.name, frag.arguments);
        let pos = self.locate(choice, frag.index, id.as_deref());
        let Some(call) = self.calls.get_mut(pos) else {
            return;
        };
        let s = &mut call.streamed;
        s.learn(id.as_deref(), name.as_deref());
        if let Some(args) = arguments {
            s.push_arguments(&args, out);
        }
        s.try_start(out);
    }

    /// The position in `calls` of the call this fragment belongs to, creating
    /// the call when it is new.
    fn locate(&mut self, choice: u32, wire_index: Option<u32>, id: Option<&str>) -> usize {
        let found = self.calls.iter().rposition(|c| {
            c.streamed.call.choice == choice && (wire_index.is_none() || c.wire_index == wire_index)
        });
        if let Some(pos) = found {
            let known = self
                .calls
                .get(pos)
                .map_or("", |c| c.streamed.call.id.as_str());
            let other_call = id.is_some_and(|id| !known.is_empty() && known != id);
            if !other_call {
                return pos;
            }
        }
        let index = match self.call_counts.iter_mut().find(|(c, _)| *c == choice) {
            Some((_, n)) => {
                let i = *n;
                *n = n.saturating_add(1);
                i
            }
            None => {
                self.call_counts.push((choice, 1));
                0
            }
        };
        self.calls.push(ChatCall {
            wire_index,
            streamed: StreamedCall::new(choice, index),
        });
        self.calls.len() - 1
    }

    /// Completes the pending calls of one choice, in order of appearance.
    fn complete_choice(&mut self, choice: u32, truncated: bool, out: &mut Vec<Event>) {
        // Removed one by one (calls are few): no second vector to build.
        let mut i = 0;
        while let Some(c) = self.calls.get(i) {
            if c.streamed.call.choice == choice {
                self.calls.remove(i).streamed.complete(truncated, out);
            } else {
                i += 1;
            }
        }
    }
}

/// Decodes a non-streaming body (a `chat.completion`). A completion is the
/// one chunk of a stream whose choices carry the whole `message` where a
/// chunk carries a `delta`: the same fields, so it is read by the same
/// [`Chunk`] reader and turned into events by a fresh [`ChatDecoder`], then
/// finished as a stream would be. What text, reasoning, refusal, tool calls,
/// finish reasons, usage and Zen's cost mean lives in one place for both
/// paths. The one difference of shape: each `message.tool_calls` entry is a
/// whole call, keyed by its position (a delta's entries are fragments keyed
/// by `index`). `false` (nothing appended) when `body` is not a completion:
/// a structural field of the wrong type, or no choice.
pub(crate) fn response_events(body: &str, out: &mut Vec<Event>) -> bool {
    let mut chunk = Chunk {
        wants_start: true,
        whole: true,
        ..Chunk::default()
    };
    let mut r = Reader::new(body);
    if chunk.read(&mut r).and_then(|()| r.end()).is_err() {
        return false;
    }
    let Some(first) = &mut chunk.choice else {
        return false;
    };
    // Each entry is its own call: keyed by its position, whatever `index`
    // (if any) the server wrote.
    for choice in std::iter::once(first).chain(&mut chunk.more_choices) {
        let calls = choice.delta.iter_mut().flat_map(|d| &mut d.tool_calls);
        for (position, call) in calls.enumerate() {
            call.index = u32::try_from(position).ok();
        }
    }
    let mut decoder = ChatDecoder::default();
    decoder.on_chunk(chunk, out);
    decoder.complete_calls(out);
    true
}

impl ChatDecoder {
    /// The stream's terminal frame was seen: `[DONE]`, or a chunk with
    /// usage at or after a finish_reason. Usage reported before that may
    /// still grow (a stream cut earlier was not billed by what it said).
    pub fn terminal_seen(&self) -> bool {
        self.ended
    }
}

impl WireDecoder for ChatDecoder {
    fn on_event(&mut self, event: &SseEventRef<'_>, out: &mut Vec<Event>) {
        // `[DONE]` is not the end on Zen: the cost frame follows it.
        let Some(data) = payload(event.data) else {
            self.ended |= event.data.trim() == "[DONE]";
            return;
        };
        let mut chunk = Chunk {
            wants_start: !self.started,
            ..Chunk::default()
        };
        if read_event_data("chat", data, out, |r| chunk.read(r)).is_some() {
            self.saw_frame = true;
            self.on_chunk(chunk, out);
        }
    }

    /// Completes calls whose choice never reported a finish_reason, then
    /// reports a body that ended before its terminal frame.
    fn finish(&mut self, out: &mut Vec<Event>) {
        self.complete_calls(out);
        if !(self.ended || self.failed) {
            out.push(ended_early_event("chat", self.saw_frame, "[DONE]"));
            self.failed = true;
        }
    }
}

impl ChatDecoder {
    /// Completes the calls still open; whether they are usable depends only
    /// on their arguments parsing.
    fn complete_calls(&mut self, out: &mut Vec<Event>) {
        for c in std::mem::take(&mut self.calls) {
            c.streamed.complete(false, out);
        }
    }
}
