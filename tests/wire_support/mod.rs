//! Test-only helpers for the wire decoder tests: a minimal SSE splitter (so
//! the wire decoders can be tested independently of `zenwire::sse`) and the
//! two decoding paths every fixture is checked through.
#![allow(dead_code)]

use zenwire::event::{Accumulator, Event, Message};
use zenwire::sse::SseEvent;
use zenwire::wire::{WireDecoder, WireFormat};

/// What a decoding path returns: the events and the message they fold into.
pub type Decoded = (Vec<Event>, Message);

/// One decoding path for a whole SSE body.
pub type Decode = fn(&[u8]) -> Decoded;

/// Declares every fixture case as two tests, one per decoding path:
/// `via_test_splitter` (the test-only splitter feeding decoder `$decoder`
/// alone) and `via_stream_decoder` (the crate's `StreamDecoder` for
/// `$format`, i.e. the real SSE decoder end to end). Each case is a
/// `fn(Decode)` in the invoking file.
#[macro_export]
macro_rules! both_paths {
    ($decoder:ty, $format:expr; $($case:ident),* $(,)?) => {
        fn splitter(body: &[u8]) -> $crate::wire_support::Decoded {
            $crate::wire_support::via_splitter::<$decoder>(body)
        }
        fn stream(body: &[u8]) -> $crate::wire_support::Decoded {
            $crate::wire_support::via_stream($format, body)
        }
        mod via_test_splitter {
            $( #[test] fn $case() { super::$case(super::splitter) } )*
        }
        mod via_stream_decoder {
            $( #[test] fn $case() { super::$case(super::stream) } )*
        }
    };
}

/// Splits an SSE body into events: CR, LF and CRLF line ends; `event:` and
/// `data:` fields (one optional space after the colon); data lines joined
/// with `\n`; comments and other fields ignored. Like the lenient decoder,
/// an event not closed by a blank line at the end of the body is kept.
pub fn split_sse(body: &[u8]) -> Vec<SseEvent> {
    let text = String::from_utf8_lossy(body)
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let mut events = Vec::new();
    let mut event: Option<String> = None;
    let mut data: Option<String> = None;
    for line in text.split('\n') {
        if line.is_empty() {
            if let Some(data) = data.take() {
                events.push(SseEvent {
                    event: event.take(),
                    data,
                    id: None,
                    retry: None,
                });
            }
            event = None;
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => event = (!value.is_empty()).then(|| value.to_owned()),
            "data" => match &mut data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => data = Some(value.to_owned()),
            },
            _ => {}
        }
    }
    if let Some(data) = data {
        events.push(SseEvent {
            event,
            data,
            id: None,
            retry: None,
        });
    }
    events
}

/// Runs `events` through a fresh decoder `D`, folding the output.
pub fn run_events<D: WireDecoder + Default>(events: &[SseEvent]) -> (Vec<Event>, Message) {
    let mut decoder = D::default();
    let mut out = Vec::new();
    for ev in events {
        decoder.on_event(&ev.view(), &mut out);
    }
    decoder.finish(&mut out);
    let mut acc = Accumulator::new();
    for ev in &out {
        acc.apply(ev);
    }
    (out, acc.into_message())
}

/// Decodes `body` with the test splitter and decoder `D`.
pub fn via_splitter<D: WireDecoder + Default>(body: &[u8]) -> (Vec<Event>, Message) {
    run_events::<D>(&split_sse(body))
}

/// Decodes `body` with the crate's own [`zenwire::stream::StreamDecoder`],
/// pushed in small pieces so events straddle chunk boundaries.
pub fn via_stream(format: WireFormat, body: &[u8]) -> (Vec<Event>, Message) {
    let mut decoder = zenwire::StreamDecoder::new(format);
    let mut out = Vec::new();
    for piece in body.chunks(97) {
        decoder.push(piece, &mut out);
    }
    decoder.finish(&mut out);
    (out, decoder.into_message())
}

/// The unified events of kind `pred`, counted.
pub fn count(events: &[Event], pred: impl Fn(&Event) -> bool) -> usize {
    events.iter().filter(|e| pred(e)).count()
}

/// All `Event::Error`s.
pub fn errors(events: &[Event]) -> Vec<&Event> {
    events
        .iter()
        .filter(|e| matches!(e, Event::Error { .. }))
        .collect()
}

/// Reads a project fixture under `tests/fixtures/`.
pub fn fixture(rel: &str) -> Vec<u8> {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

#[test]
fn splitter_handles_line_ends_fields_and_missing_final_blank_line() {
    let evs = split_sse(
        b"event: a\r\ndata: 1\r\ndata:2\r\n\r\n: c\n\ndata: x\rid: 3\r\revent: b\ndata: last",
    );
    assert_eq!(evs.len(), 3);
    assert_eq!(evs[0].event.as_deref(), Some("a"));
    assert_eq!(evs[0].data, "1\n2");
    assert_eq!(evs[1].event, None);
    assert_eq!(evs[1].data, "x");
    assert_eq!(evs[2].event.as_deref(), Some("b"));
    assert_eq!(evs[2].data, "last");
}
