//! Anthropic Messages stream decoding: hand-written fixtures, single events
//! fed straight to the decoder, and the shared real recordings.
//!
//! Every fixture case runs twice: `via_test_splitter` (a test-only SSE
//! splitter, exercising `MessagesDecoder` alone) and `via_stream_decoder`
//! (the crate's `StreamDecoder`, i.e. the real SSE decoder end to end).

mod common;

use common::usage;
mod wire_support;

use serde_json::json;
use wire_support::{count, errors, fixture, Decode, Decoded};
use zenwire::event::{Event, FinishReason, Message, ReasoningBlock, Usage};
use zenwire::sse::SseEvent;
use zenwire::wire::messages::MessagesDecoder;
use zenwire::wire::{WireDecoder, WireFormat};
use zenwire::ErrorKind;

both_paths!(
    MessagesDecoder,
    WireFormat::Messages;
    text,
    no_event_lines,
    missing_final_blank_line,
    thinking,
    redacted_thinking,
    tool_use,
    tool_truncated_by_max_tokens,
    server_tool_blocks,
    whitespace_padded_json,
    error_overloaded_mid_stream,
    invalid_json_continues,
    cost_with_normalized_usage,
    recorded_anthropic,
    recorded_zen,
    recorded_bench,
);

fn finish(m: &Message) -> Option<(FinishReason, Option<&str>)> {
    m.choices
        .first()
        .and_then(|c| c.finish_reason.map(|r| (r, c.raw_finish_reason.as_deref())))
}

/// Per tool-call index: the argument fragments streamed must add up to the
/// arguments of the completed call (parsed) or to its raw text (invalid).
fn assert_deltas_match_calls(events: &[Event]) {
    for ev in events {
        let (index, expected) = match ev {
            Event::ToolCall {
                index, arguments, ..
            } => (*index, Some(arguments.clone())),
            Event::ToolCallInvalid {
                index,
                raw_arguments,
                ..
            } => (*index, serde_json::from_str(raw_arguments).ok()),
            _ => continue,
        };
        let joined: String = events
            .iter()
            .filter_map(|e| match e {
                Event::ToolCallDelta {
                    index: i,
                    arguments_delta,
                    ..
                } if *i == index => Some(arguments_delta.as_str()),
                _ => None,
            })
            .collect();
        let parsed = if joined.trim().is_empty() {
            Some(json!({}))
        } else {
            serde_json::from_str(&joined).ok()
        };
        if let Event::ToolCall { .. } = ev {
            assert_eq!(parsed, expected, "deltas of call {index}: {joined:?}");
        }
        assert_eq!(
            count(
                events,
                |e| matches!(e, Event::ToolCallStart { index: i, .. } if *i == index)
            ),
            1,
            "one start for call {index}"
        );
    }
}

// ---------------------------------------------------------------- fixtures

fn text_events() -> Vec<Event> {
    vec![
        Event::Start {
            id: Some("msg_text_01".into()),
            model: Some("claude-sonnet-4-5".into()),
        },
        Event::Usage(usage(Some(12), Some(1), Some(2048), Some(7), None)),
        Event::TextDelta {
            choice: 0,
            text: "Hello".into(),
        },
        Event::TextDelta {
            choice: 0,
            text: ", \"world\" é\n".into(),
        },
        Event::Usage(usage(None, Some(9), None, None, None)),
        Event::Finish {
            choice: 0,
            reason: FinishReason::Stop,
            raw: Some("end_turn".into()),
        },
        Event::Cost {
            usd: "0.00004512".into(),
        },
    ]
}

fn text(decode: Decode) {
    let (events, m) = decode(&fixture("messages/text.sse"));
    assert_eq!(events, text_events());
    assert_eq!(m.id.as_deref(), Some("msg_text_01"));
    assert_eq!(m.model.as_deref(), Some("claude-sonnet-4-5"));
    assert_eq!(m.text(), "Hello, \"world\" é\n");
    assert_eq!(m.usage, usage(Some(12), Some(9), Some(2048), Some(7), None));
    assert_eq!(m.cost.as_deref(), Some("0.00004512"));
    assert_eq!(finish(&m), Some((FinishReason::Stop, Some("end_turn"))));
    assert_eq!(m.error, None);
}

fn no_event_lines(decode: Decode) {
    let (events, _) = decode(&fixture("messages/no-event-lines.sse"));
    assert_eq!(events, text_events());
}

