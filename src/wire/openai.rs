//! Pieces shared by the two OpenAI-shaped decoders ([`super::chat`] and
//! [`super::responses`]): lenient field readers (also used by
//! [`super::zen_cost`]), error classification and the streamed tool-call
//! lifecycle.
//!
//! The readers are lenient on purpose: many "OpenAI-compatible" servers put
//! odd types in optional fields (`"reasoning": {…}`, `"total_tokens": 12.0`).
//! One odd optional field must not cost the text of the whole chunk, so such
//! values are read as "absent" instead of failing the chunk.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde_json::Value;

use crate::error::ErrorKind;
use crate::event::Event;
use crate::wire::PendingToolCall;

/// The visitor methods every lenient reader shares, for a visitor whose
/// `Value` is an `Option`: `null` and booleans read as absent, arrays and
/// objects are consumed and read as absent, `Some(x)` reads as `x`.
macro_rules! absent_unless_scalar {
    ($de:lifetime) => {
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: serde::Deserializer<$de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: serde::de::SeqAccess<$de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: serde::de::MapAccess<$de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            while map
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            Ok(None)
        }
    };
}
pub(super) use absent_unless_scalar;

/// Reads a string (borrowed from the input when it has no escapes); `null`,
/// numbers, booleans, arrays and objects read as `None`.
pub(super) fn lenient_text<'de, D>(d: D) -> Result<Option<Cow<'de, str>>, D::Error>
where
    D: Deserializer<'de>,
{
    struct TextVisitor;
    impl<'de> Visitor<'de> for TextVisitor {
        type Value = Option<Cow<'de, str>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(v)))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_owned())))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v)))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        absent_unless_scalar!('de);
    }
    d.deserialize_any(TextVisitor)
}

/// Reads a token count: a non-negative integer, an integral float, or a
/// numeric string. Anything else (null, negative, fractional, objects) reads
/// as `None` — an unknown count, never a made-up 0.
pub(super) fn lenient_count<'de, D>(d: D) -> Result<Option<u64>, D::Error>
where
    D: Deserializer<'de>,
{
    struct CountVisitor;
    impl<'de> Visitor<'de> for CountVisitor {
        type Value = Option<u64>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a token count")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(u64::try_from(v).ok())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            // Exactly representable integers only; `as` saturates, the range
            // check keeps huge values from being clamped into a wrong count.
            let ok = v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 1.8e19;
            Ok(ok.then_some(v as u64))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.trim().parse().ok())
        }
        absent_unless_scalar!('de);
    }
    d.deserialize_any(CountVisitor)
}

/// The error event for a data line that is not valid JSON.
pub(super) fn invalid_json(format: &str, err: &serde_json::Error) -> Event {
    Event::Error {
        kind: ErrorKind::Protocol,
        message: format!("{format} stream: data is not valid JSON ({err})"),
        retryable: false,
    }
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
    let kind = classify(err_type, code_text, status);
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

/// Maps an error's type / code strings (OpenAI, Anthropic and Zen spellings)
/// and numeric status to an [`ErrorKind`]. Specific names are checked before
/// the generic ones they contain (`FreeUsageLimitError` before `rate`).
fn classify(err_type: Option<&str>, code: Option<&str>, status: Option<u64>) -> ErrorKind {
    const NAMES: &[(&str, ErrorKind)] = &[
        ("insufficient_quota", ErrorKind::Credits),
        ("credits", ErrorKind::Credits),
        ("billing", ErrorKind::Credits),
        ("insufficient_balance", ErrorKind::Credits),
        ("monthlylimit", ErrorKind::MonthlyLimit),
        ("userlimit", ErrorKind::UserLimit),
        ("freeusagelimit", ErrorKind::FreeUsageLimit),
        ("freetier", ErrorKind::FreeTier),
        ("rate_limit", ErrorKind::RateLimit),
        ("ratelimit", ErrorKind::RateLimit),
        ("overloaded", ErrorKind::Overloaded),
        ("server_error", ErrorKind::Server),
        ("api_error", ErrorKind::Server),
        ("internal", ErrorKind::Server),
        ("timeout", ErrorKind::Timeout),
        ("invalid_api_key", ErrorKind::Auth),
        ("authentication", ErrorKind::Auth),
        ("autherror", ErrorKind::Auth),
        ("permission", ErrorKind::Auth),
        ("modelerror", ErrorKind::Model),
        ("model_not_found", ErrorKind::Model),
        ("not_found", ErrorKind::NotFound),
        ("invalid_request", ErrorKind::InvalidRequest),
        ("context_length_exceeded", ErrorKind::InvalidRequest),
    ];
    for text in [code, err_type].into_iter().flatten() {
        let lower = text.to_ascii_lowercase();
        if let Some((_, kind)) = NAMES.iter().find(|(name, _)| lower.contains(name)) {
            return *kind;
        }
    }
    match status {
        Some(400) => ErrorKind::InvalidRequest,
        Some(401 | 403) => ErrorKind::Auth,
        Some(402) => ErrorKind::Credits,
        Some(404) => ErrorKind::NotFound,
        Some(408) => ErrorKind::Timeout,
        Some(429) => ErrorKind::RateLimit,
        Some(529) => ErrorKind::Overloaded,
        Some(500..=599) => ErrorKind::Server,
        _ => ErrorKind::Unknown,
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
        out.push(Event::ToolCallStart {
            choice: self.call.choice,
            index: self.call.index,
            id: self.call.id.clone(),
            name: self.call.name.clone(),
        });
        if !self.call.arguments.is_empty() {
            out.push(Event::ToolCallDelta {
                choice: self.call.choice,
                index: self.call.index,
                arguments_delta: self.call.arguments.clone(),
            });
        }
    }

    /// Finishes the call (see [`PendingToolCall::complete`]). A call that
    /// never got a name cannot be executed and is reported invalid; one that
    /// got a name but no id still starts (with an empty id) so the sequence
    /// start → deltas → call holds.
    pub(super) fn complete(mut self, truncated: bool, out: &mut Vec<Event>) {
        if self.call.name.is_empty() {
            return self.fail("the stream never named the tool".into(), out);
        }
        if !self.started {
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
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(borrow, default, deserialize_with = "lenient_text")]
        text: Option<Cow<'a, str>>,
        #[serde(default, deserialize_with = "lenient_count")]
        count: Option<u64>,
    }

    fn probe(json: &str) -> (Option<String>, Option<u64>) {
        let p: Probe = serde_json::from_str(json).expect("probe JSON");
        (p.text.map(Cow::into_owned), p.count)
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
        assert_eq!(probe(r#"{"count":"7"}"#), (None, Some(7)));
    }

    #[test]
    fn text_without_escapes_is_borrowed() {
        let p: Probe = serde_json::from_str(r#"{"text":"plain"}"#).expect("probe JSON");
        assert!(matches!(p.text, Some(Cow::Borrowed("plain"))));
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
