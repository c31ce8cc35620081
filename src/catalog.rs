//! The model catalog: which wire format serves each model, prices, limits and
//! capabilities.
//!
//! The built-in table is data, not code: `src/catalog.json` (the Zen line-up
//! of Dec 2025, with its sources and known discrepancies noted in the file)
//! is compiled in and parsed once on first use. A runtime catalog can replace
//! it ([`Catalog::from_json`]), amend it ([`Catalog::extend_from_json`]) or be
//! reconciled with the gateway's live `GET /models` list
//! ([`Catalog::with_models_list`]).
//!
//! Models the table does not know still work: [`Catalog::resolve`] guesses the
//! wire format from the id (see [`ModelInfo::fallback`]).

use std::fmt;
use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cost::parse_price;
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

/// Context and output limits in tokens (0 = unknown).
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
    /// Chat-format model whose earlier reasoning must be sent back on the
    /// assistant message as `reasoning_content` (models.dev
    /// `interleaved.field`), e.g. kimi-k2-thinking and big-pickle.
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
    /// Who makes the model, for grouping in a UI: `openai`, `anthropic`,
    /// `google`, `zhipu`, `moonshot`, `qwen`, `xai`, `opencode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Release status when not generally available, e.g. `alpha`, `beta`,
    /// `deprecated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// Path of the endpoint (below the `…/zen/v1` base URL) that serves
/// `model_id` in `format`. Gemini puts the model in the path, so the id is
/// percent-encoded there; the other formats name it in the body.
pub fn endpoint_path(format: WireFormat, model_id: &str, stream: bool) -> String {
    match format {
        WireFormat::Chat => "/chat/completions".to_owned(),
        WireFormat::Responses => "/responses".to_owned(),
        WireFormat::Messages => "/messages".to_owned(),
        WireFormat::Gemini => {
            let id = percent_encode_segment(model_id);
            if stream {
                format!("/models/{id}:streamGenerateContent?alt=sse")
            } else {
                format!("/models/{id}:generateContent")
            }
        }
    }
}

/// Encodes everything but RFC 3986 unreserved characters, so an id from user
/// input can never add path segments, a query or a method suffix.
fn percent_encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl ModelInfo {
    /// Endpoint path below the base URL for this model (see [`endpoint_path`]).
    pub fn endpoint_path(&self, stream: bool) -> String {
        endpoint_path(self.format, &self.id, stream)
    }

    /// The prices that apply to a request whose input + cache read + cache
    /// write tokens total `prompt_tokens` (Zen's >200K rule).
    pub fn prices_for(&self, prompt_tokens: u64) -> &Prices {
        match &self.prices_over_200k {
            Some(p) if prompt_tokens > crate::cost::TIER_THRESHOLD_TOKENS => p,
            _ => &self.prices,
        }
    }

    /// What zenwire assumes about a model id it has no entry for.
    ///
    /// The wire format follows the id's family, as Zen routes it: `gpt-*` →
    /// Responses, `claude-*` → Messages, `gemini-*` → Gemini, anything else →
    /// Chat Completions (Zen's OpenAI-compatible default). The entry is
    /// marked `unknown`, paid (so nothing pretends it is free), with empty
    /// prices (the cost estimate then reports the prices as missing instead
    /// of claiming $0), limits 0 (unknown), and every capability flag on
    /// except `interleavedReasoning`, so a request builder passes the
    /// caller's settings through and lets the gateway judge them.
    pub fn fallback(id: &str) -> ModelInfo {
        let (format, provider) = if id.starts_with("gpt-") {
            (WireFormat::Responses, Some("openai"))
        } else if id.starts_with("claude-") {
            (WireFormat::Messages, Some("anthropic"))
        } else if id.starts_with("gemini-") {
            (WireFormat::Gemini, Some("google"))
        } else {
            (WireFormat::Chat, None)
        };
        ModelInfo {
            id: id.to_owned(),
            name: id.to_owned(),
            format,
            free: false,
            prices: Prices::default(),
            prices_over_200k: None,
            limits: Limits::default(),
            capabilities: Capabilities {
                reasoning: true,
                tools: true,
                attachments: true,
                temperature: true,
                interleaved_reasoning: false,
            },
            unknown: true,
            unavailable: false,
            provider: provider.map(str::to_owned),
            status: None,
        }
    }
}

/// What went wrong in catalog or models-list JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogErrorKind {
    /// Not JSON at all.
    Syntax,
    /// JSON of the wrong shape (missing field, wrong type).
    Shape,
    /// A field whose value is not acceptable (bad price, output > context…).
    InvalidValue,
    /// Two entries share an id.
    DuplicateId,
}

/// A catalog or models-list document was rejected. `path` points at the
/// offending value, e.g. `models[3].prices.input`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// Category.
    pub kind: CatalogErrorKind,
    /// JSON path of the offending value (`$` for the whole document).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl CatalogError {
    fn new(kind: CatalogErrorKind, path: impl Into<String>, message: impl Into<String>) -> Self {
        CatalogError {
            kind,
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "catalog: {}: {}", self.path, self.message)
    }
}

