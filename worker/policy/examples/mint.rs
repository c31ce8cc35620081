//! Mints a relay token from the command line.
//!
//! ```sh
//! TOKEN_SIGNING_SECRET=… cargo run -p zenwire-relay-policy --example mint -- \
//!     --sub alice --models big-pickle,claude-sonnet-4-5 --exp 1h \
//!     --max-output-tokens 2048 --rpm 30 --concurrency 4 \
//!     --budget-usd-per-day 2.50 --tokens-per-day 500000 --origins https://app.example.com \
//!     --allow media
//! ```
//! The secret is read from `TOKEN_SIGNING_SECRET` (never from an argument,
//! so it stays out of shell history and process lists). Prints the token.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use zenwire::cost::Usd;
use zenwire_relay_policy::token::{mint, parse_duration_secs, Allowance, Claims};

fn usage() -> ExitCode {
    eprintln!(
        "usage: mint --sub NAME --exp DURATION [--models a,b] [--max-output-tokens N] [--rpm N] \
         [--concurrency N] [--budget-usd-per-day USD] [--tokens-per-day N] [--origins o1,o2] \
         [--allow media,serverTools,stateful]\n\
         (secret from env TOKEN_SIGNING_SECRET; DURATION like 90s, 15m, 1h, 7d)"
    );
    ExitCode::from(2)
}

fn list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn main() -> ExitCode {
    let Ok(secret) = std::env::var("TOKEN_SIGNING_SECRET") else {
        eprintln!("mint: set TOKEN_SIGNING_SECRET");
        return ExitCode::from(2);
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut claims = Claims {
        sub: String::new(),
        iat: now,
        exp: 0,
        models: Vec::new(),
        max_output_tokens: None,
        rpm: None,
        concurrency: None,
        budget_usd_per_day: None,
        tokens_per_day: None,
        origins: Vec::new(),
        allow: Vec::new(),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let Some(value) = it.next() else {
            eprintln!("mint: {flag} needs a value");
            return usage();
        };
        let bad = |what: &str| {
            eprintln!("mint: {flag}: {value:?} is not {what}");
            usage()
        };
        match flag.as_str() {
            "--sub" => claims.sub = value.clone(),
            "--exp" => match parse_duration_secs(value) {
                Some(s) => claims.exp = now.saturating_add(s),
                None => return bad("a duration"),
            },
            "--models" => claims.models = list(value),
            "--origins" => claims.origins = list(value),
            "--max-output-tokens" => match value.parse() {
                Ok(n) => claims.max_output_tokens = Some(n),
                Err(_) => return bad("a number"),
            },
            "--rpm" => match value.parse() {
                Ok(n) => claims.rpm = Some(n),
                Err(_) => return bad("a number"),
            },
            "--concurrency" => match value.parse() {
                Ok(n) => claims.concurrency = Some(n),
                Err(_) => return bad("a number"),
            },
            "--tokens-per-day" => match value.parse() {
                Ok(n) => claims.tokens_per_day = Some(n),
                Err(_) => return bad("a number"),
            },
            "--budget-usd-per-day" => match Usd::parse(value) {
                Ok(u) => claims.budget_usd_per_day = Some(u),
                Err(_) => return bad("a decimal amount"),
            },
            "--allow" => {
                let parsed: Result<Vec<Allowance>, _> = list(value)
                    .iter()
                    .map(|a| serde_json::from_value(serde_json::Value::String(a.clone())))
                    .collect();
                match parsed {
                    Ok(a) => claims.allow = a,
                    Err(_) => return bad("a list of media, serverTools, stateful"),
                }
            }
            _ => {
                eprintln!("mint: unknown flag {flag}");
                return usage();
            }
        }
    }
    if claims.sub.is_empty() || claims.exp == 0 {
        return usage();
    }
    match mint(&claims, secret.as_bytes()) {
        Ok(token) => {
            println!("{token}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("mint: {e}");
            ExitCode::FAILURE
        }
    }
}
