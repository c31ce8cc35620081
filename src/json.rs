//! A pull reader for JSON text: the caller walks a document token by token
//! and keeps only what it needs, with no tree and no per-type deserializer.
//!
//! Why not `#[derive(Deserialize)]`: serde compiles a visitor, a field
//! matcher and a `deserialize_struct` copy for every struct it reads, and the
//! wire decoders read dozens of frame shapes. In the wasm package that came
//! to well over 100 KB; this reader is compiled once and every decoder walks
//! its frames with plain `match key { … }` code. It is also faster: fields the
//! caller does not want are skipped by scanning, never built.
//!
//! The grammar is RFC 8259, checked strictly: a document this reader accepts
//! is one `serde_json` accepts (tests/json_reader.rs holds it to that), with
//! one deliberate difference — a `\u` escape naming a lone surrogate becomes
//! U+FFFD instead of failing the whole frame, as `JSON.parse` keeps it and
//! losing a token's text over one bad escape would be worse than a
//! replacement character.
//!
//! Use: [`Reader::begin_object`], then [`Reader::next_key`] until it returns
//! `None`, reading (or [`Reader::skip`]ping) exactly one value after each
//! key; arrays likewise with [`Reader::begin_array`] / [`Reader::next_item`].
//! The reader tracks what may come next, so a caller that forgets to read a
//! value gets an error, never a misparse.

use std::borrow::Cow;
use std::fmt;

use crate::word_scan::{bytes_below, equal_bytes, first_hit, scan, word_at, WORD};

/// Containers open at once, at most: the one nesting limit of every JSON
/// zenwire reads (frames, bodies, requests, the values kept as trees).
///
/// It is serde_json's limit (its parser refuses the 128th level) because
/// tool arguments, `extra` and schemas are handed over as `serde_json`
/// values: a document zenwire accepts must make the tree serde_json would
/// make, and Rust users reading the same text with serde_json must not meet
/// a document zenwire accepted and they cannot read. No Zen frame comes
/// close. A fixed limit also keeps the reader's bracket stack a fixed array
/// and bounds every walk over untrusted input.
pub const MAX_DEPTH: usize = 127;

/// The type of the next value, from its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

/// Why a document was refused, and the byte offset where that was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset into the text.
    pub offset: usize,
    /// What was wrong (`"expected ':'"`, `"invalid escape"`, …).
    pub reason: &'static str,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

impl std::error::Error for JsonError {}

/// The last token read, which decides what may come next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    /// `{` or `[`: a member/element or the closing bracket.
    Open,
    /// A complete value: `,`, a closing bracket, or the end.
    Value,
    /// An object key and its `:`: a value.
    Key,
    /// The start of the document: a value.
    Start,
}

