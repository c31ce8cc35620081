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
//!
//! Tool calls are keyed by (choice, wire `index`). The unified `index` is
//! assigned in order of appearance within each choice, so it stays dense even
//! when a server skips wire indexes or reuses one index for several calls
//! (a new, different `id` on an index starts a new call). Legacy
//! `delta.function_call` deltas (pre-tools API) are not decoded.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::Value;

use super::openai::{error_event, invalid_json, lenient_count, lenient_text, StreamedCall};
use super::zen_cost::{lenient_cost, push_cost_events, ZenNormalizedUsage};
use crate::event::{Event, FinishReason, Usage};
use crate::sse::SseEventRef;
use crate::wire::WireDecoder;

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
}

#[derive(Debug)]
struct ChatCall {
    /// The `index` the server gave this call, if any.
    wire_index: Option<u32>,
    streamed: StreamedCall,
}

#[derive(Deserialize)]
struct Chunk<'a> {
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    model: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    choices: Option<Vec<ChunkChoice<'a>>>,
    #[serde(default)]
    usage: Option<ChatUsage>,
    #[serde(default, rename = "normalizedUsage")]
    normalized_usage: Option<ZenNormalizedUsage>,
    #[serde(default, deserialize_with = "lenient_cost")]
    cost: Option<String>,
    /// Errors are rare and their shapes vary (object, string, numeric code),
    /// so this cold field is read as a tree.
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct ChunkChoice<'a> {
    #[serde(default)]
    index: u32,
    #[serde(borrow, default)]
    delta: Option<Delta<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    finish_reason: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Delta<'a> {
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    content: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    reasoning_content: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    reasoning: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    refusal: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    tool_calls: Option<Vec<ToolCallChunk<'a>>>,
}

#[derive(Deserialize)]
struct ToolCallChunk<'a> {
    #[serde(default)]
    index: Option<u32>,
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    function: Option<FunctionChunk<'a>>,
}

#[derive(Deserialize)]
struct FunctionChunk<'a> {
    #[serde(borrow, default, deserialize_with = "lenient_text")]
    name: Option<Cow<'a, str>>,
    /// Strict on purpose: arguments that are not a string are a protocol
    /// error, not something to drop silently.
    #[serde(borrow, default)]
    arguments: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct ChatUsage {
    #[serde(default, deserialize_with = "lenient_count")]
    prompt_tokens: Option<u64>,
    #[serde(default, deserialize_with = "lenient_count")]
    completion_tokens: Option<u64>,
    #[serde(default, deserialize_with = "lenient_count")]
    total_tokens: Option<u64>,
    #[serde(default)]
    prompt_tokens_details: Option<PromptDetails>,
    #[serde(default)]
    completion_tokens_details: Option<CompletionDetails>,
}

#[derive(Deserialize)]
struct PromptDetails {
    #[serde(default, deserialize_with = "lenient_count")]
    cached_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct CompletionDetails {
    #[serde(default, deserialize_with = "lenient_count")]
    reasoning_tokens: Option<u64>,
}

impl ChatUsage {
    /// Zen semantics: input excludes cached tokens; output includes reasoning.
    /// OpenAI counts reasoning inside `completion_tokens`; xAI does not (its
    /// `total_tokens` = prompt + completion + reasoning), which is detected
    /// from the total and corrected so output always includes reasoning.
    fn to_usage(&self) -> Usage {
        let cached = self
            .prompt_tokens_details
            .as_ref()
            .and_then(|d| d.cached_tokens);
        let reasoning = self
            .completion_tokens_details
            .as_ref()
            .and_then(|d| d.reasoning_tokens);
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
            input_tokens: self
                .prompt_tokens
                .map(|p| p.saturating_sub(cached.unwrap_or(0))),
            output_tokens: output,
            cache_read_tokens: cached,
            cache_write_tokens: None,
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
        if let Some(err) = chunk.error.as_ref().filter(|e| !e.is_null()) {
            out.push(error_event(Some(err), None, None));
        }
        let choices = chunk.choices.unwrap_or_default();
        if !self.started && (chunk.id.is_some() || !choices.is_empty()) {
            self.started = true;
            out.push(Event::Start {
                id: chunk.id.map(Cow::into_owned),
                model: chunk.model.map(Cow::into_owned),
            });
        }
        for choice in choices {
            self.on_choice(choice, out);
        }
        if let Some(u) = chunk.usage.as_ref().map(ChatUsage::to_usage) {
            if !u.is_empty() {
                out.push(Event::Usage(u));
            }
        }
        push_cost_events(chunk.cost, chunk.normalized_usage.as_ref(), out);
    }

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
            for fragment in delta.tool_calls.unwrap_or_default() {
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
        let (name, arguments) = match frag.function {
            Some(f) => (f.name, f.arguments),
            None => (None, None),
        };
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
        let (done, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.calls)
            .into_iter()
            .partition(|c| c.streamed.call.choice == choice);
        self.calls = keep;
        for c in done {
            c.streamed.complete(truncated, out);
        }
    }
}

impl WireDecoder for ChatDecoder {
    fn on_event(&mut self, event: &SseEventRef<'_>, out: &mut Vec<Event>) {
        let data = event.data.trim();
        // `[DONE]` is not the end on Zen: the cost frame follows it.
        if data.is_empty() || data == "[DONE]" {
            return;
        }
        match serde_json::from_str::<Chunk>(data) {
            Ok(chunk) => self.on_chunk(chunk, out),
            Err(e) => out.push(invalid_json("chat", &e)),
        }
    }

    /// Completes calls whose choice never reported a finish_reason; whether
    /// they are usable depends only on their arguments parsing.
    fn finish(&mut self, out: &mut Vec<Event>) {
        for c in std::mem::take(&mut self.calls) {
            c.streamed.complete(false, out);
        }
    }
}
