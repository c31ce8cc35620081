//! Header policy: what goes upstream, what comes back.
//!
//! Upstream gets a fixed allowlist of client headers plus Zen's key in the
//! header the endpoint reads; client credentials, cookies, `cf-*`,
//! forwarding headers and everything else stay behind. The client gets the
//! upstream's `content-type` (and `retry-after`) only, with
//! `cache-control: no-cache, no-transform` so no proxy buffers or recompresses
//! a stream; `content-encoding`/`content-length` are dropped because the
//! body is re-streamed.

use zenwire::wire::WireFormat;

use crate::dialect::{Refusal, RefusalKind};

/// Client headers forwarded upstream (lower-case).
pub const FORWARDED_REQUEST_HEADERS: [&str; 4] = [
    "anthropic-version",
    "anthropic-beta",
    "x-opencode-session",
    "content-type",
];

/// Upstream response headers passed to the client (lower-case).
pub const FORWARDED_RESPONSE_HEADERS: [&str; 2] = ["content-type", "retry-after"];

/// Longest header value forwarded; longer ones are dropped.
const MAX_FORWARDED_VALUE_LEN: usize = 1024;

/// The header Zen reads the key from on an endpoint of `format`, and the
/// value to put there.
pub fn zen_key_header(format: WireFormat, key: &str) -> (&'static str, String) {
    match format {
        WireFormat::Chat | WireFormat::Responses => ("authorization", format!("Bearer {key}")),
        WireFormat::Messages => ("x-api-key", key.to_owned()),
        WireFormat::Gemini => ("x-goog-api-key", key.to_owned()),
    }
}

/// Checks the client's `anthropic-beta` header (comma-separated betas)
/// against the deployment's allowlist: a beta can switch on tools, longer
/// outputs or other paid features, so one not on the list is refused rather
/// than forwarded (or silently dropped, which would change the request).
pub fn check_anthropic_beta(allowed: &[String], value: Option<&str>) -> Result<(), Refusal> {
    let Some(value) = value else {
        return Ok(());
    };
    match value
        .split(',')
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .find(|b| !allowed.iter().any(|a| a == b))
    {
        None => Ok(()),
        Some(beta) => Err(Refusal::new(
            RefusalKind::Forbidden,
            "anthropic_beta_not_allowed",
            format!("anthropic-beta {beta:?} is not allowed by this relay"),
        )),
    }
}

/// The headers to send upstream for a client request with `incoming`
/// headers to an endpoint of `format`.
pub fn upstream_request_headers<'a>(
    incoming: impl IntoIterator<Item = (&'a str, &'a str)>,
    format: WireFormat,
    zen_key: &str,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in incoming {
        let name = name.to_ascii_lowercase();
        if FORWARDED_REQUEST_HEADERS.contains(&name.as_str())
            && value.len() <= MAX_FORWARDED_VALUE_LEN
            && name != "content-type"
            && !out.iter().any(|(n, _)| *n == name)
        {
            out.push((name, value.to_owned()));
        }
    }
    // The body is always re-serialized JSON, whatever the client claimed.
    out.push(("content-type".to_owned(), "application/json".to_owned()));
    let (k, v) = zen_key_header(format, zen_key);
    out.push((k.to_owned(), v));
    out
}

/// The headers for the client from the upstream response's headers.
pub fn client_response_headers<'a>(
    upstream: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = upstream
        .into_iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v))
        .filter(|(n, v)| {
            FORWARDED_RESPONSE_HEADERS.contains(&n.as_str()) && v.len() <= MAX_FORWARDED_VALUE_LEN
        })
        .map(|(n, v)| (n, v.to_owned()))
        .collect();
    out.push((
        "cache-control".to_owned(),
        "no-cache, no-transform".to_owned(),
    ));
    out
}

/// The relay credential a client sent: `Authorization: Bearer …`,
/// `x-api-key` or `x-goog-api-key` (whichever its SDK uses), in that order.
pub fn client_credential<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
) -> Option<&'a str> {
    let find = |want: &str| {
        headers
            .clone()
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(want))
            .map(|(_, v)| v.trim())
    };
    if let Some(auth) = find("authorization") {
        let (scheme, rest) = auth.split_once(' ').unwrap_or((auth, ""));
        if scheme.eq_ignore_ascii_case("bearer") && !rest.trim().is_empty() {
            return Some(rest.trim());
        }
    }
    find("x-api-key")
        .filter(|v| !v.is_empty())
        .or_else(|| find("x-goog-api-key").filter(|v| !v.is_empty()))
}
