//! Chat Completions and Responses wire decoders: the project's hand-made
//! streams (tests/fixtures/{chat,responses}) and the shared real recordings.
//!
//! Two paths feed the decoders:
//! * `direct` — a small test-only SSE splitter (blank-line framed, `event:` /
//!   `data:` prefixes stripped, data lines joined with `\n`, a last event
//!   without its blank line still dispatched) feeding the `WireDecoder` and
//!   the `Accumulator`. Every expectation below is checked on this path.
//! * `pipeline` — `zenwire::stream::decode_all`, i.e. the real `SseDecoder`.
//!   The `pipeline_*` tests assert it yields exactly the events of `direct`
//!   for every stream, so all expectations carry over to it.

mod common;

use common::usage;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use zenwire::event::{Accumulator, Event, FinishReason, Message, Usage};
use zenwire::sse::SseEvent;
use zenwire::wire::chat::ChatDecoder;
use zenwire::wire::responses::ResponsesDecoder;
use zenwire::wire::{WireDecoder, WireFormat};
use zenwire::ErrorKind;

// ---------------------------------------------------------------- helpers

/// Test-only SSE framing (see the module doc).
fn split_sse(body: &[u8]) -> Vec<SseEvent> {
    let text = String::from_utf8_lossy(body)
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let mut events = Vec::new();
    for block in text.split("\n\n") {
        let mut ev = SseEvent::default();
        let mut data: Vec<&str> = Vec::new();
        for line in block.lines() {
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                None => (line, ""),
            };
            match field {
                "event" if !value.is_empty() => ev.event = Some(value.to_owned()),
                "data" => data.push(value),
                _ => {}
            }
        }
        if !data.is_empty() {
            ev.data = data.join("\n");
            events.push(ev);
        }
    }
    events
}

fn decoder(format: WireFormat) -> Box<dyn WireDecoder> {
    match format {
        WireFormat::Chat => Box::new(ChatDecoder::default()),
        WireFormat::Responses => Box::new(ResponsesDecoder::default()),
        other => panic!("not covered here: {other}"),
    }
}

/// Decodes a body through the test splitter, the wire decoder and the accumulator.
fn direct(format: WireFormat, body: &[u8]) -> (Vec<Event>, Message) {
    let mut wire = decoder(format);
    let mut events = Vec::new();
    for ev in split_sse(body) {
        wire.on_event(&ev.view(), &mut events);
    }
    wire.finish(&mut events);
    let mut acc = Accumulator::new();
    for ev in &events {
        acc.apply(ev);
    }
    check_invariants(&events);
    (events, acc.into_message())
}

/// Decodes SseEvents built by hand.
fn feed(format: WireFormat, frames: &[(Option<&str>, &str)]) -> (Vec<Event>, Message) {
    let mut wire = decoder(format);
    let mut events = Vec::new();
    for (name, data) in frames {
        let ev = SseEvent {
            event: name.map(str::to_owned),
            data: (*data).to_owned(),
            ..SseEvent::default()
        };
        wire.on_event(&ev.view(), &mut events);
    }
    wire.finish(&mut events);
    let mut acc = Accumulator::new();
    for ev in &events {
        acc.apply(ev);
    }
    check_invariants(&events);
    (events, acc.into_message())
}

/// Properties every decoded stream must have: at most one `start`, first;
/// each tool call starts once, before its deltas and its completion; the
/// deltas add up to the arguments the completion reports.
fn check_invariants(events: &[Event]) {
    let starts: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Event::Start { .. }))
        .map(|(i, _)| i)
        .collect();
    assert!(starts.len() <= 1, "several start events: {events:#?}");
    if let Some(&pos) = starts.first() {
        assert!(
            events[..pos]
                .iter()
                .all(|e| !e.is_output() && !matches!(e, Event::Finish { .. })),
            "output before start"
        );
    }
    let mut open: Vec<((u32, u32), String)> = Vec::new();
    let mut done: Vec<(u32, u32)> = Vec::new();
    for e in events {
        match e {
            Event::ToolCallStart { choice, index, .. } => {
                let key = (*choice, *index);
                assert!(
                    !open.iter().any(|(k, _)| *k == key) && !done.contains(&key),
                    "call {key:?} started twice"
                );
                open.push((key, String::new()));
            }
            Event::ToolCallDelta {
                choice,
                index,
                arguments_delta,
            } => {
                let key = (*choice, *index);
                let slot = open.iter_mut().find(|(k, _)| *k == key);
                let (_, args) = slot.unwrap_or_else(|| panic!("delta before start for {key:?}"));
                assert!(!arguments_delta.is_empty(), "empty delta");
                args.push_str(arguments_delta);
            }
            Event::ToolCall {
                choice,
                index,
                arguments,
                ..
            } => {
                let key = (*choice, *index);
                let pos = open.iter().position(|(k, _)| *k == key);
                let (_, args) =
                    open.remove(pos.unwrap_or_else(|| panic!("call {key:?} not started")));
                let streamed: Value = if args.trim().is_empty() {
                    json!({})
                } else {
                    serde_json::from_str(&args).expect("streamed deltas parse")
                };
                assert_eq!(
                    &streamed, arguments,
                    "deltas differ from the call's arguments"
                );
                done.push(key);
            }
            Event::ToolCallInvalid { choice, index, .. } => {
                let key = (*choice, *index);
                // A call the stream never named is reported without a start.
                if let Some(pos) = open.iter().position(|(k, _)| *k == key) {
                    open.remove(pos);
                }
                done.push(key);
            }
            _ => {}
        }
    }
    assert!(open.is_empty(), "calls never completed: {open:?}");
}

fn project_fixture(rel: &str) -> PathBuf {
    common::fixtures().join(rel)
}

/// Reads a stream file; `.chunks.txt` files are turned into wire SSE.
fn load(format: WireFormat, path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if path.to_string_lossy().ends_with(".chunks.txt") {
        let text = String::from_utf8(bytes).expect("chunks are UTF-8");
        return match format {
            WireFormat::Chat => common::chunks_to_sse(&text, false, true),
            _ => common::chunks_to_sse(&text, true, false),
        };
    }
    bytes
}

fn project(format: WireFormat, rel: &str) -> (Vec<Event>, Message) {
    let path = project_fixture(rel);
    direct(format, &load(format, &path))
}

/// A shared recording, or `None` (test skipped) when they are not present.
fn shared(format: WireFormat, rel: &str) -> Option<(Vec<Event>, Message)> {
    let Some(dir) = common::shared_fixtures() else {
        eprintln!("shared fixtures not present; skipping {rel}");
        return None;
    };
    Some(direct(format, &load(format, &dir.join(rel))))
}

