//! Non-streaming bodies of all four formats decode into the unified
//! `Message`: recorded bodies (shared fixtures) and hand-written edge cases.

mod common;

use common::usage;

use std::path::Path;

use proptest::prelude::*;
use serde_json::json;
use zenwire::event::{Choice, ReasoningBlock};
use zenwire::response::{decode_response, response_events};
use zenwire::{ErrorKind, Event, FinishReason, Message, WireFormat};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn decode(format: WireFormat, path: &Path) -> Message {
    decode_response(format, &read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn hand(format: WireFormat, name: &str) -> Message {
    decode(format, &common::fixtures().join("nonstream").join(name))
}

fn only_choice(m: &Message) -> &Choice {
    assert_eq!(m.choices.len(), 1, "{m:#?}");
    &m.choices[0]
}

fn finish(c: &Choice) -> (Option<FinishReason>, Option<&str>) {
    (c.finish_reason, c.raw_finish_reason.as_deref())
}

#[test]
fn every_recorded_success_body_is_covered() {
    let Some(shared) = common::shared_fixtures() else {
        eprintln!("shared fixtures absent; skipped");
        return;
    };
    let mut found: Vec<String> = std::fs::read_dir(shared.join("nonstream"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.ends_with(".json")
                && !n.contains("error")
                && !n.contains("-40")
                && !n.starts_with("zen-go-402")
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "anthropic-message-text.vercel.json",
            "anthropic-message-thinking-signature.vercel.json",
            "anthropic-message-tool-use.vercel.json",
            "oa-compat-xai-tool-call.vercel.json",
            "openai-chat-completion.vercel.json",
            "openai-responses-function-call.vercel.json",
            "openai-responses-reasoning-message.vercel.json",
        ]
    );
}

#[test]
fn openai_chat_completion() {
    let Some(shared) = common::shared_fixtures() else {
        return;
    };
    let m = decode(
        WireFormat::Chat,
        &shared.join("nonstream/openai-chat-completion.vercel.json"),
    );
    assert_eq!(
        m.id.as_deref(),
        Some("chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU")
    );
    assert_eq!(m.model.as_deref(), Some("gpt-4.1-nano-2025-04-14"));
    let c = only_choice(&m);
    assert!(c.text.starts_with("**Holiday Name:** Galaxy Day"));
    assert!(c.text.ends_with("dream beyond our world."));
    assert!(c.text.contains("darkness\u{2014}mirroring"));
    assert_eq!((c.reasoning.as_str(), c.refusal.as_str()), ("", ""));
    assert!(c.tool_calls.is_empty());
    assert_eq!(finish(c), (Some(FinishReason::Stop), Some("stop")));
    assert_eq!(m.usage, usage(Some(16), Some(363), Some(0), None, Some(0)));
    assert_eq!((m.cost.as_deref(), &m.error), (None, &None));
}

#[test]
fn oa_compat_reasoning_and_tool_call_with_reasoning_outside_completion() {
    let Some(shared) = common::shared_fixtures() else {
        return;
    };
    let m = decode(
        WireFormat::Chat,
        &shared.join("nonstream/oa-compat-xai-tool-call.vercel.json"),
    );
    let c = only_choice(&m);
    assert_eq!(c.text, "");
    assert!(c
        .reasoning
        .starts_with("First, the user is asking about the weather"));
    assert_eq!(c.tool_calls.len(), 1);
    let call = &c.tool_calls[0];
    assert_eq!(
        (call.id.as_str(), call.name.as_str()),
        ("call_46427107", "weather")
    );
    assert_eq!(call.arguments, json!({"location": "San Francisco"}));
    assert_eq!(call.invalid, None);
    assert_eq!(
        finish(c),
        (Some(FinishReason::ToolCalls), Some("tool_calls"))
    );
    // total 588 = 307 prompt + 26 completion + 255 reasoning: xAI counts
    // reasoning outside completion_tokens, so output = 26 + 255.
    assert_eq!(
        m.usage,
        usage(Some(63), Some(281), Some(244), None, Some(255))
    );
}

#[test]
fn responses_reasoning_summary_and_message() {
    let Some(shared) = common::shared_fixtures() else {
        return;
    };
    let m = decode(
        WireFormat::Responses,
        &shared.join("nonstream/openai-responses-reasoning-message.vercel.json"),
    );
    assert_eq!(
        m.id.as_deref(),
        Some("resp_0f35ed53160b395301693cc957829881909359e7f80cdd20b5")
    );
    assert_eq!(m.model.as_deref(), Some("gpt-5-mini-2025-08-07"));
    let c = only_choice(&m);
    assert_eq!(
        c.text,
        "12 + 7 = 19\n19 × 3 = 57\n57 × 10 = 570\n\nFinal result: 570"
    );
    assert!(c
        .reasoning
        .starts_with("**Reporting final result**\n\nThe tool returned 570"));
    // The encrypted content signs the summary, as in a stream.
    assert_eq!(c.reasoning_blocks.len(), 1);
    assert!(
        matches!(&c.reasoning_blocks[0], ReasoningBlock::Thinking { text, signature: Some(sig) }
            if *text == c.reasoning && sig.starts_with("gAAAAABpPMlc"))
    );
    assert_eq!(finish(c), (Some(FinishReason::Stop), Some("completed")));
    assert_eq!(
        m.usage,
        usage(Some(865), Some(163), Some(0), None, Some(128))
    );
}

#[test]
fn responses_function_call_uses_call_id() {
    let Some(shared) = common::shared_fixtures() else {
        return;
    };
    let m = decode(
        WireFormat::Responses,
        &shared.join("nonstream/openai-responses-function-call.vercel.json"),
    );
    let c = only_choice(&m);
    assert_eq!(c.text, "");
    assert_eq!(c.tool_calls.len(), 1);
    let call = &c.tool_calls[0];
    assert_eq!(call.id, "call_heVrRaKZEJbsRvHvaEf5BLUI");
    assert_eq!(call.name, "get_weather");
    assert_eq!(
        call.arguments,
        json!({"location": "San Francisco, CA", "unit": "fahrenheit"})
    );
    assert_eq!(
        finish(c),
        (Some(FinishReason::ToolCalls), Some("completed"))
    );
    assert_eq!(m.usage, usage(Some(461), Some(26), Some(0), None, Some(0)));
}

#[test]
fn anthropic_text() {
    let Some(shared) = common::shared_fixtures() else {
        return;
    };
    let m = decode(
        WireFormat::Messages,
        &shared.join("nonstream/anthropic-message-text.vercel.json"),
    );
    assert_eq!(m.id.as_deref(), Some("msg_01VdEjxAP5ahtHKrrRdNBteQ"));
    assert_eq!(m.model.as_deref(), Some("claude-sonnet-4-5-20250929"));
    let c = only_choice(&m);
    assert_eq!(
        c.text,
        "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?"
    );
    assert_eq!(finish(c), (Some(FinishReason::Stop), Some("end_turn")));
    assert_eq!(m.usage, usage(Some(12), Some(29), Some(0), Some(0), None));
}

#[test]
fn anthropic_thinking_with_signature() {
    let Some(shared) = common::shared_fixtures() else {
        return;
    };
    let m = decode(
        WireFormat::Messages,
        &shared.join("nonstream/anthropic-message-thinking-signature.vercel.json"),
    );
    let c = only_choice(&m);
    assert_eq!(c.reasoning, "925 divided by 5 = 185");
    assert_eq!(c.text, "925 ÷ 5 = 185");
    let sig = c.signature.as_deref().unwrap();
    assert!(sig.starts_with("Er4BCkYICxgCKkCoxqLH") && sig.ends_with("xRgB"));
    assert_eq!(
        c.reasoning_blocks,
        [ReasoningBlock::Thinking {
            text: "925 divided by 5 = 185".into(),
            signature: Some(sig.to_string())
        }]
    );
    assert_eq!(m.usage, usage(Some(69), Some(33), Some(0), Some(0), None));
}

#[test]
fn anthropic_tool_use_input_object() {
    let Some(shared) = common::shared_fixtures() else {
        return;
    };
    let m = decode(
        WireFormat::Messages,
        &shared.join("nonstream/anthropic-message-tool-use.vercel.json"),
    );
    let c = only_choice(&m);
    assert_eq!(c.tool_calls.len(), 1);
    let call = &c.tool_calls[0];
    assert_eq!(
        (call.id.as_str(), call.name.as_str()),
        ("toolu_01Q9ExVZnzZj7E2QQYHYtNUa", "json")
    );
    let elements = call.arguments["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 4);
    assert_eq!(
        elements[3],
        json!({"location": "Berlin", "temperature": -9, "condition": "snowy"})
    );
    assert_eq!(finish(c), (Some(FinishReason::ToolCalls), Some("tool_use")));
    assert_eq!(m.usage, usage(Some(1151), Some(87), Some(0), Some(0), None));
}

#[test]
fn zen_recorded_chat_with_cost() {
    let Some(shared) = common::shared_fixtures() else {
        return;
    };
    let m = decode(
        WireFormat::Chat,
        &shared.join("zen/recorded/go-chat-glm-nonstream.json"),
    );
    assert_eq!(m.model.as_deref(), Some("frank/GLM-5.1"));
    let c = only_choice(&m);
    assert_eq!(c.text, "Hello");
    assert!(c.reasoning.starts_with("1.  **Analyze the Request:**"));
    assert!(c.reasoning.ends_with("**Formulate the output:** Hello."));
    assert!(c.tool_calls.is_empty(), "tool_calls: [] means none");
    assert_eq!(finish(c), (Some(FinishReason::Stop), Some("stop")));
    assert_eq!(m.usage, usage(Some(10), Some(79), Some(0), None, None));
    assert_eq!(m.cost.as_deref(), Some("0"));
}

#[test]
fn zen_recorded_messages_with_cost() {
    let Some(shared) = common::shared_fixtures() else {
        return;
    };
    let m = decode(
        WireFormat::Messages,
        &shared.join("zen/recorded/go-messages-minimax-nonstream.json"),
    );
    assert_eq!(m.id.as_deref(), Some("0643923f22fb6736c7bb037d45e35d71"));
    let c = only_choice(&m);
    assert_eq!(
        c.reasoning,
        "The user wants me to say hello in one word. Simple request - just say hello."
    );
    assert_eq!(
        c.signature.as_deref(),
        Some("89d5e9d96fc070911a68545aa52b12e068a39a65c5d9c5ca9fd557939e3832f8")
    );
    assert_eq!(c.text, "Hello!");
    assert_eq!(finish(c), (Some(FinishReason::Stop), Some("end_turn")));
    assert_eq!(m.usage, usage(Some(26), Some(23), Some(0), Some(0), None));
    assert_eq!(m.cost.as_deref(), Some("0"));
}

#[test]
fn chat_choices_in_index_order_with_refusal_and_cost() {
    let m = hand(WireFormat::Chat, "chat-two-choices-refusal.json");
    assert_eq!(m.choices.len(), 2);
    assert_eq!(
        (m.choices[0].index, m.choices[0].text.as_str()),
        (0, "Paris.")
    );
    assert_eq!(m.choices[1].refusal, "I can't help with that.");
    assert_eq!(m.choices[1].text, "");
    assert!(m
        .choices
        .iter()
        .all(|c| c.finish_reason == Some(FinishReason::Stop)));
    // completion 12 + prompt 50 = total 62: reasoning is inside the 12.
    assert_eq!(m.usage, usage(Some(30), Some(12), Some(20), None, Some(4)));
    assert_eq!(m.cost.as_deref(), Some("0.00012300"));
}

#[test]
fn chat_length_stop_makes_the_tool_call_invalid() {
    let m = hand(WireFormat::Chat, "chat-length-cut-tool-call.json");
    let c = only_choice(&m);
    assert_eq!(
        c.reasoning, "Need the weather.",
        "`reasoning` field is read too"
    );
    let call = &c.tool_calls[0];
    assert_eq!(call.arguments, serde_json::Value::Null);
    let invalid = call.invalid.as_ref().unwrap();
    assert_eq!(invalid.raw_arguments, r#"{"city":"Par"#);
    assert!(invalid.reason.contains("token limit"), "{}", invalid.reason);
    assert_eq!(finish(c), (Some(FinishReason::Length), Some("length")));
    assert_eq!(m.usage, usage(Some(10), Some(8), None, None, None));
}

#[test]
fn chat_invalid_valid_and_empty_arguments() {
    let m = hand(WireFormat::Chat, "chat-invalid-and-valid-args.json");
    let c = only_choice(&m);
    assert_eq!(c.text, "Calling tools.");
    let ids: Vec<_> = c.tool_calls.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["call_ok", "call_bad", "call_empty"]);
    assert_eq!(c.tool_calls[0].arguments, json!({"a": 1, "b": 2}));
    let bad = c.tool_calls[1].invalid.as_ref().unwrap();
    assert_eq!(bad.raw_arguments, "{a:1}");
    assert!(bad.reason.contains("not valid JSON"));
    assert_eq!(c.tool_calls[2].arguments, json!({}));
    assert_eq!(c.tool_calls[2].invalid, None);
    // prompt 30 includes the 10 tokens written to the cache.
    assert_eq!(m.usage, usage(Some(20), Some(20), Some(0), Some(10), None));
}

/// As in a stream: every call starts (with its arguments as one delta) as
/// it comes, and all complete when the choice finishes.
#[test]
fn chat_tool_call_events_mirror_a_stream() {
    let body = read(&common::fixtures().join("nonstream/chat-invalid-and-valid-args.json"));
    let events = response_events(WireFormat::Chat, &body).unwrap();
    let kinds: Vec<String> = events
        .iter()
        .map(|e| {
            serde_json::to_value(e).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "start",
            "textDelta",
            "toolCallStart",
            "toolCallDelta",
            "toolCallStart",
            "toolCallDelta",
            "toolCallStart",
            "toolCall",
            "toolCallInvalid",
            "toolCall",
            "finish",
            "usage"
        ]
    );
    assert_eq!(
        events[3],
        Event::ToolCallDelta {
            choice: 0,
            index: 0,
            arguments_delta: r#"{"a":1,"b":2}"#.into()
        }
    );
}

#[test]
fn responses_incomplete_with_refusal_and_cut_call() {
    let m = hand(WireFormat::Responses, "responses-incomplete-refusal.json");
    let c = only_choice(&m);
    assert_eq!(c.reasoning, "**Plan**\n\nLook it up.");
    assert_eq!(c.refusal, "Not that.");
    assert_eq!(c.text, "Partial an");
    assert_eq!(c.tool_calls[0].id, "call_cut");
    assert!(c.tool_calls[0].invalid.is_some());
    assert_eq!(
        finish(c),
        (Some(FinishReason::Length), Some("max_output_tokens"))
    );
    assert_eq!(m.usage, usage(Some(36), Some(50), Some(64), None, Some(30)));
    assert_eq!(m.cost.as_deref(), Some("0.00050000"));
}

#[test]
fn messages_redacted_thinking_and_max_tokens() {
    let m = hand(WireFormat::Messages, "messages-redacted-max-tokens.json");
    let c = only_choice(&m);
    assert_eq!(
        c.reasoning_blocks,
        [
            ReasoningBlock::Redacted {
                data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT".into()
            },
            ReasoningBlock::Thinking {
                text: "Let me compute.".into(),
                signature: Some("sig-hand".into())
            }
        ]
    );
    assert_eq!(c.text, "The answer is");
    let call = &c.tool_calls[0];
    assert_eq!(call.id, "toolu_cut");
    assert_eq!(
        call.invalid.as_ref().unwrap().raw_arguments,
        r#"{"expr":"1+1"}"#
    );
    assert_eq!(finish(c), (Some(FinishReason::Length), Some("max_tokens")));
    assert_eq!(
        m.usage,
        usage(Some(7), Some(64), Some(2000), Some(100), None)
    );
}

#[test]
fn messages_refusal() {
    let m = hand(WireFormat::Messages, "messages-refusal.json");
    let c = only_choice(&m);
    assert_eq!(c.text, "");
    assert_eq!(finish(c), (Some(FinishReason::Refusal), Some("refusal")));
}

#[test]
fn gemini_thoughts_signature_and_function_calls() {
    let m = hand(WireFormat::Gemini, "gemini-thought-function-call.json");
    assert_eq!(m.id.as_deref(), Some("gem-hand-1"));
    assert_eq!(m.model.as_deref(), Some("gemini-3-pro"));
    let c = only_choice(&m);
    assert_eq!(c.reasoning, "I should check the weather.");
    assert_eq!(c.signature.as_deref(), Some("CiQB-gemini-sig"));
    assert_eq!(c.text, "");
    let calls: Vec<_> = c
        .tool_calls
        .iter()
        .map(|t| (t.id.as_str(), t.name.as_str(), t.arguments.clone()))
        .collect();
    assert_eq!(
        calls,
        [
            ("call_0", "get_weather", json!({"city": "Oslo"})),
            ("fc-2", "get_time", json!({}))
        ]
    );
    assert_eq!(finish(c), (Some(FinishReason::ToolCalls), Some("STOP")));
    assert_eq!(
        m.usage,
        usage(Some(20), Some(55), Some(100), None, Some(40))
    );
    assert_eq!(m.cost.as_deref(), Some("0.00100000"));
}

#[test]
fn gemini_max_tokens_and_safety() {
    let m = hand(WireFormat::Gemini, "gemini-text-max-tokens.json");
    assert_eq!(m.choices.len(), 2);
    assert_eq!(m.choices[0].text, "Once upon a time");
    assert_eq!(
        finish(&m.choices[0]),
        (Some(FinishReason::Length), Some("MAX_TOKENS"))
    );
    assert_eq!(
        finish(&m.choices[1]),
        (Some(FinishReason::ContentFilter), Some("SAFETY"))
    );
    assert_eq!(m.usage, usage(Some(9), Some(4), None, None, None));
}

#[test]
fn gemini_blocked_prompt() {
    let m = hand(WireFormat::Gemini, "gemini-blocked-prompt.json");
    let c = only_choice(&m);
    assert_eq!(
        finish(c),
        (
            Some(FinishReason::ContentFilter),
            Some("PROHIBITED_CONTENT")
        )
    );
    assert_eq!(m.usage, usage(Some(8), None, None, None, None));
}

#[test]
fn error_bodies_are_errors() {
    let body = read(&common::fixtures().join("nonstream/chat-200-error-body.json"));
    let err = decode_response(WireFormat::Chat, &body).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Overloaded);
    assert_eq!(err.provider(), Some("Moonshot"));
    assert_eq!(err.status(), Some(200));

    let body = read(&common::fixtures().join("nonstream/responses-failed.json"));
    let err = decode_response(WireFormat::Responses, &body).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.message(), "The model failed to generate a response.");

    let failed_silently =
        r#"{"id":"r","object":"response","status":"failed","error":null,"output":[]}"#;
    let err = decode_response(WireFormat::Responses, failed_silently).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);

    let Some(shared) = common::shared_fixtures() else {
        return;
    };
    for (format, file, kind) in [
        (
            WireFormat::Chat,
            "zen/error-401-insufficient-balance.json",
            ErrorKind::Credits,
        ),
        (
            WireFormat::Messages,
            "nonstream/anthropic-400-error.observed.json",
            ErrorKind::InvalidRequest,
        ),
        (
            WireFormat::Responses,
            "nonstream/openai-responses-error.vercel.json",
            ErrorKind::Credits,
        ),
        (
            WireFormat::Chat,
            "zen/streaming-error-body-with-cost-trailer.2026-02-observed.txt",
            ErrorKind::Auth,
        ),
    ] {
        let err = decode_response(format, &read(&shared.join(file))).unwrap_err();
        assert_eq!(err.kind(), kind, "{file}");
    }
}

