//! What the policy test files share.

use zenwire_relay_policy::config::RelayConfig;

/// A relay configuration for tests: one allowed origin, a model allowlist
/// covering each wire format, then `extra` vars (a later name overrides an
/// earlier one).
pub fn config(extra: &[(&str, &str)]) -> RelayConfig {
    let mut vars = vec![
        ("ALLOWED_ORIGINS", "https://app.example"),
        (
            "MODEL_ALLOWLIST",
            "big-pickle,claude-sonnet-4-5,gpt-5.1,gemini-3-pro,glm-4.6",
        ),
    ];
    vars.extend_from_slice(extra);
    RelayConfig::from_vars(|k| {
        vars.iter()
            .rev()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    })
    .unwrap()
}
