//! The JSON pull reader against serde_json: same documents accepted, same
//! values read, on generated trees and on arbitrary bytes.

use proptest::prelude::*;
use serde_json::{Map, Number, Value};
use zenwire::json::{Kind, Reader};

/// A tree built with the reader, to compare with serde_json's.
fn tree(r: &mut Reader) -> Result<Value, zenwire::json::JsonError> {
    Ok(match r.peek()? {
        Kind::Null => {
            r.null()?;
            Value::Null
        }
        Kind::Bool => Value::Bool(r.bool()?),
        Kind::Number => {
            let text = r.number()?;
            serde_json::from_str::<Number>(text)
                .map(Value::Number)
                .expect("reader numbers are JSON numbers")
        }
        Kind::String => Value::String(r.str()?.into_owned()),
        Kind::Array => {
            r.begin_array()?;
            let mut items = Vec::new();
            while r.next_item()? {
                items.push(tree(r)?);
            }
            Value::Array(items)
        }
        Kind::Object => {
            r.begin_object()?;
            let mut map = Map::new();
            while let Some(k) = r.next_key()? {
                let v = tree(r)?;
                map.insert(k.into_owned(), v);
            }
            Value::Object(map)
        }
    })
}

fn read(text: &str) -> Result<Value, zenwire::json::JsonError> {
    let mut r = Reader::new(text);
    let v = tree(&mut r)?;
    r.end()?;
    Ok(v)
}

fn skipped(text: &str) -> bool {
    let mut r = Reader::new(text);
    r.skip().and_then(|()| r.end()).is_ok()
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e300f64..1e300).prop_map(Value::from),
        "\\PC*".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn generated_documents_read_back_equal(v in value()) {
        let compact = serde_json::to_string(&v).unwrap();
        let pretty = serde_json::to_string_pretty(&v).unwrap();
        // Compared with serde_json's own reading of the text: its float
        // parsing is not exact (no `float_roundtrip`), on either side.
        let want: Value = serde_json::from_str(&compact).unwrap();
        prop_assert_eq!(read(&compact).unwrap(), want.clone());
        prop_assert_eq!(read(&pretty).unwrap(), want);
        let mut r = Reader::new(&pretty);
        prop_assert_eq!(r.raw().unwrap(), pretty.as_str());
    }

    #[test]
    fn arbitrary_text_is_accepted_exactly_when_serde_json_accepts_it(
        text in "[\\[\\]{}:,\" \\\\/a-z0-9.eE+\\-\t\n]{0,40}"
    ) {
        let serde = serde_json::from_str::<Value>(&text);
        let serde_ok = serde.is_ok();
        // Syntax only: `1e999` is a number to the reader, too large for serde_json.
        prop_assume!(!serde.is_err_and(|e| e.to_string().contains("out of range")));
        prop_assert_eq!(skipped(&text), serde_ok, "skip: {:?}", text);
        match read(&text) {
            Ok(v) => prop_assert_eq!(Some(v), serde_json::from_str::<Value>(&text).ok()),
            Err(_) => prop_assert!(!serde_ok, "read refused {:?}", text),
        }
    }

    #[test]
    fn mutated_documents_agree_with_serde_json(v in value(), at in any::<prop::sample::Index>(), b in any::<u8>()) {
        let mut bytes = serde_json::to_vec(&v).unwrap();
        let i = at.index(bytes.len());
        bytes[i] = b;
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let serde = serde_json::from_str::<Value>(text);
            let serde_ok = serde.is_ok();
            // The reader checks syntax only: a number too large for an f64
            // is still a number to it. And the one documented difference:
            // lone surrogate escapes.
            let out_of_range = serde.is_err_and(|e| e.to_string().contains("out of range"));
            if !text.contains("\\u") && !out_of_range {
                prop_assert_eq!(skipped(text), serde_ok, "{:?}", text);
            }
        }
    }
}

#[test]
fn a_lone_surrogate_is_kept_as_a_replacement_character() {
    assert!(serde_json::from_str::<Value>(r#""\ud800""#).is_err());
    assert_eq!(
        read(r#""\ud800""#).unwrap(),
        Value::String("\u{FFFD}".into())
    );
}
