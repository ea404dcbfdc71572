//! Calendars at run time: is an instant inside one of a calendar's windows?
//!
//! A [`Calendar`] is built from the compiler's [`CalendarPlan`] and answers
//! [`Calendar::contains`] for `quiet during`, `pause during` and `during`.
//!
//! Windows are in **civil time** of the calendar's zone (its `in "TZ"`, or
//! the default zone the runtime passes, the tenant's): `daily 22:00..02:00`
//! starts whenever the wall clock there reads 22:00. An instant `t` is inside
//! a window when `start <= t < end` (start inclusive, end exclusive).
//!
//! # Daylight saving time
//!
//! A civil time of a window (a start, or an end written as a time of day)
//! becomes an instant by these rules, which hold for cron minutes too:
//!
//! - **In a gap** (spring forward: 02:30 on 2026-03-29 in Europe/Berlin does
//!   not exist), it is the *first instant after the gap*, the moment of the
//!   transition: 03:00 CEST. A job due in the skipped hour runs as soon as the
//!   hour is over, as cron does. (This is *not* jiff's `compatible`
//!   disambiguation, which would shift by the gap's length to 03:30.) A
//!   window lying wholly inside the gap (`02:10..02:50`) is empty that day.
//! - **Ambiguous** (fall back: 02:30 on 2026-10-25 in Europe/Berlin happens
//!   twice), it is the *first* occurrence, 02:30 CEST, as jiff's
//!   `compatible` disambiguation does. A window (or cron minute) starts once.
//! - Everywhere else the wall-clock time has exactly one instant.
//!
//! So an end written as a time of day is civil too: `daily 01:00..05:00`
//! lasts 3 real hours on a spring-forward day and 5 on a fall-back day, while
//! an end written as a duration is elapsed time: `22:00 for 4h` is 4 real
//! hours whatever the clocks do. A consequence of taking first occurrences:
//! a cron schedule that matches every minute of a repeated hour
//! (`* 2 * * *` in Berlin) opens windows only in the first pass of that hour.
//!
//! Windows may cross midnight, month ends and year ends; a window belongs to
//! the civil day it starts on (`monthly last fri 22:00 for 4h` runs into the
//! next month's first morning).

mod cron;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};
use upkeep_compiler::plan::{CalendarPlan, CalendarRule, DayWindow, WindowEnd};

use cron::Schedule;

const MINUTES_PER_DAY: u32 = 1440;
const SECONDS_PER_DAY: f64 = 86_400.0;
/// The longest window of a `daily`, `weekly` or `monthly` calendar: the
/// compiler allows 28 days (a month); the runtime refuses more than a year,
/// which keeps [`Calendar::contains`] bounded.
const MAX_DAY_WINDOW_SECONDS: f64 = 366.0 * SECONDS_PER_DAY;
/// The longest window of a cron calendar: the compiler allows the shortest
/// gap between two occurrences, four years for `0 0 29 2 *`.
const MAX_CRON_WINDOW_SECONDS: f64 = 3653.0 * SECONDS_PER_DAY;

/// Why a plan's calendar cannot be evaluated. The compiler has checked all of
/// this already; the runtime checks again rather than trust a `plan.json`.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CalendarError {
    #[error("calendar `{calendar}`: unknown time zone `{zone}`")]
    UnknownZone { calendar: String, zone: String },
    #[error("calendar `{calendar}`: bad cron schedule `{schedule}`: {reason}")]
    BadCron { calendar: String, schedule: String, reason: String },
    #[error("calendar `{calendar}`: {reason}")]
    BadRule { calendar: String, reason: String },
}

/// A calendar ready to answer whether an instant is inside its windows.
#[derive(Clone, Debug)]
pub struct Calendar {
    name: String,
    zone: TimeZone,
    kind: Kind,
}

#[derive(Clone, Debug)]
enum Kind {
    /// Windows that start on the days the rule picks, at a minute of the day.
    Days {
        days: DayRule,
        window: DayWindow,
    },
    Cron {
        schedule: Schedule,
        seconds: f64,
    },
}

