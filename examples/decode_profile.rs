//! The wasm `StreamDecoder.push` path, natively, for counting instructions:
//! the bench corpus (exactly the bytes `bench/js/decode.mjs` feeds) decoded
//! in pieces by [`StreamDecoder`], each push's events written as one JSON
//! array with [`JsonWriter`] the way `src/wasm/decoder.rs` hands them to JS.
//! Only the JS side (crossing, `JSON.parse`) is missing.
//!
//! Wall-clock time on a shared machine is noise; callgrind's instruction
//! counts are not. Build at the wasm package's opt-level, then count:
//!
//! ```text
//! CARGO_PROFILE_RELEASE_OPT_LEVEL=z cargo build --release --example decode_profile
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \
//!     --toggle-collect='decode_profile::measured' \
//!     target/release/examples/decode_profile [FORMAT PIECE]...
//! callgrind_annotate /tmp/cg.out | head -40
//! ```
//!
//! Arguments: pairs `FORMAT PIECE` (`chat`, `responses` or `messages`; piece
//! size in bytes); none means all three formats at 4096 and 64. It prints
//! events and JSON bytes per run, so two builds can be checked to agree.

use std::fs;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;

use zenwire::json_write::JsonWriter;
use zenwire::{Event, StreamDecoder, WireFormat};

/// The bench recordings of each format, as `bench/js/decode.mjs` loads them.
const FILES: [(&str, WireFormat, &[&str]); 3] = [
    (
        "chat",
        WireFormat::Chat,
        &[
            "openai-text.chunks.txt",
            "deepseek-reasoning.chunks.txt",
            "xai-tool-call.chunks.txt",
        ],
    ),
    (
        "responses",
        WireFormat::Responses,
        &[
            "openai-reasoning-encrypted-content.1.chunks.txt",
            "openai-web-search-tool.1.chunks.txt",
        ],
    ),
    (
        "messages",
        WireFormat::Messages,
        &[
            "anthropic-json-tool.1.chunks.txt",
            "anthropic-web-search-tool.1.chunks.txt",
        ],
    ),
];

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("decode_profile: {e}");
            eprintln!("usage: decode_profile [chat|responses|messages PIECE]...");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = Vec::new();
    if args.is_empty() {
        for (name, ..) in FILES {
            runs.push((name.to_owned(), 4096));
            runs.push((name.to_owned(), 64));
        }
    }
    for pair in args.chunks(2) {
        let [name, piece] = pair else {
            return Err("FORMAT without PIECE".into());
        };
        let piece: usize = piece.parse().map_err(|e| format!("piece {piece:?}: {e}"))?;
        runs.push((name.clone(), piece.max(1)));
    }
    let bench = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/bench");
    for (name, piece) in runs {
        let (_, format, files) = FILES
            .iter()
            .find(|(n, ..)| *n == name)
            .ok_or_else(|| format!("unknown format {name:?}"))?;
        let mut body = Vec::new();
        for file in *files {
            let path = bench.join(file);
            let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            wire_bytes(&text, *format, &mut body)?;
        }
        if *format == WireFormat::Chat {
            body.extend_from_slice(b"data: [DONE]\n\n");
        }
        let (events, json) = measured(*format, black_box(&body), piece);
        println!("{name} piece {piece}: {events} events, {json} JSON bytes");
    }
    Ok(())
}

/// Appends one recording's wire SSE: chat lines as `data: L`, the others with
/// `event: <type>` first, as the real APIs send them.
fn wire_bytes(text: &str, format: WireFormat, out: &mut Vec<u8>) -> Result<(), String> {
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if format != WireFormat::Chat {
            let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
            let ty = v["type"].as_str().ok_or("payload without a type")?;
            out.extend_from_slice(format!("event: {ty}\n").as_bytes());
        }
        out.extend_from_slice(format!("data: {line}\n\n").as_bytes());
    }
    Ok(())
}

/// Decodes `body` in `piece`-byte pushes; returns events and JSON bytes.
#[inline(never)]
fn measured(format: WireFormat, body: &[u8], piece: usize) -> (usize, usize) {
    let mut dec = StreamDecoder::new(format);
    let mut events = Vec::new();
    let mut json = String::new();
    let (mut n, mut bytes) = (0, 0);
    for p in body.chunks(piece) {
        dec.push(p, &mut events);
        (n, bytes) = take_events(&mut events, &mut json, n, bytes);
    }
    dec.finish(&mut events);
    take_events(&mut events, &mut json, n, bytes)
}

/// What `src/wasm/decoder.rs` does per push, short of `JSON.parse`.
fn take_events(
    events: &mut Vec<Event>,
    json: &mut String,
    n: usize,
    bytes: usize,
) -> (usize, usize) {
    if events.is_empty() {
        return (n, bytes);
    }
    let mut w = JsonWriter::with_buffer(std::mem::take(json));
    w.begin_array();
    events.iter().for_each(|e| e.write_json(&mut w));
    w.end_array();
    let count = events.len();
    events.clear();
    *json = black_box(w.finish());
    (n + count, bytes + json.len())
}
