//! The built-in catalog: completeness, agreement with the recorded Zen docs
//! and models.dev tables, the runtime JSON API, and the generated docs.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use zenwire::catalog::{endpoint_path, markdown_table, Catalog, CatalogErrorKind, ModelInfo};
use zenwire::cost::parse_price;
use zenwire::WireFormat;

const SEED_IDS: [&str; 20] = [
    "gpt-5.1",
    "gpt-5.1-codex",
    "gpt-5.1-codex-max",
    "gpt-5",
    "gpt-5-codex",
    "gpt-5-nano",
    "claude-sonnet-4-5",
    "claude-sonnet-4",
    "claude-haiku-4-5",
    "claude-3-5-haiku",
    "claude-opus-4-5",
    "claude-opus-4-1",
    "gemini-3-pro",
    "glm-4.6",
    "kimi-k2",
    "kimi-k2-thinking",
    "qwen3-coder",
    "grok-code",
    "big-pickle",
    "alpha-gd4",
];

const TIERED: [&str; 3] = ["claude-sonnet-4-5", "claude-sonnet-4", "gemini-3-pro"];

fn builtin(id: &str) -> &'static ModelInfo {
    Catalog::builtin()
        .get(id)
        .unwrap_or_else(|| panic!("{id} missing from the built-in catalog"))
}

#[test]
fn builtin_has_every_seed_model_once() {
    let cat = Catalog::builtin();
    // Not the empty fallback `builtin()` would use if the data were broken.
    assert_eq!(cat.len(), 20);
    for id in SEED_IDS {
        assert_eq!(
            cat.models().iter().filter(|m| m.id == id).count(),
            1,
            "{id}"
        );
    }
    assert!(cat.models().iter().all(|m| !m.unknown && !m.unavailable));
}

#[test]
fn every_row_is_complete() {
    for m in Catalog::builtin().models() {
        let id = &m.id;
        assert!(!m.name.trim().is_empty(), "{id}: name");
        assert!(m.provider.is_some(), "{id}: provider");
        let tiers = std::iter::once(&m.prices).chain(m.prices_over_200k.as_ref());
        for p in tiers {
            for price in [
                Some(&p.input),
                Some(&p.output),
                p.cache_read.as_ref(),
                p.cache_write.as_ref(),
            ]
            .into_iter()
            .flatten()
            {
                assert!(parse_price(price).is_ok(), "{id}: price {price:?}");
            }
        }
        assert!(m.limits.context > 0 && m.limits.output > 0, "{id}: limits");
        assert!(
            m.limits.output <= m.limits.context,
            "{id}: output > context"
        );
        assert_eq!(
            m.prices_over_200k.is_some(),
            TIERED.contains(&id.as_str()),
            "{id}: >200K tier"
        );
        let zero = |s: &str| parse_price(s).map(|p| p.is_zero()).unwrap_or(false);
        assert_eq!(
            m.free,
            zero(&m.prices.input) && zero(&m.prices.output),
            "{id}: free flag vs prices"
        );
    }
}

#[test]
fn seed_facts_that_matter_downstream() {
    assert!(builtin("gpt-5-nano").free && builtin("grok-code").free && builtin("big-pickle").free);
    assert!(!builtin("gpt-5.1").free);
    let interleaved: Vec<_> = Catalog::builtin()
        .models()
        .iter()
        .filter(|m| m.capabilities.interleaved_reasoning)
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(interleaved, ["kimi-k2-thinking", "big-pickle"]);
    assert_eq!(builtin("alpha-gd4").status.as_deref(), Some("alpha"));
    assert!(!builtin("gpt-5").capabilities.temperature);
    assert!(!builtin("claude-3-5-haiku").capabilities.reasoning);
    assert_eq!(builtin("gemini-3-pro").format, WireFormat::Gemini);
    assert_eq!(builtin("qwen3-coder").prices.output, "1.50");
}

// ---------------------------------------------------------------------------
// Agreement with the recorded tables (skipped when ../shared is absent).

/// Minimal RFC 4180 reader: quoted fields may hold commas and `""`.
fn parse_csv(text: &str) -> Vec<HashMap<String, String>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    cur.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            }
        }
        fields.push(cur);
        rows.push(fields);
    }
    let header = rows.remove(0);
    rows.into_iter()
        .map(|r| {
            assert_eq!(r.len(), header.len(), "csv row width: {r:?}");
            header.iter().cloned().zip(r).collect()
        })
        .collect()
}

