//! Signed capability tokens.
//!
//! Format: `zr1.<payload>.<signature>` where `payload` is the base64url (no
//! padding) JSON of [`Claims`] and `signature` is base64url HMAC-SHA256 over
//! `zr1.<payload>` with the deployment's signing secret. Checking one needs
//! no lookup: the claims say who may spend what. The version prefix lets a
//! later format coexist; the signature covers it so it cannot be swapped.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zenwire::cost::Usd;

type HmacSha256 = Hmac<Sha256>;

/// The token prefix (format version 1).
pub const PREFIX: &str = "zr1";
/// Longest token accepted, in bytes; bounds the work an attacker can cause.
pub const MAX_TOKEN_LEN: usize = 4096;
/// Shortest signing secret accepted, in bytes (HMAC-SHA256 wants ≥ 32).
pub const MIN_SECRET_LEN: usize = 32;
/// Clock skew tolerated for `iat` in the future, in seconds.
pub const CLOCK_SKEW_SECS: u64 = 60;

/// Request features whose input the body's size cannot bound, which a
/// token with a budget may use only when its `allow` claim names them (and
/// then the request reserves the model's whole context window).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Allowance {
    /// Documents/PDFs, files and media fetched by URL or file id, non-image
    /// inline media (the provider reads far more tokens than the bytes sent).
    Media,
    /// Provider-side tools (web search/fetch, URL context, code execution,
    /// MCP, computer use…): the provider adds input and fees of its own.
    ServerTools,
    /// References to state kept by the provider (`previous_response_id`,
    /// `conversation`, stored prompts, cached content): input the body does
    /// not contain.
    Stateful,
}

impl Allowance {
    /// The claim value (`media`, `serverTools`, `stateful`).
    pub fn as_str(self) -> &'static str {
        match self {
            Allowance::Media => "media",
            Allowance::ServerTools => "serverTools",
            Allowance::Stateful => "stateful",
        }
    }
}

/// What a token allows. Absent limits are not limited by the token (the
/// deployment's own limits still apply). Unknown claims are refused, at
/// mint and at verification: a misspelt limit must not mint an unlimited
/// token, and a relay must not accept a token whose restrictions it cannot
/// read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Claims {
    /// Subject: who spends (a user or app name); keys the limiter.
    pub sub: String,
    /// Issued at, Unix seconds (revocation rejects tokens issued up to a time).
    pub iat: u64,
    /// Expiry, Unix seconds (exclusive).
    pub exp: u64,
    /// Models the token may use; empty = any the deployment allows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<String>,
    /// Largest output tokens per request; requests are clamped to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u64>,
    /// Requests per minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpm: Option<u32>,
    /// Concurrent requests in flight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u32>,
    /// Spend per UTC day in USD (decimal string in JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_usd_per_day: Option<Usd>,
    /// Tokens (input + output) per UTC day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_per_day: Option<u64>,
    /// Browser origins the token may be used from; empty = any the
    /// deployment allows (and non-browser callers without `Origin`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<String>,
    /// Features with unbounded input the holder may use although the token
    /// has a budget (see [`Allowance`]); empty = none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<Allowance>,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// Not `zr1.<payload>.<signature>`, bad base64, bad JSON or too long.
    Malformed(&'static str),
    /// The signature does not match (forged, altered or another deployment's).
    BadSignature,
    /// `exp` has passed.
    Expired,
    /// `iat` lies in the future beyond the tolerated skew.
    NotYetValid,
}

impl TokenError {
    /// Short machine-readable code used in error bodies and logs.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Malformed(_) => "token_malformed",
            TokenError::BadSignature => "token_bad_signature",
            TokenError::Expired => "token_expired",
            TokenError::NotYetValid => "token_not_yet_valid",
        }
    }
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenError::Malformed(why) => write!(f, "relay token is malformed: {why}"),
            TokenError::BadSignature => f.write_str("relay token signature is invalid"),
            TokenError::Expired => f.write_str("relay token has expired"),
            TokenError::NotYetValid => f.write_str("relay token is not valid yet"),
        }
    }
}

impl std::error::Error for TokenError {}

/// Why a token could not be minted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MintError {
    /// The signing secret is shorter than [`MIN_SECRET_LEN`].
    WeakSecret,
    /// A claim is unusable (empty subject, `exp` not after `iat`, …).
    InvalidClaims(String),
}

impl std::fmt::Display for MintError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MintError::WeakSecret => {
                write!(f, "signing secret must be at least {MIN_SECRET_LEN} bytes")
            }
            MintError::InvalidClaims(why) => write!(f, "invalid claims: {why}"),
        }
    }
}

impl std::error::Error for MintError {}

