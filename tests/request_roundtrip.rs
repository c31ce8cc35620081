//! Round trip: build → (hand-made response events folded by the
//! Accumulator) → assistant_turn → next turn with the tool result → build
//! again, per wire format. Also the validation errors and a property test
//! that any valid request builds for every model and format.

mod common;

use proptest::prelude::*;
use serde_json::{json, Value};
use zenwire::catalog::ModelInfo;
use zenwire::event::{Accumulator, Event};
use zenwire::request::{
    assistant_turn, build, BuildOptions, Content, RequestError, RequestMessage, UnifiedRequest,
};
use zenwire::WireFormat;

fn models() -> Vec<ModelInfo> {
    let text = std::fs::read_to_string(common::fixtures().join("requests/models.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn model(id: &str) -> ModelInfo {
    models().into_iter().find(|m| m.id == id).unwrap()
}

fn key() -> BuildOptions {
    BuildOptions::with_key("zk-test")
}

fn first_request(model: &str) -> UnifiedRequest {
    serde_json::from_value(json!({
        "model": model,
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "tools": [{"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}],
        "stream": true
    }))
    .unwrap()
}

fn fold(events: &[Event]) -> zenwire::Message {
    let mut acc = Accumulator::new();
    events.iter().for_each(|e| acc.apply(e));
    acc.into_message()
}

fn call(index: u32, id: &str, args: Value) -> Event {
    Event::ToolCall {
        choice: 0,
        index,
        id: id.into(),
        name: "get_weather".into(),
        arguments: args,
    }
}

/// The events of one response in the shape each format's decoder emits.
fn response_events(format: WireFormat) -> Vec<Event> {
    let text = |t: &str| Event::TextDelta {
        choice: 0,
        text: t.into(),
    };
    let reasoning = |t: &str| Event::ReasoningDelta {
        choice: 0,
        text: t.into(),
    };
    let signature = |s: &str| Event::ReasoningSignature {
        choice: 0,
        signature: s.into(),
    };
    match format {
        WireFormat::Chat => vec![
            reasoning("Need "),
            reasoning("weather."),
            call(0, "call_a", json!({"city": "Paris"})),
        ],
        WireFormat::Responses => vec![
            reasoning("Summary."),
            text("Let me check."),
            call(0, "call_a", json!({"city": "Paris"})),
            // A broken call is not replayed (and needs no result).
            Event::ToolCallInvalid {
                choice: 0,
                index: 1,
                id: "call_b".into(),
                name: "get_weather".into(),
                raw_arguments: "{\"city\":".into(),
                reason: "arguments are not valid JSON".into(),
            },
        ],
        WireFormat::Messages => vec![
            reasoning("Need weather."),
            signature("sig-abc"),
            Event::ReasoningRedacted {
                choice: 0,
                data: "enc==".into(),
            },
            text("Let me check."),
            call(0, "call_a", json!({"city": "Paris"})),
        ],
        WireFormat::Gemini => vec![
            text("Let me check."),
            call(0, "call_a", json!({"city": "Paris"})),
            signature("gsig"),
        ],
    }
}

fn second_body(model_id: &str) -> Value {
    let info = model(model_id);
    let mut req = first_request(model_id);
    build(&req, &info, &key()).unwrap();
    let message = fold(&response_events(info.format));
    let turn = assistant_turn(&message, 0).unwrap();
    req.messages.push(turn);
    req.messages.push(RequestMessage::Tool {
        tool_call_id: Some("call_a".into()),
        name: None,
        content: Content::Text("18°C".into()),
        is_error: false,
    });
    build(&req, &info, &key()).unwrap().body_json().unwrap()
}

#[test]
fn chat_round_trip_echoes_interleaved_reasoning() {
    let body = second_body("kimi-k2-thinking");
    assert_eq!(
        body["messages"][1],
        json!({"role": "assistant", "content": "", "reasoning_content": "Need weather.",
               "tool_calls": [{"id": "call_a", "type": "function",
                               "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]})
    );
    assert_eq!(
        body["messages"][2],
        json!({"role": "tool", "tool_call_id": "call_a", "content": "18°C"})
    );
    // The same turn for a non-interleaved chat model carries no reasoning.
    let body = second_body("glm-4.6");
    assert!(body["messages"][1].get("reasoning_content").is_none());
}

#[test]
fn responses_round_trip_skips_invalid_calls() {
    let body = second_body("gpt-5.1");
    let input = body["input"].as_array().unwrap();
    assert_eq!(input.len(), 4, "{input:?}");
    assert_eq!(
        input[1],
        json!({"role": "assistant", "content": [{"type": "output_text", "text": "Let me check."}]})
    );
    assert_eq!(
        input[2],
        json!({"type": "function_call", "call_id": "call_a", "name": "get_weather", "arguments": "{\"city\":\"Paris\"}"})
    );
    assert_eq!(
        input[3],
        json!({"type": "function_call_output", "call_id": "call_a", "output": "18°C"})
    );
}

#[test]
fn messages_round_trip_replays_thinking_first_and_intact() {
    let body = second_body("claude-sonnet-4-5");
    assert_eq!(
        body["messages"][1],
        json!({"role": "assistant", "content": [
            {"type": "thinking", "thinking": "Need weather.", "signature": "sig-abc"},
            {"type": "redacted_thinking", "data": "enc=="},
            {"type": "text", "text": "Let me check."},
            {"type": "tool_use", "id": "call_a", "name": "get_weather", "input": {"city": "Paris"}}
        ]})
    );
    assert_eq!(
        body["messages"][2],
        json!({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "call_a", "content": "18°C"}]})
    );
}

#[test]
fn gemini_round_trip_signs_the_first_call_and_names_the_response() {
    let body = second_body("gemini-3-pro");
    assert_eq!(
        body["contents"][1],
        json!({"role": "model", "parts": [
            {"text": "Let me check."},
            {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "gsig"}
        ]})
    );
    assert_eq!(
        body["contents"][2],
        json!({"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"output": "18°C"}}}]})
    );
}

#[test]
fn assistant_turn_reports_a_missing_choice() {
    let message = fold(&response_events(WireFormat::Chat));
    assert_eq!(
        assistant_turn(&message, 3),
        Err(RequestError::NoSuchChoice { choice: 3 })
    );
}

// ---------------------------------------------------------------- errors --

fn build_json(v: Value, key: Option<&str>) -> Result<zenwire::request::HttpRequest, RequestError> {
    let req: UnifiedRequest = serde_json::from_value(v).unwrap();
    // A model id outside the table (e.g. "") is checked against glm-4.6.
    let info = models()
        .into_iter()
        .find(|m| m.id == req.model)
        .unwrap_or_else(|| model("glm-4.6"));
    let options = BuildOptions {
        api_key: key.map(str::to_owned),
        ..BuildOptions::default()
    };
    build(&req, &info, &options)
}

fn invalid_path(v: Value) -> String {
    match build_json(v, Some("k")) {
        Err(RequestError::Invalid { path, .. }) => path,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn user(model: &str) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": "Hi"}]})
}

fn with(mut base: Value, patch: Value) -> Value {
    for (k, v) in patch.as_object().unwrap() {
        base[k.as_str()] = v.clone();
    }
    base
}

#[test]
fn keys_are_checked_first() {
    let bad_everything = json!({"model": "glm-4.6", "messages": []});
    assert_eq!(
        build_json(bad_everything, None).unwrap_err(),
        RequestError::MissingKey {
            model: "glm-4.6".into()
        }
    );
    for bad in ["a\r\nx-evil: 1", "a b", "ключ", "", "a\tb"] {
        assert!(
            matches!(
                build_json(user("glm-4.6"), Some(bad)),
                Err(RequestError::InvalidKey { .. })
            ),
            "{bad:?}"
        );
    }
    // Free model, no key: no auth header of any kind.
    let r = build_json(user("grok-code"), None).unwrap();
    assert_eq!(r.headers.len(), 2, "{:?}", r.headers);
    assert!(r.header("authorization").is_none());
}

#[test]
fn base_url_trailing_slash_is_tolerated_and_bad_urls_refused() {
    let req: UnifiedRequest = serde_json::from_value(user("claude-sonnet-4-5")).unwrap();
    let info = model("claude-sonnet-4-5");
    let opts = |url: &str| BuildOptions {
        base_url: url.into(),
        api_key: Some("k".into()),
    };
    let r = build(&req, &info, &opts("http://localhost:8080/zen/v1//")).unwrap();
    assert_eq!(r.url, "http://localhost:8080/zen/v1/messages");
    assert_eq!(r.header("x-api-key"), Some("k"));
    assert!(r.header("authorization").is_none());
    for bad in [
        "ftp://x",
        "https://",
        "https://a b",
        "https://x/?q=1",
        "https://x\n",
    ] {
        assert!(
            matches!(
                build(&req, &info, &opts(bad)),
                Err(RequestError::InvalidBaseUrl { .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn validation_errors_name_the_field() {
    let cases: Vec<(Value, &str)> = vec![
        (json!({"model": "glm-4.6", "messages": []}), "messages"),
        (with(user("glm-4.6"), json!({"model": ""})), "model"),
        (with(user("glm-4.6"), json!({"model": "glm 4.6"})), "model"),
        (
            with(
                user("glm-4.6"),
                json!({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": ""}]}),
            ),
            "messages[2].content",
        ),
        (
            with(
                user("glm-4.6"),
                json!({"messages": [{"role": "user", "content": [{"type": "text", "text": ""}]}]}),
            ),
            "messages[0].content[0].text",
        ),
        (
            with(user("glm-4.6"), json!({"tools": [{"name": "bad name"}]})),
            "tools[0].name",
        ),
        (
            with(
                user("glm-4.6"),
                json!({"tools": [{"name": "a"}, {"name": "a"}]}),
            ),
            "tools[1].name",
        ),
        (
            with(
                user("glm-4.6"),
                json!({"tools": [{"name": "a", "parameters": []}]}),
            ),
            "tools[0].parameters",
        ),
        (
            with(user("glm-4.6"), json!({"toolChoice": "required"})),
            "toolChoice",
        ),
        (
            with(
                user("glm-4.6"),
                json!({"tools": [{"name": "a"}], "toolChoice": {"name": "b"}}),
            ),
            "toolChoice.name",
        ),
        (
            with(
                user("glm-4.6"),
                json!({"messages": [
                    {"role": "user", "content": "a"},
                    {"role": "assistant", "toolCalls": [{"id": "c1", "name": "a", "arguments": {}}]},
                    {"role": "tool", "content": "x"}
                ]}),
            ),
            "messages[2].toolCallId",
        ),
        (
            with(
                user("glm-4.6"),
                json!({"messages": [
                    {"role": "user", "content": "a"},
                    {"role": "assistant", "toolCalls": [{"id": "c1", "name": "a", "arguments": {}}]},
                    {"role": "tool", "toolCallId": "nope", "content": "x"}
                ]}),
            ),
            "messages[2].toolCallId",
        ),
        (
            with(
                user("glm-4.6"),
                json!({"messages": [
                    {"role": "user", "content": "a"},
                    {"role": "assistant", "toolCalls": [{"id": "c1", "name": "a", "arguments": {}}]},
                    {"role": "user", "content": "b"}
                ]}),
            ),
            "messages[1].toolCalls[0]",
        ),
        (
            with(
                user("glm-4.6"),
                json!({"messages": [
                    {"role": "user", "content": "a"},
                    {"role": "tool", "toolCallId": "c1", "content": "x"}
                ]}),
            ),
            "messages[1]",
        ),
        (
            with(
                user("glm-4.6"),
                json!({"messages": [
                    {"role": "user", "content": "a"},
                    {"role": "assistant", "toolCalls": [{"id": "c1", "name": "a", "arguments": [1]}]},
                    {"role": "tool", "toolCallId": "c1", "content": "x"}
                ]}),
            ),
            "messages[1].toolCalls[0].arguments",
        ),
        (
            with(
                user("glm-4.6"),
                json!({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": ""}]}),
            ),
            "messages[1]",
        ),
        (
            with(user("glm-4.6"), json!({"maxOutputTokens": 0})),
            "maxOutputTokens",
        ),
        (
            with(user("glm-4.6"), json!({"maxOutputTokens": 131073})),
            "maxOutputTokens",
        ),
        (
            with(user("glm-4.6"), json!({"temperature": 2.5})),
            "temperature",
        ),
        (
            with(user("claude-sonnet-4-5"), json!({"temperature": 1.5})),
            "temperature",
        ),
        (with(user("glm-4.6"), json!({"topP": -0.1})), "topP"),
        (with(user("gpt-5.1"), json!({"stop": "x"})), "stop"),
        (with(user("glm-4.6"), json!({"stop": ["a", ""]})), "stop[1]"),
        (with(user("glm-4.6"), json!({"reasoning": {}})), "reasoning"),
        (
            with(
                user("glm-4.6"),
                json!({"reasoning": {"effort": "low", "budgetTokens": 10}}),
            ),
            "reasoning",
        ),
        (
            with(
                user("claude-sonnet-4-5"),
                json!({"reasoning": {"budgetTokens": 500}}),
            ),
            "reasoning.budgetTokens",
        ),
        (
            with(
                user("claude-sonnet-4-5"),
                json!({"reasoning": {"budgetTokens": 4000}, "maxOutputTokens": 4000}),
            ),
            "reasoning.budgetTokens",
        ),
        (
            with(
                user("claude-sonnet-4-5"),
                json!({"reasoning": {"effort": "low"}, "maxOutputTokens": 1200}),
            ),
            "maxOutputTokens",
        ),
        (
            with(
                user("claude-sonnet-4-5"),
                json!({"reasoning": {"effort": "low"}, "temperature": 0.3}),
            ),
            "temperature",
        ),
        (
            with(
                user("claude-sonnet-4-5"),
                json!({"reasoning": {"effort": "low"}, "tools": [{"name": "a"}], "toolChoice": "required"}),
            ),
            "toolChoice",
        ),
        (
            with(
                user("glm-4.6"),
                json!({"messages": [{"role": "user", "content": [{"type": "image", "url": "https://x/y.png"}]}]}),
            ),
            "messages[0].content[0]",
        ),
        (
            with(
                user("grok-code"),
                json!({"messages": [{"role": "user", "content": [{"type": "image", "mediaType": "image/png"}]}]}),
            ),
            "messages[0].content[0]",
        ),
        (
            with(
                user("grok-code"),
                json!({"messages": [{"role": "user", "content": [{"type": "image", "mediaType": "text/plain", "data": "AA=="}]}]}),
            ),
            "messages[0].content[0].mediaType",
        ),
        (
            with(
                user("grok-code"),
                json!({"messages": [{"role": "user", "content": [{"type": "image", "mediaType": "image/png", "data": "not base64!"}]}]}),
            ),
            "messages[0].content[0].data",
        ),
        (
            with(
                user("grok-code"),
                json!({"messages": [{"role": "user", "content": [{"type": "image", "url": "data:text/plain,hi"}]}]}),
            ),
            "messages[0].content[0].url",
        ),
        (
            with(
                user("grok-code"),
                json!({"messages": [{"role": "user", "content": [{"type": "image", "url": "file:///etc/passwd"}]}]}),
            ),
            "messages[0].content[0].url",
        ),
        (
            with(
                user("grok-code"),
                json!({"messages": [
                    {"role": "user", "content": "a"},
                    {"role": "assistant", "toolCalls": [{"id": "c1", "name": "a", "arguments": {}}]},
                    {"role": "tool", "toolCallId": "c1", "content": [{"type": "image", "url": "https://x/y.png"}]}
                ]}),
            ),
            "messages[2].content[0]",
        ),
    ];
    let n = cases.len();
    for (req, want) in cases {
        let shown = req.to_string();
        assert_eq!(invalid_path(req), want, "{shown}");
    }
    assert_eq!(n, 37);
}

#[test]
fn model_info_must_match_the_requested_model() {
    let req: UnifiedRequest = serde_json::from_value(user("glm-4.6")).unwrap();
    let err = build(&req, &model("gpt-5.1"), &key()).unwrap_err();
    assert!(
        matches!(&err, RequestError::Invalid { path, .. } if path == "model"),
        "{err:?}"
    );
}

#[test]
fn error_messages_read_as_path_colon_reason() {
    let e = build_json(
        with(user("glm-4.6"), json!({"tools": [{"name": "bad name"}]})),
        Some("k"),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "tools[0].name: must match ^[a-zA-Z0-9_-]{1,64}$"
    );
    let e = UnifiedRequest::from_json(r#"{"model":"m","messages":[],"maxTokens":3}"#).unwrap_err();
    assert!(matches!(e, RequestError::Parse { .. }), "{e:?}");
    assert!(e.to_string().contains("maxTokens"), "{e}");
}

#[test]
fn minimal_plain_string_request_parses_and_builds() {
    let req = UnifiedRequest::from_json(
        r#"{"model":"claude-sonnet-4-5","system":"s","messages":[{"role":"user","content":"Hi"}],"maxOutputTokens":64,"stream":true}"#,
    )
    .unwrap();
    let r = build(&req, &model("claude-sonnet-4-5"), &key()).unwrap();
    assert_eq!(r.body_json().unwrap()["max_tokens"], 64);
}

// -------------------------------------------------------------- property --

/// A valid conversation: user turns, assistant turns with tool calls each
/// answered by tool results, optional images, sampling settings in range.
fn arb_request() -> impl Strategy<Value = Value> {
    let text = "[a-zA-Z0-9 .,!?é\"\\\\\n]{1,20}";
    let turn = (
        text,
        proptest::option::of(text),
        0usize..3,
        any::<bool>(),
        any::<bool>(),
        proptest::option::of("[a-z0-9+/]{4,12}"),
    );
    (
        proptest::collection::vec(turn, 1..4),
        proptest::option::of(text),
        proptest::option::of(1u64..4000),
        proptest::option::of(0.0f64..=1.0),
        proptest::option::of(0.0f64..=1.0),
        proptest::option::of(prop_oneof![
            Just(json!({"effort": "minimal"})),
            Just(json!({"effort": "low"})),
            Just(json!({"effort": "medium"})),
            Just(json!({"effort": "high"})),
            (1024u64..3000).prop_map(|b| json!({"budgetTokens": b})),
        ]),
        any::<bool>(),
        prop_oneof![Just(json!(null)), Just(json!("auto")), Just(json!("none"))],
    )
        .prop_map(
            |(turns, system, max, temperature, top_p, reasoning, stream, choice)| {
                let mut messages = Vec::new();
                let mut call_id = 0;
                for (user_text, answer, calls, image, error, signature) in turns {
                    let content = if image {
                        json!([{"type": "text", "text": user_text},
                               {"type": "image", "mediaType": "image/png", "data": "iVBORw0KGgo="}])
                    } else {
                        json!(user_text)
                    };
                    messages.push(json!({"role": "user", "content": content}));
                    let ids: Vec<String> = (0..calls)
                        .map(|_| {
                            call_id += 1;
                            format!("call_{call_id}")
                        })
                        .collect();
                    let mut assistant = json!({"role": "assistant"});
                    if let Some(a) = &answer {
                        assistant["content"] = json!(a);
                    }
                    if let Some(s) = signature {
                        assistant["reasoning"] = json!("thought");
                        assistant["reasoningBlocks"] =
                            json!([{"type": "thinking", "text": "thought", "signature": s}]);
                    }
                    if answer.is_none() && ids.is_empty() {
                        assistant["content"] = json!("ok");
                    }
                    assistant["toolCalls"] = ids
                        .iter()
                        .map(|id| json!({"id": id, "name": "lookup", "arguments": {"q": id}}))
                        .collect();
                    messages.push(assistant);
                    for id in &ids {
                        messages.push(json!({"role": "tool", "toolCallId": id, "content": "result", "isError": error}));
                    }
                }
                messages.push(json!({"role": "user", "content": "next"}));
                let mut req = json!({
                    "model": "",
                    "messages": messages,
                    "tools": [{"name": "lookup", "description": "d", "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}],
                    "stream": stream,
                });
                if let Some(s) = system {
                    req["system"] = json!(s);
                }
                if let Some(m) = max {
                    req["maxOutputTokens"] = json!(m + 1024 * 4);
                }
                if let Some(t) = temperature {
                    req["temperature"] = json!(t);
                }
                if let Some(p) = top_p {
                    req["topP"] = json!(p);
                }
                if let Some(r) = reasoning {
                    req["reasoning"] = r;
                }
                if !choice.is_null() {
                    req["toolChoice"] = choice;
                }
                req
            },
        )
}

/// Drops what a model legitimately refuses, so the rest must build.
fn fit_to(mut req: Value, m: &ModelInfo) -> Value {
    req["model"] = json!(m.id);
    let thinking = m.format == WireFormat::Messages
        && m.capabilities.reasoning
        && req.get("reasoning").is_some();
    if thinking {
        let o = req.as_object_mut().unwrap();
        o.remove("temperature");
        o.remove("topP");
    }
    if !m.capabilities.attachments {
        for msg in req["messages"].as_array_mut().unwrap() {
            if let Some(parts) = msg["content"].as_array_mut() {
                parts.retain(|p| p["type"] != "image");
            }
        }
    }
    req
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_valid_request_builds_for_every_model(req in arb_request()) {
        let all = models();
        let mut formats = std::collections::HashSet::new();
        for m in &all {
            let v = fit_to(req.clone(), m);
            let parsed: UnifiedRequest = serde_json::from_value(v.clone()).unwrap();
            let built = build(&parsed, m, &key());
            let built = match built {
                Ok(b) => b,
                Err(e) => return Err(TestCaseError::fail(format!("{}: {e}\n{v}", m.id))),
            };
            let body = built.body_json().unwrap();
            prop_assert!(body.is_object());
            prop_assert!(built.url.starts_with("https://opencode.ai/zen/v1/"));
            if m.format == WireFormat::Responses {
                prop_assert!(body.get("max_tokens").is_none());
            }
            if m.format == WireFormat::Messages {
                prop_assert!(body["max_tokens"].as_u64().is_some());
            }
            formats.insert(m.format);
        }
        prop_assert_eq!(formats.len(), 4);
    }

    #[test]
    fn arbitrary_requests_never_panic(
        model_idx in 0usize..10,
        v in arb_json(),
        key in proptest::option::of("[ -~\r\n]{0,8}"),
        base in "[ -~]{0,30}",
    ) {
        let all = models();
        let m = &all[model_idx % all.len()];
        if let Ok(req) = serde_json::from_value::<UnifiedRequest>(v) {
            let _ = build(&req, m, &BuildOptions { base_url: base, api_key: key });
        }
    }
}

/// JSON biased towards unified-request shapes, so that many samples parse.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(json!(null)),
        any::<bool>().prop_map(Value::from),
        (-3i64..200_000).prop_map(Value::from),
        (-1.0f64..3.0).prop_map(Value::from),
        prop_oneof![
            Just("user"),
            Just("assistant"),
            Just("tool"),
            Just("text"),
            Just("image"),
            Just("auto"),
            Just("required"),
            Just("none"),
            Just("high"),
            Just(""),
            Just("glm-4.6"),
            Just("c1"),
            Just("data:image/png;base64,AA=="),
            Just("https://x"),
        ]
        .prop_map(Value::from),
    ];
    let keys = prop_oneof![
        Just("model"),
        Just("messages"),
        Just("role"),
        Just("content"),
        Just("type"),
        Just("text"),
        Just("url"),
        Just("mediaType"),
        Just("data"),
        Just("toolCalls"),
        Just("toolCallId"),
        Just("id"),
        Just("name"),
        Just("arguments"),
        Just("tools"),
        Just("parameters"),
        Just("toolChoice"),
        Just("maxOutputTokens"),
        Just("temperature"),
        Just("stop"),
        Just("reasoning"),
        Just("effort"),
        Just("budgetTokens"),
        Just("stream"),
        Just("extra"),
        Just("reasoningBlocks"),
        Just("signature"),
        Just("system"),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(keys.clone(), inner, 0..6).prop_map(|m| Value::Object(
                m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}
