//! The benchmark corpus: every streaming recording in the shared fixtures,
//! turned into the exact bytes the wire carries, grouped by wire format.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use zenwire::WireFormat;

/// One response body as it arrives on the wire.
pub struct Body {
    /// File name it came from.
    pub name: String,
    /// SSE bytes.
    pub bytes: Vec<u8>,
}

/// Bodies of one wire format, benchmarked together as one table row.
pub struct Corpus {
    /// Short key used in benchmark ids (`chat`, `gemini-image`).
    pub key: &'static str,
    /// The wire format of every body.
    pub format: WireFormat,
    /// The bodies.
    pub bodies: Vec<Body>,
}

impl Corpus {
    /// Total bytes of all bodies (one pass).
    pub fn bytes(&self) -> usize {
        self.bodies.iter().map(|b| b.bytes.len()).sum()
    }

    /// Row label: key, body count and size.
    pub fn label(&self) -> String {
        let kb = self.bytes() as f64 / 1024.0;
        let n = self.bodies.len();
        let plural = if n == 1 { "body" } else { "bodies" };
        if kb >= 1024.0 {
            format!("{} ({n} {plural}, {:.1} MiB)", self.key, kb / 1024.0)
        } else {
            format!("{} ({n} {plural}, {kb:.0} KiB)", self.key)
        }
    }
}

/// The shared fixtures directory (`$ZENWIRE_SHARED_FIXTURES`, else
/// `../shared/fixtures` next to the crate), when present.
pub fn shared_fixtures() -> Option<PathBuf> {
    let dir = std::env::var_os("ZENWIRE_SHARED_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures"));
    dir.is_dir().then_some(dir)
}

/// Subdirectories holding streaming recordings.
const DIRS: [&str; 5] = [
    "bench",
    "openai-chat",
    "openai-responses",
    "anthropic",
    "zen/recorded",
];

/// Loads every streaming recording under `root`. Identical bodies (the bench
/// directory repeats some recordings) are kept once. The Gemini image body (one
/// 1.7 MB event and a small usage event) gets its own corpus: it measures
/// whether a decoder's cost stays linear when one event spans many pieces.
pub fn load(root: &Path) -> io::Result<Vec<Corpus>> {
    let mut corpora = vec![
        Corpus {
            key: "chat",
            format: WireFormat::Chat,
            bodies: Vec::new(),
        },
        Corpus {
            key: "responses",
            format: WireFormat::Responses,
            bodies: Vec::new(),
        },
        Corpus {
            key: "messages",
            format: WireFormat::Messages,
            bodies: Vec::new(),
        },
        Corpus {
            key: "gemini-image",
            format: WireFormat::Gemini,
            bodies: Vec::new(),
        },
    ];
    for dir in DIRS {
        let mut paths: Vec<PathBuf> = fs::read_dir(root.join(dir))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<io::Result<_>>()?;
        paths.sort();
        for path in paths {
            let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
                continue;
            };
            let Some((format, bytes)) = read_body(&path, &name)? else {
                continue;
            };
            let Some(corpus) = corpora.iter_mut().find(|c| c.format == format) else {
                continue;
            };
            if corpus.bodies.iter().all(|b| b.bytes != bytes) {
                corpus.bodies.push(Body { name, bytes });
            }
        }
    }
    corpora.retain(|c| !c.bodies.is_empty());
    Ok(corpora)
}

/// Reads one recording as wire bytes, with its format; `None` for files that
/// are not streaming bodies.
fn read_body(path: &Path, name: &str) -> io::Result<Option<(WireFormat, Vec<u8>)>> {
    if name.ends_with(".chunks.txt") {
        let text = fs::read_to_string(path)?;
        return Ok(chunks_format(&text).map(|f| (f, chunks_to_sse(&text, f))));
    }
    if name.ends_with(".sse") {
        let dir = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|d| d.to_str())
            .unwrap_or("");
        let format = if name.starts_with("gemini") {
            WireFormat::Gemini
        } else {
            match dir {
                "openai-chat" => WireFormat::Chat,
                "openai-responses" => WireFormat::Responses,
                "anthropic" => WireFormat::Messages,
                "recorded" if name.contains("-chat-") => WireFormat::Chat,
                "recorded" if name.contains("-messages-") => WireFormat::Messages,
                _ => return Ok(None),
            }
        };
        return Ok(Some((format, wire_ending(fs::read(path)?))));
    }
    Ok(None)
}

/// Some recordings lost their final blank line (see SOURCES.md); on the wire
/// every event ends with one, so restore it.
fn wire_ending(mut bytes: Vec<u8>) -> Vec<u8> {
    while !bytes.ends_with(b"\n\n") && !bytes.ends_with(b"\r\n\r\n") {
        bytes.push(b'\n');
    }
    bytes
}

/// The wire format of a `.chunks.txt` file, judged by its first payload:
/// Responses payloads have `"type":"response.…"`, Anthropic ones `message_…`
/// types, Chat Completions chunks carry `choices`.
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

/// A vercel/ai `.chunks.txt` (one `data:` payload per line) as wire SSE:
/// Chat Completions `data: L` frames ending with `data: [DONE]`; Responses and
/// Anthropic frames preceded by `event: <L.type>` as the real APIs send them.
fn chunks_to_sse(text: &str, format: WireFormat) -> Vec<u8> {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if format != WireFormat::Chat {
            let value: Option<serde_json::Value> = serde_json::from_str(line).ok();
            if let Some(t) = value.as_ref().and_then(|v| v.get("type")?.as_str()) {
                out.push_str("event: ");
                out.push_str(t);
                out.push('\n');
            }
        }
        out.push_str("data: ");
        out.push_str(line);
        out.push_str("\n\n");
    }
    if format == WireFormat::Chat {
        out.push_str("data: [DONE]\n\n");
    }
    out.into_bytes()
}
