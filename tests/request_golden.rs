//! Golden tests: each fixture in tests/fixtures/requests/ holds a unified
//! request and, per model, the exact URL, headers and JSON body expected.
//! The expected outputs were written by hand from each API's documentation.

mod common;

use std::collections::BTreeMap;

use serde_json::Value;
use zenwire::catalog::ModelInfo;
use zenwire::request::{build, BuildOptions, UnifiedRequest};

fn models() -> Vec<ModelInfo> {
    let path = common::fixtures().join("requests/models.json");
    let text = std::fs::read_to_string(&path).expect("models.json");
    serde_json::from_str(&text).expect("models.json parses as ModelInfo")
}

fn case_files() -> Vec<std::path::PathBuf> {
    let dir = common::fixtures().join("requests");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| p.file_name().is_some_and(|n| n != "models.json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_golden_case_builds_exactly_as_expected() {
    let models = models();
    let files = case_files();
    assert_eq!(files.len(), 9, "fixture count changed: {files:?}");
    let mut checked = 0;
    let mut formats_seen = std::collections::HashSet::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let key = case["apiKey"].as_str().map(str::to_owned);
        let expected = case["expected"].as_object().expect("expected object");
        assert!(!expected.is_empty(), "{name}: no expectations");
        for (model_id, want) in expected {
            let ctx = format!("{name} / {model_id}");
            let model = models
                .iter()
                .find(|m| &m.id == model_id)
                .unwrap_or_else(|| panic!("{ctx}: model not in table"));
            let mut request = case["request"].clone();
            request["model"] = Value::String(model_id.clone());
            // Top-level fields replaced for this model only (shallow, so an
            // `extra` with null members arrives intact).
            if let Some(patch) = want.get("requestPatch").and_then(Value::as_object) {
                for (k, v) in patch {
                    request[k.as_str()] = v.clone();
                }
            }
            let req: UnifiedRequest = serde_json::from_value(request)
                .unwrap_or_else(|e| panic!("{ctx}: request does not parse: {e}"));
            let options = BuildOptions {
                api_key: key.clone(),
                ..BuildOptions::default()
            };
            let built =
                build(&req, model, &options).unwrap_or_else(|e| panic!("{ctx}: build failed: {e}"));

            assert_eq!(built.method, want["method"], "{ctx}: method");
            assert_eq!(built.url, want["url"], "{ctx}: url");
            let headers: BTreeMap<&str, &str> = built
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            assert_eq!(
                headers.len(),
                built.headers.len(),
                "{ctx}: duplicate header"
            );
            for (n, _) in &built.headers {
                assert_eq!(n, &n.to_ascii_lowercase(), "{ctx}: header not lower case");
            }
            let want_headers: BTreeMap<&str, &str> = want["headers"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str().unwrap()))
                .collect();
            assert_eq!(headers, want_headers, "{ctx}: headers");
            let body = built.body_json().expect("body is JSON");
            assert_eq!(
                body,
                want["body"],
                "{ctx}: body\n got: {}\nwant: {}",
                serde_json::to_string_pretty(&body).unwrap(),
                serde_json::to_string_pretty(&want["body"]).unwrap()
            );
            formats_seen.insert(model.format);
            checked += 1;
        }
    }
    assert_eq!(checked, 35, "number of (case, model) pairs checked");
    assert_eq!(formats_seen.len(), 4, "all four formats covered");
}