fn missing_final_blank_line(decode: Decode) {
    let (events, m) = decode(&fixture("messages/missing-final-blank.sse"));
    let mut expected = text_events();
    expected.pop(); // this copy ends at message_stop, without the cost frame
    assert_eq!(events, expected);
    assert_eq!(
        m.error, None,
        "the unterminated message_stop must still count"
    );
}

fn thinking(decode: Decode) {
    let (events, m) = decode(&fixture("messages/thinking.sse"));
    let c = &m.choices[0];
    assert_eq!(c.reasoning, "Two plus two is four.");
    assert_eq!(c.signature.as_deref(), Some("EqQBCgIYAhIMsig+/=="));
    assert_eq!(
        c.reasoning_blocks,
        vec![ReasoningBlock::Thinking {
            text: "Two plus two is four.".into(),
            signature: Some("EqQBCgIYAhIMsig+/==".into()),
        }]
    );
    assert_eq!(c.text, "4");
    // The empty thinking_delta is not an event.
    assert_eq!(
        count(&events, |e| matches!(e, Event::ReasoningDelta { .. })),
        2
    );
    assert_eq!(m.usage, usage(Some(40), Some(31), None, None, Some(25)));
    assert_eq!(finish(&m), Some((FinishReason::Stop, Some("end_turn"))));
    assert!(errors(&events).is_empty());
}

fn redacted_thinking(decode: Decode) {
    let (events, m) = decode(&fixture("messages/redacted-thinking.sse"));
    let c = &m.choices[0];
    assert_eq!(
        c.reasoning_blocks,
        vec![
            ReasoningBlock::Redacted {
                data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP".into()
            },
            ReasoningBlock::Thinking {
                text: "Visible part.".into(),
                signature: Some("sig-visible".into()),
            },
        ]
    );
    assert_eq!(c.text, "Done.");
    assert!(errors(&events).is_empty());
}

