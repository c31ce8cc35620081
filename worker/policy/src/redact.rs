//! Scrubbing upstream error bodies before they reach a client: the Zen key
//! itself and anything shaped like a credential (an upstream may echo a key
//! fragment, a bearer header or a provider key in its message).

/// What replaces a redacted string.
pub const REDACTED: &str = "[redacted]";
/// Runs of key characters at least this long are treated as secrets when
/// they mix letters and digits (random keys do; words and numbers do not).
const MIN_OPAQUE_RUN: usize = 32;
/// Prefixes of well-known key formats; the run after them is redacted
/// whatever its length (≥ 8).
const KEY_PREFIXES: [&str; 5] = ["sk-", "sk_", "zr1.", "AIza", "Bearer "];

fn is_key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'+' | b'/' | b'=')
}

/// Returns `text` with every occurrence of the `secrets` (non-empty ones)
/// and every key-like run replaced by [`REDACTED`].
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut s = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        s = s.replace(secret, REDACTED);
    }
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if !is_key_char(bytes[i]) && !bytes[i..].starts_with(b"Bearer ") {
            i += 1;
            continue;
        }
        // A run starting here (a `Bearer ` prefix joins the word after it).
        let start = i;
        let prefix = KEY_PREFIXES
            .iter()
            .find(|p| bytes[i..].starts_with(p.as_bytes()))
            .map_or(0, |p| p.len());
        let mut end = start + prefix;
        while end < bytes.len() && is_key_char(bytes[end]) {
            end += 1;
        }
        let run = &bytes[start..end];
        let body_len = end - start - prefix;
        let mixed = run.iter().any(u8::is_ascii_alphabetic) && run.iter().any(u8::is_ascii_digit);
        let secret_like = (prefix > 0 && body_len >= 8) || (run.len() >= MIN_OPAQUE_RUN && mixed);
        if secret_like {
            // Both ends are ASCII positions, so slicing is on char boundaries.
            out.push_str(&s[copied..start]);
            out.push_str(REDACTED);
            copied = end;
        }
        i = end.max(start + 1);
    }
    out.push_str(&s[copied..]);
    out
}
