//! Anthropic Messages stream decoder (`POST /messages` with `stream: true`).
//!
//! Each SSE `data` payload is one JSON frame; frames are told apart by their
//! JSON `type` field (the `event:` line is only a fallback, because
//! Anthropic-compatible servers often omit it). Content arrives in blocks
//! numbered by `index`:
//!
//! * `text` → `textDelta`; `thinking` → `reasoningDelta` and
//!   `reasoningSignature`; `redacted_thinking` → `reasoningRedacted`.
//! * `tool_use` → `toolCallStart`, one `toolCallDelta` per argument fragment,
//!   and at `content_block_stop` a parsed `toolCall` (or `toolCallInvalid`).
//!   Tool-call `index` counts tool calls in the response (0, 1, …), it is not
//!   the block index. Input already present in `content_block_start` is used
//!   as the arguments (fragments that follow replace it).
//! * Server-side tool blocks (`server_tool_use`, `web_search_tool_result`,
//!   `web_fetch_tool_result`, `mcp_*`, code execution…) and other block types
//!   (`compaction`, `fallback`, citations) are skipped: the provider already
//!   ran those tools, the client owes them no result, so they must not appear
//!   as tool calls. Their effect reaches the client as ordinary text blocks.
//!
//! `message_delta` carries the stop reason and cumulative usage: the finish
//! is emitted there. `end_turn`/`stop_sequence` → stop, `max_tokens` and
//! `model_context_window_exceeded` → length (a tool call still open is then
//! `toolCallInvalid`), `tool_use` → toolCalls, `refusal` → refusal, anything
//! else — including `pause_turn`, which asks the client to send the turn back
//! to continue and so is not a natural end — → other with the raw reason.
//!
//! Errors (`event: error`, `{"type":"error",…}`) map Anthropic's and Zen's
//! error types to [`ErrorKind`]s; when output had already started, choice 0
//! also finishes with reason `error` (before any output there is no choice to
//! finish and the error stands alone). Zen's cost frame (`ping` with `cost`,
//! maybe `normalizedUsage`) becomes `cost` (+ `usage`); plain pings are
//! ignored. Invalid JSON yields a `protocol` error and decoding goes on.
//!
//! A repeated `message_start` for the same message before any content is
//! ignored; one arriving while a message is open with content (a spliced
//! stream) is reported as a `protocol` error, the open tool calls of the first
//! message become `toolCallInvalid`, and the second message is decoded.
//! A body that ends before `message_stop` yields a retryable `network` error.
//!
//! A non-streaming message is decoded by this same code, as the stream it
//! stands for (`response_events`).

use std::borrow::Cow;

use crate::error::ErrorKind;
use crate::event::{Event, FinishReason, Usage};
use crate::json::{JsonError, Reader};
use crate::sse::SseEventRef;
use crate::wire::event_data::{
    ended_early_event, payload, read_event_data, reported_error_event, WireError,
};
use crate::wire::fields::{self, optional_object, optional_raw, optional_str};
use crate::wire::zen_cost::{push_cost_events, ZenNormalizedUsage};
use crate::wire::{push_usage, value_arguments, PendingToolCall, WireDecoder};

/// Decodes Anthropic Messages SSE events into unified events.
#[derive(Debug, Default)]
pub struct MessagesDecoder {
    /// `start` was emitted (it is emitted once per response).
    started: bool,
    /// A `message_start` was seen and its `message_stop` was not.
    message_open: bool,
    /// Id of the open message, to tell a duplicated `message_start` apart.
    message_id: Option<String>,
    /// A content block event arrived since the last `message_start`.
    content_since_start: bool,
    /// Tool-use blocks whose arguments are still arriving.
    open_tools: Vec<OpenToolCall>,
    /// Tool calls started so far: the next tool-call index.
    tool_calls: u32,
    /// An output event was emitted.
    output: bool,
    /// `finish` was emitted for choice 0.
    finished: bool,
    /// The stream reached its end (`message_stop` or an error event).
    ended: bool,
    /// The current message's terminal frame arrived: `message_delta` with a
    /// stop reason, or `message_stop` (an error event is not one).
    terminal: bool,
    /// At least one frame was decoded.
    saw_frame: bool,
}

