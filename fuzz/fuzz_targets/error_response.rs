//! Fuzz error classification: any status, `retry-after` value and body must
//! give a well-formed `ZenError` without panicking.
//!
//! Input: two bytes of status, then the `retry-after` value up to the first
//! newline, then the body (both read as lossy UTF-8).
#![no_main]

use libfuzzer_sys::fuzz_target;
use zenwire::ZenError;

/// A fixed "now" (2026-01-01T00:00:00Z), so HTTP-date delays are repeatable.
const NOW_UNIX_MS: u64 = 1_767_225_600_000;

fuzz_target!(|data: &[u8]| {
    let [a, b, rest @ ..] = data else {
        return;
    };
    let status = u16::from_le_bytes([*a, *b]);
    let (retry_after, body) = match rest.iter().position(|&c| c == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let retry_after = String::from_utf8_lossy(retry_after);
    let body = String::from_utf8_lossy(body);
    let headers = [("retry-after", retry_after.as_ref())];
    let err = ZenError::from_response_at(status, headers, &body, Some(NOW_UNIX_MS));
    assert_eq!(err.status(), Some(status));
    assert!(!err.message().trim().is_empty(), "empty message for {status} {body:?}");
    // The same input must classify the same way (no hidden state).
    let again = ZenError::from_response_at(status, headers, &body, Some(NOW_UNIX_MS));
    assert_eq!(err, again);
    // What the wasm binding and relay ship must serialize.
    serde_json::to_string(&err).expect("ZenError serializes");
});
