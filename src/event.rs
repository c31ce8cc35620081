//! The unified event model every wire format decodes into, and the
//! accumulator that folds a stream of events into one final [`Message`].
//!
//! Events serialize (serde) as JSON objects tagged by `"type"` with camelCase
//! fields; this is the public contract shared with the wasm package and the
//! relay, so names here do not change lightly.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ErrorKind;
use crate::json_input::{read_document, InputError, Others};

/// Why a choice stopped generating, normalized across wire formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FinishReason {
    /// Natural end of the turn (or a stop sequence).
    Stop,
    /// The output token limit was reached.
    Length,
    /// The model stopped to call tools.
    ToolCalls,
    /// A provider content filter stopped the output.
    ContentFilter,
    /// The model refused to answer.
    Refusal,
    /// The stream ended in an error.
    Error,
    /// Any other provider reason (see `raw`).
    Other,
}

/// Token counts of one response. A count the provider did not report is
/// `None` (serialized as `null`), never a made-up 0.
///
/// Semantics are Zen's normalized usage (what its cost formula uses):
/// `input_tokens` excludes cache reads and cache writes, `output_tokens`
/// includes reasoning tokens, `reasoning_tokens` is the part of the output
/// spent on reasoning.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Uncached input tokens.
    pub input_tokens: Option<u64>,
    /// Output tokens, reasoning included.
    pub output_tokens: Option<u64>,
    /// Input tokens read from the prompt cache.
    pub cache_read_tokens: Option<u64>,
    /// Input tokens written to the prompt cache.
    pub cache_write_tokens: Option<u64>,
    /// Output tokens spent on reasoning.
    pub reasoning_tokens: Option<u64>,
}

impl Usage {
    /// Reads usage from JSON (camelCase counts, each optional; `null` →
    /// unknown; other keys ignored) — what this type's `Deserialize`
    /// accepts, without serde's per-type code in the wasm package.
    pub fn from_json(text: &str) -> Result<Usage, InputError> {
        /// Each count's key and its place in `Usage`; other keys are ignored.
        type Count = fn(&mut Usage) -> &mut Option<u64>;
        const COUNTS: &[(&str, Count)] = &[
            ("inputTokens", |u| &mut u.input_tokens),
            ("outputTokens", |u| &mut u.output_tokens),
            ("cacheReadTokens", |u| &mut u.cache_read_tokens),
            ("cacheWriteTokens", |u| &mut u.cache_write_tokens),
            ("reasoningTokens", |u| &mut u.reasoning_tokens),
        ];
        // The walk refuses a repeated key, as serde does; a count absent or
        // `null` stays `None`.
        read_document(text, |p, at| {
            p.fields(
                at,
                COUNTS,
                Others::Skip,
                |p, at, count, usage: &mut Usage| {
                    *count(usage) = p.opt_u64(at)?;
                    Ok(())
                },
            )
        })
    }

    /// Overwrites each count that `newer` reports, keeping the others.
    /// Providers report usage cumulatively, so the latest value wins.
    pub fn merge(&mut self, newer: &Usage) {
        fn take(slot: &mut Option<u64>, v: Option<u64>) {
            if v.is_some() {
                *slot = v;
            }
        }
        take(&mut self.input_tokens, newer.input_tokens);
        take(&mut self.output_tokens, newer.output_tokens);
        take(&mut self.cache_read_tokens, newer.cache_read_tokens);
        take(&mut self.cache_write_tokens, newer.cache_write_tokens);
        take(&mut self.reasoning_tokens, newer.reasoning_tokens);
    }

    /// True when no count is known.
    pub fn is_empty(&self) -> bool {
        *self == Usage::default()
    }
}

