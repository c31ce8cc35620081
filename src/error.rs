//! Typed errors: the kind of every failure zenwire can report.

use serde::{Deserialize, Serialize};

use crate::event::Event;
use crate::json::Kind;
use crate::json_view::{members, View};

/// What kind of failure an error is. Serialized camelCase (`"rateLimit"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// Missing, invalid or blocked API key.
    Auth,
    /// No balance or no payment method.
    Credits,
    /// The workspace's monthly spending limit was reached.
    MonthlyLimit,
    /// The member's spending limit was reached.
    UserLimit,
    /// The model is unknown, disabled or not served on this endpoint.
    Model,
    /// Too many requests.
    RateLimit,
    /// The free models' daily quota is used up.
    FreeUsageLimit,
    /// The free tier refused this client.
    FreeTier,
    /// The request was malformed.
    InvalidRequest,
    /// Not found.
    NotFound,
    /// The provider is overloaded.
    Overloaded,
    /// A server-side failure.
    Server,
    /// No answer in time.
    Timeout,
    /// The caller cancelled.
    Aborted,
    /// The connection failed or broke.
    Network,
    /// The response could not be decoded (malformed or oversized stream data).
    Protocol,
    /// Anything else.
    Unknown,
}

impl ErrorKind {
    /// Whether an error of this kind may succeed when retried.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimit
                | ErrorKind::Overloaded
                | ErrorKind::Server
                | ErrorKind::Timeout
                | ErrorKind::Network
        )
    }
}

impl ErrorKind {
    /// The camelCase name, as serialized (`"rateLimit"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Auth => "auth",
            ErrorKind::Credits => "credits",
            ErrorKind::MonthlyLimit => "monthlyLimit",
            ErrorKind::UserLimit => "userLimit",
            ErrorKind::Model => "model",
            ErrorKind::RateLimit => "rateLimit",
            ErrorKind::FreeUsageLimit => "freeUsageLimit",
            ErrorKind::FreeTier => "freeTier",
            ErrorKind::InvalidRequest => "invalidRequest",
            ErrorKind::NotFound => "notFound",
            ErrorKind::Overloaded => "overloaded",
            ErrorKind::Server => "server",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Aborted => "aborted",
            ErrorKind::Network => "network",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Unknown => "unknown",
        }
    }

    /// The kind an HTTP status implies when the body says nothing more
    /// specific; `None` for 1xx–3xx (not errors).
    ///
    /// 503 is `overloaded` because RFC 9110 defines it as "temporarily
    /// overloaded or under maintenance"; 529 is Anthropic's overload status.
    /// 409 stays `unknown`: Zen never sends it and a conflict is not known to
    /// heal by itself.
    pub fn from_status(status: u16) -> Option<ErrorKind> {
        Some(match status {
            0..=399 => return None,
            400 | 413 | 414 | 415 | 422 => ErrorKind::InvalidRequest,
            401 | 403 => ErrorKind::Auth,
            402 => ErrorKind::Credits,
            404 | 410 => ErrorKind::NotFound,
            408 => ErrorKind::Timeout,
            429 => ErrorKind::RateLimit,
            499 => ErrorKind::Aborted,
            503 | 529 => ErrorKind::Overloaded,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Unknown,
        })
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A typed failure: what went wrong, whether retrying may help and how long
/// the server asked to wait. Built from an HTTP error response
/// ([`ZenError::from_response`]) or for a client-side failure
/// ([`ZenError::local`]). Serializes camelCase, as an object with the
/// fields its accessors name (`kind`, `message`, `status`, `provider`,
/// `retryAfterMs`, `retryable`, `errorType`, `code`).
///
/// The fields live behind one `Box` (as in `serde_json::Error`): a
/// `Result<T, ZenError>` is a pointer wide on the error side, so every `?`
/// that passes one up moves a word, not eight fields.
///
/// [`ZenError::message`] is always the server's message verbatim (or a short
/// one made from the status / an HTML page title); the
/// `"Error from provider (X): "` prefix Zen adds to upstream errors is kept
/// in it — it is what Zen said and what users search for — and the provider
/// name is also given by [`ZenError::provider`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ZenError(Box<Details>);

/// What a [`ZenError`] holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Details {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    provider: Option<String>,
    retry_after_ms: Option<u64>,
    retryable: bool,
    error_type: Option<String>,
    code: Option<String>,
}

