//! [`TextOr`]: a JSON value that is either a string or an object, the shape
//! of the `error` field some producers send.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// A string, or an object read as `T`.
///
/// What `#[serde(untagged)]` on a two-variant enum would do, written out
/// because serde's untagged support buffers the value into its private
/// `Content` tree and instantiates `T`'s deserializer again for it, which
/// costs the wasm package several KB per enum.
pub(crate) enum TextOr<T> {
    /// A JSON string.
    Text(String),
    /// A JSON object (or, as serde reads structs, an array of its fields
    /// in order).
    Object(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for TextOr<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextOrVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for TextOrVisitor<T> {
            type Value = TextOr<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an object")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(TextOr::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(TextOr::Text(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(TextOr::Object)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(TextOr::Object)
            }
        }
        deserializer.deserialize_any(TextOrVisitor(PhantomData))
    }
}
