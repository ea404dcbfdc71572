//! Scales: how many base units one unit is, kept exact where possible.
//!
//! A unit's scale is a non-negative real (`KiB` = 1024, `ms` = 1/1000,
//! `percent` = 1/100). Scales and literal numbers are kept as a reduced
//! fraction of two `u128`s for as long as the arithmetic fits, and only fall
//! back to `f64` when it does not (`1e40 * 1e40`). Why a fraction and not an
//! `f64`: `ms`, `percent` and `ppm` are not representable in binary, and
//! multiplying by an already rounded `0.01` can give `87 * 0.01 =
//! 0.8700000000000001`. With a fraction, a value is converted by a single
//! correctly rounded division at the end (`87 / 100`), so `250ms` is exactly
//! `0.25` seconds and `1.5GiB` exactly `1.5 * 2^30` bytes.
//!
//! Every SI and IEC prefix up to exa fits in a `u128` many times over
//! (`1024^6 = 2^60`), so the standard units are all exact.

use std::fmt;

/// A non-negative real number: an exact fraction, or an `f64` once exact
/// arithmetic overflows. See the module documentation.
#[derive(Clone, Copy, Debug)]
pub struct Scale(Repr);

#[derive(Clone, Copy, Debug)]
enum Repr {
    /// `num / den`, reduced, `den > 0`.
    Exact { num: u128, den: u128 },
    /// An approximation: finite and non-negative unless an operation
    /// overflowed, which [`Scale::is_valid_scale`] reports.
    Approx(f64),
}

/// A number that is not a decimal literal (or overflows to infinity).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadNumber;

impl Scale {
    pub const ONE: Scale = Scale(Repr::Exact { num: 1, den: 1 });
    pub const ZERO: Scale = Scale(Repr::Exact { num: 0, den: 1 });

    /// An exact integer.
    pub fn integer(n: u128) -> Scale {
        Scale(Repr::Exact { num: n, den: 1 })
    }

    /// An exact fraction; `None` when `den` is zero.
    pub fn ratio(num: u128, den: u128) -> Option<Scale> {
        (den != 0).then(|| reduced(num, den))
    }

    /// Parses a decimal literal as the lexer produces it (`1024`, `1.5`,
    /// `2.5e-3`, `1e6`), exactly when the fraction fits, else as an `f64`.
    /// Infinite results (`1e400`) and malformed text are errors.
    pub fn parse(text: &str) -> Result<Scale, BadNumber> {
        if let Some(exact) = parse_exact(text) {
            return Ok(exact);
        }
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => Ok(Scale(Repr::Approx(x))),
            _ => Err(BadNumber),
        }
    }

    /// The value as the nearest `f64` (a single rounding when numerator
    /// and denominator are themselves exact in `f64`, as all the standard
    /// scales are).
    pub fn to_f64(self) -> f64 {
        match self.0 {
            // `as` rounds to nearest; dividing two exact floats rounds once.
            Repr::Exact { num, den } => num as f64 / den as f64,
            Repr::Approx(x) => x,
        }
    }

    /// The exact fraction, when the scale is still exact.
    pub fn as_ratio(self) -> Option<(u128, u128)> {
        match self.0 {
            Repr::Exact { num, den } => Some((num, den)),
            Repr::Approx(_) => None,
        }
    }

    pub fn is_exact(self) -> bool {
        matches!(self.0, Repr::Exact { .. })
    }

    pub fn is_zero(self) -> bool {
        match self.0 {
            Repr::Exact { num, .. } => num == 0,
            Repr::Approx(x) => x == 0.0,
        }
    }

    /// Whether this can be a unit's scale: strictly positive and finite,
    /// also once converted to `f64` (a scale of `1e-400` would be zero).
    pub fn is_valid_scale(self) -> bool {
        let x = self.to_f64();
        x.is_finite() && x > 0.0
    }

    /// `self / other`; `None` when `other` is zero.
    pub fn checked_div(self, other: Scale) -> Option<Scale> {
        let recip = match other.0 {
            Repr::Exact { num: 0, .. } => return None,
            Repr::Exact { num, den } => Scale(Repr::Exact { num: den, den: num }),
            Repr::Approx(0.0) => return None,
            Repr::Approx(x) => Scale(Repr::Approx(1.0 / x)),
        };
        Some(self * recip)
    }

    /// `self ^ n`. `0 ^ -n` is `None`. Large exponents stay cheap: exact
    /// powers use `checked_pow` and fall back to `powi`.
    pub fn powi(self, n: i32) -> Option<Scale> {
        let base = if n < 0 { Scale::ONE.checked_div(self)? } else { self };
        let k = n.unsigned_abs();
        if let Repr::Exact { num, den } = base.0
            && let (Some(num), Some(den)) = (num.checked_pow(k), den.checked_pow(k))
        {
            return Some(Scale(Repr::Exact { num, den }));
        }
        // `powi` takes an i32 and `k` may be 2^31 (from `i32::MIN`).
        let x = base.to_f64();
        Some(Scale(Repr::Approx(match i32::try_from(k) {
            Ok(k) => x.powi(k),
            Err(_) => x.powi(i32::MAX) * x,
        })))
    }

    /// Applies the scale to a number: `x * self`, rounding once when the
    /// scale is exact and `x * num` is exact.
    pub fn apply(self, x: f64) -> f64 {
        match self.0 {
            Repr::Exact { num, den } => x * num as f64 / den as f64,
            Repr::Approx(s) => x * s,
        }
    }
}

