//! The small values inside calendars, parsed without judging them: times
//! of day, ordinals and literal durations.

use upkeep_grammar::ast::{Expr, ExprKind, UnaryOp};

use super::MINUTES_PER_DAY;

/// Minutes after midnight of `H:MM` or `HH:MM`; 24:00 gives 1440.
pub(super) fn parse_time(text: &str) -> Result<u64, &'static str> {
    let (h, m) = text.split_once(':').ok_or("it has no `:`")?;
    let digits = |s: &str, max_len| {
        !s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(h, 2) || !digits(m, 2) || m.len() != 2 {
        return Err("hours and minutes are written with digits, as `HH:MM`");
    }
    let (h, m): (u64, u64) =
        (h.parse().map_err(|_| "bad hour")?, m.parse().map_err(|_| "bad minute")?);
    if m > 59 {
        return Err("minutes go from 00 to 59");
    }
    if h > 24 || (h == 24 && m > 0) {
        return Err("hours go from 00 to 23");
    }
    Ok(h * 60 + m)
}

/// The number of an ordinal such as `2nd`, or a help text saying what to write.
pub(super) fn parse_ordinal(text: &str) -> Result<u64, String> {
    const WORDS: [&str; 5] = ["first", "second", "third", "fourth", "fifth"];
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let digits = &text[..split];
    if digits.is_empty() {
        let lower = text.to_ascii_lowercase();
        if let Some(i) = WORDS.iter().position(|w| *w == lower) {
            return Err(format!("write `{}`", ordinal(i as u64 + 1)));
        }
        if crate::suggest::closest(&lower, ["last"]).is_some() {
            return Err("write `last`".into());
        }
        return Err("write `1st`, `2nd`, `3rd`, `4th` … or `last`".into());
    }
    // No month has a 100th anything; this also keeps `parse` from overflowing.
    if digits.len() > 2 {
        return Err("a month has at most 31 days; use `last` for the last one".into());
    }
    let n: u64 = digits.parse().map_err(|_| "write `1st`".to_string())?;
    if n == 0 {
        return Err("days and weeks count from `1st`".into());
    }
    if digits.starts_with('0') || ordinal(n) != text {
        return Err(format!("write `{}`", ordinal(n)));
    }
    Ok(n)
}

/// `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st`, …
pub(super) fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

pub(super) fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// The length of a literal duration such as `4h` or `1.5d`, in seconds. Units
/// are declared in `std.units`; this knows the time units it declares, and
/// leaves anything else (a missing unit, a user's unit) to the type checker.
pub(super) fn literal_seconds(expr: &Expr) -> Option<f64> {
    match &expr.kind {
        ExprKind::Quantity(q) => {
            let per_unit = match q.unit.as_deref()? {
                "ms" => 0.001,
                "s" => 1.0,
                "m" | "min" => 60.0,
                "h" => 3600.0,
                "d" => 86_400.0,
                "w" => 604_800.0,
                _ => return None,
            };
            let n: f64 = q.number.parse().ok()?;
            n.is_finite().then_some(n * per_unit)
        }
        ExprKind::Unary { op: UnaryOp::Neg, operand } => literal_seconds(operand).map(|s| -s),
        _ => None,
    }
}

/// Minutes as an Upkeep duration literal: `28d`, `24h`, `90m`.
pub(super) fn upkeep_duration(minutes: u64) -> String {
    if minutes.is_multiple_of(MINUTES_PER_DAY) {
        format!("{}d", minutes / MINUTES_PER_DAY)
    } else if minutes.is_multiple_of(60) {
        format!("{}h", minutes / 60)
    } else {
        format!("{minutes}m")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day() {
        assert_eq!(parse_time("00:00"), Ok(0));
        assert_eq!(parse_time("7:30"), Ok(450));
        assert_eq!(parse_time("23:59"), Ok(1439));
        assert_eq!(parse_time("24:00"), Ok(1440));
        assert!(parse_time("24:01").is_err());
        assert!(parse_time("12:60").is_err());
        assert!(parse_time("1:5").is_err());
        assert!(parse_time("١٢:٠٠").is_err());
    }

    #[test]
    fn ordinals() {
        assert_eq!(parse_ordinal("1st"), Ok(1));
        assert_eq!(parse_ordinal("22nd"), Ok(22));
        assert_eq!(parse_ordinal("13th"), Ok(13));
        assert_eq!(parse_ordinal("2th"), Err("write `2nd`".into()));
        assert_eq!(parse_ordinal("11st"), Err("write `11th`".into()));
        assert_eq!(parse_ordinal("01st"), Err("write `1st`".into()));
        assert_eq!(parse_ordinal("second"), Err("write `2nd`".into()));
        assert_eq!(parse_ordinal("lst"), Err("write `last`".into()));
        assert!(parse_ordinal("0th").is_err());
        assert!(parse_ordinal("123456789012345678901234th").is_err());
    }

    #[test]
    fn durations_print_as_literals() {
        assert_eq!(upkeep_duration(28 * 1440), "28d");
        assert_eq!(upkeep_duration(120), "2h");
        assert_eq!(upkeep_duration(90), "90m");
    }
}
