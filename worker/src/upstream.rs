//! Forwarding to Zen: admission (limiter), the upstream call with a
//! first-byte timeout and retries before any byte went out, and the
//! streaming passthrough that taps usage without holding bytes back.

use std::time::Duration;

use futures_util::future::{select, Either};
use futures_util::StreamExt;
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use worker::web_sys;
use worker::{
    AbortController, Context, Delay, Env, Fetch, Headers, Method, Request, RequestInit, Response,
    ResponseBody, Result,
};
use zenwire::error::ZenError;
use zenwire::retry::{Jitter, RetryDecision, RetryPolicy};
use zenwire::wire::WireFormat;
use zenwire_relay_policy::auth::{authenticate, authenticate_listing};
use zenwire_relay_policy::body::{check_declared_length, prepare, too_large};
use zenwire_relay_policy::budget::{actual, worst_case, Spend};
use zenwire_relay_policy::config::RelayConfig;
use zenwire_relay_policy::dialect::{Refusal, RefusalKind};
use zenwire_relay_policy::early_error::{Opening, OpeningScan};
use zenwire_relay_policy::headers::{
    client_credential, client_response_headers, upstream_request_headers, zen_key_header,
};
use zenwire_relay_policy::limiter::{refusal, Ask, Decision};
use zenwire_relay_policy::log::LogLine;
use zenwire_relay_policy::redact::redact;
use zenwire_relay_policy::route::Endpoint;

use crate::limiter_object::Settle;
use crate::passthrough::{pump, BodyReader, ClientPipe, Read, Tap};
use crate::settings::Settings;
use crate::{catalog, header_pairs, log, now_ms, refuse, respond, LIMITER_BINDING};

/// Largest upstream error body read (it is passed on redacted).
const MAX_ERROR_BODY: usize = 64 * 1024;

fn misconfigured(what: &str) -> Refusal {
    worker::console_error!("{{\"msg\":\"relay config\",\"missing\":\"{what}\"}}");
    Refusal::new(
        RefusalKind::Internal,
        "relay_misconfigured",
        "relay is misconfigured",
    )
}

/// Reads the body, refusing once it passes the cap (without reading on).
/// Read with the platform's reader: the `worker` crate's byte stream goes
/// through a Rust stream adapter that cost more than the body policy.
async fn read_capped(
    req: &Request,
    cap: usize,
    config: &RelayConfig,
) -> std::result::Result<Vec<u8>, Refusal> {
    let mut body = Vec::new();
    let Some(reader) = req.inner().body().as_ref().and_then(BodyReader::new) else {
        return Ok(body);
    };
    loop {
        match reader.read().await {
            Read::Chunk(chunk) => {
                let len = chunk.length() as usize;
                if body.len() + len > cap {
                    reader.cancel().await;
                    return Err(too_large(config));
                }
                let at = body.len();
                body.resize(at + len, 0);
                chunk.copy_to(&mut body[at..]);
            }
            Read::End => return Ok(body),
            Read::Broken => {
                return Err(Refusal::new(
                    RefusalKind::InvalidRequest,
                    "body_unreadable",
                    "request body could not be read",
                ))
            }
        }
    }
}

#[wasm_bindgen]
extern "C" {
    /// A Durable Object stub, called with its own `fetch(url, init)`.
    type RawStub;
    #[wasm_bindgen(method, catch)]
    fn fetch(this: &RawStub, url: &str, init: &JsValue) -> std::result::Result<Promise, JsValue>;
}

