//! Chunking invariance of the whole pipeline: however a body is cut into
//! pieces, [`StreamDecoder`] must produce exactly the events and the message
//! it produces from one piece. Checked on every stream fixture — the
//! project's own and the shared recordings — fed one byte at a time, cut
//! once at every position (or at a spread sample of positions for bigger
//! bodies), and cut at random positions by proptest.

mod common;

use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use zenwire::event::{Event, Message};
use zenwire::stream::{decode_all, StreamDecoder};
use zenwire::WireFormat;

/// Bodies up to this size are cut at every position; the cost is quadratic
/// in the size, so bigger ones get a spread sample of cut points.
const EXHAUSTIVE_MAX: usize = 4 * 1024;
/// Cut points tried on bodies above [`EXHAUSTIVE_MAX`]…
const SAMPLED_CUTS: usize = 200;
/// …unless that would decode more than this many bytes for one body…
const SPLIT_BUDGET: usize = 8 << 20;
/// …but never fewer cut points than this (the 1.7 MB Gemini image body).
const MIN_SAMPLED_CUTS: usize = 32;

/// One streaming body and the wire format it is decoded as.
struct Case {
    name: String,
    format: WireFormat,
    bytes: Vec<u8>,
}

/// Every stream fixture, loaded once for all tests of this file.
fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(load_cases)
}

fn load_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let own = common::fixtures();
    for (dir, format) in [
        ("chat", WireFormat::Chat),
        ("responses", WireFormat::Responses),
        ("messages", WireFormat::Messages),
        ("gemini", WireFormat::Gemini),
    ] {
        for path in sorted_files(&own.join(dir)) {
            if has_ext(&path, ".sse") {
                push_file(&mut cases, &path, format);
            }
        }
    }
    // The stream halves of the stream-vs-non-stream pairs, named by format.
    for path in sorted_files(&own.join("equivalence")) {
        let stem = file_name(&path);
        if let Some(format) = has_ext(&path, ".sse")
            .then(|| format_named(stem.split('.').next().unwrap_or("")))
            .flatten()
        {
            push_file(&mut cases, &path, format);
        }
    }
    let own_count = cases.len();
    assert!(own_count >= 40, "only {own_count} project stream fixtures");

    if let Some(shared) = common::shared_fixtures() {
        load_shared(&shared, &mut cases);
        // 15 openai-chat + 7 responses + 22 anthropic + 2 recorded + 4
        // cost-trailer/tail bodies (one decoded as two formats) + 8 bench.
        assert!(
            cases.len() - own_count >= 55,
            "only {} shared stream fixtures",
            cases.len() - own_count
        );
    }
    cases
}

fn load_shared(shared: &Path, cases: &mut Vec<Case>) {
    for (dir, format) in [
        ("openai-chat", WireFormat::Chat),
        ("openai-responses", WireFormat::Responses),
        ("anthropic", WireFormat::Messages),
    ] {
        for path in sorted_files(&shared.join(dir)) {
            if has_ext(&path, ".sse") {
                push_file(cases, &path, format);
            } else if has_ext(&path, ".chunks.txt") {
                push_chunks(cases, &path, Some(format));
            }
        }
    }
    for path in sorted_files(&shared.join("zen/recorded")) {
        let name = file_name(&path);
        if !has_ext(&path, ".sse") {
            continue;
        }
        if name.starts_with("go-chat-") {
            push_file(cases, &path, WireFormat::Chat);
        } else if name.starts_with("go-messages-") {
            push_file(cases, &path, WireFormat::Messages);
        }
    }
    // Zen's tail frames, the format named in the file name.
    for path in sorted_files(&shared.join("zen")) {
        let name = file_name(&path).to_owned();
        if !has_ext(&path, ".sse") {
            continue;
        }
        let formats: &[WireFormat] = if name.starts_with("cost-trailer-anthropic-and-responses") {
            &[WireFormat::Messages, WireFormat::Responses]
        } else if name.starts_with("cost-trailer-chat-completions")
            || name.starts_with("tail-chat-completions")
        {
            &[WireFormat::Chat]
        } else if name.starts_with("tail-responses") {
            &[WireFormat::Responses]
        } else {
            &[]
        };
        for &format in formats {
            push_file(cases, &path, format);
        }
    }
    // The benchmark bodies: formats judged by content, as the bench does.
    for path in sorted_files(&shared.join("bench")) {
        let name = file_name(&path);
        if has_ext(&path, ".chunks.txt") {
            push_chunks(cases, &path, None);
        } else if has_ext(&path, ".sse") && name.starts_with("gemini") {
            push_file(cases, &path, WireFormat::Gemini);
        }
    }
}