#[derive(Clone, Copy, Debug)]
enum DayRule {
    /// Bit `i` set: windows start on weekday `i` (0 = Monday).
    Weekly(u8),
    MonthlyWeekday {
        nth: i8,
        weekday: u8,
    },
    MonthlyDay(i8),
}

impl Calendar {
    /// The calendar of `plan`, in its own zone or else in `default_zone`
    /// (the tenant's). Zone names are looked up in jiff's bundled copy of the
    /// IANA database, as the compiler does.
    pub fn new(plan: &CalendarPlan, default_zone: &TimeZone) -> Result<Calendar, CalendarError> {
        let bad = |reason: String| CalendarError::BadRule { calendar: plan.name.clone(), reason };
        let zone = match &plan.zone {
            Some(name) => jiff::tz::db().get(name).map_err(|_| CalendarError::UnknownZone {
                calendar: plan.name.clone(),
                zone: name.clone(),
            })?,
            None => default_zone.clone(),
        };
        let on_days = |days, window| check_window(&window).map(|()| Kind::Days { days, window });
        let kind = match &plan.rule {
            CalendarRule::Weekly { days: list, window } => {
                if list.is_empty() || list.iter().any(|&d| d > 6) {
                    return Err(bad(format!("weekdays must be 0 (Monday) to 6, not {list:?}")));
                }
                let mask = list.iter().fold(0u8, |mask, &d| mask | 1 << d);
                on_days(DayRule::Weekly(mask), *window)
            }
            &CalendarRule::MonthlyWeekday { nth, weekday, window } => {
                if !matches!(nth, 1..=4 | -1) || weekday > 6 {
                    return Err(bad(format!("no nth weekday {nth} of weekday {weekday}")));
                }
                on_days(DayRule::MonthlyWeekday { nth, weekday }, window)
            }
            &CalendarRule::MonthlyDay { day, window } => {
                if !matches!(day, 1..=28 | -1) {
                    return Err(bad(format!("day of the month {day} is not 1 to 28 or -1")));
                }
                on_days(DayRule::MonthlyDay(day), window)
            }
            CalendarRule::Cron { schedule, seconds } => {
                let parsed =
                    Schedule::parse(schedule).map_err(|reason| CalendarError::BadCron {
                        calendar: plan.name.clone(),
                        schedule: schedule.clone(),
                        reason,
                    })?;
                check_seconds(*seconds, MAX_CRON_WINDOW_SECONDS)
                    .map(|()| Kind::Cron { schedule: parsed, seconds: *seconds })
            }
        }
        .map_err(bad)?;
        Ok(Calendar { name: plan.name.clone(), zone, kind })
    }

    /// The calendar's name, as policies refer to it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone whose civil time the windows are in.
    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// Whether `unix_seconds` lies inside one of the calendar's windows.
    /// Instants that are not finite or beyond jiff's range (years -9999 to
    /// 9999) are inside none.
    pub fn contains(&self, unix_seconds: f64) -> bool {
        let Some(ts) = timestamp(unix_seconds) else { return false };
        match &self.kind {
            Kind::Days { days, window } => self.days_contain(*days, window, ts, unix_seconds),
            Kind::Cron { schedule, seconds } => {
                schedule.contains(&self.zone, unix_seconds, *seconds)
            }
        }
    }

    /// Tries the windows starting on the civil day of `t`, on the next day
    /// (in case a fold moved the clock back across midnight) and on as many
    /// days before as the longest window may span.
    fn days_contain(&self, days: DayRule, window: &DayWindow, ts: Timestamp, t: f64) -> bool {
        let back = match window.end {
            WindowEnd::Minute(_) => 2,
            WindowEnd::Seconds(s) => (s / SECONDS_PER_DAY).ceil() as u32 + 2,
        };
        let Ok(mut day) = self.zone.to_datetime(ts).date().tomorrow() else { return false };
        for _ in 0..=back + 1 {
            if days.matches(day)
                && let Some((start, end)) = self.bounds(day, window)
                && start <= t
                && t < end
            {
                return true;
            }
            match day.yesterday() {
                Ok(d) => day = d,
                Err(_) => return false,
            }
        }
        false
    }

