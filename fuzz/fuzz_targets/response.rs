//! Fuzz non-streaming body decoding: any text, as a body of each wire
//! format, decodes to a message or a typed error without panicking; the
//! message is the accumulation of the body's events and serializes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zenwire::response::{decode_response, response_events};
use zenwire::{Accumulator, WireFormat};

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    for format in [
        WireFormat::Chat,
        WireFormat::Responses,
        WireFormat::Messages,
        WireFormat::Gemini,
    ] {
        match (decode_response(format, body), response_events(format, body)) {
            (Ok(message), Ok(events)) => {
                let mut acc = Accumulator::new();
                for ev in &events {
                    acc.apply(ev);
                    serde_json::to_string(ev).expect("event serializes");
                }
                assert_eq!(acc.into_message(), message, "{format}: replay differs");
                serde_json::to_string(&message).expect("message serializes");
            }
            (Err(a), Err(b)) => {
                assert_eq!(a, b, "{format}: two errors for one body");
                assert!(!a.message().is_empty());
            }
            (a, b) => panic!("{format}: decode_response {a:?} but response_events {b:?}"),
        }
    }
});
