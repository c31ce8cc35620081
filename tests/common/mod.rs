//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

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
