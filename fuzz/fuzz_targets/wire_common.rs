//! Shared body of the wire-decoder fuzz targets: decode arbitrary bytes as a
//! response body of one wire format and check that nothing panics and that
//! the result is self-consistent.

use zenwire::stream::decode_all;
use zenwire::{Accumulator, StreamDecoder, WireFormat};

/// Decodes `data` as a `format` body twice — whole, and split into pieces of
/// 1–64 bytes chosen by the input's first two bytes — and checks:
///
/// * both runs give the same events and the same message (decoding must not
///   depend on where the network splits the body: mid-line, mid-CRLF, inside
///   a UTF-8 sequence);
/// * replaying the events into a fresh accumulator gives the decoder's message;
/// * every event and the message serialize to JSON (the relay and the wasm
///   package ship them that way).
pub fn check(format: WireFormat, data: &[u8]) {
    let (seed, body) = match data {
        [a, b, rest @ ..] => (u32::from(u16::from_le_bytes([*a, *b])), rest),
        _ => (0, data),
    };

    let (whole_events, whole_message) = decode_all(format, body);

    let mut decoder = StreamDecoder::new(format);
    let mut events = Vec::new();
    let mut state = seed | 1; // xorshift32 must not start at 0
    let mut rest = body;
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let len = (1 + state as usize % 64).min(rest.len());
        let (piece, tail) = rest.split_at(len);
        decoder.push(piece, &mut events);
        rest = tail;
    }
    decoder.finish(&mut events);
    let message = decoder.into_message();

    assert_eq!(
        events, whole_events,
        "events depend on how the body is split"
    );
    assert_eq!(
        message, whole_message,
        "message depends on how the body is split"
    );

    let mut replay = Accumulator::new();
    for event in &events {
        replay.apply(event);
    }
    assert_eq!(replay.message(), &message, "accumulator replay differs");

    for event in &events {
        if let Err(e) = serde_json::to_string(event) {
            panic!("event {event:?} does not serialize: {e}");
        }
    }
    if let Err(e) = serde_json::to_string(&message) {
        panic!("message does not serialize: {e}");
    }
}