/// A pull reader over one JSON document.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
    after: After,
    /// Open containers: bit `i` set = the `i`-th level is an object.
    open: [u64; MAX_DEPTH.div_ceil(64)],
    depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Reader {
            text,
            pos: 0,
            after: After::Start,
            open: [0; MAX_DEPTH.div_ceil(64)],
            depth: 0,
        }
    }

    /// The byte offset of the next unread byte.
    pub fn offset(&self) -> usize {
        self.pos
    }

    // Byte tests are written `matches!(x, Some(b'c'))`, not `x == Some(..)`:
    // in the wasm build at opt-level "z" the latter stayed a call to
    // `<Option as PartialEq>::eq` with both options spilled to memory.
    //
    // The tiny steps below are forced inline: the package is built at
    // opt-level "z", which otherwise leaves them as calls on every token
    // (measured: inlining made the wasm both faster, ~1.5×, and smaller).
    #[inline(always)]
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// `text[start..end]` for offsets that sit next to ASCII bytes (so on
    /// char boundaries); done for every key and string. How is per target,
    /// as measured at opt-level "z": natively `split_at_checked` inlines to
    /// two byte tests (a range `get` stays a call), while in the wasm build
    /// both stay calls, so one `get` beats two splits.
    #[inline(always)]
    fn slice(&self, start: usize, end: usize) -> &'a str {
        let text: &'a str = self.text;
        if cfg!(target_arch = "wasm32") {
            return text.get(start..end).unwrap_or_default();
        }
        let Some((head, _)) = text.split_at_checked(end) else {
            return "";
        };
        let Some((_, s)) = head.split_at_checked(start) else {
            return "";
        };
        s
    }

    fn err<T>(&self, reason: &'static str) -> Result<T, JsonError> {
        Err(JsonError {
            offset: self.pos,
            reason,
        })
    }

    /// Skips JSON whitespace; returns the next byte, if any.
    #[inline(always)]
    fn ws(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        while let Some(&b) = bytes.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                _ => return Some(b),
            }
        }
        None
    }

    /// Checks that a value may start here and returns its first byte.
    #[inline(always)]
    fn value_start(&mut self) -> Result<u8, JsonError> {
        match self.after {
            After::Start | After::Key => {}
            // Inside an array, `next_item` moves `after` to Key-like state;
            // anywhere else a value here is out of place.
            After::Open | After::Value => return self.err("expected ',' or a closing bracket"),
        }
        match self.ws() {
            Some(b) => Ok(b),
            None => self.err("unexpected end of JSON"),
        }
    }

    /// The type of the next value, without reading it.
    #[inline(always)]
    pub fn peek(&mut self) -> Result<Kind, JsonError> {
        let b = self.value_start()?;
        Ok(match b {
            b'n' => Kind::Null,
            b't' | b'f' => Kind::Bool,
            b'"' => Kind::String,
            b'[' => Kind::Array,
            b'{' => Kind::Object,
            b'-' | b'0'..=b'9' => Kind::Number,
            _ => return self.err("expected a JSON value"),
        })
    }

    fn literal(&mut self, word: &'static str) -> Result<(), JsonError> {
        // Compared byte by byte, which inlines (`starts_with` and slice
        // equality stay memcmp calls at opt-level "z"; `null` is the value
        // most often skipped).
        let end = self.pos + word.len();
        let matches = self
            .bytes()
            .get(self.pos..end)
            .is_some_and(|got| got.iter().zip(word.as_bytes()).all(|(a, b)| a == b));
        if matches {
            self.pos += word.len();
            self.after = After::Value;
            Ok(())
        } else {
            self.err("invalid literal")
        }
    }

    /// Reads `null`.
    pub fn null(&mut self) -> Result<(), JsonError> {
        match self.value_start()? {
            b'n' => self.literal("null"),
            _ => self.err("expected null"),
        }
    }

    /// Reads `true` or `false`.
    pub fn bool(&mut self) -> Result<bool, JsonError> {
        match self.value_start()? {
            b't' => self.literal("true").map(|()| true),
            b'f' => self.literal("false").map(|()| false),
            _ => self.err("expected true or false"),
        }
    }

    /// Reads a number and returns its text, checked against the grammar
    /// (`-? int frac? exp?`), e.g. `"12"`, `"-0.5"`, `"2.75e-3"`.
    pub fn number(&mut self) -> Result<&'a str, JsonError> {
        match self.value_start()? {
            b'-' | b'0'..=b'9' => {}
            _ => return self.err("expected a number"),
        }
        let start = self.pos;
        let bytes = self.bytes();
        // Left to the compiler: forced inline, its three uses cost ~0.35 KB
        // of package for 0.3% fewer instructions.
        fn digits(bytes: &[u8], pos: &mut usize) -> usize {
            let from = *pos;
            while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos - from
        }
        let mut p = self.pos;
        if matches!(bytes.get(p), Some(b'-')) {
            p += 1;
        }
        match bytes.get(p) {
            Some(b'0') => p += 1,
            Some(b'1'..=b'9') => {
                digits(bytes, &mut p);
            }
            _ => {
                self.pos = p;
                return self.err("invalid number");
            }
        }
        if matches!(bytes.get(p), Some(b'.')) {
            p += 1;
            if digits(bytes, &mut p) == 0 {
                self.pos = p;
                return self.err("invalid number");
            }
        }
        if matches!(bytes.get(p), Some(b'e' | b'E')) {
            p += 1;
            if matches!(bytes.get(p), Some(b'+' | b'-')) {
                p += 1;
            }
            if digits(bytes, &mut p) == 0 {
                self.pos = p;
                return self.err("invalid number");
            }
        }
        self.pos = p;
        self.after = After::Value;
        // The number is ASCII, so these are char boundaries.
        Ok(self.slice(start, p))
    }

    /// Reads a string, borrowed from the text when it has no escapes.
    pub fn str(&mut self) -> Result<Cow<'a, str>, JsonError> {
        match self.value_start()? {
            b'"' => {}
            _ => return self.err("expected a string"),
        }
        let s = self.string_body()?;
        self.after = After::Value;
        Ok(s)
    }

    /// The string starting at `self.pos` (its opening quote).
    fn string_body(&mut self) -> Result<Cow<'a, str>, JsonError> {
        let bytes = self.bytes();
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes, the common case for every model token.
        self.pos = plain_run_end(bytes, self.pos);
        match bytes.get(self.pos) {
            Some(b'"') => {
                let s = self.slice(start, self.pos);
                self.pos += 1;
                return Ok(Cow::Borrowed(s));
            }
            Some(b'\\') => {}
            Some(_) => return self.err("control character in string"),
            None => return self.err("unterminated string"),
        }
        let mut out = String::with_capacity(self.pos - start + 16);
        out.push_str(&self.text[start..self.pos]);
        loop {
            let run = self.pos;
            self.pos = plain_run_end(bytes, self.pos);
            // `run..pos` stops only at ASCII bytes, so it is a whole UTF-8 run.
            out.push_str(&self.text[run..self.pos]);
            match bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => return self.err("control character in string"),
                None => return self.err("unterminated string"),
            }
        }
    }

    /// One escape after its backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let Some(&b) = self.bytes().get(self.pos) else {
            return self.err("unterminated string");
        };
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => self.unicode_escape()?,
            _ => {
                self.pos -= 1;
                return self.err("invalid escape");
            }
        };
        out.push(c);
        Ok(())
    }

    /// `\uXXXX` (after the `u`), joining a surrogate pair written as two
    /// escapes. A lone surrogate reads as U+FFFD (see the module doc).
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        match first {
            0xD800..=0xDBFF => {
                let bytes = self.bytes();
                if matches!(bytes.get(self.pos), Some(b'\\'))
                    && matches!(bytes.get(self.pos + 1), Some(b'u'))
                {
                    let save = self.pos;
                    self.pos += 2;
                    let second = self.hex4()?;
                    if (0xDC00..=0xDFFF).contains(&second) {
                        let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                        return Ok(char::from_u32(c).unwrap_or('\u{FFFD}'));
                    }
                    // Not a low surrogate: that escape is read on its own.
                    self.pos = save;
                }
                Ok('\u{FFFD}')
            }
            _ => Ok(char::from_u32(first).unwrap_or('\u{FFFD}')),
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.bytes().get(self.pos) {
                Some(&b) => (b as char).to_digit(16),
                None => None,
            };
            match d {
                Some(d) => v = v * 16 + d,
                None => return self.err("invalid \\u escape"),
            }
            self.pos += 1;
        }
        Ok(v)
    }

    fn push_open(&mut self, object: bool) -> Result<(), JsonError> {
        if self.depth == MAX_DEPTH {
            return self.err("JSON nested too deeply");
        }
        let (word, bit) = (self.depth / 64, self.depth % 64);
        if object {
            self.open[word] |= 1 << bit;
        } else {
            self.open[word] &= !(1 << bit);
        }
        self.depth += 1;
        self.pos += 1;
        self.after = After::Open;
        Ok(())
    }

    /// Whether the innermost open container is an object.
    #[inline(always)]
    fn in_object(&self) -> bool {
        self.depth > 0 && {
            let level = self.depth - 1;
            self.open[level / 64] & (1 << (level % 64)) != 0
        }
    }

    /// Reads `{`; then call [`Reader::next_key`] until it returns `None`.
    pub fn begin_object(&mut self) -> Result<(), JsonError> {
        match self.value_start()? {
            b'{' => self.push_open(true),
            _ => self.err("expected an object"),
        }
    }

    /// Reads `[`; then call [`Reader::next_item`] until it returns `false`.
    pub fn begin_array(&mut self) -> Result<(), JsonError> {
        match self.value_start()? {
            b'[' => self.push_open(false),
            _ => self.err("expected an array"),
        }
    }

    /// Moves past the `,` before a member/element, or past the closing
    /// bracket (returning `false`).
    #[inline(always)]
    fn next_in(&mut self, object: bool) -> Result<bool, JsonError> {
        if self.depth == 0 || self.in_object() != object {
            return self.err("not inside that container");
        }
        let close = if object { b'}' } else { b']' };
        let b = self.ws();
        match self.after {
            After::Open if matches!(b, Some(c) if c == close) => {}
            After::Open => return Ok(true),
            After::Value => match b {
                Some(b',') => {
                    self.pos += 1;
                    return Ok(true);
                }
                Some(c) if c == close => {}
                Some(_) => return self.err("expected ',' or a closing bracket"),
                None => return self.err("unexpected end of JSON"),
            },
            After::Key | After::Start => return self.err("expected a value"),
        }
        self.pos += 1;
        self.depth -= 1;
        self.after = After::Value;
        Ok(false)
    }

    /// The next member's key (the reader then stands before its value), or
    /// `None` after the closing `}`.
    pub fn next_key(&mut self) -> Result<Option<Cow<'a, str>>, JsonError> {
        if !self.next_in(true)? {
            return Ok(None);
        }
        if !matches!(self.ws(), Some(b'"')) {
            return self.err("expected a key");
        }
        // Keys are short and plain: found here, and followed at once by
        // `:` in compact frames, without `string_body`'s call and `Cow`
        // hand-off (a frame is mostly keys). Anything else takes the
        // general path.
        let bytes = self.bytes();
        let start = self.pos + 1;
        let end = key_end(bytes, start);
        let key = if matches!(bytes.get(end), Some(b'"')) {
            self.pos = end + 1;
            Cow::Borrowed(self.slice(start, end))
        } else {
            self.string_body()?
        };
        if !matches!(bytes.get(self.pos), Some(b':')) && !matches!(self.ws(), Some(b':')) {
            return self.err("expected ':'");
        }
        self.pos += 1;
        self.after = After::Key;
        Ok(Some(key))
    }

    /// Whether another element follows (the reader then stands before it);
    /// `false` after the closing `]`.
    pub fn next_item(&mut self) -> Result<bool, JsonError> {
        let more = self.next_in(false)?;
        if more {
            if matches!(self.ws(), Some(b']')) {
                // `[1,]`: a comma must be followed by an element.
                return self.err("expected a value");
            }
            self.after = After::Key;
        }
        Ok(more)
    }

    /// Reads and discards the next value, whatever it is, checking it.
    pub fn skip(&mut self) -> Result<(), JsonError> {
        let base = self.depth;
        loop {
            match self.peek()? {
                Kind::Null => self.null()?,
                Kind::Bool => {
                    self.bool()?;
                }
                Kind::Number => {
                    self.number()?;
                }
                Kind::String => {
                    self.skip_string()?;
                }
                Kind::Array => self.begin_array()?,
                Kind::Object => self.begin_object()?,
            }
            // Close whatever is complete, then stand before the next value.
            loop {
                if self.depth == base {
                    return Ok(());
                }
                let more = if self.in_object() {
                    self.next_key()?.is_some()
                } else {
                    self.next_item()?
                };
                if more {
                    break;
                }
            }
        }
    }

    /// A string skipped without building it.
    fn skip_string(&mut self) -> Result<(), JsonError> {
        self.value_start()?;
        let bytes = self.bytes();
        self.pos += 1;
        loop {
            self.pos = plain_run_end(bytes, self.pos);
            match bytes.get(self.pos) {
                Some(b'"') => break,
                Some(b'\\') => {
                    self.pos += 1;
                    match bytes.get(self.pos) {
                        Some(b'u') => {
                            self.pos += 1;
                            self.hex4()?;
                        }
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 1
                        }
                        Some(_) => return self.err("invalid escape"),
                        None => return self.err("unterminated string"),
                    }
                }
                Some(_) => return self.err("control character in string"),
                None => return self.err("unterminated string"),
            }
        }
        self.pos += 1;
        self.after = After::Value;
        Ok(())
    }

    /// Reads the next value and returns its exact text (for values kept
    /// verbatim, such as a JSON schema or an error object read later).
    pub fn raw(&mut self) -> Result<&'a str, JsonError> {
        self.value_start()?;
        let start = self.pos;
        self.skip()?;
        Ok(&self.text[start..self.pos])
    }

    /// Checks that only whitespace follows the document.
    pub fn end(&mut self) -> Result<(), JsonError> {
        if self.depth != 0 || self.after != After::Value {
            return self.err("unexpected end of JSON");
        }
        match self.ws() {
            None => Ok(()),
            Some(_) => self.err("trailing characters after JSON"),
        }
    }

    /// Reads a non-negative integer that fits in `u64` (`12`, also `12.0`
    /// and `1.2e1`, which some servers write for counts). Other numbers
    /// read as `None`; a non-number is an error.
    pub fn count(&mut self) -> Result<Option<u64>, JsonError> {
        let text = self.number()?;
        Ok(parse_count(text))
    }
}

