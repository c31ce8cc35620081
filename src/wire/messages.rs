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

use serde::Deserialize;
use serde_json::Value;

use crate::error::{error_type_kind, ErrorKind};
use crate::event::{Event, FinishReason, Usage};
use crate::sse::SseEventRef;
use crate::wire::event_data::{ended_early_event, parse_event_data};
use crate::wire::text_or::TextOr;
use crate::wire::zen_cost::{lenient_cost, push_cost_events, ZenNormalizedUsage};
use crate::wire::{PendingToolCall, WireDecoder};

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
    /// At least one frame was decoded.
    saw_frame: bool,
}

#[derive(Debug)]
struct OpenToolCall {
    /// The content block index it arrives on.
    block: u32,
    call: PendingToolCall,
    /// The arguments came whole in `content_block_start`.
    prefilled: bool,
}

/// Frame `type` values this decoder acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum FrameType {
    MessageStart,
    ContentBlockStart,
    ContentBlockDelta,
    ContentBlockStop,
    MessageDelta,
    MessageStop,
    Ping,
    Error,
    #[serde(other)]
    Other,
}

impl FrameType {
    /// The type named by an SSE `event:` line (fallback when JSON lacks one).
    fn from_event_name(name: &str) -> FrameType {
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
/// parsed exactly once; unknown fields are skipped without being built.
#[derive(Deserialize)]
struct Frame {
    #[serde(rename = "type")]
    kind: Option<FrameType>,
    index: Option<u32>,
    message: Option<StartMessage>,
    content_block: Option<ContentBlock>,
    delta: Option<Delta>,
    usage: Option<WireUsage>,
    error: Option<WireError>,
    #[serde(default, deserialize_with = "lenient_cost")]
    cost: Option<String>,
    #[serde(rename = "normalizedUsage")]
    normalized_usage: Option<ZenNormalizedUsage>,
}

#[derive(Default, Deserialize)]
struct StartMessage {
    id: Option<String>,
    model: Option<String>,
    usage: Option<WireUsage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum BlockType {
    Text,
    Thinking,
    RedactedThinking,
    ToolUse,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct ContentBlock {
    #[serde(rename = "type")]
    kind: Option<BlockType>,
    id: Option<String>,
    name: Option<String>,
    /// Only read at block start (once per block), so a `Value` costs nothing
    /// on the hot path.
    input: Option<Value>,
    text: Option<String>,
    thinking: Option<String>,
    signature: Option<String>,
    data: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum DeltaType {
    TextDelta,
    ThinkingDelta,
    SignatureDelta,
    InputJsonDelta,
    #[serde(other)]
    Other,
}

/// `delta` of `content_block_delta` (typed) and of `message_delta` (untyped,
/// with `stop_reason`).
#[derive(Deserialize)]
struct Delta {
    #[serde(rename = "type")]
    kind: Option<DeltaType>,
    text: Option<String>,
    thinking: Option<String>,
    signature: Option<String>,
    partial_json: Option<String>,
    stop_reason: Option<String>,
}

#[derive(Deserialize)]
struct WireUsage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
    output_tokens_details: Option<OutputTokensDetails>,
}

#[derive(Deserialize)]
struct OutputTokensDetails {
    thinking_tokens: Option<u64>,
}

impl WireUsage {
    /// Anthropic's `input_tokens` already excludes cache reads and writes,
    /// which is Zen's convention, so counts map one to one.
    fn to_usage(&self) -> Usage {
        Usage {
            input_tokens: self.input_tokens,
            output_tokens: self.output_tokens,
            cache_read_tokens: self.cache_read_input_tokens,
            cache_write_tokens: self.cache_creation_input_tokens,
            reasoning_tokens: self
                .output_tokens_details
                .as_ref()
                .and_then(|d| d.thinking_tokens),
        }
    }
}

/// `error` is an object in every known producer; a bare string is accepted
/// so that an odd server still yields a readable error.
type WireError = TextOr<WireErrorObject>;

/// The object form of [`WireError`].
#[derive(Deserialize)]
struct WireErrorObject {
    #[serde(rename = "type")]
    kind: Option<String>,
    message: Option<String>,
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

impl WireDecoder for MessagesDecoder {
    fn on_event(&mut self, event: &SseEventRef<'_>, out: &mut Vec<Event>) {
        let Some(frame) = parse_event_data::<Frame>("Messages", event.data, out) else {
            return;
        };
        self.saw_frame = true;
        let first_new = out.len();
        let kind = frame
            .kind
            .or_else(|| event.event.map(FrameType::from_event_name))
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
    fn on_message_start(&mut self, message: Option<StartMessage>, out: &mut Vec<Event>) {
        let message = message.unwrap_or_default();
        if self.message_open {
            if !self.content_since_start && message.id == self.message_id {
                // The same start again before any content: a harmless repeat.
                return;
            }
            out.push(Event::Error {
                kind: ErrorKind::Protocol,
                message: format!(
                    "a second message_start ({}) arrived while message {} was open: the stream was spliced",
                    message.id.as_deref().unwrap_or("without id"),
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
        if !self.started {
            self.started = true;
            out.push(Event::Start {
                id: message.id.clone(),
                model: message.model,
            });
        }
        self.message_id = message.id;
        if let Some(usage) = message.usage {
            push_usage(&usage, out);
        }
    }

    fn on_block_start(&mut self, index: u32, block: ContentBlock, out: &mut Vec<Event>) {
        self.content_since_start = true;
        match block.kind {
            Some(BlockType::Text) => {
                if let Some(text) = block.text.filter(|t| !t.is_empty()) {
                    out.push(Event::TextDelta { choice: 0, text });
                }
            }
            Some(BlockType::Thinking) => {
                if let Some(text) = block.thinking.filter(|t| !t.is_empty()) {
                    out.push(Event::ReasoningDelta { choice: 0, text });
                }
                if let Some(signature) = block.signature.filter(|s| !s.is_empty()) {
                    out.push(Event::ReasoningSignature {
                        choice: 0,
                        signature,
                    });
                }
            }
            Some(BlockType::RedactedThinking) => {
                if let Some(data) = block.data {
                    out.push(Event::ReasoningRedacted { choice: 0, data });
                }
            }
            Some(BlockType::ToolUse) => self.start_tool(index, block, out),
            Some(BlockType::Other) | None => {}
        }
    }

    fn start_tool(&mut self, block_index: u32, block: ContentBlock, out: &mut Vec<Event>) {
        // A block index reused while still open: settle the old call first.
        if let Some(pos) = self.open_tools.iter().position(|t| t.block == block_index) {
            let old = self.open_tools.remove(pos);
            out.push(old.call.complete(false));
        }
        let index = self.tool_calls;
        self.tool_calls = self.tool_calls.saturating_add(1);
        let id = block.id.unwrap_or_default();
        let name = block.name.unwrap_or_default();
        out.push(Event::ToolCallStart {
            choice: 0,
            index,
            id: id.clone(),
            name: name.clone(),
        });
        let arguments = match block.input {
            None | Some(Value::Null) => String::new(),
            Some(Value::Object(map)) if map.is_empty() => String::new(),
            Some(input) => input.to_string(),
        };
        let prefilled = !arguments.is_empty();
        if prefilled {
            out.push(Event::ToolCallDelta {
                choice: 0,
                index,
                arguments_delta: arguments.clone(),
            });
        }
        self.open_tools.push(OpenToolCall {
            block: block_index,
            call: PendingToolCall {
                choice: 0,
                index,
                id,
                name,
                arguments,
            },
            prefilled,
        });
    }

    fn on_block_delta(&mut self, index: u32, delta: Delta, out: &mut Vec<Event>) {
        self.content_since_start = true;
        match delta.kind {
            Some(DeltaType::TextDelta) => {
                if let Some(text) = delta.text.filter(|t| !t.is_empty()) {
                    out.push(Event::TextDelta { choice: 0, text });
                }
            }
            Some(DeltaType::ThinkingDelta) => {
                if let Some(text) = delta.thinking.filter(|t| !t.is_empty()) {
                    out.push(Event::ReasoningDelta { choice: 0, text });
                }
            }
            Some(DeltaType::SignatureDelta) => {
                if let Some(signature) = delta.signature.filter(|s| !s.is_empty()) {
                    out.push(Event::ReasoningSignature {
                        choice: 0,
                        signature,
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
                    arguments_delta: fragment,
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
        delta: Option<Delta>,
        usage: Option<&WireUsage>,
        out: &mut Vec<Event>,
    ) {
        if let Some(usage) = usage {
            push_usage(usage, out);
        }
        let Some(raw) = delta.and_then(|d| d.stop_reason) else {
            return;
        };
        let reason = finish_reason(&raw);
        self.complete_open_tools(reason == FinishReason::Length, out);
        out.push(Event::Finish {
            choice: 0,
            reason,
            raw: Some(raw),
        });
        self.finished = true;
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
    }

    fn on_error(&mut self, error: Option<WireError>, out: &mut Vec<Event>) {
        let (error_type, message) = match error {
            Some(TextOr::Object(WireErrorObject { kind, message })) => (kind, message),
            Some(TextOr::Text(message)) => (None, Some(message)),
            None => (None, None),
        };
        // Anthropic types and Zen's own (`CreditsError`, …, sent in the same shape
        // on every endpoint) map through the same table as HTTP error bodies.
        let kind = error_type
            .as_deref()
            .and_then(error_type_kind)
            .unwrap_or(ErrorKind::Unknown);
        let message = message
            .filter(|m| !m.is_empty())
            .or_else(|| error_type.clone())
            .unwrap_or_else(|| "the Messages stream reported an error".into());
        self.abandon_open_tools(
            "the stream ended with an error before the call finished",
            out,
        );
        out.push(Event::Error {
            kind,
            message,
            retryable: kind.is_retryable(),
        });
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

fn push_usage(usage: &WireUsage, out: &mut Vec<Event>) {
    let usage = usage.to_usage();
    if !usage.is_empty() {
        out.push(Event::Usage(usage));
    }
}
