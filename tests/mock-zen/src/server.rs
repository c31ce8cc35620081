//! Connection handling and routing: Zen's endpoints (at `/` and `/zen/v1`),
//! Zen's auth rules, the scenarios, and the `/__mock` recording API.

use crate::config::{Config, Format};
use crate::formats::{self, Frame};
use crate::http::{read_request, ReadError, Request, Responder};
use crate::inspect::{inspect, Ask};
use crate::plan::{self, Plan, Shape};
use crate::record::{body_value, header_map, Record, Recorder};
use crate::scenario::Scenario;
use crate::zen_error::ZenError;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::TcpStream;
use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Largest file `replay:` streams.
const MAX_REPLAY: u64 = 64 * 1024 * 1024;
/// Deltas of the `slow` scenario.
const SLOW_DELTAS: usize = 300;
/// Default pause of the `slow` scenario when no per-request delay is given.
const SLOW_DELAY_MS: u64 = 200;

/// State shared by every connection thread.
#[derive(Debug)]
pub struct State {
    /// Command-line configuration.
    pub config: Config,
    /// The request log.
    pub recorder: Recorder,
    /// Times each `rate-limit-once` id was seen.
    once: Mutex<HashMap<String, u64>>,
}

impl State {
    /// Fresh state for `config`.
    pub fn new(config: Config) -> Self {
        State {
            config,
            recorder: Recorder::default(),
            once: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one more sighting of `id`, returning the new count.
    fn seen(&self, id: &str) -> u64 {
        let mut map = self.once.lock().unwrap_or_else(|p| p.into_inner());
        let n = map.entry(id.to_string()).or_insert(0);
        *n += 1;
        *n
    }
}

fn now() -> SystemTime {
    SystemTime::now()
}

fn unix_secs() -> u64 {
    now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn unix_ms() -> u64 {
    now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Serves requests on one connection until it closes or cannot continue.
pub fn handle_connection(mut stream: TcpStream, state: &State) {
    // Pacing must show on the wire: send each event immediately.
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(crate::IDLE_TIMEOUT);
    let mut buf = Vec::new();
    loop {
        match read_request(&mut stream, &mut buf) {
            Err(ReadError::Closed) => return,
            Err(ReadError::Bad(status, message)) => {
                let mut out = Responder::new(&mut stream, true);
                let err = ZenError::status(status, message);
                let _ = send_error(&mut out, &err);
                if state.config.log {
                    eprintln!("- - {status} {}B 0ms {message}", out.bytes_sent);
                }
                linger_close(&mut stream);
                return;
            }
            Ok(req) => {
                if !handle_request(req, &mut stream, state) {
                    return;
                }
            }
        }
    }
}

/// Closes after an early error without resetting the connection: closing a
/// socket with unread request bytes sends RST, which can destroy the error
/// response before the client reads it. So stop writing, then drain a little.
fn linger_close(stream: &mut TcpStream) {
    use std::io::Read;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_millis(200)));
    let mut sink = [0u8; 16384];
    let mut drained = 0usize;
    while drained < crate::http::MAX_BODY {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

/// What the routing learned about a request, for its record.
#[derive(Debug, Default)]
struct Meta {
    format: Option<Format>,
    model: Option<String>,
    stream: bool,
    scenario: Option<String>,
}

/// Handles one request; returns whether the connection may serve another.
fn handle_request(req: Request, stream: &mut TcpStream, state: &State) -> bool {
    let started = Instant::now();
    let keep_alive = req.keep_alive();
    let mut out = Responder::new(stream, req.http11);
    // HTTP/1.0 bodies end at connection close, so such a connection never continues.
    let keep_alive = keep_alive && req.http11;
    if req.path.starts_with("/__mock") {
        let _ = admin(&req, &mut out, state);
        return keep_alive && out.completed;
    }
    let id = state.recorder.add(Record {
        id: 0,
        started_at_ms: unix_ms(),
        method: req.method.clone(),
        path: req.path.clone(),
        query: req.query.clone(),
        headers: header_map(&req.headers),
        body: body_value(&req.body),
        format: None,
        model: None,
        stream: false,
        scenario: "echo".into(),
        status: 0,
        bytes_sent: 0,
        cancelled: false,
        completed: false,
        duration_ms: 0,
    });
    let mut meta = Meta::default();
    let _ = route(&req, &mut out, state, &mut meta, id);
    let duration_ms = started.elapsed().as_millis() as u64;
    let (status, bytes, cancelled, completed) =
        (out.status, out.bytes_sent, out.cancelled, out.completed);
    state.recorder.update(id, |r| {
        r.format = meta.format.map(|f| f.name().to_string());
        r.model = meta.model.clone();
        r.stream = meta.stream;
        if let Some(s) = &meta.scenario {
            r.scenario = s.clone();
        }
        r.status = status;
        r.bytes_sent = bytes;
        r.cancelled = cancelled;
        r.completed = completed;
        r.duration_ms = duration_ms;
    });
    if state.config.log {
        let outcome = if cancelled {
            " cancelled"
        } else if !completed {
            " dropped"
        } else {
            ""
        };
        eprintln!(
            "{} {} {status} {bytes}B {duration_ms}ms scenario={}{outcome}",
            req.method,
            req.path,
            meta.scenario.as_deref().unwrap_or("echo"),
        );
    }
    keep_alive && completed && !cancelled
}

/// The client went away or the response was cut on purpose.
type Sent = Result<(), crate::http::Gone>;

fn json_headers() -> Vec<(&'static str, String)> {
    vec![("content-type", "application/json".into())]
}

fn sse_headers() -> Vec<(&'static str, String)> {
    vec![
        ("content-type", "text/event-stream".into()),
        ("cache-control", "no-cache".into()),
    ]
}

fn send_json(out: &mut Responder<'_>, status: u16, body: &Value) -> Sent {
    out.send(status, &json_headers(), body.to_string().as_bytes())
}

fn send_error(out: &mut Responder<'_>, err: &ZenError) -> Sent {
    let mut headers = json_headers();
    if let Some(secs) = err.retry_after {
        headers.push(("retry-after", secs.to_string()));
    }
    out.send(err.status, &headers, err.body_text().as_bytes())
}

fn cors_preflight(out: &mut Responder<'_>, methods: &str) -> Sent {
    out.send(
        204,
        &[
            ("access-control-allow-methods", methods.to_string()),
            (
                "access-control-allow-headers",
                "Content-Type, Authorization, x-api-key, x-goog-api-key, anthropic-version".into(),
            ),
        ],
        b"",
    )
}

/// The `/__mock` API: health, the request log.
fn admin(req: &Request, out: &mut Responder<'_>, state: &State) -> Sent {
    match (req.method.as_str(), req.path.as_str()) {
        ("OPTIONS", _) => cors_preflight(out, "GET, DELETE, OPTIONS"),
        ("GET", "/__mock/health") => send_json(
            out,
            200,
            &json!({"ok": true, "models": state.config.models.len()}),
        ),
        ("GET", "/__mock/requests") => send_json(out, 200, &json!(state.recorder.all())),
        ("DELETE", "/__mock/requests") => {
            state.recorder.clear();
            send_json(out, 200, &json!({"ok": true}))
        }
        ("GET", "/__mock/requests/last") => match state.recorder.last() {
            Some(r) => send_json(out, 200, &json!(r)),
            None => send_error(out, &ZenError::status(404, "No request recorded yet")),
        },
        (_, "/__mock/health" | "/__mock/requests" | "/__mock/requests/last") => {
            send_error(out, &ZenError::status(405, "Method not allowed"))
        }
        _ => send_error(out, &ZenError::status(404, "Not found")),
    }
}

/// A model endpoint: its format, and for Gemini the model and stream flag
/// taken from the URL.
struct Endpoint {
    format: Format,
    url_model: Option<String>,
    url_stream: bool,
}

fn endpoint(path: &str) -> Option<Endpoint> {
    let simple = |format| {
        Some(Endpoint {
            format,
            url_model: None,
            url_stream: false,
        })
    };
    match path {
        "/chat/completions" => simple(Format::Chat),
        "/responses" => simple(Format::Responses),
        "/messages" => simple(Format::Messages),
        _ => {
            let rest = path.strip_prefix("/models/")?;
            let (model, action) = rest.rsplit_once(':')?;
            let url_stream = match action {
                "streamGenerateContent" => true,
                "generateContent" => false,
                _ => return None,
            };
            (!model.is_empty() && !model.contains('/')).then(|| Endpoint {
                format: Format::Gemini,
                url_model: Some(model.to_string()),
                url_stream,
            })
        }
    }
}

fn route(req: &Request, out: &mut Responder<'_>, state: &State, meta: &mut Meta, id: u64) -> Sent {
    let path = req
        .path
        .strip_prefix("/zen/v1")
        .filter(|p| p.starts_with('/'))
        .unwrap_or(&req.path);
    if path == "/models" {
        return match req.method.as_str() {
            "GET" => models_list(req, out, state),
            "OPTIONS" => cors_preflight(out, "GET, POST, OPTIONS"),
            _ => send_error(out, &ZenError::status(405, "Method not allowed")),
        };
    }
    let Some(ep) = endpoint(path) else {
        return send_error(out, &ZenError::status(404, "Not found"));
    };
    meta.format = Some(ep.format);
    match req.method.as_str() {
        "POST" => inference(req, out, state, meta, ep, id),
        "OPTIONS" => cors_preflight(out, "GET, POST, OPTIONS"),
        _ => send_error(out, &ZenError::status(405, "Method not allowed")),
    }
}

/// The key a request carries for `format`, read the way Zen reads it
/// (`None` = anonymous, including the literal key "public").
fn api_key(req: &Request, format: Option<Format>) -> Option<String> {
    let raw = match format {
        Some(Format::Messages) => req.header("x-api-key").map(str::to_string),
        Some(Format::Gemini) => req.header("x-goog-api-key").map(str::to_string),
        // `authorization.split(" ")[1]`: the token after the first space.
        _ => req
            .header("authorization")
            .and_then(|h| h.split(' ').nth(1))
            .map(str::to_string),
    };
    raw.filter(|k| !k.is_empty() && k != "public")
}

fn models_list(req: &Request, out: &mut Responder<'_>, state: &State) -> Sent {
    if let Some(key) = api_key(req, None) {
        if key != state.config.key {
            return send_error(out, &ZenError::invalid_key());
        }
    }
    let created = unix_secs();
    let data: Vec<Value> = state
        .config
        .models
        .iter()
        .filter(|m| !m.id.starts_with("alpha-"))
        .map(|m| json!({"id": m.id, "object": "model", "created": created, "owned_by": "opencode"}))
        .collect();
    send_json(out, 200, &json!({"object": "list", "data": data}))
}

/// Per-request event pause: `x-mock-delay-ms`, else the default.
fn delay(req: &Request, default: u64) -> (u64, bool) {
    match req
        .header("x-mock-delay-ms")
        .and_then(|v| v.trim().parse().ok())
    {
        Some(ms) => (ms, true),
        None => (default, false),
    }
}

fn inference(
    req: &Request,
    out: &mut Responder<'_>,
    state: &State,
    meta: &mut Meta,
    ep: Endpoint,
    id: u64,
) -> Sent {
    let format = ep.format;
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => {
            return send_error(
                out,
                &ZenError::bad_request("Request body must be a JSON object"),
            )
        }
        Err(e) => {
            return send_error(
                out,
                &ZenError::bad_request(format!("Invalid JSON body: {e}")),
            )
        }
    };
    let mut ask = inspect(format, &body);
    if ep.url_model.is_some() {
        ask.model = ep.url_model;
        ask.stream = ep.url_stream;
    }
    meta.model = ask.model.clone();
    meta.stream = ask.stream;

    let scenario = match scenario_of(req, &ask) {
        Ok(s) => s,
        Err(message) => return send_error(out, &ZenError::bad_request(message)),
    };
    meta.scenario = Some(scenario.to_string());
    // Record what is known now, so a stalled request is visible while it stalls.
    state.recorder.update(id, |r| {
        r.format = Some(format.name().to_string());
        r.model = ask.model.clone();
        r.stream = ask.stream;
        r.scenario = scenario.to_string();
    });

    // Zen validates the model before the key.
    let Some(model) = ask.model.as_deref().and_then(|m| state.config.model(m)) else {
        return send_error(out, &ZenError::unknown_model(ask.model.as_deref()));
    };
    if !model.served_on(format, state.config.strict_formats) {
        return send_error(out, &ZenError::wrong_format(&model.id, format.zen_name()));
    }
    match api_key(req, Some(format)) {
        None if !model.free => return send_error(out, &ZenError::missing_key()),
        Some(key) if key != state.config.key => return send_error(out, &ZenError::invalid_key()),
        _ => {}
    }

    let (delay_ms, delay_given) = delay(req, state.config.delay_ms);
    let mut shape = Shape {
        force_tool: req
            .header("x-mock-tool-call")
            .is_some_and(|v| v.trim() == "1"),
        deltas: None,
        markdown: false,
        body_len: req.body.len(),
        seq: id,
        now: unix_secs(),
    };
    let mut pace = delay_ms;
    match &scenario {
        Scenario::Echo => {}
        Scenario::Long(n) => shape.deltas = Some(*n),
        Scenario::Markdown(n) => {
            shape.deltas = Some(*n);
            shape.markdown = true;
        }
        Scenario::Slow => {
            shape.deltas = Some(SLOW_DELTAS);
            if !delay_given {
                pace = delay_ms.max(SLOW_DELAY_MS);
            }
        }
        Scenario::RateLimitOnce(key) => {
            if state.seen(key) == 1 {
                return send_error(out, &ZenError::rate_limit(retry_after(req)));
            }
        }
        Scenario::RateLimit(secs) => {
            let secs = secs.unwrap_or_else(|| retry_after(req));
            return send_error(out, &ZenError::rate_limit(secs));
        }
        Scenario::ServerError => return send_error(out, &ZenError::internal()),
        Scenario::Credits => return send_error(out, &ZenError::credits()),
        Scenario::FreeTier => return send_error(out, &ZenError::free_tier()),
        Scenario::ErrorCostTrailer => {
            // Zen pipes a non-200 upstream body through, then appends its
            // cost frame with no separator (observed, issue #14252).
            out.head(401, &json_headers())?;
            out.chunk(br#"{"error":{"message":"User not found.","code":401}}"#)?;
            out.chunk(b"data: {\"choices\":[],\"cost\":\"0\"}\n\n")?;
            return out.end();
        }
        Scenario::Replay(path) => return replay(out, path, pace),
        Scenario::StallBeforeHeaders => {
            let _ = out.pause(state.config.max_stall_ms);
            out.drop_connection();
            return Ok(());
        }
        Scenario::Garbage => return garbage(out, ask.stream, id, pace),
        Scenario::ResetBeforeHeaders => {
            out.drop_connection();
            return Ok(());
        }
        Scenario::Billed(_) | Scenario::LeakyError => {}
        Scenario::Overloaded
        | Scenario::OverloadedAfterOutput
        | Scenario::Reset
        | Scenario::Stall => {}
    }
    let mut plan = plan::build(model, &ask, &shape);
    if let Scenario::Billed(usd) = &scenario {
        plan.cost = usd.clone();
    }
    if ask.stream {
        let key = api_key(req, Some(format)).unwrap_or_default();
        stream(
            out,
            format,
            &plan,
            &scenario,
            pace,
            state.config.max_stall_ms,
            &key,
        )
    } else {
        non_stream(
            out,
            format,
            &plan,
            &scenario,
            pace,
            state.config.max_stall_ms,
        )
    }
}

fn retry_after(req: &Request) -> u64 {
    req.header("x-mock-retry-after")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(2)
}

/// The scenario from `x-mock-scenario`, else from a `/mock <scenario>` user
/// message. `replay:` is refused from messages: a web page can put text in a
/// message but (CORS) cannot set `x-mock-*` headers, and replay reads files.
fn scenario_of(req: &Request, ask: &Ask) -> Result<Scenario, String> {
    if let Some(h) = req.header("x-mock-scenario") {
        return Scenario::parse(h);
    }
    match ask.user_text.as_deref().and_then(plan::mock_command) {
        Some(cmd) => {
            let s = Scenario::parse(cmd)?;
            if matches!(s, Scenario::Replay(_)) {
                return Err("replay is only allowed via the x-mock-scenario header".into());
            }
            Ok(s)
        }
        None => Ok(Scenario::Echo),
    }
}

/// Sends frames with a pause before each one but the first.
fn send_frames(out: &mut Responder<'_>, frames: &[Frame], pace: u64, first: bool) -> Sent {
    for (i, f) in frames.iter().enumerate() {
        if i > 0 || !first {
            out.pause(pace)?;
        }
        out.chunk(&f.bytes)?;
    }
    Ok(())
}

/// Index just past the `n`-th text frame (or past the last one there is).
fn after_text(frames: &[Frame], n: usize) -> usize {
    let mut seen = 0;
    let mut end = 0;
    for (i, f) in frames.iter().enumerate() {
        if f.text {
            seen += 1;
            end = i + 1;
            if seen == n {
                break;
            }
        }
    }
    end.max(1).min(frames.len())
}

/// `bytes` cut in the middle of every copy of `needle` (whole when it has
/// none, or `needle` is shorter than two bytes).
fn cut_inside<'a>(bytes: &'a [u8], needle: &[u8]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    let mut rest = bytes;
    if needle.len() >= 2 {
        while let Some(at) = rest.windows(needle.len()).position(|w| w == needle) {
            let (piece, tail) = rest.split_at(at + needle.len() / 2);
            pieces.push(piece);
            rest = tail;
        }
    }
    pieces.push(rest);
    pieces
}

fn stream(
    out: &mut Responder<'_>,
    format: Format,
    plan: &Plan,
    scenario: &Scenario,
    pace: u64,
    max_stall: u64,
    key: &str,
) -> Sent {
    let frames = formats::stream(format, plan);
    out.head(200, &sse_headers())?;
    match scenario {
        Scenario::Overloaded => {
            send_frames(
                out,
                &formats::overloaded_frames(format, plan, 0),
                pace,
                true,
            )?;
            out.pause(pace)?;
            out.chunk(&formats::cost_trailer(format, plan, "0").bytes)?;
        }
        Scenario::OverloadedAfterOutput => {
            let cut = after_text(&frames, 3);
            let head = frames.get(..cut).unwrap_or_default();
            send_frames(out, head, pace, true)?;
            let error = formats::overloaded_frames(format, plan, head.len() as u64);
            send_frames(out, &error, pace, false)?;
            out.pause(pace)?;
            out.chunk(&formats::cost_trailer(format, plan, "0").bytes)?;
        }
        Scenario::Reset => {
            let cut = after_text(&frames, 2);
            send_frames(out, frames.get(..cut).unwrap_or_default(), pace, true)?;
            out.pause(pace)?;
            if let Some(next) = frames.get(cut) {
                out.partial_chunk(&next.bytes)?;
            }
            out.drop_connection();
            return Ok(());
        }
        Scenario::Stall => {
            send_frames(out, frames.get(..1).unwrap_or_default(), pace, true)?;
            let _ = out.pause(max_stall);
            out.drop_connection();
            return Ok(());
        }
        Scenario::LeakyError => {
            let cut = after_text(&frames, 2);
            let head = frames.get(..cut).unwrap_or_default();
            send_frames(out, head, pace, true)?;
            let message = format!(
                "Error from provider: upstream rejected the credential x-api-key: {key} (Authorization: Bearer {key})"
            );
            // The error frame arrives in pieces cut inside each copy of the
            // key: a relay that passed on an unfinished event would leak it.
            let frame = formats::error_frame(format, head.len() as u64, &message).bytes;
            for piece in cut_inside(&frame, key.as_bytes()) {
                out.pause(pace)?;
                out.chunk(piece)?;
            }
            out.pause(pace)?;
            out.chunk(&formats::cost_trailer(format, plan, "0").bytes)?;
        }
        _ => {
            send_frames(out, &frames, pace, true)?;
            out.pause(pace)?;
            out.chunk(&formats::cost_trailer(format, plan, &plan.cost).bytes)?;
        }
    }
    out.end()
}

fn non_stream(
    out: &mut Responder<'_>,
    format: Format,
    plan: &Plan,
    scenario: &Scenario,
    pace: u64,
    max_stall: u64,
) -> Sent {
    match scenario {
        Scenario::Overloaded | Scenario::OverloadedAfterOutput => {
            let (status, body) = formats::overloaded_body(format);
            send_json(out, status, &body)
        }
        Scenario::Reset => {
            out.head(200, &json_headers())?;
            out.partial_chunk(formats::body(format, plan).to_string().as_bytes())?;
            out.drop_connection();
            Ok(())
        }
        Scenario::Stall => {
            out.head(200, &json_headers())?;
            let _ = out.pause(max_stall);
            out.drop_connection();
            Ok(())
        }
        _ => {
            // A non-streaming answer takes as long as its stream would.
            if matches!(
                scenario,
                Scenario::Slow | Scenario::Long(_) | Scenario::Markdown(_)
            ) {
                let steps = plan.text.len() as u64;
                out.pause(pace.saturating_mul(steps))?;
            }
            send_json(out, 200, &formats::body(format, plan))
        }
    }
}

/// Splits at SSE event boundaries (`\r\n\r\n`, `\n\n`, `\r\r`), keeping them.
pub fn split_events(bytes: &[u8]) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let rest = bytes.get(i..).unwrap_or_default();
        let sep = if rest.starts_with(b"\r\n\r\n") {
            4
        } else if rest.starts_with(b"\n\n") || rest.starts_with(b"\r\r") {
            2
        } else {
            0
        };
        if sep > 0 {
            pieces.extend(bytes.get(start..i + sep));
            i += sep;
            start = i;
        } else {
            i += 1;
        }
    }
    pieces.extend(bytes.get(start..).filter(|rest| !rest.is_empty()));
    pieces
}

fn replay(out: &mut Responder<'_>, path: &str, pace: u64) -> Sent {
    let bytes = match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() <= MAX_REPLAY => std::fs::read(path),
        Ok(_) => Err(std::io::Error::other(
            "not a regular file of at most 64 MiB",
        )),
        Err(e) => Err(e),
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            return send_error(
                out,
                &ZenError::bad_request(format!("replay: cannot read {path}: {e}")),
            )
        }
    };
    let headers = if path.ends_with(".json") {
        json_headers()
    } else {
        sse_headers()
    };
    out.head(200, &headers)?;
    for (i, piece) in split_events(&bytes).into_iter().enumerate() {
        if i > 0 {
            out.pause(pace)?;
        }
        out.chunk(piece)?;
    }
    out.end()
}

