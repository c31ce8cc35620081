//! A JSON text writer: the crate's counterpart of [`crate::json::Reader`].
//!
//! It writes compact JSON straight into a `String`, byte-for-byte what
//! `serde_json::to_string` produces for the same values (same string
//! escapes, integers, shortest round-trip floats). Request bodies, the
//! events and messages the JS binding hands over, and call arguments are
//! written with it: serde's serializer machinery (a generic
//! `SerializeMap`/`io::Write` stack per type) cost the wasm package tens of
//! KB and a tenth of decode time in V8, where this is a handful of small
//! non-generic functions.

use serde_json::{Number, Value};

use crate::json::plain_run_end;

/// Writes one JSON document into a string.
///
/// ```
/// use zenwire::json_write::JsonWriter;
/// let mut w = JsonWriter::new();
/// w.begin_object();
/// w.field("a", "x\n");
/// w.key("b");
/// w.u64(1);
/// w.end_object();
/// assert_eq!(w.finish(), r#"{"a":"x\n","b":1}"#);
/// ```
///
/// The caller keeps the grammar: in an object, every [`JsonWriter::key`] is
/// followed by exactly one value; containers are closed in order. Nothing
/// here fails or panics; misuse would only produce malformed text, which the
/// tests of every builder would catch.
pub struct JsonWriter {
    out: String,
    /// A value was completed in the open container, so the next key or array
    /// item needs a comma first.
    comma: bool,
}

impl JsonWriter {
    /// A writer for one document.
    pub fn new() -> Self {
        JsonWriter::with_buffer(String::new())
    }

    /// A writer that appends to `out` after clearing it, so a caller that
    /// writes many documents reuses one allocation (see [`JsonWriter::finish`]).
    pub fn with_buffer(mut out: String) -> Self {
        out.clear();
        JsonWriter { out, comma: false }
    }

    /// The text written (its buffer, to hand to [`JsonWriter::with_buffer`]
    /// again when writing many documents).
    pub fn finish(self) -> String {
        self.out
    }

    /// The compact JSON text of `v` (what `v.to_string()` gives), for
    /// formats that send JSON inside a string, such as call arguments.
    pub fn text(v: &Value) -> String {
        let mut w = JsonWriter::new();
        w.value(v);
        w.finish()
    }

    /// Opens an object.
    pub fn begin_object(&mut self) {
        self.separate();
        self.out.push('{');
        self.comma = false;
    }

    /// Closes an object.
    pub fn end_object(&mut self) {
        self.out.push('}');
        self.comma = true;
    }

    /// Opens an array.
    pub fn begin_array(&mut self) {
        self.separate();
        self.out.push('[');
        self.comma = false;
    }

    /// Closes an array.
    pub fn end_array(&mut self) {
        self.out.push(']');
        self.comma = true;
    }

    /// Writes an object key; a value must follow.
    pub fn key(&mut self, key: &str) {
        // The separator and quotes go in with as few appends as possible:
        // events are mostly keys, and each append is a call at opt-level z.
        self.out.push_str(if self.comma { ",\"" } else { "\"" });
        escape_body(&mut self.out, key);
        self.out.push_str("\":");
        self.comma = false;
    }

    /// Writes a key given as its finished JSON text with the colon
    /// (`"\"text\":"`): for the crate's own member names, which need no
    /// escaping. Events are mostly fixed keys, and the escape scan of
    /// [`JsonWriter::key`] would be most of the cost of writing one; this is
    /// one append.
    pub(crate) fn raw_key(&mut self, quoted: &str) {
        debug_assert!(quoted.ends_with("\":"));
        if self.comma {
            self.out.push(',');
        }
        self.out.push_str(quoted);
        self.comma = false;
    }

    /// Writes a whole member given as finished JSON text (`"\"type\":\"cost\""`),
    /// such as an event's tag; the same terms as [`JsonWriter::raw_key`].
    pub(crate) fn raw_member(&mut self, member: &str) {
        if self.comma {
            self.out.push(',');
        }
        self.out.push_str(member);
        self.comma = true;
    }

    /// [`JsonWriter::raw_key`] and a string value.
    pub(crate) fn raw_field(&mut self, quoted: &str, value: &str) {
        self.raw_key(quoted);
        self.str(value);
    }

