//! The rules that keep a budget from being outspent by a valid token
//! holder: input the body cannot bound, the concurrency every budget needs,
//! `anthropic-beta`, Gemini's snake_case aliases, public-mode subjects and
//! the deployment settings that fail closed.

mod common;

use common::config;
use serde_json::{json, Value};
use zenwire::catalog::Catalog;
use zenwire_relay_policy::auth::{public_subject, Caller};
use zenwire_relay_policy::body::prepare;
use zenwire_relay_policy::budget::worst_case;
use zenwire_relay_policy::config::{check_signing_secret, RelayConfig};
use zenwire_relay_policy::dialect::Refusal;
use zenwire_relay_policy::headers::check_anthropic_beta;
use zenwire_relay_policy::route::Endpoint;
use zenwire_relay_policy::token::{mint, Allowance, Claims};

fn token(budget: Option<&str>, allow: &[Allowance]) -> Caller {
    Caller::Token(Claims {
        sub: "t".into(),
        iat: 1,
        exp: 2,
        models: vec![],
        max_output_tokens: Some(100),
        rpm: None,
        concurrency: None,
        budget_usd_per_day: budget.map(|b| b.parse().unwrap()),
        tokens_per_day: None,
        origins: vec![],
        allow: allow.to_vec(),
    })
}

fn prep(caller: &Caller, endpoint: Endpoint, body: Value) -> Result<bool, Refusal> {
    prepare(
        &config(&[]),
        Catalog::builtin(),
        caller,
        &endpoint,
        body.to_string().as_bytes(),
    )
    .map(|p| p.unbounded_input)
}

fn gemini() -> Endpoint {
    Endpoint::Gemini {
        model: "gemini-3-pro".into(),
        stream: true,
    }
}

