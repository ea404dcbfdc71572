//! Dimensions: products of base dimensions with integer exponents.
//!
//! A [`Dimension`] is what the checker compares when it asks "can these two
//! values be added or compared?": `bytes/seconds` is a throughput, `bytes`
//! a size, and the empty product (dimensionless) is a pure number such as a
//! ratio or a count.
//!
//! The representation is a short vector of `(BaseId, exponent)` pairs,
//! sorted by base and with no zero exponents, so that equal dimensions are
//! equal as values (derived `Eq` and `Hash` are correct) and the common
//! cases (one or two bases) stay tiny. Base ids are indices into the
//! [`UnitTable`](super::UnitTable) that declared them; names live there.
//!
//! Exponents are `i8`: no real unit needs more than a handful, and a bounded
//! exponent turns "multiply `s` by itself a thousand times" into an error
//! instead of a silently growing vector. Every operation is checked and
//! reports [`ExponentOverflow`] rather than wrapping or panicking.

use std::fmt;

/// A base dimension, by its index in the table that declared it
/// (declaration order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BaseId(pub u32);

/// An exponent left the range of `i8` (−128..=127).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a dimension exponent is out of range (at most ±127)")]
pub struct ExponentOverflow;

/// A product of base dimensions with non-zero integer exponents, kept
/// sorted by [`BaseId`]. The empty product is dimensionless.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Dimension {
    factors: Vec<(BaseId, i8)>,
}

impl Dimension {
    /// The dimensionless dimension (a pure number).
    pub fn one() -> Self {
        Dimension::default()
    }

    /// A base dimension to the first power.
    pub fn base(id: BaseId) -> Self {
        Dimension { factors: vec![(id, 1)] }
    }

    /// Builds a dimension from any list of factors: repeated bases are
    /// combined and zero exponents dropped, so the result is canonical.
    pub fn from_factors(
        factors: impl IntoIterator<Item = (BaseId, i8)>,
    ) -> Result<Self, ExponentOverflow> {
        factors.into_iter().try_fold(Dimension::one(), |acc, (id, exp)| {
            acc.mul(&Dimension { factors: if exp == 0 { vec![] } else { vec![(id, exp)] } })
        })
    }

    /// The factors, sorted by base, none with exponent zero.
    pub fn factors(&self) -> &[(BaseId, i8)] {
        &self.factors
    }

    pub fn is_dimensionless(&self) -> bool {
        self.factors.is_empty()
    }

    /// The exponent of `id` in this dimension (0 when absent).
    pub fn exponent(&self, id: BaseId) -> i8 {
        self.factors.iter().find(|(b, _)| *b == id).map_or(0, |(_, e)| *e)
    }

    /// Whether this is exactly `id` to the first power.
    pub fn is_base(&self, id: BaseId) -> bool {
        self.factors == [(id, 1)]
    }

    /// `self * other`: exponents add.
    pub fn mul(&self, other: &Dimension) -> Result<Dimension, ExponentOverflow> {
        self.merge(other, 1)
    }

    /// `self / other`: exponents subtract.
    pub fn div(&self, other: &Dimension) -> Result<Dimension, ExponentOverflow> {
        self.merge(other, -1)
    }

    /// `1 / self`.
    pub fn recip(&self) -> Result<Dimension, ExponentOverflow> {
        Dimension::one().div(self)
    }

