//! Refusals in the dialect of the endpoint called, so each SDK shows a
//! sensible error: OpenAI-style on chat/responses (and the models list),
//! Anthropic-style on messages, Google-style on Gemini. Also the in-stream
//! error frame used when an upstream stream breaks after bytes went out.

use serde_json::json;
use zenwire::wire::WireFormat;

/// What kind of refusal; decides the status and each dialect's type names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// 400: the request is invalid (bad JSON, bad field, wrong endpoint).
    InvalidRequest,
    /// 401: no, bad or expired credential.
    Unauthenticated,
    /// 403: credential fine, but not for this (model, origin, free only).
    Forbidden,
    /// 404: no such path or model.
    NotFound,
    /// 405: wrong method.
    MethodNotAllowed,
    /// 413: body over the cap.
    TooLarge,
    /// 429: rate, concurrency or budget limit.
    RateLimited,
    /// 500: the relay itself failed (misconfiguration).
    Internal,
    /// 502: the upstream answered garbage or could not be reached.
    BadGateway,
    /// 504: the upstream sent nothing in time.
    Timeout,
}

impl RefusalKind {
    /// HTTP status.
    pub fn status(self) -> u16 {
        match self {
            RefusalKind::InvalidRequest => 400,
            RefusalKind::Unauthenticated => 401,
            RefusalKind::Forbidden => 403,
            RefusalKind::NotFound => 404,
            RefusalKind::MethodNotAllowed => 405,
            RefusalKind::TooLarge => 413,
            RefusalKind::RateLimited => 429,
            RefusalKind::Internal => 500,
            RefusalKind::BadGateway => 502,
            RefusalKind::Timeout => 504,
        }
    }

    fn openai_type(self) -> &'static str {
        match self {
            RefusalKind::InvalidRequest
            | RefusalKind::NotFound
            | RefusalKind::MethodNotAllowed
            | RefusalKind::TooLarge => "invalid_request_error",
            RefusalKind::Unauthenticated => "authentication_error",
            RefusalKind::Forbidden => "permission_error",
            RefusalKind::RateLimited => "rate_limit_error",
            RefusalKind::Internal | RefusalKind::BadGateway => "server_error",
            RefusalKind::Timeout => "timeout_error",
        }
    }

    fn anthropic_type(self) -> &'static str {
        match self {
            RefusalKind::InvalidRequest | RefusalKind::MethodNotAllowed => "invalid_request_error",
            RefusalKind::Unauthenticated => "authentication_error",
            RefusalKind::Forbidden => "permission_error",
            RefusalKind::NotFound => "not_found_error",
            RefusalKind::TooLarge => "request_too_large",
            RefusalKind::RateLimited => "rate_limit_error",
            RefusalKind::Internal | RefusalKind::BadGateway => "api_error",
            RefusalKind::Timeout => "timeout_error",
        }
    }

    fn google_status(self) -> &'static str {
        match self {
            RefusalKind::InvalidRequest | RefusalKind::TooLarge => "INVALID_ARGUMENT",
            RefusalKind::MethodNotAllowed => "UNIMPLEMENTED",
            RefusalKind::Unauthenticated => "UNAUTHENTICATED",
            RefusalKind::Forbidden => "PERMISSION_DENIED",
            RefusalKind::NotFound => "NOT_FOUND",
            RefusalKind::RateLimited => "RESOURCE_EXHAUSTED",
            RefusalKind::Internal => "INTERNAL",
            RefusalKind::BadGateway => "UNAVAILABLE",
            RefusalKind::Timeout => "DEADLINE_EXCEEDED",
        }
    }
}

/// A refusal: the relay answers instead of forwarding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Category (status and type names).
    pub kind: RefusalKind,
    /// Stable machine-readable code (`token_expired`, `model_not_allowed`…),
    /// sent as OpenAI's `code` and logged.
    pub code: &'static str,
    /// Human-readable message (never contains secrets).
    pub message: String,
    /// Seconds for `retry-after` (429 only).
    pub retry_after_secs: Option<u64>,
}

impl Refusal {
    /// A refusal without `retry-after`.
    pub fn new(kind: RefusalKind, code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            kind,
            code,
            message: message.into(),
            retry_after_secs: None,
        }
    }

    /// A 429 with `retry-after`.
    pub fn rate_limited(
        code: &'static str,
        message: impl Into<String>,
        retry_after_secs: u64,
    ) -> Refusal {
        Refusal {
            kind: RefusalKind::RateLimited,
            code,
            message: message.into(),
            retry_after_secs: Some(retry_after_secs.max(1)),
        }
    }

    /// HTTP status.
    pub fn status(&self) -> u16 {
        self.kind.status()
    }

    /// The JSON error body in `format`'s dialect.
    pub fn body(&self, format: WireFormat) -> String {
        let v = match format {
            WireFormat::Chat | WireFormat::Responses => json!({
                "error": {
                    "message": self.message,
                    "type": self.kind.openai_type(),
                    "param": null,
                    "code": self.code,
                }
            }),
            WireFormat::Messages => json!({
                "type": "error",
                "error": { "type": self.kind.anthropic_type(), "message": self.message },
            }),
            WireFormat::Gemini => json!({
                "error": {
                    "code": self.status(),
                    "message": self.message,
                    "status": self.kind.google_status(),
                }
            }),
        };
        v.to_string()
    }

    /// Headers that go with the body (content type, `retry-after`).
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut h = vec![("content-type", "application/json".to_owned())];
        if let Some(s) = self.retry_after_secs {
            h.push(("retry-after", s.to_string()));
        }
        h
    }

    /// An SSE frame reporting this refusal inside an already-started stream
    /// of `format`, shaped so each official SDK raises it as an error. Starts
    /// with a blank line so a partial upstream event is terminated first.
    pub fn stream_frame(&self, format: WireFormat) -> String {
        match format {
            WireFormat::Chat => format!("\n\ndata: {}\n\n", self.body(format)),
            WireFormat::Responses => {
                let v = json!({
                    "type": "error",
                    "code": self.code,
                    "message": self.message,
                    "param": null,
                    "sequence_number": 0,
                });
                format!("\n\nevent: error\ndata: {v}\n\n")
            }
            WireFormat::Messages => format!("\n\nevent: error\ndata: {}\n\n", self.body(format)),
            WireFormat::Gemini => format!("\n\ndata: {}\n\n", self.body(format)),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status(), self.code, self.message)
    }
}
