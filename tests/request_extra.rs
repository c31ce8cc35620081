//! `extra` is merged into the body while it is written; this checks, for
//! every golden request and model (all four formats), that the result is
//! exactly RFC 7396's merge of `extra` over the body built without it —
//! with patches aimed at the members the builders really write (top level
//! and nested objects such as Gemini's `generationConfig`).

mod common;

use proptest::prelude::*;
use serde_json::{Map, Value};
use zenwire::catalog::ModelInfo;
use zenwire::request::{build, merge_patch, BuildOptions, UnifiedRequest};

/// Every (request, model) pair of the golden fixtures, `extra` removed.
fn cases() -> Vec<(UnifiedRequest, ModelInfo)> {
    let dir = common::fixtures().join("requests");
    let models: Vec<ModelInfo> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("models.json")).unwrap()).unwrap();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == "models.json") {
            continue;
        }
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for (model_id, want) in case["expected"].as_object().unwrap() {
            let mut request = case["request"].clone();
            request["model"] = Value::String(model_id.clone());
            if let Some(patch) = want.get("requestPatch").and_then(Value::as_object) {
                for (k, v) in patch {
                    request[k.as_str()] = v.clone();
                }
            }
            let mut req: UnifiedRequest = serde_json::from_value(request).unwrap();
            req.extra = None;
            let model = models.iter().find(|m| &m.id == model_id).unwrap().clone();
            out.push((req, model));
        }
    }
    assert_eq!(out.len(), 35, "(case, model) pairs");
    out
}

/// Keys the four builders write (at the top level and in nested objects),
/// plus one they never write.
fn key() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "model",
        "messages",
        "contents",
        "input",
        "system",
        "systemInstruction",
        "max_tokens",
        "max_output_tokens",
        "temperature",
        "top_p",
        "stream",
        "stream_options",
        "include_usage",
        "tools",
        "tool_choice",
        "reasoning",
        "effort",
        "summary",
        "thinking",
        "type",
        "budget_tokens",
        "generationConfig",
        "maxOutputTokens",
        "thinkingConfig",
        "includeThoughts",
        "thinkingBudget",
        "toolConfig",
        "functionCallingConfig",
        "mode",
        "unknown_field",
    ])
    .prop_map(str::to_owned)
}

fn patch_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        3 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<u32>().prop_map(Value::from),
        1 => "[a-z ]{0,4}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn extra() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(key(), patch_value(), 1..5).prop_map(|m| m.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn extra_is_a_merge_patch_over_the_built_body(extra in extra()) {
        let options = BuildOptions::with_key("zk-test");
        for (req, model) in cases() {
            let mut want = build(&req, &model, &options).unwrap().body_json().unwrap();
            merge_patch(&mut want, &Value::Object(extra.clone()));
            let with_extra = UnifiedRequest { extra: Some(extra.clone()), ..req };
            let built = build(&with_extra, &model, &options).unwrap();
            let got = built.body_json().map_err(|e| TestCaseError::fail(format!("{}: {e}", built.body)))?;
            // Same members as the text (a duplicate key would parse to fewer
            // members, hence shorter compact text).
            prop_assert_eq!(serde_json::to_string(&got).unwrap().len(), built.body.len(), "{}", built.body);
            prop_assert_eq!(got, want, "{}", model.id);
        }
    }
}
