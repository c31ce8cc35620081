//! The wasm binding in a real browser (headless Chromium via
//! wasm-bindgen-test-runner): the JS-facing StreamDecoder over every project
//! fixture, and ZenClient against mock-zen (its URL comes from the
//! MOCK_ZEN_URL environment variable at compile time; `make test-browser`
//! starts it). Run with `scripts/test-browser`.
#![cfg(target_arch = "wasm32")]

mod number_text;

use js_sys::{Array, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use zenwire::wasm::{
    build_request, decode_response, estimate_cost, model, models, parse_error, JsStreamDecoder,
    ZenClient,
};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "common/event_types.rs"]
mod event_types;

/// Test-side JS (`wasm_browser.js`): what an application would write (`for await`, `break`,
/// AbortController, fetch of mock-zen's recording API).
#[wasm_bindgen(module = "/tests/wasm_browser.js")]
extern "C" {
    fn collect(stream: &JsValue, opts: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = getJson)]
    fn get_json(url: &str) -> Promise;
    #[wasm_bindgen(js_name = newAbortController)]
    fn new_abort_controller() -> JsValue;
    fn sleep(ms: u32) -> Promise;
    #[wasm_bindgen(js_name = abortLater)]
    fn abort_later(ctrl: &JsValue, ms: u32);
    #[wasm_bindgen(js_name = countingFetch)]
    fn counting_fetch() -> JsValue;
}

const MOCK: Option<&str> = option_env!("MOCK_ZEN_URL");
const KEY: &str = "zen-test-key";

fn mock() -> &'static str {
    MOCK.expect("MOCK_ZEN_URL must be set at build time (run `make test-browser`)")
}

fn json(text: &str) -> JsValue {
    JSON::parse(text).unwrap_or_else(|e| panic!("bad test JSON {text}: {e:?}"))
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn s(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

fn stringify(v: &JsValue) -> String {
    JSON::stringify(v).unwrap().as_string().unwrap()
}

macro_rules! fixture {
    ($fmt:literal, $name:literal) => {
        (
            $fmt,
            $name,
            include_bytes!(concat!("fixtures/", $fmt, "/", $name)) as &[u8],
        )
    };
}

/// Every hand-written stream fixture (tests/wasm_fixture_list.rs checks
/// that none is missing).
const FIXTURES: &[(&str, &str, &[u8])] = &[
    fixture!("chat", "content-filter.sse"),
    fixture!("chat", "error-data.sse"),
    fixture!("chat", "inference-cost-crlf.sse"),
    fixture!("chat", "n2-interleaved.sse"),
    fixture!("chat", "no-finish-no-final-blank-line.sse"),
    fixture!("chat", "reasoning-field.sse"),
    fixture!("chat", "refusal.sse"),
    fixture!("chat", "text-reasoning-content.sse"),
    fixture!("chat", "tool-fragments.sse"),
    fixture!("chat", "tool-invalid-json.sse"),
    fixture!("chat", "tool-length.sse"),
    fixture!("chat", "tool-same-chunk.sse"),
    fixture!("chat", "unicode.sse"),
    fixture!("responses", "failed-after-error.sse"),
    fixture!("responses", "failed-server-error.sse"),
    fixture!("responses", "function-call.sse"),
    fixture!("responses", "incomplete.sse"),
    fixture!("responses", "no-event-lines.sse"),
    fixture!("responses", "reasoning-summary.sse"),
    fixture!("responses", "text.sse"),
    fixture!("messages", "cost-normalized.sse"),
    fixture!("messages", "error-overloaded.sse"),
    fixture!("messages", "invalid-json.sse"),
    fixture!("messages", "missing-final-blank.sse"),
    fixture!("messages", "no-event-lines.sse"),
    fixture!("messages", "padded.sse"),
    fixture!("messages", "redacted-thinking.sse"),
    fixture!("messages", "server-tool.sse"),
    fixture!("messages", "text.sse"),
    fixture!("messages", "thinking.sse"),
    fixture!("messages", "tool-truncated.sse"),
    fixture!("messages", "tool-use.sse"),
    fixture!("gemini", "error-quota.sse"),
    fixture!("gemini", "error.sse"),
    fixture!("gemini", "function-call.sse"),
    fixture!("gemini", "max-tokens.sse"),
    fixture!("gemini", "multi-candidate.sse"),
    fixture!("gemini", "parallel-calls.sse"),
    fixture!("gemini", "ping-cost.sse"),
    fixture!("gemini", "prompt-blocked.sse"),
    fixture!("gemini", "safety.sse"),
    fixture!("gemini", "text.sse"),
    fixture!("gemini", "thinking.sse"),
];

/// Events + final message of `body` pushed through the JS-facing decoder in
/// pieces of the given sizes (cycled), as JSON text.
fn decode_in_pieces(format: &str, body: &[u8], sizes: &[usize]) -> (String, String) {
    let mut d = JsStreamDecoder::new(format).unwrap();
    let all = Array::new();
    let mut rest = body;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].clamp(1, rest.len());
        let (piece, tail) = rest.split_at(n);
        for ev in d.push(piece).unchecked_into::<Array>().iter() {
            all.push(&ev);
        }
        rest = tail;
        i += 1;
    }
    for ev in d.finish().unchecked_into::<Array>().iter() {
        all.push(&ev);
    }
    (stringify(&all), stringify(&d.message().unwrap()))
}