/// A `tool_use` block whose arguments are still arriving.
#[derive(Debug)]
struct OpenToolCall {
    /// The content block index it arrives on.
    block: u32,
    call: PendingToolCall,
    /// The arguments came whole in `content_block_start`.
    prefilled: bool,
}

/// Frame `type` values this decoder acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameType {
    MessageStart,
    ContentBlockStart,
    ContentBlockDelta,
    ContentBlockStop,
    MessageDelta,
    MessageStop,
    Ping,
    Error,
    Other,
}

impl FrameType {
    /// The type named by the JSON `type` field or, when JSON lacks one, by
    /// the SSE `event:` line.
    fn from_name(name: &str) -> FrameType {
        match name {
            "message_start" => FrameType::MessageStart,
            "content_block_start" => FrameType::ContentBlockStart,
            "content_block_delta" => FrameType::ContentBlockDelta,
            "content_block_stop" => FrameType::ContentBlockStop,
            "message_delta" => FrameType::MessageDelta,
            "message_stop" => FrameType::MessageStop,
            "ping" => FrameType::Ping,
            "error" => FrameType::Error,
            _ => FrameType::Other,
        }
    }
}

/// One `data` payload. All frame kinds share one flat struct so each event is
/// walked exactly once; unknown fields are skipped without being built, and
/// strings are borrowed from the event data unless they hold escapes.
///
/// Fields are typed as Anthropic documents them: a wrong type (a numeric
/// `text`, a string `index`) refuses the frame with a protocol error, except
/// Zen's `cost` and `normalizedUsage`, which are read leniently. A key given
/// twice keeps its last value.
#[derive(Default)]
struct Frame<'a> {
    kind: Option<FrameType>,
    index: Option<u32>,
    message: Option<StartMessage<'a>>,
    content_block: Option<ContentBlock<'a>>,
    delta: Option<Delta<'a>>,
    usage: Option<WireUsage>,
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
                "type" => f.kind = type_name(r, FrameType::from_name)?,
                "index" => f.index = fields::u32_or_null(r)?,
                "message" => StartMessage::read(r, &mut f.message)?,
                "content_block" => ContentBlock::read(r, &mut f.content_block)?,
                "delta" => Delta::read(r, &mut f.delta)?,
                "usage" => WireUsage::read(r, &mut f.usage)?,
                "error" => WireError::read(r, &mut f.error)?,
                "cost" => fields::cost(r, &mut f.cost)?,
                "normalizedUsage" => ZenNormalizedUsage::read(r, &mut f.normalized_usage)?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }

    /// Fills `self` (a default frame) from the commonest frame, a content
    /// delta, when `data` is written exactly as Anthropic writes one:
    /// compact, these members in this order, nothing else. Its fixed parts
    /// are matched instead of walked key by key, which was most of the
    /// decoding of a text stream (~2,000 instructions a frame natively).
    /// `false` (nothing filled) for any other spelling — spaces, another
    /// order or member, an index with a leading zero or of more than 9
    /// digits, an invalid string — which [`Frame::read`] then reads as it
    /// would this one.
    fn read_delta(&mut self, data: &'a str) -> bool {
        let Some(rest) = data.strip_prefix(r#"{"type":"content_block_delta","index":"#) else {
            return false;
        };
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 || (digits > 1 && rest.starts_with('0')) {
            return false;
        }
        let (index, rest) = rest.split_at(digits);
        let Some(rest) = rest.strip_prefix(r#","delta":{"type":""#) else {
            return false;
        };
        let Some((kind, rest)) = DELTA_SPELLINGS
            .iter()
            .find_map(|&(kind, tag)| Some((kind, rest.strip_prefix(tag)?)))
        else {
            return false;
        };
        let mut r = Reader::new(rest);
        let Ok(value) = r.str() else {
            return false;
        };
        if rest.get(r.offset()..) != Some("}}") {
            return false;
        }
        let mut delta = Delta {
            kind: Some(kind),
            ..Delta::default()
        };
        let slot = match kind {
            DeltaType::TextDelta => &mut delta.text,
            DeltaType::ThinkingDelta => &mut delta.thinking,
            DeltaType::SignatureDelta => &mut delta.signature,
            DeltaType::InputJsonDelta => &mut delta.partial_json,
            DeltaType::Other => return false,
        };
        *slot = Some(value);
        self.kind = Some(FrameType::ContentBlockDelta);
        // At most 9 digits: no overflow. (Not `str::parse`, which would
        // bring its own code into the package for this.)
        self.index = Some(
            index
                .bytes()
                .fold(0, |n, d| n * 10 + u32::from(d.wrapping_sub(b'0'))),
        );
        self.delta = Some(delta);
        true
    }
}

