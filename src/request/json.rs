//! Small JSON builders for the body builders, each compiled once.
//!
//! `serde_json::json!` expands every object literal in place (a map, an
//! owned key per member, a generic `to_value` per value); across the four
//! body builders that came to ~30 KB of wasm. Calls to these helpers are a
//! few instructions each.

use serde_json::{Map, Value};

/// An object with these members (serde_json's map keeps keys sorted, so the
/// order given here does not show in the output).
#[inline(never)]
pub(super) fn obj<const N: usize>(members: [(&str, Value); N]) -> Value {
    let mut map = Map::new();
    for (key, value) in members {
        put(&mut map, key, value);
    }
    Value::Object(map)
}

/// Adds a member to an object being built.
#[inline(never)]
pub(super) fn put(object: &mut Map<String, Value>, key: &str, value: Value) {
    object.insert(key.to_owned(), value);
}

/// A JSON string.
#[inline(never)]
pub(super) fn string(s: &str) -> Value {
    Value::String(s.to_owned())
}

/// An array of JSON strings.
pub(super) fn strings(items: &[String]) -> Value {
    Value::Array(items.iter().map(|s| string(s)).collect())
}
