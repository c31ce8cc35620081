//! One nesting limit, `json::MAX_DEPTH` containers open at once, on every
//! reader of JSON: each public entry point reads a document nested exactly
//! to the limit and refuses (or reports, never loses silently) one nested
//! one level more. Depths count the document's own containers.

use zenwire::catalog::Catalog;
use zenwire::client::ClientOptions;
use zenwire::event::Usage;
use zenwire::json::{Reader, MAX_DEPTH};
use zenwire::request::UnifiedRequest;
use zenwire::response::decode_response;
use zenwire::stream::decode_all;
use zenwire::{Event, WireFormat, ZenError};

/// `levels` arrays around `1`: `[[1]]` for 2.
fn arrays(levels: usize) -> String {
    format!("{}1{}", "[".repeat(levels), "]".repeat(levels))
}

/// A document `{"x": <arrays>}` (one object around them) nested `depth`
/// deep in all, with `fields` before `"x"`.
fn object_with(fields: &str, depth: usize) -> String {
    format!(r#"{{{fields}"x":{}}}"#, arrays(depth - 1))
}

#[test]
fn the_limit_is_serde_json_s() {
    assert_eq!(MAX_DEPTH, 127);
    assert!(serde_json::from_str::<serde_json::Value>(&arrays(MAX_DEPTH)).is_ok());
    assert!(serde_json::from_str::<serde_json::Value>(&arrays(MAX_DEPTH + 1)).is_err());
}

#[test]
fn the_pull_reader() {
    assert!(Reader::new(&arrays(MAX_DEPTH)).skip().is_ok());
    let err = Reader::new(&arrays(MAX_DEPTH + 1)).skip().unwrap_err();
    assert_eq!(err.reason, "JSON nested too deeply");
}

#[test]
fn requests_options_and_usage() {
    let head = r#""model":"big-pickle","messages":[{"role":"user","content":"Hi"}],"extra":{"#;
    // `{ … "extra":{"x": arrays } }`: two objects around the arrays.
    let request = |depth: usize| format!("{{{head}\"x\":{}}}}}", arrays(depth - 2));
    let req = UnifiedRequest::from_json(&request(MAX_DEPTH)).unwrap();
    assert!(req.extra.unwrap()["x"].is_array());
    let err = UnifiedRequest::from_json(&request(MAX_DEPTH + 1)).unwrap_err();
    assert!(err.to_string().contains("nested too deeply"), "{err}");

    // Unknown keys are skipped, but still within the limit.
    assert!(ClientOptions::from_json(&object_with("", MAX_DEPTH)).is_ok());
    assert!(ClientOptions::from_json(&object_with("", MAX_DEPTH + 1)).is_err());
    let usage = Usage::from_json(&object_with(r#""inputTokens":3,"#, MAX_DEPTH)).unwrap();
    assert_eq!(usage.input_tokens, Some(3));
    assert!(Usage::from_json(&object_with("", MAX_DEPTH + 1)).is_err());
}

#[test]
fn catalogs() {
    let entry = |depth: usize| {
        // `[ {model…, "x": arrays} ]`: an array and an object around them.
        format!(
            concat!(
                r#"[{{"id":"m1","name":"M","format":"chat","free":true,"#,
                r#""prices":{{"input":"0","output":"0"}},"limits":{{"context":1000,"output":100}},"#,
                r#""capabilities":{{"reasoning":false,"tools":true,"attachments":false,"temperature":true}},"#,
                r#""x":{}}}]"#
            ),
            arrays(depth - 2)
        )
    };
    assert_eq!(Catalog::from_json(&entry(MAX_DEPTH)).unwrap().len(), 1);
    assert!(Catalog::from_json(&entry(MAX_DEPTH + 1)).is_err());
}

#[test]
fn error_bodies() {
    // `{"error":{"message":…,"x": arrays}}`: two objects around them.
    let body = |depth: usize| {
        format!(
            r#"{{"error":{{"type":"RateLimitError","message":"slow down","x":{}}}}}"#,
            arrays(depth - 2)
        )
    };
    let at = ZenError::from_response(429, [("retry-after", "1")], &body(MAX_DEPTH));
    assert_eq!(at.message(), "slow down");
    assert_eq!(at.error_type(), Some("RateLimitError"));
    // Past the limit the body is no JSON to zenwire: it is kept as text,
    // and the status still classifies the error.
    let past = ZenError::from_response(429, [("retry-after", "1")], &body(MAX_DEPTH + 1));
    assert_eq!(past.error_type(), None);
    assert!(
        past.message().starts_with(r#"{"error":"#),
        "{}",
        past.message()
    );
    assert_eq!(past.kind(), at.kind());
}

/// A chat stream: one frame whose `extra` member nests to `frame_depth`
/// with text "hi", and a tool call whose arguments nest to `args_depth`.
fn chat_stream(frame_depth: usize, args_depth: usize) -> String {
    // Frame: { choices: [ { delta: { … } } ] } puts "x" at depth 4.
    let frame = format!(
        r#"{{"id":"c","model":"m","x":{},"choices":[{{"index":0,"delta":{{"content":"hi"}},"finish_reason":null}}]}}"#,
        arrays(frame_depth - 1)
    );
    let args = serde_json::to_string(&object_with("", args_depth)).unwrap();
    let call = format!(
        r#"{{"id":"c","model":"m","choices":[{{"index":0,"delta":{{"tool_calls":[{{"index":0,"id":"call_1","type":"function","function":{{"name":"f","arguments":{args}}}}}]}},"finish_reason":"tool_calls"}}]}}"#
    );
    format!("data: {frame}\n\ndata: {call}\n\ndata: [DONE]\n\n")
}

#[test]
fn stream_frames_and_tool_arguments() {
    let (events, m) = decode_all(
        WireFormat::Chat,
        chat_stream(MAX_DEPTH, MAX_DEPTH).as_bytes(),
    );
    assert!(
        !events.iter().any(|e| matches!(e, Event::Error { .. })),
        "{events:?}"
    );
    assert_eq!(m.choices[0].text, "hi");
    let call = &m.choices[0].tool_calls[0];
    assert_eq!(call.invalid, None);
    assert!(call.arguments["x"].is_array());

    // One past: the frame is reported as a protocol error (not dropped
    // silently), and the call is kept, invalid, with its raw arguments.
    let (events, m) = decode_all(
        WireFormat::Chat,
        chat_stream(MAX_DEPTH + 1, MAX_DEPTH + 1).as_bytes(),
    );
    let errors: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e, Event::Error { .. }))
        .collect();
    assert_eq!(errors.len(), 1, "{events:?}");
    assert!(format!("{:?}", errors[0]).contains("nested too deeply"));
    assert_eq!(m.choices[0].text, "");
    let invalid = m.choices[0].tool_calls[0].invalid.as_ref().unwrap();
    assert!(
        invalid.reason.contains("nested too deeply"),
        "{}",
        invalid.reason
    );
}

#[test]
fn non_streaming_bodies() {
    // { choices: [ { message: {…, tool_calls:[{function:{arguments}}]} } ] }
    let body = |depth: usize, args_depth: usize| {
        let args = serde_json::to_string(&object_with("", args_depth)).unwrap();
        format!(
            r#"{{"id":"c","object":"chat.completion","model":"m","x":{},"choices":[{{"index":0,"message":{{"role":"assistant","content":"hi","tool_calls":[{{"id":"call_1","type":"function","function":{{"name":"f","arguments":{args}}}}}]}},"finish_reason":"tool_calls"}}]}}"#,
            arrays(depth - 1)
        )
    };
    let m = decode_response(WireFormat::Chat, &body(MAX_DEPTH, MAX_DEPTH)).unwrap();
    assert_eq!(m.choices[0].text, "hi");
    assert_eq!(m.choices[0].tool_calls[0].invalid, None);
    let m = decode_response(WireFormat::Chat, &body(MAX_DEPTH, MAX_DEPTH + 1)).unwrap();
    assert!(m.choices[0].tool_calls[0].invalid.is_some());
    let err = decode_response(WireFormat::Chat, &body(MAX_DEPTH + 1, MAX_DEPTH)).unwrap_err();
    assert_eq!(err.kind(), zenwire::ErrorKind::Protocol);
}
