//! The crate's output types written as JSON with [`JsonWriter`] — events,
//! messages, cost estimates, catalog entries: the same text as
//! `serde_json::to_string` of their serde derives (which stay the reference
//! for Rust users), without serde's serializer.
//!
//! The JS binding hands these over as JSON text parsed by `JSON.parse`
//! (stream events mostly as a tape, `wasm::event_tape`, whose rare events
//! are this text too); serializing through serde cost ~10% of decode time
//! in V8, and serde's serializer code (a generic stack per type) is dead
//! weight in the wasm package once nothing there uses it. Member names and
//! order here must follow the derives exactly (declaration order,
//! camelCase, `"type"` first for tagged enums, the same
//! `skip_serializing_if`s); tests/output_json.rs checks every fixture's
//! events and messages, every catalog entry and generated values byte for
//! byte against serde_json.

use crate::catalog::{Capabilities, Limits, ModelInfo, Prices};
use crate::cost::{CostEstimate, Missing};
use crate::error::ErrorKind;
use crate::event::{
    Choice, Event, FinishReason, FormingToolCall, InvalidToolCall, Message, ReasoningBlock,
    StreamError, ToolCall, Usage,
};
use crate::json_write::JsonWriter;

impl Event {
    /// Writes the event as its JSON object (`{"type":"textDelta",…}`),
    /// byte-identical to `serde_json::to_string(self)`.
    pub fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        match self {
            Event::Start { id, model } => {
                w.raw_member(r#""type":"start""#);
                w.raw_key(r#""id":"#);
                w.opt_str(id.as_deref());
                w.raw_key(r#""model":"#);
                w.opt_str(model.as_deref());
            }
            Event::TextDelta { choice, text } => {
                choice_text(w, r#""type":"textDelta""#, *choice, r#""text":"#, text);
            }
            Event::ReasoningDelta { choice, text } => {
                choice_text(w, r#""type":"reasoningDelta""#, *choice, r#""text":"#, text);
            }
            Event::ReasoningSignature { choice, signature } => {
                choice_text(
                    w,
                    r#""type":"reasoningSignature""#,
                    *choice,
                    r#""signature":"#,
                    signature,
                );
            }
            Event::ReasoningRedacted { choice, data } => {
                choice_text(
                    w,
                    r#""type":"reasoningRedacted""#,
                    *choice,
                    r#""data":"#,
                    data,
                );
            }
            Event::RefusalDelta { choice, text } => {
                choice_text(w, r#""type":"refusalDelta""#, *choice, r#""text":"#, text);
            }
            Event::ToolCallStart {
                choice,
                index,
                id,
                name,
            } => {
                call_head(w, r#""type":"toolCallStart""#, *choice, *index);
                w.raw_field(r#""id":"#, id);
                w.raw_field(r#""name":"#, name);
            }
            Event::ToolCallDelta {
                choice,
                index,
                arguments_delta,
            } => {
                call_head(w, r#""type":"toolCallDelta""#, *choice, *index);
                w.raw_field(r#""argumentsDelta":"#, arguments_delta);
            }
            Event::ToolCall {
                choice,
                index,
                id,
                name,
                arguments,
            } => {
                call_head(w, r#""type":"toolCall""#, *choice, *index);
                w.raw_field(r#""id":"#, id);
                w.raw_field(r#""name":"#, name);
                w.raw_key(r#""arguments":"#);
                w.value(arguments);
            }
            Event::ToolCallInvalid {
                choice,
                index,
                id,
                name,
                raw_arguments,
                reason,
            } => {
                call_head(w, r#""type":"toolCallInvalid""#, *choice, *index);
                w.raw_field(r#""id":"#, id);
                w.raw_field(r#""name":"#, name);
                w.raw_field(r#""rawArguments":"#, raw_arguments);
                w.raw_field(r#""reason":"#, reason);
            }
            Event::Usage(usage) => {
                // A newtype variant of an internally tagged enum: the tag,
                // then the struct's own members, in one object.
                w.raw_member(r#""type":"usage""#);
                usage.write_members(w);
            }
            Event::Cost { usd } => {
                w.raw_member(r#""type":"cost""#);
                w.raw_field(r#""usd":"#, usd);
            }
            Event::Finish {
                choice,
                reason,
                raw,
            } => {
                w.raw_member(r#""type":"finish""#);
                w.raw_key(r#""choice":"#);
                w.u64(u64::from(*choice));
                w.raw_field(r#""reason":"#, reason.as_str());
                w.raw_key(r#""raw":"#);
                w.opt_str(raw.as_deref());
            }
            Event::Error {
                kind,
                message,
                retryable,
            } => {
                w.raw_member(r#""type":"error""#);
                error_members(w, *kind, message, *retryable);
            }
        }
        w.end_object();
    }

    /// The event as JSON text (see [`Event::write_json`]).
    pub fn to_json(&self) -> String {
        let mut w = JsonWriter::new();
        self.write_json(&mut w);
        w.finish()
    }
}

/// `"type"`, `"choice"` and one string member: the shape of most events.
/// `tag` and `key` are finished JSON text (`"type":"textDelta"`, `"text":`).
fn choice_text(w: &mut JsonWriter, tag: &str, choice: u32, key: &str, value: &str) {
    w.raw_member(tag);
    w.raw_key(r#""choice":"#);
    w.u64(u64::from(choice));
    w.raw_field(key, value);
}

/// `"type"`, `"choice"` and `"index"` of a tool call event (`tag` as in
/// [`choice_text`]).
fn call_head(w: &mut JsonWriter, tag: &str, choice: u32, index: u32) {
    w.raw_member(tag);
    w.raw_key(r#""choice":"#);
    w.u64(u64::from(choice));
    w.raw_key(r#""index":"#);
    w.u64(u64::from(index));
}

/// The members of an error event and of [`StreamError`].
fn error_members(w: &mut JsonWriter, kind: ErrorKind, message: &str, retryable: bool) {
    w.raw_field(r#""kind":"#, kind.as_str());
    w.raw_field(r#""message":"#, message);
    w.raw_key(r#""retryable":"#);
    w.bool(retryable);
}

impl FinishReason {
    /// The camelCase name, as serialized (`"toolCalls"`).
    pub fn as_str(self) -> &'static str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::ToolCalls => "toolCalls",
            FinishReason::ContentFilter => "contentFilter",
            FinishReason::Refusal => "refusal",
            FinishReason::Error => "error",
            FinishReason::Other => "other",
        }
    }
}

impl Usage {
    /// Writes the counts as a JSON object, byte-identical to
    /// `serde_json::to_string(self)`.
    pub fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        self.write_members(w);
        w.end_object();
    }

    fn write_members(&self, w: &mut JsonWriter) {
        w.raw_key(r#""inputTokens":"#);
        w.opt_u64(self.input_tokens);
        w.raw_key(r#""outputTokens":"#);
        w.opt_u64(self.output_tokens);
        w.raw_key(r#""cacheReadTokens":"#);
        w.opt_u64(self.cache_read_tokens);
        w.raw_key(r#""cacheWriteTokens":"#);
        w.opt_u64(self.cache_write_tokens);
        w.raw_key(r#""reasoningTokens":"#);
        w.opt_u64(self.reasoning_tokens);
    }
}

impl Message {
    /// Writes the message as a JSON object, byte-identical to
    /// `serde_json::to_string(self)`.
    pub fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        w.key("id");
        w.opt_str(self.id.as_deref());
        w.key("model");
        w.opt_str(self.model.as_deref());
        w.key("choices");
        w.begin_array();
        self.choices.iter().for_each(|c| c.write_json(w));
        w.end_array();
        w.key("usage");
        self.usage.write_json(w);
        w.key("cost");
        w.opt_str(self.cost.as_deref());
        w.key("error");
        match &self.error {
            Some(e) => e.write_json(w),
            None => w.null(),
        }
        w.end_object();
    }

    /// The message as JSON text (see [`Message::write_json`]).
    pub fn to_json(&self) -> String {
        let mut w = JsonWriter::new();
        self.write_json(&mut w);
        w.finish()
    }
}

impl Choice {
    /// Writes the choice as a JSON object, byte-identical to
    /// `serde_json::to_string(self)`.
    pub fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        w.key("index");
        w.u64(u64::from(self.index));
        w.field("text", &self.text);
        w.field("reasoning", &self.reasoning);
        w.key("signature");
        w.opt_str(self.signature.as_deref());
        // Both skipped when empty, as the derive's `skip_serializing_if`.
        if !self.reasoning_blocks.is_empty() {
            w.key("reasoningBlocks");
            w.begin_array();
            self.reasoning_blocks.iter().for_each(|b| b.write_json(w));
            w.end_array();
        }
        if !self.refusal.is_empty() {
            w.field("refusal", &self.refusal);
        }
        w.key("toolCalls");
        w.begin_array();
        self.tool_calls.iter().for_each(|c| c.write_json(w));
        w.end_array();
        // Skipped when empty, as the derive's `skip_serializing_if`.
        if !self.forming_tool_calls.is_empty() {
            w.key("formingToolCalls");
            w.begin_array();
            self.forming_tool_calls.iter().for_each(|c| c.write_json(w));
            w.end_array();
        }
        w.key("finishReason");
        w.opt_str(self.finish_reason.map(FinishReason::as_str));
        w.key("rawFinishReason");
        w.opt_str(self.raw_finish_reason.as_deref());
        w.end_object();
    }
}

impl ReasoningBlock {
    /// Writes the block as a JSON object (`{"type":"thinking",…}`),
    /// byte-identical to `serde_json::to_string(self)`.
    pub fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        match self {
            ReasoningBlock::Thinking { text, signature } => {
                w.field("type", "thinking");
                w.field("text", text);
                w.key("signature");
                w.opt_str(signature.as_deref());
            }
            ReasoningBlock::Redacted { data } => {
                w.field("type", "redacted");
                w.field("data", data);
            }
        }
        w.end_object();
    }
}

impl ToolCall {
    /// Writes the call as a JSON object, byte-identical to
    /// `serde_json::to_string(self)`.
    pub fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        w.key("index");
        w.u64(u64::from(self.index));
        w.field("id", &self.id);
        w.field("name", &self.name);
        w.key("arguments");
        w.value(&self.arguments);
        // Skipped when `None`, as the derive's `skip_serializing_if`.
        if let Some(invalid) = &self.invalid {
            w.key("invalid");
            invalid.write_json(w);
        }
        w.end_object();
    }
}

impl FormingToolCall {
    /// Writes the call as a JSON object, byte-identical to
    /// `serde_json::to_string(self)`.
    pub fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        w.key("index");
        w.u64(u64::from(self.index));
        w.field("id", &self.id);
        w.field("name", &self.name);
        w.field("rawArguments", &self.raw_arguments);
        w.end_object();
    }
}

impl InvalidToolCall {
    /// Writes the record as a JSON object, byte-identical to
    /// `serde_json::to_string(self)`.
    pub fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        w.field("rawArguments", &self.raw_arguments);
        w.field("reason", &self.reason);
        w.end_object();
    }
}

impl StreamError {
    /// Writes the error as a JSON object, byte-identical to
    /// `serde_json::to_string(self)`.
    pub fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        error_members(w, self.kind, &self.message, self.retryable);
        w.end_object();
    }
}

impl CostEstimate {
    /// Writes the estimate as a JSON object (amounts as decimal strings),
    /// byte-identical to `serde_json::to_string(self)`.
    pub fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        for (key, usd) in [
            ("input", self.input),
            ("output", self.output),
            ("cacheRead", self.cache_read),
            ("cacheWrite", self.cache_write),
            ("total", self.total),
        ] {
            w.field(key, &usd.to_string());
        }
        w.key("tierOver200k");
        w.bool(self.tier_over_200k);
        w.key("missing");
        w.begin_array();
        self.missing.iter().for_each(|m| w.str(m.as_str()));
        w.end_array();
        w.end_object();
    }
}

impl Missing {
    /// The camelCase name, as serialized (`"inputTokens"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Missing::InputTokens => "inputTokens",
            Missing::OutputTokens => "outputTokens",
            Missing::CacheReadTokens => "cacheReadTokens",
            Missing::CacheWriteTokens => "cacheWriteTokens",
            Missing::InputPrice => "inputPrice",
            Missing::OutputPrice => "outputPrice",
            Missing::CacheReadPrice => "cacheReadPrice",
            Missing::CacheWritePrice => "cacheWritePrice",
        }
    }
}

impl ModelInfo {
    /// Writes the catalog entry as a JSON object, byte-identical to
    /// `serde_json::to_string(self)`.
    pub fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        w.field("id", &self.id);
        w.field("name", &self.name);
        w.field("format", self.format.as_str());
        w.key("free");
        w.bool(self.free);
        w.key("prices");
        self.prices.write_json(w);
        w.key("pricesOver200k");
        match &self.prices_over_200k {
            Some(p) => p.write_json(w),
            None => w.null(),
        }
        w.key("limits");
        self.limits.write_json(w);
        w.key("capabilities");
        self.capabilities.write_json(w);
        w.key("unknown");
        w.bool(self.unknown);
        w.key("unavailable");
        w.bool(self.unavailable);
        // Both skipped when `None`, as the derive's `skip_serializing_if`.
        if let Some(provider) = &self.provider {
            w.field("provider", provider);
        }
        if let Some(status) = &self.status {
            w.field("status", status);
        }
        w.end_object();
    }
}

impl Prices {
    /// Writes the prices as a JSON object, byte-identical to
    /// `serde_json::to_string(self)`.
    pub fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        w.field("input", &self.input);
        w.field("output", &self.output);
        w.key("cacheRead");
        w.opt_str(self.cache_read.as_deref());
        w.key("cacheWrite");
        w.opt_str(self.cache_write.as_deref());
        w.end_object();
    }
}

impl Limits {
    /// Writes the limits as a JSON object, byte-identical to
    /// `serde_json::to_string(self)`.
    pub fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        w.key("context");
        w.u64(self.context);
        w.key("output");
        w.u64(self.output);
        w.end_object();
    }
}

impl Capabilities {
    /// Writes the capabilities as a JSON object, byte-identical to
    /// `serde_json::to_string(self)`.
    pub fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        for (key, on) in [
            ("reasoning", self.reasoning),
            ("tools", self.tools),
            ("attachments", self.attachments),
            ("temperature", self.temperature),
            ("interleavedReasoning", self.interleaved_reasoning),
        ] {
            w.key(key);
            w.bool(on);
        }
        w.end_object();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finish_reason_names_are_the_serde_names() {
        for r in [
            FinishReason::Stop,
            FinishReason::Length,
            FinishReason::ToolCalls,
            FinishReason::ContentFilter,
            FinishReason::Refusal,
            FinishReason::Error,
            FinishReason::Other,
        ] {
            assert_eq!(
                format!("\"{}\"", r.as_str()),
                serde_json::to_string(&r).unwrap()
            );
        }
    }

    #[test]
    fn missing_names_are_the_serde_names() {
        use Missing::*;
        for m in [
            InputTokens,
            OutputTokens,
            CacheReadTokens,
            CacheWriteTokens,
            InputPrice,
            OutputPrice,
            CacheReadPrice,
            CacheWritePrice,
        ] {
            assert_eq!(
                format!("\"{}\"", m.as_str()),
                serde_json::to_string(&m).unwrap()
            );
        }
    }

    #[test]
    fn writes_the_documented_event_shapes() {
        let ev = Event::ToolCallDelta {
            choice: 0,
            index: 1,
            arguments_delta: "{\"a\"".into(),
        };
        assert_eq!(
            ev.to_json(),
            r#"{"type":"toolCallDelta","choice":0,"index":1,"argumentsDelta":"{\"a\""}"#
        );
        let usage = Event::Usage(Usage {
            input_tokens: Some(3),
            ..Usage::default()
        });
        assert_eq!(
            usage.to_json(),
            r#"{"type":"usage","inputTokens":3,"outputTokens":null,"cacheReadTokens":null,"cacheWriteTokens":null,"reasoningTokens":null}"#
        );
        assert_eq!(
            Message::default().to_json(),
            serde_json::to_string(&Message::default()).unwrap()
        );
    }
}
