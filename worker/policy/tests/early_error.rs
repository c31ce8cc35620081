//! The first-chunk check that lets the relay retry an overloaded 200 stream.

use zenwire::error::ErrorKind;
use zenwire::event::Event;
use zenwire::wire::WireFormat;
use zenwire_relay_policy::config::RelayConfig;
use zenwire_relay_policy::early_error::error_before_output;

fn kind(e: Option<Event>) -> Option<(ErrorKind, bool)> {
    match e {
        Some(Event::Error {
            kind, retryable, ..
        }) => Some((kind, retryable)),
        _ => None,
    }
}

#[test]
fn overloaded_first_event_is_found_in_every_streaming_dialect() {
    let chat = b"data: {\"error\":{\"code\":\"overloaded\",\"message\":\"Error from provider: Overloaded\",\"param\":null,\"type\":\"overloaded_error\"}}\n\n";
    let messages = b"event: error\ndata: {\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\"},\"type\":\"error\"}\n\n";
    let responses = b"event: error\ndata: {\"error\":{\"code\":\"server_is_overloaded\",\"message\":\"Overloaded\",\"param\":null,\"type\":\"server_error\"},\"sequence_number\":0,\"type\":\"error\"}\n\n";
    for (format, bytes) in [
        (WireFormat::Chat, &chat[..]),
        (WireFormat::Messages, &messages[..]),
        (WireFormat::Responses, &responses[..]),
    ] {
        let (k, retryable) = kind(error_before_output(format, bytes)).unwrap();
        assert_eq!(k, ErrorKind::Overloaded, "{format:?}");
        assert!(retryable, "{format:?}");
    }
}

#[test]
fn an_error_after_output_is_not_reported() {
    let chunk = b"data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n\
data: {\"error\":{\"code\":\"overloaded\",\"message\":\"Overloaded\",\"type\":\"overloaded_error\"}}\n\n";
    assert_eq!(kind(error_before_output(WireFormat::Chat, chunk)), None);
}

#[test]
fn plain_and_partial_and_garbage_chunks_report_nothing() {
    let text = b"data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n";
    assert_eq!(kind(error_before_output(WireFormat::Chat, text)), None);
    // Half an error event: not yet an event, so not an error.
    assert_eq!(
        kind(error_before_output(
            WireFormat::Chat,
            b"data: {\"error\":{\"code\":\"overl"
        )),
        None
    );
    assert_eq!(kind(error_before_output(WireFormat::Chat, b"")), None);
}

#[test]
fn retry_after_cap_is_configurable_with_a_default() {
    let default = RelayConfig::from_vars(|_| None).unwrap();
    assert_eq!(default.retry_after_cap_ms, 10_000);
    let set =
        RelayConfig::from_vars(|k| (k == "RETRY_AFTER_CAP_MS").then(|| "2500".into())).unwrap();
    assert_eq!(set.retry_after_cap_ms, 2_500);
    let bad = RelayConfig::from_vars(|k| (k == "RETRY_AFTER_CAP_MS").then(|| "soon".into()));
    assert_eq!(bad.unwrap_err().var, "RETRY_AFTER_CAP_MS");
}

#[test]
fn an_event_split_over_chunks_is_decided_once_complete() {
    use zenwire_relay_policy::early_error::{Opening, OpeningScan};
    let mut scan = OpeningScan::new(WireFormat::Messages);
    assert_eq!(scan.push(b"event: error\n"), Opening::NeedMore);
    assert_eq!(
        scan.push(b"data: {\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\"},"),
        Opening::NeedMore
    );
    match scan.push(b"\"type\":\"error\"}\n\n") {
        Opening::Error(Event::Error { kind, .. }) => assert_eq!(kind, ErrorKind::Overloaded),
        other => panic!("{other:?}"),
    }
    // A normal opening is decided as soon as its first event is complete.
    let mut ok = OpeningScan::new(WireFormat::Messages);
    assert_eq!(ok.push(b"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"x\",\"content\":[],\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n"), Opening::NeedMore);
    assert_eq!(ok.push(b"\n"), Opening::Fine);
}

#[test]
fn an_opening_without_events_is_not_held_forever() {
    use zenwire_relay_policy::early_error::{Opening, OpeningScan, MAX_HELD_BYTES};
    let mut scan = OpeningScan::new(WireFormat::Chat);
    let comment = vec![b':'; 1024];
    let mut decided = None;
    for i in 0..(MAX_HELD_BYTES / 1024 + 2) {
        match scan.push(&comment) {
            Opening::NeedMore => continue,
            other => {
                decided = Some((i, other));
                break;
            }
        }
    }
    let (i, verdict) = decided.expect("decided within the hold limit");
    assert_eq!(verdict, Opening::Fine);
    assert_eq!(i + 1, MAX_HELD_BYTES / 1024);
}