/// (id, name, arguments) of a choice's valid tool calls.
fn calls(m: &Message, choice: usize) -> Vec<(String, String, Value)> {
    m.choices[choice]
        .tool_calls
        .iter()
        .filter(|c| c.invalid.is_none())
        .map(|c| (c.id.clone(), c.name.clone(), c.arguments.clone()))
        .collect()
}

fn call(id: &str, name: &str, args: Value) -> (String, String, Value) {
    (id.to_owned(), name.to_owned(), args)
}

fn costs(events: &[Event]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Cost { usd } => Some(usd.as_str()),
            _ => None,
        })
        .collect()
}

/// The error a body that is only Zen's trailer ends with: the response
/// before it is missing (as for a Messages trailer, tests/messages.rs).
fn cut_before(format: &str, terminal: &str) -> Event {
    Event::Error {
        kind: ErrorKind::Network,
        message: format!("the {format} stream ended before {terminal}"),
        retryable: true,
    }
}

fn errors(events: &[Event]) -> Vec<(ErrorKind, bool, &str)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Error {
                kind,
                message,
                retryable,
            } => Some((*kind, *retryable, message.as_str())),
            _ => None,
        })
        .collect()
}

fn finishes(events: &[Event]) -> Vec<(u32, FinishReason, Option<&str>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Finish {
                choice,
                reason,
                raw,
            } => Some((*choice, *reason, raw.as_deref())),
            _ => None,
        })
        .collect()
}

fn count(events: &[Event], pred: impl Fn(&Event) -> bool) -> usize {
    events.iter().filter(|e| pred(e)).count()
}

fn start_of(m: &Message) -> (Option<&str>, Option<&str>) {
    (m.id.as_deref(), m.model.as_deref())
}

// ---------------------------------------------------- project chat fixtures

#[test]
fn chat_text_with_reasoning_content_usage_and_cost_after_done() {
    let (ev, m) = project(WireFormat::Chat, "chat/text-reasoning-content.sse");
    assert_eq!(start_of(&m), (Some("chatcmpl-z1"), Some("glm-4.6")));
    assert_eq!(m.text(), "Hello, wörld \"quoted\"!");
    assert_eq!(m.choices[0].reasoning, "The user wants a greeting.\n");
    // Empty reasoning_content / content strings emit nothing.
    assert_eq!(count(&ev, |e| matches!(e, Event::ReasoningDelta { .. })), 2);
    assert_eq!(count(&ev, |e| matches!(e, Event::TextDelta { .. })), 2);
    assert_eq!(finishes(&ev), [(0, FinishReason::Stop, Some("stop"))]);
    assert_eq!(
        m.usage,
        usage(Some(20), Some(30), Some(100), None, Some(12))
    );
    assert_eq!(costs(&ev), ["0.00004200"]);
    assert_eq!(m.cost.as_deref(), Some("0.00004200"));
    assert!(errors(&ev).is_empty());
}

#[test]
fn chat_text_keeps_every_unicode_character_as_sent() {
    let (ev, m) = project(WireFormat::Chat, "chat/unicode.sse");
    // A U+FEFF that begins a piece of text is text, not a byte-order mark;
    // escapes decode to the same characters as raw UTF-8; a lone surrogate
    // escape reads as U+FFFD.
    assert_eq!(
        m.text(),
        "Hi \u{FEFF}BOM inside, 😀 grüße 日本語 😀\u{2028}\u{FFFD}!"
    );
    assert_eq!(m.choices[0].reasoning, "𝔘nicode ∀x ");
    assert_eq!(m.choices[1].text, "e\u{301} ");
    assert_eq!(m.choices[1].refusal, "拒否 🙅");
    let call = &m.choices[0].tool_calls[0];
    assert_eq!(
        (call.id.as_str(), call.name.as_str()),
        ("call_ü1", "wëather")
    );
    assert_eq!(call.arguments, serde_json::json!({"city": "Zürich 🏔"}));
    assert_eq!(
        finishes(&ev),
        [
            (0, FinishReason::ToolCalls, Some("tool_calls")),
            (1, FinishReason::Stop, Some("stop"))
        ]
    );
    assert!(errors(&ev).is_empty());
}

#[test]
fn chat_reasoning_field_is_read_and_not_doubled() {
    let (ev, m) = project(WireFormat::Chat, "chat/reasoning-field.sse");
    assert_eq!(start_of(&m), (Some("gen-7"), Some("big-pickle")));
    // "ing" arrives as both reasoning and reasoning_content: counted once; the
    // object-valued `reasoning` is skipped without losing the chunk's content.
    assert_eq!(m.choices[0].reasoning, "Thinking");
    assert_eq!(m.text(), "Done.");
    assert_eq!(finishes(&ev), [(0, FinishReason::Stop, Some("stop"))]);
    // Usage on the finish chunk; estimated_cost is not a cost event.
    assert_eq!(m.usage, usage(Some(9), Some(4), Some(0), None, None));
    assert_eq!(costs(&ev), ["0"]);
    assert!(errors(&ev).is_empty());
}

#[test]
fn chat_refusal_then_stop_stays_stop() {
    let (ev, m) = project(WireFormat::Chat, "chat/refusal.sse");
    assert_eq!(m.choices[0].refusal, "I can't help with that.");
    assert_eq!(m.text(), "");
    assert_eq!(m.choices[0].finish_reason, Some(FinishReason::Stop));
    assert_eq!(m.choices[0].raw_finish_reason.as_deref(), Some("stop"));
    assert_eq!(count(&ev, |e| matches!(e, Event::RefusalDelta { .. })), 2);
    assert!(m.usage.is_empty());
}

#[test]
fn chat_tool_call_fragments_and_all_in_one_call() {
    let (ev, m) = project(WireFormat::Chat, "chat/tool-fragments.sse");
    assert_eq!(m.text(), "Checking.");
    assert_eq!(
        calls(&m, 0),
        [
            call("call_a", "get_weather", json!({"city": "Paris"})),
            call("call_b", "get_time", json!({"tz": "Europe/Paris"})),
        ]
    );
    // The empty first fragment emits no delta: 2 for call_a, 1 for call_b.
    assert_eq!(count(&ev, |e| matches!(e, Event::ToolCallDelta { .. })), 3);
    assert_eq!(count(&ev, |e| matches!(e, Event::ToolCallStart { .. })), 2);
    assert_eq!(
        finishes(&ev),
        [(0, FinishReason::ToolCalls, Some("tool_calls"))]
    );
    // Calls complete when finish_reason arrives, before the finish event.
    let call_pos = ev.iter().rposition(|e| matches!(e, Event::ToolCall { .. }));
    let fin_pos = ev.iter().position(|e| matches!(e, Event::Finish { .. }));
    assert!(call_pos < fin_pos);
    assert_eq!(m.usage, usage(Some(50), Some(20), None, None, None));
}

