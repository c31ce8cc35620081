//! How a stream ends, in every format.
//!
//! `EventDecoder::terminal_seen`: whether a stream's terminal frame has been decoded,
//! i.e. whether the usage seen so far is final. The relay prices a stream
//! cut before that point at its reservation, so every format is checked
//! frame by frame: false through the interim usage, true from the terminal
//! frame on, and false when the stream ends in an error instead.
//!
//! And what a body that ends early yields, the same in every format: no
//! event at all (an empty body, or only comments and blank lines) is one
//! protocol error; frames but no terminal frame is one retryable network
//! error (the connection was cut); a whole stream, or one that ended in its
//! own error, gets neither.

use zenwire::error::ErrorKind;
use zenwire::event::Event;
use zenwire::stream::{EventDecoder, StreamDecoder};
use zenwire::wire::WireFormat;

/// Feeds `frames` one by one and returns `terminal_seen()` after each.
fn ended_after_each(format: WireFormat, frames: &[&str]) -> Vec<bool> {
    let mut d = EventDecoder::new(format);
    let mut out: Vec<Event> = Vec::new();
    frames
        .iter()
        .map(|f| {
            d.push(f.as_bytes(), &mut out);
            d.terminal_seen()
        })
        .collect()
}

#[test]
fn chat_ends_at_done_or_usage_after_finish() {
    let frames = [
        "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n",
        "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n",
        "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}\n\n",
        "data: [DONE]\n\n",
    ];
    assert_eq!(
        ended_after_each(WireFormat::Chat, &frames),
        [false, false, false, true, true]
    );
    // A provider that sends usage on every chunk: only usage at or after a
    // finish reason is final.
    let per_chunk = [
        "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}\n\n",
        "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":9}}\n\n",
    ];
    assert_eq!(
        ended_after_each(WireFormat::Chat, &per_chunk),
        [false, true]
    );
    // `[DONE]` alone ends it, split across pieces too.
    assert_eq!(
        ended_after_each(WireFormat::Chat, &["data: [DO", "NE]\n", "\n"]),
        [false, false, true]
    );
    // A finish reason without usage is not the end (the usage chunk follows).
    assert_eq!(ended_after_each(WireFormat::Chat, &frames[..3]), [false; 3]);
}

#[test]
fn messages_ends_at_message_delta_or_stop_not_at_start_or_error() {
    let start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"x\",\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n";
    let block = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
    let text = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n";
    let delta = "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":7}}\n\n";
    let stop = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    let error = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
    assert_eq!(
        ended_after_each(WireFormat::Messages, &[start, block, text, delta, stop]),
        [false, false, false, true, true]
    );
    assert_eq!(
        ended_after_each(WireFormat::Messages, &[start, block, text, stop]),
        [false, false, false, true]
    );
    assert_eq!(
        ended_after_each(WireFormat::Messages, &[start, block, text, error]),
        [false; 4]
    );
}

#[test]
fn responses_ends_at_completed_incomplete_or_failed() {
    let created = "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"r\",\"model\":\"x\"}}\n\n";
    let text = "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"output_index\":0,\"content_index\":0,\"delta\":\"hi\"}\n\n";
    let usage = "\"usage\":{\"input_tokens\":5,\"output_tokens\":2}";
    for terminal in [
        "response.completed",
        "response.incomplete",
        "response.failed",
    ] {
        let end = format!(
            "event: {terminal}\ndata: {{\"type\":\"{terminal}\",\"response\":{{\"id\":\"r\",{usage}}}}}\n\n"
        );
        assert_eq!(
            ended_after_each(WireFormat::Responses, &[created, text, &end]),
            [false, false, true],
            "{terminal}"
        );
    }
    let error = "event: error\ndata: {\"type\":\"error\",\"code\":\"server_error\",\"message\":\"boom\"}\n\n";
    assert_eq!(
        ended_after_each(WireFormat::Responses, &[created, text, error]),
        [false; 3]
    );
}

