//! The retry policy: one test per rule, then properties over all inputs.

use proptest::prelude::*;
use zenwire::error::ZenError;
use zenwire::retry::{Failure, GiveUpReason, Jitter, RetryDecision, RetryPolicy};
use zenwire::{ErrorKind, Event};

const ALL_KINDS: [ErrorKind; 17] = [
    ErrorKind::Auth,
    ErrorKind::Credits,
    ErrorKind::MonthlyLimit,
    ErrorKind::UserLimit,
    ErrorKind::Model,
    ErrorKind::RateLimit,
    ErrorKind::FreeUsageLimit,
    ErrorKind::FreeTier,
    ErrorKind::InvalidRequest,
    ErrorKind::NotFound,
    ErrorKind::Overloaded,
    ErrorKind::Server,
    ErrorKind::Timeout,
    ErrorKind::Aborted,
    ErrorKind::Network,
    ErrorKind::Protocol,
    ErrorKind::Unknown,
];

fn no_jitter() -> RetryPolicy {
    RetryPolicy {
        jitter: Jitter::None,
        ..RetryPolicy::default()
    }
}

fn give_up(reason: GiveUpReason) -> RetryDecision {
    RetryDecision::GiveUp { reason }
}

fn retry(delay_ms: u64) -> RetryDecision {
    RetryDecision::RetryAfter { delay_ms }
}

