//! Deployment settings and the secrets the hot path needs, read once per
//! isolate. An isolate runs one version of the Worker with one set of vars
//! and secrets (changing either deploys a new version, hence new isolates),
//! so reading them per request only repeated ~30 JavaScript property reads
//! and string copies on every call.

use std::sync::OnceLock;

use worker::Env;
use zenwire_relay_policy::config::{check_signing_secret, ConfigError, RelayConfig};

use crate::env_string;

/// What every request reads: the parsed vars and two secrets.
pub(crate) struct Settings {
    /// The vars.
    pub config: RelayConfig,
    /// `ZEN_API_KEY`.
    pub zen_key: Option<String>,
    /// `TOKEN_SIGNING_SECRET` (at least 32 bytes: without one no token
    /// can be trusted, so the settings are unusable).
    pub signing_secret: String,
}

/// The isolate's settings (read from `env` on the first request), or why
/// its vars or secrets are unusable.
pub(crate) fn settings(env: &Env) -> Result<&'static Settings, &'static ConfigError> {
    static SETTINGS: OnceLock<Result<Settings, ConfigError>> = OnceLock::new();
    SETTINGS
        .get_or_init(|| {
            let read = || -> Result<Settings, ConfigError> {
                Ok(Settings {
                    config: RelayConfig::from_vars(|n| env_string(env, n))?,
                    zen_key: env_string(env, "ZEN_API_KEY"),
                    signing_secret: check_signing_secret(
                        env_string(env, "TOKEN_SIGNING_SECRET").as_deref(),
                    )?
                    .to_owned(),
                })
            };
            let settings = read();
            if let Err(e) = &settings {
                // Once per isolate: every request is refused the same way.
                worker::console_error!(
                    "{{\"msg\":\"relay misconfigured\",\"error\":{:?}}}",
                    e.to_string()
                );
            }
            settings
        })
        .as_ref()
}
