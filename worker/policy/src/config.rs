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
        if !(upstream.starts_with("https://") || upstream.starts_with("http://")) {
            return Err(ConfigError {
                var: "ZEN_UPSTREAM",
                message: format!("{upstream:?} is not an http(s) URL"),
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
            first_byte_timeout_ms: num(
                "FIRST_BYTE_TIMEOUT_MS",
                get("FIRST_BYTE_TIMEOUT_MS"),
                DEFAULT_FIRST_BYTE_TIMEOUT_MS,
            )?,
            idle_timeout_ms: num(
                "IDLE_TIMEOUT_MS",
                get("IDLE_TIMEOUT_MS"),
                DEFAULT_IDLE_TIMEOUT_MS,
            )?,
            upstream_retries: num("UPSTREAM_RETRIES", get("UPSTREAM_RETRIES"), 2)?,
            retry_after_cap_ms: num(
                "RETRY_AFTER_CAP_MS",
                get("RETRY_AFTER_CAP_MS"),
                DEFAULT_RETRY_AFTER_CAP_MS,
            )?,
        })
    }
}
