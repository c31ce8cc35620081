use zenwire::wire::WireFormat;
use zenwire_relay_policy::cors::{preflight_headers, response_headers, OriginList};
use zenwire_relay_policy::route::{route, AdminOp, Endpoint, Route};

#[test]
fn api_routes() {
    assert_eq!(
        route("POST", "/zen/v1/chat/completions"),
        Route::Api(Endpoint::Chat)
    );
    assert_eq!(
        route("POST", "/zen/v1/responses"),
        Route::Api(Endpoint::Responses)
    );
    assert_eq!(
        route("POST", "/zen/v1/messages"),
        Route::Api(Endpoint::Messages)
    );
    assert_eq!(
        route("POST", "/zen/v1/models/gemini-3-pro:streamGenerateContent"),
        Route::Api(Endpoint::Gemini {
            model: "gemini-3-pro".into(),
            stream: true
        })
    );
    assert_eq!(
        route("POST", "/zen/v1/models/gemini-3-pro:generateContent"),
        Route::Api(Endpoint::Gemini {
            model: "gemini-3-pro".into(),
            stream: false
        })
    );
    assert_eq!(route("GET", "/zen/v1/models"), Route::ListModels);
    assert_eq!(route("GET", "/healthz"), Route::Health);
    assert_eq!(route("GET", "/admin/usage"), Route::Admin(AdminOp::Usage));
    assert_eq!(
        route("POST", "/admin/tokens"),
        Route::Admin(AdminOp::MintToken)
    );
    assert_eq!(
        route("POST", "/admin/revoke"),
        Route::Admin(AdminOp::Revoke)
    );
    assert_eq!(route("GET", "/"), Route::Other);
    assert_eq!(route("GET", "/index.html"), Route::Other);
}

#[test]
fn preflight_and_wrong_methods_carry_the_dialect() {
    assert_eq!(
        route("OPTIONS", "/zen/v1/messages"),
        Route::Preflight(WireFormat::Messages)
    );
    assert_eq!(
        route("OPTIONS", "/zen/v1/models"),
        Route::Preflight(WireFormat::Chat)
    );
    assert_eq!(
        route(
            "OPTIONS",
            "/zen/v1/models/gemini-3-pro:streamGenerateContent"
        ),
        Route::Preflight(WireFormat::Gemini)
    );
    assert_eq!(
        route("GET", "/zen/v1/messages"),
        Route::MethodNotAllowed {
            format: WireFormat::Messages,
            allow: "POST, OPTIONS"
        }
    );
    assert_eq!(
        route("POST", "/zen/v1/models"),
        Route::MethodNotAllowed {
            format: WireFormat::Chat,
            allow: "GET, OPTIONS"
        }
    );
    assert!(matches!(
        route("GET", "/admin/tokens"),
        Route::MethodNotAllowed { .. }
    ));
    assert!(matches!(
        route("DELETE", "/healthz"),
        Route::MethodNotAllowed { .. }
    ));
}

#[test]
fn unknown_and_malformed_api_paths() {
    for p in [
        "/zen/v1",
        "/zen/v1/",
        "/zen/v1/embeddings",
        "/zen/v1/chat/completions/extra",
        "/zen/v1/../admin/usage",
    ] {
        assert_eq!(
            route("POST", p),
            Route::ApiNotFound(WireFormat::Chat),
            "{p}"
        );
    }
    for p in [
        "/zen/v1/models/gemini-3-pro",
        "/zen/v1/models/gemini-3-pro:countTokens",
        "/zen/v1/models/:streamGenerateContent",
        "/zen/v1/models/a%2Fb:generateContent",
        "/zen/v1/models/a/b:generateContent",
    ] {
        assert_eq!(
            route("POST", p),
            Route::ApiNotFound(WireFormat::Gemini),
            "{p}"
        );
    }
    assert_eq!(
        route("POST", "/admin/other"),
        Route::ApiNotFound(WireFormat::Chat)
    );
}

#[test]
fn upstream_paths() {
    assert_eq!(Endpoint::Chat.upstream_path(), "/chat/completions");
    assert_eq!(Endpoint::Messages.upstream_path(), "/messages");
    assert_eq!(
        Endpoint::Gemini {
            model: "gemini-3-pro".into(),
            stream: true
        }
        .upstream_path(),
        "/models/gemini-3-pro:streamGenerateContent?alt=sse"
    );
}

#[test]
fn cors_echoes_only_the_matching_origin() {
    let list = OriginList::parse("https://a.example, http://localhost:5173/ https://B.example");
    assert!(list.contains("https://a.example"));
    assert!(list.contains("http://localhost:5173"));
    assert!(list.contains("https://b.example"));
    assert!(!list.contains("https://a.example.evil"));
    assert!(!list.contains("null"));

    let h = response_headers(&list, Some("https://a.example"));
    assert!(h.contains(&("access-control-allow-origin", "https://a.example".into())));
    assert!(h.contains(&("vary", "Origin".into())));
    assert_eq!(
        h.iter()
            .filter(|(k, _)| *k == "access-control-allow-origin")
            .count(),
        1
    );

    let h = response_headers(&list, Some("https://evil.example"));
    assert_eq!(h, vec![("vary", "Origin".to_owned())]);
    let h = response_headers(&list, None);
    assert_eq!(h, vec![("vary", "Origin".to_owned())]);

    let p = preflight_headers(&list, Some("http://localhost:5173"));
    let keys: Vec<&str> = p.iter().map(|(k, _)| *k).collect();
    for k in [
        "access-control-allow-origin",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-max-age",
        "vary",
    ] {
        assert!(keys.contains(&k), "{k}");
    }
    let allow_headers = &p
        .iter()
        .find(|(k, _)| *k == "access-control-allow-headers")
        .unwrap()
        .1;
    for h in [
        "authorization",
        "x-api-key",
        "x-goog-api-key",
        "anthropic-version",
        "content-type",
    ] {
        assert!(allow_headers.contains(h), "{h}");
    }
    assert_eq!(
        preflight_headers(&list, Some("https://evil.example")).len(),
        1
    );
    assert!(OriginList::parse("").is_empty());
}
