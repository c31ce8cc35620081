//! The `Limiter` Durable Object: one instance per subject (token subject or
//! public-mode IP). It only stores [`LimiterState`] and runs its pure
//! transitions; a Durable Object handles one event at a time, which is what
//! makes the budget arithmetic race-free across concurrent requests.

use std::cell::RefCell;

use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};
use zenwire_relay_policy::limiter::{Ask, Check, Checked, Hold, LimiterState, Revoke, Settle};

/// The state as a JSON string: one string crosses into JavaScript per
/// write, where a serialized object took a property call per field.
const STATE_KEY: &str = "limiter.json";
/// Where earlier versions kept the state as a structured object; read once
/// when the JSON key is absent.
const LEGACY_STATE_KEY: &str = "limiter";

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
        let storage = self.state.storage();
        let stored = match storage.get::<String>(STATE_KEY).await? {
            Some(json) => Some(
                serde_json::from_str::<LimiterState>(&json)
                    .map_err(|e| worker::Error::RustError(e.to_string()))?,
            ),
            None => storage.get::<LimiterState>(LEGACY_STATE_KEY).await?,
        };
        // Another event may have filled the cache while this one awaited.
        let cached = self.cached.borrow().clone();
        Ok(cached.or(stored).unwrap_or_default())
    }

    async fn store(&self, s: LimiterState) -> Result<()> {
        // The cache is updated before the first await, so the next event
        // (whenever it runs) starts from this state; output gates hold the
        // response until the write is durable.
        let json =
            serde_json::to_string(&s).map_err(|e| worker::Error::RustError(e.to_string()))?;
        *self.cached.borrow_mut() = Some(s);
        self.state.storage().put_raw(STATE_KEY, json).await?;
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
        let path = req.path();
        if !matches!(
            path.as_str(),
            "/acquire" | "/settle" | "/hold" | "/check" | "/revoke" | "/report"
        ) {
            return Response::error("not found", 404);
        }
        // Text + serde_json: `Request::json` builds a JavaScript object and
        // converts it field by field, which costs more than the decision.
        let text = req.text().await?;
        let parse_err = |e: serde_json::Error| worker::Error::RustError(e.to_string());
        let call = match path.as_str() {
            "/acquire" => Call::Acquire(serde_json::from_str(&text).map_err(parse_err)?),
            "/settle" => Call::Settle(serde_json::from_str(&text).map_err(parse_err)?),
            "/hold" => Call::Hold(serde_json::from_str(&text).map_err(parse_err)?),
            "/check" => Call::Check(serde_json::from_str(&text).map_err(parse_err)?),
            "/revoke" => Call::Revoke(serde_json::from_str(&text).map_err(parse_err)?),
            _ => Call::Report,
        };
        let mut s = self.load().await?;
        let now = now_ms();
        let to_json = |v: Result<String, serde_json::Error>| {
            v.map_err(|e| worker::Error::RustError(e.to_string()))
        };
        let answer = match call {
            // Read-only: nothing to store.
            Call::Check(c) => {
                let revoked = s.is_revoked(c.issued_at);
                return Response::ok(to_json(serde_json::to_string(&Checked { revoked }))?);
            }
            Call::Acquire(ask) => {
                let before = s.clone();
                let decision = s.acquire(now, &ask);
                if !s.differs_durably(&before) {
                    // A refusal that changed only request counters: no
                    // storage write (the write is most of this call's cost).
                    *self.cached.borrow_mut() = Some(s);
                    return Response::ok(to_json(serde_json::to_string(&decision))?);
                }
                serde_json::to_string(&decision)
            }
            Call::Settle(settles) => {
                let done: Vec<bool> = settles
                    .iter()
                    .map(|x| s.settle(now, x.reservation, x.actual))
                    .collect();
                serde_json::to_string(&done)
            }
            Call::Hold(h) => serde_json::to_string(&s.hold(now, h.reservation, h.charge)),
            Call::Revoke(r) => {
                s.revoke(r.through);
                serde_json::to_string(&s.report(now))
            }
            Call::Report => serde_json::to_string(&s.report(now)),
        };
        let answer = to_json(answer)?;
        self.store(s).await?;
        let headers = worker::Headers::new();
        headers.set("content-type", "application/json")?;
        Ok(Response::ok(answer)?.with_headers(headers))
    }
}

/// One call to the object, fully read.
enum Call {
    Acquire(Ask),
    Settle(Vec<Settle>),
    Hold(Hold),
    Check(Check),
    Revoke(Revoke),
    Report,
}
