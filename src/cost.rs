//! Cost: what a response should cost by the catalog's prices, computed with
//! exact decimal arithmetic, next to what Zen says it billed.
//!
//! Money is a hand-rolled fixed-point [`Usd`] (u128 count of 10⁻¹⁸ USD)
//! rather than `rust_decimal`: it needs only parse, add, multiply by a token
//! count and print, so a few dozen lines beat a general decimal crate in the
//! wasm size budget. Prices per 1M tokens may carry up to 12 decimal places,
//! which makes the per-token price a whole number of 10⁻¹⁸ USD and every
//! estimate exact (no float, no rounding until you ask for it).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::catalog::{ModelInfo, Prices};
use crate::event::{Message, Usage};

/// Fractional digits an [`Usd`] amount keeps.
pub const USD_DECIMALS: u32 = 18;
/// Fractional digits a price per 1M tokens may have (so that the price of one
/// token, a millionth of it, is still exact in [`Usd`]).
pub const PRICE_DECIMALS: u32 = 12;
/// Zen switches a tiered model to its higher prices when input + cache read +
/// cache write tokens exceed this.
pub const TIER_THRESHOLD_TOKENS: u64 = 200_000;

const ATTO_PER_USD: u128 = 1_000_000_000_000_000_000;
const TOKENS_PER_PRICE_UNIT: u128 = 1_000_000;

/// An exact, non-negative amount of US dollars (10⁻¹⁸ USD resolution).
///
/// Displays exactly with trailing zeros trimmed (`0.00000107`, `1.5`, `0`);
/// serializes as that string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Usd(u128);

/// Why a decimal string is not a valid amount or price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecimalError {
    /// The string is empty.
    Empty,
    /// Not of the form `digits[.digits]` (signs, exponents, spaces and stray
    /// characters are rejected).
    Invalid(String),
    /// More fractional digits than the type keeps.
    TooManyDecimals {
        /// The input.
        input: String,
        /// The most fractional digits allowed.
        max: u32,
    },
    /// Too large to represent.
    Overflow(String),
}

impl fmt::Display for DecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecimalError::Empty => f.write_str("empty decimal"),
            DecimalError::Invalid(s) => {
                write!(f, "{s:?} is not a plain decimal (digits[.digits])")
            }
            DecimalError::TooManyDecimals { input, max } => {
                write!(f, "{input:?} has more than {max} decimal places")
            }
            DecimalError::Overflow(s) => write!(f, "{s:?} is too large"),
        }
    }
}

impl std::error::Error for DecimalError {}

impl Usd {
    /// Zero dollars.
    pub const ZERO: Usd = Usd(0);

    /// The amount in units of 10⁻¹⁸ USD.
    pub const fn from_atto(atto: u128) -> Usd {
        Usd(atto)
    }

    /// The amount in units of 10⁻¹⁸ USD.
    pub const fn atto(self) -> u128 {
        self.0
    }

    /// True for zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Parses `digits[.digits]` (at most 18 fractional digits), e.g. Zen's
    /// billed `"0.00001400"` or a price `"1.07"`.
    pub fn parse(s: &str) -> Result<Usd, DecimalError> {
        parse_fixed(s, USD_DECIMALS)
    }

    /// Sum, saturating at the largest amount (≈3.4·10²⁰ USD, far beyond any
    /// real bill) instead of overflowing.
    pub const fn saturating_add(self, other: Usd) -> Usd {
        Usd(self.0.saturating_add(other.0))
    }

    /// The amount rounded half-up to `places` decimals and printed with
    /// exactly that many (like JavaScript `toFixed`, which Zen uses with 8
    /// for its billed cost). No currency sign.
    pub fn format_usd(self, places: u32) -> String {
        let places = places.min(USD_DECIMALS);
        let step = 10u128.pow(USD_DECIMALS - places);
        let units = self.0 / step;
        // Half-up: round away from zero when the dropped part is ≥ half a step.
        let units = if step > 1 && self.0 % step >= step / 2 {
            units.saturating_add(1)
        } else {
            units
        };
        let scale = 10u128.pow(places);
        let whole = units / scale;
        if places == 0 {
            return whole.to_string();
        }
        let frac = units % scale;
        format!("{whole}.{frac:0width$}", width = places as usize)
    }

