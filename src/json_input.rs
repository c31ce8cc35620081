//! Typed reads of caller-supplied JSON documents (a unified request, client
//! options, a usage object) on the pull reader, with the semantics of the
//! serde derives those types also carry, and errors that name the JSON path
//! (`messages[2].content[0].type: …`).
//!
//! Why not `serde_json::from_str::<T>`: in the wasm package every derived
//! struct costs a deserializer, a visitor and a field matcher (~44 KB for
//! the request alone). These helpers are compiled once; each type's reader
//! is a plain `match key { … }` walk.
//!
//! The serde semantics kept, so the two ways of reading agree (the request
//! equivalence tests hold them to it): `null` reads as `None` for optional
//! fields and is a type error elsewhere; absent fields take their defaults;
//! a repeated field is an error (serde's "duplicate field"); integers must be
//! written as integers (`3`, not `3.0`) and fit their type. Numbers and
//! free-form values are built by `json_value` into the `serde_json` types,
//! classified as serde_json classifies them, floats correctly rounded.

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

use crate::json::{JsonError, Kind, Reader};
use crate::json_value::{self, read_value};

/// Why an input document (client options, a usage object) was refused:
/// where, and what was wrong. Displays as `path: reason`.
///
/// The two strings live behind one `Box`, as a [`crate::ZenError`]'s fields
/// do: every reader returns `Result<T, InputError>`, and a one-word error
/// keeps each `?` of the walk from copying two `String`s through memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError(Box<Details>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Details {
    path: String,
    reason: String,
}

impl InputError {
    /// JSON path of the offending value (`messages[0].content`); empty for
    /// the document itself.
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// What was wrong with it.
    pub fn reason(&self) -> &str {
        &self.0.reason
    }

    /// The error as one line with the path rooted at `root` (the name of
    /// the argument, e.g. `request.messages[0]: …`).
    pub(crate) fn rooted(&self, root: &str) -> String {
        let Details { path, reason } = &*self.0;
        match (root.is_empty(), path.is_empty()) {
            (true, true) => reason.clone(),
            (true, false) => format!("{path}: {reason}"),
            (false, true) => format!("{root}: {reason}"),
            (false, false) if path.starts_with('[') => format!("{root}{path}: {reason}"),
            (false, false) => format!("{root}.{path}: {reason}"),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rooted(""))
    }
}

impl std::error::Error for InputError {}

/// Where the walk stands: a chain of keys and indices built on the stack as
/// it descends, turned into text only when an error needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Path<'p> {
    /// The document itself.
    Root,
    /// A member of the object at the parent path.
    Key(&'p Path<'p>, &'p str),
    /// An element of the array at the parent path.
    Index(&'p Path<'p>, usize),
}