/// Exact while the product fits, else `f64`.
impl std::ops::Mul for Scale {
    type Output = Scale;

    fn mul(self, other: Scale) -> Scale {
        if let (Repr::Exact { num: a, den: b }, Repr::Exact { num: c, den: d }) = (self.0, other.0)
        {
            // Cross-reduce first so that `1000 * (1/1000)` never overflows.
            let (g1, g2) = (gcd(a, d).max(1), gcd(c, b).max(1));
            if let (Some(num), Some(den)) =
                ((a / g1).checked_mul(c / g2), (b / g2).checked_mul(d / g1))
            {
                return reduced(num, den);
            }
        }
        Scale(Repr::Approx(self.to_f64() * other.to_f64()))
    }
}

/// Exact fractions compare exactly; anything else compares as `f64`.
impl PartialEq for Scale {
    fn eq(&self, other: &Scale) -> bool {
        match (self.0, other.0) {
            (Repr::Exact { num: a, den: b }, Repr::Exact { num: c, den: d }) => a == c && b == d,
            _ => self.to_f64() == other.to_f64(),
        }
    }
}

/// `1024`, `1/1000`, or the `f64` for an approximate scale.
impl fmt::Display for Scale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Repr::Exact { num, den: 1 } => write!(f, "{num}"),
            Repr::Exact { num, den } => write!(f, "{num}/{den}"),
            Repr::Approx(x) => write!(f, "{x}"),
        }
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn reduced(num: u128, den: u128) -> Scale {
    let g = gcd(num, den).max(1);
    Scale(Repr::Exact { num: num / g, den: den / g })
}

/// `digits[.digits][e[+-]digits]` as an exact fraction, or `None` when the
/// text has another shape or the fraction does not fit in `u128`.
fn parse_exact(text: &str) -> Option<Scale> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty()
        || !all_digits(int)
        || !all_digits(frac)
        || (mantissa.contains('.') && frac.is_empty())
    {
        return None;
    }
    let mut num: u128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        num = num.checked_mul(10)?.checked_add(u128::from(b - b'0'))?;
    }
    let frac_len = i32::try_from(frac.len()).ok()?;
    let exp10 = exponent.checked_sub(frac_len)?;
    let pow = 10u128.checked_pow(exp10.unsigned_abs())?;
    if exp10 >= 0 { Some(reduced(num.checked_mul(pow)?, 1)) } else { Some(reduced(num, pow)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Scale {
        Scale::parse(text).expect("valid number")
    }

    #[test]
    fn decimal_literals_are_exact_fractions() {
        assert_eq!(s("1024").as_ratio(), Some((1024, 1)));
        assert_eq!(s("1.5").as_ratio(), Some((3, 2)));
        assert_eq!(s("2.5e-3").as_ratio(), Some((1, 400)));
        assert_eq!(s("1e6").as_ratio(), Some((1_000_000, 1)));
        assert_eq!(s("1E+3").as_ratio(), Some((1000, 1)));
        assert_eq!(s("0").as_ratio(), Some((0, 1)));
        assert_eq!(s("007.50").as_ratio(), Some((15, 2)));
    }

    #[test]
    fn huge_or_tiny_literals_fall_back_to_f64_or_fail() {
        assert!(!s("1e50").is_exact());
        assert_eq!(s("1e50").to_f64(), 1e50);
        assert_eq!(s("123456789012345678901234567890123456789012").to_f64(), 1.2345678901234568e41);
        assert_eq!(Scale::parse("1e400"), Err(BadNumber));
        assert_eq!(Scale::parse("1e99999999999"), Err(BadNumber));
        assert_eq!(Scale::parse(""), Err(BadNumber));
        assert_eq!(Scale::parse("x"), Err(BadNumber));
        assert_eq!(Scale::parse("-1"), Err(BadNumber));
        assert!(Scale::parse("1e-400").is_ok_and(|x| !x.is_valid_scale()));
    }

    #[test]
    fn arithmetic_stays_exact_and_cross_reduces() {
        let milli = Scale::ratio(1, 1000).unwrap();
        assert_eq!(Scale::integer(1000) * milli, Scale::ONE);
        assert_eq!(Scale::integer(1024).powi(6).unwrap().as_ratio(), Some((1 << 60, 1)));
        assert_eq!(Scale::integer(1000).powi(-2).unwrap().as_ratio(), Some((1, 1_000_000)));
        assert_eq!(Scale::integer(7).powi(0), Some(Scale::ONE));
        assert_eq!(Scale::ONE.checked_div(Scale::ZERO), None);
        assert_eq!(Scale::ZERO.powi(-1), None);
        // 10^40 * 10^40 does not fit: approximate, still finite.
        let big = Scale::integer(10u128.pow(38));
        assert!(!(big * big).is_exact() && (big * big).is_valid_scale());
        assert!(!Scale::integer(2).powi(i32::MAX).unwrap().is_valid_scale());
        assert!(!Scale::integer(2).powi(i32::MIN).unwrap().is_valid_scale());
    }

    #[test]
    fn conversions_round_once() {
        assert_eq!(Scale::ratio(87, 100).unwrap().to_f64(), 0.87);
        assert_eq!(Scale::ratio(1, 100).unwrap().apply(87.0), 0.87);
        assert_eq!((s("250") * Scale::ratio(1, 1000).unwrap()).to_f64(), 0.25);
        assert_eq!((s("1.5") * Scale::integer(1 << 30)).to_f64(), 1.5 * 1_073_741_824.0);
        assert_eq!(Scale::ratio(3, 6).unwrap().to_string(), "1/2");
    }
}
