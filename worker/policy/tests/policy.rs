mod common;

use common::config;
use serde_json::{json, Value};
use zenwire::catalog::Catalog;
use zenwire::cost::Usd;
use zenwire::wire::WireFormat;
use zenwire_relay_policy::auth::{authenticate, authenticate_listing, Caller};
use zenwire_relay_policy::body::{check_declared_length, prepare};
use zenwire_relay_policy::config::RelayConfig;
use zenwire_relay_policy::dialect::{Refusal, RefusalKind};
use zenwire_relay_policy::headers::{
    client_credential, client_response_headers, upstream_request_headers,
};
use zenwire_relay_policy::route::Endpoint;
use zenwire_relay_policy::token::{mint, Claims};

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-test";

fn claims() -> Claims {
    Claims {
        sub: "alice".into(),
        iat: 1_000,
        exp: 2_000,
        models: vec![],
        max_output_tokens: Some(500),
        rpm: None,
        concurrency: None,
        budget_usd_per_day: None,
        tokens_per_day: None,
        origins: vec![],
        allow: vec![],
    }
}

fn caller() -> Caller {
    Caller::Token(claims())
}

fn prep(endpoint: Endpoint, body: Value) -> Result<Value, Refusal> {
    let p = prepare(
        &config(&[]),
        Catalog::builtin(),
        &caller(),
        &endpoint,
        body.to_string().as_bytes(),
    )?;
    Ok(serde_json::from_slice(&p.body).unwrap())
}

#[test]
fn config_defaults_and_errors() {
    let c = RelayConfig::from_vars(|_| None).unwrap();
    assert_eq!(c.upstream, "https://opencode.ai/zen/v1");
    assert_eq!(c.max_body_bytes, 1 << 20);
    assert!(!c.public_mode);
    assert!(c.models.is_empty());
    let c = config(&[
        ("ZEN_UPSTREAM", "http://127.0.0.1:9/zen/v1/"),
        ("PUBLIC_MODE", "true"),
    ]);
    assert_eq!(c.upstream, "http://127.0.0.1:9/zen/v1");
    assert!(c.public_mode);
    for (k, v) in [
        ("ZEN_UPSTREAM", "ftp://x"),
        ("PUBLIC_MODE", "maybe"),
        ("MAX_BODY_BYTES", "lots"),
        ("MAX_BODY_BYTES", "0"),
        ("PUBLIC_RPM", "-1"),
        ("PUBLIC_CONCURRENCY", "two"),
    ] {
        let err = RelayConfig::from_vars(|n| (n == k).then(|| v.to_owned())).unwrap_err();
        assert_eq!(err.var, k);
    }
}

#[test]
fn clamps_output_in_every_dialect() {
    let b = prep(
        Endpoint::Chat,
        json!({"model":"big-pickle","messages":[],"max_tokens":100000}),
    )
    .unwrap();
    assert_eq!(b["max_tokens"], 500);
    let b = prep(
        Endpoint::Chat,
        json!({"model":"big-pickle","messages":[],"max_completion_tokens":9000}),
    )
    .unwrap();
    assert_eq!(b["max_completion_tokens"], 500);
    assert_eq!(
        b["max_tokens"], 500,
        "a backend that reads only max_tokens gets the cap too"
    );
    let b = prep(
        Endpoint::Chat,
        json!({"model":"big-pickle","messages":[],"max_completion_tokens":30,"max_tokens":9000}),
    )
    .unwrap();
    assert_eq!(
        (
            b["max_tokens"].as_u64(),
            b["max_completion_tokens"].as_u64()
        ),
        (Some(30), Some(30))
    );
    // Fields of other formats that Zen's converters might carry are capped too.
    let b = prep(
        Endpoint::Chat,
        json!({"model":"big-pickle","messages":[],"max_output_tokens":9000}),
    )
    .unwrap();
    assert_eq!(
        (b["max_tokens"].as_u64(), b["max_output_tokens"].as_u64()),
        (Some(500), Some(500))
    );
    let b = prep(
        Endpoint::Responses,
        json!({"model":"gpt-5.1","input":"hi","max_tokens":9000}),
    )
    .unwrap();
    assert_eq!(
        (b["max_tokens"].as_u64(), b["max_output_tokens"].as_u64()),
        (Some(500), Some(500))
    );
    let b = prep(
        Endpoint::Chat,
        json!({"model":"big-pickle","messages":[],"max_tokens":20}),
    )
    .unwrap();
    assert_eq!(b["max_tokens"], 20, "smaller values are kept");
    let b = prep(Endpoint::Chat, json!({"model":"big-pickle","messages":[]})).unwrap();
    assert_eq!(b["max_tokens"], 500, "absent cap is set");
    let b = prep(
        Endpoint::Responses,
        json!({"model":"gpt-5.1","input":"hi","max_output_tokens":4096}),
    )
    .unwrap();
    assert_eq!(b["max_output_tokens"], 500);
    let b = prep(Endpoint::Responses, json!({"model":"gpt-5.1","input":"hi"})).unwrap();
    assert_eq!(b["max_output_tokens"], 500);
    let b = prep(
        Endpoint::Messages,
        json!({"model":"claude-sonnet-4-5","messages":[]}),
    )
    .unwrap();
    assert_eq!(
        b["max_tokens"], 500,
        "Messages requires max_tokens, so it is set"
    );
    let g = Endpoint::Gemini {
        model: "gemini-3-pro".into(),
        stream: true,
    };
    let b = prep(
        g.clone(),
        json!({"contents":[],"generationConfig":{"maxOutputTokens":99999,"temperature":0.2}}),
    )
    .unwrap();
    assert_eq!(b["generationConfig"]["maxOutputTokens"], 500);
    assert_eq!(b["generationConfig"]["temperature"], 0.2);
    let b = prep(g, json!({"contents":[]})).unwrap();
    assert_eq!(b["generationConfig"]["maxOutputTokens"], 500);
}