#[test]
fn defaults() {
    let p = RetryPolicy::default();
    assert_eq!(
        (
            p.max_retries,
            p.base_delay_ms,
            p.max_delay_ms,
            p.max_retry_after_ms,
            p.jitter
        ),
        (3, 500, 30_000, 60_000, Jitter::Equal)
    );
    let from_json: RetryPolicy = serde_json::from_str(r#"{"maxRetries": 5}"#).unwrap();
    assert_eq!(from_json.max_retries, 5);
    assert_eq!(from_json.base_delay_ms, 500);
}

#[test]
fn exponential_backoff_without_jitter_doubles_up_to_the_cap() {
    let p = RetryPolicy {
        max_retries: 10,
        max_delay_ms: 5_000,
        ..no_jitter()
    };
    let err = ZenError::local(ErrorKind::Server, "boom");
    let delays: Vec<_> = (1..=8)
        .map(|a| p.decide(&err, a, false, 0.3).delay_ms())
        .collect();
    assert_eq!(
        delays,
        [500, 1000, 2000, 4000, 5000, 5000, 5000, 5000].map(Some)
    );
}

#[test]
fn equal_and_full_jitter_bounds() {
    let err = ZenError::local(ErrorKind::Network, "reset");
    let equal = RetryPolicy::default();
    assert_eq!(
        equal.decide(&err, 2, false, 0.0),
        retry(500),
        "half of 1000"
    );
    assert_eq!(equal.decide(&err, 2, false, 1.0), retry(1000));
    assert_eq!(equal.decide(&err, 2, false, 0.5), retry(750));
    let full = RetryPolicy {
        jitter: Jitter::Full,
        ..RetryPolicy::default()
    };
    assert_eq!(full.decide(&err, 2, false, 0.0), retry(0));
    assert_eq!(full.decide(&err, 2, false, 0.25), retry(250));
    // Out-of-range and non-finite randomness is tamed.
    assert_eq!(full.decide(&err, 2, false, 7.0), retry(1000));
    assert_eq!(full.decide(&err, 2, false, -3.0), retry(0));
    assert_eq!(full.decide(&err, 2, false, f64::NAN), retry(500));
}

#[test]
fn retries_are_bounded() {
    let p = no_jitter();
    let err = ZenError::local(ErrorKind::Overloaded, "busy");
    assert!(
        p.decide(&err, 3, false, 0.5).delay_ms().is_some(),
        "third retry"
    );
    assert_eq!(
        p.decide(&err, 4, false, 0.5),
        give_up(GiveUpReason::AttemptsExhausted)
    );
    assert_eq!(
        RetryPolicy::never().decide(&err, 1, false, 0.5),
        give_up(GiveUpReason::AttemptsExhausted)
    );
    // attempts 0 is read as 1, not as "infinitely many left".
    assert_eq!(p.decide(&err, 0, false, 0.5), p.decide(&err, 1, false, 0.5));
}

#[test]
fn never_after_output() {
    let err = ZenError::local(ErrorKind::Overloaded, "busy");
    assert_eq!(
        no_jitter().decide(&err, 1, true, 0.5),
        give_up(GiveUpReason::OutputDelivered)
    );
}

#[test]
fn non_retryable_kinds_are_never_retried() {
    let p = no_jitter();
    for kind in ALL_KINDS {
        let d = p.decide(&ZenError::local(kind, "x"), 1, false, 0.5);
        if kind.is_retryable() {
            assert_eq!(d, retry(500), "{kind}");
        } else {
            assert_eq!(d, give_up(GiveUpReason::NotRetryable), "{kind}");
        }
    }
    for kind in [
        ErrorKind::Auth,
        ErrorKind::Credits,
        ErrorKind::InvalidRequest,
        ErrorKind::Model,
        ErrorKind::FreeTier,
        ErrorKind::Aborted,
    ] {
        assert!(!kind.is_retryable(), "{kind}");
    }
    // A retryable kind flagged not retryable is respected.
    assert_eq!(
        p.decide_for_kind(
            Failure {
                kind: ErrorKind::Server,
                retryable: false,
                retry_after_ms: None,
                attempts_made: 1,
                output_delivered: false
            },
            0.5
        ),
        give_up(GiveUpReason::NotRetryable)
    );
}

#[test]
fn retry_after_is_honoured_up_to_the_cap() {
    let p = no_jitter();
    let rate = |headers: &[(&str, &str)]| {
        let body = r#"{"type":"error","error":{"type":"RateLimitError","message":"Rate limit exceeded. Please try again later."},"metadata":{}}"#;
        ZenError::from_response(429, headers.iter(), body)
    };
    assert_eq!(
        p.decide(&rate(&[("retry-after", "60")]), 1, false, 0.9),
        retry(60_000)
    );
    assert_eq!(
        p.decide(&rate(&[("retry-after-ms", "1200")]), 1, false, 0.9),
        retry(1_200)
    );
    assert_eq!(
        p.decide(&rate(&[("retry-after", "0")]), 1, false, 0.9),
        retry(0)
    );
    assert_eq!(
        p.decide(&rate(&[("retry-after", "61")]), 1, false, 0.9),
        give_up(GiveUpReason::RetryAfterTooLong)
    );
    // Without the header: backoff.
    assert_eq!(p.decide(&rate(&[]), 1, false, 0.9), retry(500));
    // Output and attempt limits still come first.
    assert_eq!(
        p.decide(&rate(&[("retry-after", "1")]), 1, true, 0.9),
        give_up(GiveUpReason::OutputDelivered)
    );
    assert_eq!(
        p.decide(&rate(&[("retry-after", "1")]), 4, false, 0.9),
        give_up(GiveUpReason::AttemptsExhausted)
    );
}

#[test]
fn free_usage_limit_until_midnight_is_not_retried() {
    let body = r#"{"type":"error","error":{"type":"FreeUsageLimitError","message":"Rate limit exceeded. Please try again later."},"metadata":{}}"#;
    let err = ZenError::from_response(429, [("retry-after", "30000")], body);
    assert_eq!(
        RetryPolicy::default().decide(&err, 1, false, 0.5),
        give_up(GiveUpReason::NotRetryable)
    );
}

#[test]
fn stream_error_events_decide_too() {
    let p = no_jitter();
    // Anthropic's in-stream overload before any output: retry.
    let overloaded = Event::Error {
        kind: ErrorKind::Overloaded,
        message: "Overloaded".into(),
        retryable: true,
    };
    assert_eq!(
        p.decide_for_event(&overloaded, 1, false, 0.5),
        Some(retry(500))
    );
    assert_eq!(
        p.decide_for_event(&overloaded, 1, true, 0.5),
        Some(give_up(GiveUpReason::OutputDelivered))
    );
    let quota = Event::Error {
        kind: ErrorKind::Credits,
        message: "insufficient_quota".into(),
        retryable: false,
    };
    assert_eq!(
        p.decide_for_event(&quota, 1, false, 0.5),
        Some(give_up(GiveUpReason::NotRetryable))
    );
    let text = Event::TextDelta {
        choice: 0,
        text: "hi".into(),
    };
    assert_eq!(p.decide_for_event(&text, 1, false, 0.5), None);
}

#[test]
fn huge_settings_do_not_overflow() {
    let p = RetryPolicy {
        max_retries: u32::MAX,
        base_delay_ms: u64::MAX,
        max_delay_ms: u64::MAX,
        max_retry_after_ms: u64::MAX,
        jitter: Jitter::Equal,
    };
    let err = ZenError::local(ErrorKind::Server, "x");
    for attempts in [1, 2, 64, 65, 1000, u32::MAX - 1] {
        assert!(p.decide(&err, attempts, false, 1.0).delay_ms().is_some());
    }
}

#[test]
fn decisions_serialize_tagged() {
    assert_eq!(
        serde_json::to_string(&retry(5)).unwrap(),
        r#"{"type":"retryAfter","delayMs":5}"#
    );
    assert_eq!(
        serde_json::to_string(&give_up(GiveUpReason::RetryAfterTooLong)).unwrap(),
        r#"{"type":"giveUp","reason":"retryAfterTooLong"}"#
    );
}

fn any_kind() -> impl Strategy<Value = ErrorKind> {
    prop::sample::select(ALL_KINDS.to_vec())
}

fn any_policy() -> impl Strategy<Value = RetryPolicy> {
    (
        0u32..10,
        0u64..100_000,
        0u64..1_000_000,
        0u64..1_000_000,
        prop::sample::select(vec![Jitter::Full, Jitter::Equal, Jitter::None]),
    )
        .prop_map(
            |(max_retries, base_delay_ms, max_delay_ms, max_retry_after_ms, jitter)| RetryPolicy {
                max_retries,
                base_delay_ms,
                max_delay_ms,
                max_retry_after_ms,
                jitter,
            },
        )
}

proptest! {
    #[test]
    fn delay_never_exceeds_its_cap(
        p in any_policy(),
        kind in any_kind(),
        retry_after in prop::option::of(0u64..2_000_000),
        attempts in 0u32..200,
        random in any::<f64>(),
    ) {
        if let RetryDecision::RetryAfter { delay_ms } =
            p.decide_for_kind(
                Failure {
                    kind,
                    retryable: true,
                    retry_after_ms: retry_after,
                    attempts_made: attempts,
                    output_delivered: false,
                },
                random,
            )
        {
            match retry_after {
                Some(ra) => prop_assert!(delay_ms == ra && ra <= p.max_retry_after_ms),
                None => prop_assert!(delay_ms <= p.max_delay_ms),
            }
        }
    }

    #[test]
    fn never_retries_after_output(
        p in any_policy(),
        kind in any_kind(),
        retry_after in prop::option::of(any::<u64>()),
        attempts in any::<u32>(),
        random in any::<f64>(),
    ) {
        prop_assert_eq!(
            p.decide_for_kind(
                Failure {
                    kind,
                    retryable: true,
                    retry_after_ms: retry_after,
                    attempts_made: attempts,
                    output_delivered: true,
                },
                random,
            ),
            give_up(GiveUpReason::OutputDelivered)
        );
    }

    #[test]
    fn never_retries_non_retryable_kinds(
        p in any_policy(),
        kind in any_kind(),
        retry_after in prop::option::of(any::<u64>()),
        attempts in any::<u32>(),
        random in any::<f64>(),
    ) {
        let d = p.decide_for_kind(
            Failure {
                kind,
                retryable: kind.is_retryable(),
                retry_after_ms: retry_after,
                attempts_made: attempts,
                output_delivered: false,
            },
            random,
        );
        if !kind.is_retryable() {
            prop_assert_eq!(d, give_up(GiveUpReason::NotRetryable));
        }
    }

    #[test]
    fn never_more_than_max_retries(
        p in any_policy(),
        attempts in any::<u32>(),
        random in 0.0f64..=1.0,
    ) {
        let d = p.decide_for_kind(
            Failure {
                kind: ErrorKind::Server,
                retryable: true,
                retry_after_ms: None,
                attempts_made: attempts,
                output_delivered: false,
            },
            random,
        );
        prop_assert_eq!(d.delay_ms().is_some(), attempts.max(1) <= p.max_retries);
    }

    #[test]
    fn equal_jitter_keeps_half_the_backoff(p in any_policy(), retries in 0u32..80, random in 0.0f64..=1.0) {
        let p = RetryPolicy { jitter: Jitter::Equal, ..p };
        let none = RetryPolicy { jitter: Jitter::None, ..p.clone() };
        let full = none.backoff_ms(retries, random);
        let d = p.backoff_ms(retries, random);
        prop_assert!(d >= full / 2 && d <= full);
    }
}
