//! Command-line options and the served-model table (`models.json`).
//!
//! The model table is the fake SERVER's configuration (which models exist,
//! which endpoint they are native to, which allow anonymous use), so it is
//! deliberately separate from the client crate's catalog.

use serde::Deserialize;
use std::path::PathBuf;

/// The model table compiled into the binary; `--models FILE` replaces it.
const DEFAULT_MODELS: &str = include_str!("../models.json");

/// The four wire formats Zen serves, named after their endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `POST /chat/completions` (Zen calls it `oa-compat`).
    Chat,
    /// `POST /responses` (Zen: `openai`).
    Responses,
    /// `POST /messages` (Zen: `anthropic`).
    Messages,
    /// `POST /models/{id}:(stream)GenerateContent` (Zen: `google`).
    Gemini,
}

impl Format {
    /// The format name Zen uses in its "not supported for format" message.
    pub fn zen_name(self) -> &'static str {
        match self {
            Format::Chat => "oa-compat",
            Format::Responses => "openai",
            Format::Messages => "anthropic",
            Format::Gemini => "google",
        }
    }

    /// Short name used in the request log and recordings.
    pub fn name(self) -> &'static str {
        match self {
            Format::Chat => "chat",
            Format::Responses => "responses",
            Format::Messages => "messages",
            Format::Gemini => "gemini",
        }
    }
}

/// One served model.
#[derive(Debug, Clone, Deserialize)]
pub struct Model {
    /// Model id as clients send it.
    pub id: String,
    /// The endpoint the model is native to.
    pub format: Format,
    /// Free models accept anonymous requests and cost "0".
    pub free: bool,
    /// Whether a reasoning request produces reasoning output.
    #[serde(default)]
    pub reasoning: bool,
    /// USD per million input and output tokens, for the cost frame.
    #[serde(default)]
    pub price: [f64; 2],
}

impl Model {
    /// Whether Zen would serve this model on `endpoint`: Zen converts between
    /// chat, responses and messages, but Gemini models are only served on the
    /// Gemini endpoint and vice versa. `strict` allows the native one only.
    pub fn served_on(&self, endpoint: Format, strict: bool) -> bool {
        if strict || self.format == Format::Gemini || endpoint == Format::Gemini {
            self.format == endpoint
        } else {
            true
        }
    }
}

/// Parsed command line.
#[derive(Debug, Clone)]
pub struct Config {
    /// TCP port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// The one valid API key.
    pub key: String,
    /// Default pause between stream events, in milliseconds.
    pub delay_ms: u64,
    /// Print one line per request to stderr.
    pub log: bool,
    /// Serve each model only on its native endpoint.
    pub strict_formats: bool,
    /// Longest a `stall` scenario waits for the client to give up.
    pub max_stall_ms: u64,
    /// The served models.
    pub models: Vec<Model>,
}

const USAGE: &str = "usage: mock-zen [--port N] [--key KEY] [--delay-ms N] [--models FILE] \
[--strict-formats] [--max-stall-ms N] [--quiet]";

impl Config {
    /// Parses `args` (without the program name).
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Config, String> {
        let mut port = 0u16;
        let mut key = "zen-test-key".to_string();
        let mut delay_ms = 20u64;
        let mut log = true;
        let mut strict_formats = false;
        let mut max_stall_ms = 600_000u64;
        let mut models_file: Option<PathBuf> = None;
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
            };
            match arg.as_str() {
                "--port" => port = parse_num(&value("--port")?, "--port")?,
                "--key" => key = value("--key")?,
                "--delay-ms" => delay_ms = parse_num(&value("--delay-ms")?, "--delay-ms")?,
                "--max-stall-ms" => {
                    max_stall_ms = parse_num(&value("--max-stall-ms")?, "--max-stall-ms")?
                }
                "--models" => models_file = Some(PathBuf::from(value("--models")?)),
                "--strict-formats" => strict_formats = true,
                "--quiet" => log = false,
                "--help" | "-h" => return Err(USAGE.to_string()),
                other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
            }
        }
        let text = match &models_file {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
            None => DEFAULT_MODELS.to_string(),
        };
        let models = parse_models(&text)?;
        Ok(Config {
            port,
            key,
            delay_ms,
            log,
            strict_formats,
            max_stall_ms,
            models,
        })
    }

    /// The model with this id, if served.
    pub fn model(&self, id: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.id == id)
    }
}

fn parse_num<T: std::str::FromStr>(text: &str, name: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{name}: not a valid number: {text:?}"))
}

/// Parses a model table, rejecting duplicate ids.
pub fn parse_models(text: &str) -> Result<Vec<Model>, String> {
    let models: Vec<Model> =
        serde_json::from_str(text).map_err(|e| format!("bad models table: {e}"))?;
    for (i, m) in models.iter().enumerate() {
        if models.iter().skip(i + 1).any(|o| o.id == m.id) {
            return Err(format!("bad models table: duplicate id {:?}", m.id));
        }
    }
    Ok(models)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_table_has_the_dec_2025_line_up() {
        let models = parse_models(DEFAULT_MODELS).unwrap();
        assert_eq!(models.len(), 20);
        let free: Vec<&str> = models
            .iter()
            .filter(|m| m.free)
            .map(|m| m.id.as_str())
            .collect();
        assert_eq!(free, ["gpt-5-nano", "grok-code", "big-pickle"]);
    }

    #[test]
    fn gemini_models_only_on_gemini_endpoint() {
        let models = parse_models(DEFAULT_MODELS).unwrap();
        let gem = models.iter().find(|m| m.id == "gemini-3-pro").unwrap();
        let claude = models.iter().find(|m| m.id == "claude-opus-4-5").unwrap();
        assert!(gem.served_on(Format::Gemini, false));
        assert!(!gem.served_on(Format::Chat, false));
        assert!(claude.served_on(Format::Chat, false));
        assert!(!claude.served_on(Format::Chat, true));
        assert!(!claude.served_on(Format::Gemini, false));
    }

    #[test]
    fn duplicate_ids_rejected() {
        let text =
            r#"[{"id":"a","format":"chat","free":true},{"id":"a","format":"chat","free":true}]"#;
        assert!(parse_models(text).is_err());
    }

    #[test]
    fn flags_parse() {
        let c = Config::from_args(
            ["--port", "0", "--key", "k", "--delay-ms", "5", "--quiet"]
                .iter()
                .map(|s| s.to_string()),
        )
        .unwrap();
        assert_eq!(
            (c.port, c.key.as_str(), c.delay_ms, c.log),
            (0, "k", 5, false)
        );
        assert!(Config::from_args(["--port".to_string()]).is_err());
        assert!(Config::from_args(["--port".to_string(), "x".to_string()]).is_err());
    }
}