    /// Cost of `tokens` at `price` per 1M tokens. Exact for prices from
    /// [`parse_price`]; saturates instead of overflowing.
    pub fn for_tokens(price_per_million: Usd, tokens: u64) -> Usd {
        // Price per token in atto-USD: exact because prices have ≤ 12 decimals.
        let per_token = price_per_million.0 / TOKENS_PER_PRICE_UNIT;
        Usd(per_token.saturating_mul(u128::from(tokens)))
    }
}

impl fmt::Display for Usd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Digit by digit rather than through u128's formatter, which would
        // be ~1.4 KB of the wasm package for this one use. Like the
        // `write!` it replaces, this ignores width and fill flags.
        // u128::MAX has 39 digits.
        let mut digits = [b'0'; 39];
        let mut at = digits.len();
        let mut push = |digit: u8| {
            at -= 1;
            if let Some(slot) = digits.get_mut(at) {
                *slot = b'0' + digit;
            }
        };
        let mut rest = self.0;
        // u128 division only while the value needs it.
        let mut small = loop {
            match u64::try_from(rest) {
                Ok(small) => break small,
                Err(_) => {
                    let quotient = rest / 10;
                    push((rest - quotient * 10) as u8);
                    rest = quotient;
                }
            }
        };
        while small != 0 {
            push((small % 10) as u8);
            small /= 10;
        }
        // At least one whole digit and the 18 fractional ones.
        let start = at.min(digits.len() - 1 - USD_DECIMALS as usize);
        let digits = digits.get(start..).unwrap_or_default();
        let (whole, frac) = digits.split_at(digits.len() - USD_DECIMALS as usize);
        let frac_len = frac
            .iter()
            .rposition(|&d| d != b'0')
            .map_or(0, |last| last + 1);
        f.write_str(ascii_digits(whole)?)?;
        if let Some(frac) = frac.get(..frac_len).filter(|d| !d.is_empty()) {
            f.write_str(".")?;
            f.write_str(ascii_digits(frac)?)?;
        }
        Ok(())
    }
}

/// Digits as text (they are ASCII, so this does not fail).
fn ascii_digits(digits: &[u8]) -> Result<&str, fmt::Error> {
    std::str::from_utf8(digits).map_err(|_| fmt::Error)
}

impl FromStr for Usd {
    type Err = DecimalError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Usd::parse(s)
    }
}

impl std::ops::Add for Usd {
    type Output = Usd;
    /// Saturating (see [`Usd::saturating_add`]).
    fn add(self, rhs: Usd) -> Usd {
        self.saturating_add(rhs)
    }
}

impl std::iter::Sum for Usd {
    fn sum<I: Iterator<Item = Usd>>(iter: I) -> Usd {
        iter.fold(Usd::ZERO, Usd::saturating_add)
    }
}