/// One unified stream event. `choice` is the choice index (0 unless the
/// request asked for several); `index` numbers tool calls within a choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Event {
    /// The response began; id and model when the provider sent them.
    Start {
        /// Provider response id.
        id: Option<String>,
        /// Model that answers.
        model: Option<String>,
    },
    /// A piece of answer text.
    TextDelta {
        /// Choice index.
        choice: u32,
        /// The text piece.
        text: String,
    },
    /// A piece of reasoning ("thinking") text.
    ReasoningDelta {
        /// Choice index.
        choice: u32,
        /// The text piece.
        text: String,
    },
    /// The opaque signature that authenticates the reasoning (Anthropic
    /// `signature_delta`, Gemini `thoughtSignature`); must be sent back intact.
    ReasoningSignature {
        /// Choice index.
        choice: u32,
        /// The signature, verbatim.
        signature: String,
    },
    /// Reasoning the provider returns encrypted (Anthropic
    /// `redacted_thinking`); must be sent back intact.
    ReasoningRedacted {
        /// Choice index.
        choice: u32,
        /// The opaque data, verbatim.
        data: String,
    },
    /// A piece of refusal text (OpenAI `refusal`).
    RefusalDelta {
        /// Choice index.
        choice: u32,
        /// The text piece.
        text: String,
    },
    /// A tool call began.
    ToolCallStart {
        /// Choice index.
        choice: u32,
        /// Tool call index within the choice.
        index: u32,
        /// Call id the result must reference.
        id: String,
        /// Tool name.
        name: String,
    },
    /// A fragment of a tool call's JSON arguments.
    ToolCallDelta {
        /// Choice index.
        choice: u32,
        /// Tool call index within the choice.
        index: u32,
        /// The raw JSON fragment.
        arguments_delta: String,
    },
    /// A complete tool call whose arguments parsed as JSON.
    ToolCall {
        /// Choice index.
        choice: u32,
        /// Tool call index within the choice.
        index: u32,
        /// Call id.
        id: String,
        /// Tool name.
        name: String,
        /// Parsed arguments.
        arguments: Value,
    },
    /// A tool call that must not be executed: its arguments are not valid
    /// JSON, or the output was cut by the length limit.
    ToolCallInvalid {
        /// Choice index.
        choice: u32,
        /// Tool call index within the choice.
        index: u32,
        /// Call id.
        id: String,
        /// Tool name.
        name: String,
        /// The arguments as received.
        raw_arguments: String,
        /// Why the call is invalid.
        reason: String,
    },
    /// Token counts (cumulative; later events refine earlier ones).
    Usage(Usage),
    /// The cost Zen reports it charged, a decimal string as sent.
    Cost {
        /// USD, e.g. `"0.00001400"`.
        usd: String,
    },
    /// A choice finished.
    Finish {
        /// Choice index.
        choice: u32,
        /// Normalized reason.
        reason: FinishReason,
        /// The provider's own reason string.
        raw: Option<String>,
    },
    /// The stream reported an error (or could not be decoded).
    Error {
        /// What kind of failure.
        kind: ErrorKind,
        /// Human-readable message.
        message: String,
        /// Whether retrying the request may succeed.
        retryable: bool,
    },
}

impl Event {
    /// True for events that carry model output (text, reasoning, refusal,
    /// tool calls). The retry policy retries only before the first of these.
    pub fn is_output(&self) -> bool {
        matches!(
            self,
            Event::TextDelta { .. }
                | Event::ReasoningDelta { .. }
                | Event::ReasoningRedacted { .. }
                | Event::RefusalDelta { .. }
                | Event::ToolCallStart { .. }
                | Event::ToolCallDelta { .. }
                | Event::ToolCall { .. }
                | Event::ToolCallInvalid { .. }
        )
    }
}

/// A finished tool call in a [`Choice`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolCall {
    /// Tool call index within the choice.
    pub index: u32,
    /// Call id.
    pub id: String,
    /// Tool name.
    pub name: String,
    /// Parsed arguments (`null` when invalid).
    pub arguments: Value,
    /// Set when the call is invalid: why. Invalid calls keep their raw text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid: Option<InvalidToolCall>,
}

/// Why a tool call in a final message is unusable, with its raw arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvalidToolCall {
    /// The arguments as received.
    pub raw_arguments: String,
    /// Why the call is invalid.
    pub reason: String,
}

