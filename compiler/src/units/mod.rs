//! Units of measure: dimensions, scales, the table built from `unit`
//! declarations, quantity literals and unit expressions, and how values are
//! shown to people.
//!
//! # Model
//!
//! A [`Unit`] is a [`Scale`] times a [`Dimension`]: `KiB` is `1024 × bytes`,
//! `ms` is `1/1000 × seconds`, `%` is `1/100 ×` (dimensionless). A dimension
//! is a product of *base dimensions* with integer exponents (`bytes/seconds`).
//!
//! The checker knows no unit by heart. Every unit, base dimensions included,
//! comes from `unit` declarations — the standard ones from
//! `stdlib/std/units.upk` — and the only built-in knowledge is how to read a
//! declaration:
//!
//! - `unit NAME` declares a new base dimension (`bytes`, `seconds`, a user's
//!   `celsius`);
//! - `unit NAME = EXPR` declares a unit as numbers and previously declared
//!   units joined by `*` and `/` (`unit KiB = 1024 * B`, `unit ms = s /
//!   1000`, `unit percent = ratio / 100`, `unit "%" = percent`). Anything
//!   else (`+`, a string, a call, unary minus) is an error, and so is a scale
//!   that is zero, negative, or too large or small for an `f64`.
//!
//! Two places use names the standard library is known to declare, and both
//! degrade gracefully when they are absent: [`UnitTable::seconds`] (the
//! dimension of `duration`, `for`, `every`, …) and the choice of readable
//! units in [`UnitTable::format_value`].
//!
//! # Counts are dimensionless
//!
//! `std.units` declares `unit count = 1`: a count is a pure number, like a
//! ratio, and not a base dimension. So `counter<count>` has the rate `1/s`,
//! and `rate(errors over 5m) > 10/s` type-checks against the literal `10/s`
//! (which is `10 × 1/s`). Making `count` a base dimension would force every
//! rate literal to be written `10count/s` and reject `procs.running > 100`.
//! The price: the checker cannot tell a count from a ratio, so comparing
//! `procs.running > 80%` is accepted (it means "more than 0.8 processes").
//!
//! # Exactness
//!
//! Scales are exact fractions for as long as they fit in `u128` (see
//! [`scale`]); values reach `f64` through one correctly rounded division.
//! `1GiB == 1073741824B`, `250ms == 0.25s` and `20% == 0.2` hold exactly.
//!
//! # Where things are
//!
//! [`dimension`] (the exponent vectors), [`scale`] (exact scales),
//! [`table`] (building the table, literals and unit expressions), [`error`]
//! (every error kind and its did-you-mean), [`display`] (names and
//! `format_value`).

pub mod dimension;
pub mod display;
pub mod error;
pub mod scale;
pub mod table;

pub use dimension::{BaseId, Dimension, ExponentOverflow};
pub use display::format_number;
pub use error::{ScaleProblem, Suggestion, UndeclaredHint, UnitError, UnitErrorKind};
pub use scale::Scale;
pub use table::UnitTable;

/// A unit: how many base units one of it is (`scale`), and of what
/// (`dim`). A value `x` in this unit is `scale.apply(x)` in base units.
///
/// Units in a [`UnitTable`] always have a positive, finite scale; the
/// arithmetic below may leave that range, which is why it returns
/// `Result` and reports [`UnitErrorKind::ScaleOutOfRange`].
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    pub scale: Scale,
    pub dim: Dimension,
}

impl Unit {
    /// The dimensionless unit with scale 1 (`ratio`, `count`, `1`).
    pub fn one() -> Unit {
        Unit { scale: Scale::ONE, dim: Dimension::one() }
    }

    /// The scale as an `f64`: multiply a value in this unit by it to get
    /// base units.
    pub fn factor(&self) -> f64 {
        self.scale.to_f64()
    }

