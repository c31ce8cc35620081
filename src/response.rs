//! Non-streaming response bodies: one JSON document per response, turned
//! into the same unified [`Event`]s a stream of that format produces and
//! folded by the same [`Accumulator`] — so a non-streamed [`Message`] has
//! exactly the shape of a streamed one.
//!
//! One path per behaviour: a Chat, Messages or Gemini body is decoded by
//! that format's stream decoder as the stream it stands for (a completion
//! is one chunk with `message` for `delta`, a message a `message_start`
//! whose blocks arrive whole, a Gemini body one chunk). A Responses body
//! lists whole output items where its stream sends their lifecycle, so it
//! has its own walk here, with the stream decoder's rules for how a
//! response ends, how reasoning parts join and how usage counts. Checked
//! here for every format: the body is JSON, an object, and not an error
//! body (which [`ZenError::from_response`] classifies, as it does error
//! responses).

use std::borrow::Cow;

use crate::error::{ErrorKind, ZenError};
use crate::event::{Accumulator, Event, FinishReason, Message, Usage};
use crate::json::Kind;
use crate::json_view::{members, View};
use crate::wire::responses::{self, ReasoningParagraphs, ReasoningPart, Unfinished};
use crate::wire::{self, push_usage, value_arguments, PendingToolCall, WireFormat};

/// Decodes a non-streaming response body of `format` into a [`Message`].
/// An error body (even with HTTP 200) is returned as `Err`, as is a body
/// that is not JSON or not a response of `format`.
pub fn decode_response(format: WireFormat, body: &str) -> Result<Message, ZenError> {
    let events = response_events(format, body)?;
    let mut acc = Accumulator::new();
    for ev in &events {
        acc.apply(ev);
    }
    Ok(acc.into_message())
}

/// The unified events a non-streaming body of `format` amounts to: `start`,
/// per choice its reasoning, text, refusal and tool calls (each call as
/// `toolCallStart`, its arguments as one `toolCallDelta` and the final
/// `toolCall` / `toolCallInvalid`), `finish`, `usage` and `cost` — for
/// Chat, Messages and Gemini exactly the events of the stream the body
/// stands for.
pub fn response_events(format: WireFormat, body: &str) -> Result<Vec<Event>, ZenError> {
    let text = body.trim_start_matches('\u{feff}').trim();
    let root = View::first(text).ok_or_else(|| {
        ZenError::local(
            ErrorKind::Protocol,
            format!("{format} response body is not JSON"),
        )
    })?;
    if !root.is_object() {
        return Err(not_a_response(format));
    }
    if is_error_body(root) {
        return Err(ZenError::from_response(200, NO_HEADERS, text));
    }
    let mut out = Vec::new();
    match format {
        WireFormat::Chat => chat(root, &mut out)?,
        WireFormat::Responses => responses(root, &mut out)?,
        WireFormat::Messages => messages(root, &mut out)?,
        WireFormat::Gemini => gemini(root, &mut out)?,
    }
    Ok(out)
}

const NO_HEADERS: [(&str, &str); 0] = [];

fn not_a_response(format: WireFormat) -> ZenError {
    ZenError::local(
        ErrorKind::Protocol,
        format!("body is not a {format} response"),
    )
}

/// `{"error": {…}}` (OpenAI/Google/upstream), `{"type":"error",…}` (Zen,
/// Anthropic). A Responses object carries `"error": null` on success.
fn is_error_body(root: View<'_>) -> bool {
    members!(root => ty: "type", error);
    owned(ty).as_deref() == Some("error")
        || error.is_some_and(|e| matches!(e.kind(), Kind::Object | Kind::String))
}

/// A `cost` event for Zen's top-level `"cost"`, read as the stream
/// decoders read it ([`wire::zen_cost::cost`]).
fn push_cost_of(root: View<'_>, out: &mut Vec<Event>) {
    if let Some(usd) = root.get("cost").and_then(|c| wire::zen_cost::cost(c.raw())) {
        out.push(Event::Cost { usd });
    }
}

