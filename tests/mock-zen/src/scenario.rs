//! Scripted behaviours, chosen per request by the `x-mock-scenario` header
//! or a last user message starting with `/mock <scenario>`.

use std::fmt;

/// What the mock does with one (authorised) model request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scenario {
    /// Echo the last user message (the default).
    Echo,
    /// Stream the bytes of this file as-is, paced at event boundaries.
    Replay(String),
    /// 429 RateLimitError with `retry-after`: these seconds (`rate-limit:N`,
    /// so a page can choose them in its message), else the
    /// `x-mock-retry-after` header or 2.
    RateLimit(Option<u64>),
    /// 429 the first time this id is seen, then behave normally.
    RateLimitOnce(String),
    /// 500 in Zen's shape.
    ServerError,
    /// A 200 stream whose first event is the format's overloaded error.
    Overloaded,
    /// Some text deltas, then the format's overloaded error.
    OverloadedAfterOutput,
    /// Some events, then the connection drops mid-chunk.
    Reset,
    /// Headers and one event, then silence until the client gives up.
    Stall,
    /// Silence before any header until the client gives up.
    StallBeforeHeaders,
    /// 200 with bytes that are not a valid stream.
    Garbage,
    /// A non-200 JSON error with Zen's cost trailer glued on.
    ErrorCostTrailer,
    /// 401 CreditsError.
    Credits,
    /// 403 FreeTierError.
    FreeTier,
    /// Long pacing and many deltas, for stop/abort tests.
    Slow,
    /// An answer of exactly this many text deltas.
    Long(usize),
    /// The connection is closed before any response byte (after the
    /// request was read, so the request did reach the server).
    ResetBeforeHeaders,
    /// The normal answer, but Zen's cost frame (or `cost` field) says this
    /// many USD were billed, whatever the model's price (a free model that
    /// became paid).
    Billed(String),
    /// Two text deltas, then an in-stream error whose message echoes the
    /// API key the request carried (an upstream quoting a header), then
    /// Zen's cost frame "0".
    LeakyError,
    /// An answer of exactly this many text deltas that make up a long
    /// Markdown document (headings, lists, code fences, tables, quotes),
    /// for renderers.
    Markdown(usize),
}

/// Longest answer `long:N` produces, so a typo cannot exhaust memory.
pub const MAX_LONG: usize = 100_000;

