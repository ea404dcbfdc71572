//! Showing dimensions and values to people.
//!
//! - [`UnitTable::display`] is the canonical form, with base-dimension
//!   names: `bytes/seconds`, `1/seconds`, `bytes^2/(seconds*celsius)`, and
//!   `1` for a pure number. It is unambiguous and stable (tests, `--emit`).
//! - [`UnitTable::display_friendly`] uses the names people write: the
//!   shortest declared name of scale 1 with exactly that dimension
//!   (`bytes` → `B`); failing that, each base is replaced by its shortest
//!   scale-1 alias (`bytes/seconds` → `B/s`, `1/seconds` → `1/s`). Ties go
//!   to the earlier declaration. A pure number stays `1`: counts and ratios
//!   share it, so naming it either would mislead half the time.
//! - [`UnitTable::format_value`] renders a value in base units for runtime
//!   messages, by dimension:
//!   - durations: the two largest non-zero parts, `2d 4h`, `3h 20m`,
//!     `45m`, `1m 30s`; below a minute `12s`, `1.5s`; below a second
//!     `250ms`;
//!   - bytes: IEC prefixes, `1.5 GiB`, `512 B` (operating systems count
//!     memory and disks this way);
//!   - bytes per second: SI prefixes, `10 MB/s` (links are quoted so);
//!   - pure numbers: a percentage, `87%` (callers showing a count should
//!     use [`format_number`] instead; the dimension cannot tell);
//!   - per second: `12.5/s`;
//!   - anything else: the number and the friendly unit, `27 celsius`.
//!
//!   Numbers keep three significant digits (all digits of integers from
//!   100 up). The unit names come from the table (the shortest name with
//!   the exact scale wanted), so a table without `GiB` falls back to the
//!   next smaller unit it has, and one without `bytes` or `seconds` to the
//!   generic form.

use super::table::UnitTable;
use super::{BaseId, Dimension, Scale};

impl UnitTable {
    /// The canonical form of a dimension, with base-dimension names.
    pub fn display(&self, dim: &Dimension) -> String {
        render(dim, |id| self.base_name(id).map_or_else(|| format!("#{}", id.0), str::to_string))
    }

    /// The form people write: declared short names where they exist.
    pub fn display_friendly(&self, dim: &Dimension) -> String {
        if dim.is_dimensionless() {
            return "1".to_string();
        }
        if let Some(name) = self.shortest_name(Scale::ONE, dim) {
            return name.to_string();
        }
        render(dim, |id| match self.shortest_name(Scale::ONE, &Dimension::base(id)) {
            Some(name) => name.to_string(),
            None => self.base_name(id).map_or_else(|| format!("#{}", id.0), str::to_string),
        })
    }

    /// What a declared unit is, for did-you-mean: `1e9 bytes`, `60
    /// seconds`, `1/100`, `the same as `bytes``, `a base dimension`.
    pub fn meaning(&self, name: &str) -> Option<String> {
        let unit = self.lookup(name)?;
        let dim = self.display(&unit.dim);
        Some(match (unit.scale == Scale::ONE, unit.dim.is_dimensionless()) {
            (true, true) => "a pure number".to_string(),
            (true, false) if dim == name => "a base dimension".to_string(),
            (true, false) => format!("the same as `{dim}`"),
            (false, true) => scale_text(unit.scale),
            (false, false) => format!("{} {dim}", scale_text(unit.scale)),
        })
    }

