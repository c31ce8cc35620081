//! Cost estimates: exact decimals, golden numbers, Zen's >200K tier rule,
//! missing data, and the billed-vs-estimated report.

use proptest::prelude::*;

use zenwire::catalog::{Catalog, ModelInfo};
use zenwire::cost::{estimate, parse_price, report, CostEstimate, DecimalError, Missing, Usd};
use zenwire::{Message, Usage};

fn model(id: &str) -> &'static ModelInfo {
    Catalog::builtin()
        .get(id)
        .unwrap_or_else(|| panic!("{id} not in catalog"))
}

fn usage(input: u64, output: u64, cache_read: u64, cache_write: u64) -> Usage {
    Usage {
        input_tokens: Some(input),
        output_tokens: Some(output),
        cache_read_tokens: Some(cache_read),
        cache_write_tokens: Some(cache_write),
        reasoning_tokens: None,
    }
}

fn parts(e: &CostEstimate) -> [String; 5] {
    [e.input, e.output, e.cache_read, e.cache_write, e.total].map(|u| u.to_string())
}

// ---------------------------------------------------------------------------
// The decimal type.

#[test]
fn usd_parses_and_prints_exactly() {
    for (text, shown) in [
        ("0", "0"),
        ("15", "15"),
        ("1.07", "1.07"),
        ("0.107", "0.107"),
        ("8.50", "8.5"),
        ("0.00001400", "0.000014"),
        ("007.5", "7.5"),
        ("0.000000000000000001", "0.000000000000000001"),
        ("1.500000000000000000000000", "1.5"),
    ] {
        assert_eq!(
            Usd::parse(text).map(|u| u.to_string()),
            Ok(shown.to_owned()),
            "{text}"
        );
    }
    assert_eq!(
        Usd::parse("1.07").map(Usd::atto),
        Ok(1_070_000_000_000_000_000)
    );
}

#[test]
fn usd_rejects_non_decimals() {
    assert_eq!(Usd::parse(""), Err(DecimalError::Empty));
    for bad in [
        "-1", "+1", "1e3", " 1", "1 ", ".5", "5.", "1.2.3", "1,5", "NaN", "٣",
    ] {
        assert!(
            matches!(Usd::parse(bad), Err(DecimalError::Invalid(_))),
            "{bad:?}"
        );
    }
    assert!(matches!(
        Usd::parse("0.0000000000000000001"),
        Err(DecimalError::TooManyDecimals { max: 18, .. })
    ));
    assert!(matches!(
        parse_price("0.0000000000001"),
        Err(DecimalError::TooManyDecimals { max: 12, .. })
    ));
    assert!(matches!(
        Usd::parse(&"9".repeat(40)),
        Err(DecimalError::Overflow(_))
    ));
    assert!(matches!(
        Usd::parse("340282366920938463464"),
        Err(DecimalError::Overflow(_))
    ));
}

#[test]
fn usd_format_rounds_half_up() {
    let u = |s: &str| Usd::parse(s).expect(s);
    assert_eq!(u("0.000000107").format_usd(8), "0.00000011");
    assert_eq!(u("0.000000104").format_usd(8), "0.00000010");
    assert_eq!(u("0.005").format_usd(2), "0.01");
    assert_eq!(u("0.0049999").format_usd(2), "0.00");
    assert_eq!(u("2.5").format_usd(0), "3");
    assert_eq!(u("1.07").format_usd(4), "1.0700");
    assert_eq!(u("0.99999").format_usd(2), "1.00");
    assert_eq!(u("1.25").format_usd(30), format!("1.25{}", "0".repeat(16)));
    assert_eq!(Usd::ZERO.format_usd(8), "0.00000000");
}