impl std::error::Error for CatalogError {}

/// An ordered set of models, unique by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    models: Vec<ModelInfo>,
}

/// The built-in table (see the module docs).
const BUILTIN_JSON: &str = include_str!("catalog.json");

impl Catalog {
    /// The built-in catalog, parsed on first use. Its data is checked by the
    /// test suite; if it were ever broken this returns an empty catalog (and
    /// every model resolves by the fallback rule) rather than panicking.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(|| Catalog::from_json(BUILTIN_JSON).unwrap_or_default())
    }

    /// Parses a catalog document: either `{"models": [ModelInfo…]}` (other
    /// top-level keys such as `notes` are ignored) or a bare array. Entries
    /// are validated: non-empty id and name, prices that parse as decimals,
    /// output limit ≤ context, unique ids.
    pub fn from_json(json: &str) -> Result<Catalog, CatalogError> {
        let (models, base) = parse_models(json)?;
        let mut catalog = Catalog::default();
        for (i, model) in models.into_iter().enumerate() {
            if catalog.get(&model.id).is_some() {
                return Err(CatalogError::new(
                    CatalogErrorKind::DuplicateId,
                    format!("{base}[{i}].id"),
                    format!("duplicate model id {:?}", model.id),
                ));
            }
            catalog.models.push(model);
        }
        Ok(catalog)
    }

    /// Adds the entries of a catalog document (same format as
    /// [`Catalog::from_json`]); an entry whose id exists replaces it in
    /// place. On error nothing changes.
    pub fn extend_from_json(&mut self, json: &str) -> Result<(), CatalogError> {
        let incoming = Catalog::from_json(json)?;
        for model in incoming.models {
            match self.models.iter_mut().find(|m| m.id == model.id) {
                Some(slot) => *slot = model,
                None => self.models.push(model),
            }
        }
        Ok(())
    }

    /// Reconciles the catalog with the gateway's `GET /models` body
    /// (`{"object":"list","data":[{"id":…},…]}`): table models the list
    /// lacks are marked `unavailable`, listed ids the table lacks are added
    /// (after the table's models, in list order) by the fallback rule with
    /// `unknown` set.
    pub fn with_models_list(&self, body: &str) -> Result<Catalog, CatalogError> {
        let listed = parse_models_list(body)?;
        let mut models: Vec<ModelInfo> = self
            .models
            .iter()
            .map(|m| ModelInfo {
                unavailable: !listed.iter().any(|id| id == &m.id),
                ..m.clone()
            })
            .collect();
        for id in &listed {
            if !models.iter().any(|m| &m.id == id) {
                models.push(ModelInfo::fallback(id));
            }
        }
        Ok(Catalog { models })
    }

    /// The entry for `id`, if the catalog has one.
    pub fn get(&self, id: &str) -> Option<&ModelInfo> {
        self.models.iter().find(|m| m.id == id)
    }

    /// The entry for `id`, or [`ModelInfo::fallback`] when there is none.
    pub fn resolve(&self, id: &str) -> ModelInfo {
        self.get(id)
            .cloned()
            .unwrap_or_else(|| ModelInfo::fallback(id))
    }

    /// All entries, in table order.
    pub fn models(&self) -> &[ModelInfo] {
        &self.models
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.models.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }
}

fn parse_json(text: &str) -> Result<Value, CatalogError> {
    serde_json::from_str(text)
        .map_err(|e| CatalogError::new(CatalogErrorKind::Syntax, "$", format!("invalid JSON: {e}")))
}

/// Deserializes `value` found at `path`, naming the path on failure.
fn at<T: DeserializeOwned>(value: &Value, path: &str) -> Result<T, CatalogError> {
    T::deserialize(value)
        .map_err(|e| CatalogError::new(CatalogErrorKind::Shape, path, e.to_string()))
}

/// The models of a catalog document and the JSON path of their array
/// (`models`, or empty for a bare array).
fn parse_models(json: &str) -> Result<(Vec<ModelInfo>, String), CatalogError> {
    let doc = parse_json(json)?;
    let (list, base) = match &doc {
        Value::Array(items) => (items, String::new()),
        Value::Object(map) => match map.get("models") {
            Some(Value::Array(items)) => (items, "models".to_owned()),
            Some(_) => {
                return Err(CatalogError::new(
                    CatalogErrorKind::Shape,
                    "models",
                    "expected an array of models",
                ))
            }
            None => {
                return Err(CatalogError::new(
                    CatalogErrorKind::Shape,
                    "$",
                    "expected an array of models or an object with a \"models\" array",
                ))
            }
        },
        _ => {
            return Err(CatalogError::new(
                CatalogErrorKind::Shape,
                "$",
                "expected an array of models or an object with a \"models\" array",
            ))
        }
    };
    let models = list
        .iter()
        .enumerate()
        .map(|(i, item)| parse_model(item, &format!("{base}[{i}]")))
        .collect::<Result<_, _>>()?;
    Ok((models, base))
}