    /// `self ^ n`: exponents multiply. `powi(0)` is dimensionless.
    pub fn powi(&self, n: i32) -> Result<Dimension, ExponentOverflow> {
        let factors = self
            .factors
            .iter()
            .filter(|_| n != 0)
            .map(|&(id, e)| {
                let exp = i64::from(e) * i64::from(n);
                i8::try_from(exp).map(|e| (id, e)).map_err(|_| ExponentOverflow)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Dimension { factors })
    }

    /// Merges two sorted factor lists, adding `sign * exponent` of `other`.
    fn merge(&self, other: &Dimension, sign: i16) -> Result<Dimension, ExponentOverflow> {
        let mut out = Vec::with_capacity(self.factors.len() + other.factors.len());
        let (mut a, mut b) = (self.factors.iter().peekable(), other.factors.iter().peekable());
        loop {
            let (id, exp) = match (a.peek(), b.peek()) {
                (None, None) => break,
                (Some(&&(ia, ea)), Some(&&(ib, _))) if ia < ib => {
                    a.next();
                    (ia, i16::from(ea))
                }
                (Some(&&(ia, ea)), Some(&&(ib, eb))) if ia == ib => {
                    a.next();
                    b.next();
                    (ia, i16::from(ea) + sign * i16::from(eb))
                }
                (_, Some(&&(ib, eb))) => {
                    b.next();
                    (ib, sign * i16::from(eb))
                }
                (Some(&&(ia, ea)), None) => {
                    a.next();
                    (ia, i16::from(ea))
                }
            };
            if exp != 0 {
                out.push((id, i8::try_from(exp).map_err(|_| ExponentOverflow)?));
            }
        }
        Ok(Dimension { factors: out })
    }
}

/// Debug-style rendering without names (`#0^1*#1^-1`); the table's
/// [`display`](super::UnitTable::display) gives the readable form.
impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.factors.is_empty() {
            return f.write_str("1");
        }
        for (i, (id, e)) in self.factors.iter().enumerate() {
            if i > 0 {
                f.write_str("*")?;
            }
            write!(f, "#{}^{}", id.0, e)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BYTES: BaseId = BaseId(0);
    const SECONDS: BaseId = BaseId(1);
    const KELVIN: BaseId = BaseId(2);

    fn d(factors: &[(BaseId, i8)]) -> Dimension {
        Dimension::from_factors(factors.iter().copied()).expect("in range")
    }

    #[test]
    fn products_are_canonical() {
        let b = Dimension::base(BYTES);
        let s = Dimension::base(SECONDS);
        let bs = b.mul(&s).unwrap();
        assert_eq!(bs.div(&s).unwrap(), b);
        assert!(b.div(&b).unwrap().is_dimensionless());
        assert_eq!(bs, s.mul(&b).unwrap(), "order of multiplication does not matter");
        assert_eq!(d(&[(SECONDS, 1), (BYTES, 1), (SECONDS, -1)]), b);
        assert_eq!(d(&[(KELVIN, 0)]), Dimension::one());
        assert_eq!(bs.factors(), &[(BYTES, 1), (SECONDS, 1)]);
    }

    #[test]
    fn powers_and_reciprocals() {
        let s = Dimension::base(SECONDS);
        let rate = s.recip().unwrap();
        assert_eq!(rate.exponent(SECONDS), -1);
        assert_eq!(s.powi(-1).unwrap(), rate);
        assert_eq!(s.powi(0).unwrap(), Dimension::one());
        assert_eq!(rate.mul(&s).unwrap(), Dimension::one());
        assert_eq!(
            d(&[(BYTES, 2), (SECONDS, -3)]).powi(2).unwrap(),
            d(&[(BYTES, 4), (SECONDS, -6)])
        );
        assert!(s.is_base(SECONDS) && !rate.is_base(SECONDS));
    }

    #[test]
    fn exponents_never_wrap() {
        let s = Dimension::base(SECONDS);
        assert_eq!(s.powi(127).unwrap().exponent(SECONDS), 127);
        assert_eq!(s.powi(-128).unwrap().exponent(SECONDS), -128);
        assert_eq!(s.powi(128), Err(ExponentOverflow));
        assert_eq!(s.powi(i32::MIN), Err(ExponentOverflow));
        assert_eq!(s.powi(127).unwrap().mul(&s), Err(ExponentOverflow));
        assert_eq!(s.powi(-128).unwrap().div(&s), Err(ExponentOverflow));
        assert_eq!(s.powi(-128).unwrap().recip(), Err(ExponentOverflow));
        assert_eq!(
            Dimension::from_factors([(SECONDS, 100), (SECONDS, 100)]),
            Err(ExponentOverflow)
        );
        // Dimensionless stays dimensionless under any power.
        assert_eq!(Dimension::one().powi(i32::MAX), Ok(Dimension::one()));
    }

    #[test]
    fn equal_dimensions_hash_equal() {
        use std::collections::HashSet;
        let a = Dimension::base(BYTES).div(&Dimension::base(SECONDS)).unwrap();
        let b = d(&[(SECONDS, -1), (BYTES, 1)]);
        let set: HashSet<_> = [a, b].into_iter().collect();
        assert_eq!(set.len(), 1);
    }
}