    /// The instants the window of civil day `day` starts and ends at.
    fn bounds(&self, day: Date, window: &DayWindow) -> Option<(f64, f64)> {
        let start = instant(&self.zone, at_minute(day, window.start_minute)?)? as f64;
        let end = match window.end {
            WindowEnd::Minute(end) => {
                // An end not after the start is the next day's (24:00 is 1440).
                let end = if end <= window.start_minute { end + MINUTES_PER_DAY } else { end };
                instant(&self.zone, at_minute(day, end)?)? as f64
            }
            WindowEnd::Seconds(seconds) => start + seconds,
        };
        Some((start, end))
    }
}

impl DayRule {
    fn matches(self, day: Date) -> bool {
        match self {
            DayRule::Weekly(mask) => mask & 1 << day.weekday().to_monday_zero_offset() != 0,
            DayRule::MonthlyWeekday { nth, weekday } => {
                day.weekday().to_monday_zero_offset() == weekday as i8
                    && if nth == -1 {
                        day.day() + 7 > day.days_in_month()
                    } else {
                        (day.day() - 1) / 7 + 1 == nth
                    }
            }
            DayRule::MonthlyDay(-1) => day.day() == day.days_in_month(),
            DayRule::MonthlyDay(n) => day.day() == n,
        }
    }
}

fn check_window(window: &DayWindow) -> Result<(), String> {
    if window.start_minute >= MINUTES_PER_DAY {
        return Err(format!("a window cannot start at minute {}", window.start_minute));
    }
    match window.end {
        WindowEnd::Minute(end) if !(1..=MINUTES_PER_DAY).contains(&end) => {
            Err(format!("a window cannot end at minute {end}"))
        }
        WindowEnd::Minute(_) => Ok(()),
        WindowEnd::Seconds(seconds) => check_seconds(seconds, MAX_DAY_WINDOW_SECONDS),
    }
}

fn check_seconds(seconds: f64, max: f64) -> Result<(), String> {
    if seconds > 0.0 && seconds <= max {
        Ok(())
    } else {
        Err(format!("a window of {seconds} seconds is not between 0 and {max}"))
    }
}

/// The whole second at or before `unix_seconds`, if jiff can represent it.
/// Windows start on whole seconds, so the fraction does not change which
/// civil day or minute an instant falls in.
fn timestamp(unix_seconds: f64) -> Option<Timestamp> {
    if !unix_seconds.is_finite() {
        return None;
    }
    // `as` saturates; jiff refuses what is out of its range.
    Timestamp::from_second(unix_seconds.floor() as i64).ok()
}

/// Civil `minute` minutes after the midnight starting `day` (1440 or more
/// is on a later day).
fn at_minute(day: Date, minute: u32) -> Option<DateTime> {
    let mut day = day;
    for _ in 0..minute / MINUTES_PER_DAY {
        day = day.tomorrow().ok()?;
    }
    let minute = minute % MINUTES_PER_DAY;
    Some(day.at((minute / 60) as i8, (minute % 60) as i8, 0, 0))
}

/// The instant (Unix seconds) of a civil time in `zone`, by the rules in
/// the module's documentation: in a gap, the transition ending it; in a
/// fold, the first occurrence.
fn instant(zone: &TimeZone, dt: DateTime) -> Option<i64> {
    let ts = match zone.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok()?,
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt).ok()?,
        AmbiguousOffset::Gap { after, .. } => {
            // Read with the offset after the gap, `dt` is an instant before
            // the transition; the next transition from there ends the gap.
            let early = after.to_timestamp(dt).ok()?;
            zone.following(early).next()?.timestamp()
        }
    };
    Some(ts.as_second())
}
