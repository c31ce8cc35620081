//! Pieces shared by the two OpenAI-shaped decoders ([`super::chat`] and
//! [`super::responses`]): strict readers for the structural fields of their
//! frames, error classification and the streamed tool-call lifecycle.
//!
//! Optional scalar fields are read leniently with [`super::fields`]: many
//! "OpenAI-compatible" servers put odd types in them (`"reasoning": {…}`,
//! `"total_tokens": 12.0`), and one odd optional field must not cost the text
//! of the whole chunk. Structural fields (`choices`, `delta`, `usage`, a tool
//! call's `index` and `arguments`) stay strict: a frame whose structure is
//! wrong is refused as a whole (a protocol error) rather than half-read.

use serde_json::Value;

use crate::error::ErrorNames;
use crate::event::Event;
use crate::json::{JsonError, Reader};
use crate::json_value::parse_value;
use crate::wire::PendingToolCall;

use super::fields;

/// The one member `name` of a structural object that may be `null`, read
/// into `slot` with `read`; other members are skipped (the last `name`
/// wins). `null` or no such member reads as `None`; a non-object refuses
/// the frame.
pub(super) fn member<'a, T>(
    r: &mut Reader<'a>,
    name: &str,
    slot: &mut Option<T>,
    read: fn(&mut Reader<'a>, &mut Option<T>) -> Result<(), JsonError>,
) -> Result<(), JsonError> {
    *slot = None;
    if fields::optional_object(r)? {
        while let Some(key) = r.next_key()? {
            if key == name {
                read(r, slot)?;
            } else {
                r.skip()?;
            }
        }
    }
    Ok(())
}

/// [`error_event`] for an `error` value kept as text (errors are rare and
/// their shapes vary: object, bare string, numeric code). The
/// text is valid JSON; should it still not make a tree (nested past the
/// limit), the error is reported from the fallbacks alone rather than lost.
pub(super) fn raw_error_event(raw: &str, code: Option<&str>, message: Option<&str>) -> Event {
    let value = parse_value(raw).ok();
    error_event(value.as_ref(), code, message)
}

/// The error event for a provider error object. `error` is the JSON value of
/// the `error` field (object or bare string); `code` / `message` are
/// top-level fallbacks (Responses `error` events may carry them there).
pub(super) fn error_event(
    error: Option<&Value>,
    code: Option<&str>,
    message: Option<&str>,
) -> Event {
    let obj = error.and_then(Value::as_object);
    let field = |name: &str| obj.and_then(|o| o.get(name));
    let err_type = field("type").and_then(Value::as_str);
    let err_code = field("code");
    let code_text = err_code.and_then(Value::as_str).or(code);
    let status = err_code
        .and_then(Value::as_u64)
        .or_else(|| field("status").and_then(Value::as_u64));
    let kind = ErrorNames {
        error_type: err_type,
        code: code_text,
        google_status: field("status").and_then(Value::as_str),
        status: status.and_then(|s| u16::try_from(s).ok()),
    }
    .kind();
    let message = field("message")
        .and_then(Value::as_str)
        .or_else(|| error.and_then(Value::as_str))
        .or(message)
        .filter(|m| !m.trim().is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| match err_type.or(code_text) {
            Some(t) => format!("provider reported an error ({t})"),
            None => "provider reported an error".to_owned(),
        });
    Event::Error {
        kind,
        message,
        retryable: kind.is_retryable(),
    }
}

/// A tool call being streamed: its [`PendingToolCall`] plus whether
/// `toolCallStart` went out. Start waits until both id and name are known;
/// argument text that arrives earlier is buffered and sent as one delta right
/// after the start, so consumers always see start → deltas → call.
#[derive(Debug)]
pub(super) struct StreamedCall {
    pub(super) call: PendingToolCall,
    started: bool,
}

impl StreamedCall {
    /// A call with nothing known yet.
    pub(super) fn new(choice: u32, index: u32) -> Self {
        StreamedCall {
            call: PendingToolCall {
                choice,
                index,
                ..PendingToolCall::default()
            },
            started: false,
        }
    }

    /// Records the id and name when given and not yet known (providers send
    /// them once; some repeat them on every fragment).
    pub(super) fn learn(&mut self, id: Option<&str>, name: Option<&str>) {
        if let Some(id) = id.filter(|s| !s.is_empty()) {
            if self.call.id.is_empty() {
                self.call.id = id.to_owned();
            }
        }
        if let Some(name) = name.filter(|s| !s.is_empty()) {
            if self.call.name.is_empty() {
                self.call.name = name.to_owned();
            }
        }
    }

    /// Appends an argument fragment, emitting it when the call has started.
    pub(super) fn push_arguments(&mut self, fragment: &str, out: &mut Vec<Event>) {
        if fragment.is_empty() {
            return;
        }
        self.call.arguments.push_str(fragment);
        if self.started {
            out.push(Event::ToolCallDelta {
                choice: self.call.choice,
                index: self.call.index,
                arguments_delta: fragment.to_owned(),
            });
        }
    }

