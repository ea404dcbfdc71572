//! Cron schedules (E0410–E0413): `cron "0 3 * * SUN" for 2h`.
//!
//! The dialect is the classic five fields — minute, hour, day of month,
//! month, day of week — with `*`, numbers, ranges `a-b`, lists `a,b`, steps
//! `*/n`, `a-b/n` and `a/n` (from `a` to the end), and the names `JAN`–`DEC`
//! and `SUN`–`SAT` in any case; `7` is Sunday as well as `0`. When both day
//! fields are restricted, a day matches if *either* does (the Vixie cron
//! rule every cron implements). Refused: `@daily`-style macros (write the
//! five fields, or better a `daily` calendar), seconds and year fields, and
//! Quartz extensions (`?`, `L`, `W`, `#`).
//!
//! This is a small hand-written parser rather than a cron crate: the checker
//! needs byte offsets to point at the bad field, and the expanded value sets
//! to find schedules that never fire (`0 0 30 2 *`) and the shortest time
//! between two occurrences, against which the `for` window is checked.

use std::ops::Range;
use std::sync::Arc;

use upkeep_grammar::ast::StrLit;

use super::MINUTES_PER_DAY;
use crate::check::pattern::span_in;
use crate::{Code, Diagnostic, Label, SourceFile};

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    /// What the field accepts, for help texts.
    accepts: &'static str,
}

const MONTHS: [&str; 12] =
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

#[rustfmt::skip]
const FIELDS: [Field; 5] = [
    Field { name: "minute", min: 0, max: 59, names: &[], accepts: "`0`–`59`" },
    Field { name: "hour", min: 0, max: 23, names: &[], accepts: "`0`–`23`" },
    Field { name: "day-of-month", min: 1, max: 31, names: &[], accepts: "`1`–`31`" },
    Field { name: "month", min: 1, max: 12, names: &MONTHS, accepts: "`1`–`12` or `JAN`–`DEC`" },
    Field { name: "day-of-week", min: 0, max: 7, names: &DAYS, accepts: "`0`–`7` (0 and 7 are Sunday) or `SUN`–`SAT`" },
];

/// A problem inside one field, at byte offsets into that field's text.
struct FieldError {
    at: Range<usize>,
    message: String,
    help: String,
}

impl FieldError {
    fn new(at: Range<usize>, message: String, help: impl Into<String>) -> Self {
        FieldError { at, message, help: help.into() }
    }
}

/// Checks a cron schedule. Returns the shortest time between two of its
/// occurrences, in minutes, or `None` when it is invalid (and reported).
pub(super) fn check(
    schedule: &StrLit,
    file: &Arc<SourceFile>,
    out: &mut Vec<Diagnostic>,
) -> Option<u64> {
    let text = schedule.as_plain()?;
    let fields = split_fields(&text);
    let whole = span_in(schedule, 0, text.len());

    if let Some(&(at, first)) = fields.first()
        && first.starts_with('@')
    {
        let help = match macro_expansion(first) {
            Some(five) => format!(
                "write the five fields: `\"{five}\"`, or use a `daily`, `weekly` or `monthly` calendar"
            ),
            None => format!("`{first}` is not a schedule; calendars need times to recur at"),
        };
        let span = span_in(schedule, at, at + first.len());
        out.push(
            Diagnostic::error(
                Code::CronMacro,
                file,
                format!("cron macros such as `{first}` are not supported"),
                Label::new(span, "a macro"),
            )
            .with_help(help),
        );
        return None;
    }
    if fields.len() != 5 {
        let (message, label, help) = match fields.len() {
            0 => (
                "the cron schedule is empty".to_string(),
                whole,
                "write five fields, such as `\"0 3 * * SUN\"`",
            ),
            n if n > 5 => (
                format!("a cron schedule has five fields; this one has {n}"),
                span_in(schedule, fields[5].0, text.len()),
                "Upkeep's cron has no seconds or year field: minute hour day-of-month month day-of-week",
            ),
            n => (
                format!("a cron schedule has five fields; this one has {n}"),
                whole,
                "the fields are: minute hour day-of-month month day-of-week",
            ),
        };
        out.push(
            Diagnostic::error(
                Code::CronFieldCount,
                file,
                message,
                Label::new(label, "expected five fields"),
            )
            .with_help(help),
        );
        return None;
    }

    let mut sets = [0u64; 5];
    let mut valid = true;
    for (i, &(at, field_text)) in fields.iter().enumerate() {
        match parse_field(field_text, &FIELDS[i]) {
            Ok(set) => sets[i] = set,
            Err(e) => {
                let span = span_in(schedule, at + e.at.start, at + e.at.end.max(e.at.start + 1));
                let label = format!("in the {} field", FIELDS[i].name);
                out.push(
                    Diagnostic::error(Code::BadCronField, file, e.message, Label::new(span, label))
                        .with_help(e.help),
                );
                valid = false;
            }
        }
    }
    if !valid {
        return None;
    }
    // Sunday is both 0 and 7.
    if sets[4] & (1 << 7) != 0 {
        sets[4] = (sets[4] | 1) & !(1 << 7);
    }
    let dom_star = fields[2].1.starts_with('*');
    let dow_star = fields[4].1.starts_with('*');
    let gap = shortest_gap(&sets, dom_star, dow_star);
    if gap.is_none() {
        let (dom, month) = (fields[2], fields[3]);
        out.push(
            Diagnostic::error(
                Code::CronNeverFires,
                file,
                "this cron schedule never fires: no month has the day it names",
                Label::new(span_in(schedule, dom.0, dom.0 + dom.1.len()), "this day of the month"),
            )
            .with_secondary(Label::new(
                span_in(schedule, month.0, month.0 + month.1.len()),
                "never falls in these months",
            ))
            .with_help("months have 28 to 31 days: February has no 30th, April no 31st"),
        );
    }
    gap
}

