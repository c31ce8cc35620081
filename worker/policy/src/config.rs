//! Deployment settings, read from the Worker's vars (wrangler.toml `[vars]`)
//! by name. Secrets (`ZEN_API_KEY`, `TOKEN_SIGNING_SECRET`, `ADMIN_SECRET`)
//! are not part of this: the Worker reads them where they are used.

use crate::cors::OriginList;

/// Default upstream: the real Zen gateway.
pub const DEFAULT_UPSTREAM: &str = "https://opencode.ai/zen/v1";
/// Default request body cap (1 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;
/// Default wait for the upstream's first byte.
pub const DEFAULT_FIRST_BYTE_TIMEOUT_MS: u64 = 30_000;
/// Default longest silence inside a stream before it is ended.
pub const DEFAULT_IDLE_TIMEOUT_MS: u64 = 120_000;
/// Default requests per minute per IP in public mode.
pub const DEFAULT_PUBLIC_RPM: u32 = 10;
/// Default concurrent requests per IP in public mode: the playground's
/// compare view streams up to four models at once.
pub const DEFAULT_PUBLIC_CONCURRENCY: u32 = 4;
/// Default output cap for public-mode requests.
pub const DEFAULT_PUBLIC_MAX_OUTPUT_TOKENS: u64 = 1024;
/// Default longest upstream `retry-after` the relay waits out before giving
/// up and passing the 429 on (the client is waiting for its first byte).
pub const DEFAULT_RETRY_AFTER_CAP_MS: u64 = 10_000;
/// Default requests per minute across all public-mode callers together.
pub const DEFAULT_PUBLIC_GLOBAL_RPM: u32 = 60;
/// Default concurrency of a token with a budget but no `concurrency` claim:
/// concurrency × reservation is the most a burst can overspend, so a
/// budgeted token is never unlimited.
pub const DEFAULT_TOKEN_CONCURRENCY: u32 = 4;
/// Default age at which an unsettled reservation is charged in full.
pub const DEFAULT_RESERVATION_TTL_MS: u64 = 15 * 60 * 1000;
/// How long the platform lets a `waitUntil` task run after the client has
/// gone (Cloudflare: 30 s). A stream's settlement must not depend on more.
pub const WAIT_UNTIL_GRACE_MS: u64 = 30_000;
/// Default silence after which a stream's reservation is charged at once.
pub const DEFAULT_SILENCE_CHARGE_MS: u64 = 20_000;
/// Shortest signing secret accepted (HMAC-SHA256 wants ≥ 32 bytes).
pub use crate::token::MIN_SECRET_LEN;

/// Which models the deployment serves at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelAllowlist {
    entries: Vec<String>,
}

