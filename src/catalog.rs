//! The model catalog: which wire format serves each model, prices, limits and
//! capabilities.
//!
//! The built-in table's source is `src/catalog.json` (the Zen line-up of Dec
//! 2025, with its sources and known discrepancies noted in the file). It is
//! compiled in as `src/catalog/builtin.rs`, a table of string constants
//! generated from that file by the test suite (which fails when the two
//! differ; `ZENWIRE_BLESS=1 cargo test --test catalog` regenerates it), so the
//! wasm package carries neither the JSON text nor a catalog parser for it.
//! A runtime catalog can replace
//! it ([`Catalog::from_json`]), amend it ([`Catalog::extend_from_json`]) or be
//! reconciled with the gateway's live `GET /models` list
//! ([`Catalog::with_models_list`]).
//!
//! Models the table does not know still work: [`Catalog::resolve`] guesses the
//! wire format from the id (see [`ModelInfo::fallback`]).

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::cost::parse_price;
use crate::json::{JsonError, Kind};
use crate::json_view::View;
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

/// The built-in table, generated from `src/catalog.json` (see the module
/// docs); formatted by its generator, not by rustfmt.
#[rustfmt::skip]
mod builtin;

/// One entry of the built-in table: [`ModelInfo`] with `'static` strings,
/// so the table is constant data.
struct BuiltinModel {
    id: &'static str,
    name: &'static str,
    format: WireFormat,
    free: bool,
    prices: BuiltinPrices,
    prices_over_200k: Option<BuiltinPrices>,
    limits: Limits,
    capabilities: Capabilities,
    unknown: bool,
    unavailable: bool,
    provider: Option<&'static str>,
    status: Option<&'static str>,
}

/// [`Prices`] with `'static` strings.
struct BuiltinPrices {
    input: &'static str,
    output: &'static str,
    cache_read: Option<&'static str>,
    cache_write: Option<&'static str>,
}

impl BuiltinPrices {
    fn to_prices(&self) -> Prices {
        Prices {
            input: self.input.to_owned(),
            output: self.output.to_owned(),
            cache_read: self.cache_read.map(str::to_owned),
            cache_write: self.cache_write.map(str::to_owned),
        }
    }
}

impl BuiltinModel {
    fn to_model(&self) -> ModelInfo {
        ModelInfo {
            id: self.id.to_owned(),
            name: self.name.to_owned(),
            format: self.format,
            free: self.free,
            prices: self.prices.to_prices(),
            prices_over_200k: self.prices_over_200k.as_ref().map(BuiltinPrices::to_prices),
            limits: self.limits,
            capabilities: self.capabilities,
            unknown: self.unknown,
            unavailable: self.unavailable,
            provider: self.provider.map(str::to_owned),
            status: self.status.map(str::to_owned),
        }
    }
}

impl Catalog {
    /// The built-in catalog (`src/catalog.json`), built on first use.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(|| Catalog {
            models: builtin::MODELS.iter().map(BuiltinModel::to_model).collect(),
        })
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

// Parsing walks the text with the pull reader rather than deserializing
// with serde: the derives above serve Rust users (and `serde_json` round
// trips), but reading through them would put a deserializer per struct,
// ~20 KB, into the wasm package for a table read once. The rules are the
// ones those derives apply: required fields, `null` for the optional ones,
// unknown keys ignored, the last of duplicated keys winning (as in a
// `serde_json::Value` map), and a nested struct also accepted as an array of
// its fields in declaration order.

fn syntax_error(e: JsonError) -> CatalogError {
    CatalogError::new(CatalogErrorKind::Syntax, "$", format!("invalid JSON: {e}"))
}

fn shape_error(path: impl Into<String>, message: impl Into<String>) -> CatalogError {
    CatalogError::new(CatalogErrorKind::Shape, path, message)
}

/// `invalid type: number 1.5, expected a string`.
fn invalid_type(v: View<'_>, expected: &str) -> String {
    let found = match v.kind() {
        Kind::Null => "null".to_owned(),
        Kind::Bool | Kind::Number | Kind::String => {
            let what = match v.kind() {
                Kind::Bool => "boolean",
                Kind::Number => "number",
                _ => "string",
            };
            format!("{what} {}", v.raw())
        }
        Kind::Array => "an array".to_owned(),
        Kind::Object => "an object".to_owned(),
    };
    format!("invalid type: {found}, expected {expected}")
}

