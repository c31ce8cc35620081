use zenwire::cost::Usd;
use zenwire_relay_policy::token::{
    mint, parse_duration_secs, secrets_equal, verify, Claims, MintError, TokenError,
};

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-test";

fn claims() -> Claims {
    Claims {
        sub: "alice".into(),
        iat: 1_000,
        exp: 2_000,
        models: vec!["big-pickle".into()],
        max_output_tokens: Some(256),
        rpm: Some(10),
        concurrency: Some(2),
        budget_usd_per_day: Some(Usd::parse("1.5").unwrap()),
        tokens_per_day: Some(10_000),
        origins: vec!["https://app.example".into()],
        allow: vec![],
    }
}

#[test]
fn mint_then_verify_round_trips_all_claims() {
    let t = mint(&claims(), SECRET).unwrap();
    assert!(t.starts_with("zr1."));
    assert_eq!(t.split('.').count(), 3);
    assert_eq!(verify(&t, SECRET, 1_500).unwrap(), claims());
}

#[test]
fn json_field_names_are_camel_case() {
    let v = serde_json::to_value(claims()).unwrap();
    for k in [
        "sub",
        "iat",
        "exp",
        "models",
        "maxOutputTokens",
        "rpm",
        "concurrency",
        "budgetUsdPerDay",
        "tokensPerDay",
        "origins",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    assert_eq!(v["budgetUsdPerDay"], "1.5");
}

#[test]
fn expiry_is_exclusive_and_future_iat_refused() {
    let t = mint(&claims(), SECRET).unwrap();
    assert_eq!(verify(&t, SECRET, 1_999).map(|c| c.sub), Ok("alice".into()));
    assert_eq!(verify(&t, SECRET, 2_000), Err(TokenError::Expired));
    assert_eq!(verify(&t, SECRET, 9_999_999), Err(TokenError::Expired));
    assert_eq!(verify(&t, SECRET, 1_000 - 60).map(|c| c.iat), Ok(1_000));
    assert_eq!(verify(&t, SECRET, 1_000 - 61), Err(TokenError::NotYetValid));
}

#[test]
fn wrong_secret_and_tampering_are_bad_signatures() {
    let t = mint(&claims(), SECRET).unwrap();
    assert_eq!(
        verify(&t, b"another-secret-another-secret-xx", 1_500),
        Err(TokenError::BadSignature)
    );
    // Swap in a payload granting more: the signature no longer matches.
    let mut more = claims();
    more.models.clear();
    let other = mint(&more, b"attacker-secret-attacker-secret-").unwrap();
    let parts: Vec<&str> = t.split('.').collect();
    let other_parts: Vec<&str> = other.split('.').collect();
    let forged = format!("zr1.{}.{}", other_parts[1], parts[2]);
    assert_eq!(
        verify(&forged, SECRET, 1_500),
        Err(TokenError::BadSignature)
    );
    // Flip one signature character.
    let mut sig: Vec<u8> = parts[2].bytes().collect();
    sig[0] = if sig[0] == b'A' { b'B' } else { b'A' };
    let flipped = format!("zr1.{}.{}", parts[1], String::from_utf8(sig).unwrap());
    assert_eq!(
        verify(&flipped, SECRET, 1_500),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn malformed_tokens_are_typed_errors() {
    let t = mint(&claims(), SECRET).unwrap();
    let cases = [
        "".to_owned(),
        "zr1".into(),
        "zr1.abc".into(),
        "zr1.a.b.c".into(),
        t.replacen("zr1.", "zr2.", 1),
        format!("{t}."),
        "zr1.%%%.%%%".into(),
        "x".repeat(5000),
        "sk-live-something".into(),
    ];
    for c in cases {
        match verify(&c, SECRET, 1_500) {
            Err(TokenError::Malformed(_)) | Err(TokenError::BadSignature) => {}
            other => panic!("{c:?} gave {other:?}"),
        }
    }
}

#[test]
fn signed_but_non_claims_payload_is_malformed() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let payload = URL_SAFE_NO_PAD.encode(br#"{"hello":1}"#);
    let signed = format!("zr1.{payload}");
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(SECRET).unwrap();
    m.update(signed.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
    assert_eq!(
        verify(&format!("{signed}.{sig}"), SECRET, 1_500),
        Err(TokenError::Malformed("payload is not claims JSON"))
    );
}

#[test]
fn minting_validates_secret_and_claims() {
    assert_eq!(mint(&claims(), b"short"), Err(MintError::WeakSecret));
    let mut c = claims();
    c.sub.clear();
    assert!(matches!(mint(&c, SECRET), Err(MintError::InvalidClaims(_))));
    let mut c = claims();
    c.exp = c.iat;
    assert!(matches!(mint(&c, SECRET), Err(MintError::InvalidClaims(_))));
    let mut c = claims();
    c.max_output_tokens = Some(0);
    assert!(matches!(mint(&c, SECRET), Err(MintError::InvalidClaims(_))));
    let mut c = claims();
    c.origins = vec!["https://a.example/".into()];
    assert!(matches!(mint(&c, SECRET), Err(MintError::InvalidClaims(_))));
}

#[test]
fn model_permission() {
    let c = claims();
    assert!(c.allows_model("big-pickle"));
    assert!(!c.allows_model("claude-opus-4-1"));
    let any = Claims {
        models: vec![],
        ..claims()
    };
    assert!(any.allows_model("claude-opus-4-1"));
}

#[test]
fn durations_and_secret_comparison() {
    assert_eq!(parse_duration_secs("90"), Some(90));
    assert_eq!(parse_duration_secs("90s"), Some(90));
    assert_eq!(parse_duration_secs("15m"), Some(900));
    assert_eq!(parse_duration_secs("1h"), Some(3600));
    assert_eq!(parse_duration_secs("7d"), Some(604_800));
    for bad in ["", "h", "0s", "-1h", "1w", "1.5h", "99999999999999999999d"] {
        assert_eq!(parse_duration_secs(bad), None, "{bad}");
    }
    assert!(secrets_equal(b"abc", b"abc"));
    assert!(!secrets_equal(b"abc", b"abd"));
    assert!(!secrets_equal(b"abc", b"abcd"));
    assert!(!secrets_equal(b"", b"x"));
}