/// Bodies using input their size cannot bound, one per kind and format.
fn unbounded_bodies() -> Vec<(Allowance, Endpoint, Value)> {
    use Allowance::*;
    let chat =
        |content: Value| json!({"model":"glm-4.6","messages":[{"role":"user","content":content}]});
    let resp = |input: Value| json!({"model":"gpt-5.1","input":input});
    let msg = |content: Value| json!({"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":content}]});
    let gem = |part: Value| json!({"contents":[{"role":"user","parts":[part]}]});
    vec![
        (
            Media,
            Endpoint::Chat,
            chat(json!([{"type":"image_url","image_url":{"url":"https://x.example/a.png"}}])),
        ),
        (
            Media,
            Endpoint::Chat,
            chat(json!([{"type":"file","file":{"file_data":"data:application/pdf;base64,JVBER"}}])),
        ),
        (
            Media,
            Endpoint::Chat,
            chat(json!([{"type":"video_url","video_url":"https://x"}])),
        ),
        (
            ServerTools,
            Endpoint::Chat,
            json!({"model":"glm-4.6","messages":[],"tools":[{"type":"web_search"}]}),
        ),
        (
            ServerTools,
            Endpoint::Chat,
            json!({"model":"glm-4.6","messages":[],"web_search_options":{}}),
        ),
        (
            Media,
            Endpoint::Responses,
            resp(
                json!([{"role":"user","content":[{"type":"input_image","image_url":"http://x/a.png"}]}]),
            ),
        ),
        (
            Media,
            Endpoint::Responses,
            resp(json!([{"role":"user","content":[{"type":"input_image","file_id":"file-1"}]}])),
        ),
        (
            Media,
            Endpoint::Responses,
            resp(
                json!([{"type":"message","role":"user","content":[{"type":"input_file","file_url":"https://x/a.pdf"}]}]),
            ),
        ),
        (
            ServerTools,
            Endpoint::Responses,
            json!({"model":"gpt-5.1","input":"hi","tools":[{"type":"web_search_preview"}]}),
        ),
        (
            ServerTools,
            Endpoint::Responses,
            json!({"model":"gpt-5.1","input":"hi","tools":[{"type":"mcp","server_url":"https://m"}]}),
        ),
        (
            ServerTools,
            Endpoint::Responses,
            resp(json!([{"type":"web_search_call","id":"ws_1"}])),
        ),
        (
            Stateful,
            Endpoint::Responses,
            json!({"model":"gpt-5.1","input":"hi","previous_response_id":"resp_1"}),
        ),
        (
            Stateful,
            Endpoint::Responses,
            json!({"model":"gpt-5.1","input":"hi","conversation":"conv_1"}),
        ),
        (
            Stateful,
            Endpoint::Responses,
            json!({"model":"gpt-5.1","prompt":{"id":"pmpt_1"}}),
        ),
        (
            Stateful,
            Endpoint::Responses,
            resp(json!([{"type":"item_reference","id":"msg_1"}])),
        ),
        (
            Media,
            Endpoint::Messages,
            msg(
                json!([{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBER"}}]),
            ),
        ),
        (
            Media,
            Endpoint::Messages,
            msg(json!([{"type":"image","source":{"type":"url","url":"https://x/a.png"}}])),
        ),
        (
            Media,
            Endpoint::Messages,
            msg(
                json!([{"type":"tool_result","tool_use_id":"t","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]),
            ),
        ),
        (
            ServerTools,
            Endpoint::Messages,
            json!({"model":"claude-sonnet-4-5","max_tokens":10,"messages":[],"tools":[{"type":"web_search_20250305","name":"web_search"}]}),
        ),
        (
            ServerTools,
            Endpoint::Messages,
            json!({"model":"claude-sonnet-4-5","max_tokens":10,"messages":[],"tools":[{"type":"web_fetch_20250910","name":"web_fetch"}]}),
        ),
        (
            ServerTools,
            Endpoint::Messages,
            json!({"model":"claude-sonnet-4-5","max_tokens":10,"messages":[],"mcp_servers":[{"type":"url","url":"https://m","name":"m"}]}),
        ),
        (
            ServerTools,
            Endpoint::Messages,
            msg(json!([{"type":"web_search_tool_result","tool_use_id":"s","content":[]}])),
        ),
        (
            Media,
            gemini(),
            gem(json!({"fileData":{"fileUri":"gs://b/a.pdf","mimeType":"application/pdf"}})),
        ),
        (
            Media,
            gemini(),
            gem(json!({"inlineData":{"mimeType":"application/pdf","data":"JVBER"}})),
        ),
        (
            Media,
            gemini(),
            gem(json!({"inlineData":{"mimeType":"video/mp4","data":"AAAA"}})),
        ),
        (
            ServerTools,
            gemini(),
            json!({"contents":[],"tools":[{"googleSearch":{}}]}),
        ),
        (
            ServerTools,
            gemini(),
            json!({"contents":[],"tools":[{"urlContext":{}}]}),
        ),
        (
            ServerTools,
            gemini(),
            json!({"contents":[],"tools":[{"codeExecution":{}}]}),
        ),
        (
            Stateful,
            gemini(),
            json!({"contents":[],"cachedContent":"cachedContents/1"}),
        ),
    ]
}

#[test]
fn unbounded_input_is_refused_for_budgeted_tokens_unless_allowed_then_reserves_the_context() {
    let budgeted = token(Some("5"), &[]);
    let unlimited = token(None, &[]);
    let public = Caller::Public {
        ip: "1.2.3.4".into(),
    };
    for (kind, endpoint, body) in unbounded_bodies() {
        let label = format!("{kind:?} {endpoint:?} {body}");
        let r = prep(&budgeted, endpoint.clone(), body.clone()).unwrap_err();
        assert_eq!((r.code, r.status()), ("input_not_allowed", 403), "{label}");
        assert!(r.message.contains(kind.as_str()), "{label}: {}", r.message);
        let p = prep(&public, endpoint.clone(), body.clone());
        assert!(p.is_err(), "{label}: public mode");
        assert_eq!(
            prep(&unlimited, endpoint.clone(), body.clone()),
            Ok(true),
            "{label}"
        );
        assert_eq!(
            prep(&token(Some("5"), &[kind]), endpoint.clone(), body.clone()),
            Ok(true),
            "{label}"
        );
        let other: Vec<Allowance> = [
            Allowance::Media,
            Allowance::ServerTools,
            Allowance::Stateful,
        ]
        .into_iter()
        .filter(|a| *a != kind)
        .collect();
        assert!(
            prep(&token(Some("5"), &other), endpoint, body).is_err(),
            "{label}"
        );
    }
    // Allowed: the reservation assumes the model's whole context window.
    let p = prepare(
        &config(&[]),
        Catalog::builtin(),
        &token(Some("100"), &[Allowance::Media]),
        &Endpoint::Messages,
        json!({"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://x/a.png"}}]}]}).to_string().as_bytes(),
    )
    .unwrap();
    let w = worst_case(&p, true).unwrap();
    let context = p.model.limits.context;
    assert!(context >= 200_000);
    assert_eq!(w.tokens, context + 100);
}