/// One model entry. Nested objects are deserialized on their own first so a
/// shape error names the exact field (`models[3].limits.output`), which
/// serde's whole-struct error would not.
fn parse_model(item: &Value, path: &str) -> Result<ModelInfo, CatalogError> {
    let Value::Object(map) = item else {
        return Err(CatalogError::new(
            CatalogErrorKind::Shape,
            path,
            "expected a model object",
        ));
    };
    let field = |name: &str| format!("{path}.{name}");
    for (name, value) in map {
        let p = field(name);
        match name.as_str() {
            "prices" => at::<Prices>(value, &p).map(drop),
            "pricesOver200k" => at::<Option<Prices>>(value, &p).map(drop),
            "limits" => at::<Limits>(value, &p).map(drop),
            "capabilities" => at::<Capabilities>(value, &p).map(drop),
            "format" => at::<WireFormat>(value, &p).map(drop),
            _ => Ok(()),
        }?;
    }
    let model: ModelInfo = at(item, path)?;
    validate(&model, path)?;
    Ok(model)
}

fn validate(m: &ModelInfo, path: &str) -> Result<(), CatalogError> {
    let invalid = |field: &str, message: String| {
        Err(CatalogError::new(
            CatalogErrorKind::InvalidValue,
            format!("{path}.{field}"),
            message,
        ))
    };
    if m.id.trim().is_empty() {
        return invalid("id", "empty model id".into());
    }
    if m.name.trim().is_empty() {
        return invalid("name", format!("empty name for {:?}", m.id));
    }
    let tiers = [
        ("prices", Some(&m.prices)),
        ("pricesOver200k", m.prices_over_200k.as_ref()),
    ];
    for (tier, prices) in tiers {
        let Some(p) = prices else { continue };
        let fields = [
            ("input", Some(&p.input)),
            ("output", Some(&p.output)),
            ("cacheRead", p.cache_read.as_ref()),
            ("cacheWrite", p.cache_write.as_ref()),
        ];
        for (name, value) in fields {
            if let Some(Err(e)) = value.map(|v| parse_price(v)) {
                return invalid(&format!("{tier}.{name}"), format!("bad price: {e}"));
            }
        }
    }
    if m.limits.context > 0 && m.limits.output > m.limits.context {
        return invalid(
            "limits.output",
            format!(
                "output limit {} exceeds context {}",
                m.limits.output, m.limits.context
            ),
        );
    }
    Ok(())
}

/// The model ids of a `GET /models` body, duplicates dropped.
fn parse_models_list(body: &str) -> Result<Vec<String>, CatalogError> {
    let doc = parse_json(body)?;
    let Some(data) = doc.get("data") else {
        return Err(CatalogError::new(
            CatalogErrorKind::Shape,
            "data",
            "models list has no \"data\" array",
        ));
    };
    let Value::Array(items) = data else {
        return Err(CatalogError::new(
            CatalogErrorKind::Shape,
            "data",
            "expected an array",
        ));
    };
    let mut ids: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item.get("id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => {
                if !ids.iter().any(|seen| seen == id) {
                    ids.push(id.to_owned());
                }
            }
            _ => {
                return Err(CatalogError::new(
                    CatalogErrorKind::Shape,
                    format!("data[{i}].id"),
                    "expected a non-empty string model id",
                ))
            }
        }
    }
    Ok(ids)
}

/// The catalog as a Markdown table (for the README's model list; the test
/// suite keeps the README's `models` marker region equal to it). Prices are USD per 1M tokens
/// as written in the data; `–` = none.
pub fn markdown_table(catalog: &Catalog) -> String {
    fn opt(v: Option<&String>) -> &str {
        v.map_or("–", String::as_str)
    }
    let mut out = String::from(
        "| id | name | endpoint | free | input | output | cache read | cache write | >200K tier (in / out / cache read / cache write) | context | max output |\n\
         |---|---|---|---|---:|---:|---:|---:|---|---:|---:|\n",
    );
    for m in catalog.models() {
        let p = &m.prices;
        let tier = m.prices_over_200k.as_ref().map_or("–".to_owned(), |t| {
            format!(
                "{} / {} / {} / {}",
                t.input,
                t.output,
                opt(t.cache_read.as_ref()),
                opt(t.cache_write.as_ref())
            )
        });
        // A `|` in data would end the cell early.
        let cell = |s: &str| s.replace('|', "\\|");
        let mut name = cell(&m.name);
        if let Some(status) = &m.status {
            name.push_str(&format!(" ({})", cell(status)));
        }
        out.push_str(&format!(
            "| `{}` | {} | `{}` | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            cell(&m.id),
            name,
            m.endpoint_path(true),
            if m.free { "yes" } else { "no" },
            p.input,
            p.output,
            opt(p.cache_read.as_ref()),
            opt(p.cache_write.as_ref()),
            tier,
            m.limits.context,
            m.limits.output,
        ));
    }
    out
}
