//! Every number zenwire reads equals a correctly rounded parse, bit for
//! bit — what `JSON.parse` and the official SDKs give. The reference is
//! `str::parse::<f64>` (correctly rounded); integer lexemes that fit stay
//! integers (`u64`, or `i64` when negative), as serde_json keeps them.
//!
//! Each number goes through every public path that reads numbers: tool-call
//! arguments in each wire format's stream and non-streaming body, and a
//! request's `extra`, tool schema, `temperature` and replayed tool-call
//! arguments through the request parser (and out again through the built
//! body). Browser side: `numbers_decode_as_json_parse_reads_them` in
//! tests/wasm_browser.rs.

mod number_text;

use number_text::{is_integer_lexeme, Decimal, KNOWN};
use proptest::prelude::*;
use serde_json::Value;
use zenwire::catalog::Catalog;
use zenwire::event::Message;
use zenwire::request::{build, BuildOptions, RequestMessage, UnifiedRequest};
use zenwire::response::decode_response;
use zenwire::stream::decode_all;
use zenwire::WireFormat;

/// What a correct reader makes of `text`: the integer, the correctly
/// rounded double, or `None` beyond the `f64` range (which a JSON value
/// tree cannot hold, so zenwire refuses it).
fn expected(text: &str) -> Option<Value> {
    if is_integer_lexeme(text) {
        if let Ok(n) = text.parse::<u64>() {
            return Some(n.into());
        }
        if let Some(n) = text.parse::<i64>().ok().filter(|n| *n != 0) {
            return Some(n.into());
        }
    }
    let f = text.parse::<f64>().expect("a JSON number");
    f.is_finite().then(|| Value::from(f))
}

/// `got` is exactly `expected(text)`: same variant, same bits (so `-0.0`
/// differs from `0`, and a 1-ULP difference fails).
fn same(got: Option<&Value>, text: &str, path: &str) -> Result<(), TestCaseError> {
    let want = expected(text);
    let bits = |v: Option<&Value>| {
        v.and_then(Value::as_f64)
            .filter(|_| v.is_some_and(|v| v.as_number().is_some_and(|n| n.is_f64())))
            .map(f64::to_bits)
    };
    prop_assert_eq!(got, want.as_ref(), "{}: {}", path, text);
    prop_assert_eq!(bits(got), bits(want.as_ref()), "{}: {} (bits)", path, text);
    Ok(())
}

