//! Gemini stream decoding (`streamGenerateContent?alt=sse`): hand-written
//! fixtures, single events fed straight to the decoder, and the recorded
//! 1.7 MB image stream.
//!
//! Every fixture case runs twice: `via_test_splitter` (a test-only SSE
//! splitter, exercising `GeminiDecoder` alone) and `via_stream_decoder`
//! (the crate's `StreamDecoder`, i.e. the real SSE decoder end to end).

mod common;
mod wire_support;

use serde_json::json;
use wire_support::{count, errors, fixture, Decode, Decoded};
use zenwire::event::{Event, FinishReason, Message, ReasoningBlock, Usage};
use zenwire::sse::SseEvent;
use zenwire::wire::gemini::GeminiDecoder;
use zenwire::wire::WireFormat;
use zenwire::ErrorKind;

both_paths!(
    GeminiDecoder,
    WireFormat::Gemini;
    text,
    thought_parts_and_signatures,
    function_call,
    parallel_function_calls,
    max_tokens,
    safety,
    prompt_blocked,
    error_mid_stream,
    error_before_output,
    ping_cost,
    multiple_candidates_and_invalid_json,
    recorded_image,
);

/// Gemini reports no cache writes: [`common::usage`] without that count.
fn usage(
    input: Option<u64>,
    output: Option<u64>,
    cache_read: Option<u64>,
    reasoning: Option<u64>,
) -> Usage {
    common::usage(input, output, cache_read, None, reasoning)
}

fn finish_of(m: &Message, choice: u32) -> Option<(FinishReason, Option<&str>)> {
    m.choices
        .iter()
        .find(|c| c.index == choice)
        .and_then(|c| c.finish_reason.map(|r| (r, c.raw_finish_reason.as_deref())))
}

fn calls(m: &Message) -> Vec<(u32, String, String, serde_json::Value)> {
    m.choices[0]
        .tool_calls
        .iter()
        .map(|t| (t.index, t.id.clone(), t.name.clone(), t.arguments.clone()))
        .collect()
}

/// Each call's single argument fragment is exactly its arguments.
fn assert_deltas_match_calls(events: &[Event]) {
    for ev in events {
        if let Event::ToolCall {
            choice,
            index,
            arguments,
            ..
        } = ev
        {
            let fragments: Vec<&str> = events
                .iter()
                .filter_map(|e| match e {
                    Event::ToolCallDelta {
                        choice: c,
                        index: i,
                        arguments_delta,
                    } if c == choice && i == index => Some(arguments_delta.as_str()),
                    _ => None,
                })
                .collect();
            assert_eq!(fragments.len(), 1);
            let parsed: serde_json::Value = serde_json::from_str(fragments[0]).expect("JSON");
            assert_eq!(&parsed, arguments);
        }
    }
}

fn text(decode: Decode) {
    let (events, m) = decode(&fixture("gemini/text.sse"));
    assert_eq!(
        events,
        vec![
            Event::Start {
                id: Some("resp_text_01".into()),
                model: Some("gemini-3-pro-preview".into()),
            },
            Event::TextDelta {
                choice: 0,
                text: "The sky".into()
            },
            Event::Usage(usage(Some(9), Some(2), None, None)),
            // Unchanged usage is not repeated.
            Event::TextDelta {
                choice: 0,
                text: " is blue".into()
            },
            Event::TextDelta {
                choice: 0,
                text: " — mostly.".into()
            },
            Event::Finish {
                choice: 0,
                reason: FinishReason::Stop,
                raw: Some("STOP".into()),
            },
            Event::Usage(usage(Some(9), Some(6), None, None)),
        ]
    );
    assert_eq!(m.text(), "The sky is blue — mostly.");
    assert_eq!(m.error, None);
}