/// A 200 whose body is no valid stream or JSON: random bytes, invalid
/// UTF-8, broken JSON, lines without a field name. Deterministic per request.
fn garbage(out: &mut Responder<'_>, stream: bool, seed: u64, pace: u64) -> Sent {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let random: Vec<u8> = (0..96)
        .map(|_| {
            // xorshift64: cheap, deterministic noise.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let pieces: [&[u8]; 6] = [
        &random,
        b"data: \xff\xfe\xfd not utf-8 \xc3\x28\n\n",
        b"data: {\"id\":\"chatcmpl-x\",\"choices\":[{\"delta\":{\"content\":\"unterminated\n\n",
        b"garbage line without a field name\n\n",
        b"data: [1, 2, 3]\n\ndata: \"just a string\"\n\n",
        b"\0\0\0event: \x01\ndata\n\n{not json}\r\n",
    ];
    let headers = if stream {
        sse_headers()
    } else {
        json_headers()
    };
    out.head(200, &headers)?;
    for (i, p) in pieces.iter().enumerate() {
        if i > 0 {
            out.pause(pace)?;
        }
        out.chunk(p)?;
    }
    out.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_at_every_boundary_kind() {
        let parts = split_events(b"data: a\n\nevent: b\r\ndata: c\r\n\r\ndata: d\r\rtail");
        assert_eq!(
            parts,
            [
                &b"data: a\n\n"[..],
                b"event: b\r\ndata: c\r\n\r\n",
                b"data: d\r\r",
                b"tail"
            ]
        );
        assert!(split_events(b"").is_empty());
    }

    #[test]
    fn endpoints() {
        assert!(endpoint("/chat/completions").is_some());
        let g = endpoint("/models/gemini-3-pro:streamGenerateContent").unwrap();
        assert_eq!(
            (g.url_model.as_deref(), g.url_stream),
            (Some("gemini-3-pro"), true)
        );
        for bad in [
            "/models/:generateContent",
            "/models/x:other",
            "/models/a/b:generateContent",
            "/nope",
        ] {
            assert!(endpoint(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn cut_points() {
        let f = |text| Frame {
            bytes: vec![],
            text,
        };
        let frames = [f(false), f(true), f(true), f(true), f(false)];
        assert_eq!(after_text(&frames, 2), 3);
        assert_eq!(after_text(&frames, 9), 4);
        assert_eq!(after_text(&[f(false), f(false)], 3), 1);
    }
}
