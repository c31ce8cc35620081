//! Calls to the `Limiter` Durable Object of a subject (`sub:<name>`,
//! `ip:<address>`, or `public:all` for the public mode's deployment-wide
//! rate). JSON text both ways through the stub's own `fetch`: the `worker`
//! crate's Request/Response wrappers read a small answer through a Rust
//! stream adapter, which cost more CPU than the limiter's decision.
//!
//! Settlements are batched: most of a limiter call's cost is the object's
//! storage write, so a finished request's settlement waits up to
//! [`SETTLE_BATCH_MS`] in this isolate and rides on the subject's next
//! acquire (one call, one write), or goes on its own with whatever else
//! is pending for the subject. Waiting only holds the reservation a little
//! longer (never lets anyone spend more); a settlement lost with the isolate
//! leaves its reservation to be charged in full at its TTL.

use std::cell::RefCell;
use std::time::Duration;

use js_sys::{Object, Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use worker::{web_sys, Delay, Env, Result};
use zenwire_relay_policy::budget::Spend;
use zenwire_relay_policy::limiter::{Ask, Check, Checked, Decision, Hold, Settle};

use crate::LIMITER_BINDING;

/// The limiter object of the public mode's deployment-wide request rate.
pub(crate) const PUBLIC_ALL: &str = "public:all";
/// Longest a settlement waits for the subject's next acquire to carry it.
pub(crate) const SETTLE_BATCH_MS: u64 = 50;

thread_local! {
    /// Settlements not sent yet, with their subjects' limiter keys.
    static PENDING: RefCell<Vec<(String, Settle)>> = const { RefCell::new(Vec::new()) };
}

/// Takes the settlements pending for `key`.
fn take_pending(key: &str) -> Vec<Settle> {
    PENDING.with(|p| {
        let mut p = p.borrow_mut();
        let mut out = Vec::new();
        p.retain(|(k, s)| {
            let mine = k == key;
            if mine {
                out.push(*s);
            }
            !mine
        });
        out
    })
}

fn put_back(key: &str, settles: Vec<Settle>) {
    PENDING.with(|p| {
        p.borrow_mut()
            .extend(settles.into_iter().map(|s| (key.to_owned(), s)))
    });
}

#[wasm_bindgen]
extern "C" {
    /// A Durable Object stub, called with its own `fetch(url, init)`.
    type RawStub;
    #[wasm_bindgen(method, catch)]
    fn fetch(this: &RawStub, url: &str, init: &JsValue) -> std::result::Result<Promise, JsValue>;
}

/// One call to `key`'s limiter object; its answer's text.
pub(crate) async fn call(env: &Env, key: &str, path: &str, body: String) -> Result<String> {
    let stub: RawStub = env
        .durable_object(LIMITER_BINDING)?
        .get_by_name(key)?
        .into_rpc();
    let init = Object::new();
    Reflect::set(&init, &"method".into(), &"POST".into())?;
    Reflect::set(&init, &"body".into(), &body.into())?;
    let resp: web_sys::Response =
        JsFuture::from(stub.fetch(&format!("https://limiter{path}"), &init)?)
            .await?
            .dyn_into()?;
    if !resp.ok() {
        return Err(worker::Error::RustError(format!(
            "limiter answered {}",
            resp.status()
        )));
    }
    JsFuture::from(resp.text()?)
        .await?
        .as_string()
        .ok_or_else(|| worker::Error::RustError("limiter answer is not text".into()))
}

fn json(v: &impl Serialize) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Asks for admission, carrying the subject's pending settlements. `None`
/// when the limiter cannot be reached or answers nonsense: the caller
/// refuses then (admitting would spend without a reservation).
pub(crate) async fn acquire(env: &Env, key: &str, mut ask: Ask) -> Option<Decision> {
    ask.settle = take_pending(key);
    match call(env, key, "/acquire", json(&ask)).await {
        Ok(text) => serde_json::from_str(&text).ok(),
        Err(_) => {
            // Their own timers send them (a repeat is harmless: a settled
            // reservation is not settled twice).
            put_back(key, ask.settle);
            None
        }
    }
}

/// Closes `reservation` with what the request cost: queued for the
/// subject's next acquire, sent after [`SETTLE_BATCH_MS`] if none came
/// (logged when that fails: the reservation is then charged in full at
/// its TTL).
pub(crate) async fn settle(env: &Env, key: &str, reservation: u64, actual: Spend) {
    put_back(
        key,
        vec![Settle {
            reservation,
            actual,
        }],
    );
    Delay::from(Duration::from_millis(SETTLE_BATCH_MS)).await;
    let settles = take_pending(key);
    if !settles.is_empty() && call(env, key, "/settle", json(&settles)).await.is_err() {
        worker::console_error!("{{\"msg\":\"relay settle failed\"}}");
    }
}

/// A sign of life of `reservation`'s stream; with `charge`, also charges it
/// in full now (see `LimiterState::hold`).
pub(crate) async fn hold(env: &Env, key: &str, reservation: u64, charge: bool) {
    let body = json(&Hold {
        reservation,
        charge,
    });
    if call(env, key, "/hold", body).await.is_err() {
        worker::console_error!("{{\"msg\":\"relay hold failed\"}}");
    }
}

/// Whether a token of `key` issued at `issued_at` is revoked.
pub(crate) async fn revoked(env: &Env, key: &str, issued_at: u64) -> Result<bool> {
    let text = call(env, key, "/check", json(&Check { issued_at })).await?;
    serde_json::from_str::<Checked>(&text)
        .map(|c| c.revoked)
        .map_err(|e| worker::Error::RustError(e.to_string()))
}

/// A granted reservation, as a stream in flight refers to it.
pub(crate) struct Reservation {
    /// The Worker's environment (the limiter binding).
    pub env: Env,
    /// The subject's limiter key.
    pub key: String,
    /// The reservation id.
    pub id: u64,
}

impl Reservation {
    /// A sign of life of the stream; with `charge`, the reservation is also
    /// charged in full now.
    pub async fn hold(&self, charge: bool) {
        hold(&self.env, &self.key, self.id, charge).await;
    }

    /// Closes the reservation with what the request cost.
    pub async fn settle(&self, actual: Spend) {
        settle(&self.env, &self.key, self.id, actual).await;
    }
}