#[wasm_bindgen_test]
fn stream_decoder_is_split_invariant_on_every_fixture() {
    // Deterministic pseudo-random piece sizes.
    let mut rng = XorShift(0x9e37_79b9);
    let random: Vec<usize> = (0..64).map(|_| rng.below(23) + 1).collect();
    let mut seen = std::collections::BTreeSet::new();
    for (format, name, body) in FIXTURES {
        let whole = decode_in_pieces(format, body, &[body.len().max(1)]);
        let events: Vec<serde_json::Value> = serde_json::from_str(&whole.0).unwrap();
        assert!(!events.is_empty(), "{format}/{name}: no events");
        seen.extend(
            events
                .iter()
                .filter_map(|e| e["type"].as_str().map(str::to_owned)),
        );
        // Same events as the native decoder: the binding adds nothing.
        let (native, native_msg) = zenwire::stream::decode_all(format.parse().unwrap(), body);
        assert_eq!(
            whole.0,
            serde_json::to_string(&native).unwrap(),
            "{format}/{name}"
        );
        assert_eq!(whole.1, serde_json::to_string(&native_msg).unwrap());
        assert_eq!(
            decode_in_pieces(format, body, &[1]),
            whole,
            "{format}/{name} 1-byte"
        );
        assert_eq!(
            decode_in_pieces(format, body, &random),
            whole,
            "{format}/{name} random"
        );
    }
    // So the JS objects of every event variant (the tape's fast path and
    // the JSON path) were compared with the native writer above.
    for t in event_types::EVENT_TYPES {
        assert!(seen.contains(t), "no {t} event in the fixtures: {seen:?}");
    }
}

/// Deterministic pseudo-random numbers (xorshift32).
struct XorShift(u32);

impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0 as usize % n
    }
}

#[wasm_bindgen_test]
fn stream_decoder_hands_over_any_text_exactly() {
    // Text that is easy to get wrong on its way to a JS string: escapes,
    // controls, a byte-order mark, line separators, BMP and astral
    // characters (two UTF-16 units), the largest code point.
    const CHARS: &[char] = &[
        'a',
        'Z',
        ' ',
        '"',
        '\\',
        '\n',
        '\t',
        '\0',
        '\u{1f}',
        '/',
        'é',
        '€',
        '日',
        '\u{FEFF}',
        '\u{2028}',
        '\u{FFFD}',
        '😀',
        '𝔘',
        '\u{10FFFF}',
    ];
    let mut rng = XorShift(0x2545_f491);
    let mut body = String::new();
    for i in 0..400 {
        let text: String = (0..rng.below(12))
            .map(|_| CHARS[rng.below(CHARS.len())])
            .collect();
        let choice = rng.below(3);
        let delta = match rng.below(5) {
            0 => serde_json::json!({ "content": text }),
            1 => serde_json::json!({ "reasoning_content": text }),
            2 => serde_json::json!({ "refusal": text }),
            3 => serde_json::json!({ "tool_calls": [{ "index": 0, "id": format!("{text}{i}"),
                "type": "function", "function": { "name": text, "arguments": "" } }] }),
            _ => serde_json::json!({ "tool_calls": [{ "index": 0,
                "function": { "arguments": text } }] }),
        };
        let frame = serde_json::json!({ "id": "c", "model": "m",
            "choices": [{ "index": choice, "delta": delta, "finish_reason": null }] });
        body.push_str(&format!("data: {frame}\n\n"));
    }
    body.push_str("data: [DONE]\n\n");
    let body = body.as_bytes();
    let (native, native_msg) = zenwire::stream::decode_all("chat".parse().unwrap(), body);
    let expected = (
        serde_json::to_string(&native).unwrap(),
        serde_json::to_string(&native_msg).unwrap(),
    );
    assert!(native.len() > 400, "only {} events", native.len());
    // One push for everything, and small random pieces (an event or less).
    assert_eq!(decode_in_pieces("chat", body, &[body.len()]), expected);
    let sizes: Vec<usize> = (0..97).map(|_| rng.below(40) + 1).collect();
    assert_eq!(decode_in_pieces("chat", body, &sizes), expected);
}

