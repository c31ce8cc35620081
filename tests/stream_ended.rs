//! `EventDecoder::terminal_seen`: whether a stream's terminal frame has been decoded,
//! i.e. whether the usage seen so far is final. The relay prices a stream
//! cut before that point at its reservation, so every format is checked
//! frame by frame: false through the interim usage, true from the terminal
//! frame on, and false when the stream ends in an error instead.

use zenwire::event::Event;
use zenwire::stream::EventDecoder;
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
