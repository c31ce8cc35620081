//! The cost frame Zen appends to Messages, Responses and Gemini streams:
//! `event: ping` + `{"type":"ping","cost":"0.00012345"}`, newer builds adding
//! `"x-opencode-type":"inference-cost"` and a `normalizedUsage` object.
//!
//! Wire decoders embed [`ZenCost`] and [`ZenNormalizedUsage`] as optional
//! fields of their own frame structs (one parse per event) and hand them to
//! [`push_cost_events`].

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::event::{Event, Usage};

/// The `cost` field: USD charged, normally a decimal string (`toFixed(8)`).
/// Some observed frames carry a JSON number instead; its decimal text is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ZenCost(pub(crate) String);

impl<'de> Deserialize<'de> for ZenCost {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct CostVisitor;
        impl Visitor<'_> for CostVisitor {
            type Value = ZenCost;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal string or number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ZenCost, E> {
                Ok(ZenCost(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ZenCost, E> {
                Ok(ZenCost(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ZenCost, E> {
                Ok(ZenCost(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ZenCost, E> {
                Ok(ZenCost(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ZenCost, E> {
                // Display prints the shortest text that round-trips (2.75 → "2.75").
                Ok(ZenCost(v.to_string()))
            }
        }
        d.deserialize_any(CostVisitor)
    }
}

/// Zen's `normalizedUsage`: already in Zen's semantics (input excludes cache,
/// output includes reasoning), split cache writes by lifetime.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ZenNormalizedUsage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    reasoning_tokens: Option<u64>,
    cache_read_tokens: Option<u64>,
    cache_write5m_tokens: Option<u64>,
    cache_write1h_tokens: Option<u64>,
}

impl ZenNormalizedUsage {
    /// The unified usage; the two cache-write lifetimes are summed.
    pub(crate) fn to_usage(&self) -> Usage {
        let cache_write = match (self.cache_write5m_tokens, self.cache_write1h_tokens) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
        };
        Usage {
            input_tokens: self.input_tokens,
            output_tokens: self.output_tokens,
            cache_read_tokens: self.cache_read_tokens,
            cache_write_tokens: cache_write,
            reasoning_tokens: self.reasoning_tokens,
        }
    }
}

/// Appends the usage (when reported) and then the cost of a Zen cost frame.
pub(crate) fn push_cost_events(
    cost: Option<ZenCost>,
    usage: Option<&ZenNormalizedUsage>,
    out: &mut Vec<Event>,
) {
    if let Some(usage) = usage {
        let usage = usage.to_usage();
        if !usage.is_empty() {
            out.push(Event::Usage(usage));
        }
    }
    if let Some(ZenCost(usd)) = cost {
        out.push(Event::Cost { usd });
    }
}

/// A short, char-boundary-safe excerpt of untrusted data for error messages.
pub(crate) fn excerpt(data: &str) -> String {
    const MAX_CHARS: usize = 80;
    let mut chars = data.char_indices();
    match chars.nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &data[..cut]),
        None => data.to_owned(),
    }
}

/// The protocol error for an SSE `data` payload that is not the JSON the
/// format promises; decoding continues with the next event.
pub(crate) fn invalid_json_event(format: &str, data: &str, err: &serde_json::Error) -> Event {
    Event::Error {
        kind: crate::error::ErrorKind::Protocol,
        message: format!(
            "{format} stream event data is not valid JSON ({err}): {}",
            excerpt(data)
        ),
        retryable: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Frame {
        cost: Option<ZenCost>,
        #[serde(rename = "normalizedUsage")]
        normalized_usage: Option<ZenNormalizedUsage>,
    }

    #[test]
    fn cost_string_number_and_usage() {
        let f: Frame = serde_json::from_str(
            r#"{"cost":"0.00001400","normalizedUsage":{"inputTokens":84,"outputTokens":8,"reasoningTokens":8,"cacheReadTokens":0,"cacheWrite5mTokens":2,"cacheWrite1hTokens":3}}"#,
        )
        .unwrap();
        let mut out = Vec::new();
        push_cost_events(f.cost, f.normalized_usage.as_ref(), &mut out);
        assert_eq!(
            out,
            vec![
                Event::Usage(Usage {
                    input_tokens: Some(84),
                    output_tokens: Some(8),
                    cache_read_tokens: Some(0),
                    cache_write_tokens: Some(5),
                    reasoning_tokens: Some(8),
                }),
                Event::Cost {
                    usd: "0.00001400".into()
                }
            ]
        );
        let f: Frame = serde_json::from_str(r#"{"cost":2.75}"#).unwrap();
        assert_eq!(f.cost, Some(ZenCost("2.75".into())));
        let f: Frame = serde_json::from_str(r#"{"cost":0}"#).unwrap();
        assert_eq!(f.cost, Some(ZenCost("0".into())));
        assert!(serde_json::from_str::<Frame>(r#"{"cost":true}"#).is_err());
    }

    #[test]
    fn excerpt_cuts_on_char_boundary() {
        let long = "é".repeat(100);
        let e = excerpt(&long);
        assert_eq!(e.chars().count(), 81);
        assert!(e.ends_with('…'));
        assert_eq!(excerpt("short"), "short");
    }
}