fn sorted_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut paths: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
}

fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .expect("utf-8 file name")
}

fn has_ext(path: &Path, ext: &str) -> bool {
    file_name(path).ends_with(ext)
}

fn format_named(name: &str) -> Option<WireFormat> {
    match name {
        "chat" => Some(WireFormat::Chat),
        "responses" => Some(WireFormat::Responses),
        "messages" => Some(WireFormat::Messages),
        "gemini" => Some(WireFormat::Gemini),
        _ => None,
    }
}

fn case_name(path: &Path) -> String {
    let parent = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .unwrap_or("");
    format!("{parent}/{}", file_name(path))
}

/// A `.sse` file exactly as stored: files that lost their final blank line
/// stay that way, so the end-of-body path is cut at every position too.
fn push_file(cases: &mut Vec<Case>, path: &Path, format: WireFormat) {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    cases.push(Case {
        name: format!("{} as {format}", case_name(path)),
        format,
        bytes,
    });
}

/// A `.chunks.txt` file turned into wire SSE. Its format is the folder's,
/// or (bench) judged by the first payload the way benches/corpus does:
/// `response.*` types are Responses, `message_*`/`ping`/`error` types are
/// Messages, objects with `choices` are Chat.
fn push_chunks(cases: &mut Vec<Case>, path: &Path, format: Option<WireFormat>) {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let Some(format) = format.or_else(|| chunks_format(&text)) else {
        panic!("{}: cannot tell the wire format", path.display());
    };
    let bytes = common::chunks_to_sse(
        &text,
        format != WireFormat::Chat,
        format == WireFormat::Chat,
    );
    cases.push(Case {
        name: format!("{} as {format}", case_name(path)),
        format,
        bytes,
    });
}

fn chunks_format(text: &str) -> Option<WireFormat> {
    let first = text.lines().find(|l| !l.trim().is_empty())?;
    let value: serde_json::Value = serde_json::from_str(first).ok()?;
    match value.get("type").and_then(|t| t.as_str()) {
        Some(t) if t.starts_with("response.") => Some(WireFormat::Responses),
        Some(t) if t.starts_with("message_") || t == "ping" || t == "error" => {
            Some(WireFormat::Messages)
        }
        _ if value.get("choices").is_some() => Some(WireFormat::Chat),
        _ => None,
    }
}

/// Decodes `pieces` in order through one fresh decoder.
fn decode_pieces<'a>(
    format: WireFormat,
    pieces: impl IntoIterator<Item = &'a [u8]>,
) -> (Vec<Event>, Message) {
    let mut decoder = StreamDecoder::new(format);
    let mut events = Vec::new();
    for piece in pieces {
        decoder.push(piece, &mut events);
    }
    decoder.finish(&mut events);
    (events, decoder.into_message())
}

/// The body cut at `cuts` (ascending positions within the body).
fn split_at<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for &cut in cuts {
        pieces.push(&bytes[start..cut]);
        start = cut;
    }
    pieces.push(&bytes[start..]);
    pieces
}

/// Compares a chunked decode with the one-piece decode, naming the first
/// differing event (whole bodies can be megabytes; their Debug is useless).
fn check_same(
    case: &Case,
    how: &str,
    expected: &(Vec<Event>, Message),
    actual: &(Vec<Event>, Message),
) -> Result<(), String> {
    if let Some(i) =
        (0..expected.0.len().max(actual.0.len())).find(|&i| expected.0.get(i) != actual.0.get(i))
    {
        return Err(format!(
            "{} {how}: event {i} differs (of {} vs {}):\n one piece: {:?}\n   chunked: {:?}",
            case.name,
            expected.0.len(),
            actual.0.len(),
            expected.0.get(i),
            actual.0.get(i)
        ));
    }
    if expected.1 != actual.1 {
        return Err(format!(
            "{} {how}: messages differ\n one piece: {:?}\n   chunked: {:?}",
            case.name, expected.1, actual.1
        ));
    }
    Ok(())
}

