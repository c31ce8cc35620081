//! The hand-written JSON writers (`Event::write_json`, `Message::write_json`,
//! `ModelInfo::write_json`, `CostEstimate::write_json`: what the JS binding
//! hands to `JSON.parse`) against `serde_json::to_string` of the serde
//! derives, byte for byte: on every event and message the fixtures decode
//! to, every catalog entry, and generated values with odd strings and
//! arguments of every shape.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;
use zenwire::error::ErrorKind;
use zenwire::event::{Accumulator, Event, FinishReason, Message, Usage};
use zenwire::json_write::JsonWriter;
use zenwire::{StreamDecoder, WireFormat};

/// Every file below `dir`, sorted.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn assert_same_event(ev: &Event, what: &str) {
    assert_eq!(ev.to_json(), serde_json::to_string(ev).unwrap(), "{what}");
}

fn assert_same_message(m: &Message, what: &str) {
    assert_eq!(m.to_json(), serde_json::to_string(m).unwrap(), "{what}");
}

/// Decodes `body` as `format` in one push and in 7-byte pieces, checking
/// every event and the final message; returns the event type names seen.
fn check_stream(format: WireFormat, body: &[u8], what: &str, seen: &mut BTreeSet<String>) -> usize {
    let mut checked = 0;
    for piece in [body.len().max(1), 7] {
        let mut dec = StreamDecoder::new(format);
        let mut events = Vec::new();
        for chunk in body.chunks(piece) {
            dec.push(chunk, &mut events);
        }
        dec.finish(&mut events);
        for ev in &events {
            assert_same_event(ev, what);
            let v: Value = serde_json::from_str(&ev.to_json()).unwrap();
            if let Some(t) = v.get("type").and_then(Value::as_str) {
                seen.insert(t.to_owned());
            }
        }
        assert_same_message(dec.message(), what);
        checked += events.len() + 1;
    }
    checked
}

/// Every fixture of `dir`, as every format: SSE bodies (and `.chunks.txt`
/// turned into SSE) through the stream decoder, and the text of every
/// file through the non-streaming decoder.
fn check_fixture_dir(dir: &Path, seen: &mut BTreeSet<String>) -> usize {
    let mut paths = Vec::new();
    files(dir, &mut paths);
    assert!(!paths.is_empty(), "no fixtures in {}", dir.display());
    let mut checked = 0;
    for path in paths {
        let Ok(bytes) = fs::read(&path) else {
            continue;
        };
        let name = path.display().to_string();
        let mut bodies = vec![bytes.clone()];
        if name.ends_with(".chunks.txt") {
            let text = String::from_utf8_lossy(&bytes);
            bodies.push(common::chunks_to_sse(&text, true, false));
            bodies.push(common::chunks_to_sse(&text, false, true));
        }
        for format in WireFormat::ALL {
            for body in &bodies {
                checked += check_stream(format, body, &format!("{name} as {format:?}"), seen);
            }
            if let Ok(text) = std::str::from_utf8(&bytes) {
                if let Ok(m) = zenwire::response::decode_response(format, text) {
                    assert_same_message(&m, &format!("{name} non-stream as {format:?}"));
                    checked += 1;
                }
            }
        }
    }
    checked
}

#[test]
fn every_project_fixture_writes_as_serde_does() {
    let mut seen = BTreeSet::new();
    let checked = check_fixture_dir(&common::fixtures(), &mut seen);
    assert!(checked > 1000, "only {checked} values checked");
    // The fixtures cover every event shape but the ones no recorded
    // provider emits in these files; the proptest below covers all.
    for t in common::event_types::EVENT_TYPES {
        assert!(seen.contains(t), "no {t} event in the fixtures: {seen:?}");
    }
}

#[test]
fn every_shared_fixture_writes_as_serde_does() {
    let Some(dir) = common::shared_fixtures() else {
        eprintln!("shared fixtures absent; skipped");
        return;
    };
    let mut seen = BTreeSet::new();
    let checked = check_fixture_dir(&dir, &mut seen);
    assert!(checked > 1000, "only {checked} values checked");
}

fn written(write: impl FnOnce(&mut JsonWriter)) -> String {
    let mut w = JsonWriter::new();
    write(&mut w);
    w.finish()
}

#[test]
fn every_catalog_entry_and_its_estimates_write_as_serde_does() {
    let catalog = zenwire::catalog::Catalog::builtin();
    let mut models = catalog.models().to_vec();
    // Also an unknown model (no prices, guessed format) and the optional
    // members the table may not use.
    models.push(catalog.resolve("no-such-model"));
    let mut extra = models[0].clone();
    extra.provider = Some("a\"b\u{1}".into());
    extra.status = Some("beta".into());
    extra.unavailable = true;
    models.push(extra);
    assert!(models.len() > 10);
    let usages = [
        Usage::default(),
        common::usage(Some(1_000), Some(200), Some(50), Some(7), Some(3)),
        common::usage(Some(250_000), Some(1), None, Some(0), None),
        common::usage(
            Some(u64::MAX),
            Some(u64::MAX),
            Some(u64::MAX),
            Some(u64::MAX),
            None,
        ),
    ];
    for m in &models {
        assert_eq!(
            written(|w| m.write_json(w)),
            serde_json::to_string(m).unwrap(),
            "{}",
            m.id
        );
        for u in &usages {
            let e = zenwire::cost::estimate(m, u);
            assert_eq!(
                written(|w| e.write_json(w)),
                serde_json::to_string(&e).unwrap(),
                "{} {u:?}",
                m.id
            );
        }
    }
}