fn shared_csv(name: &str) -> Option<Vec<HashMap<String, String>>> {
    let path = common::shared_fixtures()?.join(name);
    let text = std::fs::read_to_string(&path).ok()?;
    Some(parse_csv(&text))
}

/// Same decimal value ("8.50" == "8.5"); `None`/"" on one side only differs.
fn same_price(ours: Option<&String>, theirs: &str) -> bool {
    match (ours, theirs) {
        (None, "") => true,
        (Some(a), b) if !b.is_empty() => parse_price(a).ok() == parse_price(b).ok(),
        _ => false,
    }
}

fn check_prices(
    id: &str,
    p: &zenwire::catalog::Prices,
    cols: [&str; 4],
    row: &HashMap<String, String>,
    allowed: &[(&str, &str)],
    mismatches: &mut Vec<String>,
) {
    let ours = [
        Some(&p.input),
        Some(&p.output),
        p.cache_read.as_ref(),
        p.cache_write.as_ref(),
    ];
    for (col, ours) in cols.into_iter().zip(ours) {
        let theirs = row[col].as_str();
        if !same_price(ours, theirs) && !allowed.contains(&(id, col)) {
            mismatches.push(format!("{id}.{col}: ours {ours:?}, csv {theirs:?}"));
        }
    }
}