impl Serialize for Usd {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Usd {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Usd::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Parses a price per 1M tokens (`"1.07"`, `"0.107"`, `"15"`, `"0"`): a plain
/// decimal with at most [`PRICE_DECIMALS`] fractional digits.
pub fn parse_price(s: &str) -> Result<Usd, DecimalError> {
    parse_fixed(s, PRICE_DECIMALS)
}

/// Parses `digits[.digits]` with at most `max_decimals` fractional digits
/// into atto-USD.
fn parse_fixed(s: &str, max_decimals: u32) -> Result<Usd, DecimalError> {
    fixed(s, max_decimals).map_err(|refusal| match refusal {
        Refusal::Empty => DecimalError::Empty,
        Refusal::Invalid => DecimalError::Invalid(s.to_owned()),
        Refusal::TooManyDecimals => DecimalError::TooManyDecimals {
            input: s.to_owned(),
            max: max_decimals,
        },
        Refusal::Overflow => DecimalError::Overflow(s.to_owned()),
    })
}

/// Why [`fixed`] refused its input: a [`DecimalError`] without the copy of
/// the input, which [`estimate`] would only allocate and drop (a bad price
/// is just counted as missing there).
#[derive(Clone, Copy)]
enum Refusal {
    Empty,
    Invalid,
    TooManyDecimals,
    Overflow,
}

/// [`parse_fixed`]'s parser.
fn fixed(s: &str, max_decimals: u32) -> Result<Usd, Refusal> {
    if s.is_empty() {
        return Err(Refusal::Empty);
    }
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !all_digits(whole)
        || !all_digits(frac)
        || (s.contains('.') && frac.is_empty())
    {
        return Err(Refusal::Invalid);
    }
    // Trailing zeros carry no value, so "1.500000000000000000000" is fine.
    let frac = frac.trim_end_matches('0');
    if frac.len() > max_decimals as usize {
        return Err(Refusal::TooManyDecimals);
    }
    // Folded by hand rather than `str::parse::<u128>` (its generic parser
    // is larger in the wasm package); both are all ASCII digits here.
    let digits = |part: &str| {
        part.bytes().try_fold(0u128, |acc, b| {
            acc.checked_mul(10)?.checked_add(u128::from(b - b'0'))
        })
    };
    let whole = digits(whole).ok_or(Refusal::Overflow)?;
    // ≤ 18 digits: fits, and the check above keeps the exponent in range.
    let frac_units =
        digits(frac).ok_or(Refusal::Overflow)? * 10u128.pow(USD_DECIMALS - frac.len() as u32);
    whole
        .checked_mul(ATTO_PER_USD)
        .and_then(|w| w.checked_add(frac_units))
        .map(Usd)
        .ok_or(Refusal::Overflow)
}

/// A piece of information the estimate had to do without (counted as 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Missing {
    /// The provider reported no input token count.
    InputTokens,
    /// The provider reported no output token count.
    OutputTokens,
    /// The provider reported no cache-read token count.
    CacheReadTokens,
    /// The provider reported no cache-write token count.
    CacheWriteTokens,
    /// Input tokens were used but the model has no (valid) input price, e.g.
    /// a model the catalog does not know.
    InputPrice,
    /// Output tokens were used but the model has no (valid) output price.
    OutputPrice,
    /// Cache reads were reported but the model has no cache-read price.
    CacheReadPrice,
    /// Cache writes were reported but the model has no cache-write price.
    CacheWritePrice,
}

/// What a response costs by the catalog's prices, part by part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CostEstimate {
    /// Uncached input.
    pub input: Usd,
    /// Output (reasoning included).
    pub output: Usd,
    /// Cache reads.
    pub cache_read: Usd,
    /// Cache writes.
    pub cache_write: Usd,
    /// Sum of the four parts.
    pub total: Usd,
    /// The >200K-token prices applied.
    pub tier_over_200k: bool,
    /// Counts or prices that were unknown and counted as 0, in a fixed order.
    /// Empty means the estimate is complete.
    pub missing: Vec<Missing>,
}

impl CostEstimate {
    /// True when nothing was missing, so the estimate is the full cost.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Estimates the cost of `usage` on `model`, the way Zen bills it.
///
/// `usage` has Zen's normalized semantics: input excludes cache reads and
/// writes. A tiered model uses its >200K prices when input + cache read +
/// cache write > 200 000 tokens (exactly 200 000 is still the base tier).
/// Unknown counts and unusable prices count as 0 and are listed in
/// [`CostEstimate::missing`].
pub fn estimate(model: &ModelInfo, usage: &Usage) -> CostEstimate {
    let mut missing = Vec::new();
    let mut count = |v: Option<u64>, what: Missing| {
        v.unwrap_or_else(|| {
            missing.push(what);
            0
        })
    };
    let input = count(usage.input_tokens, Missing::InputTokens);
    let output = count(usage.output_tokens, Missing::OutputTokens);
    let cache_read = count(usage.cache_read_tokens, Missing::CacheReadTokens);
    let cache_write = count(usage.cache_write_tokens, Missing::CacheWriteTokens);

    let prompt = input.saturating_add(cache_read).saturating_add(cache_write);
    let tier_over_200k = model.prices_over_200k.is_some() && prompt > TIER_THRESHOLD_TOKENS;
    let prices: &Prices = model.prices_for(prompt);

    let mut part = |price: Option<&str>, tokens: u64, what: Missing| -> Usd {
        if tokens == 0 {
            return Usd::ZERO;
        }
        match price.map(|p| fixed(p, PRICE_DECIMALS)) {
            Some(Ok(p)) => Usd::for_tokens(p, tokens),
            _ => {
                missing.push(what);
                Usd::ZERO
            }
        }
    };
    let input = part(Some(&prices.input), input, Missing::InputPrice);
    let output = part(Some(&prices.output), output, Missing::OutputPrice);
    let cache_read = part(
        prices.cache_read.as_deref(),
        cache_read,
        Missing::CacheReadPrice,
    );
    let cache_write = part(
        prices.cache_write.as_deref(),
        cache_write,
        Missing::CacheWritePrice,
    );
    CostEstimate {
        input,
        output,
        cache_read,
        cache_write,
        total: [input, output, cache_read, cache_write].into_iter().sum(),
        tier_over_200k,
        missing,
    }
}

/// The estimate beside what Zen reported it billed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CostReport {
    /// Computed from the message's usage and the catalog's prices.
    pub estimated: CostEstimate,
    /// Zen's reported charge, verbatim (`"0.00001400"`); `None` when the
    /// response carried no cost. This is what the account is charged.
    pub billed: Option<String>,
}