    /// A value in base units, readable (see the module documentation).
    pub fn format_value(&self, value: f64, dim: &Dimension) -> String {
        if !value.is_finite() {
            return if value.is_nan() { "NaN".to_string() } else { format!("{value}") };
        }
        let seconds = self.seconds();
        let bytes = self.bytes();
        let per_second = seconds.as_ref().and_then(|s| s.recip().ok());
        let formatted = if Some(dim) == seconds.as_ref() {
            self.format_duration(value)
        } else if Some(dim) == bytes.as_ref() {
            self.format_prefixed(value, dim, 1024)
        } else if dim.is_dimensionless() {
            self.shortest_name(Scale::ratio(1, 100).unwrap_or(Scale::ONE), dim)
                .map(|pct| format!("{}{pct}", format_number(value * 100.0)))
        } else if Some(dim) == per_second.as_ref() {
            self.per_second_name().map(|s| format!("{}/{s}", format_number(value)))
        } else if let (Some(b), Some(per_s)) = (&bytes, &per_second)
            && b.mul(per_s).is_ok_and(|rate| &rate == dim)
        {
            self.format_prefixed(value, b, 1000)
                .and_then(|v| Some(format!("{v}/{}", self.per_second_name()?)))
        } else {
            None
        };
        formatted.unwrap_or_else(|| {
            let unit = self.display_friendly(dim);
            if unit == "1" {
                format_number(value)
            } else {
                format!("{} {unit}", format_number(value))
            }
        })
    }

    /// `2d 4h`, `45m`, `1.5s`, `250ms`; `None` without the needed units.
    fn format_duration(&self, value: f64) -> Option<String> {
        let dim = self.seconds()?;
        let name = |num, den| self.shortest_name(Scale::ratio(num, den)?, &dim);
        let (sign, v) = if value < 0.0 { ("-", -value) } else { ("", value) };
        let (s, m, h, d) = (name(1, 1)?, name(60, 1)?, name(3600, 1)?, name(86400, 1)?);
        if v == 0.0 {
            return Some(format!("0{s}"));
        }
        if v < 1.0 {
            return Some(format!("{sign}{}{}", format_number(v * 1000.0), name(1, 1000)?));
        }
        // Below a minute: seconds with a decimal below ten.
        let rounded = if v < 10.0 { (v * 10.0).round() / 10.0 } else { v.round() };
        if rounded < 60.0 {
            return Some(format!("{sign}{}{s}", format_number(rounded)));
        }
        if v >= 1e15 {
            return Some(format!("{sign}{}{d}", format_number(v / 86400.0)));
        }
        // Round to the smaller of the two parts shown, then split. Rounding
        // may carry into the next part (59m 59.6s is 1h), hence the split
        // after rounding.
        let grain: u64 = if v < 3600.0 {
            1
        } else if v < 86400.0 {
            60
        } else {
            3600
        };
        // `v < 1e15`, so the rounded count of grains fits in u64 exactly.
        let total = (v / grain as f64).round() as u64 * grain;
        let parts = [(86400, d), (3600, h), (60, m), (1, s)];
        let major = parts.iter().position(|(size, _)| total >= *size).unwrap_or(3);
        let (big, big_name) = parts[major];
        let mut out = format!("{sign}{}{big_name}", total / big);
        if let Some(&(small, small_name)) = parts.get(major + 1) {
            let rest = (total % big) / small;
            if rest > 0 {
                out.push_str(&format!(" {rest}{small_name}"));
            }
        }
        Some(out)
    }

    /// `value` in the largest unit of `dim` whose scale is a power of
    /// `base` (`1024`: B, KiB, MiB, …) and at most `|value|`.
    fn format_prefixed(&self, value: f64, dim: &Dimension, base: u128) -> Option<String> {
        let mut family: Vec<(f64, &str)> = Vec::new();
        let mut power: u128 = 1;
        while let Some(name) = self.shortest_name(Scale::integer(power), dim) {
            family.push((power as f64, name));
            let Some(next) = power.checked_mul(base) else { break };
            power = next;
        }
        let (mut scale, mut name) = *family.first()?;
        for &(s, n) in &family {
            if value.abs() >= s {
                (scale, name) = (s, n);
            }
        }
        let mut shown = format_number(value / scale);
        // `1023.9 KiB` rounds to `1024 KiB`: show `1 MiB` instead.
        if let Some(&(next, next_name)) = family.iter().find(|(s, _)| *s > scale)
            && shown.parse::<f64>().is_ok_and(|x| x.abs() * scale >= next)
        {
            (shown, name) = (format_number(value / next), next_name);
        }
        Some(format!("{shown} {name}"))
    }

