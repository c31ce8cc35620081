//! Policy logic of the zenwire edge relay (the `zenwire-relay` Cloudflare
//! Worker): everything the Worker decides, as plain Rust that `cargo test`
//! runs natively. The Worker crate only moves bytes and calls into this.
//!
//! * [`token`] — signed capability tokens (HMAC-SHA256): mint and verify.
//! * [`config`] — deployment settings read from Worker vars.
//! * [`route`] — which endpoint a method + path names.
//! * [`cors`] — origin allowlist decisions and CORS headers.
//! * [`auth`] — who is calling: token holder or public-mode visitor.
//! * [`body`] — body policy before spending: size, JSON, models, clamping.
//! * [`headers`] — request/response header allow-lists, the Zen key header.
//! * [`inputs`] — input the body's size cannot bound (media, server tools, state).
//! * [`early_error`] — an error as a stream's first event (retryable before output).
//! * [`dialect`] — refusals and stream error frames in each endpoint's dialect.
//! * [`redact`] — scrubbing key-like strings from upstream error bodies.
//! * [`budget`] — worst-case reservations and settlement from actual usage.
//! * [`limiter`] — the per-subject rate/concurrency/budget state machine.
//! * [`log`] — the one structured log line per request.

#![warn(missing_docs)]

pub mod auth;
pub mod body;
pub mod budget;
pub mod config;
pub mod cors;
pub mod dialect;
pub mod early_error;
pub mod headers;
pub mod inputs;
pub mod limiter;
pub mod log;
pub mod redact;
pub mod route;
pub mod token;