/// A tool call begun but not finished in a [`Choice`]: its arguments so
/// far, as received. While a stream runs these are the calls still
/// arriving; in the message of a stream that was cut (stopped, or broken
/// before its end) they are the calls it cut off. Never to be executed:
/// once a call finishes it moves to [`Choice::tool_calls`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormingToolCall {
    /// Tool call index within the choice.
    pub index: u32,
    /// Call id.
    pub id: String,
    /// Tool name.
    pub name: String,
    /// The argument text so far.
    pub raw_arguments: String,
}

/// One piece of reasoning that must be replayed verbatim in a later turn.
///
/// Deserialized through one flat struct (`RawReasoningBlock`) instead of
/// serde's internally tagged enum support, whose buffering costs the wasm
/// package several KB.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    try_from = "RawReasoningBlock"
)]
pub enum ReasoningBlock {
    /// Visible reasoning text with its signature (if any).
    Thinking {
        /// Reasoning text.
        text: String,
        /// Signature, verbatim.
        signature: Option<String>,
    },
    /// Encrypted reasoning.
    Redacted {
        /// Opaque data, verbatim.
        data: String,
    },
}

/// Every field of any [`ReasoningBlock`]; `type` picks which apply.
#[derive(Deserialize)]
struct RawReasoningBlock {
    #[serde(rename = "type")]
    kind: ReasoningBlockKind,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    signature: Option<String>,
    #[serde(default)]
    data: Option<String>,
}

/// The `type` values of [`ReasoningBlock`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum ReasoningBlockKind {
    Thinking,
    Redacted,
}

impl TryFrom<RawReasoningBlock> for ReasoningBlock {
    type Error = &'static str;

    fn try_from(raw: RawReasoningBlock) -> Result<Self, Self::Error> {
        Ok(match raw.kind {
            ReasoningBlockKind::Thinking => ReasoningBlock::Thinking {
                text: raw.text.ok_or("missing field `text`")?,
                signature: raw.signature,
            },
            ReasoningBlockKind::Redacted => ReasoningBlock::Redacted {
                data: raw.data.ok_or("missing field `data`")?,
            },
        })
    }
}

/// Everything one choice produced.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Choice {
    /// Choice index.
    pub index: u32,
    /// Answer text.
    pub text: String,
    /// All reasoning text, concatenated.
    pub reasoning: String,
    /// The last reasoning signature seen.
    pub signature: Option<String>,
    /// Reasoning blocks in order, for replaying to providers that need them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasoning_blocks: Vec<ReasoningBlock>,
    /// Refusal text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub refusal: String,
    /// Tool calls in index order.
    pub tool_calls: Vec<ToolCall>,
    /// Tool calls begun but not finished, in the order they began.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forming_tool_calls: Vec<FormingToolCall>,
    /// Why the choice stopped (`None` if the stream ended early).
    pub finish_reason: Option<FinishReason>,
    /// The provider's own finish reason.
    pub raw_finish_reason: Option<String>,
}

/// An error carried by a stream, as recorded in a [`Message`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// Human-readable message.
    pub message: String,
    /// Whether retrying may succeed.
    pub retryable: bool,
}

/// The final message: what a whole response amounts to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Provider response id.
    pub id: Option<String>,
    /// Model that answered.
    pub model: Option<String>,
    /// Choices in index order (at least one once any output arrived).
    pub choices: Vec<Choice>,
    /// Token counts.
    pub usage: Usage,
    /// Cost Zen reported, USD decimal string.
    pub cost: Option<String>,
    /// The first error the stream reported.
    pub error: Option<StreamError>,
}

impl Message {
    /// The choice with this index, created if missing.
    pub fn choice_mut(&mut self, index: u32) -> &mut Choice {
        let pos = match self.choices.binary_search_by_key(&index, |c| c.index) {
            Ok(pos) => pos,
            Err(pos) => {
                self.choices.insert(
                    pos,
                    Choice {
                        index,
                        ..Choice::default()
                    },
                );
                pos
            }
        };
        &mut self.choices[pos]
    }

