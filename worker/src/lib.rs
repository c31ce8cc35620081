//! zenwire-relay: the Cloudflare Worker glue. All decisions live in the
//! `zenwire-relay-policy` crate (tested natively); this file reads the
//! request, asks the policy, talks to the `Limiter` Durable Object and the
//! upstream, and streams bytes back.

mod admin;
mod limiter_client;
mod limiter_object;
mod passthrough;
mod settings;
mod upstream;

use worker::{event, Context, Env, Headers, Request, Response, Result};
use zenwire::catalog::Catalog;
use zenwire::wire::WireFormat;
use zenwire_relay_policy::cors;
use zenwire_relay_policy::dialect::{Refusal, RefusalKind};
use zenwire_relay_policy::log::LogLine;
use zenwire_relay_policy::route::{route, Route};

pub use limiter_object::Limiter;

/// Binding names (wrangler.toml).
pub(crate) const LIMITER_BINDING: &str = "LIMITER";
pub(crate) const ASSETS_BINDING: &str = "ASSETS";

/// Reads a var or secret as a string.
pub(crate) fn env_string(env: &Env, name: &str) -> Option<String> {
    if let Ok(s) = env.secret(name) {
        return Some(s.to_string());
    }
    env.var(name).ok().map(|v| v.to_string())
}

pub(crate) fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// The request headers as owned pairs (lower-case names).
pub(crate) fn header_pairs(h: &Headers) -> Vec<(String, String)> {
    h.entries()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect()
}

/// A response with a JSON body, status and extra headers.
pub(crate) fn respond(status: u16, body: String, headers: &[(&str, String)]) -> Result<Response> {
    let h = Headers::new();
    for (k, v) in headers {
        h.append(k, v)?;
    }
    Ok(Response::ok(body)?.with_status(status).with_headers(h))
}

/// A refusal in `format`'s dialect with CORS headers.
pub(crate) fn refuse(
    refusal: &Refusal,
    format: WireFormat,
    cors_headers: &[(&'static str, String)],
) -> Result<Response> {
    let mut h: Vec<(&str, String)> = refusal.headers();
    h.extend(cors_headers.iter().cloned());
    respond(refusal.status(), refusal.body(format), &h)
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    let started = now_ms();
    let method = req.method().to_string();
    let path = req.path();
    let route = route(&method, &path);
    let settings = match settings::settings(&env) {
        Ok(s) => s,
        // Static files (the playground) need no settings; everything else
        // is refused while the vars or secrets are unusable (fail closed:
        // e.g. a weak signing secret means no token can be trusted).
        Err(_) if route == Route::Other => return serve_asset(req, &env, &[]).await,
        Err(_) => {
            let format = match &route {
                Route::Api(e) => e.format(),
                Route::Preflight(f) | Route::ApiNotFound(f) => *f,
                Route::MethodNotAllowed { format, .. } => *format,
                _ => WireFormat::Chat,
            };
            let r = Refusal::new(
                RefusalKind::Internal,
                "relay_misconfigured",
                "relay is misconfigured",
            );
            log(&LogLine {
                endpoint: "misconfigured".to_owned(),
                status: r.status(),
                code: Some(r.code),
                ms_total: now_ms().saturating_sub(started),
                ..LogLine::default()
            });
            return refuse(&r, format, &[]);
        }
    };
    let config = &settings.config;
    let origin = req.headers().get("origin").ok().flatten();
    let cors_headers = cors::response_headers(&config.allowed_origins, origin.as_deref());
    let (name, resp) = match route {
        // Inference calls write their own, richer line (after the stream ends).
        Route::Api(endpoint) => {
            return upstream::relay(req, env, ctx, settings, endpoint, cors_headers, started).await
        }
        Route::Health => (
            "health",
            respond(
                200,
                "{\"ok\":true}".into(),
                &[("content-type", "application/json".into())],
            ),
        ),
        Route::Preflight(_) => {
            let h = cors::preflight_headers(&config.allowed_origins, origin.as_deref());
            let headers = Headers::new();
            for (k, v) in &h {
                headers.append(k, v)?;
            }
            (
                "preflight",
                Ok(Response::empty()?.with_status(204).with_headers(headers)),
            )
        }
        Route::MethodNotAllowed { format, allow } => {
            let r = Refusal::new(
                RefusalKind::MethodNotAllowed,
                "method_not_allowed",
                format!("use {allow}"),
            );
            let mut h = cors_headers.clone();
            h.push(("allow", allow.to_owned()));
            ("refused", refuse(&r, format, &h))
        }
        Route::ApiNotFound(format) => {
            let r = Refusal::new(
                RefusalKind::NotFound,
                "not_found",
                format!("no such endpoint: {path}"),
            );
            ("refused", refuse(&r, format, &cors_headers))
        }
        Route::Admin(op) => ("admin", admin::handle(op, req, &env, settings).await),
        Route::ListModels => (
            "models",
            upstream::list_models(req, &env, settings, &cors_headers).await,
        ),
        Route::Other => ("assets", serve_asset(req, &env, &cors_headers).await),
    };
    // Every other request gets its one line too (status and time only).
    if let Ok(r) = &resp {
        log(&LogLine {
            endpoint: name.to_owned(),
            status: r.status_code(),
            ms_total: now_ms().saturating_sub(started),
            ..LogLine::default()
        });
    }
    resp
}

/// A static file (the playground), or 404.
async fn serve_asset(
    req: Request,
    env: &Env,
    cors_headers: &[(&'static str, String)],
) -> Result<Response> {
    match env.assets(ASSETS_BINDING) {
        Ok(assets) => assets.fetch_request(req).await,
        Err(_) => {
            let r = Refusal::new(RefusalKind::NotFound, "not_found", "not found");
            refuse(&r, WireFormat::Chat, cors_headers)
        }
    }
}

/// Emits the request's log line.
pub(crate) fn log(line: &LogLine) {
    worker::console_log!("{}", line.to_json());
}

/// The built-in catalog (prices, limits, endpoint per model).
pub(crate) fn catalog() -> &'static Catalog {
    Catalog::builtin()
}