fn thought_parts_and_signatures(decode: Decode) {
    let (events, m) = decode(&fixture("gemini/thinking.sse"));
    let c = &m.choices[0];
    assert_eq!(c.reasoning, "**Weighing options**\nThe user wants a haiku.");
    assert_eq!(c.text, "Autumn moonlight—");
    assert_eq!(c.signature.as_deref(), Some("CiQB0e2Kb7sigBBB"));
    assert_eq!(
        c.reasoning_blocks,
        vec![
            ReasoningBlock::Thinking {
                text: "**Weighing options**\nThe user wants a haiku.".into(),
                signature: Some("CiQB0e2Kb7sigAAA".into()),
            },
            ReasoningBlock::Thinking {
                text: String::new(),
                signature: Some("CiQB0e2Kb7sigBBB".into()),
            },
        ]
    );
    // prompt 1200 of which 1000 cached; output = candidates 12 + thoughts 45.
    assert_eq!(m.usage, usage(Some(200), Some(57), Some(1000), Some(45)));
    assert_eq!(count(&events, |e| matches!(e, Event::Usage(_))), 3);
    assert_eq!(finish_of(&m, 0), Some((FinishReason::Stop, Some("STOP"))));
    assert!(errors(&events).is_empty());
}

fn function_call(decode: Decode) {
    let (events, m) = decode(&fixture("gemini/function-call.sse"));
    assert_eq!(m.text(), "Let me look that up.");
    assert_eq!(
        calls(&m),
        vec![(
            0,
            "call_0".into(),
            "get_weather".into(),
            json!({"city": "Paris", "days": 3, "units": {"temp": "c"}})
        )]
    );
    assert_eq!(m.choices[0].signature.as_deref(), Some("CiwBsigFC=="));
    assert_deltas_match_calls(&events);
    assert_eq!(
        count(&events, |e| matches!(e, Event::ToolCallStart { .. })),
        1
    );
    assert_eq!(
        finish_of(&m, 0),
        Some((FinishReason::ToolCalls, Some("STOP")))
    );
    assert!(errors(&events).is_empty());
}

fn parallel_function_calls(decode: Decode) {
    let (events, m) = decode(&fixture("gemini/parallel-calls.sse"));
    assert_eq!(
        calls(&m),
        vec![
            (
                0,
                "call_0".into(),
                "get_weather".into(),
                json!({"city": "Paris"})
            ),
            (
                1,
                "fc_tokyo_7".into(),
                "get_weather".into(),
                json!({"city": "Tokyo"})
            ),
            (2, "call_2".into(), "get_time".into(), json!({})),
        ]
    );
    assert_deltas_match_calls(&events);
    assert_eq!(
        finish_of(&m, 0),
        Some((FinishReason::ToolCalls, Some("STOP")))
    );
    assert_eq!(m.usage, usage(Some(50), Some(30), None, None));
}

fn max_tokens(decode: Decode) {
    let (events, m) = decode(&fixture("gemini/max-tokens.sse"));
    assert_eq!(m.text(), "Once upon a time");
    assert_eq!(
        finish_of(&m, 0),
        Some((FinishReason::Length, Some("MAX_TOKENS")))
    );
    assert_eq!(m.usage, usage(Some(4), Some(8), None, Some(5)));
    assert!(errors(&events).is_empty());
}

fn safety(decode: Decode) {
    let (events, m) = decode(&fixture("gemini/safety.sse"));
    assert_eq!(m.text(), "I can describe");
    assert_eq!(
        finish_of(&m, 0),
        Some((FinishReason::ContentFilter, Some("SAFETY")))
    );
    assert!(errors(&events).is_empty());
}

fn prompt_blocked(decode: Decode) {
    let (events, m) = decode(&fixture("gemini/prompt-blocked.sse"));
    assert_eq!(m.text(), "");
    assert_eq!(
        finish_of(&m, 0),
        Some((FinishReason::ContentFilter, Some("PROHIBITED_CONTENT")))
    );
    assert!(
        errors(&events).is_empty(),
        "a blocked prompt is a result, not an error"
    );
    assert_eq!(m.usage, usage(Some(21), None, None, None));
}

fn error_mid_stream(decode: Decode) {
    let (events, m) = decode(&fixture("gemini/error.sse"));
    assert_eq!(m.text(), "Partial answer");
    assert_eq!(
        errors(&events),
        vec![&Event::Error {
            kind: ErrorKind::Overloaded,
            message: "The model is overloaded. Please try again later.".into(),
            retryable: true,
        }]
    );
    assert_eq!(
        finish_of(&m, 0),
        Some((FinishReason::Error, Some("UNAVAILABLE")))
    );
}