/// The whitespace-separated fields with their byte offsets.
fn split_fields(text: &str) -> Vec<(usize, &str)> {
    let mut fields = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                fields.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    fields
}

fn macro_expansion(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_lowercase().as_str() {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        _ => return None,
    })
}

/// The values a field matches, as a bit set.
fn parse_field(text: &str, field: &Field) -> Result<u64, FieldError> {
    let mut set = 0u64;
    let mut at = 0;
    for item in text.split(',') {
        let here = at..at + item.len();
        at += item.len() + 1;
        if item.is_empty() {
            return Err(FieldError::new(
                0..text.len(),
                format!("`{text}` has an empty list item"),
                "separate values with single commas",
            ));
        }
        let (base, step) = match item.split_once('/') {
            Some((base, step)) => {
                let step_at = here.start + base.len() + 1..here.end;
                (base, Some(parse_step(step, step_at)?))
            }
            None => (item, None),
        };
        let (low, high) = if base == "*" {
            (field.min, field.max)
        } else if let Some((a, b)) = base.split_once('-') {
            let low = value(a, here.start, field)?;
            let high = value(b, here.start + a.len() + 1, field)?;
            if low > high {
                // Sunday is 0 and 7: the first half stops at Saturday.
                let top = if field.max == 7 { 6 } else { field.max };
                let help = format!("split it in two: `{a}-{top},{}-{b}`", field.min);
                return Err(FieldError::new(
                    here.start..here.start + base.len(),
                    format!("the range `{base}` goes backwards"),
                    help,
                ));
            }
            (low, high)
        } else {
            let v = value(base, here.start, field)?;
            // `5/15` runs from 5 to the end of the field, as in most crons.
            (v, if step.is_some() { field.max } else { v })
        };
        let step = step.unwrap_or(1) as usize;
        for v in (low..=high).step_by(step) {
            set |= 1 << v;
        }
    }
    Ok(set)
}

fn parse_step(text: &str, at: Range<usize>) -> Result<u32, FieldError> {
    let digits = !text.is_empty() && text.len() <= 3 && text.bytes().all(|b| b.is_ascii_digit());
    match text.parse::<u32>() {
        Ok(n) if digits && n > 0 => Ok(n),
        Ok(_) if digits => Err(FieldError::new(
            at,
            "a step of `0` never moves".into(),
            "steps start at 1: `*/5` is every fifth",
        )),
        _ => Err(FieldError::new(
            at,
            format!("`/{text}` is not a step"),
            "a step is a whole number: `*/15`, `0-30/10`",
        )),
    }
}

/// One value of a field: a number or a name. `at` is its offset in the field.
fn value(text: &str, at: usize, field: &Field) -> Result<u32, FieldError> {
    let here = at..at + text.len().max(1);
    if text.is_empty() {
        return Err(FieldError::new(
            here,
            format!("a value is missing in the {} field", field.name),
            format!("write {}", field.accepts),
        ));
    }
    if text.len() <= 3 && text.bytes().all(|b| b.is_ascii_digit()) {
        let n: u32 = text.parse().unwrap_or(u32::MAX);
        if (field.min..=field.max).contains(&n) {
            return Ok(n);
        }
        let message = format!("`{text}` is out of range for the {} field", field.name);
        return Err(FieldError::new(here, message, format!("it takes {}", field.accepts)));
    }
    if let Some(i) = field.names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
        // Months count from 1, days of the week from 0 (Sunday).
        return Ok(i as u32 + field.min);
    }
    let upper = text.to_ascii_uppercase();
    let quartz = text == "?" || (upper.len() <= 4 && upper.contains(['L', 'W', '#']));
    let help = if quartz {
        "`?`, `L`, `W` and `#` are Quartz extensions, not standard cron; for the last or nth \
         weekday of a month use a `monthly` calendar, such as `monthly last fri 22:00 for 2h`"
            .to_string()
    } else if text.bytes().all(|b| b.is_ascii_digit()) {
        format!("it takes {}", field.accepts)
    } else {
        match crate::suggest::closest(&upper, field.names.iter().copied()) {
            Some(name) => format!("did you mean `{name}`?"),
            None => format!("it takes {}", field.accepts),
        }
    };
    Err(FieldError::new(here, format!("`{text}` is not a valid {} value", field.name), help))
}