impl Scenario {
    /// Parses a scenario name (`rate-limit-once:abc`, `long:50`…).
    pub fn parse(text: &str) -> Result<Scenario, String> {
        let text = text.trim();
        let (name, arg) = match text.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (text, None),
        };
        let no_arg = |s: Scenario| match arg {
            None => Ok(s),
            Some(_) => Err(format!("scenario {name:?} takes no argument")),
        };
        let need_arg = || match arg {
            Some(a) if !a.is_empty() => Ok(a.to_string()),
            _ => Err(format!(
                "scenario {name:?} needs an argument ({name}:<value>)"
            )),
        };
        match name {
            "" | "echo" => no_arg(Scenario::Echo),
            "replay" => {
                let path = need_arg()?;
                if !path.starts_with('/') {
                    return Err("replay needs an absolute path".to_string());
                }
                Ok(Scenario::Replay(path))
            }
            "rate-limit" => match arg {
                None => Ok(Scenario::RateLimit(None)),
                Some(a) => a
                    .parse()
                    .map(|secs| Scenario::RateLimit(Some(secs)))
                    .map_err(|_| "rate-limit:<seconds> needs a number".to_string()),
            },
            "rate-limit-once" => Ok(Scenario::RateLimitOnce(need_arg()?)),
            "server-error" => no_arg(Scenario::ServerError),
            "overloaded" => no_arg(Scenario::Overloaded),
            "overloaded-after-output" => no_arg(Scenario::OverloadedAfterOutput),
            "reset" => no_arg(Scenario::Reset),
            "stall" => no_arg(Scenario::Stall),
            "stall-before-headers" => no_arg(Scenario::StallBeforeHeaders),
            "garbage" => no_arg(Scenario::Garbage),
            "error-cost-trailer" => no_arg(Scenario::ErrorCostTrailer),
            "credits" => no_arg(Scenario::Credits),
            "free-tier" => no_arg(Scenario::FreeTier),
            "slow" => no_arg(Scenario::Slow),
            "reset-before-headers" => no_arg(Scenario::ResetBeforeHeaders),
            "leaky-error" => no_arg(Scenario::LeakyError),
            "billed" => {
                let usd = need_arg()?;
                let valid = usd.split_once('.').map_or(usd.as_str(), |(w, f)| {
                    if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                        ""
                    } else {
                        w
                    }
                });
                if valid.is_empty() || !valid.bytes().all(|b| b.is_ascii_digit()) {
                    return Err("billed:<USD> needs a decimal amount like 0.0123".to_string());
                }
                Ok(Scenario::Billed(usd))
            }
            "long" | "markdown" => {
                let n: usize = need_arg()?
                    .parse()
                    .map_err(|_| format!("{name}:<N> needs a number"))?;
                if n == 0 || n > MAX_LONG {
                    return Err(format!("{name}:<N> needs 1..={MAX_LONG}"));
                }
                Ok(if name == "long" {
                    Scenario::Long(n)
                } else {
                    Scenario::Markdown(n)
                })
            }
            other => Err(format!("unknown scenario {other:?}")),
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scenario::Echo => f.write_str("echo"),
            Scenario::Replay(p) => write!(f, "replay:{p}"),
            Scenario::RateLimit(None) => f.write_str("rate-limit"),
            Scenario::RateLimit(Some(secs)) => write!(f, "rate-limit:{secs}"),
            Scenario::RateLimitOnce(id) => write!(f, "rate-limit-once:{id}"),
            Scenario::ServerError => f.write_str("server-error"),
            Scenario::Overloaded => f.write_str("overloaded"),
            Scenario::OverloadedAfterOutput => f.write_str("overloaded-after-output"),
            Scenario::Reset => f.write_str("reset"),
            Scenario::Stall => f.write_str("stall"),
            Scenario::StallBeforeHeaders => f.write_str("stall-before-headers"),
            Scenario::Garbage => f.write_str("garbage"),
            Scenario::ErrorCostTrailer => f.write_str("error-cost-trailer"),
            Scenario::Credits => f.write_str("credits"),
            Scenario::FreeTier => f.write_str("free-tier"),
            Scenario::Slow => f.write_str("slow"),
            Scenario::Long(n) => write!(f, "long:{n}"),
            Scenario::ResetBeforeHeaders => f.write_str("reset-before-headers"),
            Scenario::Billed(usd) => write!(f, "billed:{usd}"),
            Scenario::LeakyError => f.write_str("leaky-error"),
            Scenario::Markdown(n) => write!(f, "markdown:{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for s in [
            "echo",
            "replay:/tmp/x.sse",
            "rate-limit",
            "rate-limit:42",
            "rate-limit-once:abc",
            "server-error",
            "overloaded",
            "overloaded-after-output",
            "reset",
            "stall",
            "stall-before-headers",
            "garbage",
            "error-cost-trailer",
            "credits",
            "free-tier",
            "slow",
            "long:7",
            "reset-before-headers",
            "billed:0.0123",
            "billed:2",
            "leaky-error",
            "markdown:9",
        ] {
            assert_eq!(Scenario::parse(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn rejects_bad_input() {
        for s in [
            "nope",
            "replay:relative",
            "replay:",
            "long:x",
            "long:0",
            "long:1000001",
            "markdown:0",
            "markdown:x",
            "rate-limit:soon",
            "rate-limit-once",
            "slow:3",
            "billed",
            "billed:x",
            "billed:1.",
            "billed:.5",
            "leaky-error:1",
        ] {
            assert!(Scenario::parse(s).is_err(), "{s}");
        }
    }
}