/// A string as owned text; absent or another type reads as `None`.
#[inline(never)] // one copy for the dozens of fields read through it
fn owned(v: Option<View<'_>>) -> Option<String> {
    v?.as_str().map(Cow::into_owned)
}

fn str_field(v: View<'_>, key: &str) -> Option<String> {
    owned(v.get(key))
}

/// A `usage` event from the body's usage object, read and normalised by
/// the format's stream decoder (`read` is `wire::<format>::usage`), so
/// both paths count alike; nothing when no count is known.
fn push_usage_of(usage: Option<View<'_>>, read: fn(&str) -> Option<Usage>, out: &mut Vec<Event>) {
    if let Some(usage) = usage.and_then(|u| read(u.raw())) {
        push_usage(usage, out);
    }
}

fn start(id: Option<View<'_>>, model: Option<View<'_>>, out: &mut Vec<Event>) {
    out.push(Event::Start {
        id: owned(id),
        model: owned(model),
    });
}

/// Pushes the event `make` builds from a text (a delta or a signature),
/// unless the text is absent or empty.
#[inline(never)] // one copy for every text field of a body
fn push_text(
    out: &mut Vec<Event>,
    choice: u32,
    text: Option<String>,
    make: fn(u32, String) -> Event,
) {
    if let Some(text) = text.filter(|t| !t.is_empty()) {
        out.push(make(choice, text));
    }
}

fn text_event(choice: u32, text: String) -> Event {
    Event::TextDelta { choice, text }
}

fn reasoning_event(choice: u32, text: String) -> Event {
    Event::ReasoningDelta { choice, text }
}

fn refusal_event(choice: u32, text: String) -> Event {
    Event::RefusalDelta { choice, text }
}

fn signature_event(choice: u32, signature: String) -> Event {
    Event::ReasoningSignature { choice, signature }
}

/// Pushes a `finish` for `choice`.
fn push_finish(out: &mut Vec<Event>, choice: u32, reason: FinishReason, raw: Option<String>) {
    out.push(Event::Finish {
        choice,
        reason,
        raw,
    });
}

/// Arguments as JSON text: strings verbatim (parsed later, once), other
/// values by [`value_arguments`].
fn arguments_text(v: Option<View<'_>>) -> String {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return String::new();
    };
    match v.as_str() {
        Some(s) => s.into_owned(),
        None => value_arguments(v.raw()),
    }
}

// ---------------------------------------------------------------- chat

/// A completion is one stream chunk with `message` in place of `delta`, so
/// the stream decoder reads it, cost included (see
/// [`wire::chat::response_events`]).
fn chat(root: View<'_>, out: &mut Vec<Event>) -> Result<(), ZenError> {
    if wire::chat::response_events(root.raw(), out) {
        Ok(())
    } else {
        Err(not_a_response(WireFormat::Chat))
    }
}

// ----------------------------------------------------------- responses