fn error_before_output(decode: Decode) {
    let (events, m) = decode(&fixture("gemini/error-quota.sse"));
    assert_eq!(
        events,
        vec![Event::Error {
            kind: ErrorKind::RateLimit,
            message: "Resource has been exhausted (e.g. check quota).".into(),
            retryable: true,
        }]
    );
    assert!(m.choices.is_empty());
}

fn ping_cost(decode: Decode) {
    let (events, m) = decode(&fixture("gemini/ping-cost.sse"));
    assert_eq!(m.text(), "Hi!");
    assert_eq!(count(&events, |e| matches!(e, Event::Cost { .. })), 2);
    assert_eq!(m.cost.as_deref(), Some("0.00003000"));
    assert_eq!(
        m.usage,
        Usage {
            input_tokens: Some(3),
            output_tokens: Some(2),
            cache_read_tokens: Some(0),
            cache_write_tokens: Some(0),
            reasoning_tokens: Some(0),
        }
    );
    assert!(errors(&events).is_empty());
}

fn multiple_candidates_and_invalid_json(decode: Decode) {
    let (events, m) = decode(&fixture("gemini/multi-candidate.sse"));
    assert_eq!(m.choices.len(), 2);
    assert_eq!(m.choices[0].text, "Red.");
    assert_eq!(m.choices[1].text, "Blue sky");
    assert_eq!(finish_of(&m, 0), Some((FinishReason::Stop, Some("STOP"))));
    assert_eq!(
        finish_of(&m, 1),
        Some((FinishReason::Length, Some("MAX_TOKENS")))
    );
    let errs = errors(&events);
    assert_eq!(errs.len(), 1);
    assert!(matches!(
        errs[0],
        Event::Error {
            kind: ErrorKind::Protocol,
            retryable: false,
            ..
        }
    ));
}

fn recorded_image(decode: Decode) {
    let Some(dir) = common::shared_fixtures() else {
        eprintln!("shared fixtures not found; skipping");
        return;
    };
    let body = std::fs::read(dir.join("bench/gemini-image.sse")).expect("gemini-image.sse");
    let (events, m) = decode(&body);
    // The image part is skipped; what remains is start, usage and the finish.
    assert_eq!(
        events,
        vec![
            Event::Start {
                id: None,
                model: Some("gemini-2.0-flash-exp".into()),
            },
            Event::Usage(usage(Some(8), None, None, None)),
            Event::Finish {
                choice: 0,
                reason: FinishReason::Stop,
                raw: Some("STOP".into()),
            },
        ]
    );
    assert_eq!(m.text(), "");
}

// ---------------------------------------------- single events, no framing

fn data(d: &str) -> SseEvent {
    SseEvent {
        data: d.to_owned(),
        ..SseEvent::default()
    }
}

fn run(datas: &[&str]) -> Decoded {
    let events: Vec<SseEvent> = datas.iter().map(|d| data(d)).collect();
    wire_support::run_events::<GeminiDecoder>(&events)
}

#[test]
fn finish_reasons_map() {
    for (raw, want) in [
        ("STOP", FinishReason::Stop),
        ("MAX_TOKENS", FinishReason::Length),
        ("SAFETY", FinishReason::ContentFilter),
        ("RECITATION", FinishReason::ContentFilter),
        ("BLOCKLIST", FinishReason::ContentFilter),
        ("PROHIBITED_CONTENT", FinishReason::ContentFilter),
        ("SPII", FinishReason::ContentFilter),
        ("IMAGE_SAFETY", FinishReason::ContentFilter),
        ("MALFORMED_FUNCTION_CALL", FinishReason::Other),
        ("LANGUAGE", FinishReason::Other),
        ("SOMETHING_NEW", FinishReason::Other),
    ] {
        let d = format!(
            r#"{{"candidates":[{{"content":{{"parts":[{{"text":"a"}}]}},"finishReason":"{raw}"}}]}}"#
        );
        let (_, m) = run(&[&d]);
        assert_eq!(finish_of(&m, 0), Some((want, Some(raw))), "{raw}");
    }
}

