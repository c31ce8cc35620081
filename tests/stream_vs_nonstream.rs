//! A non-streaming response decodes to exactly the [`Message`] the stream
//! accumulator builds from the streamed version of the same answer.
//!
//! tests/fixtures/equivalence/ holds, per wire format, one answer written
//! twice by hand in that format's real shapes: `FORMAT.sse` (the stream, Zen
//! cost frame included) and `FORMAT.json` (the non-streaming body with Zen's
//! top-level `"cost"`). The answer has reasoning (with its signature or
//! encrypted content where the format has one), text, one tool call, usage
//! with cached input (and cache writes where the format reports them), counts
//! written the lenient ways gateways write them (`1250.0`, `"64"`, `6.4e1`),
//! and a cost. `usage_objects_count_the_same_streamed_or_whole` adds more
//! usage shapes per format, each with the counts it must give.
//!
//! Chat, Messages and Gemini bodies are decoded by their stream decoders,
//! so each hand-written body must give, event for event, what the stream it
//! stands for gives: a completion is one chunk with `message` for `delta`, a
//! message is a `message_start` whose blocks arrive whole, a Gemini body is
//! one chunk. More hand-written pairs pin the behaviours that once differed
//! between the paths: `gemini-max-tokens-calls` (a signed call and an
//! unsigned one, then text cut by `MAX_TOKENS`: what a token limit means for
//! calls, where a call's signature goes), `messages-max-tokens-after-call`
//! (a call, then text the limit cut), `responses-incomplete-calls` (a call
//! completed, then one the limit cut) and `chat-compat-shapes` (what
//! compatible servers send beyond OpenAI's shapes).

mod common;

use serde_json::json;
use zenwire::event::{FinishReason, Message, ReasoningBlock, Usage};
use zenwire::response::{decode_response, response_events};
use zenwire::stream::decode_all;
use zenwire::{Event, WireFormat};

const TEXT: &str = "Let me check the weather in Paris — «ça va».";

