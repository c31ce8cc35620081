//! The retry policy: pure decisions, no clock and no randomness of its own.
//!
//! The caller makes an attempt, gets an error, asks [`RetryPolicy::decide`]
//! and either sleeps `delay_ms` and tries again or gives up. Jitter comes in
//! as a number in `[0, 1]` so the logic stays deterministic and testable.
//!
//! Rules, in order:
//! 1. Never after output was delivered: a retry would replay text the user
//!    already saw (an error event inside a 200 stream *before* any output —
//!    e.g. Anthropic's `overloaded_error` — is retried like an HTTP error).
//! 2. Only retryable kinds ([`ErrorKind::is_retryable`]: rate limit,
//!    overloaded, server, timeout, network). Auth, credits, spending limits,
//!    invalid requests, model, free-tier, cancellation and protocol errors are
//!    never retried.
//! 3. At most `max_retries` retries.
//! 4. A server-given `retry-after` is honoured exactly, up to
//!    `max_retry_after_ms`; a longer one (e.g. a usage window that resets in
//!    hours) means give up — waiting that long is the caller's decision, and
//!    retrying earlier would only be refused again.
//! 5. Otherwise exponential backoff from `base_delay_ms`, capped at
//!    `max_delay_ms`, with jitter.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, ZenError};
use crate::event::Event;

/// How the backoff delay is randomized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Jitter {
    /// Uniform in `[0, backoff]` (spreads clients most; may retry at once).
    Full,
    /// Uniform in `[backoff/2, backoff]` (keeps a minimum wait).
    #[default]
    Equal,
    /// Exactly the backoff (deterministic; for tests and single clients).
    None,
}

/// When and how often to retry. Serializes camelCase; missing fields take
/// the defaults (3 retries, 500 ms base, 30 s max backoff, 60 s max retry-after).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RetryPolicy {
    /// Retries after the first attempt (total attempts = `max_retries + 1`).
    pub max_retries: u32,
    /// Backoff before the first retry; doubles for each further retry.
    pub base_delay_ms: u64,
    /// Largest backoff delay.
    pub max_delay_ms: u64,
    /// Longest server-requested `retry-after` that is waited for.
    pub max_retry_after_ms: u64,
    /// How the backoff is randomized.
    pub jitter: Jitter,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay_ms: 500,
            max_delay_ms: 30_000,
            max_retry_after_ms: 60_000,
            jitter: Jitter::Equal,
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum RetryDecision {
    /// Wait this long, then send the same request again.
    RetryAfter {
        /// Delay in milliseconds.
        delay_ms: u64,
    },
    /// Report the error.
    GiveUp {
        /// Why not retrying.
        reason: GiveUpReason,
    },
}

/// Why [`RetryDecision::GiveUp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GiveUpReason {
    /// The error's kind does not heal by retrying.
    NotRetryable,
    /// Output already reached the caller; a retry would duplicate it.
    OutputDelivered,
    /// `max_retries` retries were made.
    AttemptsExhausted,
    /// The server asked to wait longer than `max_retry_after_ms`.
    RetryAfterTooLong,
}

/// A failed attempt as the policy weighs it: what failed and where the call
/// stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// Whether the error itself allows a retry (a retry needs both this
    /// and `kind.is_retryable()`).
    pub retryable: bool,
    /// How long the server asked to wait, if it did.
    pub retry_after_ms: Option<u64>,
    /// Attempts made, the failed one included (1 after the first failed).
    pub attempts_made: u32,
    /// Whether any output event reached the caller during the call.
    pub output_delivered: bool,
}

impl RetryDecision {
    /// The delay when the decision is to retry.
    pub fn delay_ms(self) -> Option<u64> {
        match self {
            RetryDecision::RetryAfter { delay_ms } => Some(delay_ms),
            RetryDecision::GiveUp { .. } => None,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Decides after `error` ended attempt number `attempts_made` (1 after
    /// the first attempt failed). `output_delivered` says whether any output
    /// event reached the caller during that attempt; `random` is a jitter
    /// source in `[0, 1]` (clamped; non-finite counts as 0.5).
    pub fn decide(
        &self,
        error: &ZenError,
        attempts_made: u32,
        output_delivered: bool,
        random: f64,
    ) -> RetryDecision {
        let failure = Failure {
            kind: error.kind(),
            retryable: error.retryable(),
            retry_after_ms: error.retry_after_ms(),
            attempts_made,
            output_delivered,
        };
        self.decide_for_kind(failure, random)
    }

    /// Decides from a unified [`Event::Error`]; `None` for any other event.
    /// Stream errors carry no retry-after, so backoff applies.
    pub fn decide_for_event(
        &self,
        event: &Event,
        attempts_made: u32,
        output_delivered: bool,
        random: f64,
    ) -> Option<RetryDecision> {
        match event {
            Event::Error {
                kind, retryable, ..
            } => {
                let failure = Failure {
                    kind: *kind,
                    retryable: *retryable,
                    retry_after_ms: None,
                    attempts_made,
                    output_delivered,
                };
                Some(self.decide_for_kind(failure, random))
            }
            _ => None,
        }
    }

    /// The decision for a [`Failure`] described field by field (what
    /// [`RetryPolicy::decide`] and [`RetryPolicy::decide_for_event`] build),
    /// with `random` the jitter source.
    pub fn decide_for_kind(&self, failure: Failure, random: f64) -> RetryDecision {
        let Failure {
            kind,
            retryable,
            retry_after_ms,
            attempts_made,
            output_delivered,
        } = failure;
        let give_up = |reason| RetryDecision::GiveUp { reason };
        if output_delivered {
            return give_up(GiveUpReason::OutputDelivered);
        }
        if !(retryable && kind.is_retryable()) {
            return give_up(GiveUpReason::NotRetryable);
        }
        // Attempt 0 makes no sense; treat it as the first so retries stay bounded.
        let retries_done = attempts_made.max(1) - 1;
        if retries_done >= self.max_retries {
            return give_up(GiveUpReason::AttemptsExhausted);
        }
        if let Some(wait) = retry_after_ms {
            return if wait > self.max_retry_after_ms {
                give_up(GiveUpReason::RetryAfterTooLong)
            } else {
                RetryDecision::RetryAfter { delay_ms: wait }
            };
        }
        RetryDecision::RetryAfter {
            delay_ms: self.backoff_ms(retries_done, random),
        }
    }

    /// The jittered exponential backoff before retry number `retries_done + 1`.
    pub fn backoff_ms(&self, retries_done: u32, random: f64) -> u64 {
        // 2^63 already exceeds any u64 delay; saturate instead of overflowing.
        let factor = 1u64.checked_shl(retries_done.min(63)).unwrap_or(u64::MAX);
        let backoff = self
            .base_delay_ms
            .saturating_mul(factor)
            .min(self.max_delay_ms);
        let r = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.5
        };
        // f64 has 53 bits of mantissa; the result is clamped to `backoff`
        // so rounding can never push the delay above the cap.
        let jittered = match self.jitter {
            Jitter::None => backoff,
            Jitter::Full => (backoff as f64 * r) as u64,
            Jitter::Equal => {
                let half = backoff / 2;
                half + ((backoff - half) as f64 * r) as u64
            }
        };
        jittered.min(backoff)
    }
}