#[test]
fn model_limit_caps_when_the_token_has_none() {
    let mut c = claims();
    c.max_output_tokens = None;
    let p = prepare(
        &config(&[]),
        Catalog::builtin(),
        &Caller::Token(c),
        &Endpoint::Messages,
        br#"{"model":"claude-sonnet-4-5","messages":[],"max_tokens":10000000}"#,
    )
    .unwrap();
    assert_eq!(p.max_output_tokens, 64_000);
    let body: Value = serde_json::from_slice(&p.body).unwrap();
    assert_eq!(body["max_tokens"], 64_000);
}

fn refused(endpoint: Endpoint, body: &str) -> Refusal {
    prepare(
        &config(&[]),
        Catalog::builtin(),
        &caller(),
        &endpoint,
        body.as_bytes(),
    )
    .unwrap_err()
}

#[test]
fn body_refusals_are_typed() {
    use RefusalKind::*;
    let cases: Vec<(Endpoint, &str, RefusalKind, &str)> = vec![
        (Endpoint::Chat, "", InvalidRequest, "invalid_json"),
        (Endpoint::Chat, "{", InvalidRequest, "invalid_json"),
        (Endpoint::Chat, "[1]", InvalidRequest, "invalid_json"),
        (Endpoint::Chat, "\"x\"", InvalidRequest, "invalid_json"),
        (
            Endpoint::Chat,
            r#"{"messages":[]}"#,
            InvalidRequest,
            "missing_model",
        ),
        (
            Endpoint::Chat,
            r#"{"model":5}"#,
            InvalidRequest,
            "invalid_model",
        ),
        (
            Endpoint::Chat,
            r#"{"model":""}"#,
            InvalidRequest,
            "invalid_model",
        ),
        (
            Endpoint::Chat,
            r#"{"model":"big-pickle","stream":"yes"}"#,
            InvalidRequest,
            "invalid_stream",
        ),
        (
            Endpoint::Chat,
            r#"{"model":"big-pickle","max_tokens":-1}"#,
            InvalidRequest,
            "invalid_max_tokens",
        ),
        (
            Endpoint::Chat,
            r#"{"model":"big-pickle","max_tokens":"9"}"#,
            InvalidRequest,
            "invalid_max_tokens",
        ),
        (
            Endpoint::Chat,
            r#"{"model":"big-pickle","max_tokens":1.5}"#,
            InvalidRequest,
            "invalid_max_tokens",
        ),
        (
            Endpoint::Chat,
            r#"{"model":"big-pickle","max_tokens":0}"#,
            InvalidRequest,
            "invalid_max_tokens",
        ),
        (
            Endpoint::Chat,
            r#"{"model":"big-pickle","n":50}"#,
            InvalidRequest,
            "invalid_choices",
        ),
        (
            Endpoint::Chat,
            r#"{"model":"big-pickle","n":0}"#,
            InvalidRequest,
            "invalid_choices",
        ),
        (
            Endpoint::Chat,
            r#"{"model":"claude-sonnet-4-5"}"#,
            InvalidRequest,
            "wrong_endpoint",
        ),
        (
            Endpoint::Messages,
            r#"{"model":"gpt-5.1"}"#,
            InvalidRequest,
            "wrong_endpoint",
        ),
        (
            Endpoint::Responses,
            r#"{"model":"big-pickle"}"#,
            InvalidRequest,
            "wrong_endpoint",
        ),
        (
            Endpoint::Chat,
            r#"{"model":"claude-opus-4-1"}"#,
            Forbidden,
            "model_not_allowed",
        ),
        (
            Endpoint::Chat,
            r#"{"model":"nonexistent"}"#,
            Forbidden,
            "model_not_allowed",
        ),
        (
            Endpoint::Gemini {
                model: "gemini-3-pro".into(),
                stream: true,
            },
            r#"{"generationConfig":5}"#,
            InvalidRequest,
            "invalid_generation_config",
        ),
        (
            Endpoint::Gemini {
                model: "big-pickle".into(),
                stream: true,
            },
            r#"{}"#,
            InvalidRequest,
            "wrong_endpoint",
        ),
        (
            Endpoint::Gemini {
                model: "gemini-3-pro".into(),
                stream: true,
            },
            r#"{"generationConfig":{"candidateCount":100}}"#,
            InvalidRequest,
            "invalid_choices",
        ),
    ];
    for (e, body, kind, code) in cases {
        let r = refused(e, body);
        assert_eq!((r.kind, r.code), (kind, code), "{body}: {}", r.message);
    }
}

