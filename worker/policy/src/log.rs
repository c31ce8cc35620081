//! The one structured log line per request. Built from counts and names
//! only: no bodies, no tokens, no keys can get into it because it has no
//! field that could hold them.

use serde::Serialize;

/// One request's log record (printed as a single JSON line).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    /// Subject (`sub:<name>` / `ip:<addr>`), empty before authentication.
    pub subject: String,
    /// Model id, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Endpoint name (`chat`, `responses`, `messages`, `gemini`, `models`…).
    pub endpoint: String,
    /// HTTP status sent to the client.
    pub status: u16,
    /// Refusal/fault code when the relay refused or the upstream failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    /// Milliseconds until the first upstream byte went out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ms_first_byte: Option<u64>,
    /// Milliseconds until the response ended.
    pub ms_total: u64,
    /// Upstream attempts made.
    pub attempts: u32,
    /// Input tokens (uncached) reported by the stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    /// Output tokens reported by the stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    /// Cost charged to the budget, USD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<String>,
    /// The client went away before the end.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub client_aborted: bool,
}

impl LogLine {
    /// The JSON line (with `"msg":"relay"` first so log search can find it).
    pub fn to_json(&self) -> String {
        let inner = serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned());
        match inner.strip_prefix('{') {
            Some(rest) if rest != "}" => format!("{{\"msg\":\"relay\",{rest}"),
            _ => "{\"msg\":\"relay\"}".to_owned(),
        }
    }
}