    /// Reconciles with the complete argument text a `done` event carries:
    /// missed trailing fragments are appended (and emitted); a text that does
    /// not extend what arrived replaces it (deltas cannot be taken back, but
    /// the final call uses the provider's own final text).
    pub(super) fn settle_arguments(&mut self, full: &str, out: &mut Vec<Event>) {
        if full.is_empty() || full == self.call.arguments {
            return;
        }
        match full.strip_prefix(self.call.arguments.as_str()) {
            Some(rest) => self.push_arguments(rest, out),
            None => self.call.arguments = full.to_owned(),
        }
    }

    /// Emits `toolCallStart` (and buffered arguments) once id and name are known.
    pub(super) fn try_start(&mut self, out: &mut Vec<Event>) {
        if !self.started && !self.call.id.is_empty() && !self.call.name.is_empty() {
            self.start(out);
        }
    }

    /// True once the start went out.
    pub(super) fn has_started(&self) -> bool {
        self.started
    }

    fn start(&mut self, out: &mut Vec<Event>) {
        self.started = true;
        self.call.announce(out);
    }

    /// Finishes the call (see [`PendingToolCall::complete`]). A call that
    /// never got a name is reported invalid without a start (a start names
    /// the tool); one that got a name but no id still starts (with an empty
    /// id) so the sequence start → deltas → call holds.
    pub(super) fn complete(mut self, truncated: bool, out: &mut Vec<Event>) {
        if !self.started && !self.call.name.is_empty() {
            self.start(out);
        }
        out.push(self.call.complete(truncated));
    }

