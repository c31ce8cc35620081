//! Calls to the `Limiter` Durable Object of a subject (`sub:<name>`,
//! `ip:<address>`, or `public:all` for the public mode's deployment-wide
//! rate). JSON text both ways through the stub's own `fetch`: the `worker`
//! crate's Request/Response wrappers read a small answer through a Rust
//! stream adapter, which cost more CPU than the limiter's decision.

use js_sys::{Object, Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use worker::{web_sys, Env, Result};
use zenwire_relay_policy::budget::Spend;
use zenwire_relay_policy::limiter::{Ask, Check, Checked, Decision, Hold, Settle};

use crate::LIMITER_BINDING;

/// The limiter object of the public mode's deployment-wide request rate.
pub(crate) const PUBLIC_ALL: &str = "public:all";

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

/// Asks for admission. `None` when the limiter cannot be reached or answers
/// nonsense: the caller refuses then (admitting would spend without a
/// reservation).
pub(crate) async fn acquire(env: &Env, key: &str, ask: &Ask) -> Option<Decision> {
    let text = call(env, key, "/acquire", json(ask)).await.ok()?;
    serde_json::from_str(&text).ok()
}

/// Closes `reservation` with what the request cost (logged when it fails:
/// the reservation is then charged in full at its TTL).
pub(crate) async fn settle(env: &Env, key: &str, reservation: u64, actual: Spend) {
    let body = json(&Settle {
        reservation,
        actual,
    });
    if call(env, key, "/settle", body).await.is_err() {
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
