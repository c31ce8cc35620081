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
pub(crate) fn text<'a>(
    r: &mut Reader<'a>,
    slot: &mut Option<Cow<'a, str>>,
) -> Result<(), JsonError> {
    *slot = match r.peek()? {
        Kind::String => Some(r.str()?),
        _ => {
            r.skip()?;
            None
        }
    };
    Ok(())
}

/// What `read` makes of a whole JSON text: a stream decoder's reader for
/// one value, applied to a value a non-streaming body holds (`None` when it
/// refuses the value), so both paths read it one way.
pub(crate) fn read_text<'a, T>(
    text: &'a str,
    read: fn(&mut Reader<'a>, &mut Option<T>) -> Result<(), JsonError>,
) -> Option<T> {
    let mut slot = None;
    read(&mut Reader::new(text), &mut slot).ok()?;
    slot
}

/// A token count — the one reading of every usage count of every wire
/// format, streamed or not. Gateways write counts as integers, as integral
/// floats (`12.0`, `1.2e1`) or as strings (`"7"`, `" 7 "`); each carries a
/// real count and is accepted. Anything else (negative, fractional, a
/// boolean, an object, `null`) is an unknown count, `None`, never an error:
/// an odd usage figure must not cost the frame it came in.
pub(crate) fn count(r: &mut Reader<'_>, slot: &mut Option<u64>) -> Result<(), JsonError> {
    *slot = match r.peek()? {
        Kind::Number => r.count()?,
        Kind::String => r.str()?.trim().parse().ok(),
        _ => {
            r.skip()?;
            None
        }
    };
    Ok(())
}

/// Zen's `cost`: normally a decimal string (`"0.00001400"`, kept verbatim
/// after trimming), sometimes a JSON number (`2.75`, `1e-8`), which is
/// written out in plain decimal notation. Empty strings and other values
/// read as `None`.
pub(crate) fn cost(r: &mut Reader<'_>, slot: &mut Option<String>) -> Result<(), JsonError> {
    *slot = match r.peek()? {
        Kind::String => {
            let s = r.str()?;
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_owned())
        }
        Kind::Number => plain_decimal(r.number()?),
        _ => {
            r.skip()?;
            None
        }
    };
    Ok(())
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

// Strict readers: the walking counterpart of a serde `Option<T>` field.
// `null` reads as `None`, a value of the right type as `Some`, and any other
// value refuses the whole frame (a protocol error), as serde's would. For fields
// whose type is part of the format's contract (`index`, a token's `text`),
// where an odd value means the frame cannot be trusted.

/// `null` → `None`, a string → `Some` (borrowed when it has no escapes);
/// any other value is an error.
pub(crate) fn optional_str<'a>(
    r: &mut Reader<'a>,
    slot: &mut Option<Cow<'a, str>>,
) -> Result<(), JsonError> {
    *slot = match r.peek()? {
        Kind::Null => {
            r.null()?;
            None
        }
        _ => Some(r.str()?),
    };
    Ok(())
}

/// `null` → `None`, `true`/`false` → `Some`; any other value is an error.
pub(crate) fn optional_bool(r: &mut Reader<'_>, slot: &mut Option<bool>) -> Result<(), JsonError> {
    *slot = match r.peek()? {
        Kind::Null => {
            r.null()?;
            None
        }
        _ => Some(r.bool()?),
    };
    Ok(())
}

/// `null` → `None`, an integer written without fraction or exponent that
/// fits in `u64` → `Some`; anything else (`-1`, `1.0`, `"1"`) is an error,
/// exactly the numbers serde_json reads as `u64`.
fn u64_or_null(r: &mut Reader<'_>) -> Result<Option<u64>, JsonError> {
    if r.peek()? == Kind::Null {
        return r.null().map(|()| None);
    }
    let start = r.offset();
    // A validated number lexeme has no `+`, so `parse` accepts exactly the
    // plain non-negative integers; `-0` is an integer zero to serde_json too.
    match r.number()? {
        "-0" => Ok(Some(0)),
        text => text.parse().map(Some).map_err(|_| JsonError {
            offset: start,
            reason: "expected a non-negative integer",
        }),
    }
}

/// A choice or tool-call `index`: like [`optional_u32`] without `null`
/// (a guessed index would misroute text, so there is no lenient reading).
pub(crate) fn index(r: &mut Reader<'_>, slot: &mut u32) -> Result<(), JsonError> {
    let start = r.offset();
    *slot = u32_or_null(r)?.ok_or(JsonError {
        offset: start,
        reason: "expected an index",
    })?;
    Ok(())
}

/// `null` → `None`, a plain integer that fits in `u32` → `Some` (indexes);
/// anything else (`-1`, `1.0`, `"1"`, `4294967296`) is an error.
pub(crate) fn optional_u32(r: &mut Reader<'_>, slot: &mut Option<u32>) -> Result<(), JsonError> {
    *slot = u32_or_null(r)?;
    Ok(())
}

/// [`optional_u32`], returned.
pub(crate) fn u32_or_null(r: &mut Reader<'_>) -> Result<Option<u32>, JsonError> {
    let start = r.offset();
    match u64_or_null(r)? {
        None => Ok(None),
        Some(v) => u32::try_from(v).map(Some).map_err(|_| JsonError {
            offset: start,
            reason: "integer out of range",
        }),
    }
}

