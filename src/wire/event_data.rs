//! The JSON payload of one SSE event, walked by every decoder: blank and
//! `[DONE]` payloads are
//! skipped, a payload that is not JSON becomes a protocol error event, and a
//! body that stops before the format's end marker becomes an error too.

use std::borrow::Cow;

use super::fields;
use crate::error::{ErrorKind, ErrorNames};
use crate::event::Event;
use crate::json::{JsonError, Kind, Reader};

/// The JSON payload of one SSE event, trimmed, or `None` for a blank
/// payload or `[DONE]` (nothing to decode).
pub(super) fn payload(data: &str) -> Option<&str> {
    // Nearly every payload is one JSON object with nothing around it: no
    // trimming (a char-by-char Unicode scan) needed for it.
    if let [b'{', .., b'}'] = data.as_bytes() {
        return Some(data);
    }
    let data = data.trim();
    (!data.is_empty() && data != "[DONE]").then_some(data)
}

/// Walks one payload with `read`, which fills a frame from the reader; the
/// whole document must be valid JSON (checked to its end) before the frame
/// is returned, so a frame cut off mid-way emits nothing of its contents.
/// Invalid JSON appends a protocol error to `out` and returns `None`.
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

/// The `error` value of a Messages or Gemini frame: an object with the
/// names any provider uses (Anthropic's and Zen's `type`, Google's `code`
/// and `status`, an OpenAI-shaped named `code`) and a `message`, or a bare
/// string taken as the message. Error frames are rare and their shapes
/// vary, so every name is taken leniently.
#[derive(Default)]
pub(super) struct WireError<'a> {
    pub(super) message: Option<Cow<'a, str>>,
    /// `type`.
    pub(super) error_type: Option<Cow<'a, str>>,
    /// Google's RPC `status` (`"RESOURCE_EXHAUSTED"`).
    pub(super) status: Option<Cow<'a, str>>,
    /// A `code` that is a number (or a numeric string): an HTTP status.
    code: Option<u64>,
    /// A `code` that is a name (`"model_not_found"`).
    code_name: Option<Cow<'a, str>>,
}

impl<'a> WireError<'a> {
    /// Reads an `error` value into `slot`: `null` reads as no error; a
    /// value neither string nor object refuses the frame.
    pub(super) fn read(r: &mut Reader<'a>, slot: &mut Option<Self>) -> Result<(), JsonError> {
        *slot = None;
        match r.peek()? {
            Kind::Null => r.null(),
            Kind::String => {
                slot.insert(WireError::default()).message = Some(r.str()?);
                Ok(())
            }
            _ => {
                r.begin_object()?;
                let e = slot.insert(WireError::default());
                while let Some(key) = r.next_key()? {
                    match key.as_ref() {
                        "code" => {
                            (e.code, e.code_name) = (None, None);
                            match r.peek()? {
                                Kind::Number => e.code = r.count()?,
                                Kind::String => {
                                    let code = r.str()?;
                                    match code.trim().parse() {
                                        Ok(n) => e.code = Some(n),
                                        Err(_) => e.code_name = Some(code),
                                    }
                                }
                                _ => r.skip()?,
                            }
                        }
                        "message" => fields::text(r, &mut e.message)?,
                        "status" => fields::text(r, &mut e.status)?,
                        "type" => fields::text(r, &mut e.error_type)?,
                        _ => r.skip()?,
                    }
                }
                Ok(())
            }
        }
    }

    /// The names the error gives, for [`ErrorNames::kind`].
    pub(super) fn names(&self) -> ErrorNames<'_> {
        ErrorNames {
            error_type: self.error_type.as_deref(),
            code: self.code_name.as_deref(),
            google_status: self.status.as_deref(),
            status: self.code.and_then(|c| u16::try_from(c).ok()),
        }
    }
}

/// The error event for an error frame of the stream (Messages, Gemini):
/// its `message` when it has text, else `raw` (the error's type or status
/// name), else `fallback`. One copy shared by those decoders.
#[inline(never)]
pub(super) fn reported_error_event(
    kind: ErrorKind,
    message: Option<Cow<'_, str>>,
    raw: Option<&str>,
    fallback: &str,
) -> Event {
    let message = match message.filter(|m| !m.is_empty()) {
        Some(m) => m.into_owned(),
        None => raw.unwrap_or(fallback).to_owned(),
    };
    Event::Error {
        kind,
        message,
        retryable: kind.is_retryable(),
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
        assert_eq!(payload(" \n"), None);
        assert_eq!(payload("[DONE]"), None);
        assert_eq!(payload(" 7 "), Some("7"));
        let mut out = Vec::new();
        let count = |r: &mut Reader<'_>| r.count();
        assert_eq!(read_event_data("X", "7", &mut out, count), Some(Some(7)));
        assert!(out.is_empty());
        assert_eq!(read_event_data("X", "{oops", &mut out, count), None);
        // A value read whole but followed by more text is refused too.
        assert_eq!(read_event_data("X", "7 8", &mut out, count), None);
        match out.as_slice() {
            [Event::Error {
                kind: ErrorKind::Protocol,
                message,
                retryable: false,
            }, Event::Error { .. }] => assert!(
                message.starts_with("X stream event data is not valid JSON"),
                "{message}"
            ),
            other => panic!("expected two protocol errors, got {other:?}"),
        }
    }
}