impl std::fmt::Display for ZenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}", self.0.message, self.0.kind)?;
        if let Some(status) = self.0.status {
            write!(f, ", HTTP {status}")?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for ZenError {}

/// One HTTP header as a name/value pair. Implemented for `(K, V)` tuples of
/// string-likes and references to them, so `&[("retry-after", "60")]`,
/// `Vec<(String, String)>` and iterators of `(&str, &str)` all work.
pub trait HeaderPair {
    /// Header name (compared case-insensitively).
    fn name(&self) -> &str;
    /// Header value.
    fn value(&self) -> &str;
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderPair for (K, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }
    fn value(&self) -> &str {
        self.1.as_ref()
    }
}

impl<T: HeaderPair + ?Sized> HeaderPair for &T {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn value(&self) -> &str {
        (**self).value()
    }
}

/// Longest message kept from a non-JSON body, in characters.
const MAX_TEXT_MESSAGE_CHARS: usize = 300;

impl ZenError {
    /// An error from an HTTP response: `status`, its headers and its body.
    /// Meant for non-2xx responses, but also accepts a 2xx body that turned
    /// out to be error JSON (the kind then comes from the body alone).
    ///
    /// The body may be Zen's own error shape, an upstream OpenAI, Anthropic
    /// or Google error, `{"error":{"message","code":401}}`, an HTML page, plain
    /// text or empty; trailing bytes after the first JSON value (Zen's cost
    /// `data:` frame) are ignored. An HTTP-date `retry-after` is ignored here
    /// (no clock in a sans-IO core); use [`ZenError::from_response_at`].
    pub fn from_response<H: HeaderPair>(
        status: u16,
        headers: impl IntoIterator<Item = H>,
        body: &str,
    ) -> ZenError {
        Self::from_response_at(status, headers, body, None)
    }

    /// [`ZenError::from_response`] with the current time (Unix ms), so a
    /// `retry-after` given as an HTTP date becomes a delay too.
    pub fn from_response_at<H: HeaderPair>(
        status: u16,
        headers: impl IntoIterator<Item = H>,
        body: &str,
        now_unix_ms: Option<u64>,
    ) -> ZenError {
        Self::from_body(status, retry_after_ms(headers, now_unix_ms), body)
    }

    /// [`ZenError::from_response_at`] once the headers are read down to
    /// their delay. Out of line: one copy of the body's classification
    /// whatever the header type, not one inlined into each caller.
    #[inline(never)]
    fn from_body(status: u16, header_delay: Option<u64>, body: &str) -> ZenError {
        let parsed = ParsedBody::parse(body);
        let http_status = (status >= 400).then_some(status);
        // A 2xx/3xx carrying an error body (a streamed error, or a gateway
        // that answers 200) classifies by the status the body itself names.
        let effective_status =
            http_status.or(parsed.numeric_code.filter(|c| (400..600).contains(c)));
        let kind = ErrorNames {
            error_type: parsed.error_type.as_deref(),
            code: parsed.code.as_deref(),
            google_status: parsed.google_status.as_deref(),
            status: effective_status,
        }
        .kind();
        // Zen's free-tier refusal is a 403 (older clients got 426); an
        // upstream body may not say FreeTierError, the message always does.
        let kind = if matches!(
            kind,
            ErrorKind::Auth | ErrorKind::Unknown | ErrorKind::InvalidRequest
        ) && matches!(effective_status, Some(403 | 426))
            && parsed
                .message
                .as_deref()
                .is_some_and(|m| m.to_ascii_lowercase().contains("free tier"))
        {
            ErrorKind::FreeTier
        } else {
            kind
        };

        let message = match parsed.message {
            Some(m) if !m.trim().is_empty() => m,
            _ => status_message(status),
        };
        let provider = provider_of(&message);
        ZenError(Box::new(Details {
            kind,
            retryable: kind.is_retryable(),
            status: Some(status),
            provider,
            retry_after_ms: header_delay.or(parsed.retry_delay_ms),
            error_type: parsed.error_type,
            code: parsed.code,
            message,
        }))
    }

    /// A client-side error (timeout, cancellation, connection failure, an
    /// undecodable body): no status, retryable as its kind is.
    pub fn local(kind: ErrorKind, message: impl Into<String>) -> ZenError {
        Self::local_text(kind, message.into())
    }

    /// [`ZenError::local`] once the message is a `String`: out of line, so
    /// the fields are filled in one place, not at every caller.
    #[inline(never)]
    fn local_text(kind: ErrorKind, message: String) -> ZenError {
        ZenError(Box::new(Details {
            kind,
            message,
            status: None,
            provider: None,
            retry_after_ms: None,
            retryable: kind.is_retryable(),
            error_type: None,
            code: None,
        }))
    }

    /// What kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// Human-readable message.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// HTTP status, when the error came from a response.
    pub fn status(&self) -> Option<u16> {
        self.0.status
    }

    /// The upstream provider Zen named (`"Error from provider (X): …"`).
    pub fn provider(&self) -> Option<&str> {
        self.0.provider.as_deref()
    }

    /// How long the server asked to wait before retrying, in milliseconds.
    pub fn retry_after_ms(&self) -> Option<u64> {
        self.0.retry_after_ms
    }

    /// Whether retrying the same request may succeed (`kind().is_retryable()`).
    pub fn retryable(&self) -> bool {
        self.0.retryable
    }

    /// The body's error type verbatim (`"CreditsError"`, `"invalid_request_error"`).
    pub fn error_type(&self) -> Option<&str> {
        self.0.error_type.as_deref()
    }

    /// The body's error code verbatim (`"invalid_api_key"`, Google's
    /// `"RESOURCE_EXHAUSTED"`, `"401"`).
    pub fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    /// The unified stream event for this error.
    pub fn to_event(&self) -> Event {
        Event::Error {
            kind: self.0.kind,
            message: self.0.message.clone(),
            retryable: self.0.retryable,
        }
    }
}

impl From<ZenError> for Event {
    fn from(e: ZenError) -> Event {
        let Details {
            kind,
            message,
            retryable,
            ..
        } = *e.0;
        Event::Error {
            kind,
            message,
            retryable,
        }
    }
}

impl From<&ZenError> for Event {
    fn from(e: &ZenError) -> Event {
        e.to_event()
    }
}

/// The delay the headers ask for, in milliseconds: `retry-after-ms` when
/// present and valid (more precise), else `retry-after` as seconds (may be
/// fractional) or, given `now_unix_ms`, as an HTTP date (a past date means 0).
/// Names compare case-insensitively; invalid values are ignored.
pub fn retry_after_ms<H: HeaderPair>(
    headers: impl IntoIterator<Item = H>,
    now_unix_ms: Option<u64>,
) -> Option<u64> {
    let mut ms_header = None;
    let mut secs_header = None;
    for h in headers {
        let name = h.name().trim();
        if name.eq_ignore_ascii_case("retry-after-ms") {
            ms_header = ms_header.or_else(|| decimal_ceil(h.value(), 0));
        } else if name.eq_ignore_ascii_case("retry-after") {
            secs_header = secs_header.or_else(|| {
                decimal_ceil(h.value(), 3).or_else(|| http_date_delay_ms(h.value(), now_unix_ms?))
            });
        }
    }
    ms_header.or(secs_header)
}

/// `⌈s × 10^scale⌉` for a non-negative decimal `s` (`"2"`, `" 1.5 "`,
/// `".5"`, `"1e3"`; surrounding whitespace ignored), saturating at
/// `u64::MAX`; `None` for anything else (negative, NaN, `inf`, text).
///
/// Exact decimal arithmetic rather than `str::parse::<f64>`: it rounds
/// `"0.7"` seconds to 700 ms where the float product gives 701, and it keeps
/// core's float parser (~6 KB) out of the wasm build.
fn decimal_ceil(s: &str, scale: i64) -> Option<u64> {
    let s = s.trim();
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let (mantissa, exponent) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, parse_exponent(e)?),
        None => (s, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    // value × 10^scale = digits × 10^shift.
    let len = i64::try_from(int.len() + frac.len()).ok()?;
    let shift = exponent + scale - i64::try_from(frac.len()).ok()?;
    // Digits past `whole` are below the units place: any non-zero one rounds up.
    let whole = len + shift.min(0);
    let mut value: u128 = 0;
    let mut below_units = false;
    for (i, b) in (0..).zip(int.bytes().chain(frac.bytes())) {
        let digit = u128::from(b - b'0');
        if i < whole {
            value = value.saturating_mul(10).saturating_add(digit);
        } else {
            below_units |= digit != 0;
        }
    }
    if value != 0 {
        // 39 factors of ten already exceed u128::MAX.
        for _ in 0..shift.clamp(0, 40) {
            value = value.saturating_mul(10);
        }
    }
    if negative && (value != 0 || below_units) {
        return None;
    }
    let value = value.saturating_add(u128::from(below_units));
    Some(u64::try_from(value).unwrap_or(u64::MAX))
}

/// A decimal exponent (`"3"`, `"-2"`, `"+10"`), clamped to ±100 000 so the
/// arithmetic stays in range (beyond that every value is 0 or saturates).
fn parse_exponent(e: &str) -> Option<i64> {
    let (negative, digits) = match e.as_bytes().first() {
        Some(b'-') => (true, e.get(1..)?),
        Some(b'+') => (false, e.get(1..)?),
        _ => (false, e),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits
        .bytes()
        .fold(0i64, |acc, b| (acc * 10 + i64::from(b - b'0')).min(100_000));
    Some(if negative { -magnitude } else { magnitude })
}

fn http_date_delay_ms(s: &str, now_unix_ms: u64) -> Option<u64> {
    // At most year 9999 (~2.5·10¹⁴ ms): no overflow.
    let at_ms = crate::http_date::parse_http_date(s)?.saturating_mul(1000);
    Some(at_ms.saturating_sub(now_unix_ms))
}

/// `"Error from provider (X): …"` → `X`.
fn provider_of(message: &str) -> Option<String> {
    let rest = message.strip_prefix("Error from provider (")?;
    let end = rest.find("):")?;
    let name = rest.get(..end)?.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// `"HTTP 503 Service Unavailable"`.
fn status_message(status: u16) -> String {
    match reason_phrase(status) {
        Some(reason) => format!("HTTP {status} {reason}"),
        None => format!("HTTP {status}"),
    }
}

fn reason_phrase(status: u16) -> Option<&'static str> {
    Some(match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        499 => "Client Closed Request",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        529 => "Overloaded",
        _ => return None,
    })
}

/// What an error body says, whatever its shape.
#[derive(Debug, Default)]
struct ParsedBody {
    message: Option<String>,
    error_type: Option<String>,
    /// `error.code` as text (string or number).
    code: Option<String>,
    /// `error.code` when it is a number (`{"code":401}`).
    numeric_code: Option<u16>,
    /// Google's `error.status` (`"RESOURCE_EXHAUSTED"`).
    google_status: Option<String>,
    /// Google `RetryInfo.retryDelay`.
    retry_delay_ms: Option<u64>,
}

impl ParsedBody {
    fn parse(body: &str) -> ParsedBody {
        let trimmed = body.trim_start_matches('\u{feff}').trim();
        if trimmed.is_empty() {
            return ParsedBody::default();
        }
        // Tolerate a body that is itself an SSE data line.
        let json_text = trimmed
            .strip_prefix("data:")
            .map_or(trimmed, str::trim_start);
        if let Some(value) = View::first(json_text) {
            return Self::from_json(value);
        }
        if trimmed.starts_with('<') {
            return ParsedBody {
                message: html_title(trimmed),
                ..ParsedBody::default()
            };
        }
        ParsedBody {
            message: Some(truncate_chars(
                &collapse_whitespace(trimmed),
                MAX_TEXT_MESSAGE_CHARS,
            )),
            ..ParsedBody::default()
        }
    }

    fn from_json(value: View<'_>) -> ParsedBody {
        // Gemini streams errors as a one-element array.
        let value = match value.as_array() {
            Some(mut items) => match items.next() {
                Some(v) => v,
                None => return ParsedBody::default(),
            },
            None => value,
        };
        let text = |v: Option<View<'_>>| v.and_then(View::as_str).map(String::from);
        let mut out = ParsedBody::default();
        members!(value => error, message, detail);
        match error.map(|e| (e.kind(), e)) {
            Some((Kind::Object, err)) => {
                members!(err => message, error_type: "type", code, status, details);
                out.message = text(message);
                out.error_type = text(error_type);
                if let Some(code) = code {
                    if let Some(s) = code.as_str() {
                        out.code = Some(s.into_owned());
                    } else if let Some(n) = code.as_number() {
                        // The number as written (`401`), never re-formatted
                        // through a float.
                        out.code = Some(n.to_owned());
                        out.numeric_code = n.parse::<u16>().ok();
                    }
                }
                out.google_status = text(status);
                out.retry_delay_ms = details
                    .and_then(View::as_array)
                    .and_then(|mut details| details.find_map(google_retry_delay_ms));
            }
            Some((Kind::String, err)) => out.message = text(Some(err)),
            _ => {}
        }
        if out.message.is_none() {
            // Bare `{"message": …}` / `{"detail": …}` bodies from proxies.
            out.message = text(message).or_else(|| text(detail));
        }
        if out.code.is_none() && out.google_status.is_some() {
            out.code.clone_from(&out.google_status);
        }
        out
    }
}

/// What an error object names, whoever carried it: an HTTP error body, a
/// 2xx body that is an error, or an error frame inside a stream of any
/// format. [`ErrorNames::kind`] is the one classification of them all, so
/// an upstream error means the same streamed or not.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ErrorNames<'a> {
    /// The error's `type` (OpenAI, Anthropic, Zen).
    pub(crate) error_type: Option<&'a str>,
    /// Its `code`, as text.
    pub(crate) code: Option<&'a str>,
    /// Google's RPC `status` (`"RESOURCE_EXHAUSTED"`).
    pub(crate) google_status: Option<&'a str>,
    /// The HTTP status the error stands for: the response's, or one the
    /// error names itself (`"code": 429`).
    pub(crate) status: Option<u16>,
}

