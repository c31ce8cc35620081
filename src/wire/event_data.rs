//! The JSON payload of one SSE event, for the decoders whose every event is
//! one JSON object (Messages, Gemini): blank and `[DONE]` payloads are
//! skipped, a payload that is not JSON becomes a protocol error event, and a
//! body that stops before the format's end marker becomes an error too.

use serde::Deserialize;

use crate::error::ErrorKind;
use crate::event::Event;
use crate::json::{JsonError, Reader};

/// Parses the `data` of one SSE event as `T`. `None` for a blank payload or
/// `[DONE]` (nothing to decode) and for invalid JSON, which appends a
/// protocol error to `out`; decoding continues with the next event.
pub(super) fn parse_event_data<'a, T: Deserialize<'a>>(
    format: &str,
    data: &'a str,
    out: &mut Vec<Event>,
) -> Option<T> {
    let data = data.trim();
    if data.is_empty() || data == "[DONE]" {
        return None;
    }
    match serde_json::from_str(data) {
        Ok(frame) => Some(frame),
        Err(err) => {
            out.push(invalid_json_event(format, data, &err));
            None
        }
    }
}

/// The JSON payload of one SSE event, trimmed, or `None` for a blank
/// payload or `[DONE]` (nothing to decode).
#[allow(dead_code)] // TODO(json-migration)
pub(super) fn payload(data: &str) -> Option<&str> {
    let data = data.trim();
    (!data.is_empty() && data != "[DONE]").then_some(data)
}

/// Walks one payload with `read`, which fills a frame from the reader; the
/// whole document must be valid JSON (checked to its end) before the frame
/// is returned, so a frame cut off mid-way emits nothing of its contents.
/// Invalid JSON appends a protocol error to `out` and returns `None`.
#[allow(dead_code)] // TODO(json-migration)
pub(super) fn read_event_data<'a, T>(
    format: &str,
    data: &'a str,
    out: &mut Vec<Event>,
    read: impl FnOnce(&mut Reader<'a>) -> Result<T, JsonError>,
) -> Option<T> {
    let mut r = Reader::new(data);
    match read(&mut r).and_then(|frame| r.end().map(|()| frame)) {
        Ok(frame) => Some(frame),
        Err(err) => {
            out.push(invalid_json_event(format, data, &err));
            None
        }
    }
}

/// A short, char-boundary-safe excerpt of untrusted data for error messages.
fn excerpt(data: &str) -> String {
    const MAX_CHARS: usize = 80;
    let mut chars = data.char_indices();
    match chars.nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &data[..cut]),
        None => data.to_owned(),
    }
}

/// The protocol error for an SSE `data` payload that is not the JSON the
/// format promises; decoding continues with the next event.
fn invalid_json_event(format: &str, data: &str, err: &dyn std::fmt::Display) -> Event {
    Event::Error {
        kind: ErrorKind::Protocol,
        message: format!(
            "{format} stream event data is not valid JSON ({err}): {}",
            excerpt(data)
        ),
        retryable: false,
    }
}

/// The error for a body that ended before the format's end marker
/// (`missing` names it): a network error (retryable, the connection was cut)
/// when any frame arrived, a protocol error when none did (the body was not
/// a `format` stream at all).
pub(super) fn ended_early_event(format: &str, saw_frame: bool, missing: &str) -> Event {
    if saw_frame {
        Event::Error {
            kind: ErrorKind::Network,
            message: format!("the {format} stream ended before {missing}"),
            retryable: ErrorKind::Network.is_retryable(),
        }
    } else {
        Event::Error {
            kind: ErrorKind::Protocol,
            message: format!("the {format} stream ended without any event"),
            retryable: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_on_char_boundary() {
        let long = "é".repeat(100);
        let e = excerpt(&long);
        assert_eq!(e.chars().count(), 81);
        assert!(e.ends_with('…'));
        assert_eq!(excerpt("short"), "short");
    }

    #[test]
    fn blank_done_and_invalid_payloads() {
        let mut out = Vec::new();
        assert_eq!(parse_event_data::<u32>("X", " \n", &mut out), None);
        assert_eq!(parse_event_data::<u32>("X", "[DONE]", &mut out), None);
        assert!(out.is_empty());
        assert_eq!(parse_event_data::<u32>("X", " 7 ", &mut out), Some(7));
        assert_eq!(parse_event_data::<u32>("X", "{oops", &mut out), None);
        match out.as_slice() {
            [Event::Error {
                kind: ErrorKind::Protocol,
                message,
                retryable: false,
            }] => assert!(
                message.starts_with("X stream event data is not valid JSON"),
                "{message}"
            ),
            other => panic!("expected one protocol error, got {other:?}"),
        }
    }
}
