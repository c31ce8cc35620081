//! The client's logic without I/O: options, request preparation (catalog
//! lookup, building, browser-safe headers) and the per-call state machine
//! that decides, attempt by attempt, what to deliver, when to retry and what
//! to report. A transport (the wasm `ZenClient`, a native HTTP client) owns
//! the sockets, clocks and randomness and feeds this machine what happened —
//! the quinn-proto / sans-IO split, so every decision is unit-tested natively.
//!
//! One call goes like this:
//! 1. [`prepare`] builds the [`HttpRequest`] (or a typed [`ZenError`]).
//! 2. [`CallState::begin_attempt`], then the transport sends the request.
//! 3. A non-2xx status → [`CallState::on_failure`] with
//!    [`ZenError::from_response`]; a connection failure or timeout → the
//!    same with [`ZenError::local`]. The answer is [`Next::Retry`] (sleep,
//!    go to 2) or [`Next::Fail`] (report the error).
//! 4. A streaming body: each network read → [`CallState::on_chunk`], which
//!    hands over the events to deliver, or asks for a retry when the stream
//!    reported a retryable error before any output; the end of the body →
//!    [`CallState::on_end`].

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::error::{ErrorKind, ZenError};
use crate::event::{Event, Message};
use crate::json_input::{read_document, InputError, Others};
use crate::request::{self, BuildOptions, HttpRequest, RequestError, UnifiedRequest};
use crate::retry::{RetryDecision, RetryPolicy};
use crate::stream::StreamDecoder;
use crate::wire::WireFormat;

/// Default time to wait for the first byte of a response (5 minutes: a
/// reasoning model may think that long before it says anything).
pub const DEFAULT_FIRST_BYTE_TIMEOUT_MS: u64 = 300_000;
/// Default longest silence between two reads of a streaming body.
pub const DEFAULT_IDLE_TIMEOUT_MS: u64 = 300_000;

/// Request headers a browser may send to Zen: the ones its CORS preflight
/// allows (`Access-Control-Allow-Headers`) plus the CORS-safelisted `accept`.
/// Anything else would make the preflight fail and the request never leave.
pub const BROWSER_ALLOWED_HEADERS: [&str; 6] = [
    "content-type",
    "authorization",
    "x-api-key",
    "x-goog-api-key",
    "anthropic-version",
    "accept",
];

/// How a client talks to Zen. Serializes camelCase (the JS options object
/// minus `fetch`); missing fields take the defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClientOptions {
    /// API root, e.g. `https://opencode.ai/zen/v1`.
    pub base_url: String,
    /// Zen API key; `None` for free models only.
    pub api_key: Option<String>,
    /// Longest wait for the response head and the first body bytes.
    pub first_byte_timeout_ms: u64,
    /// Longest silence between two body reads once bytes flow.
    pub idle_timeout_ms: u64,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Send only the headers Zen's CORS preflight allows.
    pub browser: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            base_url: request::DEFAULT_BASE_URL.to_owned(),
            api_key: None,
            first_byte_timeout_ms: DEFAULT_FIRST_BYTE_TIMEOUT_MS,
            idle_timeout_ms: DEFAULT_IDLE_TIMEOUT_MS,
            max_retries: RetryPolicy::default().max_retries,
            browser: false,
        }
    }
}