#[test]
fn agrees_with_zen_docs_table() {
    let Some(rows) = shared_csv("zen-models.csv") else {
        eprintln!("shared fixtures absent; skipping");
        return;
    };
    assert_eq!(rows.len(), 23);
    let base = "https://opencode.ai/zen/v1";
    let mut mismatches = Vec::new();
    let mut seen = Vec::new();
    for row in &rows {
        let id = row["id"].as_str();
        let m = builtin(id);
        let cols = [
            "input_per_mtok",
            "output_per_mtok",
            "cache_read_per_mtok",
            "cache_write_per_mtok",
        ];
        if row["name"].contains("> 200K") {
            let tier = m
                .prices_over_200k
                .as_ref()
                .unwrap_or_else(|| panic!("{id}: no tier"));
            check_prices(id, tier, cols, row, &[], &mut mismatches);
            continue;
        }
        seen.push(id.to_owned());
        if m.name != row["name"] {
            mismatches.push(format!("{id}: name {:?} vs {:?}", m.name, row["name"]));
        }
        // The docs give Gemini's endpoint without the method suffix.
        let endpoint = format!("{base}{}", m.endpoint_path(false));
        let endpoint = endpoint.split(':').take(2).collect::<Vec<_>>().join(":");
        if endpoint != row["endpoint"] {
            mismatches.push(format!("{id}: endpoint {endpoint} vs {}", row["endpoint"]));
        }
        let csv_free = row["input_per_mtok"] == "0" && row["output_per_mtok"] == "0";
        if m.free != csv_free {
            mismatches.push(format!("{id}: free {} vs {csv_free}", m.free));
        }
        // The docs are the source of the seed prices: no exceptions here.
        check_prices(id, &m.prices, cols, row, &[], &mut mismatches);
    }
    assert_eq!(seen.len(), 20);
    assert!(
        mismatches.is_empty(),
        "catalog vs zen-models.csv:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn agrees_with_models_dev_snapshot_except_known_discrepancies() {
    let Some(rows) = shared_csv("zen-models-modelsdev.csv") else {
        eprintln!("shared fixtures absent; skipping");
        return;
    };
    assert_eq!(rows.len(), 20);
    // Zen docs win over models.dev where they differ (see src/catalog.json notes).
    let allowed: &[(&str, &str)] = &[
        ("qwen3-coder", "cost_output"),          // docs 1.50, models.dev 1.8
        ("kimi-k2", "cost_cache_read"),          // docs "-", models.dev 0.4
        ("kimi-k2-thinking", "cost_cache_read"), // docs "-", models.dev 0.4
        ("grok-code", "cost_cache_write"),       // docs "-", models.dev 0
        ("big-pickle", "cost_cache_write"),      // docs "-", models.dev 0
    ];
    let flag = |s: &str| s == "True";
    let mut mismatches = Vec::new();
    for row in &rows {
        let id = row["id"].as_str();
        let m = builtin(id);
        let format = match row["npm"].split(' ').next() {
            Some("@ai-sdk/openai") => WireFormat::Responses,
            Some("@ai-sdk/anthropic") => WireFormat::Messages,
            Some("@ai-sdk/google") => WireFormat::Gemini,
            _ => WireFormat::Chat,
        };
        if m.format != format {
            mismatches.push(format!("{id}: format {} vs npm {}", m.format, row["npm"]));
        }
        let cols = [
            "cost_input",
            "cost_output",
            "cost_cache_read",
            "cost_cache_write",
        ];
        check_prices(id, &m.prices, cols, row, allowed, &mut mismatches);
        if let Some(tier) = &m.prices_over_200k {
            let cols = [
                "cost_over200k_input",
                "cost_over200k_output",
                "cost_over200k_cache_read",
                "cost_over200k_cache_write",
            ];
            check_prices(id, tier, cols, row, allowed, &mut mismatches);
        } else if !row["cost_over200k_input"].is_empty() {
            mismatches.push(format!("{id}: models.dev has a >200K tier"));
        }
        let limits = (
            row["context"].parse::<u64>().ok(),
            row["output_limit"].parse::<u64>().ok(),
        );
        if limits != (Some(m.limits.context), Some(m.limits.output)) {
            mismatches.push(format!("{id}: limits {:?} vs {limits:?}", m.limits));
        }
        let c = m.capabilities;
        let theirs = (
            flag(&row["reasoning"]),
            flag(&row["tool_call"]),
            flag(&row["attachment"]),
            flag(&row["temperature"]),
            row["head_interleaved_field"] == "reasoning_content",
        );
        if (
            c.reasoning,
            c.tools,
            c.attachments,
            c.temperature,
            c.interleaved_reasoning,
        ) != theirs
        {
            mismatches.push(format!("{id}: capabilities {c:?} vs {theirs:?}"));
        }
        let status = row["status_at_snapshot"].as_str();
        if m.status.as_deref().unwrap_or("") != status {
            mismatches.push(format!("{id}: status {:?} vs {status:?}", m.status));
        }
    }
    assert!(
        mismatches.is_empty(),
        "catalog vs models.dev:\n{}",
        mismatches.join("\n")
    );
}

// ---------------------------------------------------------------------------
// Lookup and fallback.

#[test]
fn resolve_known_and_fallback_by_family() {
    let cat = Catalog::builtin();
    assert_eq!(cat.resolve("claude-opus-4-5"), *builtin("claude-opus-4-5"));
    for (id, format, provider) in [
        ("gpt-6", WireFormat::Responses, Some("openai")),
        ("claude-opus-5", WireFormat::Messages, Some("anthropic")),
        ("gemini-4-flash", WireFormat::Gemini, Some("google")),
        ("minimax-m2", WireFormat::Chat, None),
        ("GPT-5", WireFormat::Chat, None), // ids are case-sensitive, like Zen's
        ("", WireFormat::Chat, None),
    ] {
        let m = cat.resolve(id);
        assert_eq!(
            (m.format, m.provider.as_deref()),
            (format, provider),
            "{id:?}"
        );
        assert!(m.unknown && !m.free && !m.unavailable, "{id:?}");
        assert_eq!(m.name, id);
        assert!(m.prices.input.is_empty() && m.prices.output.is_empty());
        assert_eq!((m.limits.context, m.limits.output), (0, 0));
        assert!(m.capabilities.tools && m.capabilities.temperature);
        assert!(!m.capabilities.interleaved_reasoning);
        assert!(cat.get(id).is_none());
    }
}

#[test]
fn endpoint_paths_per_format() {
    let path = |id: &str, stream| Catalog::builtin().resolve(id).endpoint_path(stream);
    assert_eq!(path("gpt-5.1", true), "/responses");
    assert_eq!(path("claude-haiku-4-5", false), "/messages");
    assert_eq!(path("glm-4.6", true), "/chat/completions");
    assert_eq!(
        path("gemini-3-pro", true),
        "/models/gemini-3-pro:streamGenerateContent?alt=sse"
    );
    assert_eq!(
        path("gemini-3-pro", false),
        "/models/gemini-3-pro:generateContent"
    );
    // A hostile id cannot leave its path segment.
    assert_eq!(
        endpoint_path(WireFormat::Gemini, "gemini-x/../a?b:c é", false),
        "/models/gemini-x%2F..%2Fa%3Fb%3Ac%20%C3%A9:generateContent"
    );
}

// ---------------------------------------------------------------------------
// Runtime JSON.

const ONE_MODEL: &str = r#"{"id":"m1","name":"Model One","format":"chat","free":false,
  "prices":{"input":"1","output":"2","cacheRead":null,"cacheWrite":null},"pricesOver200k":null,
  "limits":{"context":1000,"output":100},
  "capabilities":{"reasoning":false,"tools":true,"attachments":false,"temperature":true}}"#;

