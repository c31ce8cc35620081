//! Decimal number text for the exactness tests: `tests/exact_numbers.rs`
//! (proptest, against `str::parse::<f64>`) and the browser suite (against
//! `JSON.parse`) build their numbers with this one writer.
#![allow(dead_code)]

/// The numbers the issue reported 1–2 ULP off, and the edges of the `f64`
/// range (the largest finite value, the boundary where rounding goes to
/// infinity, the smallest subnormal and the halfway point below it).
pub const KNOWN: &[&str] = &[
    "-8E-84",
    "27.94081163252683478",
    "96.02403659783798353024",
    "0.1",
    "-0.0",
    "1.7976931348623157e308",
    "1.7976931348623158e308",
    "4.9406564584124654e-324",
    "2.4703282292062328e-324",
    "2.4703282292062327e-324",
    "2.2250738585072011e-308",
    "9007199254740993",
    "123456789012345678901234567890",
    "-9223372036854775809",
    "0.000000000000000000000000000000000000001",
    "7.0e0",
    "1E+2",
];

/// A JSON number's text, built from its parts.
#[derive(Debug, Clone)]
pub struct Decimal {
    /// A leading `-`.
    pub negative: bool,
    /// The significant digits, the first one not `0` (1–25 of them).
    pub digits: String,
    /// How many of `digits` stand before the decimal point (all of them:
    /// no fraction). `0` writes `0.` and `zeros` zeros before the digits.
    pub point: usize,
    /// Zeros between `0.` and the digits, when `point` is 0.
    pub zeros: usize,
    /// `e` or `E`, and the exponent (`+` written when `plus` and it is ≥ 0).
    pub exponent: Option<(char, i32, bool)>,
}

impl Decimal {
    /// The text: `-0.00123e-45`, `27.94081163252683478`, `7E+3`.
    pub fn text(&self) -> String {
        let mut out = String::new();
        if self.negative {
            out.push('-');
        }
        let point = self.point.min(self.digits.len());
        if point == 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', self.zeros));
            out.push_str(&self.digits);
        } else {
            let (int, frac) = self.digits.split_at(point);
            out.push_str(int);
            if !frac.is_empty() {
                out.push('.');
                out.push_str(frac);
            }
        }
        if let Some((e, exp, plus)) = self.exponent {
            out.push(e);
            if plus && exp >= 0 {
                out.push('+');
            }
            out.push_str(&exp.to_string());
        }
        out
    }

    /// A random number from `below(n)`, a source of integers in `0..n`:
    /// 1–25 significant digits, exponents −330…+310 in either case of `e`
    /// (or none), signs, and long plain decimals.
    pub fn random(below: &mut impl FnMut(u32) -> u32) -> Decimal {
        let len = below(25) + 1;
        let digits: String = (0..len)
            .map(|i| {
                let d = if i == 0 { below(9) + 1 } else { below(10) };
                char::from(b'0' + d as u8)
            })
            .collect();
        let exponent = match below(3) {
            0 => None,
            _ => Some((
                if below(2) == 0 { 'e' } else { 'E' },
                below(641) as i32 - 330,
                below(2) == 0,
            )),
        };
        Decimal {
            negative: below(2) == 0,
            point: below(len + 1) as usize,
            zeros: below(4) as usize,
            digits,
            exponent,
        }
    }
}

/// Whether the text is an integer lexeme (no fraction, no exponent), which
/// JSON readers keep as an integer when it fits.
pub fn is_integer_lexeme(text: &str) -> bool {
    !text.contains(['.', 'e', 'E'])
}
