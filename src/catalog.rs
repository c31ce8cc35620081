//! The model catalog: which wire format serves each model, prices, limits and
//! capabilities (interface; the embedded table lands with the catalog work).

use serde::{Deserialize, Serialize};

use crate::wire::WireFormat;

/// Prices in USD per 1M tokens, as decimal strings (exact, no float drift).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prices {
    /// Uncached input.
    pub input: String,
    /// Output (reasoning included).
    pub output: String,
    /// Cache read; `None` when the model has no cache pricing.
    pub cache_read: Option<String>,
    /// Cache write; `None` when the model has no cache pricing.
    pub cache_write: Option<String>,
}

/// Context and output limits in tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Context window.
    pub context: u64,
    /// Largest output.
    pub output: u64,
}

/// What a model accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    /// Produces reasoning / accepts reasoning settings.
    pub reasoning: bool,
    /// Accepts tools.
    pub tools: bool,
    /// Accepts images/files.
    pub attachments: bool,
    /// Accepts `temperature`.
    pub temperature: bool,
    /// Needs its earlier reasoning sent back on assistant turns
    /// (`reasoning_content` on Chat Completions), e.g. kimi-k2-thinking.
    #[serde(default)]
    pub interleaved_reasoning: bool,
}

/// Everything zenwire knows about one model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    /// Zen model id, e.g. `claude-sonnet-4-5`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Wire format (and so endpoint) that serves it.
    pub format: WireFormat,
    /// Free to use (no key needed).
    pub free: bool,
    /// Prices per 1M tokens.
    pub prices: Prices,
    /// Prices above 200K input tokens, where the model has a higher tier.
    pub prices_over_200k: Option<Prices>,
    /// Token limits.
    pub limits: Limits,
    /// Capabilities.
    pub capabilities: Capabilities,
    /// Not in the table: format guessed from the id.
    #[serde(default)]
    pub unknown: bool,
    /// Listed in the table but missing from the gateway's `/models`.
    #[serde(default)]
    pub unavailable: bool,
}
