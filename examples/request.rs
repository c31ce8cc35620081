//! Builds the HTTP request for a unified request JSON and prints it.
//!
//! ```text
//! cargo run --release --example request -- [--key KEY] [--base-url URL] REQUEST.json
//! ```
//! `-` reads the request from stdin. Prints one JSON object
//! `{"method","url","headers":{name: value},"body"}` (body as parsed JSON).
//! Errors (e.g. a paid model without `--key`) go to stderr as one line, exit 1.

use std::io::Read;
use std::process::ExitCode;

use serde_json::{json, Map, Value};
use zenwire::catalog::ModelInfo;
use zenwire::request::{build, BuildOptions, UnifiedRequest, DEFAULT_BASE_URL};

/// Resolves a model id to its catalog entry.
// TODO(after catalog merge): replace the body with
// `zenwire::catalog::Catalog::builtin().resolve(id)`.
fn resolve_model(id: &str) -> Result<ModelInfo, String> {
    example_models()
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(|| format!("unknown model {id:?} (this example knows: {})", known_ids()))
}

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", e.replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<String, String> {
    let mut options = BuildOptions {
        base_url: DEFAULT_BASE_URL.to_owned(),
        api_key: None,
    };
    let mut input = None;
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--key" => options.api_key = Some(it.next().ok_or("--key needs a value")?),
            "--base-url" => options.base_url = it.next().ok_or("--base-url needs a value")?,
            "-h" | "--help" => {
                return Err("usage: request [--key KEY] [--base-url URL] REQUEST.json|-".to_owned())
            }
            _ if input.is_none() => input = Some(arg),
            _ => return Err(format!("unexpected argument {arg:?}")),
        }
    }
    let input = input.ok_or("usage: request [--key KEY] [--base-url URL] REQUEST.json|-")?;
    let text = if input == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("stdin: {e}"))?;
        s
    } else {
        std::fs::read_to_string(&input).map_err(|e| format!("{input}: {e}"))?
    };
    let req = UnifiedRequest::from_json(&text).map_err(|e| e.to_string())?;
    let model = resolve_model(&req.model)?;
    let http = build(&req, &model, &options).map_err(|e| e.to_string())?;
    let headers: Map<String, Value> = http
        .headers
        .iter()
        .map(|(n, v)| (n.clone(), Value::String(v.clone())))
        .collect();
    let body = http.body_json().map_err(|e| format!("body: {e}"))?;
    let out = json!({"method": http.method, "url": http.url, "headers": headers, "body": body});
    serde_json::to_string_pretty(&out).map_err(|e| e.to_string())
}

fn known_ids() -> String {
    example_models()
        .iter()
        .map(|m| m.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A few Zen models, one or more per wire format (stand-in for the catalog).
fn example_models() -> Vec<ModelInfo> {
    let table = json!([
        ["glm-4.6", "GLM 4.6", "chat", false, 204800, 131072, true, false, true, false],
        [
            "kimi-k2-thinking",
            "Kimi K2 Thinking",
            "chat",
            false,
            262144,
            262144,
            true,
            false,
            true,
            true
        ],
        [
            "big-pickle",
            "Big Pickle",
            "chat",
            true,
            200000,
            128000,
            true,
            false,
            true,
            true
        ],
        [
            "gpt-5.1",
            "GPT 5.1",
            "responses",
            false,
            400000,
            128000,
            true,
            true,
            false,
            false
        ],
        [
            "gpt-5-nano",
            "GPT 5 Nano",
            "responses",
            true,
            400000,
            128000,
            true,
            true,
            false,
            false
        ],
        [
            "claude-sonnet-4-5",
            "Claude Sonnet 4.5",
            "messages",
            false,
            1000000,
            64000,
            true,
            true,
            true,
            false
        ],
        [
            "claude-haiku-4-5",
            "Claude Haiku 4.5",
            "messages",
            false,
            200000,
            64000,
            true,
            true,
            true,
            false
        ],
        [
            "gemini-3-pro",
            "Gemini 3 Pro",
            "gemini",
            false,
            1000000,
            64000,
            true,
            true,
            true,
            false
        ]
    ]);
    let rows = table.as_array().cloned().unwrap_or_default();
    rows.into_iter()
        .filter_map(|r| {
            let v = json!({
                "id": r[0], "name": r[1], "format": r[2], "free": r[3],
                "prices": {"input": "0", "output": "0", "cacheRead": null, "cacheWrite": null},
                "pricesOver200k": null,
                "limits": {"context": r[4], "output": r[5]},
                "capabilities": {"reasoning": r[6], "tools": true, "attachments": r[7],
                                 "temperature": r[8], "interleavedReasoning": r[9]},
            });
            serde_json::from_value(v).ok()
        })
        .collect()
}
