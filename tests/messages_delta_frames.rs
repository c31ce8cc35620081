//! Messages content deltas written exactly as Anthropic writes them take a
//! fast path (`Frame::read_delta`, which matches their fixed parts); any
//! other spelling takes the general reader. Both must decode a frame alike:
//! here the same stream with the delta written compactly and written with
//! one space more (which only the general reader accepts) gives the same
//! events and message, for any text, index and delta type.

use proptest::prelude::*;
use serde_json::json;
use zenwire::stream::decode_all;
use zenwire::wire::WireFormat;

/// The content block a delta of `delta_type` belongs to, as its start frame.
fn block_start(delta_type: &str, index: u64) -> String {
    let block = match delta_type {
        "text_delta" => json!({"type": "text", "text": ""}),
        "input_json_delta" => {
            json!({"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}})
        }
        _ => json!({"type": "thinking", "thinking": "", "signature": ""}),
    };
    json!({"type": "content_block_start", "index": index, "content_block": block}).to_string()
}

/// A whole stream around one delta frame (`delta`, as written).
fn stream(delta_type: &str, index: u64, delta: &str) -> Vec<u8> {
    let frames = [
        r#"{"type":"message_start","message":{"id":"msg_1","model":"m","content":[],"usage":{"input_tokens":3,"output_tokens":1}}}"#.to_owned(),
        block_start(delta_type, index),
        delta.to_owned(),
        format!(r#"{{"type":"content_block_stop","index":{index}}}"#),
        r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":5}}"#.to_owned(),
        r#"{"type":"message_stop"}"#.to_owned(),
    ];
    frames
        .iter()
        .map(|f| format!("event: x\ndata: {f}\n\n"))
        .collect::<String>()
        .into_bytes()
}

/// The content key of each delta type.
fn content_key(delta_type: &str) -> &'static str {
    match delta_type {
        "text_delta" => "text",
        "input_json_delta" => "partial_json",
        "thinking_delta" => "thinking",
        _ => "signature",
    }
}

/// `text` as a JSON string, every character `\u`-escaped when `escape_all`
/// (surrogate pairs beyond the BMP), else as serde_json writes it.
fn json_string(text: &str, escape_all: bool) -> String {
    if !escape_all {
        return serde_json::to_string(text).unwrap();
    }
    let mut out = String::from("\"");
    for unit in text.encode_utf16() {
        out.push_str(&format!("\\u{unit:04x}"));
    }
    out.push('"');
    out
}

/// The events and message of a stream around the delta `frame`, as JSON,
/// with the text of error messages left out (it quotes the frame, which
/// differs between spellings; the kind must not).
fn decoded(delta_type: &str, index: u64, frame: &str) -> serde_json::Value {
    fn blank_error_messages(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(o) => {
                if o.contains_key("kind") && o.contains_key("retryable") {
                    o.insert("message".into(), json!(""));
                }
                o.values_mut().for_each(blank_error_messages);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(blank_error_messages),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(decode_all(
        WireFormat::Messages,
        &stream(delta_type, index, frame),
    ))
    .unwrap();
    blank_error_messages(&mut v);
    v
}

fn assert_same_decoding(delta_type: &str, index: u64, compact: &str, spaced: &str) {
    assert_eq!(
        decoded(delta_type, index, compact),
        decoded(delta_type, index, spaced),
        "compact: {compact}\nspaced: {spaced}"
    );
}

proptest! {
    #[test]
    fn a_compact_delta_decodes_as_the_general_reader_reads_it(
        text in any::<String>(),
        index in prop_oneof![0u64..20, 0u64..=u64::from(u32::MAX) + 10],
        delta_type in prop::sample::select(vec!["text_delta", "input_json_delta", "thinking_delta", "signature_delta"]),
        escape_all in any::<bool>(),
    ) {
        let value = json_string(&text, escape_all);
        let key = content_key(delta_type);
        let compact = format!(
            r#"{{"type":"content_block_delta","index":{index},"delta":{{"type":"{delta_type}","{key}":{value}}}}}"#
        );
        let spaced = format!(
            r#"{{"type": "content_block_delta","index":{index},"delta":{{"type":"{delta_type}","{key}":{value}}}}}"#
        );
        assert_same_decoding(delta_type, index, &compact, &spaced);
    }
}

#[test]
fn near_misses_of_the_compact_spelling_decode_as_the_general_reader_reads_them() {
    // Each differs from the compact spelling in one way the fast path must
    // not accept as compact (so the general reader decides): the result
    // must equal that of the same frame with a space after its first colon
    // (always the general reader), whether it is an error or a valid frame.
    let cases = [
        r#"{"type":"content_block_delta","index":01,"delta":{"type":"text_delta","text":"a"}}"#,
        r#"{"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":"a"}}"#,
        r#"{"type":"content_block_delta","index":1.0,"delta":{"type":"text_delta","text":"a"}}"#,
        r#"{"type":"content_block_delta","index":1e0,"delta":{"type":"text_delta","text":"a"}}"#,
        r#"{"type":"content_block_delta","index":4294967296,"delta":{"type":"text_delta","text":"a"}}"#,
        r#"{"type":"content_block_delta","index":,"delta":{"type":"text_delta","text":"a"}}"#,
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"a\q"}}"#,
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"a
"}}"#,
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"a"}} "#,
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"a"}}}"#,
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"a"},"x":1}"#,
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"a","text":"b"}}"#,
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":7}}"#,
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":null}}"#,
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","thinking":"a"}}"#,
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"citations_delta","citation":{}}}"#,
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"a""#,
    ];
    for compact in cases {
        let spaced = compact.replacen(r#""type":"#, r#""type": "#, 1);
        assert_same_decoding("text_delta", 1, compact, &spaced);
    }
}