impl ClientOptions {
    /// Reads options from JSON (the JS options object): camelCase fields,
    /// each optional (missing → its default, `apiKey: null` → no key),
    /// other keys ignored — what this type's `Deserialize` accepts, without
    /// serde's per-type code in the wasm package.
    pub fn from_json(text: &str) -> Result<ClientOptions, InputError> {
        /// The members as read (`None` = absent, so the default applies).
        #[derive(Default)]
        struct Raw {
            base_url: Option<String>,
            api_key: Option<Option<String>>,
            first_byte_timeout_ms: Option<u64>,
            idle_timeout_ms: Option<u64>,
            max_retries: Option<u32>,
            browser: Option<bool>,
        }
        /// The members read, each with the slot it fills.
        #[derive(Clone, Copy)]
        enum Field {
            BaseUrl,
            ApiKey,
            FirstByteTimeoutMs,
            IdleTimeoutMs,
            MaxRetries,
            Browser,
        }
        const FIELDS: &[(&str, Field)] = &[
            ("baseUrl", Field::BaseUrl),
            ("apiKey", Field::ApiKey),
            ("firstByteTimeoutMs", Field::FirstByteTimeoutMs),
            ("idleTimeoutMs", Field::IdleTimeoutMs),
            ("maxRetries", Field::MaxRetries),
            ("browser", Field::Browser),
        ];
        // `fetch` and anything else the JS object carries is skipped.
        let raw = read_document(text, |p, at| {
            p.fields(at, FIELDS, Others::Skip, |p, at, field, raw: &mut Raw| {
                match field {
                    Field::BaseUrl => raw.base_url = Some(p.string(at)?),
                    Field::ApiKey => raw.api_key = Some(p.opt_string(at)?),
                    Field::FirstByteTimeoutMs => raw.first_byte_timeout_ms = Some(p.u64(at)?),
                    Field::IdleTimeoutMs => raw.idle_timeout_ms = Some(p.u64(at)?),
                    Field::MaxRetries => raw.max_retries = Some(p.u32(at)?),
                    Field::Browser => raw.browser = Some(p.bool(at)?),
                }
                Ok(())
            })
        })?;
        let d = ClientOptions::default();
        Ok(ClientOptions {
            base_url: raw.base_url.unwrap_or(d.base_url),
            api_key: raw.api_key.unwrap_or(d.api_key),
            first_byte_timeout_ms: raw.first_byte_timeout_ms.unwrap_or(d.first_byte_timeout_ms),
            idle_timeout_ms: raw.idle_timeout_ms.unwrap_or(d.idle_timeout_ms),
            max_retries: raw.max_retries.unwrap_or(d.max_retries),
            browser: raw.browser.unwrap_or(d.browser),
        })
    }

    /// The retry policy these options imply (the default policy with
    /// `max_retries` replaced).
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_retries: self.max_retries,
            ..RetryPolicy::default()
        }
    }

    /// The request builder's options.
    pub fn build_options(&self) -> BuildOptions {
        BuildOptions {
            base_url: self.base_url.clone(),
            api_key: self.api_key.clone(),
        }
    }

    /// `GET {baseUrl}/models` with the key (if any) as a bearer token, the
    /// way Zen authenticates the models list.
    pub fn models_request(&self) -> HttpRequest {
        let mut headers = vec![("accept".to_owned(), "application/json".to_owned())];
        if let Some(key) = self.api_key.as_deref().filter(|k| !k.is_empty()) {
            headers.push(("authorization".to_owned(), format!("Bearer {key}")));
        }
        HttpRequest {
            method: "GET".to_owned(),
            url: format!("{}/models", self.base_url.trim_end_matches('/')),
            headers,
            body: String::new(),
        }
    }
}

/// A built request and the wire format its response body is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// What to send.
    pub http: HttpRequest,
    /// How to decode the answer.
    pub format: WireFormat,
}

/// Builds the HTTP request for `req` with `stream` forced to the call's
/// mode, resolving the model in `catalog`. In browser mode, headers Zen's
/// CORS preflight would refuse are dropped. Takes the request by value: it
/// sets `stream` on it (clone first to keep yours).
pub fn prepare(
    mut req: UnifiedRequest,
    stream: bool,
    options: &ClientOptions,
    catalog: &Catalog,
) -> Result<Prepared, ZenError> {
    req.stream = stream;
    let model = catalog.resolve(&req.model);
    let mut http =
        request::build(&req, &model, &options.build_options()).map_err(|e| request_error(&e))?;
    if options.browser {
        http.headers = browser_headers(http.headers);
    }
    Ok(Prepared {
        http,
        format: model.format,
    })
}

/// Keeps the headers a browser may send cross-origin to Zen
/// ([`BROWSER_ALLOWED_HEADERS`], names compared case-insensitively).
pub fn browser_headers(headers: Vec<(String, String)>) -> Vec<(String, String)> {
    headers
        .into_iter()
        .filter(|(name, _)| {
            BROWSER_ALLOWED_HEADERS
                .iter()
                .any(|a| a.eq_ignore_ascii_case(name))
        })
        .collect()
}

/// The typed error for a request that could not be built: `auth` for a
/// paid model without a key (or an unusable key), `invalidRequest` for the
/// rest; the message names the field path.
pub fn request_error(err: &RequestError) -> ZenError {
    let kind = match err {
        RequestError::MissingKey { .. } | RequestError::InvalidKey { .. } => ErrorKind::Auth,
        _ => ErrorKind::InvalidRequest,
    };
    ZenError::local(kind, err.to_string())
}

/// What the transport does after a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Wait this long, then start a new attempt.
    Retry {
        /// Delay in milliseconds.
        delay_ms: u64,
    },
    /// Stop and report this error.
    Fail(ZenError),
}

