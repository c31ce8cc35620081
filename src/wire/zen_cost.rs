//! The cost frame Zen appends to Messages, Responses and Gemini streams:
//! `event: ping` + `{"type":"ping","cost":"0.00012345"}`, newer builds adding
//! `"x-opencode-type":"inference-cost"` and a `normalizedUsage` object.
//!
//! All four wire decoders read `cost` (with [`super::fields::cost`]) and
//! [`ZenNormalizedUsage`] as optional fields of their own frames (one walk
//! per event) and hand them to [`push_cost_events`]; a non-streaming body's
//! `cost` is read the same way ([`cost`]). Both are lenient: an
//! odd value reads as absent instead of failing the frame.

use super::{fields, push_usage};
use crate::event::{Event, Usage};
use crate::json::{JsonError, Reader};

/// Zen's `normalizedUsage`: already in Zen's semantics (input excludes cache,
/// output includes reasoning), split cache writes by lifetime. Counts are read
/// leniently ([`fields::count`]): an odd value is an unknown count, not a
/// failed frame.
#[derive(Debug, Clone, Default)]
pub(super) struct ZenNormalizedUsage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    reasoning_tokens: Option<u64>,
    cache_read_tokens: Option<u64>,
    cache_write5m_tokens: Option<u64>,
    cache_write1h_tokens: Option<u64>,
}

impl ZenNormalizedUsage {
    /// Reads a `normalizedUsage` value; anything but an object reads as
    /// `None`, odd counts as unknown ([`super::fields::count`]).
    pub(super) fn read(r: &mut Reader<'_>, slot: &mut Option<Self>) -> Result<(), JsonError> {
        *slot = None;
        if !fields::object(r)? {
            return Ok(());
        }
        let u = slot.insert(ZenNormalizedUsage::default());
        while let Some(key) = r.next_key()? {
            let slot = match key.as_ref() {
                "inputTokens" => &mut u.input_tokens,
                "outputTokens" => &mut u.output_tokens,
                "reasoningTokens" => &mut u.reasoning_tokens,
                "cacheReadTokens" => &mut u.cache_read_tokens,
                "cacheWrite5mTokens" => &mut u.cache_write5m_tokens,
                "cacheWrite1hTokens" => &mut u.cache_write1h_tokens,
                _ => {
                    r.skip()?;
                    continue;
                }
            };
            fields::count(r, slot)?;
        }
        Ok(())
    }

    /// The unified usage; the two cache-write lifetimes are summed.
    pub(super) fn to_usage(&self) -> Usage {
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

/// What the text of a `cost` value amounts to (a non-streaming body's
/// top-level `cost`): the stream decoders' reading, [`fields::cost`].
pub(crate) fn cost(text: &str) -> Option<String> {
    fields::read_text(text, fields::cost)
}

/// Appends the usage (when reported and not empty) and then the cost of a
/// Zen cost frame.
pub(super) fn push_cost_events(
    cost: Option<String>,
    usage: Option<&ZenNormalizedUsage>,
    out: &mut Vec<Event>,
) {
    if let Some(usage) = usage {
        push_usage(usage.to_usage(), out);
    }
    if let Some(usd) = cost {
        out.push(Event::Cost { usd });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cost frame's two fields, read the way the decoders read them.
    struct Frame {
        cost: Option<String>,
        normalized_usage: Option<ZenNormalizedUsage>,
    }

    fn frame(json: &str) -> Frame {
        let mut r = Reader::new(json);
        let mut f = Frame {
            cost: None,
            normalized_usage: None,
        };
        r.begin_object().expect("frame JSON");
        while let Some(key) = r.next_key().expect("frame JSON") {
            match key.as_ref() {
                "cost" => fields::cost(&mut r, &mut f.cost).expect("frame JSON"),
                "normalizedUsage" => {
                    ZenNormalizedUsage::read(&mut r, &mut f.normalized_usage).expect("frame JSON")
                }
                _ => r.skip().expect("frame JSON"),
            }
        }
        r.end().expect("frame JSON");
        f
    }

    #[test]
    fn cost_and_usage_events_in_order() {
        let f = frame(
            r#"{"cost":"0.00001400","normalizedUsage":{"inputTokens":84,"outputTokens":8,"reasoningTokens":8,"cacheReadTokens":0,"cacheWrite5mTokens":2,"cacheWrite1hTokens":3}}"#,
        );
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
    }

    #[test]
    fn cost_is_kept_verbatim_or_written_in_plain_decimals() {
        assert_eq!(frame(r#"{"cost":"0.1"}"#).cost.as_deref(), Some("0.1"));
        assert_eq!(frame(r#"{"cost":2.75}"#).cost.as_deref(), Some("2.75"));
        assert_eq!(frame(r#"{"cost":0}"#).cost.as_deref(), Some("0"));
        assert_eq!(
            frame(r#"{"cost":1e-8}"#).cost.as_deref(),
            Some("0.00000001")
        );
        for odd in [r#"{"cost":true}"#, r#"{"cost":" "}"#, r#"{"cost":{}}"#] {
            assert_eq!(frame(odd).cost, None, "{odd}");
        }
    }

    #[test]
    fn usage_counts_are_lenient_and_cache_writes_summed() {
        let u = frame(
            r#"{"normalizedUsage":{"inputTokens":12.0,"outputTokens":"7","reasoningTokens":-1,"cacheWrite1hTokens":4}}"#,
        )
        .normalized_usage
        .expect("usage")
        .to_usage();
        assert_eq!(
            (
                u.input_tokens,
                u.output_tokens,
                u.reasoning_tokens,
                u.cache_write_tokens
            ),
            (Some(12), Some(7), None, Some(4))
        );
        let u = frame(r#"{"normalizedUsage":{"inputTokens":1}}"#)
            .normalized_usage
            .expect("usage")
            .to_usage();
        assert_eq!(u.cache_write_tokens, None);
    }
}