/// The reference decode of a case: one piece, through `decode_all`.
fn whole(case: &Case) -> (Vec<Event>, Message) {
    decode_all(case.format, &case.bytes)
}

#[test]
fn fixtures_cover_every_format_and_decode_to_something() {
    let cases = cases();
    for format in [
        WireFormat::Chat,
        WireFormat::Responses,
        WireFormat::Messages,
        WireFormat::Gemini,
    ] {
        let n = cases.iter().filter(|c| c.format == format).count();
        assert!(n >= 7, "{format}: only {n} fixtures");
    }
    // An empty event list would make every invariance check vacuous.
    for case in cases {
        let (events, _) = whole(case);
        assert!(!events.is_empty(), "{}: no events", case.name);
    }
}

#[test]
fn one_byte_pieces_give_the_same_events_and_message() {
    for case in cases() {
        let expected = whole(case);
        let actual = decode_pieces(case.format, case.bytes.chunks(1));
        check_same(case, "in 1-byte pieces", &expected, &actual).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Cuts `case` once at each of `cuts`, comparing with the one-piece decode;
/// returns how many splits were tried.
fn check_two_way_splits(case: &Case, cuts: impl IntoIterator<Item = usize>) -> usize {
    let expected = whole(case);
    let mut tried = 0;
    for cut in cuts {
        let actual = decode_pieces(case.format, split_at(&case.bytes, &[cut]));
        check_same(case, &format!("split at {cut}"), &expected, &actual)
            .unwrap_or_else(|e| panic!("{e}"));
        tried += 1;
    }
    tried
}

#[test]
fn every_two_way_split_of_small_bodies_gives_the_same_result() {
    let mut splits = 0;
    let mut bodies = 0;
    for case in cases().iter().filter(|c| c.bytes.len() <= EXHAUSTIVE_MAX) {
        splits += check_two_way_splits(case, 0..=case.bytes.len());
        bodies += 1;
    }
    assert!(bodies >= 60, "only {bodies} small bodies");
    assert!(splits >= 50_000, "only {splits} splits tried");
}

#[test]
fn sampled_two_way_splits_of_big_bodies_give_the_same_result() {
    let mut bodies = 0;
    for case in cases().iter().filter(|c| c.bytes.len() > EXHAUSTIVE_MAX) {
        let len = case.bytes.len();
        // Each split decodes the whole body again: past SPLIT_BUDGET bytes
        // per body, fewer (but never under MIN_SAMPLED_CUTS) cuts are tried.
        let n = (SPLIT_BUDGET / len).clamp(MIN_SAMPLED_CUTS, SAMPLED_CUTS);
        // Evenly spread, plus the last bytes where the final event and the
        // tail frames live.
        let mut cuts: Vec<usize> = (0..n).map(|i| i * len / n).collect();
        cuts.extend(len.saturating_sub(48)..=len);
        cuts.dedup();
        let tried = check_two_way_splits(case, cuts);
        assert!(tried > n, "{}: {tried} splits", case.name);
        bodies += 1;
    }
    if common::shared_fixtures().is_some() {
        assert!(bodies >= 20, "only {bodies} big bodies");
    }
}

/// Random cut lists: up to 24 cuts anywhere in a randomly chosen fixture.
fn random_split() -> impl Strategy<Value = (usize, Vec<prop::sample::Index>)> {
    (
        0..cases().len(),
        prop::collection::vec(any::<prop::sample::Index>(), 0..24),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_splits_give_the_same_events_and_message((pick, cuts) in random_split()) {
        let case = &cases()[pick];
        let len = case.bytes.len();
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(len + 1)).collect();
        cuts.sort_unstable();
        let expected = whole(case);
        let actual = decode_pieces(case.format, split_at(&case.bytes, &cuts));
        if let Err(e) = check_same(case, &format!("cut at {cuts:?}"), &expected, &actual) {
            return Err(TestCaseError::fail(e));
        }
    }
}