impl ErrorNames<'_> {
    /// The kind of failure. A name the table knows as specific
    /// (`RateLimitError`, `insufficient_quota`, `RESOURCE_EXHAUSTED`) beats
    /// the status; the status beats the rest (Zen/Go returns 402 with
    /// `code: invalid_request_error`); then a known word in a name, the
    /// code's before the type's (in OpenAI's shape the code is the specific
    /// one: `code: server_is_overloaded` beside `type: server_error` is an
    /// overload); then a generic name (`error`); then whatever the status
    /// says.
    pub(crate) fn kind(&self) -> ErrorKind {
        let names = [self.code, self.error_type, self.google_status];
        let names = || names.into_iter().flatten();
        let named = |strength| {
            names().find_map(|name| match token_kind(name) {
                Some((kind, s)) if s == strength => Some(kind),
                _ => None,
            })
        };
        let by_status = self.status.and_then(ErrorKind::from_status);
        named(Strength::Strong)
            .or(by_status.filter(|k| *k != ErrorKind::Unknown))
            .or_else(|| names().find_map(spelled_kind))
            .or_else(|| named(Strength::Weak))
            .or(by_status)
            .unwrap_or(ErrorKind::Unknown)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strength {
    Strong,
    Weak,
}

/// The kind a known word in `name` says: OpenAI-compatible servers vary
/// the spelling (`RateLimitExceeded`, `model_overloaded`), so a word
/// anywhere in the name counts, specific words before the generic ones
/// they contain (`freeusagelimit` before `ratelimit`).
fn spelled_kind(name: &str) -> Option<ErrorKind> {
    const WORDS: &[(&str, ErrorKind)] = &[
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
    let lower = name.to_ascii_lowercase();
    WORDS
        .iter()
        .find(|(word, _)| lower.contains(word))
        .map(|(_, kind)| *kind)
}

/// The kind an error type or code names (Zen, OpenAI, Anthropic, Google).
fn token_kind(token: &str) -> Option<(ErrorKind, Strength)> {
    use ErrorKind as K;
    use Strength::{Strong, Weak};
    Some(match token {
        // Zen's own error types.
        "AuthError" => (K::Auth, Strong),
        "CreditsError" => (K::Credits, Strong),
        "MonthlyLimitError" => (K::MonthlyLimit, Strong),
        "UserLimitError" => (K::UserLimit, Strong),
        "ModelError" => (K::Model, Strong),
        "RateLimitError" => (K::RateLimit, Strong),
        "FreeUsageLimitError" => (K::FreeUsageLimit, Strong),
        // Go/Black subscription usage windows: a rate limit that resets at the
        // time retry-after gives (often hours; the retry policy's cap decides).
        "GoUsageLimitError" | "BlackUsageLimitError" => (K::RateLimit, Strong),
        "FreeTierError" => (K::FreeTier, Strong),
        // The model is not offered in the caller's region: choosing another
        // model helps, other credentials do not.
        "RegionError" => (K::Model, Strong),
        "error" => (K::Server, Weak),
        // OpenAI codes and types.
        "invalid_api_key"
        | "invalid_organization"
        | "account_deactivated"
        | "no_such_organization" => (K::Auth, Strong),
        "insufficient_quota" | "billing_hard_limit_reached" | "billing_not_active" => {
            (K::Credits, Strong)
        }
        "rate_limit_exceeded" | "requests" | "tokens" => (K::RateLimit, Strong),
        "model_not_found" | "unsupported_model" | "model_not_available" => (K::Model, Strong),
        "context_length_exceeded"
        | "unsupported_parameter"
        | "unsupported_value"
        | "invalid_value" => (K::InvalidRequest, Strong),
        "server_error" => (K::Server, Weak),
        "engine_overloaded" | "server_overloaded" => (K::Overloaded, Strong),
        // Anthropic types (OpenAI shares some).
        "authentication_error" | "permission_error" => (K::Auth, Strong),
        "billing_error" => (K::Credits, Strong),
        "not_found_error" => (K::NotFound, Strong),
        "rate_limit_error" => (K::RateLimit, Strong),
        "overloaded_error" => (K::Overloaded, Strong),
        "request_too_large" => (K::InvalidRequest, Strong),
        "timeout_error" => (K::Timeout, Strong),
        "api_error" => (K::Server, Weak),
        "invalid_request_error" => (K::InvalidRequest, Weak),
        // Google RPC statuses.
        "RESOURCE_EXHAUSTED" => (K::RateLimit, Strong),
        "UNAVAILABLE" => (K::Overloaded, Strong),
        "INTERNAL" | "UNKNOWN" | "DATA_LOSS" => (K::Server, Strong),
        "UNAUTHENTICATED" | "PERMISSION_DENIED" => (K::Auth, Strong),
        "INVALID_ARGUMENT" | "FAILED_PRECONDITION" | "OUT_OF_RANGE" => (K::InvalidRequest, Strong),
        "NOT_FOUND" => (K::NotFound, Strong),
        "DEADLINE_EXCEEDED" => (K::Timeout, Strong),
        "CANCELLED" => (K::Aborted, Strong),
        _ => return None,
    })
}

/// `{"@type": "…RetryInfo", "retryDelay": "38s"}` → 38000.
fn google_retry_delay_ms(detail: View<'_>) -> Option<u64> {
    members!(detail => kind: "@type", delay: "retryDelay");
    let is_retry_info = kind
        .and_then(View::as_str)
        .is_some_and(|t| t.ends_with("RetryInfo"));
    if !is_retry_info {
        return None;
    }
    decimal_ceil(delay?.as_str()?.trim().strip_suffix('s')?, 3)
}

/// The `<title>` of an HTML page, entity-decoded and whitespace-collapsed.
fn html_title(html: &str) -> Option<String> {
    // ASCII lower-casing keeps byte offsets, so they index `html` too, and
    // they sit next to ASCII bytes, so they are char boundaries.
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower.get(open..)?.find('>')? + 1;
    let end = start + lower.get(start..)?.find("</title")?;
    let title = collapse_whitespace(&decode_entities(html.get(start..end)?));
    (!title.is_empty()).then(|| truncate_chars(&title, MAX_TEXT_MESSAGE_CHARS))
}

fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// Runs of whitespace → one space, none at the ends. Pushed into one
/// string rather than collected and joined: no `Vec<&str>` and join code
/// in the wasm package.
fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        // Words are never empty, so `out` is empty only before the first.
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", s.get(..cut).unwrap_or(s)),
        None => s.to_string(),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn collapse_whitespace_is_split_and_join(s in "[ a\\t\\n\u{a0}\u{3000}é\r]{0,24}") {
            let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
            prop_assert_eq!(super::collapse_whitespace(&s), joined);
        }
    }
}