fn tool_use(decode: Decode) {
    let (events, m) = decode(&fixture("messages/tool-use.sse"));
    let c = &m.choices[0];
    assert_eq!(c.text, "Checking both cities.");
    let calls: Vec<_> = c
        .tool_calls
        .iter()
        .map(|t| (t.index, t.id.as_str(), t.name.as_str(), t.arguments.clone()))
        .collect();
    assert_eq!(
        calls,
        vec![
            (
                0,
                "toolu_paris",
                "get_weather",
                json!({"city": "Paris", "unit": "c"})
            ),
            (1, "toolu_noargs", "list_cities", json!({})),
            (2, "toolu_prefilled", "get_weather", json!({"city": "Oslo"})),
        ]
    );
    assert!(c.tool_calls.iter().all(|t| t.invalid.is_none()));
    // Empty first fragments are not events; prefilled input is one delta.
    let deltas: Vec<(u32, &str)> = events
        .iter()
        .filter_map(|e| match e {
            Event::ToolCallDelta {
                index,
                arguments_delta,
                ..
            } => Some((*index, arguments_delta.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        deltas,
        vec![
            (0, "{\"city\": \"Pa"),
            (0, "ris\", \"unit\": \"c\"}"),
            (2, "{\"city\":\"Oslo\"}"),
        ]
    );
    assert_deltas_match_calls(&events);
    assert_eq!(
        finish(&m),
        Some((FinishReason::ToolCalls, Some("tool_use")))
    );
    assert_eq!(m.usage, usage(Some(600), Some(88), Some(0), Some(0), None));
    assert!(errors(&events).is_empty());
}

fn tool_truncated_by_max_tokens(decode: Decode) {
    let (events, m) = decode(&fixture("messages/tool-truncated.sse"));
    let invalid: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::ToolCallInvalid {
                index,
                id,
                raw_arguments,
                reason,
                ..
            } => Some((*index, id.as_str(), raw_arguments.as_str(), reason.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(invalid.len(), 1);
    assert_eq!(invalid[0].0, 0);
    assert_eq!(invalid[0].1, "toolu_long");
    assert_eq!(invalid[0].2, "{\"path\": \"a.txt\", \"text\": \"lorem");
    assert!(invalid[0].3.contains("token limit"), "{}", invalid[0].3);
    assert_eq!(count(&events, |e| matches!(e, Event::ToolCall { .. })), 0);
    let call = &m.choices[0].tool_calls[0];
    assert_eq!(call.arguments, serde_json::Value::Null);
    assert!(call.invalid.is_some());
    assert_eq!(finish(&m), Some((FinishReason::Length, Some("max_tokens"))));
    assert!(errors(&events).is_empty());
}

fn server_tool_blocks(decode: Decode) {
    let (events, m) = decode(&fixture("messages/server-tool.sse"));
    // The web search the provider ran is not a call the client must answer.
    assert_eq!(
        count(&events, |e| matches!(e, Event::ToolCallStart { .. })),
        1
    );
    let c = &m.choices[0];
    assert_eq!(c.tool_calls.len(), 1);
    assert_eq!(c.tool_calls[0].index, 0);
    assert_eq!(c.tool_calls[0].id, "toolu_save");
    assert_eq!(c.tool_calls[0].arguments, json!({"note": "rust"}));
    assert_eq!(c.text, "Rust 2024 shipped.");
    assert_eq!(m.usage, usage(Some(2000), Some(120), None, None, None));
    assert_eq!(
        finish(&m),
        Some((FinishReason::ToolCalls, Some("tool_use")))
    );
    assert!(errors(&events).is_empty());
}

fn whitespace_padded_json(decode: Decode) {
    let (events, m) = decode(&fixture("messages/padded.sse"));
    assert!(errors(&events).is_empty(), "{events:?}");
    assert_eq!(m.id.as_deref(), Some("msg_pad_01"));
    assert_eq!(m.text(), "padded");
    assert_eq!(m.usage, usage(Some(5), Some(3), None, None, None));
    assert_eq!(
        finish(&m),
        Some((FinishReason::Stop, Some("stop_sequence")))
    );
}

fn error_overloaded_mid_stream(decode: Decode) {
    let (events, m) = decode(&fixture("messages/error-overloaded.sse"));
    assert_eq!(
        errors(&events),
        vec![&Event::Error {
            kind: ErrorKind::Overloaded,
            message: "Overloaded".into(),
            retryable: true,
        }]
    );
    assert_eq!(m.text(), "Partial");
    let call = &m.choices[0].tool_calls[0];
    assert_eq!(call.id, "toolu_cut");
    assert_eq!(
        call.invalid.as_ref().map(|i| i.raw_arguments.as_str()),
        Some("{\"q\":")
    );
    assert_eq!(
        finish(&m),
        Some((FinishReason::Error, Some("overloaded_error")))
    );
    let err = m.error.expect("error recorded");
    assert_eq!(err.kind, ErrorKind::Overloaded);
    assert!(err.retryable);
}

fn invalid_json_continues(decode: Decode) {
    let (events, m) = decode(&fixture("messages/invalid-json.sse"));
    let errs = errors(&events);
    assert_eq!(errs.len(), 1, "{events:?}");
    assert!(matches!(
        errs[0],
        Event::Error {
            kind: ErrorKind::Protocol,
            retryable: false,
            ..
        }
    ));
    // The bad event is dropped, the rest decodes; the unknown type is ignored.
    assert_eq!(m.text(), "after");
    assert_eq!(finish(&m), Some((FinishReason::Other, Some("pause_turn"))));
    assert_eq!(m.error.map(|e| e.kind), Some(ErrorKind::Protocol));
}

fn cost_with_normalized_usage(decode: Decode) {
    let (events, m) = decode(&fixture("messages/cost-normalized.sse"));
    assert!(errors(&events).is_empty());
    assert_eq!(m.text(), "Prefilled text");
    assert_eq!(finish(&m), Some((FinishReason::Refusal, Some("refusal"))));
    assert_eq!(m.cost.as_deref(), Some("0.00123400"));
    // Zen's normalized counts come last and win.
    assert_eq!(
        m.usage,
        usage(Some(100), Some(12), Some(50), Some(10), Some(0))
    );
}

// ------------------------------------------------------ real recordings

/// What a recorded stream must decode to.
struct Expect {
    /// Exact text, or `None` to check `text_len`/`text_ends` instead.
    text: Option<&'static str>,
    text_len: usize,
    text_ends: (&'static str, &'static str),
    reasoning: &'static str,
    signature: Option<&'static str>,
    /// (index, id, name, arguments JSON or None when invalid)
    tools: &'static [(u32, &'static str, &'static str, Option<&'static str>)],
    usage: Usage,
    finish: Option<(FinishReason, Option<&'static str>)>,
    cost: Option<&'static str>,
    error: Option<ErrorKind>,
    model: Option<&'static str>,
}

impl Default for Expect {
    fn default() -> Self {
        Expect {
            text: Some(""),
            text_len: 0,
            text_ends: ("", ""),
            reasoning: "",
            signature: None,
            tools: &[],
            usage: Usage::default(),
            finish: Some((FinishReason::Stop, Some("end_turn"))),
            cost: None,
            error: None,
            model: None,
        }
    }
}

fn check(name: &str, (events, m): Decoded, want: &Expect) {
    let text = m.text();
    match want.text {
        Some(t) => assert_eq!(text, t, "{name}: text"),
        None => {
            assert_eq!(text.len(), want.text_len, "{name}: text length");
            assert!(text.starts_with(want.text_ends.0), "{name}: text start");
            assert!(text.ends_with(want.text_ends.1), "{name}: text end");
        }
    }
    let reasoning = m.choices.first().map_or("", |c| c.reasoning.as_str());
    assert_eq!(reasoning, want.reasoning, "{name}: reasoning");
    let signature = m.choices.first().and_then(|c| c.signature.as_deref());
    assert_eq!(signature, want.signature, "{name}: signature");
    let calls = m.choices.first().map_or(&[][..], |c| &c.tool_calls[..]);
    assert_eq!(
        calls.len(),
        want.tools.len(),
        "{name}: tool calls {calls:?}"
    );
    for (call, (index, id, tool, args)) in calls.iter().zip(want.tools) {
        assert_eq!(
            (call.index, call.id.as_str(), call.name.as_str()),
            (*index, *id, *tool),
            "{name}"
        );
        match args {
            Some(args) => {
                let args: serde_json::Value = serde_json::from_str(args).expect("test JSON");
                assert_eq!(call.arguments, args, "{name}: arguments");
                assert!(call.invalid.is_none(), "{name}");
            }
            None => assert!(call.invalid.is_some(), "{name}: call must be invalid"),
        }
    }
    assert_deltas_match_calls(&events);
    assert_eq!(m.usage, want.usage, "{name}: usage");
    assert_eq!(finish(&m), want.finish, "{name}: finish");
    assert_eq!(m.cost.as_deref(), want.cost, "{name}: cost");
    assert_eq!(
        m.error.as_ref().map(|e| e.kind),
        want.error,
        "{name}: error {:?}",
        m.error
    );
    if want.model.is_some() {
        assert_eq!(m.model.as_deref(), want.model, "{name}: model");
    }
    assert!(
        count(&events, |e| matches!(e, Event::Start { .. })) <= 1,
        "{name}: one start at most"
    );
}

fn load(rel: &str) -> Option<Vec<u8>> {
    let Some(dir) = common::shared_fixtures() else {
        eprintln!("shared fixtures not found; skipping {rel}");
        return None;
    };
    let bytes = std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"));
    Some(if rel.ends_with(".chunks.txt") {
        common::chunks_to_sse(&String::from_utf8_lossy(&bytes), true, false)
    } else {
        bytes
    })
}

fn run_recorded(decode: Decode, cases: &[(&str, Expect)]) {
    for (rel, want) in cases {
        if let Some(body) = load(rel) {
            check(rel, decode(&body), want);
        }
    }
}

fn recorded_anthropic(decode: Decode) {
    let u = usage;
    let refusal = Some((FinishReason::Refusal, Some("refusal")));
    let tool_use = Some((FinishReason::ToolCalls, Some("tool_use")));
    let cases = [
        ("anthropic/docs-basic-text.sse", Expect {
            text: Some("Hello!"),
            usage: u(Some(25), Some(15), None, None, None),
            model: Some("claude-opus-4-1-20250805"),
            ..Expect::default()
        }),
        ("anthropic/docs-error-event.sse", Expect {
            finish: None,
            error: Some(ErrorKind::Overloaded),
            ..Expect::default()
        }),
        ("anthropic/docs-extended-thinking.sse", Expect {
            text: Some("27 * 453 = 12,231"),
            reasoning: "Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3\n3. 27 * 400 = 10,800\n4. 27 * 50 = 1,350\n5. 27 * 3 = 81\n6. 10,800 + 1,350 + 81 = 12,231",
            signature: Some("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..."),
            ..Expect::default()
        }),
        ("anthropic/docs-tool-use.sse", Expect {
            text: Some("Okay, let's check the weather for San Francisco, CA:"),
            tools: &[(0, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather",
                Some(r#"{"location": "San Francisco, CA", "unit": "fahrenheit"}"#))],
            usage: u(Some(472), Some(89), None, None, None),
            finish: tool_use,
            ..Expect::default()
        }),
        ("anthropic/sdkpy-basic_response.sse", Expect {
            text: Some("Hello there!"),
            usage: u(Some(11), Some(6), None, None, None),
            model: Some("claude-3-opus-latest"),
            ..Expect::default()
        }),
        ("anthropic/sdkpy-compaction_response.sse", Expect {
            text: Some("Hello there!"),
            usage: u(Some(30), Some(8), None, None, None),
            ..Expect::default()
        }),
        ("anthropic/sdkpy-fable-stream-a-refusal.sse", Expect {
            text: Some("Hi"),
            reasoning: "Simple educational question about what a solar eclipse is. This is benign general knowledge — definitions are fine. Also the user called me \"claudius\" — I'm Claude. Minor correction or just roll with it politely.",
            signature: Some("c3ludGhldGljLXNpZ25hdHVyZS1maXh0dXJlLWEtbm90LWEtcmVhbC1zaWduYXR1cmU="),
            usage: u(Some(28), Some(106), Some(0), Some(0), Some(67)),
            finish: refusal,
            ..Expect::default()
        }),
        ("anthropic/sdkpy-fable-stream-a-toolrefusal.sse", Expect {
            text: Some("Here's a summary of this year's solar eclipses and how"),
            usage: u(Some(28), Some(106), Some(0), Some(0), Some(67)),
            finish: refusal,
            ..Expect::default()
        }),
        ("anthropic/sdkpy-fable-stream-b-fallback.sse", Expect {
            text: None,
            text_len: 1312,
            text_ends: (" there! Happy to explain.\n\n**Solar eclipses**", "what's sparking your interest!"),
            usage: u(Some(31), Some(547), Some(0), Some(0), Some(0)),
            model: Some("claude-opus-4-8"),
            ..Expect::default()
        }),
        ("anthropic/sdkpy-fallback_credit_response.sse", Expect {
            text: Some("Hello there!"),
            usage: u(Some(25), Some(8), None, None, None),
            ..Expect::default()
        }),
        ("anthropic/sdkpy-fallback_response.sse", Expect {
            text: Some("Hello there!"),
            usage: u(Some(25), Some(8), None, None, None),
            ..Expect::default()
        }),
        ("anthropic/sdkpy-incomplete_partial_json_response.sse", Expect {
            text: Some("I'll create a comprehensive tax guide for someone with multiple W2s and save it in a file called taxes.txt. Let me do that for you now."),
            tools: &[(0, "toolu_01EKqbqmZrGRXy18eN7m9kvY", "make_file", None)],
            usage: u(Some(450), Some(124), Some(0), Some(0), None),
            finish: Some((FinishReason::Length, Some("max_tokens"))),
            ..Expect::default()
        }),
        ("anthropic/sdkpy-refusal_response.sse", Expect {
            usage: u(Some(20), Some(0), None, None, None),
            finish: refusal,
            ..Expect::default()
        }),
        ("anthropic/sdkpy-tool_use_response.sse", Expect {
            text: Some("I'll check the current weather in Paris for you."),
            tools: &[(0, "toolu_01NRLabsLyVHZPKxbKvkfSMn", "get_weather", Some(r#"{"location": "Paris"}"#))],
            usage: u(Some(377), Some(65), Some(0), Some(0), None),
            finish: tool_use,
            ..Expect::default()
        }),
        ("anthropic/vercel-duplicate-message-start.chunks.txt", Expect {
            text: Some("Hello, World!"),
            usage: u(Some(17), Some(227), None, None, None),
            ..Expect::default()
        }),
        ("anthropic/vercel-message-delta-input-tokens.chunks.txt", Expect {
            text: Some("pong"),
            usage: u(Some(61), Some(2), None, None, None),
            ..Expect::default()
        }),
        ("anthropic/vercel-refusal.chunks.txt", Expect {
            usage: u(Some(18), Some(5), Some(0), Some(0), None),
            finish: refusal,
            ..Expect::default()
        }),
        ("anthropic/vercel-spliced-message-start.chunks.txt", Expect {
            reasoning: "I will call the tool.Let me call the tool.",
            signature: Some("sig-second"),
            tools: &[
                (0, "toolu_first", "test-tool", None),
                (1, "toolu_second", "test-tool", Some(r#"{"value":"Sparkle Day"}"#)),
            ],
            usage: u(Some(17), Some(65), None, None, None),
            finish: tool_use,
            error: Some(ErrorKind::Protocol),
            ..Expect::default()
        }),
        ("anthropic/vercel-text.chunks.txt", Expect {
            text: Some("Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?"),
            usage: u(Some(12), Some(30), Some(0), Some(0), None),
            model: Some("claude-sonnet-4-5-20250929"),
            ..Expect::default()
        }),
        ("anthropic/vercel-thinking-signature.chunks.txt", Expect {
            text: Some("925 ÷ 5 = 185"),
            reasoning: "The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185",
            signature: Some("EvQBCkYICxgCKkAxhD4NUKFzudtZ6NzbZdEiBACIScTzqjPViM596iWLZIk4EFKYYBj3B6Ptl3b0dcQv/VeJBNbejNWIWRBn+KPNEgz6HWtKx7p+QRgKsEoaDGjsiqfht7gTRFYHiyIwD1VSmNqHxv3wy8KEMP+LYb/TC4UH3H97tuoaADARFFcA0phdfxnzKQxFnc9lwY+dKlzUsaKSUAFeu1bDL5ikZJ1vL0Fkz6JjoFke0L/wOJRIUDUlDUOFJ1tZ3ea7g6LGE/5hwuvWgLwewdcm64d+43l7F57XrOmqNd6flI2K/oPr/4yzNgvi/EhT6Ca17BgB"),
            usage: u(Some(69), Some(53), Some(0), Some(0), None),
            ..Expect::default()
        }),
        ("anthropic/vercel-tool-no-args.chunks.txt", Expect {
            text: Some("I'll update the issue list for you."),
            tools: &[(0, "toolu_01QE1WLsSVp5hy5Q3GmGTmjP", "updateIssueList", Some("{}"))],
            usage: u(Some(565), Some(48), Some(0), Some(0), None),
            finish: tool_use,
            ..Expect::default()
        }),
        ("anthropic/vercel-tool-use.chunks.txt", Expect {
            tools: &[(0, "toolu_01KFbKqPYSuAKujiL6mTfzYA", "json",
                Some(r#"{"elements": [{"location": "San Francisco", "temperature": 58, "condition": "sunny"}]}"#))],
            usage: u(Some(849), Some(47), Some(0), Some(0), None),
            finish: tool_use,
            ..Expect::default()
        }),
    ];
    run_recorded(decode, &cases);
    // Every file in the directory is covered by a case above.
    if let Some(dir) = common::shared_fixtures() {
        let listed: Vec<String> = std::fs::read_dir(dir.join("anthropic"))
            .expect("anthropic fixtures")
            .filter_map(|e| e.ok())
            .map(|e| format!("anthropic/{}", e.file_name().to_string_lossy()))
            .collect();
        for file in listed {
            assert!(
                cases.iter().any(|(rel, _)| *rel == file),
                "no expectation for {file}"
            );
        }
    }
}

fn recorded_zen(decode: Decode) {
    let cases = [(
        "zen/recorded/go-messages-minimax-thinking-stream.sse",
        Expect {
            text: Some("\n\nHello!"),
            reasoning: "The user is asking me to say hello in one word. This is a simple request - they just want a greeting in a single word.\n\nI'll provide a simple greeting word.\n",
            signature: Some("cf998538a5ae3257fc4eb2ffeb97387fc2af13c1716362c717b4e88d7b219c74"),
            usage: usage(Some(26), Some(40), Some(0), Some(0), None),
            cost: Some("0"),
            model: Some("MiniMax-M2.7"),
            ..Expect::default()
        },
    )];
    run_recorded(decode, &cases);
    // Trailer-only fragments: the cost comes out, and the missing message is
    // reported (a body that is only a trailer is not a complete response).
    for (rel, costs) in [
        (
            "zen/cost-trailer-anthropic-and-responses.current-code.sse",
            &["0.00012345"][..],
        ),
        (
            "zen/tail-responses-pings.2026-observed.sse",
            &["2.75", "0"][..],
        ),
    ] {
        let Some(body) = load(rel) else { continue };
        let (events, m) = decode(&body);
        let got: Vec<&str> = events
            .iter()
            .filter_map(|e| match e {
                Event::Cost { usd } => Some(usd.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(got, costs, "{rel}");
        assert_eq!(m.cost.as_deref(), costs.last().copied(), "{rel}");
        assert!(m.choices.is_empty(), "{rel}");
        assert_eq!(m.error.map(|e| e.kind), Some(ErrorKind::Network), "{rel}");
    }
}

fn recorded_bench(decode: Decode) {
    let cases = [
        (
            "bench/anthropic-json-tool.1.chunks.txt",
            Expect {
                tools: &[(
                    0,
                    "toolu_01KFbKqPYSuAKujiL6mTfzYA",
                    "json",
                    Some(
                        r#"{"elements": [{"location": "San Francisco", "temperature": 58, "condition": "sunny"}]}"#,
                    ),
                )],
                usage: usage(Some(849), Some(47), Some(0), Some(0), None),
                finish: Some((FinishReason::ToolCalls, Some("tool_use"))),
                ..Expect::default()
            },
        ),
        (
            "bench/anthropic-web-search-tool.1.chunks.txt",
            Expect {
                text: None,
                text_len: 2402,
                text_ends: (
                    "Based on my search results, here are the key tech news",
                    "first international retail expansion.",
                ),
                usage: usage(Some(15665), Some(795), Some(0), Some(0), None),
                model: Some("claude-sonnet-4-20250514"),
                ..Expect::default()
            },
        ),
    ];
    run_recorded(decode, &cases);
    if let Some(body) = load("bench/anthropic-web-search-tool.1.chunks.txt") {
        let (events, _) = decode(&body);
        assert_eq!(count(&events, |e| matches!(e, Event::TextDelta { .. })), 56);
        assert_eq!(
            count(&events, |e| matches!(e, Event::ToolCallStart { .. })),
            0
        );
    }
}

// ---------------------------------------------- single events, no framing

fn ev(event: Option<&str>, data: &str) -> SseEvent {
    SseEvent {
        event: event.map(str::to_owned),
        data: data.to_owned(),
        id: None,
        retry: None,
    }
}

fn run(events: &[SseEvent]) -> Decoded {
    wire_support::run_events::<MessagesDecoder>(events)
}

const START: &str = r#"{"type":"message_start","message":{"id":"msg_a","model":"m","usage":{"input_tokens":1,"output_tokens":1}}}"#;
const TEXT: &str =
    r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}"#;
const STOP: &str = r#"{"type":"message_stop"}"#;

#[test]
fn json_type_wins_over_event_name_and_event_name_is_the_fallback() {
    let (events, m) = run(&[
        ev(Some("ping"), START),
        ev(Some("whatever"), TEXT),
        ev(Some("message_stop"), "{}"),
    ]);
    assert_eq!(m.id.as_deref(), Some("msg_a"));
    assert_eq!(m.text(), "x");
    assert_eq!(finish(&m), Some((FinishReason::Stop, None)), "{events:?}");
    assert_eq!(m.error, None);
}

#[test]
fn message_stop_without_message_delta_infers_the_reason() {
    let tool = r#"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"n","input":{}}}"#;
    let (_, m) = run(&[ev(None, START), ev(None, tool), ev(None, STOP)]);
    assert_eq!(finish(&m), Some((FinishReason::ToolCalls, None)));
    // The open call is completed at message_stop: empty arguments mean {}.
    assert_eq!(m.choices[0].tool_calls[0].arguments, json!({}));
}

#[test]
fn stop_reasons_map() {
    for (raw, want) in [
        ("end_turn", FinishReason::Stop),
        ("stop_sequence", FinishReason::Stop),
        ("max_tokens", FinishReason::Length),
        ("model_context_window_exceeded", FinishReason::Length),
        ("tool_use", FinishReason::ToolCalls),
        ("refusal", FinishReason::Refusal),
        ("pause_turn", FinishReason::Other),
        ("brand_new_reason", FinishReason::Other),
    ] {
        let delta = format!(r#"{{"type":"message_delta","delta":{{"stop_reason":"{raw}"}}}}"#);
        let (_, m) = run(&[ev(None, START), ev(None, &delta), ev(None, STOP)]);
        assert_eq!(finish(&m), Some((want, Some(raw))), "{raw}");
    }
}

#[test]
fn error_types_map_to_kinds() {
    for (ty, kind) in [
        ("overloaded_error", ErrorKind::Overloaded),
        ("rate_limit_error", ErrorKind::RateLimit),
        ("api_error", ErrorKind::Server),
        ("timeout_error", ErrorKind::Timeout),
        ("authentication_error", ErrorKind::Auth),
        ("permission_error", ErrorKind::Auth),
        ("billing_error", ErrorKind::Credits),
        ("not_found_error", ErrorKind::NotFound),
        ("invalid_request_error", ErrorKind::InvalidRequest),
        ("request_too_large", ErrorKind::InvalidRequest),
        ("CreditsError", ErrorKind::Credits),
        ("ModelError", ErrorKind::Model),
        ("FreeUsageLimitError", ErrorKind::FreeUsageLimit),
        ("MonthlyLimitError", ErrorKind::MonthlyLimit),
        ("something_new", ErrorKind::Unknown),
    ] {
        let data = format!(r#"{{"type":"error","error":{{"type":"{ty}","message":"boom"}}}}"#);
        let (events, m) = run(&[ev(Some("error"), &data)]);
        assert_eq!(
            events,
            vec![Event::Error {
                kind,
                message: "boom".into(),
                retryable: kind.is_retryable(),
            }],
            "{ty}"
        );
        // No output yet: no choice, no finish.
        assert!(m.choices.is_empty(), "{ty}");
    }
}

/// Without a type, the status the error names decides, as in an HTTP
/// error body.
#[test]
fn error_body_without_type_is_still_an_error() {
    let (events, _) = run(&[ev(
        None,
        r#"{"error":{"message":"User not found.","code":401}}"#,
    )]);
    assert_eq!(
        events,
        vec![Event::Error {
            kind: ErrorKind::Auth,
            message: "User not found.".into(),
            retryable: false,
        }]
    );
}

#[test]
fn body_cut_mid_message_is_a_network_error_and_empty_body_a_protocol_error() {
    let (events, m) = run(&[ev(None, START), ev(None, TEXT)]);
    assert_eq!(m.text(), "x");
    assert_eq!(finish(&m), None);
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
fn duplicate_start_is_ignored_but_a_start_after_content_is_a_splice() {
    let (events, m) = run(&[
        ev(None, START),
        ev(None, START),
        ev(None, TEXT),
        ev(None, STOP),
    ]);
    assert_eq!(count(&events, |e| matches!(e, Event::Start { .. })), 1);
    assert_eq!(count(&events, |e| matches!(e, Event::Usage(_))), 1);
    assert_eq!(m.error, None);
    let (events, m) = run(&[
        ev(None, START),
        ev(None, TEXT),
        ev(None, START),
        ev(None, TEXT),
        ev(None, STOP),
    ]);
    assert_eq!(count(&events, |e| matches!(e, Event::Start { .. })), 1);
    assert_eq!(m.error.as_ref().map(|e| e.kind), Some(ErrorKind::Protocol));
    assert_eq!(m.text(), "xx");
}

#[test]
fn decoder_is_usable_through_the_trait_object() {
    let mut d: Box<dyn WireDecoder> = Box::new(MessagesDecoder::default());
    let mut out = Vec::new();
    d.on_event(&ev(None, START).view(), &mut out);
    d.on_event(&ev(None, "[DONE]").view(), &mut out);
    d.on_event(&ev(None, "   ").view(), &mut out);
    d.on_event(&ev(None, STOP).view(), &mut out);
    d.finish(&mut out);
    assert_eq!(out.len(), 3, "{out:?}"); // start, usage, finish
}

#[test]
fn every_prefix_of_every_event_decodes_without_panicking() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/messages");
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let body = std::fs::read(entry.expect("entry").path()).expect("read");
        for event in wire_support::split_sse(&body) {
            let cuts = event.data.char_indices().map(|(i, _)| i);
            for cut in cuts {
                let mut cut_event = event.clone();
                cut_event.data.truncate(cut);
                // Whatever the prefix, decoding ends with a typed result.
                let (events, _) = run(&[ev(None, START), cut_event]);
                assert!(!events.is_empty());
            }
        }
    }
}