/// Each content delta type as [`Frame::read_delta`] matches it: the rest
/// of its `type` string and the key of its content.
const DELTA_SPELLINGS: [(DeltaType, &str); 4] = [
    (DeltaType::TextDelta, r#"text_delta","text":"#),
    (
        DeltaType::InputJsonDelta,
        r#"input_json_delta","partial_json":"#,
    ),
    (DeltaType::ThinkingDelta, r#"thinking_delta","thinking":"#),
    (
        DeltaType::SignatureDelta,
        r#"signature_delta","signature":"#,
    ),
];

/// A `type` member (a string or `null`) mapped by `from_name`.
fn type_name<T>(r: &mut Reader<'_>, from_name: fn(&str) -> T) -> Result<Option<T>, JsonError> {
    let mut name = None;
    optional_str(r, &mut name)?;
    Ok(name.map(|t| from_name(&t)))
}

/// The `message` of `message_start`, or a whole message (a non-streaming
/// body).
#[derive(Default)]
struct StartMessage<'a> {
    id: Option<Cow<'a, str>>,
    model: Option<Cow<'a, str>>,
    usage: Option<WireUsage>,
    /// The text of `content`: empty in a stream's `message_start` (the
    /// blocks follow as events, so it is not walked there), the blocks of a
    /// whole message; `None` when absent or `null`.
    content: Option<&'a str>,
    /// `stop_reason`: `null` in a stream's `message_start`, set in a whole
    /// message.
    stop_reason: Option<Cow<'a, str>>,
}

impl<'a> StartMessage<'a> {
    fn read(r: &mut Reader<'a>, slot: &mut Option<Self>) -> Result<(), JsonError> {
        *slot = None;
        if !optional_object(r)? {
            return Ok(());
        }
        let m = slot.insert(StartMessage::default());
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                "id" => optional_str(r, &mut m.id)?,
                "model" => optional_str(r, &mut m.model)?,
                "usage" => WireUsage::read(r, &mut m.usage)?,
                "content" => m.content = optional_raw(r)?,
                "stop_reason" => optional_str(r, &mut m.stop_reason)?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

/// Content block `type` values this decoder acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockType {
    Text,
    Thinking,
    RedactedThinking,
    ToolUse,
    Other,
}

impl BlockType {
    fn from_name(name: &str) -> BlockType {
        match name {
            "text" => BlockType::Text,
            "thinking" => BlockType::Thinking,
            "redacted_thinking" => BlockType::RedactedThinking,
            "tool_use" => BlockType::ToolUse,
            _ => BlockType::Other,
        }
    }
}

/// The `content_block` of `content_block_start`.
#[derive(Default)]
struct ContentBlock<'a> {
    kind: Option<BlockType>,
    id: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
    /// The `input` value's text (`None` for `null`).
    input: Option<&'a str>,
    text: Option<Cow<'a, str>>,
    thinking: Option<Cow<'a, str>>,
    signature: Option<Cow<'a, str>>,
    data: Option<Cow<'a, str>>,
}

impl<'a> ContentBlock<'a> {
    fn read(r: &mut Reader<'a>, slot: &mut Option<Self>) -> Result<(), JsonError> {
        *slot = None;
        if !optional_object(r)? {
            return Ok(());
        }
        let b = slot.insert(ContentBlock::default());
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                "type" => b.kind = type_name(r, BlockType::from_name)?,
                "id" => optional_str(r, &mut b.id)?,
                "name" => optional_str(r, &mut b.name)?,
                "input" => b.input = optional_raw(r)?,
                "text" => optional_str(r, &mut b.text)?,
                "thinking" => optional_str(r, &mut b.thinking)?,
                "signature" => optional_str(r, &mut b.signature)?,
                "data" => optional_str(r, &mut b.data)?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

/// Delta `type` values this decoder acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DeltaType {
    TextDelta,
    ThinkingDelta,
    SignatureDelta,
    InputJsonDelta,
    Other,
}

impl DeltaType {
    fn from_name(name: &str) -> DeltaType {
        match name {
            "text_delta" => DeltaType::TextDelta,
            "thinking_delta" => DeltaType::ThinkingDelta,
            "signature_delta" => DeltaType::SignatureDelta,
            "input_json_delta" => DeltaType::InputJsonDelta,
            _ => DeltaType::Other,
        }
    }
}

/// `delta` of `content_block_delta` (typed) and of `message_delta` (untyped,
/// with `stop_reason`).
#[derive(Default)]
struct Delta<'a> {
    kind: Option<DeltaType>,
    text: Option<Cow<'a, str>>,
    thinking: Option<Cow<'a, str>>,
    signature: Option<Cow<'a, str>>,
    partial_json: Option<Cow<'a, str>>,
    stop_reason: Option<Cow<'a, str>>,
}

impl<'a> Delta<'a> {
    fn read(r: &mut Reader<'a>, slot: &mut Option<Self>) -> Result<(), JsonError> {
        *slot = None;
        if !optional_object(r)? {
            return Ok(());
        }
        let d = slot.insert(Delta::default());
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                "type" => d.kind = type_name(r, DeltaType::from_name)?,
                "text" => optional_str(r, &mut d.text)?,
                "thinking" => optional_str(r, &mut d.thinking)?,
                "signature" => optional_str(r, &mut d.signature)?,
                "partial_json" => optional_str(r, &mut d.partial_json)?,
                "stop_reason" => optional_str(r, &mut d.stop_reason)?,
                _ => r.skip()?,
            }
        }
        Ok(())
    }
}

