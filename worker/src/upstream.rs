//! Forwarding to Zen: admission (limiter), the upstream call with a
//! first-byte timeout and retries before any byte went out, and the
//! streaming passthrough that taps usage without holding bytes back.

use std::time::Duration;

use futures_util::future::{select, Either};
use futures_util::StreamExt;
use worker::{
    AbortController, ByteStream, Context, Delay, Env, Fetch, Headers, Method, Request, RequestInit,
    Response, Result,
};
use zenwire::error::ZenError;
use zenwire::event::{Event, Usage};
use zenwire::retry::{Jitter, RetryDecision, RetryPolicy};
use zenwire::stream::StreamDecoder;
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
use crate::{catalog, env_string, header_pairs, log, now_ms, refuse, respond, LIMITER_BINDING};

/// Largest upstream error body read (it is passed on redacted).
const MAX_ERROR_BODY: usize = 64 * 1024;
/// Largest non-streaming body kept aside to read its usage.
const MAX_TAPPED_BODY: usize = 8 << 20;

fn misconfigured(what: &str) -> Refusal {
    worker::console_error!("{{\"msg\":\"relay config\",\"missing\":\"{what}\"}}");
    Refusal::new(
        RefusalKind::Internal,
        "relay_misconfigured",
        "relay is misconfigured",
    )
}

/// Reads the body, refusing once it passes the cap (without reading on).
async fn read_capped(
    req: &mut Request,
    cap: usize,
    config: &RelayConfig,
) -> std::result::Result<Vec<u8>, Refusal> {
    let mut body = Vec::new();
    let mut stream = match req.stream() {
        Ok(s) => s,
        Err(_) => return Ok(body),
    };
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            Refusal::new(
                RefusalKind::InvalidRequest,
                "body_unreadable",
                "request body could not be read",
            )
        })?;
        if body.len() + chunk.len() > cap {
            return Err(too_large(config));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

async fn limiter(env: &Env, key: &str, path: &str, body: String) -> Result<Response> {
    let stub = env
        .durable_object(LIMITER_BINDING)?
        .id_from_name(key)?
        .get_stub()?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post);
    init.with_body(Some(body.into()));
    stub.fetch_with_request(Request::new_with_init(
        &format!("https://limiter{path}"),
        &init,
    )?)
    .await
}

/// What the passthrough learned by the time the body ended (or was dropped).
struct Outcome {
    usage: Usage,
    cost: Option<String>,
    client_aborted: bool,
    first_byte_ms: Option<u64>,
}