    /// The first choice's text, or "" when there is none.
    pub fn text(&self) -> &str {
        self.choices.first().map_or("", |c| c.text.as_str())
    }
}

/// Folds events into a [`Message`]. Every event is applied in O(its size):
/// text is appended, tool calls arrive already parsed from the wire decoder.
#[derive(Debug, Clone, Default)]
pub struct Accumulator {
    message: Message,
}

impl Accumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one event.
    pub fn apply(&mut self, event: &Event) {
        let m = &mut self.message;
        match event {
            Event::Start { id, model } => {
                if id.is_some() {
                    m.id.clone_from(id);
                }
                if model.is_some() {
                    m.model.clone_from(model);
                }
            }
            Event::TextDelta { choice, text } => m.choice_mut(*choice).text.push_str(text),
            Event::ReasoningDelta { choice, text } => {
                let c = m.choice_mut(*choice);
                c.reasoning.push_str(text);
                match c.reasoning_blocks.last_mut() {
                    Some(ReasoningBlock::Thinking {
                        text: block,
                        signature: None,
                    }) => block.push_str(text),
                    _ => c.reasoning_blocks.push(ReasoningBlock::Thinking {
                        text: text.clone(),
                        signature: None,
                    }),
                }
            }
            Event::ReasoningSignature { choice, signature } => {
                let c = m.choice_mut(*choice);
                c.signature = Some(signature.clone());
                match c.reasoning_blocks.last_mut() {
                    Some(ReasoningBlock::Thinking {
                        signature: slot @ None,
                        ..
                    }) => *slot = Some(signature.clone()),
                    _ => c.reasoning_blocks.push(ReasoningBlock::Thinking {
                        text: String::new(),
                        signature: Some(signature.clone()),
                    }),
                }
            }
            Event::ReasoningRedacted { choice, data } => m
                .choice_mut(*choice)
                .reasoning_blocks
                .push(ReasoningBlock::Redacted { data: data.clone() }),
            Event::RefusalDelta { choice, text } => m.choice_mut(*choice).refusal.push_str(text),
            Event::ToolCallStart {
                choice,
                index,
                id,
                name,
            } => {
                let c = m.choice_mut(*choice);
                forget_forming(c, *index);
                c.forming_tool_calls.push(FormingToolCall {
                    index: *index,
                    id: id.clone(),
                    name: name.clone(),
                    raw_arguments: String::new(),
                });
            }
            Event::ToolCallDelta {
                choice,
                index,
                arguments_delta,
            } => {
                let forming = &mut m.choice_mut(*choice).forming_tool_calls;
                if let Some(call) = forming.iter_mut().find(|c| c.index == *index) {
                    call.raw_arguments.push_str(arguments_delta);
                }
            }
            Event::ToolCall {
                choice,
                index,
                id,
                name,
                arguments,
            } => insert_call(
                m.choice_mut(*choice),
                ToolCall {
                    index: *index,
                    id: id.clone(),
                    name: name.clone(),
                    arguments: arguments.clone(),
                    invalid: None,
                },
            ),
            Event::ToolCallInvalid {
                choice,
                index,
                id,
                name,
                raw_arguments,
                reason,
            } => insert_call(
                m.choice_mut(*choice),
                ToolCall {
                    index: *index,
                    id: id.clone(),
                    name: name.clone(),
                    arguments: Value::Null,
                    invalid: Some(InvalidToolCall {
                        raw_arguments: raw_arguments.clone(),
                        reason: reason.clone(),
                    }),
                },
            ),
            Event::Usage(u) => m.usage.merge(u),
            Event::Cost { usd } => m.cost = Some(usd.clone()),
            Event::Finish {
                choice,
                reason,
                raw,
            } => {
                let c = m.choice_mut(*choice);
                c.finish_reason = Some(*reason);
                c.raw_finish_reason.clone_from(raw);
            }
            Event::Error {
                kind,
                message,
                retryable,
            } => {
                if m.error.is_none() {
                    m.error = Some(StreamError {
                        kind: *kind,
                        message: message.clone(),
                        retryable: *retryable,
                    });
                }
            }
        }
    }

    /// The message so far.
    pub fn message(&self) -> &Message {
        &self.message
    }

    /// Consumes the accumulator, returning the message.
    pub fn into_message(self) -> Message {
        self.message
    }
}