#[test]
fn usd_serializes_as_string() {
    let u = Usd::parse("0.00107").expect("parse");
    assert_eq!(serde_json::to_string(&u).expect("ser"), r#""0.00107""#);
    assert_eq!(serde_json::from_str::<Usd>(r#""0.00107""#).ok(), Some(u));
    assert!(serde_json::from_str::<Usd>("0.00107").is_err());
    assert!(serde_json::from_str::<Usd>(r#""-1""#).is_err());
}

// ---------------------------------------------------------------------------
// Golden estimates (hand-computed: tokens × price / 1 000 000).

#[test]
fn one_token_of_gpt_5_1_input_is_exact() {
    // 1 × 1.07 / 1e6 = 0.00000107
    let e = estimate(model("gpt-5.1"), &usage(1, 0, 0, 0));
    assert_eq!(e.total.to_string(), "0.00000107");
    // 1 × 0.107 / 1e6 = 0.000000107 (finer than Zen's 8-place billing)
    let e = estimate(model("gpt-5.1"), &usage(0, 0, 1, 0));
    assert_eq!(e.total.to_string(), "0.000000107");
}

#[test]
fn golden_gpt_5_1_with_cache_reads() {
    // input  1000 × 1.07  = 0.00107
    // output  500 × 8.50  = 0.00425
    // cache  2000 × 0.107 = 0.000214
    // total                = 0.005534; cache write not reported.
    let u = Usage {
        cache_write_tokens: None,
        reasoning_tokens: Some(300),
        ..usage(1000, 500, 2000, 0)
    };
    let e = estimate(model("gpt-5.1"), &u);
    assert_eq!(
        parts(&e),
        ["0.00107", "0.00425", "0.000214", "0", "0.005534"]
    );
    assert!(!e.tier_over_200k);
    assert_eq!(e.missing, [Missing::CacheWriteTokens]);
}

#[test]
fn golden_claude_opus_4_1_every_part() {
    // 1 × 15 = 0.000015; 1 × 75 = 0.000075; 1 × 1.50 = 0.0000015; 1 × 18.75 = 0.00001875
    // total 0.00011025
    let e = estimate(model("claude-opus-4-1"), &usage(1, 1, 1, 1));
    assert_eq!(
        parts(&e),
        [
            "0.000015",
            "0.000075",
            "0.0000015",
            "0.00001875",
            "0.00011025"
        ]
    );
    assert!(e.is_complete());
}

#[test]
fn golden_qwen3_coder_uses_docs_output_price() {
    // 1 000 000 × 1.50 (Zen docs; models.dev says 1.8) = 1.5
    let e = estimate(model("qwen3-coder"), &usage(0, 1_000_000, 0, 0));
    assert_eq!(e.total.to_string(), "1.5");
}

#[test]
fn sonnet_tier_boundary_is_strictly_above_200k() {
    let sonnet = model("claude-sonnet-4-5");
    // 150 000 + 40 000 + 10 000 = 200 000 → base tier:
    // 150000 × 3 = 0.45; 1000 × 15 = 0.015; 40000 × 0.30 = 0.012; 10000 × 3.75 = 0.0375
    // total 0.5145
    let at = estimate(sonnet, &usage(150_000, 1000, 40_000, 10_000));
    assert!(!at.tier_over_200k);
    assert_eq!(parts(&at), ["0.45", "0.015", "0.012", "0.0375", "0.5145"]);
    // 150 001 + 40 000 + 10 000 = 200 001 → >200K tier:
    // 150001 × 6 = 0.900006; 1000 × 22.50 = 0.0225; 40000 × 0.60 = 0.024; 10000 × 7.50 = 0.075
    // total 1.021506
    let over = estimate(sonnet, &usage(150_001, 1000, 40_000, 10_000));
    assert!(over.tier_over_200k);
    assert_eq!(
        parts(&over),
        ["0.900006", "0.0225", "0.024", "0.075", "1.021506"]
    );
    // Output tokens do not count towards the threshold.
    assert!(!estimate(sonnet, &usage(200_000, 500_000, 0, 0)).tier_over_200k);
}

#[test]
fn gemini_tier_and_untiered_models() {
    // 250 000 × 4 = 1; 2000 × 18 = 0.036 → 1.036
    let e = estimate(model("gemini-3-pro"), &usage(250_000, 2000, 0, 0));
    assert!(e.tier_over_200k);
    assert_eq!(e.total.to_string(), "1.036");
    // 200 000 × 2 = 0.4 at exactly the threshold
    let e = estimate(model("gemini-3-pro"), &usage(200_000, 0, 0, 0));
    assert_eq!(
        (e.tier_over_200k, e.total.to_string()),
        (false, "0.4".to_owned())
    );
    // Opus 4.5 has no tier: 300 000 × 5 = 1.5
    let e = estimate(model("claude-opus-4-5"), &usage(300_000, 0, 0, 0));
    assert_eq!(
        (e.tier_over_200k, e.total.to_string()),
        (false, "1.5".to_owned())
    );
}

#[test]
fn free_models_cost_nothing() {
    for id in ["gpt-5-nano", "grok-code", "big-pickle"] {
        let e = estimate(model(id), &usage(900_000, 100_000, 500_000, 0));
        assert_eq!(e.total, Usd::ZERO, "{id}");
        assert!(e.is_complete(), "{id}: {:?}", e.missing);
    }
}

#[test]
fn missing_counts_and_prices_are_reported() {
    let e = estimate(model("gpt-5"), &Usage::default());
    assert_eq!(e.total, Usd::ZERO);
    assert_eq!(
        e.missing,
        [
            Missing::InputTokens,
            Missing::OutputTokens,
            Missing::CacheReadTokens,
            Missing::CacheWriteTokens
        ]
    );
    // kimi-k2 has no cache-read price: those tokens cost 0 and are flagged.
    let e = estimate(model("kimi-k2"), &usage(1000, 0, 5000, 0));
    assert_eq!(e.total.to_string(), "0.0004"); // 1000 × 0.40
    assert_eq!(e.missing, [Missing::CacheReadPrice]);
    // An unknown model is not "free": its prices are reported missing.
    let unknown = Catalog::builtin().resolve("mystery-model");
    let e = estimate(&unknown, &usage(10, 20, 0, 0));
    assert_eq!(e.total, Usd::ZERO);
    assert_eq!(e.missing, [Missing::InputPrice, Missing::OutputPrice]);
    assert!(!e.is_complete());
}

#[test]
fn estimate_serializes_with_string_amounts() {
    let e = estimate(
        model("claude-opus-4-1"),
        &Usage {
            cache_write_tokens: None,
            ..usage(1, 1, 1, 0)
        },
    );
    let json = serde_json::to_value(&e).expect("ser");
    assert_eq!(
        json,
        serde_json::json!({
            "input": "0.000015", "output": "0.000075", "cacheRead": "0.0000015",
            "cacheWrite": "0", "total": "0.0000915", "tierOver200k": false,
            "missing": ["cacheWriteTokens"]
        })
    );
    assert_eq!(serde_json::from_value::<CostEstimate>(json).ok(), Some(e));
}

#[test]
fn report_puts_billed_beside_estimate() {
    let msg = Message {
        usage: usage(1000, 500, 2000, 0),
        cost: Some("0.00553400".to_owned()),
        ..Message::default()
    };
    let r = report(model("gpt-5.1"), &msg);
    assert_eq!(r.estimated.total.to_string(), "0.005534");
    assert_eq!(r.billed.as_deref(), Some("0.00553400"));
    assert_eq!(r.billed_usd(), Some(r.estimated.total));
    let no_cost = report(model("gpt-5.1"), &Message::default());
    assert_eq!((no_cost.billed_usd(), no_cost.billed), (None, None));
    let junk = report(
        model("gpt-5.1"),
        &Message {
            cost: Some("n/a".into()),
            ..Message::default()
        },
    );
    assert_eq!(junk.billed.as_deref(), Some("n/a"));
    assert_eq!(junk.billed_usd(), None);
}

// ---------------------------------------------------------------------------
// Properties.

fn any_model() -> impl Strategy<Value = &'static ModelInfo> {
    let models = Catalog::builtin().models();
    (0..models.len()).prop_map(move |i| &models[i])
}

fn any_usage() -> impl Strategy<Value = Usage> {
    let count = proptest::option::weighted(0.9, 0u64..3_000_000);
    (count.clone(), count.clone(), count.clone(), count).prop_map(|(i, o, r, w)| Usage {
        input_tokens: i,
        output_tokens: o,
        cache_read_tokens: r,
        cache_write_tokens: w,
        reasoning_tokens: None,
    })
}

proptest! {
    #[test]
    fn total_is_sum_of_parts(m in any_model(), u in any_usage()) {
        let e = estimate(m, &u);
        let sum = e.input.atto() + e.output.atto() + e.cache_read.atto() + e.cache_write.atto();
        prop_assert_eq!(e.total.atto(), sum);
        // Display/parse round-trips exactly.
        prop_assert_eq!(Usd::parse(&e.total.to_string()), Ok(e.total));
    }

    #[test]
    fn cost_is_monotonic_in_each_count(
        m in any_model(),
        u in any_usage(),
        which in 0usize..4,
        extra in 1u64..500_000,
    ) {
        let mut more = u.clone();
        let slot = match which {
            0 => &mut more.input_tokens,
            1 => &mut more.output_tokens,
            2 => &mut more.cache_read_tokens,
            _ => &mut more.cache_write_tokens,
        };
        *slot = Some(slot.unwrap_or(0) + extra);
        prop_assert!(estimate(m, &more).total >= estimate(m, &u).total);
    }

    #[test]
    fn huge_counts_never_panic(m in any_model(), a: u64, b: u64, c: u64, d: u64) {
        let e = estimate(m, &usage(a, b, c, d));
        prop_assert!(e.total >= e.input && e.total >= e.output);
    }
}
