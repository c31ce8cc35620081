//! A JSON text writer for request bodies, with the request's `extra` laid
//! over the body as it is written.
//!
//! The body builders used to assemble a `serde_json::Value` tree (a map
//! insert per member, a drop per node) and serialize it; in the wasm package
//! that machinery was ~44 KB. Writing the text directly is a handful of
//! small non-generic functions, and faster.
//!
//! Output is byte-for-byte what `serde_json::to_string` produces for the
//! same values (same string escapes, integers, shortest round-trip floats,
//! compact form), so values copied from the request (tool schemas, call
//! arguments) come out exactly as before. Only member order differs from the
//! old `Value` body: members appear in the order written, not sorted.
//!
//! `extra` (a JSON Merge Patch, RFC 7396) is applied on the fly: a member the
//! patch deletes (`null`) or replaces (any non-object) is written and then cut
//! off the buffer once complete; a member whose patch is an object and whose
//! value is an object is merged recursively; the patch's remaining members
//! are appended when their object closes. The result is the same JSON value
//! as [`super::merge_patch`] over the built body.

use serde_json::{Map, Number, Value};

/// Writes one JSON document into a string.
///
/// The caller keeps the grammar: in an object, every [`JsonWriter::key`] is
/// followed by exactly one value; containers are closed in order. Nothing
/// here fails or panics; misuse would only produce malformed text, which the
/// tests of every builder would catch.
pub(crate) struct JsonWriter<'p> {
    out: String,
    /// A value was completed in the open container, so the next key or array
    /// item needs a comma first.
    comma: bool,
    /// Number of open containers.
    depth: usize,
    /// The open objects that a patch applies to, innermost last.
    patched: Vec<Patched<'p>>,
    /// The patch entry for the value about to be written (set by `key` in a
    /// patched object, or by `new` for the document itself).
    pending: Option<Pending<'p>>,
    /// The member being written that the patch deletes or replaces.
    dropping: Option<Cut>,
}

/// An open object with a patch over it.
struct Patched<'p> {
    /// `depth` inside this object.
    depth: usize,
    patch: &'p Map<String, Value>,
    /// Patch keys already merged into a member written in place.
    merged: Vec<&'p str>,
}

/// The patch entry for the next value.
struct Pending<'p> {
    /// The member's key (`None` for the document itself).
    key: Option<&'p str>,
    /// The patch when it is an object (merged into an object value);
    /// `None` when it is `null` or a non-object, which replaces the value.
    object: Option<&'p Map<String, Value>>,
    /// Where the member starts in `out`, and the comma state before it.
    cut: Cut,
}

/// A point to cut the buffer back to.
#[derive(Clone, Copy)]
struct Cut {
    /// `depth` of the object holding the member.
    depth: usize,
    /// Length of `out` before the member (its comma included).
    len: usize,
    /// `comma` before the member.
    comma: bool,
}

impl<'p> JsonWriter<'p> {
    /// A writer whose document (which must be an object) gets `patch` merged
    /// over it as a JSON Merge Patch.
    pub(crate) fn new(patch: Option<&'p Map<String, Value>>) -> Self {
        JsonWriter {
            out: String::with_capacity(512),
            comma: false,
            depth: 0,
            patched: Vec::new(),
            pending: patch.map(|p| Pending {
                key: None,
                object: Some(p),
                cut: Cut {
                    depth: 0,
                    len: 0,
                    comma: false,
                },
            }),
            dropping: None,
        }
    }

    /// The text written.
    pub(crate) fn finish(self) -> String {
        self.out
    }

    /// The compact JSON text of `v` (what `v.to_string()` gives), for
    /// formats that send JSON inside a string, such as call arguments.
    pub(crate) fn text(v: &Value) -> String {
        let mut w = JsonWriter::new(None);
        w.value(v);
        w.finish()
    }

    /// Opens an object.
    pub(crate) fn begin_object(&mut self) {
        let pending = self.begin_value();
        self.out.push('{');
        self.depth += 1;
        self.comma = false;
        let Some(p) = pending else {
            return;
        };
        match p.object {
            Some(patch) => {
                if let (Some(key), Some(parent)) = (p.key, self.patched.last_mut()) {
                    parent.merged.push(key);
                }
                self.patched.push(Patched {
                    depth: self.depth,
                    patch,
                    merged: Vec::new(),
                });
            }
            None => self.drop_member(p),
        }
    }

    /// Closes an object, first appending what its patch adds.
    pub(crate) fn end_object(&mut self) {
        if let Some(open) = self.patched.pop_if(|p| p.depth == self.depth) {
            for (key, value) in open.patch {
                if !value.is_null() && !open.merged.contains(&key.as_str()) {
                    self.key(key);
                    self.patch_value(value);
                }
            }
        }
        self.out.push('}');
        self.end_container();
    }

    /// Opens an array.
    pub(crate) fn begin_array(&mut self) {
        if let Some(p) = self.begin_value() {
            self.drop_member(p);
        }
        self.out.push('[');
        self.depth += 1;
        self.comma = false;
    }

    /// Closes an array.
    pub(crate) fn end_array(&mut self) {
        self.out.push(']');
        self.end_container();
    }

    /// Writes an object key; a value must follow.
    pub(crate) fn key(&mut self, key: &str) {
        let cut = Cut {
            depth: self.depth,
            len: self.out.len(),
            comma: self.comma,
        };
        if self.comma {
            self.out.push(',');
        }
        escape(&mut self.out, key);
        self.out.push(':');
        self.comma = false;
        if let Some(open) = self.patched.last().filter(|p| p.depth == self.depth) {
            if let Some((key, patch)) = open.patch.get_key_value(key) {
                self.pending = Some(Pending {
                    key: Some(key.as_str()),
                    object: patch.as_object(),
                    cut,
                });
            }
        }
    }

