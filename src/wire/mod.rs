//! Wire decoders: one per Zen wire format, each turning SSE events into
//! unified [`Event`]s.

use serde::{Deserialize, Serialize};

use crate::event::{Event, Usage};
use crate::json_value::parse_value;
use crate::json_write::JsonWriter;
use crate::sse::SseEventRef;

pub mod chat;
mod event_data;
mod fields;
pub mod gemini;
pub mod messages;
mod openai;
pub mod responses;
pub(crate) mod zen_cost;

/// The four wire formats Zen serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WireFormat {
    /// OpenAI Chat Completions, `POST /chat/completions`.
    Chat,
    /// OpenAI Responses, `POST /responses`.
    Responses,
    /// Anthropic Messages, `POST /messages`.
    Messages,
    /// Google Gemini, `POST /models/{id}:streamGenerateContent`.
    Gemini,
}

impl WireFormat {
    /// All formats.
    pub const ALL: [WireFormat; 4] = [
        WireFormat::Chat,
        WireFormat::Responses,
        WireFormat::Messages,
        WireFormat::Gemini,
    ];

    /// The lower-case name (`"chat"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            WireFormat::Chat => "chat",
            WireFormat::Responses => "responses",
            WireFormat::Messages => "messages",
            WireFormat::Gemini => "gemini",
        }
    }
}

impl std::str::FromStr for WireFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        WireFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("unknown wire format {s:?} (chat|responses|messages|gemini)"))
    }
}

impl std::fmt::Display for WireFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A decoder from SSE events of one wire format to unified events.
pub trait WireDecoder {
    /// Handles one dispatched SSE event, appending what it means to `out`.
    /// The event is borrowed (zero-copy from the SSE decoder); an owned
    /// [`SseEvent`](crate::sse::SseEvent) is passed as `&event.view()`.
    fn on_event(&mut self, event: &SseEventRef<'_>, out: &mut Vec<Event>);
    /// The body ended: flush anything pending (e.g. unfinished tool calls).
    fn finish(&mut self, out: &mut Vec<Event>);
}

/// A wire decoder for any of the four formats.
#[derive(Debug)]
pub enum AnyWireDecoder {
    /// Chat Completions.
    Chat(chat::ChatDecoder),
    /// Responses.
    Responses(responses::ResponsesDecoder),
    /// Anthropic Messages.
    Messages(messages::MessagesDecoder),
    /// Gemini.
    Gemini(gemini::GeminiDecoder),
}

impl AnyWireDecoder {
    /// A fresh decoder for `format`.
    pub fn new(format: WireFormat) -> Self {
        match format {
            WireFormat::Chat => AnyWireDecoder::Chat(Default::default()),
            WireFormat::Responses => AnyWireDecoder::Responses(Default::default()),
            WireFormat::Messages => AnyWireDecoder::Messages(Default::default()),
            WireFormat::Gemini => AnyWireDecoder::Gemini(Default::default()),
        }
    }