#[test]
fn error_statuses_codes_and_zen_types_map() {
    for (body, kind) in [
        (
            r#"{"error":{"code":429,"message":"m","status":"RESOURCE_EXHAUSTED"}}"#,
            ErrorKind::RateLimit,
        ),
        (
            r#"{"error":{"code":503,"message":"m","status":"UNAVAILABLE"}}"#,
            ErrorKind::Overloaded,
        ),
        (
            r#"{"error":{"code":500,"message":"m","status":"INTERNAL"}}"#,
            ErrorKind::Server,
        ),
        (
            r#"{"error":{"code":401,"message":"m","status":"UNAUTHENTICATED"}}"#,
            ErrorKind::Auth,
        ),
        (
            r#"{"error":{"code":403,"message":"m","status":"PERMISSION_DENIED"}}"#,
            ErrorKind::Auth,
        ),
        (
            r#"{"error":{"code":400,"message":"m","status":"INVALID_ARGUMENT"}}"#,
            ErrorKind::InvalidRequest,
        ),
        (
            r#"{"error":{"code":404,"message":"m","status":"NOT_FOUND"}}"#,
            ErrorKind::NotFound,
        ),
        (
            r#"{"error":{"code":504,"message":"m","status":"DEADLINE_EXCEEDED"}}"#,
            ErrorKind::Timeout,
        ),
        // No status: the HTTP code decides (also as a string).
        (
            r#"{"error":{"code":429,"message":"m"}}"#,
            ErrorKind::RateLimit,
        ),
        (
            r#"{"error":{"code":"502","message":"m"}}"#,
            ErrorKind::Server,
        ),
        // Zen's own errors are Anthropic-shaped on every endpoint.
        (
            r#"{"type":"error","error":{"type":"CreditsError","message":"m"}}"#,
            ErrorKind::Credits,
        ),
        (r#"{"error":{"message":"m"}}"#, ErrorKind::Unknown),
        (r#"{"error":"m"}"#, ErrorKind::Unknown),
    ] {
        let (events, _) = run(&[body]);
        assert_eq!(
            events,
            vec![Event::Error {
                kind,
                message: "m".into(),
                retryable: kind.is_retryable(),
            }],
            "{body}"
        );
    }
}

#[test]
fn stream_ending_before_a_finish_is_a_network_error_and_empty_a_protocol_error() {
    let (events, m) = run(&[r#"{"candidates":[{"content":{"parts":[{"text":"cut"}]}}]}"#]);
    assert_eq!(m.text(), "cut");
    assert_eq!(finish_of(&m, 0), None);
    assert!(matches!(
        events.last(),
        Some(Event::Error {
            kind: ErrorKind::Network,
            retryable: true,
            ..
        })
    ));
    let (events, _) = run(&[]);
    assert!(matches!(
        events[..],
        [Event::Error {
            kind: ErrorKind::Protocol,
            ..
        }]
    ));
}

#[test]
fn odd_but_valid_shapes_are_tolerated() {
    let (events, m) = run(&[
        // null candidates, empty parts, empty text, function call without args
        r#"{"candidates":null,"usageMetadata":{"promptTokenCount":2}}"#,
        r#"{"candidates":[{"content":{"parts":[]},"index":0}]}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":""},{"functionCall":{"id":"","name":"f","args":null}}]}}]}"#,
        r#"{"candidates":[{"finishReason":"STOP"}]}"#,
        "[DONE]",
    ]);
    assert!(errors(&events).is_empty(), "{events:?}");
    assert_eq!(calls(&m), vec![(0, "call_0".into(), "f".into(), json!({}))]);
    assert_eq!(
        finish_of(&m, 0),
        Some((FinishReason::ToolCalls, Some("STOP")))
    );
    assert_eq!(m.usage, usage(Some(2), None, None, None));
}

#[test]
fn every_prefix_of_every_event_decodes_without_panicking() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gemini");
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let body = std::fs::read(entry.expect("entry").path()).expect("read");
        for event in wire_support::split_sse(&body) {
            for (cut, _) in event.data.char_indices() {
                let (events, _) = run(&[&event.data[..cut]]);
                // Every prefix ends in a typed outcome (at least the
                // end-of-stream error, since no candidate finished).
                assert!(!events.is_empty());
            }
        }
    }
}
