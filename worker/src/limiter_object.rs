//! The `Limiter` Durable Object: one instance per subject (token subject or
//! public-mode IP). It only stores [`LimiterState`] and runs its pure
//! transitions; a Durable Object handles one event at a time, which is what
//! makes the budget arithmetic race-free across concurrent requests.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};
use zenwire_relay_policy::budget::Spend;
use zenwire_relay_policy::limiter::{Ask, LimiterState};

const STATE_KEY: &str = "limiter";

/// A settle call: reservation id and what the request cost.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settle {
    /// Reservation to close.
    pub reservation: u64,
    /// Actual spend.
    pub actual: Spend,
}

/// A revoke call: tokens issued at or before `through` (Unix s) are revoked.
#[derive(Debug, Serialize, Deserialize)]
pub struct Revoke {
    /// Watermark.
    pub through: u64,
}

/// The per-subject limiter object.
#[durable_object(fetch)]
pub struct Limiter {
    state: State,
    cached: RefCell<Option<LimiterState>>,
}

impl Limiter {
    async fn load(&self) -> Result<LimiterState> {
        let cached = self.cached.borrow().clone();
        if let Some(s) = cached {
            return Ok(s);
        }
        let stored: Option<LimiterState> = self.state.storage().get(STATE_KEY).await?;
        // Another event may have filled the cache while this one awaited.
        let cached = self.cached.borrow().clone();
        Ok(cached.or(stored).unwrap_or_default())
    }

    async fn store(&self, s: LimiterState) -> Result<()> {
        // The cache is updated before the first await, so the next event
        // (whenever it runs) starts from this state; output gates hold the
        // response until the write is durable.
        *self.cached.borrow_mut() = Some(s.clone());
        self.state.storage().put(STATE_KEY, &s).await?;
        Ok(())
    }
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

impl DurableObject for Limiter {
    fn new(state: State, _env: Env) -> Self {
        Limiter {
            state,
            cached: RefCell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        // Read the whole call before touching the state: reading a body is
        // an await that lets another request's event run in between (input
        // gates only cover storage), so a load → await → store sequence
        // would lose updates and let concurrent requests overspend.
        let call = match req.path().as_str() {
            "/acquire" => Call::Acquire(req.json().await?),
            "/settle" => Call::Settle(req.json().await?),
            "/revoke" => Call::Revoke(req.json().await?),
            "/report" => Call::Report,
            _ => return Response::error("not found", 404),
        };
        let mut s = self.load().await?;
        let now = now_ms();
        let answer = match call {
            Call::Acquire(ask) => serde_json::to_value(s.acquire(now, &ask)),
            Call::Settle(settle) => {
                serde_json::to_value(s.settle(now, settle.reservation, settle.actual))
            }
            Call::Revoke(r) => {
                s.revoke(r.through);
                serde_json::to_value(s.report(now))
            }
            Call::Report => serde_json::to_value(s.report(now)),
        }
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
        self.store(s).await?;
        Response::from_json(&answer)
    }
}

/// One call to the object, fully read.
enum Call {
    Acquire(Ask),
    Settle(Settle),
    Revoke(Revoke),
    Report,
}