/// Tool-call arguments holding the number twice, as written by a model.
fn arguments(text: &str) -> String {
    format!(r#"{{"x":{text},"list":[1,{text}]}}"#)
}

/// The two numbers out of parsed arguments (`None` when the call is not
/// there or was refused as invalid).
fn numbers_in(args: Option<&Value>) -> [Option<&Value>; 2] {
    [
        args.and_then(|a| a.get("x")),
        args.and_then(|a| a.get("list")).and_then(|l| l.get(1)),
    ]
}

/// The first tool call's arguments, unless the call is invalid.
fn call_arguments(m: &Message) -> Option<&Value> {
    let call = m.choices.first()?.tool_calls.first()?;
    call.invalid.is_none().then_some(&call.arguments)
}

/// A JSON string literal holding `s`.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// A stream of `format` carrying one tool call with `args`, the argument
/// text cut in two deltas where the format streams it in pieces.
fn stream(format: WireFormat, args: &str) -> String {
    let (a, b) = args.split_at(args.len() / 2);
    let (a, b) = (quoted(a), quoted(b));
    match format {
        WireFormat::Chat => format!(
            concat!(
                r#"data: {{"id":"c","model":"m","choices":[{{"index":0,"delta":{{"tool_calls":[{{"index":0,"id":"call_1","type":"function","function":{{"name":"f","arguments":{a}}}}}]}},"finish_reason":null}}]}}"#,
                "\n\n",
                r#"data: {{"id":"c","model":"m","choices":[{{"index":0,"delta":{{"tool_calls":[{{"index":0,"function":{{"arguments":{b}}}}}]}},"finish_reason":"tool_calls"}}]}}"#,
                "\n\n",
                "data: [DONE]\n\n"
            ),
            a = a,
            b = b
        ),
        WireFormat::Responses => format!(
            concat!(
                "event: response.created\n",
                r#"data: {{"type":"response.created","response":{{"id":"r","status":"in_progress","model":"m","output":[]}}}}"#,
                "\n\n",
                "event: response.output_item.added\n",
                r#"data: {{"type":"response.output_item.added","output_index":0,"item":{{"id":"fc_1","type":"function_call","status":"in_progress","arguments":"","call_id":"call_1","name":"f"}}}}"#,
                "\n\n",
                "event: response.function_call_arguments.delta\n",
                r#"data: {{"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":0,"delta":{a}}}"#,
                "\n\n",
                "event: response.function_call_arguments.delta\n",
                r#"data: {{"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":0,"delta":{b}}}"#,
                "\n\n",
                "event: response.output_item.done\n",
                r#"data: {{"type":"response.output_item.done","output_index":0,"item":{{"id":"fc_1","type":"function_call","status":"completed","arguments":{whole},"call_id":"call_1","name":"f"}}}}"#,
                "\n\n",
                "event: response.completed\n",
                r#"data: {{"type":"response.completed","response":{{"id":"r","status":"completed","model":"m","output":[]}}}}"#,
                "\n\n"
            ),
            a = a,
            b = b,
            whole = quoted(args)
        ),
        WireFormat::Messages => format!(
            concat!(
                "event: message_start\n",
                r#"data: {{"type":"message_start","message":{{"id":"msg","type":"message","role":"assistant","content":[],"model":"m"}}}}"#,
                "\n\n",
                "event: content_block_start\n",
                r#"data: {{"type":"content_block_start","index":0,"content_block":{{"type":"tool_use","id":"toolu_1","name":"f","input":{{}}}}}}"#,
                "\n\n",
                "event: content_block_delta\n",
                r#"data: {{"type":"content_block_delta","index":0,"delta":{{"type":"input_json_delta","partial_json":{a}}}}}"#,
                "\n\n",
                "event: content_block_delta\n",
                r#"data: {{"type":"content_block_delta","index":0,"delta":{{"type":"input_json_delta","partial_json":{b}}}}}"#,
                "\n\n",
                "event: content_block_stop\n",
                r#"data: {{"type":"content_block_stop","index":0}}"#,
                "\n\n",
                "event: message_delta\n",
                r#"data: {{"type":"message_delta","delta":{{"stop_reason":"tool_use"}}}}"#,
                "\n\n",
                "event: message_stop\n",
                r#"data: {{"type":"message_stop"}}"#,
                "\n\n"
            ),
            a = a,
            b = b
        ),
        // Gemini sends each call whole, its arguments as an object.
        WireFormat::Gemini => format!(
            concat!(
                r#"data: {{"candidates":[{{"content":{{"parts":[{{"functionCall":{{"name":"f","args":{args}}}}}],"role":"model"}},"finishReason":"STOP","index":0}}],"responseId":"r","modelVersion":"m"}}"#,
                "\n\n"
            ),
            args = args
        ),
    }
}

/// A non-streaming body of `format` with one tool call with `args`.
fn body(format: WireFormat, args: &str) -> String {
    match format {
        WireFormat::Chat => format!(
            r#"{{"id":"c","object":"chat.completion","model":"m","choices":[{{"index":0,"message":{{"role":"assistant","content":null,"tool_calls":[{{"id":"call_1","type":"function","function":{{"name":"f","arguments":{}}}}}]}},"finish_reason":"tool_calls"}}]}}"#,
            quoted(args)
        ),
        WireFormat::Responses => format!(
            r#"{{"id":"r","object":"response","status":"completed","model":"m","output":[{{"id":"fc_1","type":"function_call","status":"completed","arguments":{},"call_id":"call_1","name":"f"}}]}}"#,
            quoted(args)
        ),
        WireFormat::Messages => format!(
            r#"{{"id":"msg","type":"message","role":"assistant","model":"m","content":[{{"type":"tool_use","id":"toolu_1","name":"f","input":{args}}}],"stop_reason":"tool_use"}}"#
        ),
        WireFormat::Gemini => format!(
            r#"{{"candidates":[{{"content":{{"parts":[{{"functionCall":{{"name":"f","args":{args}}}}}],"role":"model"}},"finishReason":"STOP","index":0}}],"responseId":"r","modelVersion":"m"}}"#
        ),
    }
}

const FORMATS: [WireFormat; 4] = [
    WireFormat::Chat,
    WireFormat::Responses,
    WireFormat::Messages,
    WireFormat::Gemini,
];

/// The number through every tool-call path: each format's stream and
/// non-streaming body.
fn check_tool_calls(text: &str) -> Result<(), TestCaseError> {
    let args = arguments(text);
    for format in FORMATS {
        let (_, streamed) = decode_all(format, stream(format, &args).as_bytes());
        for got in numbers_in(call_arguments(&streamed)) {
            same(got, text, &format!("{format} stream"))?;
        }
        let whole = decode_response(format, &body(format, &args));
        let whole = whole.unwrap_or_else(|e| panic!("{format} body: {e}"));
        for got in numbers_in(call_arguments(&whole)) {
            same(got, text, &format!("{format} body"))?;
        }
    }
    Ok(())
}

/// The number through the request parser — `extra`, a tool schema,
/// `temperature` and a replayed call's arguments — and, when it is in
/// range, out through a built body and back.
fn check_request(text: &str) -> Result<(), TestCaseError> {
    let doc = format!(
        concat!(
            r#"{{"model":"big-pickle","temperature":{n},"#,
            r#""messages":[{{"role":"user","content":"Hi"}},"#,
            r#"{{"role":"assistant","content":"","toolCalls":[{{"id":"c1","name":"f","arguments":{{"x":{n}}}}}]}},"#,
            r#"{{"role":"tool","toolCallId":"c1","content":"ok"}}],"#,
            r#""tools":[{{"name":"f","parameters":{{"type":"object","properties":{{"x":{{"type":"number","maximum":{n}}}}}}}}}],"#,
            r#""extra":{{"x":{n}}}}}"#
        ),
        n = text
    );
    let req = match UnifiedRequest::from_json(&doc) {
        Ok(req) => req,
        Err(e) => {
            // Refused only when the number is beyond the f64 range.
            prop_assert!(expected(text).is_none(), "{}: {}", text, e);
            prop_assert!(e.to_string().contains("out of range"), "{}", e);
            return Ok(());
        }
    };
    // Requests read with serde_json's derives hold the same numbers.
    prop_assert_eq!(
        &serde_json::from_str::<UnifiedRequest>(&doc).ok(),
        &Some(req.clone())
    );
    let temperature = req.temperature.map(Value::from);
    let extra = req.extra.as_ref().and_then(|e| e.get("x"));
    let schema = req.tools[0].parameters.pointer("/properties/x/maximum");
    let replayed = match &req.messages[1] {
        RequestMessage::Assistant { tool_calls, .. } => tool_calls[0].arguments.get("x"),
        other => panic!("{other:?}"),
    };
    same(extra, text, "request extra")?;
    same(schema, text, "request tool schema")?;
    same(replayed, text, "request tool-call arguments")?;
    // `temperature` is a float field: integers read as floats.
    let float = expected(text).and_then(|v| v.as_f64()).map(Value::from);
    prop_assert_eq!(
        temperature.map(|t| t.as_f64().map(f64::to_bits)),
        float.map(|f| f.as_f64().map(f64::to_bits)),
        "temperature {}",
        text
    );

    // Out through the body (the temperature would fail validation; the
    // free-form values are what is checked here).
    let req = UnifiedRequest {
        temperature: None,
        ..req
    };
    let model = Catalog::builtin().resolve(&req.model);
    let http = build(&req, &model, &BuildOptions::default()).expect("builds");
    let sent: Value = serde_json::from_str(&http.body).unwrap();
    same(sent.get("x"), text, "built body extra")?;
    Ok(())
}

#[test]
fn the_reported_numbers_and_range_edges_are_exact_on_every_path() {
    for text in KNOWN {
        check_tool_calls(text).unwrap();
        check_request(text).unwrap();
    }
    // The issue's three, spelled out.
    for (text, want) in [
        ("-8E-84", -8e-84_f64),
        ("27.94081163252683478", 27.940811632526835),
        ("96.02403659783798353024", 96.02403659783798),
    ] {
        let (_, m) = decode_all(
            WireFormat::Chat,
            stream(WireFormat::Chat, &arguments(text)).as_bytes(),
        );
        let got = call_arguments(&m).and_then(|a| a["x"].as_f64());
        assert_eq!(got.map(f64::to_bits), Some(want.to_bits()), "{text}");
    }
}

#[test]
fn numbers_beyond_the_f64_range_are_refused_not_rounded() {
    for text in ["1e400", "-1.7976931348623159e308", "123e308"] {
        assert_eq!(expected(text), None);
        check_tool_calls(text).unwrap();
        check_request(text).unwrap();
        // The call is kept, invalid, with its arguments as sent — on every
        // path alike, never a lost frame.
        let args = arguments(text);
        for format in FORMATS {
            let (_, streamed) = decode_all(format, stream(format, &args).as_bytes());
            let whole = decode_response(format, &body(format, &args)).unwrap();
            for (path, m) in [("stream", streamed), ("body", whole)] {
                let invalid = m.choices[0].tool_calls[0].invalid.as_ref();
                let invalid = invalid.unwrap_or_else(|| panic!("{format} {path}: {text}"));
                assert_eq!(invalid.raw_arguments, args, "{format} {path}");
                assert!(invalid.reason.contains("out of range"), "{format} {path}");
            }
        }
    }
}

fn decimal() -> impl Strategy<Value = Decimal> {
    (
        any::<bool>(),
        "[1-9][0-9]{0,24}",
        0usize..=25,
        0usize..4,
        proptest::option::of((
            prop_oneof![Just('e'), Just('E')],
            -330i32..=310,
            any::<bool>(),
        )),
    )
        .prop_map(|(negative, digits, point, zeros, exponent)| Decimal {
            negative,
            point: point.min(digits.len()),
            digits,
            zeros,
            exponent,
        })
}

proptest! {
    #[test]
    fn random_decimals_read_correctly_rounded_through_tool_calls(d in decimal()) {
        check_tool_calls(&d.text())?;
    }

    #[test]
    fn random_decimals_read_correctly_rounded_through_requests(d in decimal()) {
        check_request(&d.text())?;
    }
}