/// What a piece of a streaming body led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Keep reading (the events to deliver, if any, are in `out`).
    Continue,
    /// The stream reported a retryable error before any output: abandon
    /// this attempt (close the connection), wait, start a new one.
    Retry {
        /// Delay in milliseconds.
        delay_ms: u64,
    },
}

/// The state of one client call (all its attempts): attempt count, whether
/// output reached the caller, the current attempt's decoder, and the events
/// held back until the first output event.
///
/// Events before the first output (`start`, `usage`) are held so that an
/// attempt abandoned for a retry leaves nothing behind: the caller then sees
/// one clean response, not the preamble of a failed one.
#[derive(Debug)]
pub struct CallState {
    format: WireFormat,
    policy: RetryPolicy,
    attempts: u32,
    delivered: bool,
    decoder: StreamDecoder,
    held: Vec<Event>,
    fresh: Vec<Event>,
}

impl CallState {
    /// A call decoding `format` under `policy`; no attempt made yet.
    pub fn new(format: WireFormat, policy: RetryPolicy) -> Self {
        CallState {
            format,
            policy,
            attempts: 0,
            delivered: false,
            decoder: StreamDecoder::new(format),
            held: Vec::new(),
            fresh: Vec::new(),
        }
    }

    /// Attempts started so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Whether any output event reached the caller (no retry after that).
    pub fn output_delivered(&self) -> bool {
        self.delivered
    }

    /// Starts an attempt: a fresh decoder and accumulator.
    pub fn begin_attempt(&mut self) {
        self.attempts = self.attempts.saturating_add(1);
        self.decoder = StreamDecoder::new(self.format);
        self.held.clear();
    }

    /// The attempt failed with `err` (HTTP error, timeout, network, abort):
    /// retry, or report it. `random` in `[0, 1]` is the jitter source.
    pub fn on_failure(&mut self, err: ZenError, random: f64) -> Next {
        match self
            .policy
            .decide(&err, self.attempts.max(1), self.delivered, random)
        {
            RetryDecision::RetryAfter { delay_ms } => Next::Retry { delay_ms },
            RetryDecision::GiveUp { .. } => Next::Fail(err),
        }
    }

    /// One piece of the streaming body: appends the events to deliver now to
    /// `out`, or asks for a retry (nothing appended then).
    pub fn on_chunk(&mut self, chunk: &[u8], out: &mut Vec<Event>, random: f64) -> Progress {
        let mut fresh = std::mem::take(&mut self.fresh);
        self.decoder.push(chunk, &mut fresh);
        let progress = self.on_events(&mut fresh, out, random);
        fresh.clear();
        self.fresh = fresh;
        progress
    }

    /// The streaming body ended: appends the last events (including any
    /// still held back) to `out`.
    pub fn on_end(&mut self, out: &mut Vec<Event>, random: f64) -> Progress {
        let mut fresh = std::mem::take(&mut self.fresh);
        self.decoder.finish(&mut fresh);
        let progress = self.on_events(&mut fresh, out, random);
        if progress == Progress::Continue {
            // Nothing more can come: release what waited for output.
            out.append(&mut self.held);
        }
        fresh.clear();
        self.fresh = fresh;
        progress
    }

    /// The message accumulated by the current attempt.
    pub fn message(&self) -> &Message {
        self.decoder.message()
    }

    /// Routes decoded events: held until the first output, retried when an
    /// error event comes first and the policy allows, delivered otherwise.
    fn on_events(&mut self, fresh: &mut Vec<Event>, out: &mut Vec<Event>, random: f64) -> Progress {
        if self.delivered {
            out.append(fresh);
            return Progress::Continue;
        }
        for ev in fresh.drain(..) {
            if self.delivered {
                out.push(ev);
                continue;
            }
            if let Some(RetryDecision::RetryAfter { delay_ms }) =
                self.policy
                    .decide_for_event(&ev, self.attempts.max(1), false, random)
            {
                self.held.clear();
                return Progress::Retry { delay_ms };
            }
            if ev.is_output() {
                self.delivered = true;
                out.append(&mut self.held);
                out.push(ev);
            } else {
                self.held.push(ev);
            }
        }
        Progress::Continue
    }

