//! The per-subject limiter: requests per minute, concurrent requests and a
//! daily spend budget (USD and/or tokens), plus revocation. Pure state and
//! transitions; the Worker's Durable Object (one per subject) stores it and
//! calls these with the current time, so every decision for a subject is
//! serialized and testable here.
//!
//! Budgets hold under concurrency because admission counts what is already
//! reserved by requests in flight: `spent + open reservations + this worst
//! case ≤ budget`. A request can only overspend when its actual cost exceeds
//! its own reservation (an input estimate that was too low), so overspend is
//! bounded by one reservation.

use serde::{Deserialize, Serialize};
use zenwire::cost::Usd;

use crate::budget::Spend;

/// A reservation not settled within this long is charged in full and its
/// concurrency slot freed (the Worker died mid-request).
pub const RESERVATION_TTL_MS: u64 = 15 * 60 * 1000;
const MINUTE_MS: u64 = 60_000;
const DAY_MS: u64 = 86_400_000;

/// The limits for one subject (`None` = unlimited).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Requests per minute.
    pub rpm: Option<u32>,
    /// Requests in flight.
    pub concurrency: Option<u32>,
    /// USD per UTC day.
    pub usd_per_day: Option<Usd>,
    /// Tokens per UTC day.
    pub tokens_per_day: Option<u64>,
}

/// A request's ask to the limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ask {
    /// Limits of the caller.
    pub limits: Limits,
    /// Worst-case spend to reserve.
    pub reserve: Spend,
    /// Token issue time (Unix s), checked against revocation.
    pub issued_at: Option<u64>,
}

/// Why the limiter said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Denial {
    /// The token was revoked.
    Revoked,
    /// Requests per minute reached.
    Rpm,
    /// Too many requests in flight.
    Concurrency,
    /// The daily USD budget would be exceeded.
    BudgetUsd,
    /// The daily token budget would be exceeded.
    BudgetTokens,
}

/// The limiter's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "outcome")]
pub enum Decision {
    /// Go ahead; settle `reservation` when done.
    Granted {
        /// Id to settle with.
        reservation: u64,
    },
    /// Refused; retry after this many seconds (0 for revoked).
    Denied {
        /// Why.
        reason: Denial,
        /// Seconds until retrying can succeed.
        retry_after_secs: u64,
    },
}

/// One open reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reservation {
    /// Id.
    pub id: u64,
    /// Amount reserved.
    pub spend: Spend,
    /// When it was made (Unix ms).
    pub at_ms: u64,
}

/// Everything the limiter keeps for one subject.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LimiterState {
    /// Current minute (Unix ms / 60 000).
    pub minute: u64,
    /// Requests admitted in it.
    pub minute_requests: u32,
    /// Current UTC day (Unix ms / 86 400 000).
    pub day: u64,
    /// Settled spend today.
    pub spent: Spend,
    /// Requests admitted today.
    pub day_requests: u64,
    /// Requests denied today.
    pub day_denied: u64,
    /// Reservations in flight.
    pub open: Vec<Reservation>,
    /// Next reservation id.
    pub next_id: u64,
    /// Tokens issued at or before this Unix second are revoked.
    pub revoked_through: Option<u64>,
}

/// Counters reported by `GET /admin/usage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageReport {
    /// UTC day number (Unix days).
    pub day: u64,
    /// Settled spend today.
    pub spent: Spend,
    /// Reserved by requests in flight.
    pub reserved: Spend,
    /// Requests in flight.
    pub in_flight: u32,
    /// Requests admitted today.
    pub requests: u64,
    /// Requests denied today.
    pub denied: u64,
    /// Requests admitted in the current minute.
    pub requests_this_minute: u32,
    /// Revocation watermark.
    pub revoked_through: Option<u64>,
}

fn add(a: Spend, b: Spend) -> Spend {
    Spend {
        usd: a.usd.saturating_add(b.usd),
        tokens: a.tokens.saturating_add(b.tokens),
    }
}

impl LimiterState {
    /// Rolls the minute/day windows forward and expires stale reservations.
    fn advance(&mut self, now_ms: u64) {
        let minute = now_ms / MINUTE_MS;
        if minute != self.minute {
            self.minute = minute;
            self.minute_requests = 0;
        }
        let day = now_ms / DAY_MS;
        if day != self.day {
            self.day = day;
            self.spent = Spend::default();
            self.day_requests = 0;
            self.day_denied = 0;
        }
        let mut expired = Spend::default();
        self.open.retain(|r| {
            let stale = now_ms.saturating_sub(r.at_ms) >= RESERVATION_TTL_MS;
            if stale {
                expired = add(expired, r.spend);
            }
            !stale
        });
        self.spent = add(self.spent, expired);
    }

