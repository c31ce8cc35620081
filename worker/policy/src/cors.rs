//! CORS: an allowlist of exact origins. The one matching origin is echoed
//! (never `*`, never a joined list — a header with several origins is
//! invalid and browsers reject it) with `Vary: Origin`; unknown origins get
//! no CORS headers at all.

/// Methods the relay answers cross-origin.
pub const ALLOW_METHODS: &str = "GET, POST, OPTIONS";
/// Request headers browsers may send (the credential headers the SDKs use,
/// plus the ones forwarded upstream).
pub const ALLOW_HEADERS: &str = "authorization, x-api-key, x-goog-api-key, content-type, \
anthropic-version, anthropic-beta, anthropic-dangerous-direct-browser-access, x-opencode-session, \
x-stainless-arch, x-stainless-lang, x-stainless-os, x-stainless-package-version, \
x-stainless-retry-count, x-stainless-runtime, x-stainless-runtime-version, x-stainless-timeout, \
x-stainless-helper-method, x-stainless-async";
/// Response headers scripts may read.
pub const EXPOSE_HEADERS: &str = "retry-after, x-request-id";
/// How long browsers may cache a preflight, in seconds.
pub const MAX_AGE_SECS: &str = "600";

/// A list of exact origins (`https://app.example.com`, `http://localhost:5173`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginList {
    origins: Vec<String>,
}

impl OriginList {
    /// Parses a comma/space separated list. Trailing slashes are dropped so
    /// `https://a.example/` matches the `Origin` header `https://a.example`.
    pub fn parse(s: &str) -> OriginList {
        OriginList {
            origins: s
                .split(|c: char| c == ',' || c.is_whitespace())
                .map(|o| o.trim_end_matches('/'))
                .filter(|o| !o.is_empty())
                .map(str::to_ascii_lowercase)
                .collect(),
        }
    }

    /// From a list of origins.
    pub fn from_list<S: AsRef<str>>(list: &[S]) -> OriginList {
        OriginList::parse(
            &list
                .iter()
                .map(|s| s.as_ref())
                .collect::<Vec<_>>()
                .join(","),
        )
    }

    /// True when `origin` (an `Origin` header value) is on the list.
    /// Comparison ignores ASCII case (scheme and host are case-insensitive).
    pub fn contains(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }

    /// True when the list is empty.
    pub fn is_empty(&self) -> bool {
        self.origins.is_empty()
    }
}

/// The CORS headers for a response to a request with `origin`: empty
/// unless the origin is allowed. `Vary: Origin` is always included so a
/// cache never serves one origin's answer to another.
pub fn response_headers(allowed: &OriginList, origin: Option<&str>) -> Vec<(&'static str, String)> {
    let mut out = vec![("vary", "Origin".to_owned())];
    if let Some(o) = origin.filter(|o| allowed.contains(o)) {
        out.push(("access-control-allow-origin", o.to_owned()));
        out.push(("access-control-expose-headers", EXPOSE_HEADERS.to_owned()));
    }
    out
}

/// The answer to a preflight (`OPTIONS`): 204 with the allow headers for an
/// allowed origin, 204 with only `Vary` otherwise (the browser then refuses,
/// which is the point; no token is needed either way).
pub fn preflight_headers(
    allowed: &OriginList,
    origin: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut out = response_headers(allowed, origin);
    if origin.is_some_and(|o| allowed.contains(o)) {
        out.retain(|(k, _)| *k != "access-control-expose-headers");
        out.push(("access-control-allow-methods", ALLOW_METHODS.to_owned()));
        out.push(("access-control-allow-headers", ALLOW_HEADERS.to_owned()));
        out.push(("access-control-max-age", MAX_AGE_SECS.to_owned()));
    }
    out
}
