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
        Ok(stored.unwrap_or_default())
    }

    async fn store(&self, s: LimiterState) -> Result<()> {
        // Output gates hold the response until the write is durable.
        self.state.storage().put(STATE_KEY, &s).await?;
        *self.cached.borrow_mut() = Some(s);
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
        let path = req.path();
        let mut s = self.load().await?;
        let now = now_ms();
        let resp = match path.as_str() {
            "/acquire" => {
                let ask: Ask = req.json().await?;
                Response::from_json(&s.acquire(now, &ask))
            }
            "/settle" => {
                let settle: Settle = req.json().await?;
                Response::from_json(&s.settle(now, settle.reservation, settle.actual))
            }
            "/revoke" => {
                let r: Revoke = req.json().await?;
                s.revoke(r.through);
                Response::from_json(&s.report(now))
            }
            "/report" => Response::from_json(&s.report(now)),
            _ => return Response::error("not found", 404),
        };
        self.store(s).await?;
        resp
    }
}