    /// [`CallState::on_events`] for tests that feed events directly.
    #[cfg(test)]
    fn feed(&mut self, events: Vec<Event>, out: &mut Vec<Event>) -> Progress {
        let mut fresh = events;
        self.on_events(&mut fresh, out, 0.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retry::Jitter;

    fn text(t: &str) -> Event {
        Event::TextDelta {
            choice: 0,
            text: t.to_owned(),
        }
    }

    fn start() -> Event {
        Event::Start {
            id: Some("r1".into()),
            model: None,
        }
    }

    fn overloaded() -> Event {
        Event::Error {
            kind: ErrorKind::Overloaded,
            message: "Overloaded".into(),
            retryable: true,
        }
    }

    /// A chat body's terminal frame (no events of its own), for tests that
    /// `feed` events past the decoder and then end the body.
    const DONE: &[u8] = b"data: [DONE]\n\n";

    fn policy() -> RetryPolicy {
        RetryPolicy {
            jitter: Jitter::None,
            ..RetryPolicy::default()
        }
    }

    fn call() -> CallState {
        let mut c = CallState::new(WireFormat::Chat, policy());
        c.begin_attempt();
        c
    }

    #[test]
    fn events_before_output_are_held_then_released_in_order() {
        let mut c = call();
        let mut out = Vec::new();
        assert_eq!(c.feed(vec![start()], &mut out), Progress::Continue);
        assert!(out.is_empty());
        assert!(!c.output_delivered());
        c.feed(vec![text("a"), text("b")], &mut out);
        assert_eq!(out, vec![start(), text("a"), text("b")]);
        assert!(c.output_delivered());
    }

    #[test]
    fn error_before_output_retries_and_drops_the_preamble() {
        let mut c = call();
        let mut out = Vec::new();
        c.feed(vec![start()], &mut out);
        assert_eq!(
            c.feed(vec![overloaded(), text("late")], &mut out),
            Progress::Retry { delay_ms: 500 }
        );
        assert!(out.is_empty());
        c.begin_attempt();
        c.feed(vec![start(), text("ok")], &mut out);
        assert_eq!(out, vec![start(), text("ok")]);
        assert_eq!(c.attempts(), 2);
    }

    #[test]
    fn error_after_output_is_delivered_not_retried() {
        let mut c = call();
        let mut out = Vec::new();
        c.feed(vec![text("a")], &mut out);
        assert_eq!(c.feed(vec![overloaded()], &mut out), Progress::Continue);
        assert_eq!(out, vec![text("a"), overloaded()]);
    }

    #[test]
    fn error_in_the_same_batch_after_output_is_delivered() {
        let mut c = call();
        let mut out = Vec::new();
        assert_eq!(
            c.feed(vec![text("a"), overloaded()], &mut out),
            Progress::Continue
        );
        assert_eq!(out, vec![text("a"), overloaded()]);
    }

    #[test]
    fn non_retryable_stream_error_is_delivered_with_the_held_events() {
        let mut c = call();
        let mut out = Vec::new();
        let auth = Event::Error {
            kind: ErrorKind::Auth,
            message: "no".into(),
            retryable: false,
        };
        assert_eq!(
            c.feed(vec![start(), auth.clone()], &mut out),
            Progress::Continue
        );
        // Not output: still held, released at the end of the body (which
        // the decoder, bypassed by `feed`, sees end whole).
        assert!(out.is_empty());
        c.on_chunk(DONE, &mut out, 0.5);
        assert_eq!(c.on_end(&mut out, 0.5), Progress::Continue);
        assert_eq!(out, vec![start(), auth]);
    }

    #[test]
    fn stream_errors_stop_retrying_when_attempts_run_out() {
        let mut c = CallState::new(
            WireFormat::Chat,
            RetryPolicy {
                max_retries: 1,
                ..policy()
            },
        );
        let mut out = Vec::new();
        c.begin_attempt();
        assert!(matches!(
            c.feed(vec![overloaded()], &mut out),
            Progress::Retry { .. }
        ));
        c.begin_attempt();
        assert_eq!(c.feed(vec![overloaded()], &mut out), Progress::Continue);
        c.on_chunk(DONE, &mut out, 0.5);
        c.on_end(&mut out, 0.5);
        assert_eq!(out, vec![overloaded()]);
    }

    #[test]
    fn http_failures_follow_the_policy() {
        let mut c = call();
        let limited = ZenError::from_response(429, [("retry-after", "2")], "");
        assert_eq!(c.on_failure(limited, 0.5), Next::Retry { delay_ms: 2000 });
        let auth = ZenError::from_response(
            401,
            Vec::<(String, String)>::new(),
            r#"{"type":"error","error":{"type":"AuthError","message":"Invalid API key."}}"#,
        );
        match c.on_failure(auth, 0.5) {
            Next::Fail(e) => assert_eq!(e.kind(), ErrorKind::Auth),
            other => panic!("expected Fail, got {other:?}"),
        }
    }

    #[test]
    fn failures_after_output_are_reported() {
        let mut c = call();
        let mut out = Vec::new();
        c.feed(vec![text("a")], &mut out);
        let err = ZenError::local(ErrorKind::Network, "reset");
        assert_eq!(c.on_failure(err.clone(), 0.5), Next::Fail(err));
    }

    #[test]
    fn timeouts_retry_until_exhausted() {
        let mut c = CallState::new(
            WireFormat::Chat,
            RetryPolicy {
                max_retries: 2,
                ..policy()
            },
        );
        let t = ZenError::local(ErrorKind::Timeout, "no first byte");
        c.begin_attempt();
        assert_eq!(c.on_failure(t.clone(), 0.0), Next::Retry { delay_ms: 500 });
        c.begin_attempt();
        assert_eq!(c.on_failure(t.clone(), 0.0), Next::Retry { delay_ms: 1000 });
        c.begin_attempt();
        assert_eq!(c.on_failure(t.clone(), 0.0), Next::Fail(t));
    }

    #[test]
    fn aborts_are_never_retried() {
        let mut c = call();
        let a = ZenError::local(ErrorKind::Aborted, "cancelled");
        assert_eq!(c.on_failure(a.clone(), 0.5), Next::Fail(a));
    }

    #[test]
    fn browser_headers_keep_only_what_the_preflight_allows() {
        let kept = browser_headers(vec![
            ("Content-Type".into(), "application/json".into()),
            ("accept".into(), "text/event-stream".into()),
            ("x-api-key".into(), "k".into()),
            ("anthropic-version".into(), "2023-06-01".into()),
            ("user-agent".into(), "zenwire".into()),
            ("x-mock-scenario".into(), "overloaded".into()),
        ]);
        let names: Vec<&str> = kept.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["Content-Type", "accept", "x-api-key", "anthropic-version"]
        );
    }

    #[test]
    fn prepare_forces_the_mode_and_resolves_the_format() {
        let req: UnifiedRequest = serde_json::from_str(
            r#"{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Hi"}]}"#,
        )
        .unwrap();
        let opts = ClientOptions {
            base_url: "http://127.0.0.1:9/zen/v1/".into(),
            api_key: Some("k".into()),
            browser: true,
            ..ClientOptions::default()
        };
        let p = prepare(req.clone(), true, &opts, Catalog::builtin()).unwrap();
        assert_eq!(p.format, WireFormat::Messages);
        assert_eq!(p.http.url, "http://127.0.0.1:9/zen/v1/messages");
        assert_eq!(p.http.header("accept"), Some("text/event-stream"));
        assert_eq!(p.http.header("x-api-key"), Some("k"));
        assert_eq!(p.http.body_json().unwrap()["stream"], true);
        let p = prepare(req, false, &opts, Catalog::builtin()).unwrap();
        assert_eq!(p.http.header("accept"), Some("application/json"));
    }

    #[test]
    fn prepare_maps_build_errors_to_typed_errors() {
        let paid: UnifiedRequest = serde_json::from_str(
            r#"{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Hi"}]}"#,
        )
        .unwrap();
        let e = prepare(paid, true, &ClientOptions::default(), Catalog::builtin()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Auth);
        assert!(e.message().contains("claude-sonnet-4-5"), "{e}");

        let bad: UnifiedRequest = serde_json::from_str(
            r#"{"model":"big-pickle","messages":[{"role":"user","content":"Hi"}],"temperature":9}"#,
        )
        .unwrap();
        let e = prepare(bad, true, &ClientOptions::default(), Catalog::builtin()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert!(e.message().contains("temperature"), "{e}");
    }

    #[test]
    fn options_deserialize_camel_case_with_defaults() {
        let o: ClientOptions =
            serde_json::from_str(r#"{"baseUrl":"http://x/zen/v1","maxRetries":0}"#).unwrap();
        assert_eq!(o.base_url, "http://x/zen/v1");
        assert_eq!(o.max_retries, 0);
        assert_eq!(o.idle_timeout_ms, DEFAULT_IDLE_TIMEOUT_MS);
        assert_eq!(o.retry_policy().max_retries, 0);
        let m = o.models_request();
        assert_eq!(m.url, "http://x/zen/v1/models");
        assert_eq!(m.header("authorization"), None);
        let keyed = ClientOptions {
            api_key: Some("k".into()),
            ..o
        };
        assert_eq!(
            keyed.models_request().header("authorization"),
            Some("Bearer k")
        );
    }
}