/// The shortest time between two occurrences, in minutes, or `None` if the
/// schedule matches no day at all.
///
/// Every day of one 400-year Gregorian cycle is tried: after 146,097 days
/// dates and weekdays repeat exactly, so a schedule that matches none of them
/// never fires. The search stops early at two consecutive matching days.
fn shortest_gap(sets: &[u64; 5], dom_star: bool, dow_star: bool) -> Option<u64> {
    const CYCLE_DAYS: u64 = 146_097;
    let [minutes, hours, doms, months, dows] = *sets;
    let times: Vec<u64> = (0..24u64)
        .filter(|h| hours & (1 << h) != 0)
        .flat_map(|h| (0..60u64).filter(move |m| minutes & (1 << m) != 0).map(move |m| h * 60 + m))
        .collect();
    let (&first_time, &last_time) = (times.first()?, times.last()?);

    let mut weekday = 6; // 2000-01-01 was a Saturday.
    let mut index = 0u64;
    let (mut first_day, mut previous, mut day_gap) = (None, None, u64::MAX);
    'cycle: for year in 2000..2400u64 {
        for month in 1..=12u64 {
            for day in 1..=days_in_month(year, month) {
                let dom_ok = doms & (1 << day) != 0;
                let dow_ok = dows & (1 << weekday) != 0;
                let day_ok = if dom_star || dow_star { dom_ok && dow_ok } else { dom_ok || dow_ok };
                if months & (1 << month) != 0 && day_ok {
                    match previous {
                        Some(p) => day_gap = day_gap.min(index - p),
                        None => first_day = Some(index),
                    }
                    previous = Some(index);
                    if day_gap == 1 {
                        break 'cycle;
                    }
                }
                index += 1;
                weekday = (weekday + 1) % 7;
            }
        }
    }
    let (first_day, previous) = (first_day?, previous?);
    // From the last match of the cycle round to the first of the next one.
    day_gap = day_gap.min(first_day + CYCLE_DAYS - previous);
    let across_days = day_gap * MINUTES_PER_DAY - (last_time - first_time);
    let within_day = times.windows(2).map(|w| w[1] - w[0]).min().unwrap_or(u64::MAX);
    Some(across_days.min(within_day))
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(text: &str) -> ([u64; 5], bool, bool) {
        let fields = split_fields(text);
        let mut sets = [0; 5];
        for (i, (_, f)) in fields.iter().enumerate() {
            sets[i] = parse_field(f, &FIELDS[i]).unwrap_or_else(|e| panic!("{}", e.message));
        }
        (sets, fields[2].1.starts_with('*'), fields[4].1.starts_with('*'))
    }

    fn gap(text: &str) -> Option<u64> {
        let (s, dom, dow) = sets(text);
        shortest_gap(&s, dom, dow)
    }

    #[test]
    fn fields_expand() {
        assert_eq!(
            sets("*/20 0-6/3 1,15 jan-Mar SUN").0,
            [1 | 1 << 20 | 1 << 40, 1 | 1 << 3 | 1 << 6, 1 << 1 | 1 << 15, 0b1110, 1]
        );
        assert_eq!(sets("50/5 * * * 5-7").0[0], 1 << 50 | 1 << 55);
    }

    #[test]
    fn gaps_between_occurrences() {
        assert_eq!(gap("0 3 * * SUN"), Some(7 * 1440));
        assert_eq!(gap("*/15 0-5 * * *"), Some(15));
        assert_eq!(gap("0 22 * * 1-5"), Some(1440));
        assert_eq!(gap("0 0 1 * *"), Some(28 * 1440));
        assert_eq!(gap("0 0 29 2 *"), Some(1461 * 1440)); // every fourth year
        assert_eq!(gap("0 0 30 2 *"), None);
        // Both day fields restricted: either matches, so Mondays in February count.
        assert_eq!(gap("0 0 30 2 MON"), Some(7 * 1440));
    }
}