/// Inserts a finished call keeping index order (a repeated index replaces
/// the old one); it is no longer forming.
fn insert_call(choice: &mut Choice, call: ToolCall) {
    forget_forming(choice, call.index);
    match choice
        .tool_calls
        .binary_search_by_key(&call.index, |c| c.index)
    {
        Ok(pos) => choice.tool_calls[pos] = call,
        Err(pos) => choice.tool_calls.insert(pos, call),
    }
}

/// Drops the forming call with this index, if there is one.
fn forget_forming(choice: &mut Choice, index: u32) {
    let forming = &mut choice.forming_tool_calls;
    if let Some(pos) = forming.iter().position(|c| c.index == index) {
        forming.remove(pos);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialize_with_the_public_names() {
        let ev = Event::ToolCallDelta {
            choice: 0,
            index: 1,
            arguments_delta: "{\"a\"".into(),
        };
        assert_eq!(
            serde_json::to_string(&ev).unwrap(),
            r#"{"type":"toolCallDelta","choice":0,"index":1,"argumentsDelta":"{\"a\""}"#
        );
        let usage = Event::Usage(Usage {
            input_tokens: Some(3),
            ..Usage::default()
        });
        assert_eq!(
            serde_json::to_string(&usage).unwrap(),
            r#"{"type":"usage","inputTokens":3,"outputTokens":null,"cacheReadTokens":null,"cacheWriteTokens":null,"reasoningTokens":null}"#
        );
        let fin = Event::Finish {
            choice: 0,
            reason: FinishReason::ToolCalls,
            raw: Some("tool_use".into()),
        };
        assert_eq!(
            serde_json::to_string(&fin).unwrap(),
            r#"{"type":"finish","choice":0,"reason":"toolCalls","raw":"tool_use"}"#
        );
    }

    #[test]
    fn accumulator_folds_text_reasoning_and_calls_in_order() {
        let mut acc = Accumulator::new();
        for ev in [
            Event::Start {
                id: Some("r1".into()),
                model: None,
            },
            Event::ReasoningDelta {
                choice: 0,
                text: "hm".into(),
            },
            Event::ReasoningSignature {
                choice: 0,
                signature: "sig".into(),
            },
            Event::TextDelta {
                choice: 1,
                text: "b".into(),
            },
            Event::TextDelta {
                choice: 0,
                text: "a".into(),
            },
            Event::ToolCall {
                choice: 0,
                index: 1,
                id: "c2".into(),
                name: "f".into(),
                arguments: serde_json::json!({}),
            },
            Event::ToolCall {
                choice: 0,
                index: 0,
                id: "c1".into(),
                name: "f".into(),
                arguments: serde_json::json!({"x": 1}),
            },
            Event::Usage(Usage {
                input_tokens: Some(5),
                ..Usage::default()
            }),
            Event::Usage(Usage {
                output_tokens: Some(7),
                ..Usage::default()
            }),
        ] {
            acc.apply(&ev);
        }
        let m = acc.into_message();
        assert_eq!(m.id.as_deref(), Some("r1"));
        assert_eq!(m.choices.len(), 2);
        assert_eq!(m.text(), "a");
        assert_eq!(m.choices[0].reasoning, "hm");
        assert_eq!(
            m.choices[0].reasoning_blocks,
            vec![ReasoningBlock::Thinking {
                text: "hm".into(),
                signature: Some("sig".into())
            }]
        );
        let ids: Vec<_> = m.choices[0].tool_calls.iter().map(|c| &c.id[..]).collect();
        assert_eq!(ids, ["c1", "c2"]);
        assert_eq!(m.usage.input_tokens, Some(5));
        assert_eq!(m.usage.output_tokens, Some(7));
    }
}