/// Strings that stress escaping: control characters, quotes, backslashes,
/// DEL, non-ASCII (line separators, astral), long plain runs.
fn odd_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\x00-\\x1f\"\\\\\\x7f a-zé\u{2028}😀]{0,24}",
        "[a-z ]{0,40}",
        "[a-z]{9,30}[\\x00-\\x1f\"\\\\][a-z]{0,17}",
    ]
}

fn opt_string() -> impl Strategy<Value = Option<String>> {
    prop::option::of(odd_string())
}

/// Tool call arguments of every JSON shape, floats of any finite value.
fn arguments() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        (any::<i32>(), 0u32..8).prop_map(|(m, e)| Value::from(f64::from(m) / 10f64.powi(e as i32))),
        odd_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(odd_string(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn usage() -> impl Strategy<Value = Usage> {
    let count = || prop::option::of(any::<u64>());
    (count(), count(), count(), count(), count())
        .prop_map(|(i, o, r, w, t)| common::usage(i, o, r, w, t))
}

fn finish_reason() -> impl Strategy<Value = FinishReason> {
    prop::sample::select(vec![
        FinishReason::Stop,
        FinishReason::Length,
        FinishReason::ToolCalls,
        FinishReason::ContentFilter,
        FinishReason::Refusal,
        FinishReason::Error,
        FinishReason::Other,
    ])
}

fn error_kind() -> impl Strategy<Value = ErrorKind> {
    use ErrorKind::*;
    prop::sample::select(vec![
        Auth,
        Credits,
        MonthlyLimit,
        UserLimit,
        Model,
        RateLimit,
        FreeUsageLimit,
        FreeTier,
        InvalidRequest,
        NotFound,
        Overloaded,
        Server,
        Timeout,
        Aborted,
        Network,
        Protocol,
        Unknown,
    ])
}

/// Any event; choices and indexes from a small range so that folding
/// several events builds messages with several choices and calls.
fn event() -> impl Strategy<Value = Event> {
    let choice = || prop_oneof![0u32..3, Just(u32::MAX)];
    let index = || prop_oneof![0u32..3, Just(u32::MAX)];
    prop_oneof![
        (opt_string(), opt_string()).prop_map(|(id, model)| Event::Start { id, model }),
        (choice(), odd_string()).prop_map(|(choice, text)| Event::TextDelta { choice, text }),
        (choice(), odd_string()).prop_map(|(choice, text)| Event::ReasoningDelta { choice, text }),
        (choice(), odd_string())
            .prop_map(|(choice, signature)| Event::ReasoningSignature { choice, signature }),
        (choice(), odd_string())
            .prop_map(|(choice, data)| Event::ReasoningRedacted { choice, data }),
        (choice(), odd_string()).prop_map(|(choice, text)| Event::RefusalDelta { choice, text }),
        (choice(), index(), odd_string(), odd_string()).prop_map(|(choice, index, id, name)| {
            Event::ToolCallStart {
                choice,
                index,
                id,
                name,
            }
        }),
        (choice(), index(), odd_string()).prop_map(|(choice, index, arguments_delta)| {
            Event::ToolCallDelta {
                choice,
                index,
                arguments_delta,
            }
        }),
        (choice(), index(), odd_string(), odd_string(), arguments()).prop_map(
            |(choice, index, id, name, arguments)| Event::ToolCall {
                choice,
                index,
                id,
                name,
                arguments,
            }
        ),
        (
            choice(),
            index(),
            odd_string(),
            odd_string(),
            odd_string(),
            odd_string()
        )
            .prop_map(|(choice, index, id, name, raw_arguments, reason)| {
                Event::ToolCallInvalid {
                    choice,
                    index,
                    id,
                    name,
                    raw_arguments,
                    reason,
                }
            }),
        usage().prop_map(Event::Usage),
        odd_string().prop_map(|usd| Event::Cost { usd }),
        (choice(), finish_reason(), opt_string()).prop_map(|(choice, reason, raw)| Event::Finish {
            choice,
            reason,
            raw
        }),
        (error_kind(), odd_string(), any::<bool>()).prop_map(|(kind, message, retryable)| {
            Event::Error {
                kind,
                message,
                retryable,
            }
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_events_and_their_messages_write_as_serde_does(
        events in prop::collection::vec(event(), 0..24)
    ) {
        let mut acc = Accumulator::new();
        for ev in &events {
            prop_assert_eq!(ev.to_json(), serde_json::to_string(ev).unwrap());
            acc.apply(ev);
            // Every intermediate message, as `message()` may be called at
            // any point of a stream.
            prop_assert_eq!(acc.message().to_json(), serde_json::to_string(acc.message()).unwrap());
        }
    }

    #[test]
    fn generated_usage_writes_as_serde_does(u in usage()) {
        let mut w = zenwire::json_write::JsonWriter::new();
        u.write_json(&mut w);
        prop_assert_eq!(w.finish(), serde_json::to_string(&u).unwrap());
    }
}