#[test]
fn wrong_endpoint_names_the_right_one() {
    let r = refused(Endpoint::Chat, r#"{"model":"claude-sonnet-4-5"}"#);
    assert!(r.message.contains("/zen/v1/messages"), "{}", r.message);
    let r = refused(Endpoint::Chat, r#"{"model":"gemini-3-pro"}"#);
    assert!(
        r.message
            .contains("/zen/v1/models/gemini-3-pro:streamGenerateContent"),
        "{}",
        r.message
    );
}

#[test]
fn token_model_list_and_public_mode_free_only() {
    let mut c = claims();
    c.models = vec!["big-pickle".into()];
    let r = prepare(
        &config(&[]),
        Catalog::builtin(),
        &Caller::Token(c),
        &Endpoint::Messages,
        br#"{"model":"claude-sonnet-4-5"}"#,
    )
    .unwrap_err();
    assert_eq!(r.code, "model_not_allowed");
    let public = Caller::Public {
        ip: "1.2.3.4".into(),
    };
    let r = prepare(
        &config(&[]),
        Catalog::builtin(),
        &public,
        &Endpoint::Chat,
        br#"{"model":"glm-4.6"}"#,
    )
    .unwrap_err();
    assert_eq!(r.code, "model_not_free");
    let p = prepare(
        &config(&[]),
        Catalog::builtin(),
        &public,
        &Endpoint::Chat,
        br#"{"model":"big-pickle"}"#,
    )
    .unwrap();
    assert_eq!(p.max_output_tokens, 1024);
}

#[test]
fn body_cap() {
    let c = config(&[("MAX_BODY_BYTES", "100")]);
    let big = format!(
        r#"{{"model":"big-pickle","messages":[{{"role":"user","content":"{}"}}]}}"#,
        "x".repeat(200)
    );
    let r = prepare(
        &c,
        Catalog::builtin(),
        &caller(),
        &Endpoint::Chat,
        big.as_bytes(),
    )
    .unwrap_err();
    assert_eq!((r.status(), r.code), (413, "body_too_large"));
    assert_eq!(
        check_declared_length(&c, Some("101")).unwrap_err().status(),
        413
    );
    assert!(check_declared_length(&c, Some("100")).is_ok());
    assert!(check_declared_length(&c, None).is_ok());
    assert!(
        check_declared_length(&c, Some("junk")).is_ok(),
        "the real length is checked after reading"
    );
}

#[test]
fn authentication_rules() {
    let c = config(&[]);
    let tok = mint(&claims(), SECRET).unwrap();
    let ok = authenticate(&c, SECRET, Some(&tok), None, "1.1.1.1", 1_500).unwrap();
    assert_eq!(ok.limiter_key(), "sub:alice");
    let code = |r: Result<Caller, Refusal>| r.map(|_| "ok").unwrap_or_else(|e| e.code);
    assert_eq!(
        code(authenticate(&c, SECRET, None, None, "ip", 1_500)),
        "token_missing"
    );
    assert_eq!(
        code(authenticate(&c, SECRET, Some(&tok), None, "ip", 2_000)),
        "token_expired"
    );
    assert_eq!(
        code(authenticate(
            &c,
            b"wrong-secret-wrong-secret-wrong-secret",
            Some(&tok),
            None,
            "ip",
            1_500
        )),
        "token_bad_signature"
    );
    assert_eq!(
        code(authenticate(&c, SECRET, Some("garbage"), None, "ip", 1_500)),
        "token_malformed"
    );
    assert_eq!(
        code(authenticate(
            &c,
            SECRET,
            Some(&tok),
            Some("https://evil.example"),
            "ip",
            1_500
        )),
        "origin_not_allowed"
    );
    assert_eq!(
        code(authenticate(
            &c,
            SECRET,
            Some(&tok),
            Some("https://app.example"),
            "ip",
            1_500
        )),
        "ok"
    );
    // A token bound to origins needs one of them.
    let mut bound = claims();
    bound.origins = vec!["https://other.example".into()];
    let bt = mint(&bound, SECRET).unwrap();
    let c2 = config(&[(
        "ALLOWED_ORIGINS",
        "https://app.example,https://other.example",
    )]);
    assert_eq!(
        code(authenticate(
            &c2,
            SECRET,
            Some(&bt),
            Some("https://app.example"),
            "ip",
            1_500
        )),
        "origin_not_allowed"
    );
    assert_eq!(
        code(authenticate(&c2, SECRET, Some(&bt), None, "ip", 1_500)),
        "origin_not_allowed"
    );
    assert_eq!(
        code(authenticate(
            &c2,
            SECRET,
            Some(&bt),
            Some("https://other.example"),
            "ip",
            1_500
        )),
        "ok"
    );
    // Public mode: browser pages on allowed origins only.
    let p = config(&[("PUBLIC_MODE", "1")]);
    let visitor = authenticate(
        &p,
        SECRET,
        None,
        Some("https://app.example"),
        "9.9.9.9",
        1_500,
    )
    .unwrap();
    assert_eq!(visitor.limiter_key(), "ip:9.9.9.9");
    assert_eq!(
        code(authenticate(&p, SECRET, Some("public"), None, "ip", 1_500)),
        "token_missing"
    );
    assert_eq!(
        code(authenticate(
            &p,
            SECRET,
            None,
            Some("https://evil.example"),
            "ip",
            1_500
        )),
        "origin_not_allowed"
    );
}

#[test]
fn header_policy() {
    let incoming = [
        ("Authorization", "Bearer zr1.client.token"),
        ("x-api-key", "client-key"),
        ("Cookie", "session=1"),
        ("cf-connecting-ip", "1.2.3.4"),
        ("x-forwarded-for", "1.2.3.4"),
        ("Anthropic-Version", "2023-06-01"),
        ("anthropic-beta", "tools-2024"),
        ("x-opencode-session", "s1"),
        ("content-type", "text/plain"),
        ("user-agent", "sdk"),
    ];
    let out = upstream_request_headers(incoming, WireFormat::Messages, "zen-secret");
    let names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "anthropic-version",
            "anthropic-beta",
            "x-opencode-session",
            "content-type",
            "x-api-key"
        ]
    );
    assert!(out.contains(&("x-api-key".into(), "zen-secret".into())));
    assert!(out.contains(&("content-type".into(), "application/json".into())));
    let chat = upstream_request_headers(incoming, WireFormat::Chat, "zen-secret");
    assert!(chat.contains(&("authorization".into(), "Bearer zen-secret".into())));
    assert!(!chat.iter().any(|(_, v)| v.contains("client")));
    let gem = upstream_request_headers(incoming, WireFormat::Gemini, "zen-secret");
    assert!(gem.contains(&("x-goog-api-key".into(), "zen-secret".into())));

    let resp = client_response_headers([
        ("Content-Type", "text/event-stream"),
        ("content-encoding", "gzip"),
        ("content-length", "99"),
        ("set-cookie", "x=1"),
        ("retry-after", "3"),
        ("access-control-allow-origin", "*"),
    ]);
    assert_eq!(
        resp,
        vec![
            ("content-type".to_owned(), "text/event-stream".to_owned()),
            ("retry-after".to_owned(), "3".to_owned()),
            (
                "cache-control".to_owned(),
                "no-cache, no-transform".to_owned()
            ),
        ]
    );

    assert_eq!(
        client_credential([("authorization", "Bearer abc")]),
        Some("abc")
    );
    assert_eq!(
        client_credential([("Authorization", "bearer  abc ")]),
        Some("abc")
    );
    assert_eq!(client_credential([("x-api-key", "k1")]), Some("k1"));
    assert_eq!(client_credential([("X-Goog-Api-Key", "g1")]), Some("g1"));
    assert_eq!(
        client_credential([("authorization", "Basic abc"), ("x-api-key", "k")]),
        Some("k")
    );
    assert_eq!(client_credential([("authorization", "Bearer ")]), None);
    let none: [(&str, &str); 0] = [];
    assert_eq!(client_credential(none), None);
}