    pub fn mul(&self, other: &Unit) -> Result<Unit, UnitErrorKind> {
        let dim = self.dim.mul(&other.dim).map_err(|_| UnitErrorKind::ExponentOverflow)?;
        Unit { scale: self.scale * other.scale, dim }.checked()
    }

    pub fn div(&self, other: &Unit) -> Result<Unit, UnitErrorKind> {
        let dim = self.dim.div(&other.dim).map_err(|_| UnitErrorKind::ExponentOverflow)?;
        let scale = self
            .scale
            .checked_div(other.scale)
            .ok_or(UnitErrorKind::NonPositiveScale { problem: ScaleProblem::Zero })?;
        Unit { scale, dim }.checked()
    }

    pub fn powi(&self, n: i32) -> Result<Unit, UnitErrorKind> {
        let dim = self.dim.powi(n).map_err(|_| UnitErrorKind::ExponentOverflow)?;
        let scale = self
            .scale
            .powi(n)
            .ok_or(UnitErrorKind::NonPositiveScale { problem: ScaleProblem::Zero })?;
        Unit { scale, dim }.checked()
    }

    /// The factor that converts a value in `self` to a value in `to`
    /// (`percent` → `ratio` is `1/100`), when both have the same dimension.
    /// This is the conversion the checker records for the evaluator.
    pub fn conversion_to(&self, to: &Unit) -> Option<Scale> {
        if self.dim == to.dim { self.scale.checked_div(to.scale) } else { None }
    }

    /// Keeps the invariant of table units: a positive, finite scale.
    fn checked(self) -> Result<Unit, UnitErrorKind> {
        if self.scale.is_zero() && self.scale.is_exact() {
            Err(UnitErrorKind::NonPositiveScale { problem: ScaleProblem::Zero })
        } else if self.scale.is_valid_scale() {
            Ok(self)
        } else {
            Err(UnitErrorKind::ScaleOutOfRange)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(num: u128, den: u128, dim: Dimension) -> Unit {
        Unit { scale: Scale::ratio(num, den).expect("non-zero denominator"), dim }
    }

    #[test]
    fn unit_arithmetic_combines_scale_and_dimension() {
        let bytes = Dimension::base(BaseId(0));
        let seconds = Dimension::base(BaseId(1));
        let kib = unit(1024, 1, bytes.clone());
        let ms = unit(1, 1000, seconds.clone());
        let rate = kib.div(&ms).unwrap();
        assert_eq!(rate.scale.as_ratio(), Some((1_024_000, 1)));
        assert_eq!(rate.dim, bytes.div(&seconds).unwrap());
        assert_eq!(rate.mul(&ms).unwrap(), kib);
        assert_eq!(kib.powi(2).unwrap().scale.as_ratio(), Some((1 << 20, 1)));
        assert_eq!(kib.powi(0).unwrap(), Unit::one());
    }

    #[test]
    fn conversions_need_equal_dimensions() {
        let percent = unit(1, 100, Dimension::one());
        let ppm = unit(1, 1_000_000, Dimension::one());
        assert_eq!(percent.conversion_to(&ppm).and_then(Scale::as_ratio), Some((10_000, 1)));
        assert_eq!(percent.conversion_to(&Unit::one()).map(|f| f.apply(87.0)), Some(0.87));
        assert_eq!(percent.conversion_to(&unit(1, 1, Dimension::base(BaseId(0)))), None);
    }

    #[test]
    fn arithmetic_reports_overflow_instead_of_wrapping() {
        let s = unit(1, 1, Dimension::base(BaseId(1)));
        assert_eq!(s.powi(200), Err(UnitErrorKind::ExponentOverflow));
        let huge = unit(10u128.pow(38), 1, Dimension::one());
        assert_eq!(huge.powi(9), Err(UnitErrorKind::ScaleOutOfRange));
        assert_eq!(huge.powi(-9), Err(UnitErrorKind::ScaleOutOfRange));
        assert!(huge.powi(8).is_ok_and(|u| !u.scale.is_exact()), "1e304 still fits an f64");
    }
}
