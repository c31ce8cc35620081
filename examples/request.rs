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
use zenwire::catalog::{Catalog, ModelInfo};
use zenwire::request::{build, BuildOptions, UnifiedRequest, DEFAULT_BASE_URL};

/// Resolves a model id to its catalog entry; ids the catalog does not know
/// fall back by prefix (and are flagged `unknown`, reported on stderr).
fn resolve_model(id: &str) -> Result<ModelInfo, String> {
    let model = Catalog::builtin().resolve(id);
    if model.unknown {
        eprintln!(
            "warning: model {id:?} is not in the catalog; assuming the {} format",
            model.format
        );
    }
    Ok(model)
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
