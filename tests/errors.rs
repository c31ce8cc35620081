//! Typed errors from HTTP responses: every recorded and hand-written error
//! body maps to the right kind, message, provider and retry delay.

mod common;

use std::path::Path;

use proptest::prelude::*;
use zenwire::error::{retry_after_ms, ZenError};
use zenwire::{ErrorKind, Event};

const NO_HEADERS: [(&str, &str); 0] = [];

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The files of `dir` whose names pass `keep`, sorted.
fn files(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| keep(n))
        .collect();
    names.sort();
    names
}

/// Checks that `expected` names exactly the files found, then that each
/// maps to its kind.
fn check_all(dir: &Path, found: Vec<String>, expected: &[(&str, u16, ErrorKind)]) {
    let mut listed: Vec<String> = expected.iter().map(|(n, _, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(
        found,
        listed,
        "every error fixture in {} has an expectation",
        dir.display()
    );
    for (name, status, kind) in expected {
        let body = read(&dir.join(name));
        let err = ZenError::from_response(*status, NO_HEADERS, &body);
        assert_eq!(err.kind(), *kind, "{name}: {err:?}");
        assert_eq!(err.status(), Some(*status), "{name}");
        assert_eq!(err.retryable(), kind.is_retryable(), "{name}");
        assert!(!err.message().is_empty(), "{name}");
        let lower = err.message().to_ascii_lowercase();
        for tag in ["<html", "<!doctype", "<head", "<body", "<title", "<h1"] {
            assert!(
                !lower.contains(tag),
                "{name}: no markup in {:?}",
                err.message()
            );
        }
        assert!(
            err.message().chars().count() <= 400,
            "{name}: message stays short"
        );
    }
}

#[test]
fn shared_zen_error_bodies_map_to_their_kinds() {
    let Some(shared) = common::shared_fixtures() else {
        eprintln!("shared fixtures absent; skipped");
        return;
    };
    let dir = shared.join("zen");
    let found = files(&dir, |n| {
        n.starts_with("error-") || n.starts_with("streaming-error-body")
    });
    check_all(
        &dir,
        found,
        &[
            (
                "error-401-insufficient-balance.json",
                401,
                ErrorKind::Credits,
            ),
            ("error-401-invalid-api-key.json", 401, ErrorKind::Auth),
            ("error-401-missing-api-key.json", 401, ErrorKind::Auth),
            (
                "error-401-no-payment-method.observed.json",
                401,
                ErrorKind::Credits,
            ),
            (
                "error-401-unknown-model.2025-10.json",
                401,
                ErrorKind::Model,
            ),
            ("error-401-unknown-model.json", 401, ErrorKind::Model),
            (
                "error-403-free-tier.observed.json",
                403,
                ErrorKind::FreeTier,
            ),
            (
                "error-429-free-usage-limit.json",
                429,
                ErrorKind::FreeUsageLimit,
            ),
            ("error-429-rate-limit.json", 429, ErrorKind::RateLimit),
            ("error-500-internal.json", 500, ErrorKind::Server),
            // Issue #14252: a non-200 streaming response, upstream body says 401.
            (
                "streaming-error-body-with-cost-trailer.2026-02-observed.txt",
                401,
                ErrorKind::Auth,
            ),
        ],
    );
}

#[test]
fn shared_upstream_error_bodies_map_to_their_kinds() {
    let Some(shared) = common::shared_fixtures() else {
        return;
    };
    let dir = shared.join("nonstream");
    let found = files(&dir, |n| {
        n.contains("error") || n.starts_with("zen-go-402") || n == "openai-401-invalid-api-key.json"
    });
    check_all(
        &dir,
        found,
        &[
            (
                "anthropic-400-error.observed.json",
                400,
                ErrorKind::InvalidRequest,
            ),
            ("openai-401-invalid-api-key.json", 401, ErrorKind::Auth),
            (
                "openai-chat-400-error.vercel.json",
                400,
                ErrorKind::InvalidRequest,
            ),
            (
                "openai-responses-400-error.vercel.json",
                400,
                ErrorKind::InvalidRequest,
            ),
            // "429-style" per SOURCES.md; the code, not the status, decides.
            (
                "openai-responses-error.vercel.json",
                429,
                ErrorKind::Credits,
            ),
            // code "invalid_request_error" is generic; the 402 says credits.
            (
                "zen-go-402-upstream-passthrough.observed.json",
                402,
                ErrorKind::Credits,
            ),
        ],
    );
}

#[test]
fn hand_written_error_bodies_map_to_their_kinds() {
    let dir = common::fixtures().join("errors");
    let found = files(&dir, |_| true);
    use ErrorKind as K;
    let expected: &[(&str, u16, ErrorKind)] = &[
        // A 200 body that is an error: the specific code beats the
        // generic type.
        ("200-openai-server-is-overloaded.json", 200, K::Overloaded),
        ("400-google-invalid-argument.json", 400, K::InvalidRequest),
        ("400-openai-context-length.json", 400, K::InvalidRequest),
        ("400-zen-upstream-anthropic.json", 400, K::InvalidRequest),
        ("401-anthropic-authentication.json", 401, K::Auth),
        ("401-bare-message.json", 401, K::Auth),
        ("401-zen-model-disabled.json", 401, K::Model),
        ("401-zen-monthly-limit.json", 401, K::MonthlyLimit),
        ("401-zen-user-limit.json", 401, K::UserLimit),
        ("402-anthropic-billing.json", 402, K::Credits),
        ("403-google-permission-denied.json", 403, K::Auth),
        ("403-openai-shaped-free-tier.json", 403, K::FreeTier),
        ("403-zen-region.json", 403, K::Model),
        ("404-anthropic-not-found.json", 404, K::NotFound),
        ("404-html-page.html", 404, K::NotFound),
        ("404-openai-model-not-found.json", 404, K::Model),
        (
            "413-anthropic-request-too-large.json",
            413,
            K::InvalidRequest,
        ),
        ("429-google-resource-exhausted.json", 429, K::RateLimit),
        ("429-openai-rate-limit.json", 429, K::RateLimit),
        ("429-zen-black-usage-limit.json", 429, K::RateLimit),
        ("429-zen-go-usage-limit.json", 429, K::RateLimit),
        ("499-empty.txt", 499, K::Aborted),
        ("500-anthropic-api-error.json", 500, K::Server),
        ("500-html-no-title.html", 500, K::Server),
        ("500-openai-server-error.json", 500, K::Server),
        ("500-plain-text.txt", 500, K::Server),
        ("502-cloudflare.html", 502, K::Server),
        ("503-empty.txt", 503, K::Overloaded),
        ("503-google-unavailable.json", 503, K::Overloaded),
        ("504-google-deadline-exceeded.json", 504, K::Timeout),
        ("529-anthropic-overloaded.json", 529, K::Overloaded),
    ];
    // The status in each file name is the status the test uses.
    for (name, status, _) in expected {
        assert!(name.starts_with(&status.to_string()), "{name}");
    }
    check_all(&dir, found, expected);
}

fn hand(name: &str, status: u16) -> ZenError {
    ZenError::from_response(
        status,
        NO_HEADERS,
        &read(&common::fixtures().join("errors").join(name)),
    )
}

#[test]
fn zen_error_keeps_the_message_type_and_provider() {
    let Some(shared) = common::shared_fixtures() else {
        return;
    };
    let body = read(&shared.join("zen/error-403-free-tier.observed.json"));
    let err = ZenError::from_response(403, NO_HEADERS, &body);
    assert_eq!(
        err.message(),
        "Error from provider (Console): OpenCode's free tier can only be used from within OpenCode"
    );
    assert_eq!(err.provider(), Some("Console"));
    assert_eq!(err.error_type(), Some("FreeTierError"));
    assert_eq!(err.code(), None);
    assert!(!err.retryable());

    let body = read(&shared.join("nonstream/openai-401-invalid-api-key.json"));
    let err = ZenError::from_response(401, NO_HEADERS, &body);
    assert_eq!(err.error_type(), Some("invalid_request_error"));
    assert_eq!(err.code(), Some("invalid_api_key"));
    assert!(err.message().starts_with("Incorrect API key provided"));
    assert_eq!(err.provider(), None);
}

#[test]
fn upstream_prefix_names_the_provider() {
    let err = hand("400-zen-upstream-anthropic.json", 400);
    assert_eq!(err.provider(), Some("Anthropic"));
    assert!(err
        .message()
        .starts_with("Error from provider (Anthropic): messages:"));
}

#[test]
fn cost_trailer_after_the_error_json_is_ignored() {
    let Some(shared) = common::shared_fixtures() else {
        return;
    };
    let body =
        read(&shared.join("zen/streaming-error-body-with-cost-trailer.2026-02-observed.txt"));
    let err = ZenError::from_response(401, NO_HEADERS, &body);
    assert_eq!(err.message(), "User not found.");
    assert_eq!(err.code(), Some("401"));
    // Delivered inside a 200 stream, the body's own code still classifies it.
    let err = ZenError::from_response(200, NO_HEADERS, &body);
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.status(), Some(200));
}

#[test]
fn html_pages_give_their_title_or_the_status() {
    let err = hand("502-cloudflare.html", 502);
    assert_eq!(err.message(), "opencode.ai | 502: Bad gateway");
    let err = hand("404-html-page.html", 404);
    assert_eq!(err.message(), "404 & Not Found");
    let err = hand("500-html-no-title.html", 500);
    assert_eq!(err.message(), "HTTP 500 Internal Server Error");
}

#[test]
fn empty_and_text_bodies_get_a_message_from_the_status() {
    let err = ZenError::from_response(503, NO_HEADERS, "");
    assert_eq!(err.message(), "HTTP 503 Service Unavailable");
    assert!(err.retryable());
    let err = ZenError::from_response(418, NO_HEADERS, " \n ");
    assert_eq!(
        (err.kind(), err.message()),
        (ErrorKind::Unknown, "HTTP 418")
    );
    let err = hand("500-plain-text.txt", 500);
    assert_eq!(
        err.message(),
        "upstream connect error or disconnect/reset before headers. reset reason: connection termination"
    );
    let long = "x".repeat(5000);
    let err = ZenError::from_response(500, NO_HEADERS, &long);
    assert_eq!(
        err.message().chars().count(),
        301,
        "300 characters and an ellipsis"
    );
}

#[test]
fn status_decides_when_the_body_is_silent_or_generic() {
    use ErrorKind as K;
    for (status, kind) in [
        (400, K::InvalidRequest),
        (401, K::Auth),
        (402, K::Credits),
        (403, K::Auth),
        (404, K::NotFound),
        (408, K::Timeout),
        (409, K::Unknown),
        (413, K::InvalidRequest),
        (422, K::InvalidRequest),
        (429, K::RateLimit),
        (499, K::Aborted),
        (500, K::Server),
        (502, K::Server),
        (503, K::Overloaded),
        (504, K::Server),
        (529, K::Overloaded),
        (418, K::Unknown),
    ] {
        assert_eq!(
            ZenError::from_response(status, NO_HEADERS, "{}").kind(),
            kind,
            "{status}"
        );
        let generic = r#"{"error":{"message":"m","type":"invalid_request_error"}}"#;
        let expected = if kind == K::Unknown {
            K::InvalidRequest
        } else {
            kind
        };
        assert_eq!(
            ZenError::from_response(status, NO_HEADERS, generic).kind(),
            expected,
            "{status}"
        );
    }
    // A specific body type beats the status.
    let body = r#"{"type":"error","error":{"type":"CreditsError","message":"m"}}"#;
    assert_eq!(
        ZenError::from_response(500, NO_HEADERS, body).kind(),
        K::Credits
    );
    // 403 with a free-tier message and no specific type.
    let body = r#"{"message":"OpenCode's free tier can only be used from within OpenCode"}"#;
    assert_eq!(
        ZenError::from_response(403, NO_HEADERS, body).kind(),
        K::FreeTier
    );
    // A 200 body with an error type and no status anywhere.
    let body = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
    assert_eq!(
        ZenError::from_response(200, NO_HEADERS, body).kind(),
        K::Overloaded
    );
    assert_eq!(
        ZenError::from_response(200, NO_HEADERS, "{}").kind(),
        K::Unknown
    );
}

#[test]
fn retry_after_headers() {
    type Headers<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(Headers, Option<u64>)] = &[
        (&[("retry-after", "60")], Some(60_000)),
        (&[("Retry-After", " 2 ")], Some(2_000)),
        (&[("RETRY-AFTER", "1.5")], Some(1_500)),
        (
            &[("retry-after", "60"), ("retry-after-ms", "250")],
            Some(250),
        ),
        (&[("Retry-After-Ms", "12.2")], Some(13)),
        (
            &[("retry-after-ms", "soon"), ("retry-after", "3")],
            Some(3_000),
        ),
        // Exact decimal arithmetic: 0.7 s is 700 ms, not the float 700.000…1.
        (&[("retry-after", "0.7")], Some(700)),
        (&[("retry-after", "0.0001")], Some(1)),
        (&[("retry-after", ".5")], Some(500)),
        (&[("retry-after", "2.")], Some(2_000)),
        (&[("retry-after", "+4")], Some(4_000)),
        (&[("retry-after", "1e3")], Some(1_000_000)),
        (&[("retry-after", "15E-1")], Some(1_500)),
        (&[("retry-after", "-0")], Some(0)),
        (&[("retry-after", "1e400")], Some(u64::MAX)),
        (
            &[("retry-after", "99999999999999999999999")],
            Some(u64::MAX),
        ),
        (&[("retry-after-ms", "0.000")], Some(0)),
        (&[("retry-after", "-0.5")], None),
        (&[("retry-after", ".")], None),
        (&[("retry-after", "1e")], None),
        (&[("retry-after", "1.2.3")], None),
        (&[("retry-after", "1 000")], None),
        (&[("retry-after", "-1")], None),
        (&[("retry-after", "NaN")], None),
        (&[("retry-after", "inf")], None),
        (&[("content-type", "application/json")], None),
        // An HTTP date needs a clock; from_response has none.
        (&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")], None),
    ];
    for (headers, expected) in cases {
        assert_eq!(
            retry_after_ms(headers.iter(), None),
            *expected,
            "{headers:?}"
        );
        let err = ZenError::from_response(429, headers.iter(), "");
        assert_eq!(err.retry_after_ms(), *expected, "{headers:?}");
    }
    // Owned header pairs work too.
    let owned = vec![("retry-after".to_string(), "7".to_string())];
    assert_eq!(
        ZenError::from_response(429, &owned, "").retry_after_ms(),
        Some(7_000)
    );
}

#[test]
fn retry_after_http_date_with_a_clock() {
    // Wed, 21 Oct 2015 07:28:00 GMT = 1445412480 s.
    let headers = [("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")];
    let now = 1_445_412_480_000 - 90_500;
    assert_eq!(retry_after_ms(headers, Some(now)), Some(90_500));
    assert_eq!(
        retry_after_ms(headers, Some(1_445_412_480_000 + 5)),
        Some(0),
        "past date"
    );
    let err = ZenError::from_response_at(429, headers, "", Some(now));
    assert_eq!(err.retry_after_ms(), Some(90_500));
}

#[test]
fn google_retry_info_is_the_fallback_delay() {
    let err = hand("429-google-resource-exhausted.json", 429);
    assert_eq!(err.retry_after_ms(), Some(38_000));
    assert_eq!(err.code(), Some("429"));
    let body = read(&common::fixtures().join("errors/429-google-resource-exhausted.json"));
    let err = ZenError::from_response(429, [("retry-after", "5")], &body);
    assert_eq!(err.retry_after_ms(), Some(5_000), "the header wins");
}

#[test]
fn local_errors_and_event_conversion() {
    let err = ZenError::local(ErrorKind::Timeout, "no answer within 30 s");
    assert_eq!(err.status(), None);
    assert!(err.retryable());
    assert_eq!(err.to_string(), "no answer within 30 s (timeout)");
    assert!(!ZenError::local(ErrorKind::Aborted, "cancelled").retryable());
    let ev: Event = err.clone().into();
    assert_eq!(
        ev,
        Event::Error {
            kind: ErrorKind::Timeout,
            message: "no answer within 30 s".into(),
            retryable: true
        }
    );
    assert_eq!(Event::from(&err), ev);
    assert_eq!(err.to_event(), ev);
}

#[test]
fn display_and_serde() {
    let err = hand("529-anthropic-overloaded.json", 529);
    assert_eq!(err.to_string(), "Overloaded (overloaded, HTTP 529)");
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "kind": "overloaded", "message": "Overloaded", "status": 529, "provider": null,
            "retryAfterMs": null, "retryable": true, "errorType": "overloaded_error", "code": null
        })
    );
    let back: ZenError = serde_json::from_value(json).unwrap();
    assert_eq!(back, err);
    let boxed: Box<dyn std::error::Error> = Box::new(err);
    assert!(boxed.to_string().contains("HTTP 529"));
}