/// The high bit of each byte of `word` (read little-endian) that is `"`,
/// `\\` or a control character (lowest exact; see [`crate::word_scan`]).
#[inline(always)]
fn run_end_mask(word: u64) -> u64 {
    bytes_below(word, 0x20) | equal_bytes(word, b'"') | equal_bytes(word, b'\\')
}

/// Whether `b` ends a run of plain string bytes.
#[inline(always)]
fn ends_run(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// The index of the first `"`, `\\` or control character at or after
/// `pos` (or `bytes.len()`): the end of a run of string bytes that are
/// copied or skipped as they are. A word at a time, as `serde_json` does;
/// token text is most of every frame, so this is the reader's hot loop.
pub(crate) fn plain_run_end(bytes: &[u8], pos: usize) -> usize {
    scan(bytes, pos, run_end_mask, ends_run)
}

/// [`plain_run_end`] for a key: most keys are shorter than a word, so the
/// first word is tested here, inline, and only longer keys pay the call.
#[inline(always)]
fn key_end(bytes: &[u8], pos: usize) -> usize {
    match word_at(bytes, pos) {
        Some(word) => match run_end_mask(word) {
            0 => plain_run_end(bytes, pos + WORD),
            mask => first_hit(pos, mask),
        },
        None => plain_run_end(bytes, pos),
    }
}

/// A count from number text: a non-negative integer value that fits in
/// `u64`, whatever notation (`7`, `7.0`, `7e0`, `70e-1`); else `None`.
pub fn parse_count(text: &str) -> Option<u64> {
    if let Ok(v) = text.parse::<u64>() {
        return Some(v);
    }
    let (digits, scale) = plain_digits(text)?;
    if text.starts_with('-') && digits.bytes().any(|d| d != b'0') {
        return None;
    }
    // value = digits × 10^scale; an integer when the dropped digits are 0.
    let digits = digits.trim_start_matches('0');
    if scale >= 0 {
        let zeros = usize::try_from(scale).ok()?;
        if digits.is_empty() {
            return Some(0);
        }
        if digits.len() + zeros > 20 {
            return None;
        }
        let mut v: u64 = digits.parse().ok()?;
        for _ in 0..zeros {
            v = v.checked_mul(10)?;
        }
        Some(v)
    } else {
        let cut = usize::try_from(-scale).ok()?;
        if cut >= digits.len() {
            return digits.bytes().all(|d| d == b'0').then_some(0);
        }
        let (int, frac) = digits.split_at(digits.len() - cut);
        if frac.bytes().any(|d| d != b'0') {
            return None;
        }
        int.parse().ok()
    }
}

/// Number text in plain decimal notation (`2.75e-3` → `0.00275`,
/// `1E+2` → `100`, `-0.50` kept as written when it has no exponent). `None`
/// for text that is not a JSON number or whose exponent is absurd.
pub fn plain_decimal(text: &str) -> Option<String> {
    if !text.contains(['e', 'E']) {
        return Some(text.to_owned());
    }
    let negative = text.starts_with('-');
    let (digits, scale) = plain_digits(text)?;
    let digits = digits.trim_start_matches('0');
    let mut out = String::new();
    if negative && !digits.is_empty() {
        out.push('-');
    }
    if digits.is_empty() {
        out.push('0');
        return Some(out);
    }
    // Exponents beyond this are not prices or counts; refusing them keeps
    // a hostile `1e999999999` from allocating a gigabyte of zeros.
    if scale.unsigned_abs() > 400 {
        return None;
    }
    if scale >= 0 {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', scale.unsigned_abs() as usize));
    } else {
        let cut = scale.unsigned_abs() as usize;
        if cut >= digits.len() {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', cut - digits.len()));
            out.push_str(digits);
        } else {
            let (int, frac) = digits.split_at(digits.len() - cut);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        }
        while out.ends_with('0') {
            out.pop();
        }
        if out.ends_with('.') {
            out.pop();
        }
    }
    Some(out)
}

/// Number text as (all significant digits, power of ten to scale them by):
/// `-12.5e2` → ("125", 1). `None` if it is not a JSON number.
fn plain_digits(text: &str) -> Option<(String, i64)> {
    let mut check = Reader::new(text);
    if check.number().ok()? != text {
        return None;
    }
    let body = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i64>().ok()?),
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let frac_len = i64::try_from(frac.len()).ok()?;
    Some((format!("{int}{frac}"), exp.checked_sub(frac_len)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_scan_finds_the_first_run_end_at_any_offset() {
        let naive = |bytes: &[u8], pos: usize| {
            (pos..bytes.len())
                .find(|&i| matches!(bytes[i], b'"' | b'\\' | 0..=0x1f))
                .unwrap_or(bytes.len())
        };
        // Every byte value at every position of a buffer longer than two
        // words, scanned from every start (bytes ≥ 0x80 test the high bit).
        for special in 0..=255u8 {
            for at in 0..20 {
                let mut bytes = [b'a'; 20];
                bytes[7] = 0xc3;
                bytes[at] = special;
                for pos in 0..=bytes.len() {
                    assert_eq!(
                        plain_run_end(&bytes, pos),
                        naive(&bytes, pos),
                        "byte {special:#x} at {at}, from {pos}"
                    );
                }
            }
        }
    }

    #[test]
    fn word_scan_is_exact_with_several_candidates_in_a_word() {
        // Pairs of bytes next to the classes' edges, where a borrow out of
        // one byte could make its neighbour look special.
        const EDGES: [u8; 15] = [
            0x00, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7f, 0x80, 0xa2, 0xdc,
            0xff,
        ];
        let naive = |bytes: &[u8]| {
            bytes
                .iter()
                .position(|b| matches!(b, b'"' | b'\\' | 0..=0x1f))
                .unwrap_or(bytes.len())
        };
        for a in EDGES {
            for b in EDGES {
                for i in 0..16 {
                    for j in 0..16 {
                        let mut bytes = [b'x'; 16];
                        bytes[i] = a;
                        bytes[j] = b;
                        assert_eq!(plain_run_end(&bytes, 0), naive(&bytes), "{bytes:?}");
                    }
                }
            }
        }
    }

    /// Walks an object of scalars into (key, text) pairs.
    fn pairs(text: &str) -> Result<Vec<(String, String)>, JsonError> {
        let mut r = Reader::new(text);
        r.begin_object()?;
        let mut out = Vec::new();
        while let Some(k) = r.next_key()? {
            let v = match r.peek()? {
                Kind::String => r.str()?.into_owned(),
                Kind::Number => r.number()?.to_owned(),
                _ => r.raw()?.to_owned(),
            };
            out.push((k.into_owned(), v));
        }
        r.end()?;
        Ok(out)
    }

    #[test]
    fn reads_members_in_order_and_skips_nested_values() {
        let got = pairs(r#" {"a":"x\ny","b":-1.5e3,"c":{"d":[1,{"e":null}]},"f":[]} "#).unwrap();
        assert_eq!(
            got,
            [
                ("a".into(), "x\ny".into()),
                ("b".into(), "-1.5e3".into()),
                ("c".into(), r#"{"d":[1,{"e":null}]}"#.into()),
                ("f".into(), "[]".into()),
            ]
        );
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let mut r = Reader::new(r#""plain text""#);
        assert!(matches!(r.str(), Ok(Cow::Borrowed("plain text"))));
        let mut r = Reader::new(r#""a\u00e9\ud83d\ude00\/""#);
        assert_eq!(r.str().unwrap(), "aé😀/");
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let mut r = Reader::new(r#""x\ud800y\udc00\ud800\u0041""#);
        assert_eq!(r.str().unwrap(), "x\u{FFFD}y\u{FFFD}\u{FFFD}A");
    }

    #[test]
    fn malformed_documents_are_refused_with_an_offset() {
        for bad in [
            "",
            "{",
            "{]",
            r#"{"a"}"#,
            r#"{"a":}"#,
            r#"{"a":1,}"#,
            "[1,]",
            "[1 2]",
            "{,}",
            r#"{"a":1 "b":2}"#,
            "01",
            "1.",
            "-",
            "1e",
            "tru",
            "\"a\tb\"",
            r#""\x""#,
            r#""\u12""#,
            "[1]]",
            "{} {}",
            "nul",
            r#"{"a":1"#,
        ] {
            let mut r = Reader::new(bad);
            let outcome = r.skip().and_then(|()| r.end());
            assert!(outcome.is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn a_value_must_be_read_after_each_key() {
        let mut r = Reader::new(r#"{"a":1,"b":2}"#);
        r.begin_object().unwrap();
        assert_eq!(r.next_key().unwrap().as_deref(), Some("a"));
        assert!(r.next_key().is_err());
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = "[".repeat(100_000);
        let mut r = Reader::new(&deep);
        assert_eq!(r.skip().unwrap_err().reason, "JSON nested too deeply");
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        let mut r = Reader::new(&ok);
        assert_eq!(r.raw().unwrap().len(), ok.len());
        let past = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let mut r = Reader::new(&past);
        assert_eq!(r.raw().unwrap_err().reason, "JSON nested too deeply");
        // Objects count alike, whether skipped or entered.
        let objects = |n: usize| format!("{}1{}", r#"{"k":"#.repeat(n), "}".repeat(n));
        assert!(Reader::new(&objects(MAX_DEPTH)).skip().is_ok());
        assert!(Reader::new(&objects(MAX_DEPTH + 1)).skip().is_err());
        let mut r = Reader::new(&past);
        for _ in 0..MAX_DEPTH {
            r.begin_array().unwrap();
            assert!(r.next_item().unwrap());
        }
        assert_eq!(
            r.begin_array().unwrap_err().reason,
            "JSON nested too deeply"
        );
    }

    #[test]
    fn counts_accept_integral_values_in_any_notation() {
        for (text, want) in [
            ("7", Some(7)),
            ("7.0", Some(7)),
            ("7e0", Some(7)),
            ("70e-1", Some(7)),
            ("1.2e1", Some(12)),
            ("0.0", Some(0)),
            ("-0", Some(0)),
            ("-1", None),
            ("12.5", None),
            ("18446744073709551615", Some(u64::MAX)),
            ("18446744073709551616", None),
            ("1e30", None),
            ("1e-999999999999", None),
        ] {
            assert_eq!(parse_count(text), want, "{text}");
        }
    }

    #[test]
    fn plain_decimal_writes_out_exponents() {
        for (text, want) in [
            ("0.00001400", Some("0.00001400")),
            ("2.75", Some("2.75")),
            ("2.75e-3", Some("0.00275")),
            ("1E+2", Some("100")),
            ("-1.5e1", Some("-15")),
            ("0e5", Some("0")),
            ("1e-8", Some("0.00000001")),
            ("1e99999", None),
        ] {
            assert_eq!(plain_decimal(text).as_deref(), want, "{text}");
        }
    }
}
