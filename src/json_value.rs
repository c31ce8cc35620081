//! `serde_json::Value` trees built by the pull reader, for the few values
//! kept free-form: tool-call arguments and schemas, a request's `extra`,
//! error objects.
//!
//! Why not `serde_json::from_str::<Value>`: the reader already checks and
//! unescapes every byte, and calling serde_json's parser for these values
//! alone would put all of it (~9 KB gzip) into the wasm package.
//!
//! The tree is the one `serde_json::from_str` builds (the tests compare them
//! on generated documents): numbers are classified as serde_json classifies
//! them and floats are correctly rounded ([`number`]), a repeated key keeps
//! its last value, and nesting stops where serde_json's stops (the reader's
//! [`crate::json::MAX_DEPTH`]). The one difference is the reader's: a `\u`
//! escape naming a lone surrogate reads as U+FFFD, where serde_json refuses
//! the document.
//!
//! The tree is built with an explicit stack, not recursion, so no input can
//! exhaust the call stack.

use std::mem;

use serde_json::{Map, Number, Value};

use crate::json::{JsonError, Kind, Reader};

/// A container being filled.
enum Open {
    Array(Vec<Value>),
    /// The members so far and the key whose value comes next.
    Object(Map<String, Value>, String),
}

/// The whole of `text` as one value (only whitespace may follow it).
pub(crate) fn parse_value(text: &str) -> Result<Value, JsonError> {
    let mut r = Reader::new(text);
    let value = read_value(&mut r)?;
    r.end()?;
    Ok(value)
}

/// The next value of `r`, however deeply nested (up to the limit).
pub(crate) fn read_value(r: &mut Reader<'_>) -> Result<Value, JsonError> {
    let mut stack: Vec<Open> = Vec::new();
    loop {
        // A value starts here: a scalar is complete at once; a non-empty
        // container is pushed and its first element read next.
        let mut value = match r.peek()? {
            Kind::Null => {
                r.null()?;
                Value::Null
            }
            Kind::Bool => Value::Bool(r.bool()?),
            Kind::Number => {
                let at = r.offset();
                let text = r.number()?;
                Value::Number(number(text).ok_or(JsonError {
                    offset: at,
                    reason: "number out of range",
                })?)
            }
            Kind::String => Value::String(r.str()?.into_owned()),
            Kind::Array => {
                r.begin_array()?;
                if r.next_item()? {
                    stack.push(Open::Array(Vec::new()));
                    continue;
                }
                Value::Array(Vec::new())
            }
            Kind::Object => {
                r.begin_object()?;
                if let Some(key) = r.next_key()? {
                    stack.push(Open::Object(Map::new(), key.into_owned()));
                    continue;
                }
                Value::Object(Map::new())
            }
        };
        // A value is complete: store it in its container, closing every
        // container that ends with it.
        loop {
            match stack.last_mut() {
                None => return Ok(value),
                Some(Open::Array(items)) => {
                    items.push(value);
                    if r.next_item()? {
                        break;
                    }
                    value = Value::Array(mem::take(items));
                }
                Some(Open::Object(members, key)) => {
                    members.insert(mem::take(key), value);
                    if let Some(next) = r.next_key()? {
                        *key = next.into_owned();
                        break;
                    }
                    value = Value::Object(mem::take(members));
                }
            }
            stack.pop();
        }
    }
}

