//! Integration tests of the mock-zen binary over real sockets.

mod support;

use serde_json::{json, Value};
use std::io::{Read, Write};
use support::{parse_sse, read_head, read_response, request_bytes, Mock, Resp, Sse, KEY};

const BEARER: &str = "Bearer zen-test-key";
const GEMINI_STREAM: &str = "/models/gemini-3-pro:streamGenerateContent?alt=sse";
const GEMINI_ONCE: &str = "/models/gemini-3-pro:generateContent";

fn chat_body(model: &str, text: &str, stream: bool) -> Value {
    json!({"model": model, "stream": stream, "messages": [{"role": "user", "content": text}]})
}

fn messages_body(model: &str, text: &str, stream: bool) -> Value {
    json!({"model": model, "stream": stream, "max_tokens": 100,
        "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}]})
}

fn responses_body(model: &str, text: &str, stream: bool) -> Value {
    json!({"model": model, "stream": stream,
        "input": [{"role": "user", "content": [{"type": "input_text", "text": text}]}]})
}

fn gemini_body(text: &str) -> Value {
    json!({"contents": [{"role": "user", "parts": [{"text": text}]}]})
}

fn error_type(r: &Resp) -> (u16, String, String) {
    let v = r.json();
    assert_eq!(v["type"], "error", "{v}");
    (
        r.status,
        v["error"]["type"].as_str().unwrap_or("").to_string(),
        v["error"]["message"].as_str().unwrap_or("").to_string(),
    )
}

fn datas(events: &[Sse]) -> Vec<Value> {
    events
        .iter()
        .filter(|e| e.data != "[DONE]")
        .map(Sse::json)
        .collect()
}

/// Asserts the chat stream's Zen framing; returns (content, reasoning, tool args).
fn check_chat_stream(r: &Resp, cost_free: bool) -> (String, String, String) {
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    assert!(r.complete);
    let events = r.sse();
    assert!(events.iter().all(|e| e.event.is_none()));
    let n = events.len();
    assert_eq!(events[n - 2].data, "[DONE]", "[DONE] then the cost frame");
    let cost = events[n - 1].json();
    assert_eq!(cost["object"], "chat.completion.chunk");
    assert_eq!(cost["choices"], json!([]));
    assert!(cost["id"].is_string() && cost["created"].is_u64() && cost["model"].is_string());
    // Zen's exact key order.
    assert!(events[n - 1].data.starts_with(r#"{"id":"chatcmpl-"#));
    assert!(events[n - 1].data.contains(r#","choices":[],"cost":""#));
    let cost = cost["cost"].as_str().unwrap().to_string();
    if cost_free {
        assert_eq!(cost, "0");
    } else {
        assert!(cost.parse::<f64>().unwrap() > 0.0 && cost.split('.').nth(1).unwrap().len() == 8);
    }
    let usage = events[n - 3].json();
    assert_eq!(usage["choices"], json!([]));
    let u = &usage["usage"];
    assert!(u["prompt_tokens"].as_u64().unwrap() > 0);
    assert_eq!(
        u["total_tokens"].as_u64().unwrap(),
        u["prompt_tokens"].as_u64().unwrap() + u["completion_tokens"].as_u64().unwrap()
    );
    let (mut text, mut reasoning, mut args) = (String::new(), String::new(), String::new());
    let mut deltas = 0;
    for v in datas(&events[..n - 3]) {
        let d = &v["choices"][0]["delta"];
        if let Some(t) = d["content"].as_str() {
            text.push_str(t);
            deltas += usize::from(!t.is_empty());
        }
        if let Some(t) = d["reasoning_content"].as_str() {
            assert!(text.is_empty(), "reasoning comes before text");
            reasoning.push_str(t);
            deltas += 1;
        }
        if let Some(a) = d["tool_calls"][0]["function"]["arguments"].as_str() {
            args.push_str(a);
            deltas += usize::from(!a.is_empty());
        }
    }
    assert_eq!(u["completion_tokens"].as_u64().unwrap(), deltas as u64);
    (text, reasoning, args)
}

#[test]
fn models_list_like_zen() {
    let mock = Mock::start();
    for path in ["/models", "/zen/v1/models"] {
        let r = mock.call("GET", path, &[], b"");
        assert_eq!(r.status, 200);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
        let v = r.json();
        assert_eq!(v["object"], "list");
        let data = v["data"].as_array().unwrap();
        assert_eq!(data.len(), 19, "alpha-gd4 is left out");
        assert!(data.iter().all(|m| m["object"] == "model"
            && m["owned_by"] == "opencode"
            && m["created"].as_u64().unwrap() > 1_700_000_000));
        let ids: Vec<&str> = data.iter().map(|m| m["id"].as_str().unwrap()).collect();
        assert!(ids.contains(&"gpt-5.1-codex-max") && ids.contains(&"big-pickle"));
        assert!(!ids.iter().any(|i| i.starts_with("alpha-")));
    }
    let r = mock.call("GET", "/models", &[("authorization", "Bearer wrong")], b"");
    assert_eq!(
        r.text(),
        r#"{"type":"error","error":{"type":"AuthError","message":"Invalid API key."}}"#
    );
    assert_eq!(error_type(&r).1, "AuthError");
    let r = mock.call("GET", "/models", &[("authorization", BEARER)], b"");
    assert_eq!(r.status, 200);
}

#[test]
fn auth_rules_per_endpoint() {
    let mock = Mock::start();
    let missing = (401, "AuthError".to_string(), "Missing API key.".to_string());
    let invalid = (401, "AuthError".to_string(), "Invalid API key.".to_string());
    let chat = chat_body("glm-4.6", "hi", false);
    assert_eq!(
        error_type(&mock.post("/chat/completions", &[], &chat)),
        missing
    );
    assert_eq!(
        error_type(&mock.post(
            "/chat/completions",
            &[("authorization", "Bearer public")],
            &chat
        )),
        missing
    );
    assert_eq!(
        error_type(&mock.post(
            "/chat/completions",
            &[("authorization", "Bearer nope")],
            &chat
        )),
        invalid
    );
    assert_eq!(
        mock.post("/chat/completions", &[("authorization", BEARER)], &chat)
            .status,
        200
    );
    // The token after the first space, whatever the scheme word.
    assert_eq!(
        mock.post(
            "/chat/completions",
            &[("authorization", "Token zen-test-key")],
            &chat
        )
        .status,
        200
    );
    let resp = responses_body("gpt-5.1", "hi", false);
    assert_eq!(
        error_type(&mock.post("/responses", &[("x-api-key", KEY)], &resp)),
        missing
    );
    assert_eq!(
        mock.post("/responses", &[("authorization", BEARER)], &resp)
            .status,
        200
    );

    // /messages reads only x-api-key: a valid Bearer is ignored.
    let msg = messages_body("claude-sonnet-4-5", "hi", false);
    assert_eq!(
        error_type(&mock.post("/messages", &[("authorization", BEARER)], &msg)),
        missing
    );
    assert_eq!(
        error_type(&mock.post("/messages", &[("x-api-key", "bad")], &msg)),
        invalid
    );
    assert_eq!(
        mock.post("/messages", &[("x-api-key", KEY)], &msg).status,
        200
    );

    // Gemini reads only x-goog-api-key.
    let gem = gemini_body("hi");
    assert_eq!(
        error_type(&mock.post(GEMINI_ONCE, &[("authorization", BEARER)], &gem)),
        missing
    );
    assert_eq!(
        error_type(&mock.post(GEMINI_ONCE, &[("x-api-key", KEY)], &gem)),
        missing
    );
    assert_eq!(
        mock.post(GEMINI_ONCE, &[("x-goog-api-key", KEY)], &gem)
            .status,
        200
    );
    assert_eq!(
        mock.post(
            &format!("/zen/v1{GEMINI_ONCE}"),
            &[("x-goog-api-key", KEY)],
            &gem
        )
        .status,
        200
    );

    // Free models need no key; a wrong key is still rejected.
    let free = chat_body("big-pickle", "hi", false);
    assert_eq!(mock.post("/chat/completions", &[], &free).status, 200);
    assert_eq!(
        mock.post("/messages", &[], &messages_body("gpt-5-nano", "hi", false))
            .status,
        200
    );
    assert_eq!(
        error_type(&mock.post("/chat/completions", &[("authorization", "Bearer x")], &free)),
        invalid
    );
}

#[test]
fn model_errors() {
    let mock = Mock::start();
    let auth = [("authorization", BEARER)];
    let r = mock.post(
        "/chat/completions",
        &auth,
        &chat_body("foo-bar", "hi", false),
    );
    assert_eq!(
        error_type(&r),
        (
            401,
            "ModelError".into(),
            "Model foo-bar is not supported".into()
        )
    );
    // The model is checked before the key.
    let r = mock.post("/chat/completions", &[], &chat_body("foo-bar", "hi", false));
    assert_eq!(error_type(&r).1, "ModelError");
    let r = mock.post("/chat/completions", &auth, &json!({"messages": []}));
    assert_eq!(error_type(&r).2, "Model undefined is not supported");
    let r = mock.post(
        "/chat/completions",
        &auth,
        &chat_body("gemini-3-pro", "hi", false),
    );
    assert_eq!(
        error_type(&r),
        (
            401,
            "ModelError".into(),
            "Model gemini-3-pro is not supported for format oa-compat".into()
        )
    );
    let r = mock.post(
        "/models/claude-opus-4-5:generateContent",
        &[("x-goog-api-key", KEY)],
        &gemini_body("hi"),
    );
    assert_eq!(
        error_type(&r).2,
        "Model claude-opus-4-5 is not supported for format google"
    );
    // Zen converts between chat, responses and messages.
    let r = mock.post(
        "/chat/completions",
        &auth,
        &chat_body("claude-opus-4-5", "hi", false),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["object"], "chat.completion");
    // Unless told to be strict.
    let strict = Mock::start_with(&["--strict-formats"]);
    let r = strict.post(
        "/chat/completions",
        &auth,
        &chat_body("claude-opus-4-5", "hi", false),
    );
    assert_eq!(
        error_type(&r).2,
        "Model claude-opus-4-5 is not supported for format oa-compat"
    );
}

#[test]
fn chat_stream_echo_and_pacing() {
    let mock = Mock::start();
    let r = mock.post(
        "/zen/v1/chat/completions",
        &[("authorization", BEARER)],
        &chat_body("glm-4.6", "hello mock world", true),
    );
    let (text, reasoning, args) = check_chat_stream(&r, false);
    assert_eq!(text, "You said: hello mock world");
    assert!(reasoning.is_empty() && args.is_empty());
    let events = r.sse();
    let first = events[0].json();
    assert_eq!(first["choices"][0]["delta"]["role"], "assistant");
    let finish: Vec<Value> = datas(&events)
        .into_iter()
        .filter_map(|v| v["choices"][0]["finish_reason"].as_str().map(|s| json!(s)))
        .collect();
    assert_eq!(finish, [json!("stop")]);
    // Events are paced: they arrive in several reads, not one.
    assert!(r.reads > 3, "reads = {}", r.reads);
}

#[test]
fn chat_reasoning_tools_and_free_cost() {
    let mock = Mock::start();
    let mut body = chat_body("big-pickle", "please use tool", true);
    body["reasoning_effort"] = json!("high");
    body["tools"] = json!([{"type": "function", "function": {"name": "lookup", "parameters": {}}},
        {"type": "function", "function": {"name": "other"}}]);
    let r = mock.post("/chat/completions", &[], &body);
    let (text, reasoning, args) = check_chat_stream(&r, true);
    assert!(text.is_empty());
    assert!(reasoning.contains("lookup"));
    assert_eq!(
        serde_json::from_str::<Value>(&args).unwrap(),
        json!({"input": "please use tool"})
    );
    let events = datas(&r.sse());
    let call = events
        .iter()
        .find_map(|v| {
            v["choices"][0]["delta"]["tool_calls"][0]
                .as_object()
                .cloned()
        })
        .unwrap();
    assert_eq!(call["function"]["name"], "lookup");
    assert!(call["id"].as_str().unwrap().starts_with("call_"));
    assert!(events
        .iter()
        .any(|v| v["choices"][0]["finish_reason"] == "tool_calls"));
    let fragments = events
        .iter()
        .filter(|v| {
            v["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"]
                .as_str()
                .is_some_and(|a| !a.is_empty())
        })
        .count();
    assert!(fragments > 2, "arguments come in fragments");

    // The header forces a tool call whatever the text; no tools = no call.
    let mut body = chat_body("big-pickle", "hello", true);
    body["tools"] = json!([{"type": "function", "function": {"name": "f"}}]);
    let r = mock.post("/chat/completions", &[("x-mock-tool-call", "1")], &body);
    assert_eq!(check_chat_stream(&r, true).2, r#"{"input":"hello"}"#);
    let r = mock.post(
        "/chat/completions",
        &[("x-mock-tool-call", "1")],
        &chat_body("big-pickle", "use tool", true),
    );
    assert_eq!(check_chat_stream(&r, true).0, "You said: use tool");

    // A tool result is answered with text.
    let body = json!({"model": "big-pickle", "stream": true, "tools": [{"type": "function", "function": {"name": "f"}}],
        "messages": [{"role": "user", "content": "use tool"},
            {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "c", "content": "42"}]});
    let r = mock.post("/chat/completions", &[], &body);
    assert_eq!(check_chat_stream(&r, true).0, "Tool result: 42");
}

#[test]
fn chat_non_stream() {
    let mock = Mock::start();
    let mut body = chat_body("kimi-k2-thinking", "hi there", false);
    body["reasoning_effort"] = json!("low");
    let r = mock.post("/chat/completions", &[("authorization", BEARER)], &body);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    assert_eq!(v["object"], "chat.completion");
    assert_eq!(v["choices"][0]["message"]["content"], "You said: hi there");
    assert!(
        v["choices"][0]["message"]["reasoning_content"]
            .as_str()
            .unwrap()
            .len()
            > 10
    );
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert!(v["cost"].as_str().unwrap().parse::<f64>().unwrap() > 0.0);
    assert!(
        v["usage"]["completion_tokens_details"]["reasoning_tokens"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[test]
fn responses_stream() {
    let mock = Mock::start();
    let mut body = responses_body("gpt-5.1-codex", "echo me", true);
    body["reasoning"] = json!({"effort": "medium", "summary": "auto"});
    let r = mock.post("/responses", &[("authorization", BEARER)], &body);
    assert_eq!((r.status, r.complete), (200, true));
    let events = r.sse();
    let names: Vec<&str> = events.iter().map(|e| e.event.as_deref().unwrap()).collect();
    assert_eq!(names[..2], ["response.created", "response.in_progress"]);
    assert_eq!(names[names.len() - 2..], ["response.completed", "ping"]);
    let mut text = String::new();
    let mut summary = String::new();
    for (i, e) in events[..events.len() - 1].iter().enumerate() {
        let v = e.json();
        assert_eq!(
            v["type"],
            e.event.as_deref().unwrap(),
            "event name = data.type"
        );
        assert_eq!(v["sequence_number"], i, "sequence numbers count up");
        match e.event.as_deref().unwrap() {
            "response.output_text.delta" => text.push_str(v["delta"].as_str().unwrap()),
            "response.reasoning_summary_text.delta" => {
                assert!(text.is_empty());
                summary.push_str(v["delta"].as_str().unwrap())
            }
            _ => {}
        }
    }
    assert_eq!(text, "You said: echo me");
    assert!(!summary.is_empty());
    let completed = events[events.len() - 2].json();
    let usage = &completed["response"]["usage"];
    assert!(
        usage["output_tokens_details"]["reasoning_tokens"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(
        completed["response"]["output"][1]["content"][0]["text"],
        "You said: echo me"
    );
    let ping = events.last().unwrap().json();
    assert_eq!(ping["type"], "ping");
    assert!(ping["cost"].as_str().unwrap().parse::<f64>().unwrap() > 0.0);
}

#[test]
fn responses_tool_call_and_non_stream() {
    let mock = Mock::start();
    let mut body = responses_body("gpt-5-nano", "use tool now", true);
    body["tools"] = json!([{"type": "function", "name": "calc", "parameters": {}}]);
    let r = mock.post("/zen/v1/responses", &[], &body);
    let events = r.sse();
    let args: String = events
        .iter()
        .filter(|e| e.event.as_deref() == Some("response.function_call_arguments.delta"))
        .map(|e| e.json()["delta"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(args, r#"{"input":"use tool now"}"#);
    let added = events
        .iter()
        .map(Sse::json)
        .find(|v| v["type"] == "response.output_item.added" && v["item"]["type"] == "function_call")
        .unwrap();
    assert_eq!(added["item"]["name"], "calc");
    assert!(added["item"]["call_id"]
        .as_str()
        .unwrap()
        .starts_with("call_"));
    assert_eq!(events.last().unwrap().json()["cost"], "0");

    let r = mock.post(
        "/responses",
        &[("authorization", BEARER)],
        &responses_body("gpt-5", "plain", false),
    );
    let v = r.json();
    assert_eq!(
        (v["object"].as_str(), v["status"].as_str()),
        (Some("response"), Some("completed"))
    );
    assert_eq!(v["output"][0]["content"][0]["text"], "You said: plain");
    assert!(v["cost"].is_string());
    // `input` may be a plain string.
    let r = mock.post(
        "/responses",
        &[("authorization", BEARER)],
        &json!({"model": "gpt-5", "input": "str"}),
    );
    assert_eq!(r.json()["output"][0]["content"][0]["text"], "You said: str");
}

#[test]
fn messages_stream_with_thinking() {
    let mock = Mock::start();
    let mut body = messages_body("claude-opus-4-5", "think then echo", true);
    body["thinking"] = json!({"type": "enabled", "budget_tokens": 1024});
    let r = mock.post("/messages", &[("x-api-key", KEY)], &body);
    assert_eq!((r.status, r.complete), (200, true));
    let events = r.sse();
    let names: Vec<&str> = events.iter().map(|e| e.event.as_deref().unwrap()).collect();
    assert_eq!(names[..2], ["message_start", "ping"]);
    assert_eq!(
        names[names.len() - 3..],
        ["message_delta", "message_stop", "ping"]
    );
    let (mut thinking, mut text, mut sig) = (String::new(), String::new(), 0);
    for e in &events {
        let v = e.json();
        assert_eq!(v["type"], e.event.as_deref().unwrap());
        let d = &v["delta"];
        match d["type"].as_str() {
            Some("thinking_delta") => thinking.push_str(d["thinking"].as_str().unwrap()),
            Some("signature_delta") => {
                assert!(text.is_empty() && !thinking.is_empty());
                sig += 1
            }
            Some("text_delta") => text.push_str(d["text"].as_str().unwrap()),
            _ => {}
        }
    }
    assert_eq!((text.as_str(), sig), ("You said: think then echo", 1));
    assert!(!thinking.is_empty());
    let delta = events[events.len() - 3].json();
    assert_eq!(delta["delta"]["stop_reason"], "end_turn");
    assert!(delta["usage"]["output_tokens"].as_u64().unwrap() > 5);
    let start = events[0].json();
    assert!(start["message"]["usage"]["input_tokens"].as_u64().unwrap() > 0);
    let ping = events.last().unwrap().json();
    assert!(ping["cost"].as_str().unwrap().parse::<f64>().unwrap() > 0.0);
    // Models without reasoning ignore the request.
    let mut body = messages_body("claude-3-5-haiku", "x", true);
    body["thinking"] = json!({"type": "enabled", "budget_tokens": 1024});
    let r = mock.post("/messages", &[("x-api-key", KEY)], &body);
    assert!(!r.text().contains("thinking_delta"));
}

#[test]
fn messages_tool_use_and_non_stream() {
    let mock = Mock::start();
    let mut body = messages_body("claude-haiku-4-5", "Use tool please", true);
    body["tools"] = json!([{"name": "search", "input_schema": {"type": "object"}}]);
    let r = mock.post("/messages", &[("x-api-key", KEY)], &body);
    let events: Vec<Value> = r.sse().iter().map(Sse::json).collect();
    let start = events
        .iter()
        .find(|v| v["type"] == "content_block_start" && v["content_block"]["type"] == "tool_use")
        .unwrap();
    assert_eq!(start["content_block"]["name"], "search");
    let json: String = events
        .iter()
        .filter(|v| v["delta"]["type"] == "input_json_delta")
        .map(|v| v["delta"]["partial_json"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(json, r#"{"input":"Use tool please"}"#);
    assert!(events
        .iter()
        .any(|v| v["delta"]["stop_reason"] == "tool_use"));

    let r = mock.post(
        "/messages",
        &[("x-api-key", KEY)],
        &messages_body("claude-sonnet-4", "yo", false),
    );
    let v = r.json();
    assert_eq!(v["type"], "message");
    assert_eq!(
        v["content"],
        json!([{"type": "text", "text": "You said: yo"}])
    );
    assert_eq!(v["stop_reason"], "end_turn");
    assert!(v["cost"].is_string());
}

#[test]
fn gemini_stream_and_non_stream() {
    let mock = Mock::start();
    let mut body = gemini_body("gem echo");
    body["generationConfig"] = json!({"thinkingConfig": {"includeThoughts": true}});
    let r = mock.post(GEMINI_STREAM, &[("x-goog-api-key", KEY)], &body);
    assert_eq!((r.status, r.complete), (200, true));
    let events = r.sse();
    let ping = events.last().unwrap();
    assert_eq!(ping.event.as_deref(), Some("ping"));
    assert!(
        ping.json()["cost"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
            > 0.0
    );
    let frames = &events[..events.len() - 1];
    assert!(frames.iter().all(|e| e.event.is_none()));
    let (mut thought, mut text, mut sigs) = (String::new(), String::new(), 0);
    for e in frames {
        let v = e.json();
        for p in v["candidates"][0]["content"]["parts"].as_array().unwrap() {
            if p["thought"] == true {
                assert!(text.is_empty());
                thought.push_str(p["text"].as_str().unwrap());
            } else {
                text.push_str(p["text"].as_str().unwrap());
            }
            sigs += usize::from(p.get("thoughtSignature").is_some());
        }
    }
    assert_eq!((text.as_str(), sigs), ("You said: gem echo", 1));
    assert!(!thought.is_empty());
    let last = frames.last().unwrap().json();
    assert_eq!(last["candidates"][0]["finishReason"], "STOP");
    let u = &last["usageMetadata"];
    assert!(u["thoughtsTokenCount"].as_u64().unwrap() > 0);
    assert_eq!(last["modelVersion"], "gemini-3-pro");

    // Tool call: a whole functionCall part.
    let mut body = gemini_body("use tool x");
    body["tools"] = json!([{"functionDeclarations": [{"name": "fn1"}]}]);
    let r = mock.post(GEMINI_ONCE, &[("x-goog-api-key", KEY)], &body);
    let v = r.json();
    assert_eq!(
        v["candidates"][0]["content"]["parts"][0]["functionCall"],
        json!({"name": "fn1", "args": {"input": "use tool x"}})
    );
    assert!(v["cost"].is_string());
    let r = mock.post(
        GEMINI_ONCE,
        &[("x-goog-api-key", KEY)],
        &gemini_body("plain"),
    );
    assert_eq!(
        r.json()["candidates"][0]["content"]["parts"][0]["text"],
        "You said: plain"
    );
}

#[test]
fn error_scenarios() {
    let mock = Mock::start();
    let auth = ("authorization", BEARER);
    let chat = chat_body("glm-4.6", "hi", true);
    let r = mock.post(
        "/chat/completions",
        &[auth, ("x-mock-scenario", "rate-limit")],
        &chat,
    );
    assert_eq!(error_type(&r).1, "RateLimitError");
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("2"));
    assert_eq!(r.json()["metadata"], json!({}));
    let r = mock.post(
        "/chat/completions",
        &[
            auth,
            ("x-mock-scenario", "rate-limit"),
            ("x-mock-retry-after", "7"),
        ],
        &chat,
    );
    assert_eq!(r.header("retry-after"), Some("7"));

    let once = [auth, ("x-mock-scenario", "rate-limit-once:abc")];
    assert_eq!(mock.post("/chat/completions", &once, &chat).status, 429);
    assert_eq!(mock.post("/chat/completions", &once, &chat).status, 200);
    assert_eq!(mock.post("/chat/completions", &once, &chat).status, 200);
    let other = [auth, ("x-mock-scenario", "rate-limit-once:def")];
    assert_eq!(mock.post("/chat/completions", &other, &chat).status, 429);

    for (scenario, status, kind) in [
        ("server-error", 500, "error"),
        ("credits", 401, "CreditsError"),
        ("free-tier", 403, "FreeTierError"),
    ] {
        let r = mock.post(
            "/chat/completions",
            &[auth, ("x-mock-scenario", scenario)],
            &chat,
        );
        let (s, k, m) = error_type(&r);
        assert_eq!((s, k.as_str()), (status, kind), "{scenario}");
        assert!(!m.is_empty());
    }

    let r = mock.post(
        "/chat/completions",
        &[auth, ("x-mock-scenario", "error-cost-trailer")],
        &chat,
    );
    assert_eq!(r.status, 401);
    assert_eq!(
        r.text(),
        "{\"error\":{\"message\":\"User not found.\",\"code\":401}}data: {\"choices\":[],\"cost\":\"0\"}\n\n"
    );

    // Scenario errors are checked after auth, like Zen's own checks.
    let r = mock.post(
        "/chat/completions",
        &[("x-mock-scenario", "server-error")],
        &chat,
    );
    assert_eq!(error_type(&r).2, "Missing API key.");
    let r = mock.post(
        "/chat/completions",
        &[auth, ("x-mock-scenario", "bogus")],
        &chat,
    );
    assert_eq!(r.status, 400);
    assert!(error_type(&r).2.contains("bogus"));
}

#[test]
fn scenario_from_user_message() {
    let mock = Mock::start();
    let r = mock.post(
        "/chat/completions",
        &[],
        &chat_body("big-pickle", "/mock rate-limit", true),
    );
    assert_eq!(r.status, 429);
    // A page cannot set x-mock-retry-after; it names the seconds instead.
    let r = mock.post(
        "/chat/completions",
        &[],
        &chat_body("big-pickle", "/mock rate-limit:42\nhi", true),
    );
    assert_eq!((r.status, r.header("retry-after")), (429, Some("42")));
    let r = mock.post(
        "/chat/completions",
        &[],
        &chat_body("big-pickle", "/mock markdown:30\nbody", true),
    );
    let text: String = datas(&r.sse())
        .iter()
        .filter_map(|v| {
            v["choices"][0]["delta"]["content"]
                .as_str()
                .map(str::to_owned)
        })
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .concat();
    assert!(
        text.starts_with("## Section 1\n\nHere is **bold**"),
        "{text}"
    );
    assert_eq!(mock.last()["scenario"], "markdown:30");
    let r = mock.post(
        "/chat/completions",
        &[],
        &chat_body("big-pickle", "/mock long:4\nbody", true),
    );
    let deltas = datas(&r.sse())
        .iter()
        .filter(|v| {
            v["choices"][0]["delta"]["content"]
                .as_str()
                .is_some_and(|c| !c.is_empty())
        })
        .count();
    assert_eq!(deltas, 4);
    assert_eq!(mock.last()["scenario"], "long:4");
    // Reading files is never triggered by message text.
    let r = mock.post(
        "/chat/completions",
        &[],
        &chat_body("big-pickle", "/mock replay:/etc/hostname", true),
    );
    assert_eq!(r.status, 400);
}

#[test]
fn overloaded_streams() {
    let mock = Mock::start();
    let s = ("x-mock-scenario", "overloaded");
    let r = mock.post(
        "/messages",
        &[("x-api-key", KEY), s],
        &messages_body("claude-sonnet-4-5", "hi", true),
    );
    assert_eq!(r.status, 200);
    let events = r.sse();
    assert_eq!(events[0].event.as_deref(), Some("error"));
    assert_eq!(events[0].json()["error"]["type"], "overloaded_error");
    assert!(!r.text().contains("text_delta"));
    assert_eq!(
        events.last().unwrap().data,
        r#"{"type":"ping","cost":"0"}"#,
        "Zen's exact bytes"
    );

    let r = mock.post(
        "/chat/completions",
        &[("authorization", BEARER), s],
        &chat_body("glm-4.6", "hi", true),
    );
    let first = r.sse()[0].json();
    assert!(first["error"]["message"].is_string());
    assert!(!r.text().contains("[DONE]"));

    let r = mock.post(
        "/responses",
        &[("authorization", BEARER), s],
        &responses_body("gpt-5", "hi", true),
    );
    let names: Vec<String> = r.sse().iter().filter_map(|e| e.event.clone()).collect();
    assert_eq!(names, ["error", "response.failed", "ping"]);

    let r = mock.post(
        GEMINI_STREAM,
        &[("x-goog-api-key", KEY), s],
        &gemini_body("hi"),
    );
    assert_eq!(r.sse()[0].json()["error"]["status"], "UNAVAILABLE");

    // Non-streaming: the upstream status and body.
    let r = mock.post(
        "/messages",
        &[("x-api-key", KEY), s],
        &messages_body("claude-sonnet-4-5", "hi", false),
    );
    assert_eq!(r.status, 529);
    assert_eq!(r.json()["error"]["type"], "overloaded_error");

    let after = ("x-mock-scenario", "overloaded-after-output");
    let r = mock.post(
        "/messages",
        &[("x-api-key", KEY), after],
        &messages_body("claude-sonnet-4-5", "one two three four five", true),
    );
    let events = r.sse();
    let texts = events
        .iter()
        .filter(|e| e.data.contains("text_delta"))
        .count();
    assert_eq!(texts, 3);
    let err = events
        .iter()
        .position(|e| e.event.as_deref() == Some("error"))
        .unwrap();
    assert!(
        events[..err]
            .iter()
            .filter(|e| e.data.contains("text_delta"))
            .count()
            == 3
    );
    assert!(!r.text().contains("message_stop"));
    let r = mock.post(
        "/responses",
        &[("authorization", BEARER), after],
        &responses_body("gpt-5", "a b c d e", true),
    );
    let events = r.sse();
    let err = events
        .iter()
        .position(|e| e.event.as_deref() == Some("error"))
        .unwrap();
    // Sequence numbers continue across the error.
    assert_eq!(events[err].json()["sequence_number"], err);
}

#[test]
fn reset_drops_mid_chunk() {
    let mock = Mock::start();
    let r = mock.post(
        "/chat/completions",
        &[("authorization", BEARER), ("x-mock-scenario", "reset")],
        &chat_body("glm-4.6", "one two three four", true),
    );
    assert_eq!(r.status, 200);
    assert!(!r.complete, "no chunked terminator");
    assert!(
        r.text().contains("\"content\":\"said: \""),
        "two text deltas came first"
    );
    assert!(!r.text().contains("\"content\":\"one \""));
    assert!(!r.text().contains("[DONE]"));
    let rec = mock.wait_last(|r| {
        r["status"] == 200 && r["durationMs"].is_u64() && r["bytesSent"].as_u64() > Some(0)
    });
    assert_eq!(
        (rec["completed"].as_bool(), rec["cancelled"].as_bool()),
        (Some(false), Some(false))
    );
}

#[test]
fn garbage_is_delivered_intact() {
    let mock = Mock::start();
    let r = mock.post(
        "/chat/completions",
        &[("authorization", BEARER), ("x-mock-scenario", "garbage")],
        &chat_body("glm-4.6", "hi", true),
    );
    assert_eq!((r.status, r.complete), (200, true));
    assert!(
        std::str::from_utf8(&r.body).is_err(),
        "contains invalid UTF-8"
    );
    assert!(r.text().contains("unterminated"));
    assert!(r.reads > 1);
}

#[test]
fn slow_and_long() {
    let mock = Mock::start();
    let r = mock.post(
        "/messages",
        &[
            ("x-api-key", KEY),
            ("x-mock-scenario", "slow"),
            ("x-mock-delay-ms", "0"),
        ],
        &messages_body("claude-sonnet-4-5", "hi", true),
    );
    assert_eq!(
        r.sse()
            .iter()
            .filter(|e| e.data.contains("text_delta"))
            .count(),
        300
    );
    let r = mock.post(
        GEMINI_STREAM,
        &[("x-goog-api-key", KEY), ("x-mock-scenario", "long:25")],
        &gemini_body("hi"),
    );
    let frames = r.sse();
    assert_eq!(frames.len(), 26, "25 deltas + cost ping");
    let r = mock.post(
        "/chat/completions",
        &[("authorization", BEARER), ("x-mock-scenario", "long:3")],
        &chat_body("glm-4.6", "hi", false),
    );
    assert_eq!(
        r.json()["choices"][0]["message"]["content"],
        "word1 word2 word3 "
    );
}

#[test]
fn replay_streams_file_bytes() {
    let mock = Mock::start();
    let dir = std::env::temp_dir().join(format!("mock-zen-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("replay.sse");
    let content =
        b"event: a\ndata: {\"x\":1}\n\nevent: b\r\ndata: 2\r\n\r\ndata: tail-without-blank-line";
    std::fs::write(&file, content).unwrap();
    let scenario = format!("replay:{}", file.display());
    let r = mock.post(
        "/messages",
        &[("x-api-key", KEY), ("x-mock-scenario", &scenario)],
        &messages_body("claude-sonnet-4-5", "hi", true),
    );
    assert_eq!((r.status, r.complete), (200, true));
    assert_eq!(r.body, content);
    assert!(r.reads >= 2, "split at event boundaries");
    // The shared recordings, when present, come back byte for byte.
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/anthropic/docs-basic-text.sse");
    if let Ok(expected) = std::fs::read(&shared) {
        let scenario = format!("replay:{}", shared.display());
        let r = mock.post(
            "/messages",
            &[("x-api-key", KEY), ("x-mock-scenario", &scenario)],
            &json!({"model": "claude-sonnet-4-5"}),
        );
        assert_eq!(r.body, expected);
    }
    let r = mock.post(
        "/messages",
        &[
            ("x-api-key", KEY),
            ("x-mock-scenario", "replay:/nonexistent/file"),
        ],
        &json!({"model": "claude-sonnet-4-5"}),
    );
    assert_eq!(r.status, 400);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn recording_api() {
    let mock = Mock::start();
    assert_eq!(
        mock.call("GET", "/__mock/health", &[], b"").json()["ok"],
        true
    );
    assert_eq!(
        mock.call("GET", "/__mock/requests/last", &[], b"").status,
        404
    );
    let body = chat_body("glm-4.6", "record me", true);
    mock.post(
        "/chat/completions",
        &[("Authorization", BEARER), ("X-Custom", "v")],
        &body,
    );
    mock.post(
        "/messages",
        &[("x-mock-scenario", "credits"), ("x-api-key", KEY)],
        &messages_body("claude-haiku-4-5", "x", false),
    );
    let all = mock.records();
    assert_eq!(all.len(), 2, "the /__mock calls are not recorded");
    let first = &all[0];
    assert_eq!(first["method"], "POST");
    assert_eq!(first["path"], "/chat/completions");
    assert_eq!(first["headers"]["authorization"], BEARER);
    assert_eq!(first["headers"]["x-custom"], "v");
    assert_eq!(first["body"], body);
    assert_eq!(
        (first["model"].as_str(), first["format"].as_str()),
        (Some("glm-4.6"), Some("chat"))
    );
    assert_eq!(
        (first["stream"].as_bool(), first["status"].as_u64()),
        (Some(true), Some(200))
    );
    assert_eq!(
        (first["completed"].as_bool(), first["cancelled"].as_bool()),
        (Some(true), Some(false))
    );
    assert!(first["bytesSent"].as_u64().unwrap() > 500);
    let last = mock.last();
    assert_eq!(
        (last["scenario"].as_str(), last["status"].as_u64()),
        (Some("credits"), Some(401))
    );
    assert!(last["id"].as_u64() > first["id"].as_u64());
    assert_eq!(
        mock.call("DELETE", "/__mock/requests", &[], b"").status,
        200
    );
    assert!(mock.records().is_empty());
}

#[test]
fn cancel_mid_stream_is_recorded() {
    let mock = Mock::start();
    let body = chat_body("glm-4.6", "cancel me", true).to_string();
    let mut s = mock.send(
        "POST",
        "/chat/completions",
        &[
            ("authorization", BEARER),
            ("x-mock-scenario", "slow"),
            ("x-mock-delay-ms", "20"),
        ],
        body.as_bytes(),
    );
    let (status, _, _) = read_head(&mut s);
    assert_eq!(status, 200);
    let mut buf = [0u8; 256];
    assert!(s.read(&mut buf).unwrap() > 0);
    drop(s);
    let rec = mock.wait_last(|r| r["cancelled"] == true);
    assert_eq!(rec["completed"], false);
    assert_eq!(rec["scenario"], "slow");
}

#[test]
fn cancel_during_stalls_is_recorded() {
    let mock = Mock::start();
    for scenario in ["stall", "stall-before-headers"] {
        let body = messages_body("claude-sonnet-4-5", "x", true).to_string();
        let s = mock.send(
            "POST",
            "/messages",
            &[("x-api-key", KEY), ("x-mock-scenario", scenario)],
            body.as_bytes(),
        );
        // Wait until the mock is inside the scenario, then give up.
        mock.wait_last(|r| r["scenario"] == scenario);
        drop(s);
        let rec = mock.wait_last(|r| r["scenario"] == scenario && r["cancelled"] == true);
        assert_eq!(rec["completed"], false);
        let expected_status = if scenario == "stall" { 200 } else { 0 };
        assert_eq!(rec["status"], expected_status);
    }
    // A stall sends its head and first event, then nothing.
    let body = messages_body("claude-sonnet-4-5", "x", true).to_string();
    let mut s = mock.send(
        "POST",
        "/messages",
        &[("x-api-key", KEY), ("x-mock-scenario", "stall")],
        body.as_bytes(),
    );
    let (status, _, rest) = read_head(&mut s);
    assert_eq!(status, 200);
    let mut got = rest;
    while !String::from_utf8_lossy(&got).contains("message_start") {
        let mut buf = [0u8; 1024];
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    s.set_read_timeout(Some(std::time::Duration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 1024];
    assert!(s.read(&mut buf).is_err(), "nothing more arrives");
}

#[test]
fn robustness() {
    let mock = Mock::start();
    let raw = |bytes: &[u8]| {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", mock.port)).unwrap();
        s.write_all(bytes).unwrap();
        read_response(&mut s)
    };
    assert_eq!(raw(b"NOT HTTP AT ALL\r\n\r\n").status, 400);
    assert_eq!(
        raw(b"GET / HTTP/1.1\r\nbad header line\r\n\r\n").status,
        400
    );
    let big = raw(b"POST /chat/completions HTTP/1.1\r\ncontent-length: 999999999\r\n\r\n");
    assert_eq!(big.status, 413);
    assert_eq!(big.json()["type"], "error");
    assert_eq!(
        raw(b"POST /chat/completions HTTP/1.1\r\ncontent-length: x\r\n\r\n").status,
        400
    );
    // The 413 arrives even while the client is still sending its body.
    let mut flood =
        b"POST /chat/completions HTTP/1.1\r\ncontent-length: 999999999\r\n\r\n".to_vec();
    flood.extend(std::iter::repeat_n(b'x', 200_000));
    assert_eq!(raw(&flood).status, 413);
    // HTTP/1.0: no chunking, the body ends at close.
    let body = chat_body("big-pickle", "old", false).to_string();
    let mut old = format!(
        "POST /chat/completions HTTP/1.0\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    old.extend_from_slice(body.as_bytes());
    let r = raw(&old);
    assert_eq!(r.header("transfer-encoding"), None);
    assert_eq!(
        r.json()["choices"][0]["message"]["content"],
        "You said: old"
    );
    let r = mock.call(
        "POST",
        "/chat/completions",
        &[("authorization", BEARER)],
        b"{not json",
    );
    assert_eq!(error_type(&r).0, 400);
    let r = mock.call("POST", "/messages", &[], b"[1,2]");
    assert_eq!(r.status, 400);
    let r = mock.call("POST", "/messages", &[], b"");
    assert_eq!(r.status, 400);
    assert_eq!(mock.call("GET", "/nope", &[], b"").status, 404);
    assert_eq!(mock.call("GET", "/chat/completions", &[], b"").status, 405);
    // Junk values of known fields are tolerated.
    let r = mock.post(
        "/chat/completions",
        &[],
        &json!({"model": "big-pickle", "stream": "yes", "messages": [{"role": "user", "content": 5}], "tools": "x"}),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        mock.call("GET", "/__mock/health", &[], b"").status,
        200,
        "still alive"
    );
}

#[test]
fn cors_preflight_and_headers() {
    let mock = Mock::start();
    for path in [
        "/chat/completions",
        "/zen/v1/messages",
        "/responses",
        "/models",
        GEMINI_STREAM,
    ] {
        let r = mock.call("OPTIONS", path, &[("origin", "http://localhost:8000")], b"");
        assert_eq!(r.status, 204, "{path}");
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            r.header("access-control-allow-methods"),
            Some("GET, POST, OPTIONS")
        );
        assert_eq!(
            r.header("access-control-allow-headers"),
            Some("Content-Type, Authorization, x-api-key, x-goog-api-key, anthropic-version")
        );
    }
    let r = mock.post(
        "/chat/completions",
        &[],
        &chat_body("big-pickle", "x", true),
    );
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
}

#[test]
fn keep_alive_serves_several_requests() {
    let mock = Mock::start();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", mock.port)).unwrap();
    let body = chat_body("big-pickle", "again", false).to_string();
    for _ in 0..3 {
        s.write_all(&request_bytes(
            "POST",
            "/chat/completions",
            &[],
            body.as_bytes(),
            false,
        ))
        .unwrap();
        let r = read_response(&mut s);
        assert_eq!((r.status, r.complete), (200, true));
        assert_eq!(
            r.json()["choices"][0]["message"]["content"],
            "You said: again"
        );
    }
    assert_eq!(mock.records().len(), 3);
}

#[test]
fn sse_helper_rejects_non_sse() {
    // The helper the stream tests rely on must fail on malformed input.
    assert!(std::panic::catch_unwind(|| parse_sse("data: a\nnot a field\n\n")).is_err());
    assert_eq!(parse_sse("event: x\ndata: 1\n\n").len(), 1);
}

#[test]
fn reset_before_headers_sends_nothing() {
    let mock = Mock::start();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", mock.port)).unwrap();
    let body = chat_body("glm-4.6", "hi", true).to_string();
    s.write_all(&request_bytes(
        "POST",
        "/chat/completions",
        &[
            ("authorization", BEARER),
            ("x-mock-scenario", "reset-before-headers"),
        ],
        body.as_bytes(),
        false,
    ))
    .unwrap();
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    assert!(got.is_empty(), "no response byte: {got:?}");
    let rec =
        mock.wait_last(|r| r["scenario"] == "reset-before-headers" && r["durationMs"].is_u64());
    assert_eq!(rec["completed"], false);
}

#[test]
fn billed_overrides_the_cost_frame_and_field() {
    let mock = Mock::start();
    let billed = ("x-mock-scenario", "billed:0.02500000");
    // big-pickle is free: its cost frame would say "0".
    let r = mock.post(
        "/chat/completions",
        &[billed],
        &chat_body("big-pickle", "hi", true),
    );
    let last = r.sse().pop().unwrap();
    assert_eq!(last.json()["cost"], "0.02500000");
    let r = mock.post(
        "/chat/completions",
        &[billed],
        &chat_body("big-pickle", "hi", false),
    );
    assert_eq!(r.json()["cost"], "0.02500000");
    let r = mock.post(
        GEMINI_STREAM,
        &[("x-goog-api-key", KEY), billed],
        &gemini_body("hi"),
    );
    assert_eq!(r.sse().pop().unwrap().json()["cost"], "0.02500000");
}

#[test]
fn leaky_error_quotes_the_key_in_each_formats_error_shape() {
    let mock = Mock::start();
    let leak = ("x-mock-scenario", "leaky-error");
    let cases = [
        (
            "/chat/completions",
            ("authorization", BEARER),
            chat_body("glm-4.6", "one two three", true),
        ),
        (
            "/responses",
            ("authorization", BEARER),
            responses_body("gpt-5.1", "one two three", true),
        ),
        (
            "/messages",
            ("x-api-key", KEY),
            messages_body("claude-sonnet-4-5", "one two three", true),
        ),
        (
            GEMINI_STREAM,
            ("x-goog-api-key", KEY),
            gemini_body("one two three"),
        ),
    ];
    for (path, auth, body) in cases {
        let r = mock.post(path, &[auth, leak], &body);
        assert_eq!((r.status, r.complete), (200, true), "{path}");
        let events = r.sse();
        let error = events.iter().find(|e| e.data.contains(KEY)).expect(path);
        let j = error.json();
        assert!(
            j["error"]["message"]
                .as_str()
                .or(j["message"].as_str())
                .unwrap()
                .contains(KEY),
            "{path}: {j}"
        );
        assert!(r.text().contains("said"), "{path}: text came first");
        assert_eq!(events.last().unwrap().json()["cost"], "0", "{path}");
    }
}