/// One call to the subject's limiter object; its answer's text. Talks to
/// the stub without the `worker` crate's Request/Response wrappers: those
/// read a small answer through a Rust stream adapter, which cost more CPU
/// than the whole limiter decision.
async fn limiter(env: &Env, key: &str, path: &str, body: String) -> Result<String> {
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

/// `GET /zen/v1/models`: the upstream list, passed through (no token needed
/// in public mode; otherwise a valid token).
pub(crate) async fn list_models(
    req: Request,
    settings: &Settings,
    cors_headers: &[(&'static str, String)],
) -> Result<Response> {
    let config = &settings.config;
    let headers = header_pairs(req.headers());
    let pairs = || headers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let secret = settings.signing_secret.as_deref().unwrap_or_default();
    let origin = req.headers().get("origin").ok().flatten();
    let ip = req
        .headers()
        .get("cf-connecting-ip")
        .ok()
        .flatten()
        .unwrap_or_default();
    if let Err(r) = authenticate_listing(
        config,
        secret.as_bytes(),
        client_credential(pairs()),
        origin.as_deref(),
        &ip,
        now_ms() / 1000,
    ) {
        return refuse(&r, WireFormat::Chat, cors_headers);
    }
    let Some(key) = settings.zen_key.as_deref() else {
        return refuse(
            &misconfigured("ZEN_API_KEY"),
            WireFormat::Chat,
            cors_headers,
        );
    };
    let h = Headers::new();
    let (k, v) = zen_key_header(WireFormat::Chat, key);
    h.set(k, &v)?;
    let mut init = RequestInit::new();
    init.with_headers(h);
    let up = Request::new_with_init(&format!("{}/models", config.upstream), &init)?;
    let mut resp = match Fetch::Request(up).send().await {
        Ok(r) => r,
        Err(_) => {
            let r = Refusal::new(
                RefusalKind::BadGateway,
                "upstream_unreachable",
                "upstream could not be reached",
            );
            return refuse(&r, WireFormat::Chat, cors_headers);
        }
    };
    let status = resp.status_code();
    let text = resp.text().await.unwrap_or_default();
    let mut out: Vec<(&str, String)> = vec![("content-type", "application/json".into())];
    out.extend(cors_headers.iter().cloned());
    respond(status, redact(&text, &[key]), &out)
}

/// One inference request, end to end.
pub(crate) async fn relay(
    req: Request,
    env: Env,
    ctx: Context,
    settings: &Settings,
    endpoint: Endpoint,
    cors_headers: Vec<(&'static str, String)>,
    started: u64,
) -> Result<Response> {
    let config = &settings.config;
    let format = endpoint.format();
    let mut line = LogLine {
        endpoint: endpoint.name().to_owned(),
        ..LogLine::default()
    };
    let fail = |r: Refusal, mut line: LogLine| {
        line.status = r.status();
        line.code = Some(r.code);
        line.ms_total = now_ms().saturating_sub(started);
        log(&line);
        refuse(&r, format, &cors_headers)
    };
    let headers = header_pairs(req.headers());
    let pairs = || headers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let find = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };

    // Who is calling (no body read yet: unauthenticated calls cost nothing).
    let Some(secret) = settings.signing_secret.as_deref() else {
        return fail(misconfigured("TOKEN_SIGNING_SECRET"), line);
    };
    let Some(zen_key) = settings.zen_key.as_deref() else {
        return fail(misconfigured("ZEN_API_KEY"), line);
    };
    let ip = find("cf-connecting-ip").unwrap_or("unknown").to_owned();
    let caller = match authenticate(
        config,
        secret.as_bytes(),
        client_credential(pairs()),
        find("origin"),
        &ip,
        now_ms() / 1000,
    ) {
        Ok(c) => c,
        Err(r) => return fail(r, line),
    };
    line.subject = caller.subject();

    // Body policy.
    if let Err(r) = check_declared_length(config, find("content-length")) {
        return fail(r, line);
    }
    let body = match read_capped(&req, config.max_body_bytes, config).await {
        Ok(b) => b,
        Err(r) => return fail(r, line),
    };
    let prepared = match prepare(config, catalog(), &caller, &endpoint, &body) {
        Ok(p) => p,
        Err(r) => return fail(r, line),
    };
    line.model = Some(prepared.model.id.clone());
    let limits = caller.limits(config);
    let reserve = match worst_case(&prepared, limits.usd_per_day.is_some()) {
        Ok(s) => s,
        Err(r) => return fail(r, line),
    };

    // Admission.
    let key = caller.limiter_key();
    let ask = Ask {
        limits,
        reserve,
        issued_at: caller.issued_at(),
    };
    // A limiter that cannot be reached or answers nonsense refuses the call:
    // admitting it would spend without a reservation.
    let decision = match limiter(
        &env,
        &key,
        "/acquire",
        serde_json::to_string(&ask).unwrap_or_default(),
    )
    .await
    {
        Ok(text) => serde_json::from_str::<Decision>(&text).ok(),
        Err(_) => None,
    };
    let Some(decision) = decision else {
        return fail(
            Refusal::new(
                RefusalKind::Internal,
                "limiter_failed",
                "limiter unavailable",
            ),
            line,
        );
    };
    let reservation = match decision {
        Decision::Granted { reservation } => reservation,
        Decision::Denied {
            reason,
            retry_after_secs,
        } => return fail(refusal(reason, retry_after_secs), line),
    };

    // Upstream, with retries only before any byte went to the client.
    let upstream_headers = upstream_request_headers(pairs(), format, zen_key);
    let url = format!("{}{}", config.upstream, endpoint.upstream_path());
    let policy = RetryPolicy {
        max_retries: config.upstream_retries,
        jitter: Jitter::Equal,
        max_retry_after_ms: config.retry_after_cap_ms,
        ..RetryPolicy::default()
    };
    let mut attempts = 0u32;
    let settle_env = env.clone();
    let settle = move |spend: Spend| {
        let env = settle_env.clone();
        let key = key.clone();
        async move {
            let body = serde_json::to_string(&Settle {
                reservation,
                actual: spend,
            })
            .unwrap_or_default();
            if limiter(&env, &key, "/settle", body).await.is_err() {
                worker::console_error!("{{\"msg\":\"relay settle failed\"}}");
            }
        }
    };
    let (resp, first_chunk, body_stream, abort) = loop {
        attempts += 1;
        line.attempts = attempts;
        let abort = AbortController::default();
        let h = Headers::new();
        for (k, v) in &upstream_headers {
            h.set(k, v)?;
        }
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(h)
            .with_body(Some(js_sys::Uint8Array::from(&prepared.body[..]).into()));
        let up = Request::new_with_init(&url, &init)?;
        let signal = abort.signal();
        let deadline = Delay::from(Duration::from_millis(config.first_byte_timeout_ms));
        let fetch = Box::pin(async move { Fetch::Request(up).send_with_signal(&signal).await });
        let mut deadline = Box::pin(deadline);
        let outcome = match select(fetch, deadline.as_mut()).await {
            Either::Left((Ok(mut resp), _)) => {
                let status = resp.status_code();
                if (200..300).contains(&status) {
                    // Wait for the first body chunk within the same deadline;
                    // a stream is held until its first event is complete, so
                    // one that opens with an error can still be retried.
                    let body = match resp.body() {
                        ResponseBody::Stream(s) => BodyReader::new(s),
                        _ => None,
                    };
                    match body {
                        Some(s) => {
                            let mut held: Vec<u8> = Vec::new();
                            let mut scan = prepared.stream.then(|| OpeningScan::new(format));
                            loop {
                                let next = Box::pin(s.read());
                                match select(next, deadline.as_mut()).await {
                                    Either::Left((Read::Chunk(chunk), _)) => {
                                        let at = held.len();
                                        held.resize(at + chunk.length() as usize, 0);
                                        chunk.copy_to(&mut held[at..]);
                                        match scan.as_mut().map(|sc| sc.push(&held[at..])) {
                                            Some(Opening::NeedMore) => continue,
                                            Some(Opening::Error(e)) => {
                                                break Ok((resp, Some(held), Some(s), Some(e)))
                                            }
                                            Some(Opening::Fine) | None => {
                                                break Ok((resp, Some(held), Some(s), None))
                                            }
                                        }
                                    }
                                    Either::Left((Read::End, _)) => {
                                        let first = (!held.is_empty()).then_some(held);
                                        break Ok((resp, first, None, None));
                                    }
                                    Either::Left((Read::Broken, _)) if held.is_empty() => {
                                        break Err(Err(Refusal::new(
                                            RefusalKind::BadGateway,
                                            "upstream_reset",
                                            "upstream connection failed before any data",
                                        )))
                                    }
                                    // Bytes arrived: the passthrough reports
                                    // the break after passing them on.
                                    Either::Left((Read::Broken, _)) => {
                                        break Ok((resp, Some(held), Some(s), None))
                                    }
                                    Either::Right(_) if held.is_empty() => {
                                        break Err(Err(Refusal::new(
                                            RefusalKind::Timeout,
                                            "upstream_timeout",
                                            "upstream sent no data in time",
                                        )))
                                    }
                                    // Part of a first event by the deadline:
                                    // pass it on undecided.
                                    Either::Right(_) => {
                                        break Ok((resp, Some(held), Some(s), None))
                                    }
                                }
                            }
                        }
                        None => Ok((resp, None, None, None)),
                    }
                } else {
                    let text = read_error_body(&mut resp).await;
                    let rh = header_pairs(resp.headers());
                    let err = ZenError::from_response_at(
                        status,
                        rh.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                        &text,
                        Some(now_ms()),
                    );
                    Err(Ok((status, rh, text, err)))
                }
            }
            Either::Left((Err(_), _)) => Err(Err(Refusal::new(
                RefusalKind::BadGateway,
                "upstream_unreachable",
                "upstream could not be reached",
            ))),
            Either::Right(_) => Err(Err(Refusal::new(
                RefusalKind::Timeout,
                "upstream_timeout",
                "upstream sent no response in time",
            ))),
        };
        match outcome {
            Ok((resp, first, stream, early)) => {
                // A 200 stream that opens with an overloaded (or other
                // retryable) error is retried like a 529: nothing went to
                // the client yet.
                let random = js_sys::Math::random().clamp(0.0, 1.0);
                if let Some(Some(RetryDecision::RetryAfter { delay_ms })) = early
                    .as_ref()
                    .map(|ev| policy.decide_for_event(ev, attempts, false, random))
                {
                    abort.abort();
                    drop(stream);
                    Delay::from(Duration::from_millis(delay_ms)).await;
                    continue;
                }
                break (resp, first, stream, abort);
            }
            Err(Err(r)) => {
                abort.abort();
                ctx.wait_until(settle(Spend::default()));
                return fail(r, line);
            }
            Err(Ok((status, rh, text, err))) => {
                abort.abort();
                let random = (js_sys::Math::random()).clamp(0.0, 1.0);
                if let RetryDecision::RetryAfter { delay_ms } =
                    policy.decide(&err, attempts, false, random)
                {
                    Delay::from(Duration::from_millis(delay_ms)).await;
                    continue;
                }
                // Pass the upstream error on in its own shape, redacted.
                ctx.wait_until(settle(Spend::default()));
                line.status = status;
                line.code = Some("upstream_error");
                line.ms_total = now_ms().saturating_sub(started);
                log(&line);
                let mut out: Vec<(&str, String)> = Vec::new();
                for (k, v) in
                    client_response_headers(rh.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                {
                    let k: &str = match k.as_str() {
                        "content-type" => "content-type",
                        "retry-after" => "retry-after",
                        _ => "cache-control",
                    };
                    out.push((k, v));
                }
                out.extend(cors_headers.iter().cloned());
                return respond(status, redact(&text, &[zen_key]), &out);
            }
        }
    };

    // Passthrough with a usage tap, driven from a waitUntil task so that
    // settlement and the log line happen however the stream ends.
    let first_byte_ms = now_ms().saturating_sub(started);
    let status = resp.status_code();
    let Some(pipe) = ClientPipe::new() else {
        abort.abort();
        ctx.wait_until(settle(Spend::default()));
        return fail(misconfigured("IdentityTransformStream"), line);
    };
    let tap = Tap::new(
        body_stream,
        first_chunk,
        prepared.stream,
        format,
        config.idle_timeout_ms,
        abort,
    );
    let model = prepared.model.clone();
    ctx.wait_until(async move {
        let outcome = pump(tap, pipe.writer).await;
        let spend = actual(&model, &outcome.usage, outcome.cost.as_deref(), reserve);
        line.status = status;
        line.ms_first_byte = Some(first_byte_ms);
        line.ms_total = now_ms().saturating_sub(started);
        line.input_tokens = outcome.usage.input_tokens;
        line.output_tokens = outcome.usage.output_tokens;
        line.cost_usd = Some(spend.usd.to_string());
        line.client_aborted = outcome.client_aborted;
        settle(spend).await;
        log(&line);
    });
    let h = Headers::new();
    for (k, v) in client_response_headers(
        header_pairs(resp.headers())
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    ) {
        h.set(&k, &v)?;
    }
    for (k, v) in &cors_headers {
        h.set(k, v)?;
    }
    Ok(Response::from_body(ResponseBody::Stream(pipe.readable))?
        .with_status(status)
        .with_headers(h))
}

async fn read_error_body(resp: &mut Response) -> String {
    let mut out = Vec::new();
    if let Ok(mut s) = resp.stream() {
        while let Some(Ok(chunk)) = s.next().await {
            out.extend_from_slice(&chunk);
            if out.len() >= MAX_ERROR_BODY {
                out.truncate(MAX_ERROR_BODY);
                break;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
