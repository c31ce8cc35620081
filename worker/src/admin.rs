//! Admin endpoints, guarded by `ADMIN_SECRET` (Bearer): mint tokens, read a
//! subject's counters, revoke a subject's tokens.

use serde::Deserialize;
use worker::{Env, Request, Response, Result};
use zenwire::wire::WireFormat;
use zenwire_relay_policy::dialect::{Refusal, RefusalKind};
use zenwire_relay_policy::headers::client_credential;
use zenwire_relay_policy::limiter::Revoke;
use zenwire_relay_policy::route::AdminOp;
use zenwire_relay_policy::token::{mint, parse_duration_secs, secrets_equal, Claims};

use crate::settings::Settings;
use crate::{env_string, header_pairs, limiter_client, now_ms, refuse, respond};

/// Body of `POST /admin/tokens`: the claims minus `iat`, with `exp` either
/// absolute (Unix s) or `ttl` (`1h`, `7d`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MintRequest {
    #[serde(flatten)]
    claims: serde_json::Map<String, serde_json::Value>,
    ttl: Option<String>,
}

/// Body of `POST /admin/revoke`.
#[derive(Debug, Deserialize)]
struct RevokeRequest {
    sub: String,
}

fn bad(message: impl Into<String>) -> Result<Response> {
    refuse(
        &Refusal::new(
            RefusalKind::InvalidRequest,
            "invalid_admin_request",
            message,
        ),
        WireFormat::Chat,
        &[],
    )
}

pub(crate) async fn handle(
    op: AdminOp,
    mut req: Request,
    env: &Env,
    settings: &Settings,
) -> Result<Response> {
    let Some(admin_secret) = env_string(env, "ADMIN_SECRET").filter(|s| s.len() >= 16) else {
        let r = Refusal::new(
            RefusalKind::NotFound,
            "admin_disabled",
            "admin endpoints are disabled (no ADMIN_SECRET)",
        );
        return refuse(&r, WireFormat::Chat, &[]);
    };
    let headers = header_pairs(req.headers());
    let cred = client_credential(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if !cred.is_some_and(|c| secrets_equal(c.as_bytes(), admin_secret.as_bytes())) {
        let r = Refusal::new(
            RefusalKind::Unauthenticated,
            "admin_unauthorized",
            "admin secret required",
        );
        return refuse(&r, WireFormat::Chat, &[]);
    }
    let now_s = now_ms() / 1000;
    match op {
        AdminOp::MintToken => {
            let secret = &settings.signing_secret;
            let Ok(m) = req.json::<MintRequest>().await else {
                return bad("body must be JSON claims");
            };
            let mut obj = m.claims;
            obj.insert("iat".into(), now_s.into());
            if let Some(ttl) = m.ttl {
                let Some(secs) = parse_duration_secs(&ttl) else {
                    return bad("ttl must be like 90s, 15m, 1h, 7d");
                };
                obj.insert("exp".into(), now_s.saturating_add(secs).into());
            }
            let claims: Claims = match serde_json::from_value(serde_json::Value::Object(obj)) {
                Ok(c) => c,
                Err(e) => return bad(format!("invalid claims: {e}")),
            };
            match mint(&claims, secret.as_bytes()) {
                Ok(token) => respond(
                    200,
                    serde_json::json!({ "token": token, "claims": claims }).to_string(),
                    &[("content-type", "application/json".into())],
                ),
                Err(e) => bad(e.to_string()),
            }
        }
        AdminOp::Usage => {
            let url = req.url()?;
            let Some(sub) = url
                .query_pairs()
                .find(|(k, _)| k == "sub")
                .map(|(_, v)| v.into_owned())
            else {
                return bad("query parameter sub is required (sub:<name> or ip:<address>)");
            };
            limiter_call(env, &sub, "/report", None).await
        }
        AdminOp::Revoke => {
            let Ok(r) = req.json::<RevokeRequest>().await else {
                return bad("body must be {\"sub\": \"<subject>\"}");
            };
            let body = serde_json::to_string(&Revoke { through: now_s }).unwrap_or_default();
            limiter_call(env, &format!("sub:{}", r.sub), "/revoke", Some(body)).await
        }
    }
}

/// Calls the limiter object of `key` and passes its JSON answer on.
async fn limiter_call(env: &Env, key: &str, path: &str, body: Option<String>) -> Result<Response> {
    let text = limiter_client::call(env, key, path, body.unwrap_or_default()).await?;
    respond(200, text, &[("content-type", "application/json".into())])
}