    fn per_second_name(&self) -> Option<&str> {
        self.shortest_name(Scale::ONE, &self.seconds()?)
    }

    /// The shortest declared name with exactly this scale and dimension;
    /// ties go to the earlier declaration.
    fn shortest_name(&self, scale: Scale, dim: &Dimension) -> Option<&str> {
        self.entries
            .iter()
            .filter(|e| e.unit.scale == scale && &e.unit.dim == dim)
            .min_by_key(|e| e.name.chars().count())
            .map(|e| e.name.as_str())
    }
}

/// `num*num/(den*den)`, with `^n` for powers and `1` for an empty side.
fn render(dim: &Dimension, name: impl Fn(BaseId) -> String) -> String {
    let side = |positive: bool| -> Vec<String> {
        dim.factors()
            .iter()
            .filter(|(_, e)| (*e > 0) == positive)
            .map(|&(id, e)| match e.unsigned_abs() {
                1 => name(id),
                n => format!("{}^{n}", name(id)),
            })
            .collect()
    };
    let (num, den) = (side(true), side(false));
    let top = if num.is_empty() { "1".to_string() } else { num.join("*") };
    match den.len() {
        0 => top,
        1 => format!("{top}/{}", den[0]),
        _ => format!("{top}/({})", den.join("*")),
    }
}

/// A scale for people: `1024`, `1e9` (a power of ten, or a single digit
/// times one, from 10000 up), `125000000`, `1/1000`, or the float.
fn scale_text(scale: Scale) -> String {
    match scale.as_ratio() {
        Some((num, 1)) => {
            let digits = num.to_string();
            let significant = digits.trim_end_matches('0');
            let zeros = digits.len() - significant.len();
            if zeros >= 4 && significant.len() == 1 {
                format!("{significant}e{zeros}")
            } else {
                digits
            }
        }
        Some((num, den)) => format!("{num}/{den}"),
        None => format_number(scale.to_f64()),
    }
}

/// A number with three significant digits, all digits of integers from 100
/// up, and an exponent beyond 1e15 or below 1e-3: `1.5`, `12.3`, `1023`,
/// `0.125`, `1.23e-5`.
pub fn format_number(x: f64) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    if !x.is_finite() {
        return if x.is_nan() { "NaN".to_string() } else { format!("{x}") };
    }
    let abs = x.abs();
    if !(1e-3..1e15).contains(&abs) {
        let text = format!("{x:.2e}");
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        return format!("{}e{exp}", trim_zeros(mantissa));
    }
    // Digits after the point for three significant digits.
    let decimals = (2 - abs.log10().floor() as i32).max(0) as usize;
    trim_zeros(&format!("{x:.decimals$}")).to_string()
}

fn trim_zeros(text: &str) -> &str {
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { text }
}

#[cfg(test)]
mod tests {
    use super::format_number;

    #[test]
    fn numbers_keep_three_significant_digits() {
        let cases = [
            (0.0, "0"),
            (1.0, "1"),
            (1.5, "1.5"),
            (12.34, "12.3"),
            (123.4, "123"),
            (1023.9, "1024"),
            (123456.0, "123456"),
            (0.125, "0.125"),
            (0.1234, "0.123"),
            (0.001, "0.001"),
            (87.00000000000001, "87"),
            (-2.5, "-2.5"),
            (9.999, "10"),
            (1.2345e-5, "1.23e-5"),
            (1e20, "1e20"),
        ];
        for (x, want) in cases {
            assert_eq!(format_number(x), want, "{x}");
        }
        assert_eq!(format_number(f64::NAN), "NaN");
        assert_eq!(format_number(f64::NEG_INFINITY), "-inf");
    }
}