#[test]
fn chat_several_same_index_entries_in_one_chunk() {
    let (ev, m) = project(WireFormat::Chat, "chat/tool-same-chunk.sse");
    assert_eq!(
        calls(&m, 0),
        [
            call("call_x", "search", json!({"q": "rust"})),
            call("call_y", "noargs", json!({})),
        ]
    );
    assert_eq!(
        finishes(&ev),
        [(0, FinishReason::ToolCalls, Some("function_call"))]
    );
    // Stream without usage chunk: counts stay unknown.
    assert!(m.usage.is_empty());
}

#[test]
fn chat_two_interleaved_choices() {
    let (ev, m) = project(WireFormat::Chat, "chat/n2-interleaved.sse");
    assert_eq!(m.choices.len(), 2);
    assert_eq!(m.choices[0].text, "First answer");
    assert_eq!(m.choices[1].text, "Second");
    assert!(m.choices[0].tool_calls.is_empty());
    assert_eq!(calls(&m, 1), [call("call_n1", "lookup", json!({"k": 1}))]);
    assert_eq!(
        finishes(&ev),
        [
            (0, FinishReason::Stop, Some("stop")),
            (1, FinishReason::ToolCalls, Some("tool_calls"))
        ]
    );
    assert_eq!(m.usage, usage(Some(30), Some(12), None, None, None));
}

#[test]
fn chat_length_cut_tool_call_is_invalid() {
    let (ev, m) = project(WireFormat::Chat, "chat/tool-length.sse");
    let c = &m.choices[0].tool_calls;
    assert_eq!(c.len(), 1);
    assert_eq!(
        (c[0].id.as_str(), c[0].name.as_str()),
        ("call_cut", "write_file")
    );
    let invalid = c[0].invalid.as_ref().expect("truncated call is invalid");
    assert_eq!(
        invalid.raw_arguments,
        "{\"path\":\"a.txt\",\"content\":\"lorem"
    );
    assert!(invalid.reason.contains("token limit"), "{}", invalid.reason);
    assert_eq!(finishes(&ev), [(0, FinishReason::Length, Some("length"))]);
    assert_eq!(m.usage, usage(Some(40), Some(16), None, None, None));
}

#[test]
fn chat_invalid_json_arguments_are_reported_invalid() {
    let (ev, m) = project(WireFormat::Chat, "chat/tool-invalid-json.sse");
    let c = &m.choices[0].tool_calls;
    assert_eq!(c.len(), 1);
    let invalid = c[0].invalid.as_ref().expect("invalid JSON");
    assert_eq!(invalid.raw_arguments, "{\"cmd\": ls -la}");
    assert!(
        invalid.reason.contains("not valid JSON"),
        "{}",
        invalid.reason
    );
    assert_eq!(c[0].arguments, Value::Null);
    assert_eq!(
        finishes(&ev),
        [(0, FinishReason::ToolCalls, Some("tool_calls"))]
    );
}

#[test]
fn chat_calls_left_pending_complete_at_finish() {
    // No finish_reason, no [DONE], no final blank line.
    let (ev, m) = project(WireFormat::Chat, "chat/no-finish-no-final-blank-line.sse");
    assert_eq!(
        calls(&m, 0),
        [call("call_open", "list_dir", json!({"path": "/tmp"}))]
    );
    let half = &m.choices[0].tool_calls[1];
    assert_eq!(half.id, "call_half");
    assert_eq!(
        half.invalid.as_ref().map(|i| i.raw_arguments.as_str()),
        Some("{\"file\":")
    );
    assert!(finishes(&ev).is_empty());
    assert_eq!(m.choices[0].finish_reason, None);
}

#[test]
fn chat_inference_cost_frame_with_crlf_line_ends() {
    let body = std::fs::read(project_fixture("chat/inference-cost-crlf.sse")).unwrap();
    assert!(
        body.windows(2).any(|w| w == b"\r\n"),
        "fixture must use CRLF"
    );
    let (ev, m) = direct(WireFormat::Chat, &body);
    assert_eq!(m.text(), "Hi");
    assert_eq!(finishes(&ev), [(0, FinishReason::Stop, Some("stop"))]);
    let usages: Vec<&Usage> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Usage(u) => Some(u),
            _ => None,
        })
        .collect();
    assert_eq!(
        usages,
        [
            &usage(Some(84), Some(8), Some(6), None, None),
            // Zen's normalizedUsage: cacheWrite = 5m + 1h.
            &usage(Some(84), Some(8), Some(6), Some(5), Some(0)),
        ]
    );
    assert_eq!(m.usage, usage(Some(84), Some(8), Some(6), Some(5), Some(0)));
    assert_eq!(costs(&ev), ["0.00001400", "0.00001400"]);
    assert_eq!(m.cost.as_deref(), Some("0.00001400"));
}

#[test]
fn chat_error_data_and_invalid_json_do_not_stop_decoding() {
    let (ev, m) = project(WireFormat::Chat, "chat/error-data.sse");
    let errs = errors(&ev);
    assert_eq!(errs.len(), 2);
    assert_eq!((errs[0].0, errs[0].1), (ErrorKind::Protocol, false));
    assert!(errs[0].2.contains("not valid JSON"), "{}", errs[0].2);
    assert_eq!(
        errs[1],
        (
            ErrorKind::RateLimit,
            true,
            "Rate limit reached for requests"
        )
    );
    // Decoding continued after both.
    assert_eq!(m.text(), "Partial answer");
    assert_eq!(finishes(&ev), [(0, FinishReason::Other, Some("abort"))]);
    assert_eq!(m.error.as_ref().map(|e| e.kind), Some(ErrorKind::Protocol));
}

#[test]
fn chat_content_filter_then_server_error() {
    let (ev, m) = project(WireFormat::Chat, "chat/content-filter.sse");
    assert_eq!(m.text(), "Once upon");
    assert_eq!(
        finishes(&ev),
        [(0, FinishReason::ContentFilter, Some("content_filter"))]
    );
    assert_eq!(
        errors(&ev),
        [(
            ErrorKind::Server,
            true,
            "The server had an error while processing your request."
        )]
    );
}

// ----------------------------------------------- chat edge cases by hand

#[test]
fn chat_reused_index_with_a_new_id_is_a_new_call() {
    let (_, m) = feed(
        WireFormat::Chat,
        &[
            (
                None,
                r#"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{}"}}]}}]}"#,
            ),
            (
                None,
                r#"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"b","function":{"name":"g","arguments":"{\"x\":1}"}}]}}]}"#,
            ),
            (
                None,
                r#"{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
            ),
        ],
    );
    assert_eq!(
        calls(&m, 0),
        [call("a", "f", json!({})), call("b", "g", json!({"x": 1}))]
    );
    let idx: Vec<u32> = m.choices[0].tool_calls.iter().map(|c| c.index).collect();
    assert_eq!(idx, [0, 1]);
}