impl ModelAllowlist {
    /// Parses a comma/space separated list; an entry ending in `*` is a
    /// prefix (`claude-*`), a lone `*` allows every model.
    pub fn parse(s: &str) -> ModelAllowlist {
        ModelAllowlist {
            entries: s
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|e| !e.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }

    /// True when `model` is allowed.
    pub fn allows(&self, model: &str) -> bool {
        self.entries.iter().any(|e| match e.strip_suffix('*') {
            Some(prefix) => model.starts_with(prefix),
            None => e == model,
        })
    }

    /// True when nothing is allowed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A setting had an unusable value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The var's name.
    pub var: &'static str,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "config {}: {}", self.var, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Everything configurable about a deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayConfig {
    /// `ZEN_UPSTREAM`: base URL requests go to (no trailing slash).
    pub upstream: String,
    /// `ALLOWED_ORIGINS`: browser origins that get CORS headers.
    pub allowed_origins: OriginList,
    /// `MODEL_ALLOWLIST`: models this deployment serves.
    pub models: ModelAllowlist,
    /// `PUBLIC_MODE`: token-less calls for free models from allowed origins.
    pub public_mode: bool,
    /// `PUBLIC_RPM`: per-IP requests per minute in public mode.
    pub public_rpm: u32,
    /// `PUBLIC_CONCURRENCY`: per-IP requests in flight in public mode.
    pub public_concurrency: u32,
    /// `PUBLIC_MAX_OUTPUT_TOKENS`: output cap in public mode.
    pub public_max_output_tokens: u64,
    /// `MAX_BODY_BYTES`: request body cap.
    pub max_body_bytes: usize,
    /// `FIRST_BYTE_TIMEOUT_MS`: wait for the upstream's first byte.
    pub first_byte_timeout_ms: u64,
    /// `IDLE_TIMEOUT_MS`: longest silence inside a stream.
    pub idle_timeout_ms: u64,
    /// `UPSTREAM_RETRIES`: retries before the first byte (429/5xx/overloaded).
    pub upstream_retries: u32,
    /// `RETRY_AFTER_CAP_MS`: longest upstream `retry-after` waited out; a
    /// longer one is passed to the client instead of retried.
    pub retry_after_cap_ms: u64,
    /// `ANTHROPIC_BETA_ALLOWLIST`: `anthropic-beta` values a client may
    /// send (anything else is refused); empty by default, because betas
    /// switch on tools, larger outputs and other paid features.
    pub anthropic_betas: Vec<String>,
    /// `PUBLIC_GLOBAL_RPM`: requests per minute across all public callers.
    pub public_global_rpm: u32,
    /// `TOKEN_CONCURRENCY`: requests in flight for a budgeted token without
    /// a `concurrency` claim.
    pub token_concurrency: u32,
    /// `RESERVATION_TTL_MS`: an unsettled reservation this old is charged in
    /// full (its stream keeps its slot while it shows signs of life).
    pub reservation_ttl_ms: u64,
    /// `SILENCE_CHARGE_MS`: a stream whose upstream has been silent this long
    /// has its reservation charged at once (corrected when it settles), so
    /// a client that leaves during the silence is charged even if the
    /// platform ends the task at its 30 s `waitUntil` grace.
    pub silence_charge_ms: u64,
}

/// True when `url`'s host is a loopback address (`localhost`, 127.0.0.0/8,
/// `[::1]`): the only place plain `http://` may go.
fn is_loopback_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((h, _)) => {
                return h
                    .parse::<std::net::Ipv6Addr>()
                    .is_ok_and(|a| a.is_loopback())
            }
            None => return false,
        },
        None => authority.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|a| a.is_loopback())
}

/// Checks `TOKEN_SIGNING_SECRET`: missing, empty or shorter than
/// [`MIN_SECRET_LEN`] bytes means no token can be trusted, so the relay
/// serves no API call at all (fail closed).
pub fn check_signing_secret(secret: Option<&str>) -> Result<&str, ConfigError> {
    match secret {
        Some(s) if s.len() >= MIN_SECRET_LEN => Ok(s),
        Some(s) if !s.is_empty() => Err(ConfigError {
            var: "TOKEN_SIGNING_SECRET",
            message: format!(
                "is {} bytes; at least {MIN_SECRET_LEN} are required",
                s.len()
            ),
        }),
        _ => Err(ConfigError {
            var: "TOKEN_SIGNING_SECRET",
            message: "is not set".into(),
        }),
    }
}

