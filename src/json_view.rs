//! [`View`]: `serde_json::Value`-style lookups straight on JSON text, for
//! the cold, shape-varying documents (non-streaming bodies, error bodies,
//! the catalog).
//!
//! Why not `Value`: building the tree and its accessors, plus a serde
//! deserializer per struct read out of it, cost the wasm package tens of KB
//! for documents read once per request. A `View` is only the text of one
//! value already checked by [`Reader`]; each lookup re-walks that text with
//! the same reader, which is cheap for these small documents and keeps one
//! compiled JSON walker in the package.
//!
//! Lookups behave like `Value`'s: a key looked up on a non-object is
//! absent, a duplicate key gives its last value (as `Value`'s map keeps it),
//! and a scalar of another type reads as `None`.

use std::borrow::Cow;

use crate::json::{JsonError, Kind, Reader};

/// The text of one JSON value that has been checked to be valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct View<'a> {
    text: &'a str,
}

/// Binds members of an object [`View`] by key, in one pass:
/// `members!(v => id, error_type: "type")` declares `id` (the value of key
/// `"id"`) and `error_type` (of `"type"`), each an `Option<View>`. Each
/// name sits next to its key, so no list can be reordered against another.
macro_rules! members {
    ($view:expr => $($name:ident $(: $key:literal)?),+ $(,)?) => {
        let [$($name),+] = $view.fields([$($crate::json_view::members!(@key $name $($key)?)),+]);
    };
    (@key $name:ident $key:literal) => {
        $key
    };
    (@key $name:ident) => {
        stringify!($name)
    };
}
pub(crate) use members;

impl<'a> View<'a> {
    /// `text` as one whole document (whitespace around it allowed).
    pub(crate) fn document(text: &'a str) -> Result<View<'a>, JsonError> {
        let mut r = Reader::new(text);
        let raw = r.raw()?;
        r.end()?;
        Ok(View { text: raw })
    }

    /// The first value in `text`; what follows it is ignored (Zen appends
    /// its cost `data:` frame to some bodies). As with serde_json's stream
    /// reader, a number or literal must end at a delimiter: `404abc` is
    /// not the number 404 followed by text, it is not JSON.
    pub(crate) fn first(text: &'a str) -> Option<View<'a>> {
        let mut r = Reader::new(text);
        let raw = r.raw().ok()?;
        let self_delimited = matches!(raw.as_bytes().first(), Some(b'{' | b'[' | b'"'));
        let next = text.as_bytes().get(r.offset());
        let delimited = matches!(
            next,
            None | Some(
                b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'[' | b']' | b'{' | b'}' | b',' | b':'
            )
        );
        (self_delimited || delimited).then_some(View { text: raw })
    }

    /// The exact text of the value.
    pub(crate) fn raw(self) -> &'a str {
        self.text
    }

    /// A reader standing before the value.
    fn reader(self) -> Reader<'a> {
        Reader::new(self.text)
    }