    /// Writes a key and a string value.
    pub fn field(&mut self, key: &str, value: &str) {
        self.key(key);
        self.str(value);
    }

    /// Writes a string.
    pub fn str(&mut self, s: &str) {
        self.separate();
        self.out.reserve(s.len() + 2);
        self.out.push('"');
        escape_body(&mut self.out, s);
        self.out.push('"');
        self.comma = true;
    }

    /// Writes a value given as its finished, compact JSON text (a member
    /// copied from another document).
    pub(crate) fn raw_value(&mut self, text: &str) {
        self.literal(text);
    }

    /// Writes a string, or `null` for `None`.
    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }

    /// Writes `null`.
    pub fn null(&mut self) {
        self.literal("null");
    }

    /// Writes `true` or `false`.
    pub fn bool(&mut self, b: bool) {
        self.literal(if b { "true" } else { "false" });
    }

    /// Writes an unsigned integer.
    pub fn u64(&mut self, n: u64) {
        self.literal(itoa::Buffer::new().format(n));
    }

    /// Writes an unsigned integer, or `null` for `None`.
    pub fn opt_u64(&mut self, n: Option<u64>) {
        match n {
            Some(n) => self.u64(n),
            None => self.null(),
        }
    }

    /// Writes a float in its shortest round-trip form (as serde_json does,
    /// with the same formatter); a non-finite value, which JSON cannot
    /// express, is written as `null` (what `serde_json` made of it too).
    pub fn f64(&mut self, f: f64) {
        if f.is_finite() {
            self.literal(zmij::Buffer::new().format_finite(f));
        } else {
            self.null();
        }
    }

    /// Writes a JSON value (a tool schema, call arguments) as compact text.
    pub fn value(&mut self, v: &Value) {
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
    pub fn strings(&mut self, items: &[String]) {
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

    fn literal(&mut self, text: &str) {
        self.separate();
        self.out.push_str(text);
        self.comma = true;
    }

    /// The comma before a value that follows another in an array.
    fn separate(&mut self) {
        if self.comma {
            self.out.push(',');
        }
    }
}

impl Default for JsonWriter {
    fn default() -> Self {
        JsonWriter::new()
    }
}

/// Appends the body of `s` as a JSON string literal (without the quotes),
/// escaped exactly as serde_json does: `"` and `\`, the short forms
/// `\b \f \n \r \t`, other control characters as `\u00XX`; everything else
/// (DEL and all non-ASCII included) verbatim.
///
/// Plain runs are found a word at a time ([`plain_run_end`], the reader's
/// scan: the bytes that end a run there are exactly the bytes to escape
/// here) and copied whole; keys and text tokens rarely need any escape, and
/// then `s` is copied in one append.
fn escape_body(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    let mut end = plain_run_end(bytes, 0);
    if end == bytes.len() {
        out.push_str(s);
        return;
    }
    let mut start = 0;
    loop {
        // The run stops only at an ASCII byte (or the end), so `end` is a
        // char boundary and `get` always succeeds.
        out.push_str(s.get(start..end).unwrap_or_default());
        let Some(&b) = bytes.get(end) else {
            break;
        };
        start = end + 1;
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            _ => "",
        };
        if short.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(short);
        }
        end = plain_run_end(bytes, start);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::JsonWriter;
    use serde_json::json;

    fn str_text(s: &str) -> String {
        let mut w = JsonWriter::new();
        w.str(s);
        w.finish()
    }

    #[test]
    fn escapes_every_control_character_and_nothing_else_of_ascii() {
        for b in 0u8..=0x7f {
            let s = char::from(b).to_string();
            let got = str_text(&s);
            let want = match b {
                b'"' => "\"\\\"\"".to_owned(),
                b'\\' => "\"\\\\\"".to_owned(),
                0x08 => "\"\\b\"".to_owned(),
                0x0c => "\"\\f\"".to_owned(),
                b'\n' => "\"\\n\"".to_owned(),
                b'\r' => "\"\\r\"".to_owned(),
                b'\t' => "\"\\t\"".to_owned(),
                0x00..=0x1f => format!("\"\\u{b:04x}\""),
                _ => format!("\"{s}\""),
            };
            assert_eq!(got, want, "byte {b:#04x}");
            assert_eq!(got, serde_json::to_string(&s).unwrap(), "byte {b:#04x}");
            let back: String = serde_json::from_str(&got).unwrap();
            assert_eq!(back, s);
        }
        assert_eq!(str_text("\u{1f}\u{7f}"), "\"\\u001f\u{7f}\"");
    }

    #[test]
    fn writes_non_ascii_verbatim_between_escapes() {
        let s = "é\n日本\u{0}😀\"x\u{2028}";
        let got = str_text(s);
        assert_eq!(got, "\"é\\n日本\\u0000😀\\\"x\u{2028}\"");
        assert_eq!(serde_json::from_str::<String>(&got).unwrap(), s);
        assert_eq!(str_text(""), "\"\"");
    }

    #[test]
    fn writes_nested_structures_compactly() {
        let mut w = JsonWriter::new();
        w.begin_object();
        w.field("a", "x");
        w.key("b");
        w.begin_array();
        w.u64(1);
        w.begin_object();
        w.end_object();
        w.begin_array();
        w.end_array();
        w.begin_array();
        w.null();
        w.bool(false);
        w.end_array();
        w.end_array();
        w.key("c");
        w.begin_object();
        w.key("d");
        w.f64(0.5);
        w.key("e");
        w.strings(&["p".to_owned(), "q".to_owned()]);
        w.key("f");
        w.opt_str(None);
        w.end_object();
        w.key("g");
        w.bool(true);
        w.end_object();
        assert_eq!(
            w.finish(),
            r#"{"a":"x","b":[1,{},[],[null,false]],"c":{"d":0.5,"e":["p","q"],"f":null},"g":true}"#
        );
    }

    #[test]
    fn writes_numbers_as_serde_json_does() {
        for f in [
            0.0,
            -0.0,
            1.0,
            0.7,
            0.95,
            1.5,
            2.0,
            1e-7,
            1e21,
            123456.789,
            5e-324,
            f64::MAX,
        ] {
            let mut w = JsonWriter::new();
            w.f64(f);
            assert_eq!(w.finish(), serde_json::to_string(&f).unwrap(), "{f}");
        }
        for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut w = JsonWriter::new();
            w.f64(f);
            assert_eq!(w.finish(), "null", "{f}");
        }
        for n in [
            json!(0),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(-1),
            json!(2.5),
        ] {
            assert_eq!(JsonWriter::text(&n), n.to_string());
        }
    }

    /// Generated JSON values (also for the merge-patch tests).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) mod prop {
        use super::super::JsonWriter;
        use proptest::prelude::*;
        use serde_json::{Map, Value};

        /// Keys from a small set, so that patches and bodies collide often.
        pub(crate) fn key() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("a".to_owned()),
                Just("b".to_owned()),
                Just("c".to_owned()),
                Just("d".to_owned()),
                "\\PC{0,3}",
            ]
        }

        pub(crate) fn value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<u64>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                // Non-finite floats become `null`, as in serde_json.
                any::<f64>().prop_map(Value::from),
                any::<String>().prop_map(Value::String),
            ];
            leaf.prop_recursive(4, 48, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                    prop::collection::btree_map(key(), inner, 0..6)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        pub(crate) fn object() -> impl Strategy<Value = Map<String, Value>> {
            prop::collection::btree_map(key(), value(), 0..6).prop_map(|m| m.into_iter().collect())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn writes_exactly_what_serde_json_writes(v in value()) {
                let text = JsonWriter::text(&v);
                prop_assert_eq!(&text, &serde_json::to_string(&v).unwrap());
                let back: Value = serde_json::from_str(&text).unwrap();
                prop_assert_eq!(back, v);
            }

            #[test]
            fn writes_any_float_as_serde_json_does(f in any::<f64>()) {
                let mut w = JsonWriter::new();
                w.f64(f);
                let want = if f.is_finite() { serde_json::to_string(&f).unwrap() } else { "null".to_owned() };
                prop_assert_eq!(w.finish(), want);
            }
        }
    }
}