impl<'p> Path<'p> {
    /// The path of member `key` below this one.
    pub(crate) fn key(&'p self, key: &'p str) -> Path<'p> {
        Path::Key(self, key)
    }

    /// The path of element `index` below this one.
    pub(crate) fn index(&'p self, index: usize) -> Path<'p> {
        Path::Index(self, index)
    }

    /// An error at this path.
    pub(crate) fn error(&self, reason: impl Into<String>) -> InputError {
        InputError(Box::new(Details {
            path: self.text(),
            reason: reason.into(),
        }))
    }

    /// The path as text: `messages[2].content` (empty for the root).
    pub(crate) fn text(&self) -> String {
        let mut path = String::new();
        self.render(&mut path);
        path
    }

    fn render(&self, out: &mut String) {
        match *self {
            Path::Root => {}
            Path::Key(parent, key) => {
                parent.render(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Path::Index(parent, index) => {
                parent.render(out);
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
        }
    }

    /// The value of a required field, or "missing field `name`" here (at
    /// the object that lacks it).
    pub(crate) fn required<T>(&self, slot: Option<T>, name: &str) -> Result<T, InputError> {
        match slot {
            Some(value) => Ok(value),
            None => Err(self.missing(name)),
        }
    }

    /// "missing field `name`" here: out of line, one copy for every type
    /// [`Path::required`] is used with.
    #[inline(never)]
    pub(crate) fn missing(&self, name: &str) -> InputError {
        self.error(format!("missing field `{name}`"))
    }

    /// The error for a key an object with a fixed set of fields does not
    /// take (so a typo such as `maxTokens` fails loudly).
    pub(crate) fn unknown_field(&self, expected: &[&str]) -> InputError {
        self.error(format!(
            "unknown field, expected one of {}",
            quoted(expected)
        ))
    }

    /// The error for a string outside an enumeration.
    pub(crate) fn not_one_of(&self, got: &str, expected: &[&str]) -> InputError {
        self.error(format!("{got:?} is not one of {}", quoted(expected)))
    }
}

/// `"a", "b", "c"`.
fn quoted(names: &[&str]) -> String {
    let mut out = String::new();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('"');
        out.push_str(name);
        out.push('"');
    }
    out
}

/// At most 40 characters of `s` (error messages quote values; a pasted
/// document should not end up in one).
fn clip(s: &str) -> &str {
    match s.char_indices().nth(40) {
        Some((end, _)) => &s[..end],
        None => s,
    }
}

/// The pull reader with typed, path-reporting reads on top.
pub(crate) struct Input<'a> {
    r: Reader<'a>,
}

impl<'a> Input<'a> {
    /// An input over one JSON document.
    pub(crate) fn new(text: &'a str) -> Self {
        Input {
            r: Reader::new(text),
        }
    }

    /// A syntax error of the reader, placed at `at`.
    fn syntax(at: &Path, e: JsonError) -> InputError {
        at.error(e.to_string())
    }

    /// The type of the next value.
    pub(crate) fn kind(&mut self, at: &Path) -> Result<Kind, InputError> {
        self.r.peek().map_err(|e| Self::syntax(at, e))
    }

    /// "expected …, found …" for the next value, quoting a scalar (so the
    /// caller sees `found "many"`, not just "a string").
    pub(crate) fn wrong_type(&mut self, at: &Path, expected: &str) -> InputError {
        let kind = match self.kind(at) {
            Ok(kind) => kind,
            Err(e) => return e,
        };
        // A copy reads the value, leaving this reader where it was.
        let mut probe = self.r.clone();
        let found = match kind {
            Kind::String => match probe.str() {
                Ok(s) => format!("{:?}", clip(&s)),
                Err(e) => return Self::syntax(at, e),
            },
            Kind::Number | Kind::Bool | Kind::Null => match probe.raw() {
                Ok(text) => clip(text).to_owned(),
                Err(e) => return Self::syntax(at, e),
            },
            Kind::Array => "an array".to_owned(),
            Kind::Object => "an object".to_owned(),
        };
        at.error(format!("expected {expected}, found {found}"))
    }

    /// Reads `null` if that is the next value (for optional fields).
    pub(crate) fn null(&mut self, at: &Path) -> Result<bool, InputError> {
        if self.kind(at)? != Kind::Null {
            return Ok(false);
        }
        self.r.null().map_err(|e| Self::syntax(at, e))?;
        Ok(true)
    }

    /// A string.
    pub(crate) fn str(&mut self, at: &Path) -> Result<Cow<'a, str>, InputError> {
        if self.kind(at)? != Kind::String {
            return Err(self.wrong_type(at, "a string"));
        }
        self.r.str().map_err(|e| Self::syntax(at, e))
    }

    /// A string, owned.
    pub(crate) fn string(&mut self, at: &Path) -> Result<String, InputError> {
        self.str(at).map(Cow::into_owned)
    }

    /// A string or `null`.
    pub(crate) fn opt_string(&mut self, at: &Path) -> Result<Option<String>, InputError> {
        if self.null(at)? {
            return Ok(None);
        }
        self.string(at).map(Some)
    }

    /// `true` or `false`.
    pub(crate) fn bool(&mut self, at: &Path) -> Result<bool, InputError> {
        if self.kind(at)? != Kind::Bool {
            return Err(self.wrong_type(at, "a boolean"));
        }
        self.r.bool().map_err(|e| Self::syntax(at, e))
    }

    /// A number, classified as serde_json classifies a typed field's and
    /// correctly rounded when it is a float ([`json_value::number`]).
    fn number(&mut self, at: &Path) -> Result<serde_json::Number, InputError> {
        if self.kind(at)? != Kind::Number {
            return Err(self.wrong_type(at, "a number"));
        }
        let text = self.r.number().map_err(|e| Self::syntax(at, e))?;
        // `None`: a valid lexeme too large for an f64 (`1e400`).
        json_value::number(text).ok_or_else(|| at.error(format!("number {text} is out of range")))
    }

    /// A non-negative integer that fits in `u64`.
    pub(crate) fn u64(&mut self, at: &Path) -> Result<u64, InputError> {
        self.number(at)?
            .as_u64()
            .ok_or_else(|| at.error("expected a non-negative integer"))
    }

    /// A `u64` or `null`.
    pub(crate) fn opt_u64(&mut self, at: &Path) -> Result<Option<u64>, InputError> {
        if self.null(at)? {
            return Ok(None);
        }
        self.u64(at).map(Some)
    }

    /// A non-negative integer that fits in `u32`.
    pub(crate) fn u32(&mut self, at: &Path) -> Result<u32, InputError> {
        let n = self.u64(at)?;
        u32::try_from(n).map_err(|_| at.error(format!("{n} is too large (at most {})", u32::MAX)))
    }

    /// A number as `f64` (integers included) or `null`.
    pub(crate) fn opt_f64(&mut self, at: &Path) -> Result<Option<f64>, InputError> {
        if self.null(at)? {
            return Ok(None);
        }
        let n = self.number(at)?;
        n.as_f64()
            .map(Some)
            .ok_or_else(|| at.error("number out of range"))
    }

    /// Any value, kept as a `serde_json::Value`.
    pub(crate) fn value(&mut self, at: &Path) -> Result<Value, InputError> {
        read_value(&mut self.r).map_err(|e| Self::syntax(at, e))
    }

    /// Enters an object; then call [`Input::next_key`] until it gives `None`.
    pub(crate) fn object(&mut self, at: &Path) -> Result<(), InputError> {
        if self.kind(at)? != Kind::Object {
            return Err(self.wrong_type(at, "an object"));
        }
        self.r.begin_object().map_err(|e| Self::syntax(at, e))
    }

    /// The next key of the object at `at`, or `None` after its end.
    pub(crate) fn next_key(&mut self, at: &Path) -> Result<Option<Cow<'a, str>>, InputError> {
        self.r.next_key().map_err(|e| Self::syntax(at, e))
    }

    /// Enters an array; then call [`Input::next_item`] until it gives `false`.
    pub(crate) fn array(&mut self, at: &Path) -> Result<(), InputError> {
        if self.kind(at)? != Kind::Array {
            return Err(self.wrong_type(at, "an array"));
        }
        self.r.begin_array().map_err(|e| Self::syntax(at, e))
    }

    /// Whether the array at `at` has another element.
    pub(crate) fn next_item(&mut self, at: &Path) -> Result<bool, InputError> {
        self.r.next_item().map_err(|e| Self::syntax(at, e))
    }

    /// An array whose elements `item` reads.
    pub(crate) fn list<T>(
        &mut self,
        at: &Path,
        item: fn(&mut Self, &Path) -> Result<T, InputError>,
    ) -> Result<Vec<T>, InputError> {
        let mut out = Vec::new();
        self.items(at, &mut |p, at| {
            out.push(item(p, at)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The walk of [`Input::list`], compiled once for every element type.
    #[inline(never)]
    fn items(
        &mut self,
        at: &Path,
        item: &mut dyn FnMut(&mut Self, &Path) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        self.array(at)?;
        let mut index = 0;
        while self.next_item(at)? {
            item(self, &at.index(index))?;
            index += 1;
        }
        Ok(())
    }

    /// Walks an object into `R`. `table` pairs each key with the field it
    /// fills (an enum value of the reader's), so fields are matched by name:
    /// reordering a table cannot swap two of them. `field` reads the value
    /// of each member whose key is in the table into `raw`, told its field;
    /// other keys are skipped or refused as `others` says. A key that comes
    /// twice is refused ("duplicate field", checked before its value is
    /// read, as serde does), so each slot of `raw` is written at most once.
    /// Keeping every owned value in `raw` keeps the error paths of each
    /// reader down to a single drop, which matters for the wasm package's
    /// size.
    pub(crate) fn fields<R: Default, F: Copy>(
        &mut self,
        at: &Path,
        table: &[(&str, F)],
        others: Others,
        mut field: impl FnMut(&mut Self, &Path, F, &mut R) -> Result<(), InputError>,
    ) -> Result<R, InputError> {
        let mut raw = R::default();
        let name = |i: usize| table.get(i).map(|(name, _)| *name);
        self.members(at, &name, others, &mut |p, at, i| match table.get(i) {
            Some(&(_, f)) => field(p, at, f, &mut raw),
            None => Ok(()),
        })?;
        Ok(raw)
    }

    /// The walk of [`Input::fields`], compiled once: each object reader
    /// becomes its own small function called from here, rather than a copy
    /// of this loop inlined into one giant body. `name(i)` is the table's
    /// `i`-th key; `field` is told the index of the key it gets.
    #[inline(never)]
    fn members<'n>(
        &mut self,
        at: &Path,
        name: &dyn Fn(usize) -> Option<&'n str>,
        others: Others,
        field: &mut dyn FnMut(&mut Self, &Path, usize) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        // One bit per name: the readers' tables are far below 64 names.
        debug_assert!(name(64).is_none());
        let mut seen = 0u64;
        self.object(at)?;
        while let Some(key) = self.next_key(at)? {
            let at = at.key(&key);
            match (0..).map_while(name).position(|name| name == key) {
                Some(i) => {
                    let bit = 1u64.wrapping_shl(i as u32);
                    if seen & bit != 0 {
                        return Err(at.error("duplicate field"));
                    }
                    seen |= bit;
                    field(self, &at, i)?;
                }
                None if others == Others::Refuse => {
                    let expected: Vec<&str> = (0..).map_while(name).collect();
                    return Err(at.unknown_field(&expected));
                }
                None => self.skip(&at)?,
            }
        }
        Ok(())
    }

    /// A string that must be one of the table's names, as the value the
    /// table pairs it with.
    pub(crate) fn one_of<T: Copy>(
        &mut self,
        at: &Path,
        table: &[(&str, T)],
    ) -> Result<T, InputError> {
        let s = self.str(at)?;
        match table.iter().find(|(name, _)| *name == s) {
            Some(&(_, value)) => Ok(value),
            None => {
                let names: Vec<&str> = table.iter().map(|(name, _)| *name).collect();
                Err(at.not_one_of(&s, &names))
            }
        }
    }

    /// `None` for `null`, else what `read` reads.
    pub(crate) fn nullable<T>(
        &mut self,
        at: &Path,
        read: fn(&mut Self, &Path) -> Result<T, InputError>,
    ) -> Result<Option<T>, InputError> {
        if self.null(at)? {
            return Ok(None);
        }
        read(self, at).map(Some)
    }

    /// Skips a value of a field that is not read (checking its syntax).
    pub(crate) fn skip(&mut self, at: &Path) -> Result<(), InputError> {
        self.r.skip().map_err(|e| Self::syntax(at, e))
    }

    /// Checks that nothing but whitespace follows the document.
    pub(crate) fn end(&mut self) -> Result<(), InputError> {
        self.r.end().map_err(|e| Self::syntax(&Path::Root, e))
    }
}

/// What [`Input::fields`] does with a key outside its names.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Others {
    /// Skip its value (checking its syntax), as serde does by default.
    Skip,
    /// Refuse it (serde's `deny_unknown_fields`), so a typo such as
    /// `maxTokens` fails loudly.
    Refuse,
}

/// Reads a whole document with `read` and checks that nothing follows it.
pub(crate) fn read_document<'a, T>(
    text: &'a str,
    read: impl FnOnce(&mut Input<'a>, &Path) -> Result<T, InputError>,
) -> Result<T, InputError> {
    let mut input = Input::new(text);
    let value = read(&mut input, &Path::Root)?;
    input.end()?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_as_dotted_keys_and_indices() {
        let root = Path::Root;
        let messages = root.key("messages");
        let second = messages.index(2);
        let content = second.key("content");
        let part = content.index(0);
        let e = part.key("type").error("bad");
        assert_eq!(e.to_string(), "messages[2].content[0].type: bad");
        assert_eq!(
            e.rooted("request"),
            "request.messages[2].content[0].type: bad"
        );
        assert_eq!(root.error("bad").rooted("request"), "request: bad");
        assert_eq!(root.index(1).error("bad").rooted("list"), "list[1]: bad");
        assert_eq!(root.error("bad").to_string(), "bad");
    }

    #[test]
    fn typed_reads_follow_serde_field_rules() {
        let read = |text: &str| {
            read_document(text, |p, at| {
                p.array(at)?;
                let mut out = Vec::new();
                while p.next_item(at)? {
                    out.push(p.opt_u64(at)?);
                }
                Ok(out)
            })
        };
        assert_eq!(read("[1, null, 0]"), Ok(vec![Some(1), None, Some(0)]));
        for bad in [
            "[1.0]",
            "[-1]",
            "[-0]",
            "[1e2]",
            "[\"1\"]",
            "[18446744073709551616]",
        ] {
            assert!(read(bad).is_err(), "{bad}");
            assert_eq!(
                read(bad).is_err(),
                serde_json::from_str::<Vec<Option<u64>>>(bad).is_err(),
                "{bad}"
            );
        }
        let e = read("[true]").unwrap_err();
        assert_eq!(e.reason(), "expected a number, found true");
        let e = read(r#"["many"]"#).unwrap_err();
        assert_eq!(e.reason(), r#"expected a number, found "many""#);
        let long = format!("[\"{}\"]", "é".repeat(50));
        let e = read(&long).unwrap_err();
        assert_eq!(
            e.reason(),
            format!("expected a number, found \"{}\"", "é".repeat(40))
        );
        assert!(read("[1] x").is_err());
        assert!(read("[1").is_err());
    }
}