#[test]
fn chat_missing_tool_index_and_late_name() {
    // No `index` on fragments; arguments arrive before the name: they are
    // buffered and sent as one delta right after the start.
    let (ev, m) = feed(
        WireFormat::Chat,
        &[
            (
                None,
                r#"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"id":"k1","function":{"arguments":"{\"a\":"}}]}}]}"#,
            ),
            (
                None,
                r#"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"function":{"name":"late","arguments":"2}"}}]}}]}"#,
            ),
            (
                None,
                r#"{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
            ),
        ],
    );
    assert_eq!(calls(&m, 0), [call("k1", "late", json!({"a": 2}))]);
    let deltas: Vec<&str> = ev
        .iter()
        .filter_map(|e| match e {
            Event::ToolCallDelta {
                arguments_delta, ..
            } => Some(arguments_delta.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(deltas, ["{\"a\":2}"]);
}

#[test]
fn chat_unnamed_call_is_invalid_and_odd_frames_are_tolerated() {
    let (ev, m) = feed(
        WireFormat::Chat,
        &[
            (None, ""),
            (None, "  [DONE]  "),
            (None, r#"{"choices":null,"usage":null}"#),
            (
                None,
                r#"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]},"finish_reason":""}]}"#,
            ),
            (None, "42"),
            (
                None,
                r#"{"id":"c","choices":[],"usage":{"prompt_tokens":7.0,"completion_tokens":"3","total_tokens":-1},"cost":0.5}"#,
            ),
        ],
    );
    let c = &m.choices[0].tool_calls;
    assert_eq!(c.len(), 1);
    assert!(c[0]
        .invalid
        .as_ref()
        .is_some_and(|i| i.reason.contains("never named")));
    assert_eq!(errors(&ev).len(), 1, "only the number is a protocol error");
    assert_eq!(m.usage, usage(Some(7), Some(3), None, None, None));
    assert_eq!(costs(&ev), ["0.5"]);
    assert!(
        finishes(&ev).is_empty(),
        "empty finish_reason is not a finish"
    );
}

#[test]
fn chat_error_shapes_map_to_kinds() {
    let (ev, _) = feed(
        WireFormat::Chat,
        &[
            (
                None,
                r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota"}}"#,
            ),
            (
                None,
                r#"{"error":{"message":"Overloaded","type":"overloaded_error"}}"#,
            ),
            (None, r#"{"error":{"message":"weird","type":"teapot"}}"#),
            (None, r#"{"error":"plain string error"}"#),
            (None, r#"{"error":null,"id":"c","choices":[]}"#),
        ],
    );
    assert_eq!(
        errors(&ev),
        [
            (ErrorKind::Credits, false, "You exceeded your current quota"),
            (ErrorKind::Overloaded, true, "Overloaded"),
            (ErrorKind::Unknown, false, "weird"),
            (ErrorKind::Unknown, false, "plain string error"),
        ]
    );
}

#[test]
fn chat_duplicate_finish_reason_is_reported_once() {
    let (ev, _) = feed(
        WireFormat::Chat,
        &[
            (
                None,
                r#"{"id":"c","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"stop"}]}"#,
            ),
            (
                None,
                r#"{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1}}"#,
            ),
        ],
    );
    assert_eq!(finishes(&ev), [(0, FinishReason::Stop, Some("stop"))]);
}

// ----------------------------------------------- project responses fixtures

#[test]
fn responses_text_usage_and_ping_cost_after_completed() {
    let (ev, m) = project(WireFormat::Responses, "responses/text.sse");
    assert_eq!(start_of(&m), (Some("resp_t1"), Some("gpt-5-nano")));
    assert_eq!(m.text(), "Hello, Zen!\n");
    assert_eq!(finishes(&ev), [(0, FinishReason::Stop, Some("completed"))]);
    assert_eq!(
        m.usage,
        usage(Some(16), Some(9), Some(4), Some(0), Some(0)),
        "response usage then Zen's normalizedUsage"
    );
    assert_eq!(costs(&ev), ["0.00000310", "0.00000310"]);
    assert!(errors(&ev).is_empty());
}

#[test]
fn responses_reasoning_summary_parts_and_encrypted_content() {
    let (ev, m) = project(WireFormat::Responses, "responses/reasoning-summary.sse");
    assert_eq!(
        m.choices[0].reasoning,
        "**Planning** the answer.\n\n**Checking**"
    );
    assert_eq!(m.choices[0].signature.as_deref(), Some("gAAAAB-opaque=="));
    assert_eq!(
        m.choices[0].reasoning_blocks,
        [zenwire::event::ReasoningBlock::Thinking {
            text: "**Planning** the answer.\n\n**Checking**".into(),
            signature: Some("gAAAAB-opaque==".into()),
        }]
    );
    assert_eq!(m.text(), "42");
    assert_eq!(finishes(&ev), [(0, FinishReason::Stop, Some("completed"))]);
    assert_eq!(m.usage, usage(Some(30), Some(70), Some(0), None, Some(64)));
}

#[test]
fn responses_function_calls_use_call_id_and_recover_missed_deltas() {
    let (ev, m) = project(WireFormat::Responses, "responses/function-call.sse");
    assert_eq!(
        calls(&m, 0),
        [
            call("call_one", "get_weather", json!({"city": "Oslo"})),
            call("call_two", "get_time", json!({"tz": "CET"})),
        ]
    );
    let idx: Vec<u32> = m.choices[0].tool_calls.iter().map(|c| c.index).collect();
    assert_eq!(idx, [0, 1]);
    // call_two had no delta events: its arguments come from .done as one delta.
    assert_eq!(count(&ev, |e| matches!(e, Event::ToolCallDelta { .. })), 3);
    // Completed once each although both .done events name them.
    assert_eq!(count(&ev, |e| matches!(e, Event::ToolCall { .. })), 2);
    assert_eq!(
        finishes(&ev),
        [(0, FinishReason::ToolCalls, Some("completed"))]
    );
    assert_eq!(m.usage, usage(Some(60), Some(40), Some(0), None, Some(16)));
    assert_eq!(costs(&ev), ["0.00041000"]);
}

#[test]
fn responses_incomplete_truncates_open_calls() {
    let (ev, m) = project(WireFormat::Responses, "responses/incomplete.sse");
    assert_eq!(m.text(), "Writing the file now.");
    let c = &m.choices[0].tool_calls;
    assert_eq!(c.len(), 1);
    assert_eq!(
        (c[0].id.as_str(), c[0].name.as_str()),
        ("call_nine", "write_file")
    );
    let invalid = c[0].invalid.as_ref().expect("cut call is invalid");
    assert_eq!(invalid.raw_arguments, "{\"path\":\"a.md\",\"body\":\"# Ti");
    assert!(invalid.reason.contains("token limit"));
    assert_eq!(
        finishes(&ev),
        [(0, FinishReason::Length, Some("max_output_tokens"))]
    );
    assert_eq!(m.usage, usage(Some(10), Some(64), Some(0), None, Some(32)));
    assert_eq!(m.cost.as_deref(), Some("0.00070000"));
}

#[test]
fn responses_error_event_then_failed_reports_one_error() {
    let (ev, m) = project(WireFormat::Responses, "responses/failed-after-error.sse");
    assert_eq!(
        errors(&ev),
        [(ErrorKind::RateLimit, true, "Rate limit reached for gpt-5")]
    );
    assert_eq!(finishes(&ev), [(0, FinishReason::Error, Some("failed"))]);
    assert_eq!(m.cost.as_deref(), Some("0"));
    assert_eq!(start_of(&m), (Some("resp_e1"), Some("gpt-5")));
}

#[test]
fn responses_failed_without_error_event() {
    let (ev, m) = project(WireFormat::Responses, "responses/failed-server-error.sse");
    assert_eq!(
        errors(&ev),
        [(
            ErrorKind::Server,
            true,
            "The model failed to generate a response."
        )]
    );
    let c = &m.choices[0].tool_calls;
    assert_eq!(c.len(), 1);
    assert!(c[0]
        .invalid
        .as_ref()
        .is_some_and(|i| i.reason.contains("failed")));
    assert_eq!(finishes(&ev), [(0, FinishReason::Error, Some("failed"))]);
}

#[test]
fn responses_without_event_lines_dispatch_on_json_type() {
    let (ev, m) = project(WireFormat::Responses, "responses/no-event-lines.sse");
    assert_eq!(start_of(&m), (Some("resp_n1"), Some("gpt-oss-120b")));
    assert_eq!(m.choices[0].reasoning, "Raw thought.\n\nSecond thought.");
    assert_eq!(m.choices[0].refusal, "I will not do that.");
    assert_eq!(m.text(), "");
    let errs = errors(&ev);
    assert_eq!(
        errs.len(),
        1,
        "the broken line only; unknown types are ignored"
    );
    assert_eq!((errs[0].0, errs[0].1), (ErrorKind::Protocol, false));
    assert_eq!(finishes(&ev), [(0, FinishReason::Stop, Some("completed"))]);
    // Last event has no blank line after it; numeric cost is kept as decimal.
    assert_eq!(costs(&ev), ["2.75"]);
    assert_eq!(m.usage, usage(Some(5), Some(7), Some(0), Some(0), Some(3)));
}

// ----------------------------------------- responses edge cases by hand

#[test]
fn responses_content_filter_and_sse_name_fallback() {
    let (ev, _) = feed(
        WireFormat::Responses,
        &[
            // No JSON type: the SSE event name decides.
            (
                Some("response.created"),
                r#"{"response":{"id":"r","model":"m"}}"#,
            ),
            (Some("response.output_text.delta"), r#"{"delta":"abc"}"#),
            (
                None,
                r#"{"type":"response.incomplete","response":{"id":"r","incomplete_details":{"reason":"content_filter"}}}"#,
            ),
        ],
    );
    assert_eq!(
        finishes(&ev),
        [(0, FinishReason::ContentFilter, Some("content_filter"))]
    );
    assert!(ev.contains(&Event::TextDelta {
        choice: 0,
        text: "abc".into()
    }));
}

#[test]
fn responses_error_event_variants() {
    let (ev, _) = feed(
        WireFormat::Responses,
        &[
            (
                Some("error"),
                r#"{"type":"error","error":{"type":"insufficient_quota","code":"insufficient_quota","message":"quota"}}"#,
            ),
            (
                None,
                r#"{"type":"error","code":"server_error","message":"boom"}"#,
            ),
            (
                None,
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            ),
            (None, r#"{"type":"error"}"#),
        ],
    );
    assert_eq!(
        errors(&ev),
        [
            (ErrorKind::Credits, false, "quota"),
            (ErrorKind::Server, true, "boom"),
            (ErrorKind::Overloaded, true, "Overloaded"),
            (ErrorKind::Unknown, false, "provider reported an error"),
        ]
    );
}

#[test]
fn responses_call_announced_only_at_item_done() {
    let (_, m) = feed(
        WireFormat::Responses,
        &[
            (
                None,
                r#"{"type":"response.function_call_arguments.delta","item_id":"fc_x","delta":"{\"n\":"}"#,
            ),
            (
                None,
                r#"{"type":"response.function_call_arguments.done","item_id":"fc_x","arguments":"{\"n\":5}"}"#,
            ),
            (
                None,
                r#"{"type":"response.output_item.done","item":{"type":"function_call","id":"fc_x","call_id":"call_x","name":"count","arguments":"{\"n\":5}"}}"#,
            ),
            (
                None,
                r#"{"type":"response.completed","response":{"id":"r"}}"#,
            ),
        ],
    );
    assert_eq!(calls(&m, 0), [call("call_x", "count", json!({"n": 5}))]);
    assert_eq!(m.choices[0].finish_reason, Some(FinishReason::ToolCalls));
}

#[test]
fn responses_open_call_at_end_of_body_is_completed() {
    let (ev, m) = feed(
        WireFormat::Responses,
        &[
            (
                None,
                r#"{"type":"response.output_item.added","item":{"type":"function_call","id":"fc_1","call_id":"c1","name":"f","arguments":""}}"#,
            ),
            (
                None,
                r#"{"type":"response.function_call_arguments.delta","item_id":"fc_1","delta":"{\"ok\":true}"}"#,
            ),
        ],
    );
    assert_eq!(calls(&m, 0), [call("c1", "f", json!({"ok": true}))]);
    assert!(finishes(&ev).is_empty());
}

// ------------------------------------------------ shared real recordings

#[test]
fn recorded_openai_chat_streams() {
    let chat = |f: &str| shared(WireFormat::Chat, &format!("openai-chat/{f}"));
    let Some((ev, m)) = chat("text-usage-done.sse") else {
        return;
    };
    assert_eq!(
        start_of(&m),
        (
            Some("chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL"),
            Some("gpt-4o-2024-08-06")
        )
    );
    assert!(m
        .text()
        .starts_with("I'm unable to provide real-time weather updates."));
    assert!(m
        .text()
        .ends_with("liable weather website or a weather app."));
    assert_eq!(m.text().chars().count(), 159);
    assert_eq!(finishes(&ev), [(0, FinishReason::Stop, Some("stop"))]);
    assert_eq!(m.usage, usage(Some(14), Some(30), None, None, Some(0)));
    assert!(costs(&ev).is_empty());

    let (_, m) = chat("content-logprobs.sse").unwrap();
    assert_eq!(m.text(), "Foo!");
    assert_eq!(m.usage, usage(Some(9), Some(2), None, None, Some(0)));

    let (_, m) = chat("json-object-long.sse").unwrap();
    assert_eq!(m.text().chars().count(), 608);
    assert!(m
        .text()
        .starts_with("\n  {\n    \"location\": \"San Francisco, CA\","));
    let parsed: Value = serde_json::from_str(m.text()).expect("the streamed JSON object parses");
    assert!(parsed.is_object());
    assert_eq!(m.usage, usage(Some(19), Some(177), None, None, Some(0)));

    let (ev, m) = chat("max-tokens-length.sse").unwrap();
    assert_eq!(m.text(), "{\"");
    assert_eq!(finishes(&ev), [(0, FinishReason::Length, Some("length"))]);
    assert_eq!(m.usage, usage(Some(79), Some(1), None, None, Some(0)));

    let (ev, m) = chat("n3-multiple-choices.sse").unwrap();
    let texts: Vec<&str> = m.choices.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            r#"{"city":"San Francisco","temperature":65,"units":"f"}"#,
            r#"{"city":"San Francisco","temperature":61,"units":"f"}"#,
            r#"{"city":"San Francisco","temperature":59,"units":"f"}"#,
        ]
    );
    assert_eq!(finishes(&ev).len(), 3);
    assert!(m
        .choices
        .iter()
        .all(|c| c.finish_reason == Some(FinishReason::Stop)));
    assert_eq!(m.usage, usage(Some(79), Some(42), None, None, Some(0)));

    for (file, refusal, out) in [
        (
            "refusal.sse",
            "I'm sorry, I can't assist with that request.",
            11,
        ),
        (
            "refusal-logprobs.sse",
            "I'm very sorry, but I can't assist with that.",
            12,
        ),
    ] {
        let (ev, m) = chat(file).unwrap();
        assert_eq!(m.choices[0].refusal, refusal, "{file}");
        assert_eq!(m.text(), "", "{file}");
        assert_eq!(
            finishes(&ev),
            [(0, FinishReason::Stop, Some("stop"))],
            "{file}"
        );
        assert_eq!(
            m.usage,
            usage(Some(79), Some(out), None, None, Some(0)),
            "{file}"
        );
    }

    let (_, m) = chat("structured-output-json.sse").unwrap();
    assert_eq!(
        m.text(),
        r#"{"city":"San Francisco","temperature":61,"units":"f"}"#
    );
    assert_eq!(m.usage, usage(Some(79), Some(14), None, None, Some(0)));

    for (file, id, name, args, prompt, completion) in [
        (
            "tool-call-nonstrict.sse",
            "call_4XzlGBLtUe9dy3GVNV4jhq7h",
            "get_weather",
            json!({"city": "New York City"}),
            44,
            16,
        ),
        (
            "tool-call-single-strict.sse",
            "call_c91SqDXlYFuETYv8mUHzz6pp",
            "GetWeatherArgs",
            json!({"city": "Edinburgh", "country": "UK", "units": "c"}),
            76,
            24,
        ),
        (
            "tool-call-strict-function.sse",
            "call_CTf1nWJLqSeRgDqaCG27xZ74",
            "get_weather",
            json!({"city": "San Francisco", "state": "CA"}),
            48,
            19,
        ),
    ] {
        let (ev, m) = chat(file).unwrap();
        assert_eq!(calls(&m, 0), [call(id, name, args)], "{file}");
        assert_eq!(
            finishes(&ev),
            [(0, FinishReason::ToolCalls, Some("tool_calls"))],
            "{file}"
        );
        assert_eq!(
            m.usage,
            usage(Some(prompt), Some(completion), None, None, Some(0)),
            "{file}"
        );
    }

    let (_, m) = chat("tool-calls-parallel-two.sse").unwrap();
    assert_eq!(
        calls(&m, 0),
        [
            call(
                "call_JMW1whyEaYG438VE1OIflxA2",
                "GetWeatherArgs",
                json!({"city": "Edinburgh", "country": "GB", "units": "c"})
            ),
            call(
                "call_DNYTawLBoN8fj3KN6qU9N1Ou",
                "get_stock_price",
                json!({"ticker": "AAPL", "exchange": "NASDAQ"})
            ),
        ]
    );
    assert_eq!(m.usage, usage(Some(149), Some(60), None, None, Some(0)));
}

#[test]
fn recorded_openai_text_chunks() {
    for file in [
        "openai-chat/vercel-openai-text-usage.chunks.txt",
        "bench/openai-text.chunks.txt",
    ] {
        let Some((ev, m)) = shared(WireFormat::Chat, file) else {
            return;
        };
        assert_eq!(
            start_of(&m),
            (
                Some("chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0"),
                Some("gpt-4.1-nano-2025-04-14")
            )
        );
        assert!(m
            .text()
            .starts_with("**Holiday Name:** Harmony Day\n\n**Date:**"));
        assert!(m
            .text()
            .ends_with("ed human experiences and mutual respect."));
        assert_eq!(m.text().chars().count(), 1724, "{file}");
        assert_eq!(finishes(&ev), [(0, FinishReason::Stop, Some("stop"))]);
        assert_eq!(m.usage, usage(Some(16), Some(300), Some(0), None, Some(0)));
    }
}

#[test]
fn recorded_xai_reasoning_content_streams() {
    let Some((ev, m)) = shared(
        WireFormat::Chat,
        "openai-chat/vercel-xai-reasoning-content-text.chunks.txt",
    ) else {
        return;
    };
    assert_eq!(
        start_of(&m),
        (
            Some("f0f0f217-c24d-1fee-5fe3-28fa1d3c8c94"),
            Some("grok-3-mini")
        )
    );
    assert_eq!(m.text(), "Grok");
    assert!(m.choices[0]
        .reasoning
        .starts_with("First, the user said: \"Say a single word.\""));
    assert_eq!(m.choices[0].reasoning.chars().count(), 1455);
    assert_eq!(finishes(&ev), [(0, FinishReason::Stop, Some("stop"))]);
    // xAI leaves reasoning out of completion_tokens (2 + 340 = 354 - 12):
    // output is corrected to include it.
    assert_eq!(
        m.usage,
        usage(Some(1), Some(342), Some(11), None, Some(340))
    );

    for file in [
        "openai-chat/vercel-xai-reasoning-tool-call.chunks.txt",
        "bench/xai-tool-call.chunks.txt",
    ] {
        let (ev, m) = shared(WireFormat::Chat, file).unwrap();
        assert_eq!(
            calls(&m, 0),
            [call(
                "call_79382389",
                "weather",
                json!({"location": "San Francisco"})
            )],
            "{file}"
        );
        assert!(m.choices[0]
            .reasoning
            .starts_with("First, the user is asking about the weather in San Francisco"));
        assert_eq!(m.choices[0].reasoning.chars().count(), 1069);
        assert_eq!(m.text(), "");
        assert_eq!(
            finishes(&ev),
            [(0, FinishReason::ToolCalls, Some("tool_calls"))]
        );
        assert_eq!(
            m.usage,
            usage(Some(1), Some(253), Some(306), None, Some(227))
        );
    }
}

#[test]
fn recorded_deepseek_reasoning() {
    let Some((ev, m)) = shared(WireFormat::Chat, "bench/deepseek-reasoning.chunks.txt") else {
        return;
    };
    assert_eq!(
        start_of(&m),
        (
            Some("cac7192e-e619-40c6-96b0-ed4276bc03ac"),
            Some("deepseek-reasoner")
        )
    );
    assert_eq!(m.text(), "The word \"strawberry\" contains three \"r\"s.");
    assert!(m.choices[0]
        .reasoning
        .starts_with("We need to count the number of the letter \"r\""));
    assert_eq!(m.choices[0].reasoning.chars().count(), 606);
    assert_eq!(finishes(&ev), [(0, FinishReason::Stop, Some("stop"))]);
    // DeepSeek counts reasoning inside completion_tokens (18 + 219 = 237).
    assert_eq!(
        m.usage,
        usage(Some(18), Some(219), Some(0), None, Some(205))
    );
}

#[test]
fn recorded_zen_go_glm_stream_with_cost_after_done() {
    let Some((ev, m)) = shared(
        WireFormat::Chat,
        "zen/recorded/go-chat-glm-reasoning-stream.sse",
    ) else {
        return;
    };
    assert_eq!(
        start_of(&m),
        (
            Some("chatcmpl-RbLQzNQRyMU0Bqm4QDurFp4J"),
            Some("frank/GLM-5.1")
        )
    );
    assert_eq!(m.text(), "Hello");
    assert!(m.choices[0]
        .reasoning
        .starts_with("1.  **Analyze the Request:**\n    *   Command: \"Say hello\""));
    assert_eq!(m.choices[0].reasoning.chars().count(), 409);
    assert_eq!(finishes(&ev), [(0, FinishReason::Stop, Some("stop"))]);
    assert_eq!(m.usage, usage(Some(10), Some(123), Some(0), None, None));
    assert_eq!(costs(&ev), ["0"]);
    // The cost frame comes after everything else.
    assert!(matches!(ev.last(), Some(Event::Cost { .. })));
}

#[test]
fn recorded_zen_chat_cost_trailers_and_tail() {
    let Some((ev, m)) = shared(
        WireFormat::Chat,
        "zen/cost-trailer-chat-completions.2026-02-observed.sse",
    ) else {
        return;
    };
    assert_eq!(
        ev,
        [
            Event::Cost { usd: "0".into() },
            cut_before("chat", "[DONE]")
        ]
    );
    assert_eq!(m.cost.as_deref(), Some("0"));

    let (ev, _) = shared(
        WireFormat::Chat,
        "zen/cost-trailer-chat-completions.current-code.sse",
    )
    .unwrap();
    assert_eq!(
        ev,
        [
            Event::Start {
                id: Some("chatcmpl-abc".into()),
                model: Some("glm-4.6".into())
            },
            Event::Cost {
                usd: "0.00012345".into()
            },
            cut_before("chat", "[DONE]")
        ]
    );

    let (ev, m) = shared(
        WireFormat::Chat,
        "zen/tail-chat-completions.2026-07-observed-composite.sse",
    )
    .unwrap();
    assert_eq!(start_of(&m), (Some("chat_1"), Some("m")));
    assert_eq!(finishes(&ev), [(0, FinishReason::Stop, Some("stop"))]);
    // Upstream usage, then Zen's normalized usage (which wins).
    assert_eq!(m.usage, usage(Some(84), Some(8), Some(0), Some(0), Some(8)));
    assert_eq!(costs(&ev), ["0.00001400", "0"]);
    assert!(errors(&ev).is_empty());
}

#[test]
fn recorded_openai_responses_streams() {
    let resp = |f: &str| shared(WireFormat::Responses, &format!("openai-responses/{f}"));
    let Some((ev, m)) = resp("swiftagent-text-hello-world.sse") else {
        return;
    };
    assert_eq!(
        start_of(&m),
        (
            Some("resp_68d7eff889908196bde536de7b601b7d07152cb8c6ac9072"),
            Some("gpt-5-2025-08-07")
        )
    );
    assert_eq!(m.text(), "Hello, World!");
    assert_eq!(
        count(&ev, |e| matches!(e, Event::ReasoningSignature { .. })),
        1
    );
    assert_eq!(finishes(&ev), [(0, FinishReason::Stop, Some("completed"))]);
    assert_eq!(m.usage, usage(Some(12), Some(10), Some(0), None, Some(0)));

    let (ev, m) = resp("swiftagent-structured-output.sse").unwrap();
    assert_eq!(
        m.text(),
        r#"{"temperatureCelsius":22,"condition":"Partly Cloudy"}"#
    );
    assert_eq!(finishes(&ev), [(0, FinishReason::Stop, Some("completed"))]);
    assert_eq!(m.usage, usage(Some(72), Some(25), Some(0), None, Some(0)));

    let (ev, m) = resp("swiftagent-function-call-turn1.sse").unwrap();
    assert_eq!(
        calls(&m, 0),
        [call(
            "call_5dp5Uj0Loqn1YcyIpqSq6sLX",
            "get_weather",
            json!({"location": "New York City, USA"})
        )]
    );
    assert!(m.choices[0]
        .signature
        .as_ref()
        .is_some_and(|s| s.len() > 100));
    assert_eq!(
        finishes(&ev),
        [(0, FinishReason::ToolCalls, Some("completed"))]
    );
    assert_eq!(
        m.usage,
        usage(Some(75), Some(155), Some(0), None, Some(128))
    );

    let (_, m) = resp("swiftagent-function-call-turn2-text.sse").unwrap();
    assert_eq!(m.text(), "Current weather in New York City, USA: Sunny.");
    assert_eq!(m.usage, usage(Some(114), Some(15), Some(0), None, Some(0)));

    for file in [
        "swiftagent-error-insufficient-quota.sse",
        "vercel-error-insufficient-quota.chunks.txt",
    ] {
        let (ev, m) = resp(file).unwrap();
        let errs = errors(&ev);
        assert_eq!(
            errs.len(),
            1,
            "{file}: error event + response.failed = one error"
        );
        assert_eq!(
            (errs[0].0, errs[0].1),
            (ErrorKind::Credits, false),
            "{file}"
        );
        assert!(errs[0].2.starts_with("You exceeded your current quota"));
        assert_eq!(finishes(&ev), [(0, FinishReason::Error, Some("failed"))]);
        assert_eq!(m.text(), "");
        assert!(m.usage.is_empty());
    }
}

#[test]
fn recorded_responses_multistep_reasoning_and_calls() {
    for file in [
        "openai-responses/vercel-reasoning-summary-function-call-multistep.chunks.txt",
        "bench/openai-reasoning-encrypted-content.1.chunks.txt",
    ] {
        let Some((ev, m)) = shared(WireFormat::Responses, file) else {
            return;
        };
        assert_eq!(
            start_of(&m),
            (
                Some("resp_01830d662ab3856501693c321345c88190b0de00f3b9975691"),
                Some("gpt-5.1-codex-max")
            ),
            "{file}"
        );
        assert_eq!(m.text(), "The final result is **570**.");
        let c = &m.choices[0];
        assert!(c
            .reasoning
            .starts_with("**Calculating step-by-step using calculator**\n\nI'll compute "));
        assert_eq!(c.reasoning.chars().count(), 163);
        assert_eq!(
            count(&ev, |e| matches!(e, Event::ReasoningSignature { .. })),
            1
        );
        assert_eq!(c.reasoning_blocks.len(), 1);
        assert_eq!(
            calls(&m, 0),
            [
                call(
                    "call_AB6AaRZ1FYZB2RwS6A5vbdqn",
                    "calculator",
                    json!({"a": 12, "b": 7, "op": "add"})
                ),
                call(
                    "call_Q6pW65MUgW9vF59BmItYGos3",
                    "calculator",
                    json!({"a": 19, "b": 3, "op": "multiply"})
                ),
                call(
                    "call_Zl5vIMnD7dVAjgU6FkhmiCZh",
                    "calculator",
                    json!({"a": 57, "b": 10, "op": "multiply"})
                ),
            ]
        );
        let reasons: Vec<FinishReason> = finishes(&ev).into_iter().map(|f| f.1).collect();
        assert_eq!(
            reasons,
            [
                FinishReason::ToolCalls,
                FinishReason::ToolCalls,
                FinishReason::ToolCalls,
                FinishReason::Stop
            ]
        );
        assert_eq!(m.usage, usage(Some(299), Some(12), Some(0), None, Some(0)));
    }
}

#[test]
fn recorded_responses_web_search() {
    let Some((ev, m)) = shared(
        WireFormat::Responses,
        "bench/openai-web-search-tool.1.chunks.txt",
    ) else {
        return;
    };
    assert!(m
        .text()
        .starts_with("I checked today’s tech headlines (today = December 5, 2025)"));
    assert!(m
        .text()
        .ends_with("age pages and pull out more details now?"));
    assert_eq!(m.text().chars().count(), 3645);
    // Built-in web_search calls are not function calls.
    assert!(m.choices[0].tool_calls.is_empty());
    assert_eq!(finishes(&ev), [(0, FinishReason::Stop, Some("completed"))]);
    assert_eq!(
        m.usage,
        usage(Some(31073 - 3712), Some(4416), Some(3712), None, Some(3712))
    );
}

#[test]
fn recorded_zen_responses_pings() {
    let Some((ev, m)) = shared(
        WireFormat::Responses,
        "zen/tail-responses-pings.2026-observed.sse",
    ) else {
        return;
    };
    assert_eq!(costs(&ev), ["2.75", "0"]);
    assert_eq!(m.cost.as_deref(), Some("0"));
    let (ev, _) = shared(
        WireFormat::Responses,
        "zen/cost-trailer-anthropic-and-responses.current-code.sse",
    )
    .unwrap();
    assert_eq!(
        ev,
        [
            Event::Cost {
                usd: "0.00012345".into()
            },
            cut_before("responses", "response.completed")
        ]
    );
}

// ------------------------------------- the real SSE pipeline (decode_all)

/// Every stream of one format: (path, expected bytes on the wire).
fn all_streams(format: WireFormat) -> Vec<PathBuf> {
    let dir_name = match format {
        WireFormat::Chat => "chat",
        _ => "responses",
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(project_fixture(dir_name))
        .expect("project fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    if let Some(shared) = common::shared_fixtures() {
        let dirs: &[&str] = match format {
            WireFormat::Chat => &["openai-chat", "zen/recorded", "zen", "bench"],
            _ => &["openai-responses", "zen", "bench"],
        };
        for d in dirs {
            for entry in std::fs::read_dir(shared.join(d))
                .into_iter()
                .flatten()
                .flatten()
            {
                let p = entry.path();
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let wanted = match format {
                    WireFormat::Chat => {
                        *d == "openai-chat"
                            || name.starts_with("go-chat-")
                            || name.starts_with("cost-trailer-chat-completions")
                            || name.starts_with("tail-chat")
                            || name == "openai-text.chunks.txt"
                            || name.starts_with("deepseek-")
                            || name.starts_with("xai-")
                    }
                    _ => {
                        *d == "openai-responses"
                            || name.starts_with("tail-responses")
                            || name.starts_with("cost-trailer-anthropic-and-responses")
                            || (name.starts_with("openai-") && name.ends_with(".1.chunks.txt"))
                    }
                };
                if wanted {
                    paths.push(p);
                }
            }
        }
    }
    paths.sort();
    paths
}

fn assert_pipeline_matches_direct(format: WireFormat) {
    let paths = all_streams(format);
    assert!(paths.len() >= 7, "fixtures missing: {paths:?}");
    for path in paths {
        let body = load(format, &path);
        let (want, want_msg) = direct(format, &body);
        let (got, got_msg) = zenwire::stream::decode_all(format, &body);
        assert_eq!(got, want, "{}", path.display());
        assert_eq!(got_msg, want_msg, "{}", path.display());
        // Byte-at-a-time feeding must not change anything either.
        let mut d = zenwire::StreamDecoder::new(format);
        let mut split = Vec::new();
        for b in &body {
            d.push(std::slice::from_ref(b), &mut split);
        }
        d.finish(&mut split);
        assert_eq!(split, want, "{} (byte by byte)", path.display());
    }
}

#[test]
fn pipeline_chat_matches_direct_decoding() {
    assert_pipeline_matches_direct(WireFormat::Chat);
}

#[test]
fn pipeline_responses_matches_direct_decoding() {
    assert_pipeline_matches_direct(WireFormat::Responses);
}