fn string(v: View<'_>) -> Result<String, String> {
    v.as_str()
        .map(String::from)
        .ok_or_else(|| invalid_type(v, "a string"))
}

/// A string or `null`.
fn optional_string(v: View<'_>) -> Result<Option<String>, String> {
    if v.is_null() {
        return Ok(None);
    }
    string(v).map(Some)
}

fn boolean(v: View<'_>) -> Result<bool, String> {
    v.as_bool().ok_or_else(|| invalid_type(v, "a boolean"))
}

/// A non-negative integer written without fraction or exponent.
fn unsigned(v: View<'_>) -> Result<u64, String> {
    v.as_u64()
        .ok_or_else(|| invalid_type(v, "a non-negative integer"))
}

fn wire_format(v: View<'_>) -> Result<WireFormat, String> {
    string(v)?.parse()
}

/// Reads a struct's members, calling `set(i, value)` for each present
/// `names[i]`: from an object by name, or from an array by position (serde's
/// derive reads a struct from either). An object must have the first
/// `required` names, an array the first `positional` elements; a missing
/// one is reported after every present value has been read.
fn read_struct(
    v: View<'_>,
    names: &[&str],
    required: usize,
    positional: usize,
    set: &mut dyn FnMut(usize, View<'_>) -> Result<(), String>,
) -> Result<(), String> {
    // Room for the longest struct read this way (Capabilities).
    let mut fields = [None; 5];
    let fields = fields.get_mut(..names.len()).unwrap_or_default();
    if v.is_object() {
        v.fields_into(names, fields);
    } else {
        let Some(items) = v.as_array() else {
            return Err(invalid_type(v, "an object"));
        };
        let mut len = 0;
        for item in items {
            match fields.get_mut(len) {
                Some(slot) => *slot = Some(item),
                None => return Err(format!("invalid length, expected {} elements", names.len())),
            }
            len += 1;
        }
        if len < positional {
            return Err(format!(
                "invalid length {len}, expected {positional} elements"
            ));
        }
    }
    for (i, (name, value)) in names.iter().zip(fields.iter()).enumerate() {
        if let Some(value) = value {
            set(i, *value).map_err(|e| format!("{name}: {e}"))?;
        }
    }
    match names
        .iter()
        .zip(fields.iter())
        .take(required)
        .find(|(_, v)| v.is_none())
    {
        Some((name, _)) => Err(format!("missing field `{name}`")),
        None => Ok(()),
    }
}

/// One member of a struct read from catalog JSON: its key and where its
/// value goes. A struct's members are listed in declaration order, which is
/// also the order of serde's array form.
type Member<T> = (&'static str, fn(&mut T, View<'_>) -> Result<(), String>);

/// A struct from its [`Member`]s (see [`read_struct`]).
fn read_members<T: Default>(
    v: View<'_>,
    members: &[Member<T>],
    required: usize,
    positional: usize,
) -> Result<T, String> {
    // Room for the longest struct read this way (Capabilities).
    let mut keys = [""; 5];
    for (key, (name, _)) in keys.iter_mut().zip(members) {
        *key = name;
    }
    let keys = keys.get(..members.len()).unwrap_or_default();
    let mut out = T::default();
    read_struct(
        v,
        keys,
        required,
        positional,
        &mut |i, value| match members.get(i) {
            Some((_, set)) => set(&mut out, value),
            None => Ok(()),
        },
    )?;
    Ok(out)
}

fn prices(v: View<'_>) -> Result<Prices, String> {
    const MEMBERS: &[Member<Prices>] = &[
        ("input", |p, v| string(v).map(|x| p.input = x)),
        ("output", |p, v| string(v).map(|x| p.output = x)),
        ("cacheRead", |p, v| {
            optional_string(v).map(|x| p.cache_read = x)
        }),
        ("cacheWrite", |p, v| {
            optional_string(v).map(|x| p.cache_write = x)
        }),
    ];
    read_members(v, MEMBERS, 2, 4)
}

/// `pricesOver200k`: prices or `null`.
fn optional_prices(v: View<'_>) -> Result<Option<Prices>, String> {
    if v.is_null() {
        return Ok(None);
    }
    prices(v).map(Some)
}

fn limits(v: View<'_>) -> Result<Limits, String> {
    const MEMBERS: &[Member<Limits>] = &[
        ("context", |l, v| unsigned(v).map(|x| l.context = x)),
        ("output", |l, v| unsigned(v).map(|x| l.output = x)),
    ];
    read_members(v, MEMBERS, 2, 2)
}