#[test]
fn from_json_accepts_array_or_models_object_and_defaults_new_fields() {
    let a = Catalog::from_json(&format!("[{ONE_MODEL}]")).expect("array form");
    let b = Catalog::from_json(&format!(r#"{{"notes":["x"],"models":[{ONE_MODEL}]}}"#))
        .expect("object form");
    assert_eq!(a, b);
    let m = a.get("m1").expect("m1");
    assert_eq!(m.format, WireFormat::Chat);
    assert!(!m.capabilities.interleaved_reasoning && !m.unknown && !m.unavailable);
    assert_eq!((m.provider.as_ref(), m.status.as_ref()), (None, None));
    assert_eq!(Catalog::from_json("[]").map(|c| c.len()), Ok(0));
}

#[test]
fn builtin_round_trips_through_its_own_json() {
    let models = Catalog::builtin().models();
    let json = serde_json::to_string(models).expect("serialize");
    assert_eq!(Catalog::from_json(&json).expect("reparse").models(), models);
}

#[test]
fn from_json_errors_name_the_path() {
    let cases: &[(String, CatalogErrorKind, &str)] = &[
        ("{not json".into(), CatalogErrorKind::Syntax, "$"),
        ("42".into(), CatalogErrorKind::Shape, "$"),
        (r#"{"models":{}}"#.into(), CatalogErrorKind::Shape, "models"),
        (
            r#"{"models":[1]}"#.into(),
            CatalogErrorKind::Shape,
            "models[0]",
        ),
        (
            ONE_MODEL.replace(r#""input":"1""#, r#""input":1.5"#),
            CatalogErrorKind::Shape,
            "[0].prices",
        ),
        (
            ONE_MODEL.replace(r#""input":"1""#, r#""input":"1,5""#),
            CatalogErrorKind::InvalidValue,
            "[0].prices.input",
        ),
        (
            ONE_MODEL.replace(
                r#""pricesOver200k":null"#,
                r#""pricesOver200k":{"input":"2","output":"-1"}"#,
            ),
            CatalogErrorKind::InvalidValue,
            "[0].pricesOver200k.output",
        ),
        (
            ONE_MODEL.replace(r#""output":100"#, r#""output":"100""#),
            CatalogErrorKind::Shape,
            "[0].limits",
        ),
        (
            ONE_MODEL.replace(r#""output":100"#, r#""output":5000"#),
            CatalogErrorKind::InvalidValue,
            "[0].limits.output",
        ),
        (
            ONE_MODEL.replace(r#""chat""#, r#""grpc""#),
            CatalogErrorKind::Shape,
            "[0].format",
        ),
        (
            ONE_MODEL.replace(r#""name":"Model One","#, ""),
            CatalogErrorKind::Shape,
            "[0]",
        ),
        (
            ONE_MODEL.replace(r#""name":"Model One""#, r#""name":" ""#),
            CatalogErrorKind::InvalidValue,
            "[0].name",
        ),
        (
            ONE_MODEL.replace(r#""id":"m1""#, r#""id":"""#),
            CatalogErrorKind::InvalidValue,
            "[0].id",
        ),
    ];
    for (json, kind, path) in cases {
        let doc = if json.starts_with('{') && json.contains("\"id\"") {
            format!("[{json}]")
        } else {
            json.clone()
        };
        let err = Catalog::from_json(&doc).expect_err(path);
        assert_eq!((err.kind, err.path.as_str()), (*kind, *path), "{err}");
        assert!(
            err.to_string().starts_with(&format!("catalog: {path}: ")),
            "{err}"
        );
    }
    let missing = Catalog::from_json(&format!(
        "[{}]",
        ONE_MODEL.replace(r#""name":"Model One","#, "")
    ))
    .expect_err("name");
    assert!(missing.message.contains("name"), "{missing}");
    let dup = Catalog::from_json(&format!("[{ONE_MODEL},{ONE_MODEL}]")).expect_err("dup");
    assert_eq!(
        (dup.kind, dup.path.as_str()),
        (CatalogErrorKind::DuplicateId, "[1].id")
    );
}

#[test]
fn extend_from_json_overrides_in_place_and_appends() {
    let mut cat = Catalog::builtin().clone();
    let override_gpt = ONE_MODEL.replace(r#""id":"m1""#, r#""id":"gpt-5""#);
    cat.extend_from_json(&format!(r#"{{"models":[{override_gpt},{ONE_MODEL}]}}"#))
        .expect("extend");
    assert_eq!(cat.len(), 21);
    assert_eq!(cat.models()[3].id, "gpt-5");
    assert_eq!(cat.models()[3].name, "Model One");
    assert_eq!(cat.models()[20].id, "m1");
    let before = cat.clone();
    let bad = format!("[{ONE_MODEL},{}]", ONE_MODEL.replace("\"1\"", "\"x\""));
    assert!(cat.extend_from_json(&bad).is_err());
    assert_eq!(cat, before, "failed extend must not change the catalog");
}

#[test]
fn models_list_marks_unavailable_and_adds_unknown() {
    let body = r#"{"object":"list","data":[
        {"id":"gpt-5.1","object":"model","created":1,"owned_by":"opencode"},
        {"id":"gpt-9","object":"model"},{"id":"claude-sonnet-4-5"},{"id":"gpt-9"},
        {"id":"minimax-m2","owned_by":"opencode"}]}"#;
    let merged = Catalog::builtin().with_models_list(body).expect("merge");
    assert_eq!(merged.len(), 22);
    let available: Vec<_> = merged
        .models()
        .iter()
        .filter(|m| !m.unavailable)
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(
        available,
        ["gpt-5.1", "claude-sonnet-4-5", "gpt-9", "minimax-m2"]
    );
    assert_eq!(merged.models().iter().filter(|m| m.unavailable).count(), 18);
    let gpt9 = merged.get("gpt-9").expect("gpt-9");
    assert!(gpt9.unknown && gpt9.format == WireFormat::Responses);
    assert_eq!(
        merged.get("minimax-m2").map(|m| m.format),
        Some(WireFormat::Chat)
    );
    // Reconciling again with a fuller list clears `unavailable`.
    let again = merged
        .with_models_list(r#"{"data":[{"id":"big-pickle"}]}"#)
        .expect("again");
    assert!(!again.get("big-pickle").expect("bp").unavailable);
    assert!(again.get("gpt-5.1").expect("gpt").unavailable);
}

#[test]
fn models_list_shape_fixture_merges() {
    let Some(dir) = common::shared_fixtures() else {
        return;
    };
    let Ok(body) = std::fs::read_to_string(dir.join("zen/models-list.shape.json")) else {
        return;
    };
    let merged = Catalog::builtin()
        .with_models_list(&body)
        .expect("shape fixture");
    let available: Vec<_> = merged
        .models()
        .iter()
        .filter(|m| !m.unavailable)
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(available, ["gpt-5.1", "claude-sonnet-4-5", "big-pickle"]);
    assert_eq!(merged.len(), 20);
}

#[test]
fn models_list_errors() {
    let cat = Catalog::builtin();
    for (body, path) in [
        ("<html>", "$"),
        (r#"{"object":"list"}"#, "data"),
        (r#"{"data":{}}"#, "data"),
        (r#"{"data":[{"id":"a"},{"name":"b"}]}"#, "data[1].id"),
        (r#"{"data":[{"id":""}]}"#, "data[0].id"),
        (r#"{"data":["gpt-5"]}"#, "data[0].id"),
    ] {
        assert_eq!(
            cat.with_models_list(body).map_err(|e| e.path),
            Err(path.to_owned()),
            "{body}"
        );
    }
}

// ---------------------------------------------------------------------------
// Generated docs.

const MODELS_BEGIN: &str = "<!-- models:begin -->";
const MODELS_END: &str = "<!-- models:end -->";

/// README.md's model table (between the `models:begin` / `models:end`
/// markers) is generated from the catalog; `ZENWIRE_BLESS=1` rewrites that
/// region and nothing else.
#[test]
fn readme_models_table_is_generated_from_the_catalog() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("read README.md");
    let (Some(begin), Some(end)) = (readme.find(MODELS_BEGIN), readme.find(MODELS_END)) else {
        panic!("README.md lacks the {MODELS_BEGIN} / {MODELS_END} markers");
    };
    assert!(
        begin < end,
        "README.md: {MODELS_END} comes before {MODELS_BEGIN}"
    );
    assert_eq!(readme.matches(MODELS_BEGIN).count(), 1);
    assert_eq!(readme.matches(MODELS_END).count(), 1);
    let expected = format!(
        "\n<!-- Generated from src/catalog.json by zenwire::catalog::markdown_table. \
         Do not edit: run `ZENWIRE_BLESS=1 cargo test --test catalog`. -->\n\n\
         Prices are USD per 1M tokens; \"–\" = not offered.\n\n{}",
        markdown_table(Catalog::builtin())
    );
    let region = &readme[begin + MODELS_BEGIN.len()..end];
    if region != expected && std::env::var_os("ZENWIRE_BLESS").is_some() {
        let head = &readme[..begin + MODELS_BEGIN.len()];
        let tail = &readme[end..];
        std::fs::write(&path, format!("{head}{expected}{tail}")).expect("write README.md");
    } else {
        assert!(
            region == expected,
            "README.md's model table is out of date with the catalog; regenerate it with \
             `ZENWIRE_BLESS=1 cargo test --test catalog`"
        );
    }
    assert_eq!(expected.matches("\n| `").count(), 20);
}

/// `src/catalog/builtin.rs`, the compiled-in table, as generated from
/// `catalog` (one `M { … }` entry per model, every field spelled out).
fn builtin_table_source(catalog: &Catalog) -> String {
    fn text(s: &str) -> String {
        // str's Debug form is a valid Rust string literal.
        format!("{s:?}")
    }
    fn opt(v: Option<&String>) -> String {
        v.map_or("None".to_owned(), |s| format!("Some({})", text(s)))
    }
    fn prices(p: &zenwire::catalog::Prices) -> String {
        format!(
            "P {{ input: {}, output: {}, cache_read: {}, cache_write: {} }}",
            text(&p.input),
            text(&p.output),
            opt(p.cache_read.as_ref()),
            opt(p.cache_write.as_ref())
        )
    }
    let mut out = format!(
        "// Generated from src/catalog.json by tests/catalog.rs \
         (builtin_table_is_generated_from_catalog_json).\n\
         // Do not edit: run `ZENWIRE_BLESS=1 cargo test --test catalog`.\n\n\
         use super::{{BuiltinModel as M, BuiltinPrices as P, Capabilities as C, Limits as L}};\n\
         use crate::wire::WireFormat as F;\n\n\
         pub(super) static MODELS: [M; {}] = [\n",
        catalog.len()
    );
    for m in catalog.models() {
        // Destructured so that a new ModelInfo field fails to compile here.
        let ModelInfo {
            id,
            name,
            format,
            free,
            prices: base,
            prices_over_200k,
            limits,
            capabilities: c,
            unknown,
            unavailable,
            provider,
            status,
        } = m;
        let format = match format {
            WireFormat::Chat => "Chat",
            WireFormat::Responses => "Responses",
            WireFormat::Messages => "Messages",
            WireFormat::Gemini => "Gemini",
        };
        let over = prices_over_200k
            .as_ref()
            .map_or("None".to_owned(), |p| format!("Some({})", prices(p)));
        out.push_str(&format!(
            "    M {{\n        id: {},\n        name: {},\n        format: F::{format},\n        \
             free: {free},\n        prices: {},\n        prices_over_200k: {over},\n        \
             limits: L {{ context: {}, output: {} }},\n        \
             capabilities: C {{ reasoning: {}, tools: {}, attachments: {}, temperature: {}, \
             interleaved_reasoning: {} }},\n        unknown: {unknown},\n        \
             unavailable: {unavailable},\n        provider: {},\n        status: {},\n    }},\n",
            text(id),
            text(name),
            prices(base),
            limits.context,
            limits.output,
            c.reasoning,
            c.tools,
            c.attachments,
            c.temperature,
            c.interleaved_reasoning,
            opt(provider.as_ref()),
            opt(status.as_ref()),
        ));
    }
    out.push_str("];\n");
    out
}

/// The compiled-in table is `src/catalog.json` exactly: the generated
/// source is up to date (`ZENWIRE_BLESS=1` rewrites it) and the catalog it
/// builds equals the one parsed from the JSON.
#[test]
fn builtin_table_is_generated_from_catalog_json() {
    let parsed = Catalog::from_json(include_str!("../src/catalog.json"))
        .expect("src/catalog.json is a valid catalog");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/catalog/builtin.rs");
    let expected = builtin_table_source(&parsed);
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != expected && std::env::var_os("ZENWIRE_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("write src/catalog/builtin.rs");
    } else {
        assert!(
            current == expected,
            "src/catalog/builtin.rs is out of date with src/catalog.json; regenerate it with \
             `ZENWIRE_BLESS=1 cargo test --test catalog` (then build and test again)"
        );
        assert_eq!(*Catalog::builtin(), parsed);
        assert_eq!(parsed.len(), SEED_IDS.len());
    }
}