/// Anthropic's `usage` object (in `message_start.message`,
/// `message_delta` and a whole message).
#[derive(Default)]
struct WireUsage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
    /// `output_tokens_details.thinking_tokens`.
    thinking_tokens: Option<u64>,
}

impl WireUsage {
    fn read(r: &mut Reader<'_>, slot: &mut Option<Self>) -> Result<(), JsonError> {
        *slot = None;
        if !optional_object(r)? {
            return Ok(());
        }
        let u = slot.insert(WireUsage::default());
        while let Some(key) = r.next_key()? {
            match key.as_ref() {
                "input_tokens" => fields::count(r, &mut u.input_tokens)?,
                "output_tokens" => fields::count(r, &mut u.output_tokens)?,
                "cache_read_input_tokens" => fields::count(r, &mut u.cache_read_input_tokens)?,
                "cache_creation_input_tokens" => {
                    fields::count(r, &mut u.cache_creation_input_tokens)?
                }
                "output_tokens_details" => {
                    // Like serde's `Option<struct>`: absent, null and an
                    // object without the field all leave it unknown.
                    u.thinking_tokens = None;
                    if optional_object(r)? {
                        while let Some(key) = r.next_key()? {
                            match key.as_ref() {
                                "thinking_tokens" => fields::count(r, &mut u.thinking_tokens)?,
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

    /// Anthropic's `input_tokens` already excludes cache reads and writes,
    /// which is Zen's convention, so counts map one to one.
    fn to_usage(&self) -> Usage {
        Usage {
            input_tokens: self.input_tokens,
            output_tokens: self.output_tokens,
            cache_read_tokens: self.cache_read_input_tokens,
            cache_write_tokens: self.cache_creation_input_tokens,
            reasoning_tokens: self.thinking_tokens,
        }
    }
}

/// The unified reason of an Anthropic `stop_reason`.
fn finish_reason(stop_reason: &str) -> FinishReason {
    match stop_reason {
        "end_turn" | "stop_sequence" => FinishReason::Stop,
        "max_tokens" | "model_context_window_exceeded" => FinishReason::Length,
        "tool_use" => FinishReason::ToolCalls,
        "refusal" => FinishReason::Refusal,
        _ => FinishReason::Other,
    }
}

/// Decodes a non-streaming body (a whole `message`). A whole message is
/// the `message` of a `message_start` with its content and stop reason
/// filled in, so it is read by the same readers and decoded by a fresh
/// [`MessagesDecoder`] as the stream it stands for: the message starts,
/// each content block starts and stops, the stop reason finishes. What a
/// block, a tool call, a stop reason and usage mean lives in one place for
/// both paths.
///
/// One difference of shape: a body's `tool_use.input` is always a whole
/// JSON object, so a call the token limit cut cannot be told by its
/// arguments (a stream's cut arguments do not parse). The limit cuts the
/// block being generated, the last one, so that block is left open for the
/// stop reason to settle, as a stream's `message_delta` settles a block it
/// never saw stop; the blocks before it were finished.
///
/// `false` (nothing appended) when `body` is not a message: a field of the
/// wrong type, or no `content` array.
pub(crate) fn response_events(body: &str, out: &mut Vec<Event>) -> bool {
    let mut message = None;
    let mut r = Reader::new(body);
    let read = StartMessage::read(&mut r, &mut message).and_then(|()| r.end());
    let Some(mut message) = message.filter(|_| read.is_ok()) else {
        return false;
    };
    let Some(blocks) = message.content.take().and_then(content_blocks) else {
        return false;
    };
    let stop_reason = message.stop_reason.take();
    let cut = stop_reason.as_deref().map(finish_reason) == Some(FinishReason::Length);
    let mut decoder = MessagesDecoder::default();
    decoder.on_message_start(Some(message), out);
    let last = blocks.len().saturating_sub(1);
    for (position, block) in blocks.into_iter().enumerate() {
        let index = u32::try_from(position).unwrap_or(u32::MAX);
        decoder.on_block_start(index, block, out);
        if !(cut && position == last) {
            decoder.on_block_stop(index, out);
        }
    }
    let delta = Delta {
        stop_reason,
        ..Delta::default()
    };
    decoder.on_message_delta(Some(delta), None, out);
    decoder.on_message_stop(out);
    true
}

/// The blocks of a whole message's `content` text; `None` when it is not
/// an array of blocks.
fn content_blocks(text: &str) -> Option<Vec<ContentBlock<'_>>> {
    let mut r = Reader::new(text);
    r.begin_array().ok()?;
    let mut blocks = Vec::new();
    while r.next_item().ok()? {
        let mut block = None;
        ContentBlock::read(&mut r, &mut block).ok()?;
        blocks.extend(block);
    }
    Some(blocks)
}

impl WireDecoder for MessagesDecoder {
    fn on_event(&mut self, event: &SseEventRef<'_>, out: &mut Vec<Event>) {
        let Some(data) = payload(event.data) else {
            return;
        };
        let mut frame = Frame::default();
        if !frame.read_delta(data)
            && read_event_data("Messages", data, out, |r| frame.read(r)).is_none()
        {
            return;
        }
        self.saw_frame = true;
        let first_new = out.len();
        let kind = frame
            .kind
            .or_else(|| event.event.map(FrameType::from_name))
            .unwrap_or(FrameType::Other);
        match kind {
            FrameType::MessageStart => self.on_message_start(frame.message, out),
            FrameType::ContentBlockStart => {
                if let (Some(index), Some(block)) = (frame.index, frame.content_block) {
                    self.on_block_start(index, block, out);
                }
            }
            FrameType::ContentBlockDelta => {
                if let (Some(index), Some(delta)) = (frame.index, frame.delta) {
                    self.on_block_delta(index, delta, out);
                }
            }
            FrameType::ContentBlockStop => {
                if let Some(index) = frame.index {
                    self.on_block_stop(index, out);
                }
            }
            FrameType::MessageDelta => {
                self.on_message_delta(frame.delta, frame.usage.as_ref(), out);
            }
            FrameType::MessageStop => self.on_message_stop(out),
            FrameType::Error => self.on_error(frame.error, out),
            FrameType::Ping => {}
            // A payload without a known type that carries an `error` object
            // is an error body (Zen passes upstream errors through as-is).
            FrameType::Other => {
                if frame.error.is_some() {
                    self.on_error(frame.error, out);
                }
            }
        }
        if frame.cost.is_some() || frame.normalized_usage.is_some() {
            push_cost_events(frame.cost, frame.normalized_usage.as_ref(), out);
        }
        if !self.output && out[first_new..].iter().any(Event::is_output) {
            self.output = true;
        }
    }

    fn finish(&mut self, out: &mut Vec<Event>) {
        self.abandon_open_tools("the stream ended before the call finished", out);
        if !self.ended {
            out.push(ended_early_event(
                "Messages",
                self.saw_frame,
                "message_stop",
            ));
            self.ended = true;
        }
    }
}

impl MessagesDecoder {
    /// The message's terminal frame was seen (`message_delta` with its stop
    /// reason, or `message_stop`): the usage is final. `message_start`
    /// carries usage too, but only the opening count.
    pub fn terminal_seen(&self) -> bool {
        self.terminal
    }

    fn on_message_start(&mut self, message: Option<StartMessage<'_>>, out: &mut Vec<Event>) {
        let message = message.unwrap_or_default();
        let id = message.id.map(Cow::into_owned);
        if self.message_open {
            if !self.content_since_start && id == self.message_id {
                // The same start again before any content: a harmless repeat.
                return;
            }
            out.push(Event::Error {
                kind: ErrorKind::Protocol,
                message: format!(
                    "a second message_start ({}) arrived while message {} was open: the stream was spliced",
                    id.as_deref().unwrap_or("without id"),
                    self.message_id.as_deref().unwrap_or("without id"),
                ),
                retryable: false,
            });
            self.abandon_open_tools(
                "a new message_start arrived before the call finished (spliced stream)",
                out,
            );
        }
        self.message_open = true;
        self.content_since_start = false;
        self.ended = false;
        self.terminal = false;
        if !self.started {
            self.started = true;
            out.push(Event::Start {
                id: id.clone(),
                model: message.model.map(Cow::into_owned),
            });
        }
        self.message_id = id;
        if let Some(usage) = message.usage {
            push_usage(usage.to_usage(), out);
        }
    }

    fn on_block_start(&mut self, index: u32, block: ContentBlock<'_>, out: &mut Vec<Event>) {
        self.content_since_start = true;
        match block.kind {
            Some(BlockType::Text) => {
                if let Some(text) = block.text.filter(|t| !t.is_empty()) {
                    out.push(Event::TextDelta {
                        choice: 0,
                        text: text.into_owned(),
                    });
                }
            }
            Some(BlockType::Thinking) => {
                if let Some(text) = block.thinking.filter(|t| !t.is_empty()) {
                    out.push(Event::ReasoningDelta {
                        choice: 0,
                        text: text.into_owned(),
                    });
                }
                if let Some(signature) = block.signature.filter(|s| !s.is_empty()) {
                    out.push(Event::ReasoningSignature {
                        choice: 0,
                        signature: signature.into_owned(),
                    });
                }
            }
            Some(BlockType::RedactedThinking) => {
                if let Some(data) = block.data {
                    out.push(Event::ReasoningRedacted {
                        choice: 0,
                        data: data.into_owned(),
                    });
                }
            }
            Some(BlockType::ToolUse) => self.start_tool(index, block, out),
            Some(BlockType::Other) | None => {}
        }
    }

    fn start_tool(&mut self, block_index: u32, block: ContentBlock<'_>, out: &mut Vec<Event>) {
        // A block index reused while still open: settle the old call first.
        if let Some(pos) = self.open_tools.iter().position(|t| t.block == block_index) {
            let old = self.open_tools.remove(pos);
            out.push(old.call.complete(false));
        }
        let index = self.tool_calls;
        self.tool_calls = self.tool_calls.saturating_add(1);
        // The usual `input: {}` at the start says nothing yet: the
        // arguments stream in as `input_json_delta`s.
        let arguments = block
            .input
            .map(value_arguments)
            .filter(|a| a != "{}")
            .unwrap_or_default();
        let call = PendingToolCall {
            choice: 0,
            index,
            id: block.id.map(Cow::into_owned).unwrap_or_default(),
            name: block.name.map(Cow::into_owned).unwrap_or_default(),
            arguments,
        };
        call.announce(out);
        self.open_tools.push(OpenToolCall {
            block: block_index,
            prefilled: !call.arguments.is_empty(),
            call,
        });
    }

    fn on_block_delta(&mut self, index: u32, delta: Delta<'_>, out: &mut Vec<Event>) {
        self.content_since_start = true;
        match delta.kind {
            Some(DeltaType::TextDelta) => {
                if let Some(text) = delta.text.filter(|t| !t.is_empty()) {
                    out.push(Event::TextDelta {
                        choice: 0,
                        text: text.into_owned(),
                    });
                }
            }
            Some(DeltaType::ThinkingDelta) => {
                if let Some(text) = delta.thinking.filter(|t| !t.is_empty()) {
                    out.push(Event::ReasoningDelta {
                        choice: 0,
                        text: text.into_owned(),
                    });
                }
            }
            Some(DeltaType::SignatureDelta) => {
                if let Some(signature) = delta.signature.filter(|s| !s.is_empty()) {
                    out.push(Event::ReasoningSignature {
                        choice: 0,
                        signature: signature.into_owned(),
                    });
                }
            }
            Some(DeltaType::InputJsonDelta) => {
                // Fragments of blocks not tracked (server tools) are dropped.
                let Some(open) = self.open_tools.iter_mut().find(|t| t.block == index) else {
                    return;
                };
                let Some(fragment) = delta.partial_json.filter(|f| !f.is_empty()) else {
                    return;
                };
                if open.prefilled {
                    open.prefilled = false;
                    open.call.arguments.clear();
                }
                open.call.arguments.push_str(&fragment);
                out.push(Event::ToolCallDelta {
                    choice: 0,
                    index: open.call.index,
                    arguments_delta: fragment.into_owned(),
                });
            }
            Some(DeltaType::Other) | None => {}
        }
    }

    fn on_block_stop(&mut self, index: u32, out: &mut Vec<Event>) {
        self.content_since_start = true;
        if let Some(pos) = self.open_tools.iter().position(|t| t.block == index) {
            let open = self.open_tools.remove(pos);
            out.push(open.call.complete(false));
        }
    }

    fn on_message_delta(
        &mut self,
        delta: Option<Delta<'_>>,
        usage: Option<&WireUsage>,
        out: &mut Vec<Event>,
    ) {
        if let Some(usage) = usage {
            push_usage(usage.to_usage(), out);
        }
        let Some(raw) = delta.and_then(|d| d.stop_reason) else {
            return;
        };
        let reason = finish_reason(&raw);
        self.complete_open_tools(reason == FinishReason::Length, out);
        out.push(Event::Finish {
            choice: 0,
            reason,
            raw: Some(raw.into_owned()),
        });
        self.finished = true;
        self.terminal = true;
    }

    fn on_message_stop(&mut self, out: &mut Vec<Event>) {
        self.complete_open_tools(false, out);
        if !self.finished {
            // No message_delta said why: infer from what was produced.
            let reason = if self.tool_calls > 0 {
                FinishReason::ToolCalls
            } else {
                FinishReason::Stop
            };
            out.push(Event::Finish {
                choice: 0,
                reason,
                raw: None,
            });
            self.finished = true;
        }
        self.message_open = false;
        self.ended = true;
        self.terminal = true;
    }

    fn on_error(&mut self, error: Option<WireError<'_>>, out: &mut Vec<Event>) {
        let error = error.unwrap_or_default();
        // Anthropic types and Zen's own (`CreditsError`, …, sent in the same shape
        // on every endpoint) mean what they mean in an HTTP error body.
        let kind = error.names().kind();
        let (error_type, message) = (error.error_type.map(Cow::into_owned), error.message);
        self.abandon_open_tools(
            "the stream ended with an error before the call finished",
            out,
        );
        out.push(reported_error_event(
            kind,
            message,
            error_type.as_deref(),
            "the Messages stream reported an error",
        ));
        if self.output && !self.finished {
            out.push(Event::Finish {
                choice: 0,
                reason: FinishReason::Error,
                raw: error_type,
            });
            self.finished = true;
        }
        self.message_open = false;
        self.ended = true;
    }

    /// Completes every open tool call (parsing its arguments), in start order.
    fn complete_open_tools(&mut self, truncated: bool, out: &mut Vec<Event>) {
        for open in self.open_tools.drain(..) {
            out.push(open.call.complete(truncated));
        }
    }

    /// Reports every open tool call as unusable for `reason`.
    fn abandon_open_tools(&mut self, reason: &str, out: &mut Vec<Event>) {
        for open in self.open_tools.drain(..) {
            out.push(open.call.invalid(reason.to_owned()));
        }
    }
}