/// A number lexeme (already checked against the grammar) as a `Number`:
/// an integer lexeme (no fraction, no exponent) that fits is a `u64`, or an
/// `i64` when negative, as serde_json classifies them; anything else is the
/// `f64` nearest the decimal value, ties to even — the correctly rounded
/// result `JSON.parse` and `str::parse::<f64>` give, bit for bit (`-0` is
/// the float −0.0). `None` for a value beyond the largest `f64` (`1e400`),
/// which a `Number` cannot hold.
///
/// Floats go through `lexical-parse-float`, built `compact` (no 10 KB
/// power-of-five table; numbers are read once per tool call or request,
/// never per stream event): core's parser is as exact but costs ~9 KB gzip
/// more in the wasm package, and serde_json's own reading is exact only
/// with its `float_roundtrip` feature, which costs ~6.5 KB more.
pub(crate) fn number(text: &str) -> Option<Number> {
    if !text.contains(['.', 'e', 'E']) {
        if let Ok(n) = text.parse::<u64>() {
            return Some(n.into());
        }
        if let Ok(n) = text.parse::<i64>() {
            if n != 0 {
                return Some(n.into());
            }
        }
    }
    let float: f64 = lexical_parse_float::FromLexical::from_lexical(text.as_bytes()).ok()?;
    Number::from_f64(float)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde(text: &str) -> Result<Value, serde_json::Error> {
        serde_json::from_str(text)
    }

    #[test]
    fn numbers_are_classified_as_serde_json_classifies_them() {
        for text in [
            "0",
            "-0",
            "-0.0",
            "7",
            "-7",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890",
            "1.5",
            "-2.25e-3",
            "1E2",
            "1e-400",
            "0.1",
            "2.2250738585072011e-308",
            "9007199254740993",
            "1.7976931348623157e308",
        ] {
            let ours = number(text).map(Value::Number);
            assert_eq!(ours, serde(text).ok(), "{text}");
            if let (Some(Value::Number(a)), Ok(Value::Number(b))) = (&ours, serde(text)) {
                // Same variant, not only equal as values: 1 and 1.0 differ.
                assert_eq!(a.is_u64(), b.is_u64(), "{text}");
                assert_eq!(a.is_i64(), b.is_i64(), "{text}");
                assert_eq!(a.is_f64(), b.is_f64(), "{text}");
            }
        }
        assert_eq!(number("1e400"), None);
        assert_eq!(number("-1e400"), None);
        assert!(serde("1e400").is_err());
    }

    #[test]
    fn trees_match_serde_json() {
        for text in [
            r#"{"a":[1,-2,3.5,true,false,null,"x\ny\u00e9\ud83d\ude00"],"b":{},"c":[],"d":{"e":{"f":[[]]}}}"#,
            r#"{"k":1,"k":2}"#,
            r#"  [ {"z":0,"a":1} , "" ]  "#,
            "\"plain\"",
            "12",
            r#"{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}"#,
        ] {
            assert_eq!(parse_value(text).ok(), serde(text).ok(), "{text}");
        }
    }

    #[test]
    fn nesting_stops_where_serde_json_stops() {
        for depth in [1, 126, 127, 128, 129, 300] {
            let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let objects = format!("{}1{}", r#"{"k":"#.repeat(depth), "}".repeat(depth));
            for text in [arrays, objects] {
                assert_eq!(
                    parse_value(&text).is_ok(),
                    serde(&text).is_ok(),
                    "depth {depth}"
                );
            }
        }
        let at = crate::json::MAX_DEPTH;
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse_value(&nested(at)).is_ok());
        let err = parse_value(&nested(at + 1)).unwrap_err();
        assert_eq!(err.reason, "JSON nested too deeply");
    }

    #[test]
    fn malformed_documents_are_refused() {
        for text in [
            "",
            "[",
            "{",
            "[1,]",
            "{\"a\"}",
            "{\"a\":1,}",
            "01",
            "1.",
            "-",
            "nul",
            "[1 2]",
            "\"\\x\"",
            "{} x",
            "[1]]",
        ] {
            assert!(parse_value(text).is_err(), "{text:?}");
            assert!(serde(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn a_lone_surrogate_reads_as_a_replacement_character() {
        assert_eq!(
            parse_value(r#""a\ud800b""#).unwrap(),
            Value::String("a\u{fffd}b".into())
        );
        assert!(serde(r#""a\ud800b""#).is_err());
    }

    fn generated() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::btree_map("[a-c]{0,2}", inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn generated_trees_read_as_serde_json_reads_them(v in generated()) {
            for text in [serde_json::to_string(&v).unwrap(), serde_json::to_string_pretty(&v).unwrap()] {
                proptest::prop_assert_eq!(parse_value(&text).ok(), serde(&text).ok());
            }
        }

        #[test]
        fn number_lexemes_read_as_serde_json_reads_them(
            text in "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,20})?([eE][+-]?[0-9]{1,3})?"
        ) {
            let theirs = serde(&text).ok();
            proptest::prop_assert_eq!(parse_value(&text).ok(), theirs.clone());
            if let (Some(a), Some(Value::Number(b))) = (number(&text), theirs) {
                proptest::prop_assert_eq!((a.is_u64(), a.is_i64()), (b.is_u64(), b.is_i64()));
            }
            // Floats bit for bit as core's correctly rounded parser reads them.
            if let Some(a) = number(&text).filter(Number::is_f64) {
                let exact = text.parse::<f64>().unwrap();
                proptest::prop_assert_eq!(a.as_f64().map(f64::to_bits), Some(exact.to_bits()));
            }
        }

        #[test]
        fn mutated_documents_are_refused_as_serde_json_refuses_them(
            v in generated(), at in proptest::prelude::any::<proptest::sample::Index>(), b in 0u8..128
        ) {
            let mut bytes = serde_json::to_vec(&v).unwrap();
            let i = at.index(bytes.len());
            bytes[i] = b;
            if let Ok(text) = std::str::from_utf8(&bytes) {
                // The one documented difference: lone surrogate escapes.
                if !text.contains("\\u") {
                    proptest::prop_assert_eq!(parse_value(text).ok(), serde(text).ok(), "{:?}", text);
                }
            }
        }
    }
}
