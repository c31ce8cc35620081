//! The `request` example as a process: the HTTP request it prints for each
//! wire format (URL, per-endpoint auth header, body fields), free models
//! without a key, and one-line failures with a non-zero exit.

mod common;

use std::process::Output;

use common::text;

use serde_json::{json, Value};

const BASE: &str = "http://127.0.0.1:9/zen/v1";
const KEY: &str = "sk-test-key";
/// The three ways Zen endpoints take the key.
const AUTH_HEADERS: [&str; 3] = ["authorization", "x-api-key", "x-goog-api-key"];

/// Runs `cargo run --example request -- ARGS` with `stdin` piped in.
fn request(args: &[&str], stdin: &[u8]) -> Output {
    common::run_example("request", args, stdin)
}

/// The minimal streaming request for `model`.
fn minimal(model: &str) -> Vec<u8> {
    json!({
        "model": model,
        "system": "Be brief.",
        "messages": [{"role": "user", "content": "hi"}],
        "maxOutputTokens": 64,
        "stream": true
    })
    .to_string()
    .into_bytes()
}

/// Runs the example and parses the printed request, which must be the
/// only output on success.
fn printed(args: &[&str], stdin: &[u8]) -> Value {
    let out = request(args, stdin);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{args:?}: {}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    let keys: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["body", "headers", "method", "url"]);
    assert_eq!(v["method"], "POST");
    assert!(v["headers"].is_object() && v["body"].is_object(), "{v}");
    v
}

/// The auth headers present, as (name, value).
fn auth(v: &Value) -> Vec<(&str, &str)> {
    AUTH_HEADERS
        .iter()
        .filter_map(|&h| Some((h, v["headers"].get(h)?.as_str()?)))
        .collect()
}

/// Asserts a failed run: non-zero exit, nothing on stdout, exactly one
/// line on stderr containing `needle`.
fn assert_one_line_failure(out: &Output, needle: &str) {
    let err = text(&out.stderr);
    assert!(!out.status.success(), "succeeded: {}", text(&out.stdout));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.ends_with('\n'), "{err:?}");
    assert!(err.contains(needle), "{err:?} lacks {needle:?}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn one_model_of_each_format_with_key_and_base_url() {
    let args = ["--key", KEY, "--base-url", BASE, "-"];

    // OpenAI Responses: Bearer key, system prompt as `instructions`.
    let v = printed(&args, &minimal("gpt-5.1"));
    assert_eq!(v["url"], format!("{BASE}/responses"));
    assert_eq!(auth(&v), [("authorization", "Bearer sk-test-key")]);
    let b = &v["body"];
    assert_eq!(b["model"], "gpt-5.1");
    assert_eq!(b["instructions"], "Be brief.");
    assert_eq!(b["max_output_tokens"], 64);
    assert_eq!(b["stream"], true);
    assert_eq!(b["input"][0]["role"], "user");
    assert_eq!(b["input"][0]["content"][0]["text"], "hi");

    // Anthropic Messages: x-api-key and a version header, top-level system.
    let v = printed(&args, &minimal("claude-sonnet-4-5"));
    assert_eq!(v["url"], format!("{BASE}/messages"));
    assert_eq!(auth(&v), [("x-api-key", KEY)]);
    assert!(v["headers"]["anthropic-version"].is_string(), "{v}");
    let b = &v["body"];
    assert_eq!(b["model"], "claude-sonnet-4-5");
    assert_eq!(b["system"], "Be brief.");
    assert_eq!(b["max_tokens"], 64);
    assert_eq!(b["stream"], true);
    assert_eq!(b["messages"].as_array().map(Vec::len), Some(1));
    assert_eq!(b["messages"][0]["role"], "user");

    // Gemini: the model and streaming live in the URL; x-goog-api-key.
    let v = printed(&args, &minimal("gemini-3-pro"));
    assert_eq!(
        v["url"],
        format!("{BASE}/models/gemini-3-pro:streamGenerateContent?alt=sse")
    );
    assert_eq!(auth(&v), [("x-goog-api-key", KEY)]);
    let b = &v["body"];
    assert_eq!(b.get("model"), None);
    assert_eq!(b.get("stream"), None);
    assert_eq!(b["systemInstruction"]["parts"][0]["text"], "Be brief.");
    assert_eq!(b["generationConfig"]["maxOutputTokens"], 64);
    assert_eq!(b["contents"][0]["role"], "user");
    assert_eq!(b["contents"][0]["parts"][0]["text"], "hi");

    // Chat Completions: Bearer key, system message first, usage requested.
    let v = printed(&args, &minimal("glm-4.6"));
    assert_eq!(v["url"], format!("{BASE}/chat/completions"));
    assert_eq!(auth(&v), [("authorization", "Bearer sk-test-key")]);
    let b = &v["body"];
    assert_eq!(b["model"], "glm-4.6");
    assert_eq!(
        b["messages"],
        json!([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}])
    );
    assert_eq!(b["max_tokens"], 64);
    assert_eq!(b["stream"], true);
    assert_eq!(b["stream_options"]["include_usage"], true);
}

#[test]
fn streaming_requests_accept_event_streams() {
    let v = printed(&["--key", KEY, "-"], &minimal("claude-haiku-4-5"));
    assert_eq!(v["headers"]["accept"], "text/event-stream");
    assert_eq!(v["headers"]["content-type"], "application/json");
    // Without --base-url the request goes to Zen.
    assert_eq!(v["url"], "https://opencode.ai/zen/v1/messages");
}

#[test]
fn free_model_without_key_has_no_auth_header() {
    let v = printed(&["-"], &minimal("big-pickle"));
    assert_eq!(v["url"], "https://opencode.ai/zen/v1/chat/completions");
    assert_eq!(auth(&v), []);
    assert_eq!(v["body"]["model"], "big-pickle");
}

#[test]
fn paid_model_without_key_fails_with_one_line() {
    let out = request(&["--base-url", BASE, "-"], &minimal("claude-sonnet-4-5"));
    assert_one_line_failure(&out, "key");
}

#[test]
fn bad_input_fails_with_one_line_naming_the_problem() {
    // Not JSON at all.
    assert_one_line_failure(&request(&["--key", KEY, "-"], b"{\"model\":"), "JSON");
    // JSON, but a field of the wrong type: the message names what was expected.
    let wrong_type = br#"{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}],"maxOutputTokens":"many"}"#;
    assert_one_line_failure(&request(&["--key", KEY, "-"], wrong_type), "\"many\"");
    // A file that does not exist is named.
    assert_one_line_failure(
        &request(&["no/such/request.json"], b""),
        "no/such/request.json",
    );
    // A flag without its value.
    assert_one_line_failure(&request(&["--key"], b""), "--key");
}

#[test]
fn dash_reads_stdin_like_a_file() {
    let body = minimal("kimi-k2");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("request_cli-kimi.json");
    std::fs::write(&path, &body).expect("write the request file");
    let file = path.to_str().expect("utf-8 temp path");
    let from_file = printed(&["--key", KEY, file], b"");
    let from_stdin = printed(&["--key", KEY, "-"], &body);
    assert_eq!(from_file, from_stdin);
    assert_eq!(from_stdin["body"]["model"], "kimi-k2");
}