    /// A reader standing before the value when it is of kind `want`.
    #[inline(never)] // one reader set-up for every typed accessor
    fn reader_of(self, want: Kind) -> Option<Reader<'a>> {
        let mut r = self.reader();
        (r.peek().ok()? == want).then_some(r)
    }

    /// The type of the value.
    #[inline(never)]
    pub(crate) fn kind(self) -> Kind {
        // The text was checked when the view was made, so this cannot fail;
        // `Null` is only the answer a failure would need.
        self.reader().peek().unwrap_or(Kind::Null)
    }

    /// Whether the value is an object.
    pub(crate) fn is_object(self) -> bool {
        self.kind() == Kind::Object
    }

    /// The value of member `key`, if this is an object that has it.
    #[inline(never)]
    pub(crate) fn get(self, key: &str) -> Option<View<'a>> {
        let [value] = self.fields([key]);
        value
    }

    /// The values of several members in one pass: `out[i]` is the value of
    /// `keys[i]` (the last one, for a duplicated key). All `None` when this
    /// is not an object.
    pub(crate) fn fields<const N: usize>(self, keys: [&str; N]) -> [Option<View<'a>>; N] {
        let mut out = [None; N];
        self.fields_into(&keys, &mut out);
        out
    }

    /// [`View::fields`] into a slice: `out[i]` gets the value of `keys[i]`
    /// (`out` as long as `keys`; other slots are left alone).
    pub(crate) fn fields_into(self, keys: &[&str], out: &mut [Option<View<'a>>]) {
        // Checked text cannot fail to walk; were it to, the members read so
        // far are still right.
        let _ = self.walk_fields(keys, out);
    }

    fn walk_fields(self, keys: &[&str], out: &mut [Option<View<'a>>]) -> Result<(), JsonError> {
        let Some(mut r) = self.reader_of(Kind::Object) else {
            return Ok(());
        };
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            let slot = keys
                .iter()
                .zip(out.iter_mut())
                .find_map(|(want, slot)| (*want == key.as_ref()).then_some(slot));
            match slot {
                Some(slot) => *slot = Some(View { text: r.raw()? }),
                None => r.skip()?,
            }
        }
        Ok(())
    }

    /// The elements, if this is an array.
    #[inline(never)]
    pub(crate) fn as_array(self) -> Option<Items<'a>> {
        let mut r = self.reader_of(Kind::Array)?;
        r.begin_array().ok()?;
        Some(Items { reader: r })
    }

    /// The string, if this is one (borrowed when it has no escapes).
    #[inline(never)]
    pub(crate) fn as_str(self) -> Option<Cow<'a, str>> {
        self.reader_of(Kind::String)?.str().ok()
    }

    /// The number's text as written, if this is a number.
    #[inline(never)]
    pub(crate) fn as_number(self) -> Option<&'a str> {
        self.reader_of(Kind::Number)?.number().ok()
    }

    /// The value as `u64` when it is a non-negative integer written without
    /// fraction or exponent that fits, as `Value::as_u64` reads it.
    pub(crate) fn as_u64(self) -> Option<u64> {
        self.as_number()?.parse().ok()
    }

    /// The boolean, if this is one.
    #[inline(never)]
    pub(crate) fn as_bool(self) -> Option<bool> {
        self.reader_of(Kind::Bool)?.bool().ok()
    }

    /// Whether this is `null`.
    pub(crate) fn is_null(self) -> bool {
        self.kind() == Kind::Null
    }
}

/// The elements of an array [`View`], in order.
#[derive(Debug, Clone)]
pub(crate) struct Items<'a> {
    reader: Reader<'a>,
}

impl<'a> Iterator for Items<'a> {
    type Item = View<'a>;

    #[inline(never)]
    fn next(&mut self) -> Option<View<'a>> {
        if !self.reader.next_item().ok()? {
            return None;
        }
        self.reader.raw().ok().map(|text| View { text })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_read_like_a_value_tree() {
        let v =
            View::document(r#" {"a":{"b":[1,"x\ny",true,null]},"a2":-3,"a":{"b":[7]}} "#).unwrap();
        // The last duplicate wins, as in serde_json's map.
        let b: Vec<_> = v
            .get("a")
            .unwrap()
            .get("b")
            .unwrap()
            .as_array()
            .unwrap()
            .collect();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].as_u64(), Some(7));
        let [a2, missing] = v.fields(["a2", "zz"]);
        assert_eq!(a2.unwrap().as_number(), Some("-3"));
        assert_eq!(a2.unwrap().as_u64(), None);
        assert_eq!(missing, None);
        assert_eq!(v.get("a").unwrap().as_str(), None);
        assert!(v.as_array().is_none() && v.is_object());
        let items = View::document(r#"[1.0,"x\ny",true,null,{}]"#).unwrap();
        let items: Vec<_> = items.as_array().unwrap().collect();
        assert_eq!(items[0].as_u64(), None);
        assert_eq!(items[1].as_str().as_deref(), Some("x\ny"));
        assert_eq!(items[2].as_bool(), Some(true));
        assert!(items[3].is_null());
        assert_eq!(items[4].get("x"), None);
    }

    #[test]
    fn first_takes_one_delimited_value() {
        assert_eq!(
            View::first(r#"{"a":1} data: x"#).unwrap().raw(),
            r#"{"a":1}"#
        );
        assert_eq!(View::first("404 Not Found").unwrap().raw(), "404");
        assert_eq!(View::first("404abc"), None);
        assert_eq!(View::first("nullx"), None);
        assert_eq!(View::first(r#"{"a":"#), None);
        assert!(View::document(r#"{"a":1} x"#).is_err());
    }
}