proptest! {
    /// `whole.frac` seconds → whole·1000 + ⌈frac in ms⌉, for any digits.
    #[test]
    fn retry_after_seconds_round_up_to_whole_ms(whole in 0u64..1_000_000_000, frac in "[0-9]{0,9}") {
        let header = if frac.is_empty() { whole.to_string() } else { format!("{whole}.{frac}") };
        let frac_ms = if frac.is_empty() {
            0
        } else {
            let n: u64 = frac.parse().unwrap();
            let unit = 10u64.pow(frac.len() as u32);
            (n * 1000).div_ceil(unit)
        };
        prop_assert_eq!(
            retry_after_ms([("retry-after", header.as_str())], None),
            Some(whole * 1000 + frac_ms)
        );
    }

    #[test]
    fn any_response_gives_a_consistent_error(
        status in 0u16..1000,
        body in ".{0,400}",
        value in ".{0,20}",
    ) {
        let err = ZenError::from_response(status, [("retry-after", value.as_str())], &body);
        prop_assert!(!err.message().is_empty());
        prop_assert_eq!(err.retryable(), err.kind().is_retryable());
        prop_assert_eq!(err.status(), Some(status));
    }

    #[test]
    fn json_error_shapes_never_panic(
        status in 100u16..600,
        ty in prop::option::of("[A-Za-z_]{0,24}"),
        code in prop::option::of(any::<i64>()),
        msg in ".{0,60}",
    ) {
        let body = serde_json::json!({"type": "error", "error": {"type": ty, "code": code, "message": msg}});
        let err = ZenError::from_response(status, NO_HEADERS, &body.to_string());
        prop_assert_eq!(err.retryable(), err.kind().is_retryable());
        if !msg.trim().is_empty() {
            prop_assert_eq!(err.message(), msg);
        }
    }
}