impl CostReport {
    /// The billed amount as a number, when present and a valid decimal.
    pub fn billed_usd(&self) -> Option<Usd> {
        self.billed.as_deref().and_then(|s| Usd::parse(s).ok())
    }
}

/// Builds the cost report for a finished message (its usage and the cost Zen
/// reported in the stream trailer or non-stream body).
pub fn report(model: &ModelInfo, message: &Message) -> CostReport {
    CostReport {
        estimated: estimate(model, &message.usage),
        billed: message.cost.clone(),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `Usd`'s Display written with u128's formatter: the reference.
    fn reference_display(atto: u128) -> String {
        let (whole, frac) = (atto / ATTO_PER_USD, atto % ATTO_PER_USD);
        if frac == 0 {
            return format!("{whole}");
        }
        format!("{whole}.{}", format!("{frac:018}").trim_end_matches('0'))
    }

    /// `parse_fixed`'s number read with `str::parse::<u128>`: the reference.
    fn reference_atto(whole: &str, frac: &str) -> Option<u128> {
        let frac = frac.trim_end_matches('0');
        let whole = whole.trim_start_matches('0');
        let whole: u128 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let frac_units: u128 = if frac.is_empty() {
            0
        } else {
            frac.parse::<u128>().ok()? * 10u128.pow(USD_DECIMALS - frac.len() as u32)
        };
        whole.checked_mul(ATTO_PER_USD)?.checked_add(frac_units)
    }

    #[test]
    fn display_edges() {
        for atto in [
            0,
            1,
            10,
            ATTO_PER_USD,
            ATTO_PER_USD + 1,
            u128::from(u64::MAX),
            u128::from(u64::MAX) + 1,
            u128::MAX,
        ] {
            assert_eq!(Usd(atto).to_string(), reference_display(atto));
        }
        assert_eq!(
            Usd(u128::MAX).to_string(),
            "340282366920938463463.374607431768211455"
        );
        assert_eq!(format!("{:>12}", Usd(ATTO_PER_USD)), "1");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn display_matches_the_u128_formatter(
            atto in prop_oneof![any::<u128>(), any::<u64>().prop_map(u128::from), (0u128..1000).prop_map(|n| n * ATTO_PER_USD / 1000)],
        ) {
            prop_assert_eq!(Usd(atto).to_string(), reference_display(atto));
        }

        #[test]
        fn parse_matches_the_u128_parser(whole in "[0-9]{1,42}", frac in "[0-9]{0,18}") {
            let text = if frac.is_empty() { whole.clone() } else { format!("{whole}.{frac}") };
            let expected = reference_atto(&whole, &frac);
            match Usd::parse(&text) {
                Ok(usd) => prop_assert_eq!(Some(usd.atto()), expected),
                Err(e) => {
                    prop_assert_eq!(expected, None);
                    prop_assert_eq!(e, DecimalError::Overflow(text.clone()));
                }
            }
        }
    }
}
