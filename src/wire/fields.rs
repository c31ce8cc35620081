//! Lenient readers for optional fields, on the [`crate::json::Reader`]:
//! the walking counterpart of the serde `lenient_*` readers.
//!
//! Lenient on purpose: many "OpenAI-compatible" servers put odd types in
//! optional fields (`"reasoning": {…}`, `"total_tokens": 12.0`,
//! `"cost": 2.75`). One odd optional field must not cost the text of the
//! whole frame, so such values are consumed and read as absent. Malformed
//! JSON is still an error: the frame as a whole is refused.

use std::borrow::Cow;

use crate::json::{plain_decimal, JsonError, Kind, Reader};

/// A string (borrowed when it has no escapes); any other value, `null`
/// included, is consumed and reads as `None`.
pub(crate) fn text<'a>(r: &mut Reader<'a>) -> Result<Option<Cow<'a, str>>, JsonError> {
    match r.peek()? {
        Kind::String => r.str().map(Some),
        _ => r.skip().map(|()| None),
    }
}

/// A token count: a non-negative integral number (`12`, `12.0`) or a string
/// holding a plain integer (`"7"`); anything else reads as `None`.
pub(crate) fn count(r: &mut Reader<'_>) -> Result<Option<u64>, JsonError> {
    match r.peek()? {
        Kind::Number => r.count(),
        Kind::String => Ok(r.str()?.trim().parse().ok()),
        _ => r.skip().map(|()| None),
    }
}

/// Zen's `cost`: normally a decimal string (`"0.00001400"`, kept verbatim
/// after trimming), sometimes a JSON number (`2.75`, `1e-8`), which is
/// written out in plain decimal notation. Empty strings and other values
/// read as `None`.
pub(crate) fn cost(r: &mut Reader<'_>) -> Result<Option<String>, JsonError> {
    match r.peek()? {
        Kind::String => {
            let s = r.str()?;
            let s = s.trim();
            Ok((!s.is_empty()).then(|| s.to_owned()))
        }
        Kind::Number => Ok(plain_decimal(r.number()?)),
        _ => r.skip().map(|()| None),
    }
}

/// A value that must be an object to be read: `true` after `begin_object`
/// (the caller then walks its members); any other value is consumed and
/// gives `false`, so a `"usage": null` or `"delta": "x"` reads as absent.
pub(crate) fn object(r: &mut Reader<'_>) -> Result<bool, JsonError> {
    match r.peek()? {
        Kind::Object => r.begin_object().map(|()| true),
        _ => r.skip().map(|()| false),
    }
}

/// Like [`object`], for arrays: `true` after `begin_array`.
pub(crate) fn array(r: &mut Reader<'_>) -> Result<bool, JsonError> {
    match r.peek()? {
        Kind::Array => r.begin_array().map(|()| true),
        _ => r.skip().map(|()| false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `{"v": …}` read with `f`, checking the whole document.
    fn field<'a, T>(json: &'a str, f: impl Fn(&mut Reader<'a>) -> Result<T, JsonError>) -> T {
        let mut r = Reader::new(json);
        r.begin_object().unwrap();
        assert_eq!(r.next_key().unwrap().as_deref(), Some("v"));
        let v = f(&mut r).unwrap();
        assert!(r.next_key().unwrap().is_none());
        r.end().unwrap();
        v
    }

    #[test]
    fn odd_types_read_as_absent() {
        assert_eq!(field(r#"{"v":"a\nb"}"#, text).as_deref(), Some("a\nb"));
        assert_eq!(field(r#"{"v":{"x":[1]}}"#, text), None);
        assert_eq!(field(r#"{"v":true}"#, text), None);
        assert_eq!(field(r#"{"v":3}"#, count), Some(3));
        assert_eq!(field(r#"{"v":12.0}"#, count), Some(12));
        assert_eq!(field(r#"{"v":12.5}"#, count), None);
        assert_eq!(field(r#"{"v":-1}"#, count), None);
        assert_eq!(field(r#"{"v":" 7 "}"#, count), Some(7));
        assert_eq!(field(r#"{"v":[7]}"#, count), None);
        assert_eq!(field(r#"{"v":null}"#, count), None);
    }

    #[test]
    fn costs_are_decimal_text() {
        assert_eq!(
            field(r#"{"v":" 0.00001400 "}"#, cost).as_deref(),
            Some("0.00001400")
        );
        assert_eq!(field(r#"{"v":2.75}"#, cost).as_deref(), Some("2.75"));
        assert_eq!(field(r#"{"v":1e-8}"#, cost).as_deref(), Some("0.00000001"));
        assert_eq!(field(r#"{"v":""}"#, cost), None);
        assert_eq!(field(r#"{"v":{}}"#, cost), None);
    }

    #[test]
    fn containers_of_the_wrong_kind_are_skipped() {
        assert!(!field(r#"{"v":null}"#, object));
        assert!(!field(r#"{"v":[1,{"a":2}]}"#, object));
        assert!(!field(r#"{"v":{"a":[]}}"#, array));
        let mut r = Reader::new(r#"{"a":1}"#);
        assert!(object(&mut r).unwrap());
        assert_eq!(r.next_key().unwrap().as_deref(), Some("a"));
    }
}