#[test]
fn gemini_ends_when_every_candidate_finished_with_usage() {
    let usage = "\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":1}";
    let text = format!("data: {{\"candidates\":[{{\"content\":{{\"parts\":[{{\"text\":\"hi\"}}]}}}}],{usage}}}\n\n");
    let done = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"!\"}]},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":2}}\n\n";
    assert_eq!(
        ended_after_each(WireFormat::Gemini, &[&text, done]),
        [false, true]
    );
    // Usage only in a later chunk: ended once it arrives.
    let finish_only =
        "data: {\"candidates\":[{\"content\":{\"parts\":[]},\"finishReason\":\"STOP\"}]}\n\n";
    let usage_only = format!("data: {{{usage}}}\n\n");
    assert_eq!(
        ended_after_each(WireFormat::Gemini, &[finish_only, &usage_only]),
        [false, true]
    );
    // Two candidates: one finished is not the end.
    let two = "data: {\"candidates\":[{\"index\":0,\"content\":{\"parts\":[{\"text\":\"a\"}]},\"finishReason\":\"STOP\"},{\"index\":1,\"content\":{\"parts\":[{\"text\":\"b\"}]}}],\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":2}}\n\n";
    let second = "data: {\"candidates\":[{\"index\":1,\"content\":{\"parts\":[]},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":3}}\n\n";
    assert_eq!(
        ended_after_each(WireFormat::Gemini, &[two, second]),
        [false, true]
    );
    // An error is not an end with final usage.
    let error = "data: {\"error\":{\"code\":503,\"message\":\"overloaded\",\"status\":\"UNAVAILABLE\"}}\n\n";
    assert_eq!(
        ended_after_each(WireFormat::Gemini, &[&text, error]),
        [false, false]
    );
}

/// The format's name in its messages, and a whole stream of it: frames up to
/// and including the terminal one.
fn whole_stream(format: WireFormat) -> (&'static str, Vec<&'static str>) {
    match format {
        WireFormat::Chat => ("chat", vec![
            "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"hi\"}}]}\n\n",
            "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
            "data: [DONE]\n\n",
        ]),
        WireFormat::Responses => ("responses", vec![
            "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"r\",\"model\":\"x\"}}\n\n",
            "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"output_index\":0,\"content_index\":0,\"delta\":\"hi\"}\n\n",
            "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"r\",\"status\":\"completed\"}}\n\n",
        ]),
        WireFormat::Messages => ("Messages", vec![
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"x\"}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"hi\"}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
        ]),
        WireFormat::Gemini => ("Gemini", vec![
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hi\"}]}}]}\n\n",
            "data: {\"candidates\":[{\"content\":{\"parts\":[]},\"finishReason\":\"STOP\"}]}\n\n",
        ]),
    }
}

const FORMATS: [WireFormat; 4] = [
    WireFormat::Chat,
    WireFormat::Responses,
    WireFormat::Messages,
    WireFormat::Gemini,
];

/// The errors of `body` decoded in one piece and byte by byte (the same
/// either way), and of the accumulated message.
fn end_errors(format: WireFormat, body: &str) -> Vec<(ErrorKind, String, bool)> {
    let decode = |pieces: Vec<&[u8]>| {
        let mut d = StreamDecoder::new(format);
        let mut out = Vec::new();
        for piece in pieces {
            d.push(piece, &mut out);
        }
        d.finish(&mut out);
        let errors: Vec<_> = out
            .into_iter()
            .filter_map(|e| match e {
                Event::Error {
                    kind,
                    message,
                    retryable,
                } => Some((kind, message, retryable)),
                _ => None,
            })
            .collect();
        let last = d.message().error.as_ref().map(|e| e.kind);
        assert_eq!(last, errors.last().map(|e| e.0), "{format}: {body:?}");
        errors
    };
    let whole = decode(vec![body.as_bytes()]);
    let bytewise = decode(body.as_bytes().chunks(1).collect());
    assert_eq!(whole, bytewise, "{format}: {body:?}");
    whole
}

#[test]
fn a_body_without_any_event_is_one_protocol_error_in_every_format() {
    for format in FORMATS {
        let (name, _) = whole_stream(format);
        let expected = vec![(
            ErrorKind::Protocol,
            format!("the {name} stream ended without any event"),
            false,
        )];
        for body in ["", "\n\n\n", ": ping\n\n: keep-alive\r\n\r\n\r\r", ":\n"] {
            assert_eq!(end_errors(format, body), expected, "{format}: {body:?}");
        }
    }
}

#[test]
fn a_body_cut_before_its_terminal_frame_is_one_network_error_in_every_format() {
    for format in FORMATS {
        let (name, frames) = whole_stream(format);
        let whole = frames.concat();
        assert_eq!(end_errors(format, &whole), [], "{format}");
        // With comments and blank lines around the frames, and without the
        // final blank line, it is whole all the same.
        let padded = format!(": hi\n\n{}\n: bye\n", whole.trim_end());
        assert_eq!(end_errors(format, &padded), [], "{format}");
        for cut in 1..frames.len() {
            let body = frames[..cut].concat();
            match &end_errors(format, &body)[..] {
                [(ErrorKind::Network, message, true)] => assert!(
                    message.starts_with(&format!("the {name} stream ended before ")),
                    "{format}: {message}"
                ),
                other => panic!("{format} cut after {cut} frames: {other:?}"),
            }
        }
    }
}

