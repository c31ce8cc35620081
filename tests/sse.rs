//! SSE framing: WPT-derived conformance, a differential reference model,
//! chunking invariance, hand-written edge cases, size limit and linear-time counters.

mod common;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use proptest::prelude::*;
use zenwire::sse::{SseDecoder, SseError, SseEvent, SseItem, SseOptions, SseStats};
use zenwire::stream::EventDecoder;
use zenwire::wire::WireFormat;

const BOM: &str = "\u{feff}";

fn lenient() -> SseOptions {
    SseOptions::default()
}

fn strict() -> SseOptions {
    SseOptions {
        strict: true,
        ..SseOptions::default()
    }
}

fn limited(limit: usize) -> SseOptions {
    SseOptions {
        max_event_size: limit,
        ..SseOptions::default()
    }
}

/// Everything observable after decoding a body.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    items: Vec<SseItem>,
    last_event_id: Option<String>,
    reconnection_time: Option<u64>,
}

fn run<'a>(
    pieces: impl IntoIterator<Item = &'a [u8]>,
    options: &SseOptions,
) -> (Outcome, SseStats) {
    let mut d = SseDecoder::with_options(options.clone());
    let mut items = Vec::new();
    for piece in pieces {
        d.push(piece, &mut items);
    }
    d.finish(&mut items);
    let outcome = Outcome {
        items,
        last_event_id: d.last_event_id().map(str::to_owned),
        reconnection_time: d.reconnection_time(),
    };
    (outcome, d.stats())
}

fn whole(input: &[u8], options: &SseOptions) -> Outcome {
    run([input], options).0
}

fn items(input: &[u8], options: &SseOptions) -> Vec<SseItem> {
    whole(input, options).items
}

fn ev(event: Option<&str>, data: &str, id: Option<&str>, retry: Option<u64>) -> SseItem {
    SseItem::Event(SseEvent {
        event: event.map(str::to_owned),
        data: data.to_owned(),
        id: id.map(str::to_owned),
        retry,
    })
}

fn msg(data: &str) -> SseItem {
    ev(None, data, None, None)
}

fn comment(text: &str) -> SseItem {
    SseItem::Comment(text.to_owned())
}

fn too_large(limit: usize) -> SseItem {
    SseItem::Error(SseError::EventTooLarge { limit })
}

