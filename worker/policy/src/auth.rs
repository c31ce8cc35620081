//! Who is calling: a token holder, or (public mode) an anonymous visitor,
//! and the limits that apply to them. Origins are checked here too, before
//! anything is spent.

use crate::config::RelayConfig;
use crate::dialect::{Refusal, RefusalKind};
use crate::limiter::Limits;
use crate::token::{self, Allowance, Claims, TokenError};

/// The public-mode pseudo-credential (what Zen itself calls keyless use).
pub const PUBLIC_CREDENTIAL: &str = "public";

/// The address a public-mode caller is counted under: an IPv4 address as
/// is, an IPv6 address as its /64 (one subscriber usually holds a whole /64,
/// so per-address limits would be no limits), an IPv4-mapped IPv6 address
/// as the IPv4 one. Anything unparsable shares the one bucket `unknown`.
pub fn public_subject(ip: &str) -> String {
    use std::net::IpAddr;
    match ip.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{net}/64")
            }
        },
        Err(_) => "unknown".to_owned(),
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A valid relay token.
    Token(Claims),
    /// Public mode: no token, free models only, limited per IP.
    Public {
        /// Client IP (`cf-connecting-ip`).
        ip: String,
    },
}

impl Caller {
    /// The limiter key: `sub:<subject>` or `ip:<address>`, so a token
    /// subject can never collide with an IP.
    pub fn limiter_key(&self) -> String {
        match self {
            Caller::Token(c) => format!("sub:{}", c.sub),
            Caller::Public { ip } => format!("ip:{ip}"),
        }
    }

    /// The subject for logs.
    pub fn subject(&self) -> String {
        self.limiter_key()
    }

    /// Largest output tokens per request for this caller (before the model's
    /// own limit).
    pub fn max_output_tokens(&self, config: &RelayConfig) -> Option<u64> {
        match self {
            Caller::Token(c) => c.max_output_tokens,
            Caller::Public { .. } => Some(config.public_max_output_tokens),
        }
    }

    /// Whether a request may use input of `kind` that its bytes cannot
    /// bound: always for a token without a budget (nothing to protect), for
    /// a budgeted one only when its `allow` claim names it, never in public
    /// mode.
    pub fn allows(&self, kind: Allowance) -> bool {
        match self {
            Caller::Token(c) => !c.has_budget() || c.allow.contains(&kind),
            Caller::Public { .. } => false,
        }
    }

    /// Token issue time (for revocation), `None` in public mode.
    pub fn issued_at(&self) -> Option<u64> {
        match self {
            Caller::Token(c) => Some(c.iat),
            Caller::Public { .. } => None,
        }
    }

    /// Rate/concurrency/budget limits for the limiter.
    pub fn limits(&self, config: &RelayConfig) -> Limits {
        match self {
            Caller::Token(c) => Limits {
                rpm: c.rpm,
                // A budget bounds overspend only with a finite concurrency.
                concurrency: c
                    .concurrency
                    .or(c.has_budget().then_some(config.token_concurrency)),
                usd_per_day: c.budget_usd_per_day,
                tokens_per_day: c.tokens_per_day,
            },
            Caller::Public { .. } => Limits {
                rpm: Some(config.public_rpm),
                concurrency: Some(config.public_concurrency),
                usd_per_day: None,
                tokens_per_day: None,
            },
        }
    }
}

fn token_refusal(e: &TokenError) -> Refusal {
    Refusal::new(RefusalKind::Unauthenticated, e.code(), e.to_string())
}

/// Authenticates a request: `credential` is what [`crate::headers::client_credential`]
/// found, `origin` the `Origin` header, `ip` the client address, `now` Unix
/// seconds.
///
/// * A browser `Origin` not on the deployment's list is refused (403) even
///   before the token is read: such a page could not read the answer, so it
///   must not be able to spend either.
/// * A token naming origins must be used from one of them.
/// * No credential (or `public`) is allowed only in public mode, and only
///   from an allowed origin.
pub fn authenticate(
    config: &RelayConfig,
    secret: &[u8],
    credential: Option<&str>,
    origin: Option<&str>,
    ip: &str,
    now: u64,
) -> Result<Caller, Refusal> {
    if let Some(o) = origin {
        if !config.allowed_origins.contains(o) {
            return Err(Refusal::new(
                RefusalKind::Forbidden,
                "origin_not_allowed",
                format!("origin {o} is not allowed by this relay"),
            ));
        }
    }
    match credential {
        None | Some(PUBLIC_CREDENTIAL) => {
            if !config.public_mode {
                return Err(Refusal::new(
                    RefusalKind::Unauthenticated,
                    "token_missing",
                    "a relay token is required (Authorization: Bearer <token>)",
                ));
            }
            if origin.is_none() {
                return Err(Refusal::new(
                    RefusalKind::Unauthenticated,
                    "token_missing",
                    "public mode serves browser pages on allowed origins only; use a relay token",
                ));
            }
            Ok(Caller::Public {
                ip: public_subject(ip),
            })
        }
        Some(tok) => {
            let claims = token::verify(tok, secret, now).map_err(|e| token_refusal(&e))?;
            if !claims.origins.is_empty() {
                let ok = origin
                    .is_some_and(|o| claims.origins.iter().any(|a| a.eq_ignore_ascii_case(o)));
                if !ok {
                    return Err(Refusal::new(
                        RefusalKind::Forbidden,
                        "origin_not_allowed",
                        "this relay token may not be used from this origin",
                    ));
                }
            }
            Ok(Caller::Token(claims))
        }
    }
}

/// Authenticates a `GET /models` listing. Same rules as [`authenticate`],
/// except that in public mode a credential-less caller needs no `Origin`:
/// browsers send none on same-origin GETs (the playground the relay serves
/// itself), and the list spends nothing — it is what Zen publishes anyway.
/// A foreign `Origin` and a bad token are still refused.
pub fn authenticate_listing(
    config: &RelayConfig,
    secret: &[u8],
    credential: Option<&str>,
    origin: Option<&str>,
    ip: &str,
    now: u64,
) -> Result<Caller, Refusal> {
    let anonymous = matches!(credential, None | Some(PUBLIC_CREDENTIAL));
    if config.public_mode && anonymous && origin.is_none() {
        return Ok(Caller::Public {
            ip: public_subject(ip),
        });
    }
    authenticate(config, secret, credential, origin, ip, now)
}