/// A Responses body lists whole output items where a stream sends their
/// lifecycle events, so it has its own walk; what its status, reasoning
/// parts and unfinished calls mean comes from the stream decoder
/// ([`wire::responses`]).
fn responses(root: View<'_>, out: &mut Vec<Event>) -> Result<(), ZenError> {
    members!(root => output, status, incomplete_details, id, model, usage);
    let Some(items) = output.and_then(View::as_array) else {
        return Err(not_a_response(WireFormat::Responses));
    };
    let status = owned(status);
    let status = status.as_deref();
    if status == Some("failed") {
        let (kind, message) = responses::FAILED_WITHOUT_ERROR;
        return Err(ZenError::local(kind, message));
    }
    let incomplete_reason = incomplete_details.and_then(|d| str_field(d, "reason"));
    let incomplete = (status == Some("incomplete"))
        .then(|| responses::incomplete(incomplete_reason.as_deref().unwrap_or("")));
    start(id, model, out);
    let mut calls = 0u32;
    let mut paragraphs = ReasoningParagraphs::default();
    for item in items {
        members!(item =>
            ty: "type",
            item_status: "status",
            summary,
            content,
            encrypted_content,
            call_id,
            id,
            name,
            arguments,
        );
        match owned(ty).as_deref() {
            Some("reasoning") => {
                let item_id = owned(id).unwrap_or_default();
                for (parts, summary) in [(summary, true), (content, false)] {
                    let parts = parts.and_then(View::as_array).into_iter().flatten();
                    for (index, part) in (0..).zip(parts) {
                        let Some(text) = owned(part.get("text")).filter(|t| !t.is_empty()) else {
                            continue;
                        };
                        let part = ReasoningPart {
                            item_id: item_id.clone(),
                            index,
                            summary,
                        };
                        out.push(reasoning_event(0, paragraphs.text(part, &text)));
                    }
                }
                // The encrypted content is the opaque blob to replay with
                // this item's summary: a signature of the text just pushed,
                // exactly as the stream decoder reports it.
                push_text(out, 0, owned(encrypted_content), signature_event);
            }
            Some("message") => {
                let parts = content.and_then(View::as_array);
                for part in parts.into_iter().flatten() {
                    members!(part => ty: "type", text, refusal);
                    match owned(ty).as_deref() {
                        Some("output_text") => push_text(out, 0, owned(text), text_event),
                        Some("refusal") => push_text(out, 0, owned(refusal), refusal_event),
                        _ => {}
                    }
                }
            }
            Some("function_call") => {
                let call = PendingToolCall {
                    choice: 0,
                    index: calls,
                    // The tool result must reference call_id, not the item id.
                    id: owned(call_id).or_else(|| owned(id)).unwrap_or_default(),
                    name: owned(name).unwrap_or_default(),
                    arguments: arguments_text(arguments),
                };
                call.announce(out);
                // A call its item reports completed is whole; any other is
                // settled by how the response ended, as the stream settles
                // the calls still open at its end.
                let how = match incomplete {
                    Some((_, how)) if owned(item_status).as_deref() != Some("completed") => how,
                    _ => Unfinished::Complete,
                };
                out.push(how.settle(call));
                calls = calls.saturating_add(1);
            }
            _ => {}
        }
    }
    let finish = match (status, incomplete) {
        (_, Some((reason, _))) => {
            let raw = incomplete_reason.unwrap_or_else(|| "incomplete".to_string());
            Some((reason, raw))
        }
        (Some("completed"), _) if calls > 0 => {
            Some((FinishReason::ToolCalls, "completed".to_string()))
        }
        (Some("completed"), _) => Some((FinishReason::Stop, "completed".to_string())),
        (Some("cancelled"), _) => Some((FinishReason::Other, "cancelled".to_string())),
        // queued / in_progress (background responses): not finished yet.
        _ => None,
    };
    if let Some((reason, raw)) = finish {
        push_finish(out, 0, reason, Some(raw));
    }
    push_usage_of(usage, wire::responses::usage, out);
    push_cost_of(root, out);
    Ok(())
}

// ------------------------------------------------------------ messages

/// A message body is a `message_start` with its content and stop reason
/// filled in, so the stream decoder reads it (see
/// [`wire::messages::response_events`]); the cost is Zen's top-level one.
fn messages(root: View<'_>, out: &mut Vec<Event>) -> Result<(), ZenError> {
    if !wire::messages::response_events(root.raw(), out) {
        return Err(not_a_response(WireFormat::Messages));
    }
    push_cost_of(root, out);
    Ok(())
}

// -------------------------------------------------------------- gemini

/// A Gemini body is exactly one stream chunk, so the stream decoder reads
/// it, cost included (see [`wire::gemini::response_events`]).
fn gemini(root: View<'_>, out: &mut Vec<Event>) -> Result<(), ZenError> {
    if wire::gemini::response_events(root.raw(), out) {
        Ok(())
    } else {
        Err(not_a_response(WireFormat::Gemini))
    }
}
