//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use zenwire::event::Usage;

pub mod event_types;

/// The project's own fixtures (`tests/fixtures`).
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The shared, read-only recordings (`../shared/fixtures`), when present.
/// `ZENWIRE_SHARED_FIXTURES` overrides the location.
pub fn shared_fixtures() -> Option<PathBuf> {
    let dir = std::env::var_os("ZENWIRE_SHARED_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures"));
    dir.is_dir().then_some(dir)
}

/// Turns a vercel/ai `.chunks.txt` file (one JSON payload per line) into the
/// SSE bytes the real API sends: `event: <type>` lines where the format names
/// events (`with_event_lines`), then `data: <line>` and a blank line; chat
/// streams end with `data: [DONE]`.
pub fn chunks_to_sse(text: &str, with_event_lines: bool, done: bool) -> Vec<u8> {
    let mut out = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if with_event_lines {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                if let Some(t) = v.get("type").and_then(|t| t.as_str()) {
                    out.push_str("event: ");
                    out.push_str(t);
                    out.push('\n');
                }
            }
        }
        out.push_str("data: ");
        out.push_str(line);
        out.push_str("\n\n");
    }
    if done {
        out.push_str("data: [DONE]\n\n");
    }
    out.into_bytes()
}

/// A [`Usage`] from its five counts, in field order (input, output,
/// cache read, cache write, reasoning).
pub fn usage(
    input: Option<u64>,
    output: Option<u64>,
    cache_read: Option<u64>,
    cache_write: Option<u64>,
    reasoning: Option<u64>,
) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        cache_read_tokens: cache_read,
        cache_write_tokens: cache_write,
        reasoning_tokens: reasoning,
    }
}

/// Runs `cargo run --example NAME -- ARGS` from the crate root with `stdin`
/// piped in, collecting exit status, stdout and stderr.
pub fn run_example(name: &str, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--example", name, "--"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cargo runs");
    let mut input = child.stdin.take().expect("stdin is piped");
    input.write_all(stdin).expect("stdin accepts the input");
    drop(input);
    child.wait_with_output().expect("the example finishes")
}

/// A process output stream as text.
pub fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("utf-8 output")
}
