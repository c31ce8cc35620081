//! JSON Merge Patch (RFC 7396), used to lay a request's `extra` fields over
//! the built body: the format's builder writes the body, [`patch_body`]
//! lays the patch over that text, and the result is what is sent.

use serde_json::{Map, Value};

use crate::json::{JsonError, Kind, Reader};
use crate::json_write::JsonWriter;

/// Applies `patch` to `target` per RFC 7396: a patch object merges key by key
/// (recursively), a `null` member deletes that key, and any other patch value
/// replaces the target wholesale.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    let Value::Object(target_map) = target else {
        return;
    };
    for (key, value) in patch_map {
        if value.is_null() {
            target_map.remove(key);
        } else {
            merge_patch(target_map.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// `body` (an object's compact JSON text, as a builder wrote it) with
/// `patch` laid over it: the same JSON value as [`merge_patch`] over the
/// parsed body, written compactly. Members keep the body's order: one the
/// patch merges into (both objects) stays in place, one it deletes
/// (`null`) is left out, and one it replaces, like every member it adds,
/// follows the object's own members, in the patch's order.
pub(crate) fn patch_body(body: &str, patch: &Map<String, Value>) -> Result<String, JsonError> {
    let mut r = Reader::new(body);
    let mut w = JsonWriter::with_buffer(String::with_capacity(body.len() + 64));
    merge_object(&mut r, &mut w, patch)?;
    r.end()?;
    Ok(w.finish())
}

/// Copies the object `r` stands before into `w` with `patch` merged in.
fn merge_object(
    r: &mut Reader<'_>,
    w: &mut JsonWriter,
    patch: &Map<String, Value>,
) -> Result<(), JsonError> {
    r.begin_object()?;
    w.begin_object();
    let mut merged: Vec<&str> = Vec::new();
    while let Some(key) = r.next_key()? {
        match patch.get_key_value(key.as_ref()) {
            None => {
                w.key(&key);
                w.raw_value(r.raw()?);
            }
            Some((key, Value::Object(inner))) if r.peek()? == Kind::Object => {
                w.key(key);
                merge_object(r, w, inner)?;
                merged.push(key);
            }
            // Deleted, or replaced below.
            Some(_) => r.skip()?,
        }
    }
    for (key, value) in patch {
        if !value.is_null() && !merged.contains(&key.as_str()) {
            w.key(key);
            write_added(w, value);
        }
    }
    w.end_object();
    Ok(())
}

/// A member the patch adds: RFC 7396 merges it into an empty object, which
/// drops `null` members of objects at every level (arrays are taken as
/// they are).
fn write_added(w: &mut JsonWriter, v: &Value) {
    let Value::Object(members) = v else {
        w.value(v);
        return;
    };
    w.begin_object();
    for (key, value) in members.iter().filter(|(_, v)| !v.is_null()) {
        w.key(key);
        write_added(w, value);
    }
    w.end_object();
}

/// The examples of RFC 7396 appendix A, plus one nested deletion, as
/// (target, patch, result): the reference for both merges here.
#[cfg(test)]
pub(crate) fn rfc_7396_examples() -> Vec<(serde_json::Value, serde_json::Value, serde_json::Value)>
{
    use serde_json::json;
    vec![
        (json!({"a":"b"}), json!({"a":"c"}), json!({"a":"c"})),
        (json!({"a":"b"}), json!({"b":"c"}), json!({"a":"b","b":"c"})),
        (json!({"a":"b"}), json!({"a":null}), json!({})),
        (
            json!({"a":"b","b":"c"}),
            json!({"a":null}),
            json!({"b":"c"}),
        ),
        (json!({"a":["b"]}), json!({"a":"c"}), json!({"a":"c"})),
        (json!({"a":"c"}), json!({"a":["b"]}), json!({"a":["b"]})),
        (
            json!({"a":{"b":"c"}}),
            json!({"a":{"b":"d","c":null}}),
            json!({"a":{"b":"d"}}),
        ),
        (json!({"a":[{"b":"c"}]}), json!({"a":[1]}), json!({"a":[1]})),
        (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
        (json!({"a":"b"}), json!(["c"]), json!(["c"])),
        (json!({"e":null}), json!({"a":1}), json!({"e":null,"a":1})),
        (json!([1, 2]), json!({"a":"b","c":null}), json!({"a":"b"})),
        (
            json!({}),
            json!({"a":{"bb":{"ccc":null}}}),
            json!({"a":{"bb":{}}}),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use super::{merge_patch, patch_body};
    use crate::json_write::JsonWriter;

    /// The text of `body` with `patch` laid over it.
    fn patched(body: &Value, patch: &Map<String, Value>) -> String {
        patch_body(&JsonWriter::text(body), patch).unwrap()
    }

    #[test]
    fn follows_the_rfc_7396_examples() {
        let cases = super::rfc_7396_examples();
        for (mut target, patch, want) in cases {
            // The body text path, for the cases whose target and patch are
            // objects (a body always is).
            if let (true, Some(p)) = (target.is_object(), patch.as_object()) {
                let text = patched(&target, p);
                let got: Value =
                    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
                assert_eq!(got, want, "body patch {patch}");
            }
            merge_patch(&mut target, &patch);
            assert_eq!(target, want, "patch {patch}");
        }
    }

    #[test]
    fn keeps_the_body_order_and_appends_what_the_patch_adds() {
        let body = json!({"a":1,"b":{"x":[1,2]},"c":"3"});
        let cases = [
            (json!({"a":null}), r#"{"b":{"x":[1,2]},"c":"3"}"#),
            (json!({"b":null}), r#"{"a":1,"c":"3"}"#),
            (json!({"c":null}), r#"{"a":1,"b":{"x":[1,2]}}"#),
            (json!({"a":null,"b":null,"c":null}), "{}"),
            (
                json!({"b":{"x":null,"y":{"z":null}}}),
                r#"{"a":1,"b":{"y":{}},"c":"3"}"#,
            ),
            (
                json!({"a":{"n":null,"m":[null]}}),
                r#"{"b":{"x":[1,2]},"c":"3","a":{"m":[null]}}"#,
            ),
            (
                json!({"b":7,"d":false}),
                r#"{"a":1,"c":"3","b":7,"d":false}"#,
            ),
        ];
        for (patch, want) in cases {
            assert_eq!(
                patched(&body, patch.as_object().unwrap()),
                want,
                "patch {patch}"
            );
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        #[test]
        fn patched_body_is_merge_patch_of_the_body(
            body in crate::json_write::tests::prop::object(),
            patch in crate::json_write::tests::prop::object(),
        ) {
            let text = patched(&Value::Object(body.clone()), &patch);
            let got: Value = serde_json::from_str(&text)
                .map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{text}: {e}")))?;
            // Same members as the text (a duplicate key would parse to
            // fewer members, hence shorter compact text).
            proptest::prop_assert_eq!(JsonWriter::text(&got).len(), text.len(), "{}", text);
            let mut want = Value::Object(body);
            merge_patch(&mut want, &Value::Object(patch));
            proptest::prop_assert_eq!(got, want);
        }
    }
}