#[test]
fn bounded_input_passes_for_budgeted_tokens() {
    let budgeted = token(Some("5"), &[]);
    let bodies = [
        (
            Endpoint::Chat,
            json!({"model":"glm-4.6","messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBOR"}}]}],"tools":[{"type":"function","function":{"name":"f"}}]}),
        ),
        (
            Endpoint::Responses,
            json!({"model":"gpt-5.1","input":[{"role":"user","content":[{"type":"input_text","text":"hi"},{"type":"input_image","image_url":"data:image/png;base64,iVBOR"}]},{"type":"function_call","call_id":"c","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"c","output":"ok"}],"tools":[{"type":"function","name":"f"}]}),
        ),
        (
            Endpoint::Messages,
            json!({"model":"claude-sonnet-4-5","max_tokens":10,"system":[{"type":"text","text":"be brief"}],"messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}}]},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"ok"}]}],"tools":[{"name":"f","input_schema":{}}]}),
        ),
        (
            gemini(),
            json!({"systemInstruction":{"parts":[{"text":"be brief"}]},"contents":[{"role":"user","parts":[{"text":"hi"},{"inlineData":{"mimeType":"image/png","data":"iVBOR"}}]}],"tools":[{"functionDeclarations":[{"name":"f","parameters":{"type":"object","properties":{"snake_case_arg":{"type":"string"}}}}]}]}),
        ),
    ];
    for (endpoint, body) in bodies {
        assert_eq!(prep(&budgeted, endpoint, body.clone()), Ok(false), "{body}");
    }
}

#[test]
fn gemini_snake_case_aliases_are_refused_in_googles_dialect() {
    let caller = token(None, &[]);
    for body in [
        json!({"contents":[],"generation_config":{"max_output_tokens":100000}}),
        json!({"contents":[],"generationConfig":{"max_output_tokens":100000}}),
        json!({"contents":[],"generationConfig":{"candidate_count":8}}),
        json!({"contents":[{"parts":[{"file_data":{"file_uri":"gs://x"}}]}]}),
        json!({"contents":[],"tools":[{"google_search":{}}]}),
        json!({"contents":[],"cached_content":"c"}),
    ] {
        let r = prep(&caller, gemini(), body.clone()).unwrap_err();
        assert_eq!((r.code, r.status()), ("snake_case_field", 400), "{body}");
        let google: Value =
            serde_json::from_str(&r.body(zenwire::wire::WireFormat::Gemini)).unwrap();
        assert_eq!(google["error"]["status"], "INVALID_ARGUMENT");
    }
}

#[test]
fn a_budgeted_token_always_has_a_concurrency_limit() {
    let c = config(&[]);
    assert_eq!(token(Some("1"), &[]).limits(&c).concurrency, Some(4));
    assert_eq!(token(None, &[]).limits(&c).concurrency, None);
    let mut tokens_only = token(None, &[]);
    if let Caller::Token(claims) = &mut tokens_only {
        claims.tokens_per_day = Some(1000);
    }
    assert_eq!(tokens_only.limits(&c).concurrency, Some(4));
    let c2 = config(&[("TOKEN_CONCURRENCY", "2")]);
    assert_eq!(token(Some("1"), &[]).limits(&c2).concurrency, Some(2));
    if let Caller::Token(mut claims) = token(Some("1"), &[]) {
        claims.concurrency = Some(9);
        assert_eq!(
            Caller::Token(claims.clone()).limits(&c).concurrency,
            Some(9)
        );
        claims.concurrency = Some(0);
        assert!(
            mint(&claims, &[7; 32]).is_err(),
            "concurrency 0 is refused at mint"
        );
    }
}

#[test]
fn anthropic_beta_only_from_the_allowlist() {
    let none: Vec<String> = vec![];
    assert!(check_anthropic_beta(&none, None).is_ok());
    let r = check_anthropic_beta(&none, Some("web-fetch-2025-09-10")).unwrap_err();
    assert_eq!((r.code, r.status()), ("anthropic_beta_not_allowed", 403));
    let c = config(&[(
        "ANTHROPIC_BETA_ALLOWLIST",
        "fine-grained-tool-streaming-2025-05-14, interleaved-thinking-2025-05-14",
    )]);
    assert!(check_anthropic_beta(
        &c.anthropic_betas,
        Some("interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14")
    )
    .is_ok());
    assert!(check_anthropic_beta(
        &c.anthropic_betas,
        Some("interleaved-thinking-2025-05-14, context-1m-2025-08-07")
    )
    .is_err());
}

#[test]
fn public_callers_are_counted_per_ipv4_address_and_per_ipv6_64() {
    assert_eq!(public_subject("203.0.113.7"), "203.0.113.7");
    assert_eq!(public_subject("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    assert_eq!(
        public_subject("2001:db8:1:2:ffff:ffff:ffff:ffff"),
        "2001:db8:1:2::/64"
    );
    assert_ne!(
        public_subject("2001:db8:1:3::1"),
        public_subject("2001:db8:1:2::1")
    );
    assert_eq!(public_subject("::ffff:198.51.100.4"), "198.51.100.4");
    assert_eq!(public_subject("not an ip"), "unknown");
    assert_eq!(public_subject(""), "unknown");
}

#[test]
fn settings_fail_closed() {
    // The upstream must be https, except on loopback.
    for ok in [
        "https://opencode.ai/zen/v1",
        "http://127.0.0.1:9/zen/v1",
        "http://localhost:8080",
        "http://[::1]:9",
    ] {
        assert!(
            RelayConfig::from_vars(|n| (n == "ZEN_UPSTREAM").then(|| ok.to_owned())).is_ok(),
            "{ok}"
        );
    }
    for bad in [
        "http://opencode.ai/zen/v1",
        "http://127.0.0.1.evil.example/",
        "http://localhost@evil.example/",
        "http://[2001:db8::1]/",
        "ftp://x",
    ] {
        let e =
            RelayConfig::from_vars(|n| (n == "ZEN_UPSTREAM").then(|| bad.to_owned())).unwrap_err();
        assert_eq!(e.var, "ZEN_UPSTREAM", "{bad}");
    }
    // The signing secret: missing, empty or short is an error.
    assert!(check_signing_secret(Some(&"s".repeat(32))).is_ok());
    for bad in [None, Some(""), Some("short-secret")] {
        assert_eq!(
            check_signing_secret(bad).unwrap_err().var,
            "TOKEN_SIGNING_SECRET"
        );
    }
    // New settings: defaults and validation.
    let c = RelayConfig::from_vars(|_| None).unwrap();
    assert_eq!(
        (
            c.public_global_rpm,
            c.token_concurrency,
            c.reservation_ttl_ms,
            c.silence_charge_ms
        ),
        (60, 4, 900_000, 20_000)
    );
    assert!(c.anthropic_betas.is_empty());
    for (k, v) in [
        ("SILENCE_CHARGE_MS", "30000"),
        ("SILENCE_CHARGE_MS", "0"),
        ("RESERVATION_TTL_MS", "10"),
        ("TOKEN_CONCURRENCY", "0"),
        ("PUBLIC_GLOBAL_RPM", "lots"),
        ("IDLE_TIMEOUT_MS", "0"),
    ] {
        let e = RelayConfig::from_vars(|n| (n == k).then(|| v.to_owned())).unwrap_err();
        assert_eq!(e.var, k, "{k}={v}");
    }
}

#[test]
fn the_allow_claim_round_trips_and_rejects_unknown_values() {
    let Caller::Token(mut claims) = token(Some("1"), &[Allowance::Media, Allowance::Stateful])
    else {
        unreachable!()
    };
    let j = serde_json::to_value(&claims).unwrap();
    assert_eq!(j["allow"], json!(["media", "stateful"]));
    claims.allow.clear();
    assert!(serde_json::to_value(&claims)
        .unwrap()
        .get("allow")
        .is_none());
    let bad = json!({"sub":"x","iat":1,"exp":2,"allow":["everything"]});
    assert!(serde_json::from_value::<Claims>(bad).is_err());
}