fn capabilities(v: View<'_>) -> Result<Capabilities, String> {
    const MEMBERS: &[Member<Capabilities>] = &[
        ("reasoning", |c, v| boolean(v).map(|x| c.reasoning = x)),
        ("tools", |c, v| boolean(v).map(|x| c.tools = x)),
        ("attachments", |c, v| boolean(v).map(|x| c.attachments = x)),
        ("temperature", |c, v| boolean(v).map(|x| c.temperature = x)),
        ("interleavedReasoning", |c, v| {
            boolean(v).map(|x| c.interleaved_reasoning = x)
        }),
    ];
    read_members(v, MEMBERS, 4, 4)
}

/// Where the error of a model entry's member is reported.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ErrorAt {
    /// At the member's own path (`models[3].limits`): nested values.
    Member,
    /// At the entry's path, the message naming the member: scalars.
    Entry,
}

/// A model entry's members, in the order their errors take precedence: the
/// nested values, then the scalars, each alphabetically.
const MODEL_FIELDS: [(&str, ErrorAt); 12] = [
    ("capabilities", ErrorAt::Member),
    ("format", ErrorAt::Member),
    ("limits", ErrorAt::Member),
    ("prices", ErrorAt::Member),
    ("pricesOver200k", ErrorAt::Member),
    ("free", ErrorAt::Entry),
    ("id", ErrorAt::Entry),
    ("name", ErrorAt::Entry),
    ("provider", ErrorAt::Entry),
    ("status", ErrorAt::Entry),
    ("unavailable", ErrorAt::Entry),
    ("unknown", ErrorAt::Entry),
];

/// The members a model entry must have, in the order a missing one is
/// reported (declaration order).
const REQUIRED_MODEL_FIELDS: [&str; 7] = [
    "id",
    "name",
    "format",
    "free",
    "prices",
    "limits",
    "capabilities",
];

/// Reads member `name` of a model entry into `m`.
fn set_model_field(m: &mut ModelInfo, name: &str, v: View<'_>) -> Result<(), String> {
    match name {
        "capabilities" => m.capabilities = capabilities(v)?,
        "format" => m.format = wire_format(v)?,
        "limits" => m.limits = limits(v)?,
        "prices" => m.prices = prices(v)?,
        "pricesOver200k" => m.prices_over_200k = optional_prices(v)?,
        "free" => m.free = boolean(v)?,
        "id" => m.id = string(v)?,
        "name" => m.name = string(v)?,
        "provider" => m.provider = optional_string(v)?,
        "status" => m.status = optional_string(v)?,
        "unavailable" => m.unavailable = boolean(v)?,
        _ => m.unknown = boolean(v)?,
    }
    Ok(())
}

/// The models of a catalog document and the JSON path of their array
/// (`models`, or empty for a bare array).
fn parse_models(json: &str) -> Result<(Vec<ModelInfo>, String), CatalogError> {
    let doc = View::document(json).map_err(syntax_error)?;
    let not_models = || {
        shape_error(
            "$",
            "expected an array of models or an object with a \"models\" array",
        )
    };
    let (list, base) = match doc.kind() {
        Kind::Array => (doc, String::new()),
        Kind::Object => match doc.get("models") {
            Some(list) if list.kind() == Kind::Array => (list, "models".to_owned()),
            Some(_) => return Err(shape_error("models", "expected an array of models")),
            None => return Err(not_models()),
        },
        _ => return Err(not_models()),
    };
    let models = list
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, item)| parse_model(item, &format!("{base}[{i}]")))
        .collect::<Result<_, _>>()?;
    Ok((models, base))
}