    /// Writes a key and a string value.
    pub(crate) fn field(&mut self, key: &str, value: &str) {
        self.key(key);
        self.str(value);
    }

    /// Writes a string.
    pub(crate) fn str(&mut self, s: &str) {
        self.scalar_start();
        escape(&mut self.out, s);
        self.end_value();
    }

    /// Writes a string, or `null` for `None`.
    pub(crate) fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }

    /// Writes `null`.
    pub(crate) fn null(&mut self) {
        self.literal("null");
    }

    /// Writes `true` or `false`.
    pub(crate) fn bool(&mut self, b: bool) {
        self.literal(if b { "true" } else { "false" });
    }

    /// Writes an unsigned integer.
    pub(crate) fn u64(&mut self, n: u64) {
        self.literal(itoa::Buffer::new().format(n));
    }

    /// Writes a float in its shortest round-trip form (as serde_json does,
    /// with the same formatter); a non-finite value, which JSON cannot
    /// express, is written as `null` (what `serde_json` made of it too).
    pub(crate) fn f64(&mut self, f: f64) {
        if f.is_finite() {
            self.literal(zmij::Buffer::new().format_finite(f));
        } else {
            self.null();
        }
    }

    /// Writes a JSON value (a tool schema, call arguments) as compact text.
    pub(crate) fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.null(),
            Value::Bool(b) => self.bool(*b),
            Value::Number(n) => self.number(n),
            Value::String(s) => self.str(s),
            Value::Array(items) => {
                self.begin_array();
                items.iter().for_each(|item| self.value(item));
                self.end_array();
            }
            Value::Object(members) => {
                self.begin_object();
                for (key, value) in members {
                    self.key(key);
                    self.value(value);
                }
                self.end_object();
            }
        }
    }

    /// Writes a list of strings as an array.
    pub(crate) fn strings(&mut self, items: &[String]) {
        self.begin_array();
        items.iter().for_each(|s| self.str(s));
        self.end_array();
    }

    /// A number as serde_json writes it: integers verbatim, floats in
    /// shortest round-trip form. (Without serde_json's `arbitrary_precision`
    /// feature, which this crate does not enable, a `Number` is always one of
    /// the three.)
    fn number(&mut self, n: &Number) {
        if let Some(u) = n.as_u64() {
            self.u64(u);
        } else if let Some(i) = n.as_i64() {
            self.literal(itoa::Buffer::new().format(i));
        } else {
            self.f64(n.as_f64().unwrap_or(f64::NAN));
        }
    }

    /// A patch member added to the body: RFC 7396 merges it into an empty
    /// object, which drops `null` members of objects at every level (arrays
    /// are taken as they are).
    fn patch_value(&mut self, v: &Value) {
        let Value::Object(members) = v else {
            self.value(v);
            return;
        };
        self.begin_object();
        for (key, value) in members.iter().filter(|(_, v)| !v.is_null()) {
            self.key(key);
            self.patch_value(value);
        }
        self.end_object();
    }

    fn literal(&mut self, text: &str) {
        self.scalar_start();
        self.out.push_str(text);
        self.end_value();
    }

    /// Start of a value that is not an object: a patch entry for it can only
    /// delete or replace it.
    fn scalar_start(&mut self) {
        if let Some(p) = self.begin_value() {
            self.drop_member(p);
        }
    }

    /// Separates an array item from the previous one, and takes the patch
    /// entry for this value, if any.
    fn begin_value(&mut self) -> Option<Pending<'p>> {
        if self.comma {
            self.out.push(',');
        }
        self.pending.take()
    }

    /// Marks the member being started for removal once it is complete. The
    /// document itself (no key) is never removed.
    fn drop_member(&mut self, p: Pending<'p>) {
        if p.key.is_some() {
            self.dropping = Some(p.cut);
        }
    }

    fn end_container(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.end_value();
    }

    /// A value is complete: cut it off if it was a member to drop.
    fn end_value(&mut self) {
        self.comma = true;
        if let Some(cut) = self.dropping.filter(|c| c.depth == self.depth) {
            self.out.truncate(cut.len);
            self.comma = cut.comma;
            self.dropping = None;
        }
    }
}

/// Appends `s` as a JSON string literal, escaped exactly as serde_json does:
/// `"` and `\`, the short forms `\b \f \n \r \t`, other control characters
/// as `\u00XX`; everything else (DEL and all non-ASCII included) verbatim.
fn escape(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        // `b` is ASCII, so `i` is a char boundary and `get` always succeeds.
        out.push_str(s.get(start..i).unwrap_or_default());
        start = i + 1;
        if short.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(short);
        }
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// A message whose content list is opened on its first item, for formats
/// that must not send an empty turn, or that gather several request messages
/// (consecutive tool results) into one turn.
pub(crate) struct LazyTurn {
    role: &'static str,
    list_key: &'static str,
    open: bool,
}

impl LazyTurn {
    /// A turn `{"role": role, list_key: [...]}`, not yet written.
    pub(crate) fn new(role: &'static str, list_key: &'static str) -> Self {
        LazyTurn {
            role,
            list_key,
            open: false,
        }
    }

    /// Prepares `w` for the next item of the list, opening the turn first if
    /// this is its first item. `w` must be in the array of turns.
    pub(crate) fn item(&mut self, w: &mut JsonWriter<'_>) {
        if !self.open {
            w.begin_object();
            w.field("role", self.role);
            w.key(self.list_key);
            w.begin_array();
            self.open = true;
        }
    }

    /// Closes the turn if it was opened; a later item opens a new one.
    pub(crate) fn close(&mut self, w: &mut JsonWriter<'_>) {
        if self.open {
            w.end_array();
            w.end_object();
            self.open = false;
        }
    }
}