fn read(name: &str) -> String {
    let path = common::fixtures().join("equivalence").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Decodes both halves of a pair, checking the stream had no error.
fn both(format: WireFormat, name: &str) -> (Message, Message) {
    let (events, streamed) = decode_all(format, read(&format!("{name}.sse")).as_bytes());
    assert!(
        !events.iter().any(|e| matches!(e, Event::Error { .. })),
        "{name}.sse: {events:?}"
    );
    let body = read(&format!("{name}.json"));
    let whole = decode_response(format, &body).unwrap_or_else(|e| panic!("{name}.json: {e}"));
    (streamed, whole)
}

/// What every pair must contain, so equality is never between two empty
/// or equally broken messages.
fn assert_answer(m: &Message, id: &str, model: &str, reasoning: &str, call_id: &str) {
    assert_eq!(m.id.as_deref(), Some(id));
    assert_eq!(m.model.as_deref(), Some(model));
    assert_eq!(m.error, None);
    assert_eq!(m.choices.len(), 1);
    let c = &m.choices[0];
    assert_eq!(c.index, 0);
    assert_eq!(c.text, TEXT);
    assert_eq!(c.reasoning, reasoning);
    assert_eq!(c.refusal, "");
    assert_eq!(c.finish_reason, Some(FinishReason::ToolCalls));
    assert_eq!(c.tool_calls.len(), 1);
    let call = &c.tool_calls[0];
    assert_eq!(
        (call.index, call.id.as_str(), call.name.as_str()),
        (0, call_id, "get_weather")
    );
    assert_eq!(call.arguments, json!({"city": "Paris", "days": 2}));
    assert_eq!(call.invalid, None);
}

#[test]
fn chat_completion_equals_the_accumulated_stream() {
    let (streamed, whole) = both(WireFormat::Chat, "chat");
    assert_eq!(streamed, whole);
    assert_answer(
        &whole,
        "chatcmpl-eq",
        "glm-4.6",
        "The user asks about Paris; call the tool.",
        "call_eq1",
    );
    let c = &whole.choices[0];
    assert_eq!(c.raw_finish_reason.as_deref(), Some("tool_calls"));
    assert_eq!(c.signature, None);
    assert_eq!(
        c.reasoning_blocks,
        [ReasoningBlock::Thinking {
            text: "The user asks about Paris; call the tool.".into(),
            signature: None
        }]
    );
    assert_eq!(
        whole.usage,
        Usage {
            input_tokens: Some(100),
            output_tokens: Some(64),
            cache_read_tokens: Some(1000),
            cache_write_tokens: Some(150),
            reasoning_tokens: Some(21),
        }
    );
    assert_eq!(whole.cost.as_deref(), Some("0.00026080"));
}

#[test]
fn responses_object_equals_the_accumulated_stream() {
    let (streamed, whole) = both(WireFormat::Responses, "responses");
    assert_eq!(streamed, whole);
    // Summary parts are paragraphs: joined by a blank line in both paths.
    let reasoning = "**Weather question** about Paris.\n\n**Calling the tool**";
    assert_answer(&whole, "resp_eq", "gpt-5.1", reasoning, "call_eq1");
    let c = &whole.choices[0];
    assert_eq!(c.raw_finish_reason.as_deref(), Some("completed"));
    // The encrypted reasoning is the opaque blob to replay, paired with the
    // summary it belongs to.
    assert_eq!(c.signature.as_deref(), Some("gAAAAB-eq-opaque=="));
    assert_eq!(
        c.reasoning_blocks,
        [ReasoningBlock::Thinking {
            text: reasoning.into(),
            signature: Some("gAAAAB-eq-opaque==".into())
        }]
    );
    assert_eq!(
        whole.usage,
        Usage {
            input_tokens: Some(250),
            output_tokens: Some(64),
            cache_read_tokens: Some(1000),
            cache_write_tokens: None,
            reasoning_tokens: Some(21),
        }
    );
    assert_eq!(whole.cost.as_deref(), Some("0.00085590"));
}

#[test]
fn anthropic_message_equals_the_accumulated_stream() {
    let (streamed, whole) = both(WireFormat::Messages, "messages");
    assert_eq!(streamed, whole);
    let reasoning = "The user asks about Paris; call the tool.";
    assert_answer(
        &whole,
        "msg_eq",
        "claude-sonnet-4-5",
        reasoning,
        "toolu_eq1",
    );
    let c = &whole.choices[0];
    assert_eq!(c.raw_finish_reason.as_deref(), Some("tool_use"));
    assert_eq!(c.signature.as_deref(), Some("EqQBCgIYAhIM-eq-sig+/=="));
    assert_eq!(
        c.reasoning_blocks,
        [ReasoningBlock::Thinking {
            text: reasoning.into(),
            signature: Some("EqQBCgIYAhIM-eq-sig+/==".into())
        }]
    );
    // Anthropic reports no reasoning count; input already excludes cache.
    assert_eq!(
        whole.usage,
        Usage {
            input_tokens: Some(50),
            output_tokens: Some(64),
            cache_read_tokens: Some(1000),
            cache_write_tokens: Some(200),
            reasoning_tokens: None,
        }
    );
    assert_eq!(whole.cost.as_deref(), Some("0.00210000"));
}

#[test]
fn gemini_response_equals_the_accumulated_stream() {
    let (streamed, whole) = both(WireFormat::Gemini, "gemini");
    assert_eq!(streamed, whole);
    let reasoning = "The user asks about Paris; call the tool.";
    // Gemini sends no call id; both paths name it by its index.
    assert_answer(
        &whole,
        "resp_eq",
        "gemini-3-pro-preview",
        reasoning,
        "call_0",
    );
    let c = &whole.choices[0];
    assert_eq!(c.raw_finish_reason.as_deref(), Some("STOP"));
    assert_eq!(c.signature.as_deref(), Some("CiQB-eq-sig=="));
    assert_eq!(
        c.reasoning_blocks,
        [ReasoningBlock::Thinking {
            text: reasoning.into(),
            signature: Some("CiQB-eq-sig==".into())
        }]
    );
    // candidatesTokenCount excludes thoughts; output includes them.
    assert_eq!(
        whole.usage,
        Usage {
            input_tokens: Some(250),
            output_tokens: Some(64),
            cache_read_tokens: Some(1000),
            cache_write_tokens: None,
            reasoning_tokens: Some(21),
        }
    );
    assert_eq!(whole.cost.as_deref(), Some("0.00115800"));
}

/// Gemini sends each call whole (`args` is an object, and a call the model
/// could not finish is not sent: the candidate ends `MALFORMED_FUNCTION_CALL`
/// instead), so calls made before a `MAX_TOKENS` stop are executable in
/// both paths; the choice still finishes with `length`.
#[test]
fn gemini_calls_before_a_token_limit_are_whole_streamed_or_not() {
    let (streamed, whole) = both(WireFormat::Gemini, "gemini-max-tokens-calls");
    assert_eq!(streamed, whole);
    assert_eq!(whole.id.as_deref(), Some("resp_max_calls"));
    assert_eq!(whole.choices.len(), 1);
    let c = &whole.choices[0];
    assert_eq!(c.finish_reason, Some(FinishReason::Length));
    assert_eq!(c.raw_finish_reason.as_deref(), Some("MAX_TOKENS"));
    assert_eq!(c.reasoning, "Two cities: one call each.");
    assert_eq!(c.signature.as_deref(), Some("CiQB-max-sig=="));
    assert_eq!(c.text, "While those run, I will");
    let calls: Vec<_> = c
        .tool_calls
        .iter()
        .map(|t| {
            (
                t.index,
                t.id.as_str(),
                t.name.as_str(),
                &t.arguments,
                &t.invalid,
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            (0, "call_0", "get_weather", &json!({"city": "Paris"}), &None),
            (
                1,
                "fc_lyon",
                "get_weather",
                &json!({"city": "Lyon", "days": 2}),
                &None
            ),
        ]
    );
    assert_eq!(
        whole.usage,
        common::usage(Some(90), Some(40), None, None, Some(8))
    );
    assert_eq!(whole.cost.as_deref(), Some("0.00056400"));
}

/// The `type` of each event, in order.
fn kinds(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            serde_json::to_value(e).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// A call's signature closes the reasoning that led to it: it goes out
/// after the reasoning and before the call (the first call of the step),
/// streamed or not.
#[test]
fn gemini_signature_goes_out_before_the_call_it_signs() {
    let whole = response_events(WireFormat::Gemini, &read("gemini-max-tokens-calls.json"))
        .expect("a Gemini body");
    assert_eq!(
        kinds(&whole),
        [
            "start",
            "reasoningDelta",
            "reasoningSignature",
            "toolCallStart",
            "toolCallDelta",
            "toolCall",
            "toolCallStart",
            "toolCallDelta",
            "toolCall",
            "textDelta",
            "finish",
            "usage",
            "cost",
        ]
    );
    let (streamed, _) = decode_all(
        WireFormat::Gemini,
        read("gemini-max-tokens-calls.sse").as_bytes(),
    );
    let streamed = kinds(&streamed);
    let signed_call = [
        "reasoningSignature",
        "toolCallStart",
        "toolCallDelta",
        "toolCall",
    ];
    assert!(
        streamed.windows(4).any(|w| w == signed_call),
        "{streamed:?}"
    );
}

/// Checks that each hand-written body (paths under tests/fixtures) gives,
/// event for event, what a stream gives whose one data line is `chunk` of
/// the body (JSON strings hold no raw line breaks, so a body fits one line
/// once its line breaks are spaces), followed by `tail`.
fn assert_bodies_are_one_chunk(
    format: WireFormat,
    paths: &[&str],
    chunk: fn(&str) -> String,
    tail: &str,
) {
    for path in paths {
        let body = std::fs::read_to_string(common::fixtures().join(path)).unwrap();
        let whole = response_events(format, &body).unwrap_or_else(|e| panic!("{path}: {e}"));
        let line = chunk(&body.replace(['\r', '\n'], " "));
        let sse = format!("data: {line}\n\n{tail}");
        let (streamed, _) = decode_all(format, sse.as_bytes());
        assert_eq!(whole, streamed, "{path}");
    }
}

/// A Gemini body is one `GenerateContentResponse`, exactly one stream
/// chunk.
#[test]
fn a_gemini_body_decodes_as_its_one_chunk_stream() {
    assert_bodies_are_one_chunk(
        WireFormat::Gemini,
        &[
            "equivalence/gemini.json",
            "equivalence/gemini-max-tokens-calls.json",
            "nonstream/gemini-thought-function-call.json",
            "nonstream/gemini-text-max-tokens.json",
            "nonstream/gemini-blocked-prompt.json",
        ],
        str::to_owned,
        "",
    );
}

/// A completion is one chunk whose choices carry the whole `message` where
/// a chunk carries its `delta`.
#[test]
fn a_chat_completion_decodes_as_its_one_chunk_stream() {
    assert_bodies_are_one_chunk(
        WireFormat::Chat,
        &[
            "equivalence/chat.json",
            "equivalence/chat-compat-shapes.json",
            "nonstream/chat-invalid-and-valid-args.json",
            "nonstream/chat-length-cut-tool-call.json",
            "nonstream/chat-two-choices-refusal.json",
        ],
        |body| body.replace(r#""message":"#, r#""delta":"#),
        "data: [DONE]\n\n",
    );
}

/// What compatible servers send beyond OpenAI's shapes means the same in a
/// completion and in a stream: an empty `reasoning_content` beside
/// `reasoning`, `content` as an array of text parts, tool calls whose wire
/// indexes skip numbers (the unified index stays dense) and a call without
/// a tool name (never executable).
#[test]
fn chat_compatible_shapes_mean_the_same_streamed_or_whole() {
    let (streamed, whole) = both(WireFormat::Chat, "chat-compat-shapes");
    assert_eq!(streamed, whole);
    assert_eq!(whole.choices.len(), 1);
    let c = &whole.choices[0];
    assert_eq!(c.reasoning, "Two lookups; the third tool is unnamed.");
    assert_eq!(c.text, "Looking up both.");
    assert_eq!(c.finish_reason, Some(FinishReason::ToolCalls));
    let calls: Vec<_> = c
        .tool_calls
        .iter()
        .map(|t| (t.index, t.id.as_str(), t.name.as_str(), &t.arguments))
        .collect();
    assert_eq!(
        calls,
        [
            (0, "call_a", "lookup", &json!({"q": "a"})),
            (1, "call_b", "lookup", &json!({"q": "b"})),
            (2, "call_c", "", &serde_json::Value::Null),
        ]
    );
    assert_eq!(
        (&c.tool_calls[0].invalid, &c.tool_calls[1].invalid),
        (&None, &None)
    );
    let unnamed = c.tool_calls[2]
        .invalid
        .as_ref()
        .expect("an unnamed call is invalid");
    assert!(unnamed.reason.contains("never named"), "{}", unnamed.reason);
}

/// A Messages token limit cuts the block being generated, never the blocks
/// before it: a tool call followed by text the limit cut is whole and
/// executable, streamed or not; the choice finishes with `length`.
#[test]
fn messages_call_before_a_token_limit_is_whole_streamed_or_not() {
    let (streamed, whole) = both(WireFormat::Messages, "messages-max-tokens-after-call");
    assert_eq!(streamed, whole);
    assert_eq!(whole.choices.len(), 1);
    let c = &whole.choices[0];
    assert_eq!(c.finish_reason, Some(FinishReason::Length));
    assert_eq!(c.raw_finish_reason.as_deref(), Some("max_tokens"));
    assert_eq!(c.reasoning, "Look it up first.");
    assert_eq!(c.signature.as_deref(), Some("EqQB-max-sig=="));
    assert_eq!(c.text, "While that runs, the tides at");
    assert_eq!(c.tool_calls.len(), 1);
    let call = &c.tool_calls[0];
    assert_eq!(
        (call.id.as_str(), call.name.as_str()),
        ("toolu_first", "lookup")
    );
    assert_eq!(call.arguments, json!({"q": "tides"}));
    assert_eq!(call.invalid, None);
}

/// A tool call the token limit cut (the last block) is never executable. A
/// stream shows it by arguments that do not parse; a body's `input` is
/// always a whole object, so there the block the limit cut says it.
#[test]
fn messages_call_the_token_limit_cut_is_invalid_streamed_or_not() {
    let stream = concat!(
        "event: message_start\n",
        r#"data: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"m","usage":{"input_tokens":5,"output_tokens":1}}}"#,
        "\n\nevent: content_block_start\n",
        r#"data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_cut","name":"calc","input":{}}}"#,
        "\n\nevent: content_block_delta\n",
        r#"data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"expr\": \"1+"}}"#,
        "\n\nevent: content_block_stop\n",
        r#"data: {"type":"content_block_stop","index":0}"#,
        "\n\nevent: message_delta\n",
        r#"data: {"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":9}}"#,
        "\n\nevent: message_stop\n",
        r#"data: {"type":"message_stop"}"#,
        "\n\n",
    );
    let body = r#"{"id":"m","type":"message","role":"assistant","model":"m","content":[{"type":"tool_use","id":"toolu_cut","name":"calc","input":{"expr":"1+"}}],"stop_reason":"max_tokens","usage":{"input_tokens":5,"output_tokens":9}}"#;
    let (_, streamed) = decode_all(WireFormat::Messages, stream.as_bytes());
    let whole = decode_response(WireFormat::Messages, body).expect("a message");
    for m in [&streamed, &whole] {
        let c = &m.choices[0];
        assert_eq!(c.finish_reason, Some(FinishReason::Length));
        assert_eq!(c.tool_calls.len(), 1);
        assert_eq!(c.tool_calls[0].id, "toolu_cut");
        assert!(c.tool_calls[0].invalid.is_some(), "{m:?}");
    }
}

/// The stream a whole Messages body stands for: `message_start` (content
/// empty, no stop reason), each block whole in its `content_block_start`
/// and then stopped, the stop reason in `message_delta`, `message_stop`,
/// and Zen's cost in a ping.
fn messages_stream_of(body: &str) -> String {
    let frame =
        |v: serde_json::Value| format!("event: {}\ndata: {v}\n\n", v["type"].as_str().unwrap());
    let mut message: serde_json::Value = serde_json::from_str(body).unwrap();
    let object = message.as_object_mut().unwrap();
    let blocks = object.insert("content".into(), json!([])).unwrap();
    let stop_reason = object.insert("stop_reason".into(), json!(null));
    let cost = object.remove("cost");
    let mut sse = frame(json!({"type": "message_start", "message": message}));
    for (index, block) in blocks.as_array().unwrap().iter().enumerate() {
        sse +=
            &frame(json!({"type": "content_block_start", "index": index, "content_block": block}));
        sse += &frame(json!({"type": "content_block_stop", "index": index}));
    }
    sse += &frame(json!({"type": "message_delta", "delta": {"stop_reason": stop_reason}}));
    sse += &frame(json!({"type": "message_stop"}));
    if let Some(cost) = cost {
        sse += &frame(json!({"type": "ping", "cost": cost}));
    }
    sse
}

/// A whole message is a `message_start` whose content and stop reason are
/// filled in: it gives, event for event, what the stream it stands for
/// gives. (Not a body whose last block is a call the token limit cut: see
/// `messages_call_the_token_limit_cut_is_invalid_streamed_or_not`.)
#[test]
fn a_messages_body_decodes_as_the_stream_it_stands_for() {
    for path in [
        "equivalence/messages.json",
        "equivalence/messages-max-tokens-after-call.json",
        "nonstream/messages-refusal.json",
    ] {
        let body = std::fs::read_to_string(common::fixtures().join(path)).unwrap();
        let whole =
            response_events(WireFormat::Messages, &body).unwrap_or_else(|e| panic!("{path}: {e}"));
        let (streamed, _) = decode_all(WireFormat::Messages, messages_stream_of(&body).as_bytes());
        assert_eq!(whole, streamed, "{path}");
    }
}

/// A Responses token limit settles only the calls it cut: a call its item
/// reports completed is whole and executable, one still open is invalid,
/// streamed or not.
#[test]
fn responses_token_limit_settles_only_the_calls_it_cut() {
    let (streamed, whole) = both(WireFormat::Responses, "responses-incomplete-calls");
    assert_eq!(streamed, whole);
    let c = &whole.choices[0];
    assert_eq!(c.finish_reason, Some(FinishReason::Length));
    assert_eq!(c.raw_finish_reason.as_deref(), Some("max_output_tokens"));
    assert_eq!(c.reasoning, "Two searches.");
    assert_eq!(c.tool_calls.len(), 2);
    let (done, cut) = (&c.tool_calls[0], &c.tool_calls[1]);
    assert_eq!(
        (done.id.as_str(), &done.arguments),
        ("call_a", &json!({"q": "a"}))
    );
    assert_eq!(done.invalid, None);
    assert_eq!(cut.id, "call_b");
    let cut = cut.invalid.as_ref().expect("the cut call is invalid");
    assert_eq!(cut.raw_arguments, r#"{"q":"b"#);
    assert!(cut.reason.contains("token limit"), "{}", cut.reason);
}

/// A response the content filter stopped leaves its open call unusable,
/// and a response that failed without a word is a server error — streamed
/// or not.
#[test]
fn responses_filtered_or_failed_mean_the_same_streamed_or_whole() {
    let stream = concat!(
        r#"data: {"type":"response.created","response":{"id":"r","model":"m","status":"in_progress","output":[]}}"#,
        "\n\n",
        r#"data: {"type":"response.output_item.added","output_index":0,"item":{"id":"fc_1","type":"function_call","status":"in_progress","call_id":"call_1","name":"f","arguments":""}}"#,
        "\n\n",
        r#"data: {"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":0,"delta":"{\"x\":1}"}"#,
        "\n\n",
        r#"data: {"type":"response.incomplete","response":{"id":"r","model":"m","status":"incomplete","incomplete_details":{"reason":"content_filter"},"output":[]}}"#,
        "\n\n",
    );
    let body = r#"{"id":"r","object":"response","model":"m","status":"incomplete","incomplete_details":{"reason":"content_filter"},"output":[{"id":"fc_1","type":"function_call","status":"incomplete","call_id":"call_1","name":"f","arguments":"{\"x\":1}"}]}"#;
    let (_, streamed) = decode_all(WireFormat::Responses, stream.as_bytes());
    let whole = decode_response(WireFormat::Responses, body).expect("a response");
    assert_eq!(streamed, whole);
    let c = &whole.choices[0];
    assert_eq!(c.finish_reason, Some(FinishReason::ContentFilter));
    assert!(c.tool_calls[0].invalid.is_some(), "{c:?}");

    let stream = concat!(
        r#"data: {"type":"response.created","response":{"id":"r","model":"m","status":"in_progress","output":[]}}"#,
        "\n\n",
        r#"data: {"type":"response.failed","response":{"id":"r","model":"m","status":"failed","error":null,"output":[]}}"#,
        "\n\n",
    );
    let body =
        r#"{"id":"r","object":"response","model":"m","status":"failed","error":null,"output":[]}"#;
    let (_, streamed) = decode_all(WireFormat::Responses, stream.as_bytes());
    let streamed = streamed.error.expect("the stream's error");
    let whole = decode_response(WireFormat::Responses, body).unwrap_err();
    assert_eq!(
        (streamed.kind, streamed.retryable, streamed.message.as_str()),
        (whole.kind(), whole.retryable(), whole.message())
    );
    assert_eq!(whole.kind(), zenwire::ErrorKind::Server);
}

/// Two reasoning items: every part after the first (within an item or in a
/// later one) starts a new paragraph, and each item's encrypted content
/// signs the text of that item — in both paths.
#[test]
fn responses_reasoning_items_join_the_same_way() {
    let stream = concat!(
        "event: response.created\n",
        r#"data: {"type":"response.created","response":{"id":"resp_2r","status":"in_progress","model":"gpt-5","output":[]}}"#,
        "\n\n",
        r#"data: {"type":"response.reasoning_summary_text.delta","item_id":"rs_a","output_index":0,"summary_index":0,"delta":"First."}"#,
        "\n\n",
        r#"data: {"type":"response.reasoning_summary_text.delta","item_id":"rs_a","output_index":0,"summary_index":1,"delta":"Second."}"#,
        "\n\n",
        r#"data: {"type":"response.output_item.done","output_index":0,"item":{"id":"rs_a","type":"reasoning","encrypted_content":"enc-a","summary":[{"type":"summary_text","text":"First."},{"type":"summary_text","text":"Second."}]}}"#,
        "\n\n",
        r#"data: {"type":"response.reasoning_summary_text.delta","item_id":"rs_b","output_index":1,"summary_index":0,"delta":"Third."}"#,
        "\n\n",
        r#"data: {"type":"response.output_item.done","output_index":1,"item":{"id":"rs_b","type":"reasoning","encrypted_content":"enc-b","summary":[{"type":"summary_text","text":"Third."}]}}"#,
        "\n\n",
        r#"data: {"type":"response.output_text.delta","item_id":"msg_c","output_index":2,"content_index":0,"delta":"Done."}"#,
        "\n\n",
        r#"data: {"type":"response.completed","response":{"id":"resp_2r","status":"completed","model":"gpt-5","output":[],"usage":{"input_tokens":10,"output_tokens":5}}}"#,
        "\n\n",
    );
    let body = r#"{"id":"resp_2r","object":"response","status":"completed","model":"gpt-5","error":null,"output":[
        {"id":"rs_a","type":"reasoning","encrypted_content":"enc-a","summary":[{"type":"summary_text","text":"First."},{"type":"summary_text","text":"Second."}]},
        {"id":"rs_b","type":"reasoning","encrypted_content":"enc-b","summary":[{"type":"summary_text","text":"Third."}]},
        {"id":"msg_c","type":"message","role":"assistant","content":[{"type":"output_text","text":"Done."}]}
    ],"usage":{"input_tokens":10,"output_tokens":5}}"#;
    let (_, streamed) = decode_all(WireFormat::Responses, stream.as_bytes());
    let whole = decode_response(WireFormat::Responses, body).expect("a Responses object");
    assert_eq!(streamed, whole);
    let c = &whole.choices[0];
    assert_eq!(c.reasoning, "First.\n\nSecond.\n\nThird.");
    assert_eq!(c.text, "Done.");
    assert_eq!(
        c.reasoning_blocks,
        [
            ReasoningBlock::Thinking {
                text: "First.\n\nSecond.".into(),
                signature: Some("enc-a".into())
            },
            ReasoningBlock::Thinking {
                text: "\n\nThird.".into(),
                signature: Some("enc-b".into())
            },
        ]
    );
}

/// A minimal answer ("hi") of `format` with this usage object, as a stream
/// and as a body.
fn minimal_pair(format: WireFormat, usage: &str) -> (String, String) {
    match format {
        WireFormat::Chat => (
            format!(
                "data: {{\"id\":\"c\",\"model\":\"m\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"hi\"}},\"finish_reason\":\"stop\"}}]}}\n\n\
                 data: {{\"id\":\"c\",\"model\":\"m\",\"choices\":[],\"usage\":{usage}}}\n\ndata: [DONE]\n\n"
            ),
            format!(
                r#"{{"id":"c","object":"chat.completion","model":"m","choices":[{{"index":0,"message":{{"role":"assistant","content":"hi"}},"finish_reason":"stop"}}],"usage":{usage}}}"#
            ),
        ),
        WireFormat::Responses => (
            format!(
                "event: response.output_text.delta\n\
                 data: {{\"type\":\"response.output_text.delta\",\"output_index\":0,\"content_index\":0,\"delta\":\"hi\"}}\n\n\
                 event: response.completed\n\
                 data: {{\"type\":\"response.completed\",\"response\":{{\"id\":\"r\",\"status\":\"completed\",\"model\":\"m\",\"output\":[],\"usage\":{usage}}}}}\n\n"
            ),
            format!(
                r#"{{"id":"r","object":"response","status":"completed","model":"m","output":[{{"id":"m1","type":"message","role":"assistant","content":[{{"type":"output_text","text":"hi"}}]}}],"usage":{usage}}}"#
            ),
        ),
        WireFormat::Messages => (
            format!(
                "event: message_start\n\
                 data: {{\"type\":\"message_start\",\"message\":{{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"m\",\"usage\":{usage}}}}}\n\n\
                 event: content_block_start\n\
                 data: {{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{{\"type\":\"text\",\"text\":\"hi\"}}}}\n\n\
                 event: content_block_stop\n\
                 data: {{\"type\":\"content_block_stop\",\"index\":0}}\n\n\
                 event: message_delta\n\
                 data: {{\"type\":\"message_delta\",\"delta\":{{\"stop_reason\":\"end_turn\"}}}}\n\n\
                 event: message_stop\n\
                 data: {{\"type\":\"message_stop\"}}\n\n"
            ),
            format!(
                r#"{{"id":"m","type":"message","role":"assistant","model":"m","content":[{{"type":"text","text":"hi"}}],"stop_reason":"end_turn","usage":{usage}}}"#
            ),
        ),
        WireFormat::Gemini => (
            format!(
                "data: {{\"candidates\":[{{\"content\":{{\"parts\":[{{\"text\":\"hi\"}}],\"role\":\"model\"}},\"finishReason\":\"STOP\",\"index\":0}}],\"usageMetadata\":{usage},\"responseId\":\"r\",\"modelVersion\":\"m\"}}\n\n"
            ),
            format!(
                r#"{{"candidates":[{{"content":{{"parts":[{{"text":"hi"}}],"role":"model"}},"finishReason":"STOP","index":0}}],"usageMetadata":{usage},"responseId":"r","modelVersion":"m"}}"#
            ),
        ),
    }
}

/// Both halves of [`minimal_pair`], checked to decode without error to the
/// same choices; the two messages.
fn minimal_both_ways(format: WireFormat, stream: &str, body: &str) -> (Message, Message) {
    let (events, streamed) = decode_all(format, stream.as_bytes());
    assert!(
        !events.iter().any(|e| matches!(e, Event::Error { .. })),
        "{format} {stream}: {events:?}"
    );
    let whole = decode_response(format, body).unwrap_or_else(|e| panic!("{format} {body}: {e}"));
    assert_eq!(streamed.choices, whole.choices, "{format} {body}");
    (streamed, whole)
}

/// A usage object of `format` in a minimal stream and in a minimal body;
/// the usage each path reports.
fn usage_both_ways(format: WireFormat, usage: &str) -> (Usage, Usage) {
    let (stream, body) = minimal_pair(format, usage);
    let (streamed, whole) = minimal_both_ways(format, &stream, &body);
    (streamed.usage, whole.usage)
}

#[test]
fn usage_objects_count_the_same_streamed_or_whole() {
    use common::usage as u;
    let cases: &[(WireFormat, &str, Usage)] = &[
        // Cache writes are inside prompt_tokens, as cache reads are.
        (
            WireFormat::Chat,
            r#"{"prompt_tokens":100,"completion_tokens":10,"prompt_tokens_details":{"cached_tokens":60,"cache_write_tokens":30}}"#,
            u(Some(10), Some(10), Some(60), Some(30), None),
        ),
        // A top-level cached_tokens (no details object).
        (
            WireFormat::Chat,
            r#"{"prompt_tokens":100,"completion_tokens":10,"cached_tokens":40}"#,
            u(Some(60), Some(10), Some(40), None, None),
        ),
        // The details' count wins over a top-level one.
        (
            WireFormat::Chat,
            r#"{"prompt_tokens":100,"completion_tokens":10,"cached_tokens":40,"prompt_tokens_details":{"cached_tokens":50}}"#,
            u(Some(50), Some(10), Some(50), None, None),
        ),
        // Counts as integral floats, exponents and strings all count.
        (
            WireFormat::Chat,
            r#"{"prompt_tokens":"100","completion_tokens":1e1,"completion_tokens_details":{"reasoning_tokens":4.0}}"#,
            u(Some(100), Some(10), None, None, Some(4)),
        ),
        // xAI: reasoning outside completion_tokens (total says so).
        (
            WireFormat::Chat,
            r#"{"prompt_tokens":100,"completion_tokens":10,"total_tokens":114,"completion_tokens_details":{"reasoning_tokens":4}}"#,
            u(Some(100), Some(14), None, None, Some(4)),
        ),
        // What is no count is unknown, and costs nothing else.
        (
            WireFormat::Chat,
            r#"{"prompt_tokens":-1,"completion_tokens":1.5,"prompt_tokens_details":{"cached_tokens":true}}"#,
            u(None, None, None, None, None),
        ),
        (
            WireFormat::Responses,
            r#"{"input_tokens":"100","output_tokens":2e1,"input_tokens_details":{"cached_tokens":30.0},"output_tokens_details":{"reasoning_tokens":"5"}}"#,
            u(Some(70), Some(20), Some(30), None, Some(5)),
        ),
        (
            WireFormat::Responses,
            r#"{"input_tokens":1.5,"output_tokens":null}"#,
            u(None, None, None, None, None),
        ),
        (
            WireFormat::Messages,
            r#"{"input_tokens":10.0,"output_tokens":"7","cache_read_input_tokens":5e1,"cache_creation_input_tokens":" 20 ","output_tokens_details":{"thinking_tokens":3}}"#,
            u(Some(10), Some(7), Some(50), Some(20), Some(3)),
        ),
        (
            WireFormat::Messages,
            r#"{"input_tokens":-3,"output_tokens":{"n":1}}"#,
            u(None, None, None, None, None),
        ),
        (
            WireFormat::Gemini,
            r#"{"promptTokenCount":"100","candidatesTokenCount":2.0e1,"thoughtsTokenCount":5,"cachedContentTokenCount":40.0}"#,
            u(Some(60), Some(25), Some(40), None, Some(5)),
        ),
        (
            WireFormat::Gemini,
            r#"{"promptTokenCount":false,"candidatesTokenCount":0.5}"#,
            u(None, None, None, None, None),
        ),
    ];
    for (format, usage, want) in cases {
        let (streamed, whole) = usage_both_ways(*format, usage);
        assert_eq!(&streamed, want, "{format} stream: {usage}");
        assert_eq!(&whole, want, "{format} body: {usage}");
    }
}

/// Zen's `cost` means the same in the stream's cost frame and at the top of
/// a body: a decimal string (trimmed), a number written out in plain
/// decimals, and nothing for an empty string or another type.
#[test]
fn costs_read_the_same_streamed_or_whole() {
    let cases: &[(&str, Option<&str>)] = &[
        (r#""0.00001400""#, Some("0.00001400")),
        (r#"" 0.5 ""#, Some("0.5")),
        ("1e-8", Some("0.00000001")),
        ("0", Some("0")),
        (r#""""#, None),
        ("null", None),
        ("true", None),
    ];
    for format in WireFormat::ALL {
        for (cost, want) in cases {
            let (mut stream, body) = minimal_pair(format, "{}");
            stream.push_str(&match format {
                WireFormat::Chat => format!("data: {{\"choices\":[],\"cost\":{cost}}}\n\n"),
                _ => format!("event: ping\ndata: {{\"type\":\"ping\",\"cost\":{cost}}}\n\n"),
            });
            let body = format!("{},\"cost\":{cost}}}", body.strip_suffix('}').unwrap());
            let (streamed, whole) = minimal_both_ways(format, &stream, &body);
            assert_eq!(streamed.cost.as_deref(), *want, "{format} stream: {cost}");
            assert_eq!(whole.cost.as_deref(), *want, "{format} body: {cost}");
        }
    }
}

/// A call that names no tool cannot be executed: every format reports it
/// invalid, streamed or whole.
#[test]
fn a_call_without_a_tool_name_is_invalid_in_every_format() {
    let cases = [
        (
            WireFormat::Chat,
            concat!(
                r#"data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"arguments":"{}"}}]}}]}"#,
                "\n\n",
                r#"data: {"id":"c","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
                "\n\ndata: [DONE]\n\n",
            ),
            r#"{"id":"c","model":"m","choices":[{"index":0,"message":{"tool_calls":[{"id":"call_1","type":"function","function":{"arguments":"{}"}}]},"finish_reason":"tool_calls"}]}"#,
        ),
        (
            WireFormat::Responses,
            concat!(
                r#"data: {"type":"response.created","response":{"id":"r","model":"m","status":"in_progress","output":[]}}"#,
                "\n\n",
                r#"data: {"type":"response.output_item.done","output_index":0,"item":{"id":"fc_1","type":"function_call","status":"completed","call_id":"call_1","arguments":"{}"}}"#,
                "\n\n",
                r#"data: {"type":"response.completed","response":{"id":"r","model":"m","status":"completed","output":[]}}"#,
                "\n\n",
            ),
            r#"{"id":"r","object":"response","model":"m","status":"completed","output":[{"id":"fc_1","type":"function_call","status":"completed","call_id":"call_1","arguments":"{}"}]}"#,
        ),
        (
            WireFormat::Messages,
            concat!(
                r#"data: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"m"}}"#,
                "\n\n",
                r#"data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","input":{}}}"#,
                "\n\n",
                r#"data: {"type":"content_block_stop","index":0}"#,
                "\n\n",
                r#"data: {"type":"message_delta","delta":{"stop_reason":"tool_use"}}"#,
                "\n\n",
                r#"data: {"type":"message_stop"}"#,
                "\n\n",
            ),
            r#"{"id":"m","type":"message","role":"assistant","model":"m","content":[{"type":"tool_use","id":"toolu_1","input":{}}],"stop_reason":"tool_use"}"#,
        ),
        (
            WireFormat::Gemini,
            concat!(
                r#"data: {"candidates":[{"content":{"parts":[{"functionCall":{"args":{}}}],"role":"model"},"finishReason":"STOP","index":0}],"responseId":"g","modelVersion":"m"}"#,
                "\n\n",
            ),
            r#"{"candidates":[{"content":{"parts":[{"functionCall":{"args":{}}}],"role":"model"},"finishReason":"STOP","index":0}],"responseId":"g","modelVersion":"m"}"#,
        ),
    ];
    for (format, stream, body) in cases {
        let (streamed, whole) = minimal_both_ways(format, stream, body);
        assert_eq!(streamed, whole, "{format}");
        let calls = &whole.choices[0].tool_calls;
        assert_eq!(calls.len(), 1, "{format}");
        let invalid = calls[0].invalid.as_ref();
        assert!(
            invalid.is_some_and(|i| i.reason.contains("never named")),
            "{format}: {calls:?}"
        );
    }
}

/// An error means the same streamed or whole: every hand-written error
/// body (tests/fixtures/errors, and the ones below) that a body of a format
/// reports as an error, the stream of that format reports with the same
/// kind when the body arrives as a data line.
#[test]
fn an_error_means_the_same_streamed_or_whole() {
    let dir = common::fixtures().join("errors");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut bodies: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(p).unwrap())
        })
        .collect();
    // OpenAI's overload: the specific code beats the generic type.
    let overloaded = r#"{"error":{"code":"server_is_overloaded","message":"Overloaded","param":null,"type":"server_error"}}"#;
    bodies.push(("server_is_overloaded".into(), overloaded.into()));
    let mut compared = 0;
    for (name, body) in &bodies {
        for format in WireFormat::ALL {
            let Err(whole) = decode_response(format, body) else {
                panic!("{format} {name}: an error body decoded as an answer");
            };
            if whole.status() != Some(200) {
                continue; // not an error body of this format (a protocol error)
            }
            let sse = format!("data: {}\n\n", body.replace(['\r', '\n'], " "));
            let (events, _) = decode_all(format, sse.as_bytes());
            let streamed = events.iter().find_map(|e| match e {
                Event::Error {
                    kind, retryable, ..
                } => Some((*kind, *retryable)),
                _ => None,
            });
            assert_eq!(
                streamed,
                Some((whole.kind(), whole.retryable())),
                "{format} {name}"
            );
            compared += 1;
        }
    }
    assert!(compared >= 60, "only {compared} comparisons");
    let whole = decode_response(WireFormat::Chat, overloaded).unwrap_err();
    assert_eq!(whole.kind(), zenwire::ErrorKind::Overloaded);
}