/// `null` → `false`; an object → `true` after `begin_object` (the caller
/// walks its members); any other value is an error.
pub(crate) fn optional_object(r: &mut Reader<'_>) -> Result<bool, JsonError> {
    match r.peek()? {
        Kind::Null => r.null().map(|()| false),
        _ => r.begin_object().map(|()| true),
    }
}

/// Like [`optional_object`], for arrays: `true` after `begin_array`.
pub(crate) fn optional_array(r: &mut Reader<'_>) -> Result<bool, JsonError> {
    match r.peek()? {
        Kind::Null => r.null().map(|()| false),
        _ => r.begin_array().map(|()| true),
    }
}

/// `null` → `None`; any other value as its exact text, for values kept
/// whole and read later if at all (tool arguments sent as objects, error
/// objects).
pub(crate) fn optional_raw<'a>(r: &mut Reader<'a>) -> Result<Option<&'a str>, JsonError> {
    match r.peek()? {
        Kind::Null => r.null().map(|()| None),
        _ => r.raw().map(Some),
    }
}

/// An in-place reader as one that returns its value (for tests).
#[cfg(test)]
pub(super) fn value<'a, T>(
    read: impl Fn(&mut Reader<'a>, &mut Option<T>) -> Result<(), JsonError>,
) -> impl Fn(&mut Reader<'a>) -> Result<Option<T>, JsonError> {
    move |r| {
        let mut slot = None;
        read(r, &mut slot).map(|()| slot)
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
        assert_eq!(
            field(r#"{"v":"a\nb"}"#, value(text)).as_deref(),
            Some("a\nb")
        );
        assert_eq!(field(r#"{"v":{"x":[1]}}"#, value(text)), None);
        assert_eq!(field(r#"{"v":true}"#, value(text)), None);
        assert_eq!(field(r#"{"v":3}"#, value(count)), Some(3));
        assert_eq!(field(r#"{"v":12.0}"#, value(count)), Some(12));
        assert_eq!(field(r#"{"v":12.5}"#, value(count)), None);
        assert_eq!(field(r#"{"v":-1}"#, value(count)), None);
        assert_eq!(field(r#"{"v":" 7 "}"#, value(count)), Some(7));
        assert_eq!(field(r#"{"v":[7]}"#, value(count)), None);
        assert_eq!(field(r#"{"v":null}"#, value(count)), None);
    }

    #[test]
    fn costs_are_decimal_text() {
        assert_eq!(
            field(r#"{"v":" 0.00001400 "}"#, value(cost)).as_deref(),
            Some("0.00001400")
        );
        assert_eq!(field(r#"{"v":2.75}"#, value(cost)).as_deref(), Some("2.75"));
        assert_eq!(
            field(r#"{"v":1e-8}"#, value(cost)).as_deref(),
            Some("0.00000001")
        );
        assert_eq!(field(r#"{"v":""}"#, value(cost)), None);
        assert_eq!(field(r#"{"v":{}}"#, value(cost)), None);
    }

    #[test]
    fn containers_of_the_wrong_kind_are_skipped() {
        assert!(!field(r#"{"v":null}"#, object));
        assert!(!field(r#"{"v":[1,{"a":2}]}"#, object));
        let mut r = Reader::new(r#"{"a":1}"#);
        assert!(object(&mut r).unwrap());
        assert_eq!(r.next_key().unwrap().as_deref(), Some("a"));
    }

    #[test]
    fn strict_readers_take_null_or_the_type_and_refuse_the_rest() {
        assert_eq!(field(r#"{"v":null}"#, value(optional_str)), None);
        assert_eq!(
            field(r#"{"v":"a"}"#, value(optional_str)).as_deref(),
            Some("a")
        );
        assert_eq!(field(r#"{"v":7}"#, value(optional_u32)), Some(7));
        assert_eq!(field(r#"{"v":false}"#, value(optional_bool)), Some(false));
        let mut r = Reader::new(r#"{"a":1}"#);
        assert!(optional_object(&mut r).unwrap());
        assert_eq!(r.next_key().unwrap().as_deref(), Some("a"));
        assert!(!field(r#"{"v":null}"#, optional_array));
        let refused = |json: &str, f: fn(&mut Reader<'_>) -> Result<(), JsonError>| {
            let mut r = Reader::new(json);
            r.begin_object().unwrap();
            r.next_key().unwrap();
            assert!(f(&mut r).is_err(), "{json}");
        };
        refused(r#"{"v":1}"#, |r| value(optional_str)(r).map(drop));
        for odd in ["-1", "1.0", "1e2", "\"1\"", "18446744073709551616"] {
            refused(&format!(r#"{{"v":{odd}}}"#), |r| {
                value(optional_u32)(r).map(drop)
            });
        }
        refused(r#"{"v":4294967296}"#, |r| value(optional_u32)(r).map(drop));
        refused(r#"{"v":"true"}"#, |r| value(optional_bool)(r).map(drop));
        refused(r#"{"v":[]}"#, |r| optional_object(r).map(drop));
        refused(r#"{"v":{}}"#, |r| optional_array(r).map(drop));
    }
}
