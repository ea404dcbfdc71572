//! Calendars as the runtime evaluates them: each `calendar` declaration's
//! form (`daily`, `weekly`, `monthly`, `cron`) becomes a [`CalendarRule`].
//!
//! The checker (`check::calendar`) has already refused bad times of day,
//! days, ordinals, windows and zones, so the values are read here without
//! judging them again; what cannot be read is reported as a
//! [`LowerError`] rather than guessed.

use super::super::env::Env;
use super::super::lower::{LowerError, Lowerer};
use crate::check::calendar::WEEKDAYS;
use crate::package::Module;
use crate::plan::{CalendarPlan, CalendarRule, DayWindow, WindowEnd};
use upkeep_grammar::Span;
use upkeep_grammar::ast::{CalendarDecl, CalendarSpec, Ident, StrLit, TimeOfDay, TimeRange};

const MINUTES_PER_DAY: u32 = 24 * 60;

/// A whole day: from midnight to the next midnight.
const WHOLE_DAY: DayWindow = DayWindow { start_minute: 0, end: WindowEnd::Minute(MINUTES_PER_DAY) };

pub(super) fn calendar(
    env: &Env<'_>,
    module: &Module,
    decl: &CalendarDecl,
) -> Result<CalendarPlan, LowerError> {
    let mut lw = Lowerer::new(env, module);
    let rule = match &decl.spec {
        CalendarSpec::Daily { time } => {
            CalendarRule::Weekly { days: (0..7).collect(), window: window(&mut lw, time)? }
        }
        CalendarSpec::Weekly { days, time } => {
            // In week order, whatever the order written.
            let mut days = days.iter().map(weekday).collect::<Result<Vec<_>, _>>()?;
            days.sort_unstable();
            days.dedup();
            CalendarRule::Weekly { days, window: optional_window(&mut lw, time.as_ref())? }
        }
        CalendarSpec::Monthly { nth, day, time } => {
            let window = optional_window(&mut lw, time.as_ref())?;
            let n = ordinal(nth)?;
            match day {
                Some(d) => CalendarRule::MonthlyWeekday { nth: n, weekday: weekday(d)?, window },
                None => CalendarRule::MonthlyDay { day: n, window },
            }
        }
        CalendarSpec::Cron { schedule, duration } => {
            CalendarRule::Cron { schedule: plain(schedule)?, seconds: lw.constant(duration)? }
        }
    };
    Ok(CalendarPlan {
        name: decl.name.name.clone(),
        module: module.path.clone(),
        zone: decl.zone.as_ref().map(plain).transpose()?,
        rule,
    })
}

fn optional_window(
    lw: &mut Lowerer<'_, '_>,
    time: Option<&TimeRange>,
) -> Result<DayWindow, LowerError> {
    time.map_or(Ok(WHOLE_DAY), |t| window(lw, t))
}

/// `01:00..05:00` (an end of `00:00` is the next midnight, 1440) or
/// `22:00 for 4h` (seconds of elapsed time).
fn window(lw: &mut Lowerer<'_, '_>, time: &TimeRange) -> Result<DayWindow, LowerError> {
    Ok(match time {
        TimeRange::Between(from, to) => {
            let end = match minute(to)? {
                0 => MINUTES_PER_DAY,
                m => m,
            };
            DayWindow { start_minute: minute(from)?, end: WindowEnd::Minute(end) }
        }
        TimeRange::For(from, duration) => DayWindow {
            start_minute: minute(from)?,
            end: WindowEnd::Seconds(lw.constant(duration)?),
        },
    })
}

/// Minutes after midnight of `H:MM` or `HH:MM` (`24:00` is 1440).
fn minute(t: &TimeOfDay) -> Result<u32, LowerError> {
    t.text
        .split_once(':')
        .and_then(|(h, m)| Some((h.parse::<u32>().ok()?, m.parse::<u32>().ok()?)))
        .filter(|&(h, m)| m < 60 && h * 60 + m <= MINUTES_PER_DAY)
        .map(|(h, m)| h * 60 + m)
        .ok_or_else(|| error(t.span, format!("`{}` is not a time of day", t.text)))
}

/// `mon` … `sun` as 0 … 6.
fn weekday(day: &Ident) -> Result<u8, LowerError> {
    WEEKDAYS
        .iter()
        .position(|d| *d == day.name)
        .map(|i| i as u8)
        .ok_or_else(|| error(day.span, format!("`{}` is not a day of the week", day.name)))
}

/// `1st` … `28th` as 1 … 28, `last` as -1.
fn ordinal(nth: &Ident) -> Result<i8, LowerError> {
    if nth.name == "last" {
        return Ok(-1);
    }
    let digits = nth.name.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    digits
        .parse::<i8>()
        .ok()
        .filter(|n| (1..=31).contains(n))
        .ok_or_else(|| error(nth.span, format!("`{}` is not an ordinal", nth.name)))
}

fn plain(s: &StrLit) -> Result<String, LowerError> {
    s.as_plain().ok_or_else(|| error(s.span, "this must be plain text, without `{…}`".into()))
}

fn error(span: Span, message: String) -> LowerError {
    LowerError { message, span }
}
