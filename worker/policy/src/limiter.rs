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
//! bounded by one reservation per request in flight — which is why a
//! budgeted subject always has a finite concurrency.
//!
//! A reservation not settled within its TTL is charged in full (settlement
//! may never come: the Worker can be stopped). It keeps its concurrency slot
//! while its stream shows signs of life ([`LimiterState::hold`], sent by the
//! stream every third of the TTL) and is dropped only once it has been
//! silent for a whole TTL. A late settlement corrects the charge.

use serde::{Deserialize, Serialize};
use zenwire::cost::Usd;

use crate::budget::Spend;

/// Default TTL of a reservation (an ask that names none).
pub const RESERVATION_TTL_MS: u64 = crate::config::DEFAULT_RESERVATION_TTL_MS;
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ask {
    /// Limits of the caller.
    pub limits: Limits,
    /// Worst-case spend to reserve.
    pub reserve: Spend,
    /// Token issue time (Unix s), checked against revocation.
    pub issued_at: Option<u64>,
    /// The reservation's TTL in ms (0: [`RESERVATION_TTL_MS`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ttl_ms: u64,
    /// Only count the request against `limits.rpm` (and revocation): no
    /// reservation is opened and the granted id means nothing. For the
    /// public mode's deployment-wide rate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub count_only: bool,
    /// Settlements of the subject's earlier requests that ride along
    /// (applied first, so their slots and budget are free for this ask).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settle: Vec<Settle>,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
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

/// A settle call: reservation id and what the request cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settle {
    /// Reservation to close.
    pub reservation: u64,
    /// Actual spend.
    pub actual: Spend,
}

/// A hold call: a sign of life of a reservation's request
/// ([`LimiterState::hold`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hold {
    /// Reservation that is still in use.
    pub reservation: u64,
    /// Charge it in full now.
    pub charge: bool,
}

/// A revoke call: tokens issued at or before `through` (Unix s) are revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revoke {
    /// Watermark.
    pub through: u64,
}

/// A check call: is a token issued at `issued_at` (Unix s) revoked? Answered
/// with [`Checked`]; changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// The token's `iat`.
    pub issued_at: u64,
}

/// The answer to a [`Check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checked {
    /// The token is revoked.
    pub revoked: bool,
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
    /// Last sign of life of its request (Unix ms; 0: `at_ms`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seen_ms: u64,
    /// Its TTL (ms; 0: [`RESERVATION_TTL_MS`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ttl_ms: u64,
    /// Charged in full on this day (TTL reached, or its stream went silent
    /// and asked for it); still holds its concurrency slot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charged_day: Option<u64>,
}

impl Reservation {
    fn ttl(&self) -> u64 {
        if self.ttl_ms == 0 {
            RESERVATION_TTL_MS
        } else {
            self.ttl_ms
        }
    }

    fn last_seen(&self) -> u64 {
        self.seen_ms.max(self.at_ms)
    }
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

/// `a − b`, at least zero in each unit.
fn sub(a: Spend, b: Spend) -> Spend {
    Spend {
        usd: Usd::from_atto(a.usd.atto().saturating_sub(b.usd.atto())),
        tokens: a.tokens.saturating_sub(b.tokens),
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
        // Past its TTL a reservation is charged in full; it keeps its slot
        // until its request has shown no sign of life for a whole TTL.
        let mut charged = Spend::default();
        for r in &mut self.open {
            if r.charged_day.is_none() && now_ms.saturating_sub(r.at_ms) >= r.ttl() {
                r.charged_day = Some(day);
                charged = add(charged, r.spend);
            }
        }
        self.open
            .retain(|r| now_ms.saturating_sub(r.last_seen()) < r.ttl());
        self.spent = add(self.spent, charged);
    }

    /// What the open, not yet charged, reservations hold.
    fn reserved(&self) -> Spend {
        self.open
            .iter()
            .filter(|r| r.charged_day.is_none())
            .fold(Spend::default(), |acc, r| add(acc, r.spend))
    }

    /// Admits or refuses a request at `now_ms` (Unix ms), after applying
    /// the settlements that ride along.
    pub fn acquire(&mut self, now_ms: u64, ask: &Ask) -> Decision {
        for s in &ask.settle {
            self.settle(now_ms, s.reservation, s.actual);
        }
        self.advance(now_ms);
        let deny = |s: &mut Self, reason, retry_after_secs| {
            s.day_denied = s.day_denied.saturating_add(1);
            Decision::Denied {
                reason,
                retry_after_secs,
            }
        };
        if ask.issued_at.is_some_and(|iat| self.is_revoked(iat)) {
            return deny(self, Denial::Revoked, 0);
        }
        let to_next_minute = (MINUTE_MS - now_ms % MINUTE_MS).div_ceil(1000);
        let to_next_day = (DAY_MS - now_ms % DAY_MS).div_ceil(1000);
        let l = ask.limits;
        if l.rpm.is_some_and(|rpm| self.minute_requests >= rpm) {
            return deny(self, Denial::Rpm, to_next_minute);
        }
        if ask.count_only {
            self.minute_requests = self.minute_requests.saturating_add(1);
            self.day_requests = self.day_requests.saturating_add(1);
            return Decision::Granted { reservation: 0 };
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
            seen_ms: 0,
            ttl_ms: ask.ttl_ms,
            charged_day: None,
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
    /// A reservation already charged in full is corrected to `actual` (on a
    /// later day only upwards: that day's spend never held it). Returns
    /// false when the reservation is unknown (already settled, or dropped
    /// after its TTL of silence — then it was charged in full).
    pub fn settle(&mut self, now_ms: u64, id: u64, actual: Spend) -> bool {
        self.advance(now_ms);
        let Some(pos) = self.open.iter().position(|r| r.id == id) else {
            return false;
        };
        let r = self.open.swap_remove(pos);
        self.spent = match r.charged_day {
            None => add(self.spent, actual),
            Some(day) if day == self.day => add(sub(self.spent, r.spend), actual),
            Some(_) => add(self.spent, sub(actual, r.spend)),
        };
        true
    }

    /// A sign of life of reservation `id`'s request: it keeps its slot for
    /// another TTL. With `charge`, the reservation is also charged in full
    /// now (its stream went silent; if the Worker is stopped before
    /// settling, the charge stands). Returns false when it is unknown.
    pub fn hold(&mut self, now_ms: u64, id: u64, charge: bool) -> bool {
        self.advance(now_ms);
        let day = self.day;
        let Some(r) = self.open.iter_mut().find(|r| r.id == id) else {
            return false;
        };
        r.seen_ms = now_ms;
        if charge && r.charged_day.is_none() {
            r.charged_day = Some(day);
            let spend = r.spend;
            self.spent = add(self.spent, spend);
        }
        true
    }

    /// Whether `self` differs from `before` in what money depends on
    /// (spend, reservations, revocation): a change that must be stored
    /// before answering. Request counters alone may be lost with the object
    /// (they only matter within their minute or for reports).
    pub fn differs_durably(&self, before: &LimiterState) -> bool {
        self.spent != before.spent
            || self.open != before.open
            || self.next_id != before.next_id
            || self.revoked_through != before.revoked_through
            || self.day != before.day
    }

    /// Whether a token issued at `issued_at` (Unix s) is revoked.
    pub fn is_revoked(&self, issued_at: u64) -> bool {
        self.revoked_through.is_some_and(|t| issued_at <= t)
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