    /// The format's terminal frame was seen, so the usage reported is final
    /// (each decoder's `terminal_seen` says which frames count).
    pub fn terminal_seen(&self) -> bool {
        match self {
            AnyWireDecoder::Chat(d) => d.terminal_seen(),
            AnyWireDecoder::Responses(d) => d.terminal_seen(),
            AnyWireDecoder::Messages(d) => d.terminal_seen(),
            AnyWireDecoder::Gemini(d) => d.terminal_seen(),
        }
    }
}

impl WireDecoder for AnyWireDecoder {
    fn on_event(&mut self, event: &SseEventRef<'_>, out: &mut Vec<Event>) {
        match self {
            AnyWireDecoder::Chat(d) => d.on_event(event, out),
            AnyWireDecoder::Responses(d) => d.on_event(event, out),
            AnyWireDecoder::Messages(d) => d.on_event(event, out),
            AnyWireDecoder::Gemini(d) => d.on_event(event, out),
        }
    }
    fn finish(&mut self, out: &mut Vec<Event>) {
        match self {
            AnyWireDecoder::Chat(d) => d.finish(out),
            AnyWireDecoder::Responses(d) => d.finish(out),
            AnyWireDecoder::Messages(d) => d.finish(out),
            AnyWireDecoder::Gemini(d) => d.finish(out),
        }
    }
}

/// Appends `usage` as a `usage` event unless no count is known. Shared by
/// every decoder (never inlined) so the wasm package has one copy.
#[inline(never)]
pub(crate) fn push_usage(usage: Usage, out: &mut Vec<Event>) {
    if !usage.is_empty() {
        out.push(Event::Usage(usage));
    }
}

/// A tool call whose argument fragments are still arriving. Fragments are
/// appended to one buffer (amortized O(1) each) and parsed exactly once, in
/// [`PendingToolCall::complete`] — never a reparse of a growing prefix.
#[derive(Debug, Clone, Default)]
pub struct PendingToolCall {
    /// Choice index.
    pub choice: u32,
    /// Tool call index within the choice.
    pub index: u32,
    /// Call id.
    pub id: String,
    /// Tool name.
    pub name: String,
    /// Argument text so far.
    pub arguments: String,
}

/// The argument text of a tool call that a format sends as a JSON value
/// rather than as text (Anthropic's `input`, Gemini's `args`): the value
/// written compactly, as serde_json writes it, so the text does not depend
/// on the sender's whitespace. A value that makes no tree (nested past the
/// limit, or holding a number beyond the `f64` range) is kept as written:
/// completing the call then reports it invalid, with that text.
pub(crate) fn value_arguments(raw: &str) -> String {
    parse_value(raw).map_or_else(|_| raw.to_owned(), |value| JsonWriter::text(&value))
}

impl PendingToolCall {
    /// Finishes the call: `toolCall` when the arguments parse as JSON (empty
    /// arguments mean `{}`), `toolCallInvalid` when they do not, when the
    /// output was cut by a length stop (`truncated`), or when no tool was
    /// named (nothing could execute the call) — in every format, streamed
    /// or not.
    pub fn complete(self, truncated: bool) -> Event {
        if self.name.is_empty() {
            return self.invalid("the tool to call was never named".into());
        }
        if truncated {
            return self
                .invalid("output was cut by the token limit before the call finished".into());
        }
        let text = self.arguments.trim();
        let parsed = if text.is_empty() {
            Ok(serde_json::Value::Object(Default::default()))
        } else {
            parse_value(text)
        };
        match parsed {
            Ok(arguments) => Event::ToolCall {
                choice: self.choice,
                index: self.index,
                id: self.id,
                name: self.name,
                arguments,
            },
            Err(e) => self.invalid(format!("arguments are not valid JSON: {e}")),
        }
    }

    /// Announces the call: `toolCallStart`, then its arguments so far (when
    /// any) as one `toolCallDelta`. Shared by the stream decoders and the
    /// non-streaming one, so the wasm package has one copy of the sequence.
    #[inline(never)]
    pub(crate) fn announce(&self, out: &mut Vec<Event>) {
        out.push(Event::ToolCallStart {
            choice: self.choice,
            index: self.index,
            id: self.id.clone(),
            name: self.name.clone(),
        });
        if !self.arguments.is_empty() {
            out.push(Event::ToolCallDelta {
                choice: self.choice,
                index: self.index,
                arguments_delta: self.arguments.clone(),
            });
        }
    }

    /// The `toolCallInvalid` event for this call, whatever its arguments:
    /// `reason` says why it cannot be executed; the raw text is kept.
    pub fn invalid(self, reason: String) -> Event {
        Event::ToolCallInvalid {
            choice: self.choice,
            index: self.index,
            id: self.id,
            name: self.name,
            raw_arguments: self.arguments,
            reason,
        }
    }
}