#[test]
fn unknown_model_prices_block_usd_budgets() {
    use zenwire_relay_policy::budget::worst_case;
    let c = config(&[("MODEL_ALLOWLIST", "*")]);
    let p = prepare(
        &c,
        Catalog::builtin(),
        &caller(),
        &Endpoint::Chat,
        br#"{"model":"mystery-model"}"#,
    )
    .unwrap();
    assert_eq!(worst_case(&p, true).unwrap_err().code, "model_unpriced");
    assert_eq!(worst_case(&p, false).unwrap().usd, Usd::ZERO);
}

#[test]
fn public_concurrency_setting_reaches_the_limits() {
    let visitor = Caller::Public {
        ip: "1.2.3.4".into(),
    };
    let default = RelayConfig::from_vars(|_| None).unwrap();
    assert_eq!(visitor.limits(&default).concurrency, Some(4));
    let c = config(&[("PUBLIC_MODE", "true"), ("PUBLIC_CONCURRENCY", "7")]);
    assert_eq!(visitor.limits(&c).concurrency, Some(7));
    assert_eq!(visitor.limits(&c).rpm, Some(10));
}

#[test]
fn model_listing_in_public_mode_needs_no_origin() {
    fn code(r: Result<Caller, Refusal>) -> String {
        match r {
            Ok(_) => "ok".into(),
            Err(e) => e.code.to_string(),
        }
    }
    let p = config(&[("PUBLIC_MODE", "true")]);
    // Same-origin GETs carry no Origin: listing is allowed, spending is not.
    let lister = authenticate_listing(&p, SECRET, None, None, "9.9.9.9", 1_500).unwrap();
    assert_eq!(lister.limiter_key(), "ip:9.9.9.9");
    assert_eq!(
        code(authenticate_listing(
            &p,
            SECRET,
            Some("public"),
            None,
            "ip",
            1_500
        )),
        "ok"
    );
    assert_eq!(
        code(authenticate(&p, SECRET, None, None, "ip", 1_500)),
        "token_missing"
    );
    // A foreign origin or a bad token is still refused.
    assert_eq!(
        code(authenticate_listing(
            &p,
            SECRET,
            None,
            Some("https://evil.example"),
            "ip",
            1_500
        )),
        "origin_not_allowed"
    );
    assert_eq!(
        code(authenticate_listing(
            &p,
            SECRET,
            Some("garbage"),
            None,
            "ip",
            1_500
        )),
        "token_malformed"
    );
    let tok = mint(&claims(), SECRET).unwrap();
    assert_eq!(
        code(authenticate_listing(
            &p,
            SECRET,
            Some(&tok),
            None,
            "ip",
            1_500
        )),
        "ok"
    );
    // Without public mode a token is required, as for every other call.
    let closed = config(&[]);
    assert_eq!(
        code(authenticate_listing(
            &closed, SECRET, None, None, "ip", 1_500
        )),
        "token_missing"
    );
}
