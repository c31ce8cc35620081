//! Turning a finished response into the assistant turn of the next request.

use super::types::{AssistantToolCall, Content, RequestMessage};
use super::RequestError;
use crate::event::Message;

/// The assistant turn that replays choice `choice` of `message` (as folded by
/// [`crate::event::Accumulator`]) in the next request: its text (or refusal
/// text when there is no answer), its reasoning text and reasoning blocks
/// (signatures and redacted data verbatim), and its tool calls with parsed
/// arguments.
///
/// Invalid tool calls (arguments not JSON or not an object, or cut by the
/// token limit) are left out: they cannot be executed, so no result could
/// answer them, and every format rejects a call without a result.
pub fn assistant_turn(message: &Message, choice: u32) -> Result<RequestMessage, RequestError> {
    let c = message
        .choices
        .iter()
        .find(|c| c.index == choice)
        .ok_or(RequestError::NoSuchChoice { choice })?;
    let text = if c.text.is_empty() {
        &c.refusal
    } else {
        &c.text
    };
    let tool_calls = c
        .tool_calls
        .iter()
        .filter(|t| t.invalid.is_none() && t.arguments.is_object())
        .map(|t| AssistantToolCall {
            id: t.id.clone(),
            name: t.name.clone(),
            arguments: t.arguments.clone(),
        })
        .collect();
    Ok(RequestMessage::Assistant {
        content: (!text.is_empty()).then(|| Content::Text(text.clone())),
        tool_calls,
        reasoning: (!c.reasoning.is_empty()).then(|| c.reasoning.clone()),
        reasoning_blocks: c.reasoning_blocks.clone(),
    })
}