impl RelayConfig {
    /// Reads the settings through `var` (name → value); absent or empty
    /// values take the defaults.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<RelayConfig, ConfigError> {
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        fn num<T: std::str::FromStr>(
            name: &'static str,
            v: Option<String>,
            default: T,
        ) -> Result<T, ConfigError> {
            match v {
                None => Ok(default),
                Some(s) => s.parse().map_err(|_| ConfigError {
                    var: name,
                    message: format!("{s:?} is not a valid number"),
                }),
            }
        }
        let upstream = get("ZEN_UPSTREAM").unwrap_or_else(|| DEFAULT_UPSTREAM.to_owned());
        let upstream = upstream.trim_end_matches('/').to_owned();
        if !(upstream.starts_with("https://") || is_loopback_url(&upstream)) {
            return Err(ConfigError {
                var: "ZEN_UPSTREAM",
                message: format!(
                    "{upstream:?} must be an https:// URL (plain http:// only to a loopback address)"
                ),
            });
        }
        let public_mode = match get("PUBLIC_MODE").as_deref() {
            None | Some("false" | "0" | "off" | "no") => false,
            Some("true" | "1" | "on" | "yes") => true,
            Some(other) => {
                return Err(ConfigError {
                    var: "PUBLIC_MODE",
                    message: format!("{other:?} is not true/false"),
                })
            }
        };
        let max_body_bytes = num(
            "MAX_BODY_BYTES",
            get("MAX_BODY_BYTES"),
            DEFAULT_MAX_BODY_BYTES,
        )?;
        if max_body_bytes == 0 {
            return Err(ConfigError {
                var: "MAX_BODY_BYTES",
                message: "must be positive".into(),
            });
        }
        fn positive<T: Default + PartialEq>(var: &'static str, v: T) -> Result<T, ConfigError> {
            if v == T::default() {
                return Err(ConfigError {
                    var,
                    message: "must be positive".into(),
                });
            }
            Ok(v)
        }
        let silence_charge_ms = positive(
            "SILENCE_CHARGE_MS",
            num(
                "SILENCE_CHARGE_MS",
                get("SILENCE_CHARGE_MS"),
                DEFAULT_SILENCE_CHARGE_MS,
            )?,
        )?;
        if silence_charge_ms >= WAIT_UNTIL_GRACE_MS {
            return Err(ConfigError {
                var: "SILENCE_CHARGE_MS",
                message: format!(
                    "must be below the platform's {WAIT_UNTIL_GRACE_MS} ms waitUntil grace"
                ),
            });
        }
        let reservation_ttl_ms = num(
            "RESERVATION_TTL_MS",
            get("RESERVATION_TTL_MS"),
            DEFAULT_RESERVATION_TTL_MS,
        )?;
        if reservation_ttl_ms < 1_000 {
            return Err(ConfigError {
                var: "RESERVATION_TTL_MS",
                message: "must be at least 1000".into(),
            });
        }
        let anthropic_betas: Vec<String> = get("ANTHROPIC_BETA_ALLOWLIST")
            .unwrap_or_default()
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|b| !b.is_empty())
            .map(str::to_owned)
            .collect();
        Ok(RelayConfig {
            upstream,
            allowed_origins: OriginList::parse(&get("ALLOWED_ORIGINS").unwrap_or_default()),
            models: ModelAllowlist::parse(&get("MODEL_ALLOWLIST").unwrap_or_default()),
            public_mode,
            public_rpm: num("PUBLIC_RPM", get("PUBLIC_RPM"), DEFAULT_PUBLIC_RPM)?,
            public_concurrency: num(
                "PUBLIC_CONCURRENCY",
                get("PUBLIC_CONCURRENCY"),
                DEFAULT_PUBLIC_CONCURRENCY,
            )?,
            public_max_output_tokens: num(
                "PUBLIC_MAX_OUTPUT_TOKENS",
                get("PUBLIC_MAX_OUTPUT_TOKENS"),
                DEFAULT_PUBLIC_MAX_OUTPUT_TOKENS,
            )?,
            max_body_bytes,
            first_byte_timeout_ms: positive(
                "FIRST_BYTE_TIMEOUT_MS",
                num(
                    "FIRST_BYTE_TIMEOUT_MS",
                    get("FIRST_BYTE_TIMEOUT_MS"),
                    DEFAULT_FIRST_BYTE_TIMEOUT_MS,
                )?,
            )?,
            idle_timeout_ms: positive(
                "IDLE_TIMEOUT_MS",
                num(
                    "IDLE_TIMEOUT_MS",
                    get("IDLE_TIMEOUT_MS"),
                    DEFAULT_IDLE_TIMEOUT_MS,
                )?,
            )?,
            upstream_retries: num("UPSTREAM_RETRIES", get("UPSTREAM_RETRIES"), 2)?,
            retry_after_cap_ms: num(
                "RETRY_AFTER_CAP_MS",
                get("RETRY_AFTER_CAP_MS"),
                DEFAULT_RETRY_AFTER_CAP_MS,
            )?,
            anthropic_betas,
            public_global_rpm: num(
                "PUBLIC_GLOBAL_RPM",
                get("PUBLIC_GLOBAL_RPM"),
                DEFAULT_PUBLIC_GLOBAL_RPM,
            )?,
            token_concurrency: positive(
                "TOKEN_CONCURRENCY",
                num(
                    "TOKEN_CONCURRENCY",
                    get("TOKEN_CONCURRENCY"),
                    DEFAULT_TOKEN_CONCURRENCY,
                )?,
            )?,
            reservation_ttl_ms,
            silence_charge_ms,
        })
    }
}