/// `GET /zen/v1/models`: the upstream list, passed through (no token needed
/// in public mode; otherwise a valid token).
pub(crate) async fn list_models(
    req: Request,
    env: &Env,
    config: &RelayConfig,
    cors_headers: &[(&'static str, String)],
) -> Result<Response> {
    let headers = header_pairs(req.headers());
    let pairs = || headers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let secret = env_string(env, "TOKEN_SIGNING_SECRET").unwrap_or_default();
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
    let Some(key) = env_string(env, "ZEN_API_KEY") else {
        return refuse(
            &misconfigured("ZEN_API_KEY"),
            WireFormat::Chat,
            cors_headers,
        );
    };
    let h = Headers::new();
    let (k, v) = zen_key_header(WireFormat::Chat, &key);
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
    respond(status, redact(&text, &[&key]), &out)
}

/// One inference request, end to end.
pub(crate) async fn relay(
    mut req: Request,
    env: Env,
    ctx: Context,
    config: RelayConfig,
    endpoint: Endpoint,
    cors_headers: Vec<(&'static str, String)>,
    started: u64,
) -> Result<Response> {
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
    let Some(secret) = env_string(&env, "TOKEN_SIGNING_SECRET") else {
        return fail(misconfigured("TOKEN_SIGNING_SECRET"), line);
    };
    let Some(zen_key) = env_string(&env, "ZEN_API_KEY") else {
        return fail(misconfigured("ZEN_API_KEY"), line);
    };
    let ip = find("cf-connecting-ip").unwrap_or("unknown").to_owned();
    let caller = match authenticate(
        &config,
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
    if let Err(r) = check_declared_length(&config, find("content-length")) {
        return fail(r, line);
    }
    let body = match read_capped(&mut req, config.max_body_bytes, &config).await {
        Ok(b) => b,
        Err(r) => return fail(r, line),
    };
    let prepared = match prepare(&config, catalog(), &caller, &endpoint, &body) {
        Ok(p) => p,
        Err(r) => return fail(r, line),
    };
    line.model = Some(prepared.model.id.clone());
    let limits = caller.limits(&config);
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
        Ok(mut r) => r.json::<Decision>().await.ok(),
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
    let upstream_headers = upstream_request_headers(pairs(), format, &zen_key);
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
                    match resp.stream() {
                        Ok(mut s) => {
                            let mut held: Vec<u8> = Vec::new();
                            let mut scan = prepared.stream.then(|| OpeningScan::new(format));
                            loop {
                                let next = Box::pin(s.next());
                                match select(next, deadline.as_mut()).await {
                                    Either::Left((Some(Ok(chunk)), _)) => {
                                        held.extend_from_slice(&chunk);
                                        match scan.as_mut().map(|sc| sc.push(&chunk)) {
                                            Some(Opening::NeedMore) => continue,
                                            Some(Opening::Error(e)) => {
                                                break Ok((resp, Some(held), Some(s), Some(e)))
                                            }
                                            Some(Opening::Fine) | None => {
                                                break Ok((resp, Some(held), Some(s), None))
                                            }
                                        }
                                    }
                                    Either::Left((None, _)) => {
                                        let first = (!held.is_empty()).then_some(held);
                                        break Ok((resp, first, None, None));
                                    }
                                    Either::Left((Some(Err(_)), _)) if held.is_empty() => {
                                        break Err(Err(Refusal::new(
                                            RefusalKind::BadGateway,
                                            "upstream_reset",
                                            "upstream connection failed before any data",
                                        )))
                                    }
                                    // Bytes arrived: the passthrough reports
                                    // the break after passing them on.
                                    Either::Left((Some(Err(_)), _)) => {
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
                        Err(_) => Ok((resp, None, None, None)),
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
                return respond(status, redact(&text, &[&zen_key]), &out);
            }
        }
    };

    // Passthrough with a usage tap.
    let first_byte_ms = now_ms().saturating_sub(started);
    let status = resp.status_code();
    let resp_headers = header_pairs(resp.headers());
    let (tx, rx) = futures_channel::oneshot::channel::<Outcome>();
    let tap = Tap {
        upstream: body_stream,
        pending: first_chunk,
        decoder: prepared.stream.then(|| StreamDecoder::new(format)),
        kept: Vec::new(),
        usage: Usage::default(),
        cost: None,
        format,
        idle_ms: config.idle_timeout_ms,
        finished: false,
        report: Some(tx),
        abort: Some(abort),
        first_byte_ms,
    };
    let stream = futures_util::stream::unfold(tap, |mut tap| async move {
        let chunk = tap.next_chunk().await?;
        Some((Ok::<Vec<u8>, worker::Error>(chunk), tap))
    });
    let model = prepared.model.clone();
    ctx.wait_until(async move {
        let outcome = rx.await.ok();
        let (usage, cost, aborted, fb) = match outcome {
            Some(o) => (o.usage, o.cost, o.client_aborted, o.first_byte_ms),
            None => (Usage::default(), None, true, None),
        };
        let spend = actual(&model, &usage, cost.as_deref(), reserve);
        settle(spend).await;
        line.status = status;
        line.ms_first_byte = fb;
        line.ms_total = now_ms().saturating_sub(started);
        line.input_tokens = usage.input_tokens;
        line.output_tokens = usage.output_tokens;
        line.cost_usd = Some(spend.usd.to_string());
        line.client_aborted = aborted;
        log(&line);
    });
    let h = Headers::new();
    for (k, v) in
        client_response_headers(resp_headers.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    {
        h.set(&k, &v)?;
    }
    for (k, v) in &cors_headers {
        h.set(k, v)?;
    }
    Ok(Response::from_stream(stream)?
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

/// The body passthrough: yields upstream chunks as they come, feeding a
/// copy to the decoder; reports the outcome once, when the body ends or the
/// client goes away (drop), and then aborts the upstream if unfinished.
struct Tap {
    upstream: Option<ByteStream>,
    pending: Option<Vec<u8>>,
    decoder: Option<StreamDecoder>,
    kept: Vec<u8>,
    usage: Usage,
    cost: Option<String>,
    format: WireFormat,
    idle_ms: u64,
    finished: bool,
    report: Option<futures_channel::oneshot::Sender<Outcome>>,
    abort: Option<AbortController>,
    first_byte_ms: u64,
}

impl Tap {
    fn observe(&mut self, chunk: &[u8]) {
        match &mut self.decoder {
            Some(d) => {
                let mut events = Vec::new();
                d.push(chunk, &mut events);
                self.absorb(events);
            }
            None => {
                if self.kept.len() + chunk.len() <= MAX_TAPPED_BODY {
                    self.kept.extend_from_slice(chunk);
                }
            }
        }
    }

    fn absorb(&mut self, events: Vec<Event>) {
        for ev in events {
            match ev {
                Event::Usage(u) => self.usage.merge(&u),
                Event::Cost { usd } => self.cost = Some(usd),
                _ => {}
            }
        }
    }

    fn end(&mut self) {
        if let Some(d) = &mut self.decoder {
            let mut events = Vec::new();
            d.finish(&mut events);
            self.absorb(events);
        } else if let Ok(events) =
            zenwire::response::response_events(self.format, &String::from_utf8_lossy(&self.kept))
        {
            self.absorb(events);
        }
        self.finished = true;
        self.upstream = None;
    }

    async fn next_chunk(&mut self) -> Option<Vec<u8>> {
        if let Some(first) = self.pending.take() {
            self.observe(&first);
            return Some(first);
        }
        if self.finished {
            return None;
        }
        let Some(up) = self.upstream.as_mut() else {
            self.end();
            return None;
        };
        let next = Box::pin(up.next());
        let idle = Delay::from(Duration::from_millis(self.idle_ms));
        let fault = match select(next, idle).await {
            Either::Left((Some(Ok(chunk)), _)) => {
                self.observe(&chunk);
                return Some(chunk);
            }
            Either::Left((None, _)) => {
                self.end();
                return None;
            }
            Either::Left((Some(Err(_)), _)) => Refusal::new(
                RefusalKind::BadGateway,
                "upstream_reset",
                "upstream stream ended abruptly",
            ),
            Either::Right(_) => Refusal::new(
                RefusalKind::Timeout,
                "upstream_idle",
                "upstream stream went silent",
            ),
        };
        self.end();
        if let Some(a) = self.abort.take() {
            a.abort();
        }
        Some(if self.decoder.is_some() {
            fault.stream_frame(self.format).into_bytes()
        } else {
            Vec::new()
        })
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        let client_aborted = !self.finished;
        if client_aborted {
            // The client went away: stop the upstream so Zen stops generating.
            if let Some(a) = self.abort.take() {
                a.abort();
            }
        }
        if let Some(tx) = self.report.take() {
            let _ = tx.send(Outcome {
                usage: std::mem::take(&mut self.usage),
                cost: self.cost.take(),
                client_aborted,
                first_byte_ms: Some(self.first_byte_ms),
            });
        }
    }
}