/// One model entry. A nested value's error names its own path
/// (`models[3].limits`); the entry's scalar fields are reported at the
/// entry's path, naming the field in the message.
fn parse_model(item: View<'_>, path: &str) -> Result<ModelInfo, CatalogError> {
    if !item.is_object() {
        return Err(shape_error(path, "expected a model object"));
    }
    let fields = item.fields(MODEL_FIELDS.map(|(name, _)| name));
    let mut m = ModelInfo {
        id: String::new(),
        name: String::new(),
        format: WireFormat::Chat,
        free: false,
        prices: Prices::default(),
        prices_over_200k: None,
        limits: Limits::default(),
        capabilities: Capabilities::default(),
        unknown: false,
        unavailable: false,
        provider: None,
        status: None,
    };
    for ((name, error_at), value) in MODEL_FIELDS.iter().zip(fields) {
        let Some(value) = value else { continue };
        set_model_field(&mut m, name, value).map_err(|e| match error_at {
            ErrorAt::Member => shape_error(format!("{path}.{name}"), e),
            ErrorAt::Entry => shape_error(path, format!("{name}: {e}")),
        })?;
    }
    let present = |want: &&str| {
        MODEL_FIELDS
            .iter()
            .zip(fields)
            .any(|((name, _), value)| name == want && value.is_some())
    };
    if let Some(name) = REQUIRED_MODEL_FIELDS.iter().find(|want| !present(want)) {
        return Err(shape_error(path, format!("missing field `{name}`")));
    }
    validate(&m, path)?;
    Ok(m)
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
    let doc = View::document(body).map_err(syntax_error)?;
    let Some(data) = doc.get("data") else {
        return Err(shape_error("data", "models list has no \"data\" array"));
    };
    let Some(items) = data.as_array() else {
        return Err(shape_error("data", "expected an array"));
    };
    let mut ids: Vec<String> = Vec::new();
    for (i, item) in items.enumerate() {
        match item.get("id").and_then(View::as_str) {
            Some(id) if !id.is_empty() => {
                if !ids.iter().any(|seen| *seen == id) {
                    ids.push(id.into_owned());
                }
            }
            _ => {
                return Err(shape_error(
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

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = r#"{"id":"m","name":"M","format":"chat","free":true,
        "prices":{"input":"1","output":"2","cacheRead":null,"cacheWrite":null},
        "limits":{"context":10,"output":5},
        "capabilities":{"reasoning":true,"tools":true,"attachments":false,"temperature":true}}"#;

    fn error(doc: &str) -> CatalogError {
        match Catalog::from_json(doc) {
            Ok(c) => panic!("accepted {doc}: {c:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn nested_structs_may_be_arrays_of_their_fields_in_order() {
        let doc = MODEL
            .replace(r#"{"context":10,"output":5}"#, "[10,5]")
            .replace(
                r#"{"input":"1","output":"2","cacheRead":null,"cacheWrite":null}"#,
                r#"["1","2",null,"0.5"]"#,
            );
        let c = Catalog::from_json(&format!("[{doc}]")).expect("array fields");
        let m = c.get("m").expect("m");
        assert_eq!((m.limits.context, m.limits.output), (10, 5));
        assert_eq!(m.prices.cache_write.as_deref(), Some("0.5"));
        let short = MODEL.replace(r#"{"context":10,"output":5}"#, "[10]");
        let e = error(&format!("[{short}]"));
        assert_eq!(
            (e.kind, e.path.as_str()),
            (CatalogErrorKind::Shape, "[0].limits")
        );
        let long = MODEL.replace(r#"{"context":10,"output":5}"#, "[10,5,1]");
        assert_eq!(error(&format!("[{long}]")).path, "[0].limits");
    }

    #[test]
    fn scalar_type_errors_name_the_field_at_the_model_path() {
        let e = error(&format!(
            "[{}]",
            MODEL.replace(r#""free":true"#, r#""free":"yes""#)
        ));
        assert_eq!((e.kind, e.path.as_str()), (CatalogErrorKind::Shape, "[0]"));
        assert!(e.message.starts_with("free: invalid type: string"), "{e}");
        let e = error(&format!(
            "[{}]",
            MODEL.replace(r#""context":10"#, r#""context":10.0"#)
        ));
        assert_eq!(e.path, "[0].limits");
        assert!(e.message.starts_with("context: "), "{e}");
        let e = error(&format!("[{}]", MODEL.replace(r#""free":true,"#, "")));
        assert_eq!(e.message, "missing field `free`");
    }

    #[test]
    fn syntax_errors_win_over_shape_errors_and_duplicates_keep_the_last() {
        assert_eq!(error("[1, {").kind, CatalogErrorKind::Syntax);
        let dup = MODEL.replace(r#""name":"M""#, r#""name":7,"name":"Later""#);
        let c = Catalog::from_json(&format!("[{dup}]")).expect("last duplicate wins");
        assert_eq!(c.get("m").map(|m| m.name.as_str()), Some("Later"));
    }
}
