//! Forwarding to Zen: admission (limiter), the upstream call with a
//! first-byte timeout and retries before any byte went out, and the
//! streaming passthrough that taps usage without holding bytes back.

use std::time::Duration;

use futures_util::future::{select, Either};
use futures_util::StreamExt;
use worker::{
    AbortController, Context, Delay, Env, Fetch, Headers, Method, Request, RequestInit, Response,
    ResponseBody, Result,
};
use zenwire::error::ZenError;
use zenwire::retry::{Jitter, RetryDecision, RetryPolicy};
use zenwire::wire::WireFormat;
use zenwire_relay_policy::auth::{authenticate, authenticate_listing, Caller};
use zenwire_relay_policy::body::{check_declared_length, prepare, too_large};
use zenwire_relay_policy::budget::{actual, worst_case, Spend};
use zenwire_relay_policy::config::RelayConfig;
use zenwire_relay_policy::dialect::{Refusal, RefusalKind};
use zenwire_relay_policy::early_error::{Opening, OpeningScan};
use zenwire_relay_policy::headers::{
    check_anthropic_beta, client_credential, client_response_headers, upstream_request_headers,
    zen_key_header,
};
use zenwire_relay_policy::limiter::{refusal, Ask, Decision, Denial, Limits};
use zenwire_relay_policy::log::LogLine;
use zenwire_relay_policy::redact::redact;
use zenwire_relay_policy::route::Endpoint;

use crate::limiter_client::{self, Reservation, PUBLIC_ALL};
use crate::passthrough::{pump, BodyReader, ClientPipe, Read, Tap, TapSettings};
use crate::settings::Settings;
use crate::{catalog, header_pairs, log, now_ms, refuse, respond};

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

fn limiter_failed() -> Refusal {
    Refusal::new(
        RefusalKind::Internal,
        "limiter_failed",
        "limiter unavailable",
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

/// `GET /zen/v1/models`: the upstream list, passed through (no token needed
/// in public mode; otherwise a valid token).
pub(crate) async fn list_models(
    req: Request,
    env: &Env,
    settings: &Settings,
    cors_headers: &[(&'static str, String)],
) -> Result<Response> {
    let config = &settings.config;
    let headers = header_pairs(req.headers());
    let pairs = || headers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let secret = &settings.signing_secret;
    let origin = req.headers().get("origin").ok().flatten();
    let ip = req
        .headers()
        .get("cf-connecting-ip")
        .ok()
        .flatten()
        .unwrap_or_default();
    let caller = match authenticate_listing(
        config,
        secret.as_bytes(),
        client_credential(pairs()),
        origin.as_deref(),
        &ip,
        now_ms() / 1000,
    ) {
        Ok(c) => c,
        Err(r) => return refuse(&r, WireFormat::Chat, cors_headers),
    };
    // A revoked token lists nothing either (one read of its limiter; a
    // limiter that cannot answer refuses, as for inference).
    if let Caller::Token(claims) = &caller {
        let revoked = limiter_client::revoked(env, &caller.limiter_key(), claims.iat).await;
        match revoked {
            Ok(false) => {}
            Ok(true) => {
                return refuse(&refusal(Denial::Revoked, 0), WireFormat::Chat, cors_headers)
            }
            Err(_) => return refuse(&limiter_failed(), WireFormat::Chat, cors_headers),
        }
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
    settings: &'static Settings,
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
    let Some(zen_key) = settings.zen_key.as_deref() else {
        return fail(misconfigured("ZEN_API_KEY"), line);
    };
    let ip = find("cf-connecting-ip").unwrap_or("unknown").to_owned();
    let caller = match authenticate(
        config,
        settings.signing_secret.as_bytes(),
        client_credential(pairs()),
        find("origin"),
        &ip,
        now_ms() / 1000,
    ) {
        Ok(c) => c,
        Err(r) => return fail(r, line),
    };
    line.subject = caller.subject();
    if let Err(r) = check_anthropic_beta(&config.anthropic_betas, find("anthropic-beta")) {
        return fail(r, line);
    }

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
    let public = matches!(caller, Caller::Public { .. });
    let ask = Ask {
        limits,
        reserve,
        issued_at: caller.issued_at(),
        ttl_ms: config.reservation_ttl_ms,
        count_only: false,
        settle: Vec::new(),
    };
    let key = caller.limiter_key();
    let id = match limiter_client::acquire(&env, &key, ask).await {
        Some(Decision::Granted { reservation }) => reservation,
        Some(Decision::Denied {
            reason,
            retry_after_secs,
        }) => return fail(refusal(reason, retry_after_secs), line),
        None => return fail(limiter_failed(), line),
    };
    let reservation = Reservation {
        env: env.clone(),
        key,
        id,
    };
    if public {
        // The deployment-wide public rate, counted after the caller's own
        // (so one address hammering the relay cannot use it up for others).
        let all = Ask {
            limits: Limits {
                rpm: Some(config.public_global_rpm),
                ..Limits::default()
            },
            reserve: Spend::default(),
            issued_at: None,
            ttl_ms: 0,
            count_only: true,
            settle: Vec::new(),
        };
        let denied = match limiter_client::acquire(&env, PUBLIC_ALL, all).await {
            Some(Decision::Granted { .. }) => None,
            Some(Decision::Denied {
                retry_after_secs, ..
            }) => Some(Refusal::rate_limited(
                "rate_limit_public",
                "the relay's public requests-per-minute limit is reached",
                retry_after_secs,
            )),
            None => Some(limiter_failed()),
        };
        if let Some(r) = denied {
            ctx.wait_until(async move { reservation.settle(Spend::default()).await });
            return fail(r, line);
        }
    }

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
                // The request went out (or may have): a reset or a timeout
                // does not mean the provider stopped, and a non-streaming
                // call that outlived the deadline is billed all the same.
                // Charged as reserved.
                abort.abort();
                ctx.wait_until(async move { reservation.settle(reserve).await });
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
                // An error answer: Zen bills nothing. Passed on in its own
                // shape, redacted.
                ctx.wait_until(async move { reservation.settle(Spend::default()).await });
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
        ctx.wait_until(async move { reservation.settle(reserve).await });
        return fail(misconfigured("IdentityTransformStream"), line);
    };
    let tap = Tap::new(
        body_stream,
        first_chunk,
        TapSettings {
            format,
            streaming: prepared.stream,
            idle_ms: config.idle_timeout_ms,
            silence_charge_ms: config.silence_charge_ms,
            renew_ms: (config.reservation_ttl_ms / 3).max(1),
            public,
            zen_key,
        },
        abort,
        reservation,
    );
    let model = prepared.model;
    ctx.wait_until(async move {
        let (outcome, reservation) = pump(tap, pipe.writer).await;
        let spend = actual(
            &model,
            &outcome.usage,
            outcome.cost.as_deref(),
            outcome.complete,
            reserve,
        );
        line.status = status;
        line.ms_first_byte = Some(first_byte_ms);
        line.ms_total = now_ms().saturating_sub(started);
        line.input_tokens = outcome.usage.input_tokens;
        line.output_tokens = outcome.usage.output_tokens;
        line.cost_usd = Some(spend.usd.to_string());
        line.client_aborted = outcome.client_aborted;
        if outcome.public_billed {
            line.code = Some("public_call_billed");
            worker::console_error!(
                "{{\"msg\":\"relay public call billed\",\"model\":{:?},\"costUsd\":{:?}}}",
                model.id,
                outcome.cost.as_deref().unwrap_or_default()
            );
        }
        reservation.settle(spend).await;
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