/// The double `JSON.parse` makes of `text`, as bits (`None`: ±Infinity,
/// which zenwire refuses rather than rounds).
fn json_parse_bits(text: &str) -> Option<u64> {
    let n = json(text).as_f64().expect("a number");
    n.is_finite().then(|| n.to_bits())
}

/// `value.x` as bits.
fn x_bits(value: &JsValue) -> Option<u64> {
    get(value, "x").as_f64().map(f64::to_bits)
}

#[wasm_bindgen_test]
fn numbers_decode_as_json_parse_reads_them() {
    use number_text::{Decimal, KNOWN};
    let mut rng = XorShift(0x5bd1_e995);
    let mut below = |n: u32| rng.below(n as usize) as u32;
    let mut texts: Vec<String> = KNOWN.iter().map(|t| t.to_string()).collect();
    texts.extend((0..500).map(|_| Decimal::random(&mut below).text()));
    texts.push("1e400".into());

    // A chat stream with one tool call per number, `{"x":N}`, its argument
    // text cut in two deltas.
    let mut body = String::new();
    for (i, text) in texts.iter().enumerate() {
        let args = format!(r#"{{"x":{text}}}"#);
        let (a, b) = args.split_at(args.len() / 2);
        for (n, piece) in [a, b].into_iter().enumerate() {
            let head = if n == 0 {
                format!(r#""id":"call_{i}","type":"function","function":{{"name":"f","#)
            } else {
                r#""function":{"#.to_owned()
            };
            let piece = serde_json::to_string(piece).unwrap();
            body.push_str(&format!(
                r#"data: {{"id":"c","model":"m","choices":[{{"index":0,"delta":{{"tool_calls":[{{"index":{i},{head}"arguments":{piece}}}}}]}},"finish_reason":null}}]}}"#
            ));
            body.push_str("\n\n");
        }
    }
    body.push_str("data: [DONE]\n\n");
    let mut d = JsStreamDecoder::new("chat").unwrap();
    let events = Array::new();
    for piece in body.as_bytes().chunks(97) {
        for ev in d.push(piece).unchecked_into::<Array>().iter() {
            events.push(&ev);
        }
    }
    for ev in d.finish().unchecked_into::<Array>().iter() {
        events.push(&ev);
    }
    let calls: Vec<JsValue> = events
        .iter()
        .filter(|e| {
            matches!(
                s(e, "type").as_deref(),
                Some("toolCall" | "toolCallInvalid")
            )
        })
        .collect();
    assert_eq!(calls.len(), texts.len());
    let mut compared = 0;
    for (text, call) in texts.iter().zip(&calls) {
        let want = json_parse_bits(text);
        match want {
            Some(bits) => {
                assert_eq!(s(call, "type").as_deref(), Some("toolCall"), "{text}");
                assert_eq!(
                    x_bits(&get(call, "arguments")),
                    Some(bits),
                    "stream: {text}"
                );
                compared += 1;
            }
            None => assert_eq!(
                s(call, "type").as_deref(),
                Some("toolCallInvalid"),
                "{text}"
            ),
        }

        // Non-streaming, arguments sent as an object (Anthropic's `input`).
        let whole = format!(
            r#"{{"id":"msg","type":"message","role":"assistant","model":"m","content":[{{"type":"tool_use","id":"t","name":"f","input":{{"x":{text}}}}}],"stop_reason":"tool_use"}}"#
        );
        let msg = decode_response("messages", &whole).unwrap();
        let call = get(&get(&get(&get(&msg, "choices"), "0"), "toolCalls"), "0");
        if let Some(bits) = want {
            assert_eq!(x_bits(&get(&call, "arguments")), Some(bits), "body: {text}");

            // A request built from a JS object: the number crosses as
            // `JSON.stringify`'s shortest text (`-0` as `0`) and must come
            // back as JS's own round trip gives it.
            let req = json(&format!(
                r#"{{"model":"big-pickle","messages":[{{"role":"user","content":"Hi"}}],"extra":{{"x":{text}}}}}"#
            ));
            let js_round_trip = json(&stringify(&get(&req, "extra")));
            let http = build_request(req, JsValue::UNDEFINED).unwrap();
            let sent = json(&s(&http, "body").unwrap());
            assert_eq!(
                x_bits(&sent),
                x_bits(&js_round_trip),
                "request extra: {text}"
            );
        }
    }
    assert!(compared > 400, "only {compared} finite numbers");
}

#[wasm_bindgen_test]
fn stream_decoder_rejects_unknown_formats_with_a_zen_error() {
    let err = JsStreamDecoder::new("grpc").err().expect("must throw");
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(s(&err, "kind").as_deref(), Some("invalidRequest"));
    assert!(s(&err, "message").unwrap().contains("grpc"));
}

#[wasm_bindgen_test]
fn functions_match_the_core() {
    let req = json(
        r#"{"model":"claude-haiku-4-5","messages":[{"role":"user","content":"Hi"}],"stream":true}"#,
    );
    let http = build_request(
        req.clone(),
        json(r#"{"apiKey":"k","baseUrl":"http://h/zen/v1"}"#),
    )
    .unwrap();
    assert_eq!(s(&http, "url").as_deref(), Some("http://h/zen/v1/messages"));
    assert_eq!(s(&http, "method").as_deref(), Some("POST"));
    assert_eq!(s(&get(&http, "headers"), "x-api-key").as_deref(), Some("k"));
    let body: serde_json::Value = serde_json::from_str(&s(&http, "body").unwrap()).unwrap();
    assert_eq!(body["model"], "claude-haiku-4-5");

    let missing_key = build_request(req, JsValue::UNDEFINED).err().unwrap();
    assert_eq!(s(&missing_key, "kind").as_deref(), Some("auth"));
    let bad = build_request(
        json(
            r#"{"model":"big-pickle","messages":[{"role":"user","content":"Hi"}],"temperature":7}"#,
        ),
        JsValue::UNDEFINED,
    )
    .err()
    .unwrap();
    assert_eq!(s(&bad, "kind").as_deref(), Some("invalidRequest"));
    assert!(s(&bad, "message").unwrap().contains("temperature"));
    let typo = build_request(
        json(r#"{"model":"big-pickle","messages":[],"maxTokens":5}"#),
        JsValue::UNDEFINED,
    )
    .err()
    .unwrap();
    assert!(s(&typo, "message").unwrap().contains("maxTokens"));

    let all = models().unwrap().unchecked_into::<Array>();
    assert_eq!(
        all.length() as usize,
        zenwire::catalog::Catalog::builtin().len()
    );
    let m = model("no-such-model").unwrap();
    assert_eq!(get(&m, "unknown"), JsValue::TRUE);
    assert_eq!(s(&m, "format").as_deref(), Some("chat"));

    let cost = estimate_cost(
        "claude-haiku-4-5",
        json(r#"{"inputTokens":1000000,"outputTokens":1000000}"#),
    )
    .unwrap();
    assert_eq!(s(&cost, "total").as_deref(), Some("6"));
    assert_eq!(
        stringify(&get(&cost, "missing")),
        r#"["cacheReadTokens","cacheWriteTokens"]"#
    );

    let headers = json(r#"{"Retry-After":"7"}"#);
    let e = parse_error(
        429,
        headers,
        r#"{"type":"error","error":{"type":"RateLimitError","message":"Slow down"}}"#,
    );
    assert!(e.is_instance_of::<js_sys::Error>());
    assert_eq!(s(&e, "name").as_deref(), Some("ZenError"));
    assert_eq!(s(&e, "kind").as_deref(), Some("rateLimit"));
    assert_eq!(get(&e, "status").as_f64(), Some(429.0));
    assert_eq!(get(&e, "retryAfter").as_f64(), Some(7.0));
    assert_eq!(get(&e, "retryable"), JsValue::TRUE);
    assert!(get(&e, "stack").is_string());
    // Headers objects and pair arrays work too.
    let h = web_sys::Headers::new().unwrap();
    h.set("retry-after-ms", "1500").unwrap();
    assert_eq!(
        get(&parse_error(503, h.into(), ""), "retryAfter").as_f64(),
        Some(1.5)
    );
    let pairs = json(r#"[["retry-after","3"]]"#);
    let e = parse_error(
        402,
        pairs,
        r#"{"type":"error","error":{"type":"CreditsError","message":"No credits"}}"#,
    );
    assert_eq!(s(&e, "kind").as_deref(), Some("credits"));
    assert_eq!(get(&e, "retryAfter").as_f64(), Some(3.0));
    assert_eq!(get(&e, "provider"), JsValue::UNDEFINED);

    let msg = decode_response(
        "chat",
        r#"{"id":"c1","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hey"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}"#,
    )
    .unwrap();
    assert_eq!(
        s(&get(&get(&msg, "choices"), "0"), "text").as_deref(),
        Some("hey")
    );
    let err = decode_response("chat", "not json").err().unwrap();
    assert_eq!(s(&err, "kind").as_deref(), Some("protocol"));
}

fn client(extra: &str) -> ZenClient {
    let opts = format!(
        r#"{{"baseUrl":"{}/zen/v1","apiKey":"{KEY}"{extra}}}"#,
        mock()
    );
    ZenClient::new(json(&opts)).unwrap()
}

fn request(model: &str, text: &str, more: &str) -> JsValue {
    let text = serde_json::to_string(text).unwrap();
    json(&format!(
        r#"{{"model":"{model}","messages":[{{"role":"user","content":{text}}}]{more}}}"#
    ))
}

struct Outcome {
    events: Vec<serde_json::Value>,
    error: JsValue,
    message: serde_json::Value,
}

impl Outcome {
    fn of_type(&self, t: &str) -> Vec<&serde_json::Value> {
        self.events.iter().filter(|e| e["type"] == t).collect()
    }
    fn text(&self) -> String {
        self.of_type("textDelta")
            .iter()
            .filter_map(|e| e["text"].as_str())
            .collect()
    }
    fn error_kind(&self) -> Option<String> {
        if self.error.is_null() {
            None
        } else {
            s(&self.error, "kind")
        }
    }
}

async fn run(stream: JsValue, opts: JsValue) -> Outcome {
    let out = JsFuture::from(collect(&stream, &opts)).await.unwrap();
    assert_eq!(get(&out, "selfIterator"), JsValue::TRUE);
    let error = get(&out, "error");
    if !error.is_null() {
        assert_eq!(
            get(&out, "isError"),
            JsValue::TRUE,
            "thrown errors are Error objects"
        );
        assert_eq!(s(&error, "name").as_deref(), Some("ZenError"));
    }
    Outcome {
        events: serde_json::from_str(&stringify(&get(&out, "events"))).unwrap(),
        error,
        message: serde_json::from_str(&stringify(&get(&out, "message"))).unwrap(),
    }
}

/// Every recorded request whose body mentions `tag`.
async fn recorded(tag: &str) -> Vec<serde_json::Value> {
    let all = JsFuture::from(get_json(&format!("{}/__mock/requests", mock())))
        .await
        .unwrap();
    let all: Vec<serde_json::Value> = serde_json::from_str(&stringify(&all)).unwrap();
    all.into_iter()
        .filter(|r| r["body"].to_string().contains(tag))
        .collect()
}

/// Waits until mock-zen has finished recording the request tagged `tag`
/// (it notices a client leaving within ~10 ms).
async fn finished_request(tag: &str) -> serde_json::Value {
    for _ in 0..100 {
        let reqs = recorded(tag).await;
        if let Some(last) = reqs.last() {
            if last["cancelled"] == true || last["completed"] == true {
                return last.clone();
            }
        }
        sleep_ms(20).await;
    }
    panic!("request {tag} never finished");
}

async fn sleep_ms(ms: u32) {
    JsFuture::from(sleep(ms)).await.unwrap();
}

fn unique(label: &str) -> String {
    format!("{label}-{}", (js_sys::Math::random() * 1e12) as u64)
}

const MODELS: [(&str, &str); 4] = [
    ("chat", "big-pickle"),
    ("responses", "gpt-5-nano"),
    ("messages", "claude-haiku-4-5"),
    ("gemini", "gemini-3-pro"),
];

#[wasm_bindgen_test]
async fn streams_text_usage_and_cost_in_every_format() {
    for (format, id) in MODELS {
        let c = client("");
        let out = run(
            c.stream(request(id, "Hello there friend", ""), JsValue::UNDEFINED)
                .unwrap(),
            JsValue::NULL,
        )
        .await;
        assert_eq!(out.error_kind(), None, "{format}");
        assert_eq!(out.text(), "You said: Hello there friend", "{format}");
        assert!(
            out.of_type("textDelta").len() > 1,
            "{format}: delivered in pieces"
        );
        assert_eq!(
            out.message["choices"][0]["text"], "You said: Hello there friend",
            "{format}"
        );
        assert_eq!(
            out.message["choices"][0]["finishReason"], "stop",
            "{format}"
        );
        assert!(!out.of_type("usage").is_empty(), "{format}: usage");
        assert!(
            out.message["usage"]["outputTokens"].as_u64().unwrap() > 0,
            "{format}"
        );
        assert_eq!(out.of_type("cost").len(), 1, "{format}: Zen cost frame");
        assert!(out.message["cost"].is_string(), "{format}");
    }
}

#[wasm_bindgen_test]
async fn streams_tool_calls_in_every_format() {
    let tools = r#","tools":[{"name":"lookup","description":"Look up","parameters":{"type":"object","properties":{"input":{"type":"string"}}}}]"#;
    for (format, id) in MODELS {
        let out = run(
            client("")
                .stream(
                    request(id, "please use tool now", tools),
                    JsValue::UNDEFINED,
                )
                .unwrap(),
            JsValue::NULL,
        )
        .await;
        assert_eq!(out.error_kind(), None, "{format}");
        let calls = out.of_type("toolCall");
        assert_eq!(calls.len(), 1, "{format}: {:?}", out.events);
        assert_eq!(calls[0]["name"], "lookup", "{format}");
        assert_eq!(
            calls[0]["arguments"]["input"], "please use tool now",
            "{format}"
        );
        assert_eq!(
            out.message["choices"][0]["toolCalls"][0]["name"], "lookup",
            "{format}"
        );
        assert_eq!(
            out.message["choices"][0]["finishReason"], "toolCalls",
            "{format}"
        );
    }
}

#[wasm_bindgen_test]
async fn streams_reasoning_in_every_format() {
    let reasoning = r#","reasoning":{"effort":"low"}"#;
    for (format, id) in MODELS {
        let out = run(
            client("")
                .stream(request(id, "think first", reasoning), JsValue::UNDEFINED)
                .unwrap(),
            JsValue::NULL,
        )
        .await;
        assert_eq!(out.error_kind(), None, "{format}");
        assert!(
            !out.of_type("reasoningDelta").is_empty(),
            "{format}: {:?}",
            out.events
        );
        assert!(
            !out.message["choices"][0]["reasoning"]
                .as_str()
                .unwrap()
                .is_empty(),
            "{format}"
        );
        assert_eq!(out.text(), "You said: think first", "{format}");
    }
}

#[wasm_bindgen_test]
async fn complete_decodes_non_streaming_answers_in_every_format() {
    for (format, id) in MODELS {
        let msg =
            JsFuture::from(client("").complete(request(id, "Just once", ""), JsValue::UNDEFINED))
                .await
                .unwrap();
        assert_eq!(
            s(&get(&get(&msg, "choices"), "0"), "text").as_deref(),
            Some("You said: Just once"),
            "{format}"
        );
        assert!(get(&msg, "cost").is_string(), "{format}");
    }
}

#[wasm_bindgen_test]
async fn list_models_merges_the_gateway_list_with_the_catalog() {
    let list = JsFuture::from(client("").list_models()).await.unwrap();
    let list: Vec<serde_json::Value> = serde_json::from_str(&stringify(&list)).unwrap();
    let find = |id: &str| list.iter().find(|m| m["id"] == id).cloned();
    assert_eq!(find("big-pickle").unwrap()["unavailable"], false);
    // mock-zen (like Zen) hides alpha models from /models.
    assert_eq!(find("alpha-gd4").unwrap()["unavailable"], true);
}

#[wasm_bindgen_test]
async fn cancel_mid_stream_closes_the_connection_and_throws_aborted() {
    let tag = unique("cancel");
    let out = run(
        client("")
            .stream(
                request("big-pickle", &format!("/mock slow\n{tag}"), ""),
                JsValue::UNDEFINED,
            )
            .unwrap(),
        json(r#"{"cancelAfterText":true}"#),
    )
    .await;
    assert_eq!(out.error_kind().as_deref(), Some("aborted"));
    assert!(!out.of_type("textDelta").is_empty());
    assert!(out.of_type("textDelta").len() < 300);
    let rec = finished_request(&tag).await;
    assert_eq!(rec["cancelled"], true, "{rec}");
}

#[wasm_bindgen_test]
async fn abort_signal_cancels_the_request() {
    let tag = unique("signal");
    let ctrl = new_abort_controller();
    let opts = js_sys::Object::new();
    Reflect::set(&opts, &"signal".into(), &get(&ctrl, "signal")).unwrap();
    let stream = client("")
        .stream(
            request("big-pickle", &format!("/mock slow\n{tag}"), ""),
            opts.into(),
        )
        .unwrap();
    let run_opts = js_sys::Object::new();
    Reflect::set(&run_opts, &"abortAfterText".into(), &ctrl).unwrap();
    let out = run(stream, run_opts.into()).await;
    assert_eq!(out.error_kind().as_deref(), Some("aborted"));
    assert_eq!(finished_request(&tag).await["cancelled"], true);
}

#[wasm_bindgen_test]
async fn break_in_for_await_cancels_the_request() {
    let tag = unique("break");
    let out = run(
        client("")
            .stream(
                request("big-pickle", &format!("/mock slow\n{tag}"), ""),
                JsValue::UNDEFINED,
            )
            .unwrap(),
        json(r#"{"breakAfterText":true}"#),
    )
    .await;
    assert_eq!(out.error_kind(), None);
    assert_eq!(out.of_type("textDelta").len(), 1);
    assert_eq!(finished_request(&tag).await["cancelled"], true);
}

#[wasm_bindgen_test]
async fn retries_a_rate_limit_before_output() {
    let tag = unique("ratelimit");
    let out = run(
        client("")
            .stream(
                request(
                    "big-pickle",
                    &format!("/mock rate-limit-once:{tag}\nhi"),
                    "",
                ),
                JsValue::UNDEFINED,
            )
            .unwrap(),
        JsValue::NULL,
    )
    .await;
    assert_eq!(out.error_kind(), None);
    assert_eq!(out.text(), "You said: hi");
    let reqs = recorded(&tag).await;
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert_eq!(reqs[0]["status"], 429);
    assert_eq!(reqs[1]["status"], 200);
}

#[wasm_bindgen_test]
async fn retries_an_in_stream_error_before_output_then_reports_it() {
    let tag = unique("overloaded");
    let out = run(
        client(r#","maxRetries":1"#)
            .stream(
                request("claude-haiku-4-5", &format!("/mock overloaded\n{tag}"), ""),
                JsValue::UNDEFINED,
            )
            .unwrap(),
        JsValue::NULL,
    )
    .await;
    assert_eq!(recorded(&tag).await.len(), 2);
    // Given up: the error arrives as an event, the iteration ends normally.
    assert_eq!(out.error_kind(), None);
    let errors = out.of_type("error");
    assert_eq!(errors.len(), 1, "{:?}", out.events);
    assert_eq!(errors[0]["kind"], "overloaded");
    assert_eq!(out.message["error"]["kind"], "overloaded");
}

#[wasm_bindgen_test]
async fn never_retries_after_output() {
    let tag = unique("after-output");
    let out = run(
        client("")
            .stream(
                request(
                    "claude-haiku-4-5",
                    &format!("/mock overloaded-after-output\n{tag}"),
                    "",
                ),
                JsValue::UNDEFINED,
            )
            .unwrap(),
        JsValue::NULL,
    )
    .await;
    assert_eq!(recorded(&tag).await.len(), 1);
    assert_eq!(out.of_type("textDelta").len(), 3);
    assert_eq!(out.of_type("error").len(), 1);
    assert_eq!(out.message["error"]["kind"], "overloaded");
}

#[wasm_bindgen_test]
async fn http_errors_throw_typed_zen_errors() {
    // A wrong key.
    let bad_key = ZenClient::new(json(&format!(
        r#"{{"baseUrl":"{}/zen/v1","apiKey":"wrong"}}"#,
        mock()
    )))
    .unwrap();
    let out = run(
        bad_key
            .stream(request("claude-haiku-4-5", "hi", ""), JsValue::UNDEFINED)
            .unwrap(),
        JsValue::NULL,
    )
    .await;
    assert_eq!(out.error_kind().as_deref(), Some("auth"));
    assert_eq!(get(&out.error, "status").as_f64(), Some(401.0));
    assert_eq!(get(&out.error, "retryable"), JsValue::FALSE);
    assert!(out.events.is_empty());
    for (scenario, kind, status) in [
        ("credits", "credits", 401.0),
        ("free-tier", "freeTier", 403.0),
    ] {
        let tag = unique(scenario);
        let out = run(
            client("")
                .stream(
                    request("big-pickle", &format!("/mock {scenario}\n{tag}"), ""),
                    JsValue::UNDEFINED,
                )
                .unwrap(),
            JsValue::NULL,
        )
        .await;
        assert_eq!(out.error_kind().as_deref(), Some(kind), "{scenario}");
        assert_eq!(
            get(&out.error, "status").as_f64(),
            Some(status),
            "{scenario}"
        );
        assert_eq!(recorded(&tag).await.len(), 1, "{scenario}: never retried");
    }
    // complete() throws the same way.
    let err =
        JsFuture::from(bad_key.complete(request("claude-haiku-4-5", "hi", ""), JsValue::UNDEFINED))
            .await
            .err()
            .unwrap();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(s(&err, "kind").as_deref(), Some("auth"));
}

#[wasm_bindgen_test]
async fn timeouts_throw_timeout_after_retries() {
    let tag = unique("stall");
    let out = run(
        client(r#","idleTimeoutMs":150,"firstByteTimeoutMs":150,"maxRetries":1"#)
            .stream(
                request(
                    "big-pickle",
                    &format!("/mock stall-before-headers\n{tag}"),
                    "",
                ),
                JsValue::UNDEFINED,
            )
            .unwrap(),
        JsValue::NULL,
    )
    .await;
    assert_eq!(out.error_kind().as_deref(), Some("timeout"));
    assert_eq!(recorded(&tag).await.len(), 2);

    let tag = unique("idle");
    let out = run(
        client(r#","idleTimeoutMs":150,"maxRetries":0"#)
            .stream(
                request("big-pickle", &format!("/mock stall\n{tag}"), ""),
                JsValue::UNDEFINED,
            )
            .unwrap(),
        JsValue::NULL,
    )
    .await;
    assert_eq!(out.error_kind().as_deref(), Some("timeout"));
    assert_eq!(finished_request(&tag).await["cancelled"], true);
}

#[wasm_bindgen_test]
async fn network_failures_throw_network() {
    // Port 9 (discard) is closed on the test machine.
    let c = ZenClient::new(json(
        r#"{"baseUrl":"http://127.0.0.1:9/zen/v1","maxRetries":0}"#,
    ))
    .unwrap();
    let out = run(
        c.stream(request("big-pickle", "hi", ""), JsValue::UNDEFINED)
            .unwrap(),
        JsValue::NULL,
    )
    .await;
    assert_eq!(out.error_kind().as_deref(), Some("network"));
}

#[wasm_bindgen_test]
fn invalid_requests_throw_before_sending() {
    let err = client("")
        .stream(
            json(r#"{"model":"big-pickle","messages":"nope"}"#),
            JsValue::UNDEFINED,
        )
        .err()
        .unwrap();
    assert_eq!(s(&err, "kind").as_deref(), Some("invalidRequest"));
    let err = ZenClient::new(json(r#"{"maxRetries":-1}"#)).err().unwrap();
    assert_eq!(s(&err, "kind").as_deref(), Some("invalidRequest"));
}

#[wasm_bindgen_test]
async fn complete_honours_the_abort_signal() {
    let tag = unique("complete-abort");
    let ctrl = new_abort_controller();
    let opts = js_sys::Object::new();
    Reflect::set(&opts, &"signal".into(), &get(&ctrl, "signal")).unwrap();
    let pending = client("").complete(
        request("big-pickle", &format!("/mock slow\n{tag}"), ""),
        opts.into(),
    );
    abort_later(&ctrl, 100);
    let err = JsFuture::from(pending).await.expect_err("must reject");
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(s(&err, "kind").as_deref(), Some("aborted"));
    assert_eq!(finished_request(&tag).await["cancelled"], true);
}

#[wasm_bindgen_test]
async fn an_injected_fetch_is_used_with_browser_safe_headers() {
    let counting = counting_fetch();
    let opts = json(&format!(
        r#"{{"baseUrl":"{}/zen/v1","apiKey":"{KEY}"}}"#,
        mock()
    ));
    Reflect::set(&opts, &"fetch".into(), &get(&counting, "fetch")).unwrap();
    let c = ZenClient::new(opts).unwrap();
    let out = run(
        c.stream(
            request("claude-haiku-4-5", "via injected", ""),
            JsValue::UNDEFINED,
        )
        .unwrap(),
        JsValue::NULL,
    )
    .await;
    assert_eq!(out.text(), "You said: via injected");
    let seen: Vec<serde_json::Value> =
        serde_json::from_str(&stringify(&get(&counting, "seen"))).unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0]["method"], "POST");
    assert!(seen[0]["url"]
        .as_str()
        .unwrap()
        .ends_with("/zen/v1/messages"));
    // A page: only what Zen's CORS preflight allows.
    let mut names: Vec<&str> = seen[0]["headers"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["accept", "anthropic-version", "content-type", "x-api-key"]
    );
}