    fn reserved(&self) -> Spend {
        self.open
            .iter()
            .fold(Spend::default(), |acc, r| add(acc, r.spend))
    }

    /// Admits or refuses a request at `now_ms` (Unix ms).
    pub fn acquire(&mut self, now_ms: u64, ask: &Ask) -> Decision {
        self.advance(now_ms);
        let deny = |s: &mut Self, reason, retry_after_secs| {
            s.day_denied = s.day_denied.saturating_add(1);
            Decision::Denied {
                reason,
                retry_after_secs,
            }
        };
        if let (Some(through), Some(iat)) = (self.revoked_through, ask.issued_at) {
            if iat <= through {
                return deny(self, Denial::Revoked, 0);
            }
        }
        let to_next_minute = (MINUTE_MS - now_ms % MINUTE_MS).div_ceil(1000);
        let to_next_day = (DAY_MS - now_ms % DAY_MS).div_ceil(1000);
        let l = ask.limits;
        if l.rpm.is_some_and(|rpm| self.minute_requests >= rpm) {
            return deny(self, Denial::Rpm, to_next_minute);
        }
        if l.concurrency.is_some_and(|c| self.open.len() >= c as usize) {
            return deny(self, Denial::Concurrency, 1);
        }
        let committed = add(self.spent, self.reserved());
        let after = add(committed, ask.reserve);
        if l.usd_per_day.is_some_and(|b| after.usd > b) {
            return deny(self, Denial::BudgetUsd, self.retry_for_budget(to_next_day));
        }
        if l.tokens_per_day.is_some_and(|b| after.tokens > b) {
            return deny(
                self,
                Denial::BudgetTokens,
                self.retry_for_budget(to_next_day),
            );
        }
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        self.minute_requests = self.minute_requests.saturating_add(1);
        self.day_requests = self.day_requests.saturating_add(1);
        self.open.push(Reservation {
            id,
            spend: ask.reserve,
            at_ms: now_ms,
        });
        Decision::Granted { reservation: id }
    }

    /// With requests in flight, their settlement may free budget soon; else
    /// only the next day does.
    fn retry_for_budget(&self, to_next_day: u64) -> u64 {
        if self.open.is_empty() {
            to_next_day
        } else {
            5
        }
    }

    /// Settles reservation `id` with what the request `actual`ly cost.
    /// Returns false when the reservation is unknown (already settled or
    /// expired — then it was charged in full and nothing changes).
    pub fn settle(&mut self, now_ms: u64, id: u64, actual: Spend) -> bool {
        self.advance(now_ms);
        let Some(pos) = self.open.iter().position(|r| r.id == id) else {
            return false;
        };
        self.open.swap_remove(pos);
        self.spent = add(self.spent, actual);
        true
    }

    /// Revokes every token of the subject issued at or before `through`
    /// (Unix seconds).
    pub fn revoke(&mut self, through: u64) {
        self.revoked_through = Some(self.revoked_through.map_or(through, |t| t.max(through)));
    }

    /// The counters at `now_ms`.
    pub fn report(&mut self, now_ms: u64) -> UsageReport {
        self.advance(now_ms);
        UsageReport {
            day: self.day,
            spent: self.spent,
            reserved: self.reserved(),
            in_flight: u32::try_from(self.open.len()).unwrap_or(u32::MAX),
            requests: self.day_requests,
            denied: self.day_denied,
            requests_this_minute: self.minute_requests,
            revoked_through: self.revoked_through,
        }
    }
}

/// The dialect-neutral refusal for a denial.
pub fn refusal(reason: Denial, retry_after_secs: u64) -> crate::dialect::Refusal {
    use crate::dialect::{Refusal, RefusalKind};
    match reason {
        Denial::Revoked => Refusal::new(
            RefusalKind::Unauthenticated,
            "token_revoked",
            "this relay token has been revoked",
        ),
        Denial::Rpm => Refusal::rate_limited(
            "rate_limit_rpm",
            "requests per minute limit reached",
            retry_after_secs,
        ),
        Denial::Concurrency => Refusal::rate_limited(
            "rate_limit_concurrency",
            "too many requests in flight",
            retry_after_secs,
        ),
        Denial::BudgetUsd => Refusal::rate_limited(
            "budget_usd_exceeded",
            "daily spending budget reached",
            retry_after_secs,
        ),
        Denial::BudgetTokens => Refusal::rate_limited(
            "budget_tokens_exceeded",
            "daily token budget reached",
            retry_after_secs,
        ),
    }
}