#[test]
fn wrong_or_broken_bodies_are_protocol_errors() {
    for (format, body) in [
        (WireFormat::Chat, ""),
        (WireFormat::Chat, "<html>oops</html>"),
        (WireFormat::Chat, "[1,2]"),
        (WireFormat::Chat, r#"{"id":"x","content":[]}"#),
        (WireFormat::Messages, r#"{"id":"x","choices":[]}"#),
        (WireFormat::Responses, r#"{"id":"x","choices":[]}"#),
        (WireFormat::Gemini, r#"{"id":"x","choices":[]}"#),
        // Typed as Google documents it: a numeric text is no Gemini part.
        (
            WireFormat::Gemini,
            r#"{"candidates":[{"content":{"parts":[{"text":5}]},"finishReason":"STOP"}]}"#,
        ),
        // Neither a candidate nor a reason the prompt was blocked.
        (
            WireFormat::Gemini,
            r#"{"candidates":[],"usageMetadata":{}}"#,
        ),
        (
            WireFormat::Gemini,
            r#"{"promptFeedback":{"blockReason":"BLOCK_REASON_UNSPECIFIED"}}"#,
        ),
        (WireFormat::Chat, r#"{"choices": "#),
    ] {
        let err = decode_response(format, body).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Protocol, "{format} {body:?}");
        assert!(!err.retryable());
        assert_eq!(err.status(), None);
    }
}

#[test]
fn every_format_yields_the_same_message_shape() {
    // One answer, "Hi", with a tool call, in each format.
    let bodies = [
        (
            WireFormat::Chat,
            json!({"id":"a","model":"m","choices":[{"index":0,"message":{"content":"Hi","tool_calls":[{"id":"c1","function":{"name":"f","arguments":"{\"x\":1}"}}]},"finish_reason":"tool_calls"}],
                   "usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8},"cost":"0.1"}),
        ),
        (
            WireFormat::Responses,
            json!({"id":"a","model":"m","status":"completed","output":[{"type":"message","content":[{"type":"output_text","text":"Hi"}]},
                   {"type":"function_call","id":"fc","call_id":"c1","name":"f","arguments":"{\"x\":1}"}],
                   "usage":{"input_tokens":5,"output_tokens":3},"cost":"0.1"}),
        ),
        (
            WireFormat::Messages,
            json!({"id":"a","model":"m","content":[{"type":"text","text":"Hi"},{"type":"tool_use","id":"c1","name":"f","input":{"x":1}}],
                   "stop_reason":"tool_use","usage":{"input_tokens":5,"output_tokens":3},"cost":"0.1"}),
        ),
        (
            WireFormat::Gemini,
            json!({"responseId":"a","modelVersion":"m","candidates":[{"content":{"parts":[{"text":"Hi"},{"functionCall":{"id":"c1","name":"f","args":{"x":1}}}]},"finishReason":"STOP"}],
                   "usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":3},"cost":"0.1"}),
        ),
    ];
    for (format, body) in bodies {
        let m = decode_response(format, &body.to_string()).unwrap();
        assert_eq!(m.id.as_deref(), Some("a"), "{format}");
        assert_eq!(m.model.as_deref(), Some("m"), "{format}");
        let c = only_choice(&m);
        assert_eq!(c.text, "Hi", "{format}");
        assert_eq!(c.tool_calls.len(), 1, "{format}");
        assert_eq!(
            (c.tool_calls[0].id.as_str(), &c.tool_calls[0].arguments),
            ("c1", &json!({"x": 1}))
        );
        assert_eq!(c.finish_reason, Some(FinishReason::ToolCalls), "{format}");
        assert_eq!(
            (m.usage.input_tokens, m.usage.output_tokens),
            (Some(5), Some(3)),
            "{format}"
        );
        assert_eq!(m.cost.as_deref(), Some("0.1"));
    }
}

proptest! {
    #[test]
    fn arbitrary_bodies_never_panic(body in ".{0,300}", f in 0usize..4) {
        let _ = decode_response(WireFormat::ALL[f], &body);
    }

    #[test]
    fn arbitrary_json_shapes_never_panic(
        f in 0usize..4,
        n in prop::option::of(any::<i64>()),
        s in ".{0,12}",
    ) {
        let leaf = json!({"index": n, "text": s, "type": s, "arguments": n, "args": s, "input": [n]});
        for body in [
            json!({"choices":[{"index": n, "message": leaf, "finish_reason": s}], "usage": leaf, "cost": n}),
            json!({"output":[leaf, {"type":"function_call","arguments": n}], "status": s, "usage": {"input_tokens": n}}),
            json!({"content":[leaf, {"type":"tool_use","input": s}], "stop_reason": s, "usage": leaf}),
            json!({"candidates":[{"content":{"parts":[leaf, {"functionCall": leaf}]}, "finishReason": s}], "usageMetadata": leaf}),
        ] {
            let _ = response_events(WireFormat::ALL[f], &body.to_string());
        }
    }
}

/// A Gemini `finishReason` means the same in a whole response as in a
/// stream: one decoder serves both.
#[test]
fn gemini_finish_reasons_match_the_stream_decoder() {
    for raw in [
        "STOP",
        "MAX_TOKENS",
        "SAFETY",
        "RECITATION",
        "BLOCKLIST",
        "PROHIBITED_CONTENT",
        "SPII",
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
        "IMAGE_RECITATION",
        "MALFORMED_FUNCTION_CALL",
        "OTHER",
    ] {
        let body = json!({"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":raw}]});
        let whole = decode_response(WireFormat::Gemini, &body.to_string()).unwrap();
        let sse = format!("data: {body}\r\n\r\n");
        let (_, streamed) = zenwire::stream::decode_all(WireFormat::Gemini, sse.as_bytes());
        assert_eq!(
            only_choice(&whole).finish_reason,
            only_choice(&streamed).finish_reason,
            "{raw}"
        );
    }
    let body = json!({"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"IMAGE_RECITATION"}]});
    let whole = decode_response(WireFormat::Gemini, &body.to_string()).unwrap();
    assert_eq!(
        only_choice(&whole).finish_reason,
        Some(FinishReason::ContentFilter)
    );
}