#[test]
fn a_stream_that_reports_its_own_error_is_not_also_cut() {
    let errors = [
        (WireFormat::Chat, "data: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}\n\n"),
        (WireFormat::Responses, "event: error\ndata: {\"type\":\"error\",\"code\":\"server_error\",\"message\":\"boom\"}\n\n"),
        (WireFormat::Messages, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"boom\"}}\n\n"),
        (WireFormat::Gemini, "data: {\"error\":{\"code\":500,\"message\":\"boom\",\"status\":\"INTERNAL\"}}\n\n"),
    ];
    for (format, error) in errors {
        let (_, frames) = whole_stream(format);
        for body in [error.to_owned(), format!("{}{error}", frames[0])] {
            match &end_errors(format, &body)[..] {
                [(ErrorKind::Server, message, true)] => assert_eq!(message, "boom"),
                other => panic!("{format} {body:?}: {other:?}"),
            }
        }
    }
}

#[test]
fn a_second_response_cut_short_is_cut_though_the_first_completed() {
    let (_, frames) = whole_stream(WireFormat::Responses);
    let body = format!("{}{}{}", frames.concat(), frames[0], frames[1]);
    assert!(matches!(
        end_errors(WireFormat::Responses, &body)[..],
        [(ErrorKind::Network, _, true)]
    ));
    let mut d = EventDecoder::new(WireFormat::Responses);
    let mut out = Vec::new();
    d.push(body.as_bytes(), &mut out);
    assert!(
        !d.terminal_seen(),
        "the second response's usage is not final"
    );
}

/// The calls begun in `events` and not finished, with their arguments so
/// far, by choice: what the message's `forming_tool_calls` must hold.
fn forming_in(events: &[Event]) -> Vec<(u32, u32, String, String, String)> {
    let mut forming: Vec<(u32, u32, String, String, String)> = Vec::new();
    for ev in events {
        match ev {
            Event::ToolCallStart {
                choice,
                index,
                id,
                name,
            } => forming.push((*choice, *index, id.clone(), name.clone(), String::new())),
            Event::ToolCallDelta {
                choice,
                index,
                arguments_delta,
            } => {
                let call = forming.iter_mut().find(|c| (c.0, c.1) == (*choice, *index));
                call.expect("a delta of a started call").4 += arguments_delta;
            }
            Event::ToolCall { choice, index, .. }
            | Event::ToolCallInvalid { choice, index, .. } => {
                forming.retain(|c| (c.0, c.1) != (*choice, *index));
            }
            _ => {}
        }
    }
    forming
}

#[test]
fn a_tool_call_forms_in_the_message_until_it_finishes_and_a_cut_one_stays_forming() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let cases = [
        (WireFormat::Chat, "chat/tool-fragments.sse"),
        (WireFormat::Chat, "chat/tool-same-chunk.sse"),
        (WireFormat::Responses, "responses/function-call.sse"),
        (WireFormat::Messages, "messages/tool-use.sse"),
        (WireFormat::Messages, "messages/tool-truncated.sse"),
        (WireFormat::Gemini, "gemini/parallel-calls.sse"),
    ];
    for (format, rel) in cases {
        let body = std::fs::read(fixtures.join(rel)).expect(rel);
        let mut d = StreamDecoder::new(format);
        let mut events = Vec::new();
        let mut seen_forming = false;
        for byte in body.chunks(1) {
            d.push(byte, &mut events);
            // The message as a cut stream leaves it: calls not finished yet.
            let got: Vec<_> = d
                .message()
                .choices
                .iter()
                .flat_map(|c| {
                    c.forming_tool_calls.iter().map(|t| {
                        let (id, name) = (t.id.clone(), t.name.clone());
                        (c.index, t.index, id, name, t.raw_arguments.clone())
                    })
                })
                .collect();
            assert_eq!(got, forming_in(&events), "{rel}");
            seen_forming |= got.iter().any(|c| !c.4.is_empty());
        }
        assert!(
            seen_forming || format == WireFormat::Gemini,
            "{rel}: no call formed"
        );
        d.finish(&mut events);
        let m = d.message();
        assert!(
            m.choices.iter().all(|c| c.forming_tool_calls.is_empty()),
            "{rel}"
        );
        assert!(m.choices.iter().any(|c| !c.tool_calls.is_empty()), "{rel}");
    }
}