fn events(items: &[SseItem]) -> Vec<&SseEvent> {
    items
        .iter()
        .filter_map(|i| match i {
            SseItem::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// Same outcome for the whole input, 1-byte pieces and (when `all_splits`)
/// every 2-way split; every byte scanned exactly once in each.
fn assert_chunking_invariant(input: &[u8], options: &SseOptions, all_splits: bool, what: &str) {
    let (expected, stats) = run([input], options);
    assert_eq!(stats.bytes_scanned, input.len() as u64, "{what}: whole");
    let (bytewise, stats) = run(input.chunks(1), options);
    assert_eq!(bytewise, expected, "{what}: 1-byte pieces");
    assert_eq!(stats.bytes_scanned, input.len() as u64, "{what}: 1-byte");
    // Empty pushes between the bytes change nothing either.
    let with_empty = input.chunks(1).flat_map(|b| [b, &[][..]]);
    let (bytewise, _) = run(with_empty, options);
    assert_eq!(bytewise, expected, "{what}: 1-byte pieces and empty pushes");
    if all_splits {
        for at in 0..=input.len() {
            let (head, tail) = input.split_at(at);
            let (split, stats) = run([head, tail], options);
            assert_eq!(split, expected, "{what}: split at {at}");
            assert_eq!(
                stats.bytes_scanned,
                input.len() as u64,
                "{what}: split {at}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Reference model: a direct transcription of the spec over the whole body
// (strip one BOM, decode, split lines, interpret). Same shape as the Python
// parser that checked the WPT-derived cases.

fn reference(input: &[u8]) -> Outcome {
    let body = input.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(input);
    let text = String::from_utf8_lossy(body);
    let chars: Vec<char> = text.chars().collect();
    let mut lines = Vec::new();
    let (mut i, mut start) = (0, 0);
    while i < chars.len() {
        match chars[i] {
            '\r' => {
                lines.push(chars[start..i].iter().collect::<String>());
                if chars.get(i + 1) == Some(&'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            '\n' => {
                lines.push(chars[start..i].iter().collect::<String>());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    // The unterminated remainder is discarded (strict end of body).
    let mut items = Vec::new();
    let (mut data, mut etype) = (String::new(), String::new());
    let (mut id_buffer, mut last_id): (Option<String>, Option<String>) = (None, None);
    let (mut event_retry, mut reconnection_time) = (None, None);
    for line in lines {
        if line.is_empty() {
            last_id.clone_from(&id_buffer);
            if !data.is_empty() {
                data.pop();
                items.push(SseItem::Event(SseEvent {
                    event: (!etype.is_empty()).then(|| etype.clone()),
                    data: std::mem::take(&mut data),
                    id: last_id.clone(),
                    retry: event_retry,
                }));
            }
            data.clear();
            etype.clear();
            event_retry = None;
            continue;
        }
        if let Some(c) = line.strip_prefix(':') {
            items.push(SseItem::Comment(
                c.strip_prefix(' ').unwrap_or(c).to_owned(),
            ));
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_str(), ""),
        };
        match field {
            "event" => etype = value.to_owned(),
            "data" => {
                data.push_str(value);
                data.push('\n');
            }
            "id" if !value.contains('\0') => id_buffer = Some(value.to_owned()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                let ms = value.parse::<u64>().unwrap_or(u64::MAX);
                event_retry = Some(ms);
                reconnection_time = Some(ms);
            }
            _ => {}
        }
    }
    Outcome {
        items,
        last_event_id: last_id,
        reconnection_time,
    }
}

// ---------------------------------------------------------------------------
// `partial_event_len`: the bytes after the last event boundary, against a
// plain scan of everything pushed so far.

/// Bytes of `input` after the end of its last blank line (all of it when
/// it has none): a line ends at CRLF, LF or CR, and a leading BOM is not
/// line content. The scan the relay used to run over the bytes it held.
fn partial_event_reference(input: &[u8]) -> u64 {
    let start = if input.starts_with(BOM.as_bytes()) {
        3
    } else {
        0
    };
    let (mut boundary, mut line_start, mut i) = (0, start, start);
    while let Some(&byte) = input.get(i) {
        if byte != b'\n' && byte != b'\r' {
            i += 1;
            continue;
        }
        let crlf = byte == b'\r' && input.get(i + 1) == Some(&b'\n');
        let next = i + if crlf { 2 } else { 1 };
        if i == line_start {
            boundary = next;
        }
        line_start = next;
        i = next;
    }
    (input.len() - boundary) as u64
}

/// Pushes `pieces` into an `SseDecoder` with `options` and into an
/// `EventDecoder`, checking after each piece that both report the
/// reference's partial event length of everything pushed so far, and 0
/// after `finish`.
fn assert_partial_event_len(pieces: &[&[u8]], options: &SseOptions, what: &str) {
    let mut sse = SseDecoder::with_options(options.clone());
    let mut events = EventDecoder::with_options(WireFormat::Chat, options.clone());
    let (mut items, mut out) = (Vec::new(), Vec::new());
    let mut so_far = Vec::new();
    for piece in pieces {
        sse.push(piece, &mut items);
        events.push(piece, &mut out);
        so_far.extend_from_slice(piece);
        let want = partial_event_reference(&so_far);
        assert_eq!(sse.partial_event_len(), want, "{what}: after {so_far:?}");
        assert_eq!(events.partial_event_len(), want, "{what}: events");
    }
    sse.finish(&mut items);
    events.finish(&mut out);
    assert_eq!(sse.partial_event_len(), 0, "{what}: finished");
    assert_eq!(events.partial_event_len(), 0, "{what}: events finished");
}

#[test]
fn partial_event_len_counts_the_bytes_after_the_last_blank_line() {
    let cases: [(&[&[u8]], u64); 8] = [
        (&[b""], 0),
        (&[b"data: x\n\ndata: y"], 7),
        (&[b"data: x\r", b"\n\r", b"\n"], 0),
        (&[b"data: x\n\r"], 0),
        // The LF of a CRLF split after a blank line's CR ends nothing new.
        (&[b"data: x\n\r", b"\n"], 0),
        (&[b"data: x\r", b"\n"], 9),
        (&[b"\xEF\xBB", b"\xBF\n"], 0),
        (&[b"\xEF\xBB", b"\xBF"], 3),
    ];
    for (pieces, want) in cases {
        let mut d = SseDecoder::new();
        let mut items = Vec::new();
        for piece in pieces {
            d.push(piece, &mut items);
        }
        assert_eq!(d.partial_event_len(), want, "{pieces:?}");
        assert_partial_event_len(pieces, &lenient(), "case");
    }
    // An oversized event is skipped to its blank line, which still ends it.
    let big = [
        &b"data: 0123456789"[..],
        b"abc\n",
        b"more\n\n",
        b"data: ok\n",
    ];
    assert_partial_event_len(&big, &limited(8), "oversized");
}

#[test]
fn partial_event_len_matches_the_scan_over_every_fixture_and_conformance_case() {
    let mut bodies: Vec<(String, Vec<u8>)> = Vec::new();
    let mut files = Vec::new();
    sse_files(&common::fixtures(), &mut files);
    if let Some(dir) = common::shared_fixtures() {
        sse_files(&dir, &mut files);
        let text = std::fs::read_to_string(dir.join("sse-conformance/wpt-derived-cases.json"))
            .expect("read wpt-derived-cases.json");
        let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let b64 = base64::engine::general_purpose::STANDARD;
        for case in json["cases"].as_array().expect("cases array") {
            let chunks = case["chunks_b64"].as_array().expect("chunks").iter();
            let chunks = chunks.map(|c| b64.decode(c.as_str().expect("b64")).expect("base64"));
            bodies.push((
                case["name"].to_string(),
                chunks.collect::<Vec<_>>().concat(),
            ));
        }
    }
    for path in files {
        let bytes = std::fs::read(&path).expect("read fixture");
        bodies.push((path.display().to_string(), bytes));
    }
    for (name, body) in &bodies {
        // The reference rescans everything pushed after each piece, so a
        // large body is cut into a bounded number of pieces (1-byte pieces
        // are the proptest's and the short bodies' job).
        let fewest = body.len() / 200 + 1;
        for size in [1, 7, 64, 4096].map(|s: usize| s.max(fewest)) {
            let pieces: Vec<&[u8]> = body.chunks(size).collect();
            assert_partial_event_len(&pieces, &lenient(), &format!("{name} in {size} B"));
            let limited = limited(64);
            assert_partial_event_len(&pieces, &limited, &format!("{name} in {size} B, limited"));
        }
    }
}

// ---------------------------------------------------------------------------
// WPT-derived conformance cases (shared fixtures).

#[test]
fn wpt_derived_cases_pass_in_strict_mode() {
    let Some(dir) = common::shared_fixtures() else {
        eprintln!("note: shared fixtures absent; WPT-derived SSE cases skipped");
        return;
    };
    let path = dir.join("sse-conformance/wpt-derived-cases.json");
    let text = std::fs::read_to_string(&path).expect("read wpt-derived-cases.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let cases = json["cases"].as_array().expect("cases array");
    assert!(cases.len() >= 30, "expected the full case list");
    let b64 = base64::engine::general_purpose::STANDARD;
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let chunks: Vec<Vec<u8>> = case["chunks_b64"]
            .as_array()
            .expect("chunks")
            .iter()
            .map(|c| b64.decode(c.as_str().expect("b64 string")).expect("base64"))
            .collect();
        let (outcome, _) = run(chunks.iter().map(Vec::as_slice), &strict());
        assert!(
            !outcome.items.iter().any(|i| matches!(i, SseItem::Error(_))),
            "{name}: unexpected error"
        );
        let got: Vec<(String, String, String)> = events(&outcome.items)
            .into_iter()
            .map(|e| {
                (
                    e.event.clone().unwrap_or_else(|| "message".into()),
                    e.data.clone(),
                    e.id.clone().unwrap_or_default(),
                )
            })
            .collect();
        let want: Vec<(String, String, String)> = case["expected_events"]
            .as_array()
            .expect("expected_events")
            .iter()
            .map(|e| {
                (
                    e["type"].as_str().expect("type").to_owned(),
                    e["data"].as_str().expect("data").to_owned(),
                    e["lastEventId"].as_str().expect("lastEventId").to_owned(),
                )
            })
            .collect();
        assert_eq!(got, want, "{name}");
        if let Some(ms) = case.get("expected_retry_ms") {
            assert_eq!(outcome.reconnection_time, ms.as_u64(), "{name}: retry");
        }
        // The same bytes in any pieces give the same result.
        let joined = chunks.concat();
        assert_eq!(whole(&joined, &strict()), outcome, "{name}: joined");
        assert_chunking_invariant(&joined, &strict(), joined.len() <= 4096, name);
        // And the reference model agrees (it checked the cases originally).
        assert_eq!(reference(&joined), outcome, "{name}: reference");
    }
}

#[test]
fn data_before_final_empty_line_is_lost_and_its_id_not_committed_in_strict_mode() {
    // format-data-before-final-empty-line.any.js
    let out = whole(b"retry:1000\ndata:test1\n\nid:test\ndata:test2", &strict());
    assert_eq!(out.items, [ev(None, "test1", None, Some(1000))]);
    assert_eq!(out.last_event_id, None);
    assert_eq!(out.reconnection_time, Some(1000));
}

// ---------------------------------------------------------------------------
// Chunking invariance over recorded and hand-written streams.

fn sse_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sse_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "sse") {
            found.push(path);
        }
    }
}

#[test]
fn every_sse_fixture_decodes_the_same_in_any_pieces() {
    let mut files = Vec::new();
    sse_files(&common::fixtures(), &mut files);
    let own = files.len();
    assert!(own >= 2, "the project's own .sse fixtures are missing");
    match common::shared_fixtures() {
        Some(dir) => sse_files(&dir, &mut files),
        None => eprintln!("note: shared fixtures absent; only tests/fixtures checked"),
    }
    files.sort();
    for path in &files {
        let bytes = std::fs::read(path).expect("read fixture");
        let name = path.display().to_string();
        let small = bytes.len() <= 16 * 1024;
        assert_chunking_invariant(&bytes, &lenient(), small, &name);
        assert_chunking_invariant(&bytes, &strict(), false, &name);
        let out = whole(&bytes, &lenient());
        assert!(!events(&out.items).is_empty(), "{name}: no events");
        assert!(
            !out.items.iter().any(|i| matches!(i, SseItem::Error(_))),
            "{name}: error"
        );
        // Strict is the spec; lenient adds at most the unterminated last event.
        assert_eq!(whole(&bytes, &strict()), reference(&bytes), "{name}");
        let mut terminated = bytes.clone();
        terminated.extend_from_slice(b"\n\n");
        assert_eq!(out, whole(&terminated, &strict()), "{name}: lenient");
    }
}

#[test]
fn own_gateway_fixture_decodes_to_the_expected_items() {
    let bytes =
        std::fs::read(common::fixtures().join("sse/gateway-mixed-endings.sse")).expect("fixture");
    let start = r#"{"type":"message_start","text":"café … 😀"}"#;
    let expected = vec![
        comment("OPENROUTER PROCESSING"),
        ev(Some("message_start"), start, Some("evt-1"), Some(2500)),
        comment("keep-alive"),
        ev(None, "{\"a\":1}\n two spaces", Some("evt-1"), None),
        comment(""),
        ev(None, "\n", Some(""), None),
        ev(None, "nul-id ignored", Some(""), None),
    ];
    assert_eq!(items(&bytes, &strict()), expected);
    let mut with_last = expected;
    with_last.push(ev(None, "last without blank line", Some(""), None));
    let out = whole(&bytes, &lenient());
    assert_eq!(out.items, with_last);
    assert_eq!(out.last_event_id.as_deref(), Some(""));
    assert_eq!(out.reconnection_time, Some(2500));
}

// ---------------------------------------------------------------------------
// Hand-written edge cases.

#[test]
fn cr_then_lf_in_the_next_piece_is_one_line_end() {
    let pieces: [&[u8]; 4] = [b"data: a\r", b"\n\r", b"\ndata: b\r", b"\n\r\n"];
    let (out, stats) = run(pieces, &strict());
    assert_eq!(out.items, [msg("a"), msg("b")]);
    assert_eq!(
        stats.bytes_scanned,
        pieces.iter().map(|p| p.len() as u64).sum::<u64>()
    );
    // A lone CR followed by a piece starting with CR: two line ends (blank line).
    let (out, _) = run([&b"data: a\r"[..], b"\rdata: b\r", b"\r"], &strict());
    assert_eq!(out.items, [msg("a"), msg("b")]);
    // CR at the end of a piece, then an empty piece, then LF: still one line end.
    let (out, _) = run([&b"data: a\r"[..], b"", b"\n"], &strict());
    assert_eq!(out.items, []);
    let (out, _) = run([&b"data: a\r"[..], b"", b"\n", b"", b"\n"], &strict());
    assert_eq!(out.items, [msg("a")]);
}

#[test]
fn lone_cr_and_mixed_line_ends() {
    assert_eq!(
        items(b"data: cr\r\rdata: lf\n\ndata: crlf\r\n\r\n", &strict()),
        [msg("cr"), msg("lf"), msg("crlf")]
    );
    assert_eq!(
        items(b"data:1\r\ndata:2\rdata:3\n\r", &strict()),
        [msg("1\n2\n3")]
    );
}

#[test]
fn bom_split_across_pieces_is_stripped_once() {
    let input = format!("{BOM}data: x\n\n").into_bytes();
    for at in 0..=4 {
        let (head, tail) = input.split_at(at);
        let (out, _) = run([head, tail], &strict());
        assert_eq!(out.items, [msg("x")], "split at {at}");
    }
    let (out, _) = run(input.chunks(1), &strict());
    assert_eq!(out.items, [msg("x")]);
    // Only one BOM: a second one makes the first field name unknown.
    let double = format!("{BOM}{BOM}data: 1\n\ndata: 2\n\n").into_bytes();
    assert_eq!(items(&double, &strict()), [msg("2")]);
    let (out, _) = run(double.chunks(1), &strict());
    assert_eq!(out.items, [msg("2")]);
}

#[test]
fn bom_not_at_stream_start_is_content() {
    let input = format!("data: 1\n\n{BOM}data: 2\n\ndata: {BOM}3\n\n").into_bytes();
    assert_eq!(
        items(&input, &strict()),
        [msg("1"), msg(&format!("{BOM}3"))]
    );
}

#[test]
fn partial_bom_prefix_is_content() {
    // EF BB then not BF: those two bytes start an (invalid UTF-8) field name.
    assert_eq!(
        items(b"\xEF\xBBdata: 1\n\ndata: 2\n\n", &strict()),
        [msg("2")]
    );
    let (out, _) = run([&b"\xEF"[..], b"\xBB", b":c\n\ndata: d\n\n"], &strict());
    assert_eq!(out.items, [msg("d")]);
    // A body that is only a BOM prefix yields nothing and does not panic.
    assert_eq!(items(b"\xEF\xBB", &lenient()), []);
    // A new body after finish may carry its own BOM.
    let mut d = SseDecoder::new();
    let mut out = Vec::new();
    d.push(format!("{BOM}data: a\n\n").as_bytes(), &mut out);
    d.finish(&mut out);
    d.push(format!("{BOM}data: b\n\n").as_bytes(), &mut out);
    d.finish(&mut out);
    assert_eq!(out, [msg("a"), msg("b")]);
}

#[test]
fn multibyte_utf8_split_at_every_byte() {
    let text = "data: é…😀ü\n\n";
    let input = text.as_bytes();
    for at in 0..=input.len() {
        let (head, tail) = input.split_at(at);
        let (out, _) = run([head, tail], &strict());
        assert_eq!(out.items, [msg("é…😀ü")], "split at {at}");
    }
    let (out, _) = run(input.chunks(1), &strict());
    assert_eq!(out.items, [msg("é…😀ü")]);
    // Event names and ids too.
    let named = "event: é\nid: ü\ndata: x\n\n".as_bytes();
    let (out, _) = run(named.chunks(1), &strict());
    assert_eq!(out.items, [ev(Some("é"), "x", Some("ü"), None)]);
}

#[test]
fn invalid_utf8_becomes_replacement_characters() {
    let out = items(b"data: a\xFFb\xE2\x80\ndata: \xC3\n\n", &strict());
    assert_eq!(out, [msg("a\u{FFFD}b\u{FFFD}\n\u{FFFD}")]);
    assert_eq!(
        items(b"event: \xF0\x9F\ndata: x\n\n", &strict()),
        [ev(Some("\u{FFFD}"), "x", None, None)]
    );
    assert_eq!(items(b": \xFF\n", &strict()), [comment("\u{FFFD}")]);
}

#[test]
fn id_with_nul_is_ignored_and_ids_persist() {
    let input =
        b"id: a\ndata: 1\n\nid: b\x00\ndata: 2\n\ndata: 3\n\nid\ndata: 4\n\nid: \x00\ndata: 5\n\n";
    let out = whole(input, &strict());
    assert_eq!(
        out.items,
        [
            ev(None, "1", Some("a"), None),
            ev(None, "2", Some("a"), None),
            ev(None, "3", Some("a"), None),
            ev(None, "4", Some(""), None),
            ev(None, "5", Some(""), None),
        ]
    );
    assert_eq!(out.last_event_id.as_deref(), Some(""));
    // Never set: None, not Some("").
    assert_eq!(items(b"data: x\n\n", &strict()), [msg("x")]);
}

#[test]
fn retry_variants() {
    let cases: [(&[u8], Option<u64>); 9] = [
        (b"retry: 1000\n", Some(1000)),
        (b"retry:03000\n", Some(3000)),
        (b"retry:0\n", Some(0)),
        (b"retry\n", None),
        (b"retry:\n", None),
        (b"retry: \n", None),
        (b"retry:  1000\n", None),
        (b"retry: 1000x\n", None),
        (b"retry: -5\n", None),
    ];
    for (line, want) in cases {
        let mut input = line.to_vec();
        input.extend_from_slice(b"data: x\n\n");
        let out = whole(&input, &strict());
        assert_eq!(
            out.reconnection_time,
            want,
            "{}",
            String::from_utf8_lossy(line)
        );
        assert_eq!(out.items, [ev(None, "x", None, want)]);
    }
    // A bogus retry keeps the earlier value; per-event retry does not leak on.
    let out = whole(b"retry: 10\ndata: a\n\nretry: 1x\ndata: b\n\n", &strict());
    assert_eq!(
        out.items,
        [ev(None, "a", None, Some(10)), ev(None, "b", None, None)]
    );
    assert_eq!(out.reconnection_time, Some(10));
    // A retry-only block dispatches nothing but sets the reconnection time.
    let out = whole(b"retry: 7\n\ndata: c\n\n", &strict());
    assert_eq!(out.items, [msg("c")]);
    assert_eq!(out.reconnection_time, Some(7));
}

#[test]
fn fields_values_and_data_joining() {
    assert_eq!(
        items(b"data:\n\ndata\ndata\n\ndata:test\n\n", &strict()),
        [msg(""), msg("\n"), msg("test")]
    );
    assert_eq!(
        items(b"data:\ttab\ndata:  two\ndata\ndata: x: y\n\n", &strict()),
        [msg("\ttab\n two\n\nx: y")]
    );
    // Case-sensitive names, leading space makes a different field, unknown ignored.
    assert_eq!(
        items(
            b"Data: a\n data: b\nfoo: c\njusttext\ndata: d\n\n",
            &strict()
        ),
        [msg("d")]
    );
    // No data: nothing dispatched, and the event type does not leak on.
    assert_eq!(
        items(b"event: a\n\ndata: x\n\nevent:\ndata: y\n\n", &strict()),
        [msg("x"), msg("y")]
    );
    assert_eq!(
        items(b"event: e1\ndata: x\n\ndata: y\n\n", &strict()),
        [ev(Some("e1"), "x", None, None), msg("y")]
    );
    // NUL is preserved in data.
    assert_eq!(items(b"data:\x00\n\n", &strict()), [msg("\0")]);
}

#[test]
fn comments_are_surfaced_with_one_leading_space_removed() {
    assert_eq!(
        items(
            b": keep-alive\r\n:OPENROUTER PROCESSING\n:  two\n:\ndata: x\n\n",
            &strict()
        ),
        [
            comment("keep-alive"),
            comment("OPENROUTER PROCESSING"),
            comment(" two"),
            comment(""),
            msg("x"),
        ]
    );
}

#[test]
fn finish_lenient_versus_strict() {
    // (input, lenient data, strict data)
    let cases: [(&[u8], &[&str], &[&str]); 7] = [
        (b"data: a\n\ndata: b\n", &["a", "b"], &["a"]),
        (b"data: a\n\ndata: b", &["a", "b"], &["a"]),
        (b"data: a\n\ndata: b\r", &["a", "b"], &["a"]),
        (b"data: a\n\ndata: b\ndata: c", &["a", "b\nc"], &["a"]),
        (b"data: a\n\n", &["a"], &["a"]),
        (b"data: a\n\nevent: x", &["a"], &["a"]),
        (b"", &[], &[]),
    ];
    for (input, want_lenient, want_strict) in cases {
        let what = String::from_utf8_lossy(input);
        let got: Vec<String> = events(&items(input, &lenient()))
            .iter()
            .map(|e| e.data.clone())
            .collect();
        assert_eq!(got, want_lenient, "lenient {what:?}");
        let got: Vec<String> = events(&items(input, &strict()))
            .iter()
            .map(|e| e.data.clone())
            .collect();
        assert_eq!(got, want_strict, "strict {what:?}");
    }
    // Lenient finish surfaces an unterminated comment, keeps the event type and id.
    let out = whole(b": bye", &lenient());
    assert_eq!(out.items, [comment("bye")]);
    let out = whole(b"event: done\nid: 9\ndata: {}", &lenient());
    assert_eq!(out.items, [ev(Some("done"), "{}", Some("9"), None)]);
    assert_eq!(out.last_event_id.as_deref(), Some("9"));
    let out = whole(b"event: done\nid: 9\ndata: {}", &strict());
    assert_eq!(out.items, []);
    assert_eq!(out.last_event_id, None);
}

#[test]
fn decoder_is_reusable_after_finish() {
    let mut d = SseDecoder::new();
    let mut out = Vec::new();
    d.push(b"id: 1\ndata: a\n\ndata: partial", &mut out);
    d.finish(&mut out);
    // A CR pending at finish does not swallow the next body's first LF.
    d.push(b"data: b\r", &mut out);
    d.finish(&mut out);
    d.push(b"\ndata: c\n\n", &mut out);
    d.finish(&mut out);
    assert_eq!(
        out,
        [
            ev(None, "a", Some("1"), None),
            ev(None, "partial", Some("1"), None),
            ev(None, "b", Some("1"), None),
            ev(None, "c", Some("1"), None),
        ]
    );
}

// ---------------------------------------------------------------------------
// Size limit.

#[test]
fn oversize_event_reports_once_then_next_event_decodes() {
    let limit = 1024;
    let mut input = b"event: big\nid: 1\ndata: ".to_vec();
    input.extend(std::iter::repeat_n(b'x', 5000));
    input.extend_from_slice(b"\ndata: more\n: c\n\nevent: small\ndata: ok\n\n");
    let expected = vec![too_large(limit), ev(Some("small"), "ok", Some("1"), None)];
    for piece in [1, 7, 100, 1000, 4096, input.len()] {
        let (out, stats) = run(input.chunks(piece), &limited(limit));
        assert_eq!(out.items, expected, "pieces of {piece}");
        assert!(
            stats.buffer_high_water <= limit,
            "high water {} in pieces of {piece}",
            stats.buffer_high_water
        );
        assert_eq!(stats.bytes_scanned, input.len() as u64);
    }
    assert_chunking_invariant(&input, &limited(limit), true, "oversize");
}

#[test]
fn many_data_lines_exceeding_the_limit_are_one_error() {
    let limit = 100;
    let mut input = Vec::new();
    for _ in 0..50 {
        input.extend_from_slice(b"data: 0123456789\n");
    }
    input.extend_from_slice(b"\ndata: next\n\n");
    let (out, stats) = run(input.chunks(3), &limited(limit));
    assert_eq!(out.items, [too_large(limit), msg("next")]);
    assert!(stats.buffer_high_water <= limit);
    assert_chunking_invariant(&input, &limited(limit), true, "many lines");
}

#[test]
fn oversize_comment_and_unterminated_oversize_tail() {
    let limit = 64;
    let mut input = b": ".to_vec();
    input.extend(std::iter::repeat_n(b'c', 200));
    input.extend_from_slice(b"\r\n\r\ndata: fine\n\ndata: ");
    input.extend(std::iter::repeat_n(b'y', 200));
    for options in [
        limited(limit),
        SseOptions {
            strict: true,
            ..limited(limit)
        },
    ] {
        let (out, stats) = run(input.chunks(5), &options);
        assert_eq!(out.items, [too_large(limit), msg("fine"), too_large(limit)]);
        assert!(stats.buffer_high_water <= limit);
        assert_chunking_invariant(&input, &options, true, "oversize tail");
    }
}

#[test]
fn event_exactly_at_the_limit_is_accepted() {
    // "data: " + 10 bytes = 16-byte line; data buffer "xxxxxxxxxx\n" = 11.
    let input = b"data: xxxxxxxxxx\n\n";
    assert_eq!(items(input, &limited(16)), [msg("xxxxxxxxxx")]);
    assert_eq!(items(input, &limited(15)), [too_large(15)]);
    let (out, _) = run(input.chunks(1), &limited(15));
    assert_eq!(out.items, [too_large(15)]);
}

// ---------------------------------------------------------------------------
// Linear time, by counting.

#[test]
fn big_data_line_in_tiny_pieces_is_scanned_once() {
    let size = 8 << 20;
    let mut input = Vec::with_capacity(size + 16);
    input.extend_from_slice(b"data: ");
    input.extend((0..size).map(|i| b'a' + (i % 26) as u8));
    input.extend_from_slice(b"\n\n");
    let (one, one_stats) = run([input.as_slice()], &lenient());
    let (many, many_stats) = run(input.chunks(7), &lenient());
    assert_eq!(one, many);
    let [SseItem::Event(event)] = one.items.as_slice() else {
        panic!("expected one event, got {} items", one.items.len());
    };
    assert_eq!(event.data.len(), size);
    assert_eq!(one_stats.bytes_scanned, input.len() as u64);
    assert_eq!(many_stats.bytes_scanned, input.len() as u64);
    // Held once (moved, not copied into a second buffer) and never more.
    assert!(one_stats.buffer_high_water <= size + 1);
    assert!(many_stats.buffer_high_water <= input.len());
}

#[test]
fn many_small_events_in_odd_pieces_scan_each_byte_once() {
    let mut input = Vec::new();
    for i in 0..20_000 {
        input.extend_from_slice(format!("event: e\r\ndata: {{\"i\":{i}}}\r\n\r\n").as_bytes());
    }
    for piece in [1, 2, 3, 7, 64, 4096] {
        let (out, stats) = run(input.chunks(piece), &lenient());
        assert_eq!(out.items.len(), 20_000);
        assert_eq!(stats.bytes_scanned, input.len() as u64);
        assert!(stats.buffer_high_water < 64);
    }
}

// ---------------------------------------------------------------------------
// Property tests: random bytes from SSE-ish tokens, random splits.

fn token() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"data".to_vec()),
        Just(b"data:".to_vec()),
        Just(b"data: ".to_vec()),
        Just(b"event:".to_vec()),
        Just(b"id:".to_vec()),
        Just(b"retry:".to_vec()),
        Just(b":".to_vec()),
        Just(b" ".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n\n".to_vec()),
        Just(vec![0xEF, 0xBB, 0xBF]),
        Just(vec![0xEF, 0xBB]),
        Just("é…😀".as_bytes().to_vec()),
        Just(vec![0xFF]),
        Just(vec![0xF0, 0x9F]),
        Just(vec![0]),
        Just(b"42".to_vec()),
        Just(b"x".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..4),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(token(), 0..40).prop_map(|t| t.concat())
}

fn split(input: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    points.sort_unstable();
    let mut pieces = Vec::new();
    let mut last = 0;
    for p in points {
        pieces.push(input[last..p].to_vec());
        last = p;
    }
    pieces.push(input[last..].to_vec());
    pieces
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_splits_give_the_same_items(
        input in body(),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
        limit in prop_oneof![Just(usize::MAX), 0usize..64],
    ) {
        let pieces = split(&input, &cuts);
        for options in [
            SseOptions { max_event_size: limit, ..lenient() },
            SseOptions { max_event_size: limit, ..strict() },
        ] {
            let (expected, _) = run([input.as_slice()], &options);
            let (got, stats) = run(pieces.iter().map(Vec::as_slice), &options);
            prop_assert_eq!(got, expected);
            prop_assert_eq!(stats.bytes_scanned, input.len() as u64);
            prop_assert!(stats.buffer_high_water <= limit);
        }
    }

    #[test]
    fn strict_mode_matches_the_reference_model(input in body()) {
        prop_assert_eq!(whole(&input, &strict()), reference(&input));
    }

    #[test]
    fn lenient_finish_equals_a_terminated_body(input in body()) {
        let mut terminated = input.clone();
        terminated.extend_from_slice(b"\n\n");
        prop_assert_eq!(whole(&input, &lenient()), whole(&terminated, &strict()));
    }

    #[test]
    fn partial_event_len_matches_the_scan_in_any_pieces(
        input in prop_oneof![body(), proptest::collection::vec(any::<u8>(), 0..256)],
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
        limit in prop_oneof![Just(usize::MAX), 0usize..64],
    ) {
        let pieces = split(&input, &cuts);
        let pieces: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
        for options in [
            SseOptions { max_event_size: limit, ..lenient() },
            SseOptions { max_event_size: limit, ..strict() },
        ] {
            assert_partial_event_len(&pieces, &options, "random");
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        input in proptest::collection::vec(any::<u8>(), 0..512),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let pieces = split(&input, &cuts);
        let (got, _) = run(pieces.iter().map(Vec::as_slice), &lenient());
        prop_assert_eq!(got, whole(&input, &lenient()));
        prop_assert_eq!(whole(&input, &strict()), reference(&input));
    }
}
