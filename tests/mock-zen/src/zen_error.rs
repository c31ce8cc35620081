//! Zen's own error responses: Anthropic-shaped on every endpoint,
//! `{"type":"error","error":{"type":<class>,"message":…}}`.

use serde_json::Value;

/// A Zen error: HTTP status, error class, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZenError {
    /// HTTP status.
    pub status: u16,
    /// `error.type`, e.g. `AuthError`.
    pub kind: &'static str,
    /// `error.message`.
    pub message: String,
    /// Seconds for a `retry-after` header (429s).
    pub retry_after: Option<u64>,
}

impl ZenError {
    fn new(status: u16, kind: &'static str, message: impl Into<String>) -> Self {
        ZenError {
            status,
            kind,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 401 AuthError "Missing API key.".
    pub fn missing_key() -> Self {
        Self::new(401, "AuthError", "Missing API key.")
    }

    /// 401 AuthError "Invalid API key.".
    pub fn invalid_key() -> Self {
        Self::new(401, "AuthError", "Invalid API key.")
    }

    /// 401 ModelError for an unknown model (`undefined` when none was given,
    /// as Zen's template string renders it).
    pub fn unknown_model(model: Option<&str>) -> Self {
        let model = model.unwrap_or("undefined");
        Self::new(401, "ModelError", format!("Model {model} is not supported"))
    }

    /// 401 ModelError for a model not offered on this endpoint's format.
    pub fn wrong_format(model: &str, format: &str) -> Self {
        Self::new(
            401,
            "ModelError",
            format!("Model {model} is not supported for format {format}"),
        )
    }

    /// 401 CreditsError (balance exhausted).
    pub fn credits() -> Self {
        Self::new(
            401,
            "CreditsError",
            "Insufficient balance. Manage your billing here: https://opencode.ai/workspace/wrk_mock/billing",
        )
    }

    /// 403 FreeTierError (free tier reserved to the official client).
    pub fn free_tier() -> Self {
        Self::new(
            403,
            "FreeTierError",
            "Error from provider (Console): OpenCode's free tier can only be used from within OpenCode",
        )
    }

    /// 429 RateLimitError with `retry-after`.
    pub fn rate_limit(retry_after: u64) -> Self {
        ZenError {
            retry_after: Some(retry_after),
            ..Self::new(
                429,
                "RateLimitError",
                "Rate limit exceeded. Please try again later.",
            )
        }
    }

    /// 500 with Zen's generic error class.
    pub fn internal() -> Self {
        Self::new(500, "error", "Internal server error")
    }

    /// 400 for a request the mock cannot use (bad JSON, bad scenario…).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "error", message)
    }

    /// Any status with Zen's generic class (404, 405, 413…).
    pub fn status(status: u16, message: impl Into<String>) -> Self {
        Self::new(status, "error", message)
    }

    /// The body as Zen writes it (`type` first, then `error`, then
    /// `metadata` on 429s): serde_json would sort the keys.
    pub fn body_text(&self) -> String {
        let q = |s: &str| Value::String(s.to_string()).to_string();
        let metadata = if self.status == 429 {
            ",\"metadata\":{}"
        } else {
            ""
        };
        format!(
            "{{\"type\":\"error\",\"error\":{{\"type\":{},\"message\":{}}}{metadata}}}",
            q(self.kind),
            q(&self.message)
        )
    }

    /// The JSON body as a value (the reference `body_text` is checked against).
    #[cfg(test)]
    pub fn body(&self) -> Value {
        use serde_json::json;
        let mut v = json!({"type": "error", "error": {"type": self.kind, "message": self.message}});
        if self.status == 429 {
            v["metadata"] = json!({});
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_match_zen() {
        assert_eq!(
            ZenError::missing_key().body(),
            json!({"type":"error","error":{"type":"AuthError","message":"Missing API key."}})
        );
        assert!(ZenError::missing_key().body().get("metadata").is_none());
        assert_eq!(
            ZenError::missing_key().body_text(),
            r#"{"type":"error","error":{"type":"AuthError","message":"Missing API key."}}"#
        );
        for e in [
            ZenError::rate_limit(1),
            ZenError::bad_request("a \"quoted\" \n"),
        ] {
            let parsed: Value = serde_json::from_str(&e.body_text()).unwrap();
            assert_eq!(parsed, e.body());
        }
        let rl = ZenError::rate_limit(2);
        assert_eq!(rl.body()["metadata"], json!({}));
        assert_eq!(rl.retry_after, Some(2));
        assert_eq!(
            ZenError::unknown_model(Some("foo-bar")).body()["error"]["message"],
            "Model foo-bar is not supported"
        );
    }
}