impl Claims {
    /// Checks the claims a token must satisfy to be minted.
    pub fn validate(&self) -> Result<(), MintError> {
        let bad = |s: &str| Err(MintError::InvalidClaims(s.to_owned()));
        if self.sub.is_empty() || self.sub.len() > 128 {
            return bad("sub must be 1..=128 bytes");
        }
        if self.sub.chars().any(char::is_control) {
            return bad("sub must not contain control characters");
        }
        if self.exp <= self.iat {
            return bad("exp must be after iat");
        }
        if self.models.iter().any(|m| m.is_empty()) {
            return bad("models must not contain empty ids");
        }
        if self.max_output_tokens == Some(0) {
            return bad("maxOutputTokens must be positive");
        }
        if self.concurrency == Some(0) {
            return bad("concurrency must be positive");
        }
        if self
            .origins
            .iter()
            .any(|o| o.is_empty() || o.ends_with('/'))
        {
            return bad("origins must be like https://example.com (no trailing slash)");
        }
        Ok(())
    }

    /// True when the token has a daily budget (USD or tokens).
    pub fn has_budget(&self) -> bool {
        self.budget_usd_per_day.is_some() || self.tokens_per_day.is_some()
    }

    /// True when the token lets its holder use `model`.
    pub fn allows_model(&self, model: &str) -> bool {
        self.models.is_empty() || self.models.iter().any(|m| m == model)
    }
}

fn mac(secret: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length (long ones are hashed), so the error arm
    // is never taken; the fallback keeps this panic-free all the same.
    HmacSha256::new_from_slice(secret)
        .unwrap_or_else(|_| <HmacSha256 as hmac::digest::KeyInit>::new(&Default::default()))
}

/// Mints a token for `claims` signed with `secret`.
pub fn mint(claims: &Claims, secret: &[u8]) -> Result<String, MintError> {
    if secret.len() < MIN_SECRET_LEN {
        return Err(MintError::WeakSecret);
    }
    claims.validate()?;
    let json = serde_json::to_vec(claims).map_err(|e| MintError::InvalidClaims(e.to_string()))?;
    let signed = format!("{PREFIX}.{}", URL_SAFE_NO_PAD.encode(json));
    let mut m = mac(secret);
    m.update(signed.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
    Ok(format!("{signed}.{sig}"))
}

/// Verifies `token` with `secret` at `now` (Unix seconds) and returns its
/// claims. The signature is checked (in constant time) before the payload is
/// parsed, so unsigned input never reaches the JSON parser.
pub fn verify(token: &str, secret: &[u8], now: u64) -> Result<Claims, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed("too long"));
    }
    let mut parts = token.split('.');
    let (Some(prefix), Some(payload), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed("expected zr1.<payload>.<signature>"));
    };
    if prefix != PREFIX {
        return Err(TokenError::Malformed("unknown token version"));
    }
    let sig = URL_SAFE_NO_PAD
        .decode(sig)
        .map_err(|_| TokenError::Malformed("signature is not base64url"))?;
    let signed_len = prefix.len() + 1 + payload.len();
    let signed = token
        .get(..signed_len)
        .ok_or(TokenError::Malformed("truncated"))?;
    let mut m = mac(secret);
    m.update(signed.as_bytes());
    m.verify_slice(&sig).map_err(|_| TokenError::BadSignature)?;
    let json = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| TokenError::Malformed("payload is not base64url"))?;
    let claims: Claims = serde_json::from_slice(&json)
        .map_err(|_| TokenError::Malformed("payload is not claims JSON"))?;
    if now >= claims.exp {
        return Err(TokenError::Expired);
    }
    if claims.iat > now.saturating_add(CLOCK_SKEW_SECS) {
        return Err(TokenError::NotYetValid);
    }
    Ok(claims)
}

/// Compares two secrets in constant time (for the admin secret).
pub fn secrets_equal(a: &[u8], b: &[u8]) -> bool {
    // HMAC both under a fixed key and compare the tags with `verify_slice`
    // (constant time), so neither content nor length leaks through timing.
    let mut ma = mac(b"zenwire-relay secret comparison");
    ma.update(a);
    let tag = ma.finalize().into_bytes();
    let mut mb = mac(b"zenwire-relay secret comparison");
    mb.update(b);
    mb.verify_slice(&tag).is_ok()
}

/// Parses a duration like `90s`, `15m`, `1h`, `7d` (or plain seconds) into
/// seconds, for minting tokens from a command line or the admin API.
pub fn parse_duration_secs(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, unit) = match s.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (s.get(..i)?, c),
        _ => (s, 's'),
    };
    let n: u64 = num.parse().ok()?;
    let mult = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    n.checked_mul(mult).filter(|&v| v > 0)
}