    /// Reports the call invalid for `reason`, whatever its arguments.
    pub(super) fn fail(self, reason: String, out: &mut Vec<Event>) {
        out.push(self.call.invalid(reason));
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::error::ErrorKind;
    use crate::wire::fields::optional_raw;

    /// `{"v": …}` read with `f`; `Err` when `f` or the document refuses it.
    fn field<'a, T>(
        json: &'a str,
        f: impl Fn(&mut Reader<'a>) -> Result<T, JsonError>,
    ) -> Result<T, JsonError> {
        let mut r = Reader::new(json);
        r.begin_object()?;
        assert_eq!(r.next_key()?.as_deref(), Some("v"));
        let v = f(&mut r)?;
        assert!(r.next_key()?.is_none());
        r.end()?;
        Ok(v)
    }

    /// The probe the decoders' frames are made of: a lenient text and a
    /// lenient count in one object, as a chunk's `content` and usage counts.
    fn probe(json: &str) -> (Option<String>, Option<u64>) {
        let mut r = Reader::new(json);
        let (mut text, mut count) = (None, None);
        r.begin_object().expect("probe JSON");
        while let Some(key) = r.next_key().expect("probe JSON") {
            match key.as_ref() {
                "text" => fields::text(&mut r, &mut text).expect("probe JSON"),
                "count" => fields::count(&mut r, &mut count).expect("probe JSON"),
                _ => r.skip().expect("probe JSON"),
            }
        }
        r.end().expect("probe JSON");
        (text.map(Cow::into_owned), count)
    }

    #[test]
    fn lenient_readers_accept_odd_types_as_absent() {
        assert_eq!(
            probe(r#"{"text":"a\nb","count":3}"#),
            (Some("a\nb".into()), Some(3))
        );
        assert_eq!(probe(r#"{"text":{"x":[1]},"count":-1}"#), (None, None));
        assert_eq!(probe(r#"{"text":true,"count":12.0}"#), (None, Some(12)));
        assert_eq!(probe(r#"{"count":12.5}"#), (None, None));
        assert_eq!(probe(r#"{"count":"7","other":[{}]}"#), (None, Some(7)));
    }

    #[test]
    fn text_without_escapes_is_borrowed() {
        let text = field(r#"{"v":"plain"}"#, fields::value(fields::text)).expect("probe JSON");
        assert!(matches!(text, Some(Cow::Borrowed("plain"))));
    }

    #[test]
    fn structural_fields_are_strict() {
        assert_eq!(field(r#"{"v":null}"#, fields::optional_object), Ok(false));
        assert!(field(r#"{"v":"x"}"#, fields::optional_object).is_err());
        assert!(field(r#"{"v":{}}"#, fields::optional_array).is_err());
        assert_eq!(
            field(r#"{"v":"a"}"#, fields::value(fields::optional_str))
                .map(|s| s.map(Cow::into_owned)),
            Ok(Some("a".into()))
        );
        assert_eq!(
            field(r#"{"v":null}"#, fields::value(fields::optional_str)),
            Ok(None)
        );
        assert!(field(r#"{"v":{"a":1}}"#, fields::value(fields::optional_str)).is_err());
        let index = |r: &mut Reader<'_>| {
            let mut index = u32::MAX;
            fields::index(r, &mut index).map(|()| index)
        };
        assert_eq!(field(r#"{"v":3}"#, index), Ok(3));
        assert_eq!(field(r#"{"v":-0}"#, index), Ok(0));
        assert_eq!(
            field(r#"{"v":null}"#, fields::value(fields::optional_u32)),
            Ok(None)
        );
        for bad in ["1.0", "1e0", "-1", "4294967296", "\"1\"", "null"] {
            let json = format!(r#"{{"v":{bad}}}"#);
            assert!(field(&json, index).is_err(), "{bad}");
        }
    }

    #[test]
    fn member_reads_one_field_of_a_nullable_object() {
        let cached = |json| {
            field(json, |r| {
                let mut cached = None;
                member(r, "cached_tokens", &mut cached, fields::count).map(|()| cached)
            })
        };
        assert_eq!(
            cached(r#"{"v":{"x":[1],"cached_tokens":"4"}}"#),
            Ok(Some(4))
        );
        assert_eq!(cached(r#"{"v":{"x":1}}"#), Ok(None));
        assert_eq!(cached(r#"{"v":null}"#), Ok(None));
        assert!(cached(r#"{"v":7}"#).is_err());
    }

    #[test]
    fn raw_errors_are_parsed_when_present() {
        assert_eq!(field(r#"{"v":null}"#, optional_raw), Ok(None));
        let raw = field(r#"{"v": {"type":"server_error"} }"#, optional_raw)
            .expect("probe JSON")
            .expect("error text");
        assert_eq!(raw, r#"{"type":"server_error"}"#);
        match raw_error_event(raw, None, None) {
            Event::Error { kind, .. } => assert_eq!(kind, ErrorKind::Server),
            other => panic!("not an error: {other:?}"),
        }
        // Valid JSON that makes no tree (nested past the limit): still an
        // error event, from the fallbacks.
        let deep = format!("{}{}", "[".repeat(128), "]".repeat(128));
        match raw_error_event(&deep, Some("rate_limit"), None) {
            Event::Error { kind, message, .. } => assert_eq!(
                (kind, message.as_str()),
                (
                    ErrorKind::RateLimit,
                    "provider reported an error (rate_limit)"
                )
            ),
            other => panic!("not an error: {other:?}"),
        }
    }

    #[test]
    fn errors_classify_by_type_code_and_status() {
        let kind = |json: &str| match error_event(
            Some(&serde_json::from_str(json).unwrap()),
            None,
            None,
        ) {
            Event::Error {
                kind, retryable, ..
            } => (kind, retryable),
            other => panic!("not an error: {other:?}"),
        };
        assert_eq!(
            kind(r#"{"type":"insufficient_quota"}"#),
            (ErrorKind::Credits, false)
        );
        assert_eq!(
            kind(r#"{"code":"rate_limit_exceeded"}"#),
            (ErrorKind::RateLimit, true)
        );
        assert_eq!(
            kind(r#"{"type":"server_error"}"#),
            (ErrorKind::Server, true)
        );
        assert_eq!(
            kind(r#"{"type":"overloaded_error"}"#),
            (ErrorKind::Overloaded, true)
        );
        assert_eq!(
            kind(r#"{"type":"FreeUsageLimitError"}"#),
            (ErrorKind::FreeUsageLimit, false)
        );
        assert_eq!(
            kind(r#"{"type":"CreditsError"}"#),
            (ErrorKind::Credits, false)
        );
        assert_eq!(
            kind(r#"{"message":"User not found.","code":401}"#),
            (ErrorKind::Auth, false)
        );
        // Names of the shared error table mean what they mean in an HTTP
        // error body, whatever the substring rules would say.
        assert_eq!(kind(r#"{"type":"RegionError"}"#), (ErrorKind::Model, false));
        assert_eq!(
            kind(r#"{"type":"GoUsageLimitError","code":429}"#),
            (ErrorKind::RateLimit, true)
        );
        assert_eq!(
            kind(r#"{"code":"UNAVAILABLE"}"#),
            (ErrorKind::Overloaded, true)
        );
        // A generic name does not beat the status, as in an HTTP error body.
        assert_eq!(
            kind(r#"{"type":"api_error","code":429}"#),
            (ErrorKind::RateLimit, true)
        );
        // A Google RPC status means what it means in an HTTP error body.
        assert_eq!(
            kind(r#"{"code":504,"status":"DEADLINE_EXCEEDED"}"#),
            (ErrorKind::Timeout, true)
        );
        assert_eq!(
            kind(r#"{"type":"something_new"}"#),
            (ErrorKind::Unknown, false)
        );
        match error_event(Some(&Value::String("boom".into())), None, None) {
            Event::Error { message, .. } => assert_eq!(message, "boom"),
            other => panic!("not an error: {other:?}"),
        }
        match error_event(None, Some("server_error"), Some("try later")) {
            Event::Error { kind, message, .. } => {
                assert_eq!((kind, message.as_str()), (ErrorKind::Server, "try later"))
            }
            other => panic!("not an error: {other:?}"),
        }
    }
}
