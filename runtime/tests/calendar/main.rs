//! Tests of `upkeep_runtime::calendar`: every calendar form, window edges,
//! zones, daylight-saving changes and cron schedules.

mod cron;
mod days;
mod dst;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use upkeep_compiler::plan::{CalendarPlan, CalendarRule, DayWindow, WindowEnd};
use upkeep_runtime::calendar::{Calendar, CalendarError};

pub const HOUR: f64 = 3600.0;

/// Minutes after midnight of `"HH:MM"`.
pub fn minute(hhmm: &str) -> u32 {
    let (h, m) = hhmm.split_once(':').expect("HH:MM");
    h.parse::<u32>().expect("hour") * 60 + m.parse::<u32>().expect("minute")
}

/// `HH:MM..HH:MM`.
pub fn range(from: &str, to: &str) -> DayWindow {
    DayWindow { start_minute: minute(from), end: WindowEnd::Minute(minute(to)) }
}

/// `HH:MM for N seconds`.
pub fn lasting(from: &str, seconds: f64) -> DayWindow {
    DayWindow { start_minute: minute(from), end: WindowEnd::Seconds(seconds) }
}

/// A whole day, as `weekly sat,sun` and `monthly 1st` without hours.
pub fn whole_day() -> DayWindow {
    DayWindow { start_minute: 0, end: WindowEnd::Minute(1440) }
}

pub fn daily(window: DayWindow) -> CalendarRule {
    CalendarRule::Weekly { days: (0..7).collect(), window }
}

pub fn plan(rule: CalendarRule, zone: Option<&str>) -> CalendarPlan {
    CalendarPlan { name: "cal".into(), module: "main".into(), zone: zone.map(str::to_string), rule }
}

pub fn try_calendar(rule: CalendarRule, zone: Option<&str>) -> Result<Calendar, CalendarError> {
    Calendar::new(&plan(rule, zone), &TimeZone::UTC)
}

/// A calendar in `zone`, or in UTC (the default zone) without one.
pub fn calendar(rule: CalendarRule, zone: Option<&str>) -> Calendar {
    try_calendar(rule, zone).expect("a valid calendar")
}

/// Unix seconds of an RFC 3339 instant: `"2026-03-29T03:00:00+02:00"`.
pub fn at(text: &str) -> f64 {
    text.parse::<Timestamp>().expect("an RFC 3339 instant").as_second() as f64
}

/// Asserts that a window runs exactly from `start` to `end`: the instants
/// just before and at `end` are outside, `start` and just before `end`
/// inside (and the middle too).
#[track_caller]
pub fn assert_window(cal: &Calendar, start: &str, end: &str) {
    let (s, e) = (at(start), at(end));
    assert!(s < e, "{start} is not before {end}");
    assert!(!cal.contains(s - 0.001), "inside just before {start}");
    assert!(cal.contains(s), "outside at the start {start}");
    assert!(cal.contains((s + e) / 2.0), "outside in the middle of {start}..{end}");
    assert!(cal.contains(e - 0.001), "outside just before the end {end}");
    assert!(!cal.contains(e), "inside at the end {end}");
}

/// Asserts each instant is outside the calendar.
#[track_caller]
pub fn assert_outside(cal: &Calendar, instants: &[&str]) {
    for instant in instants {
        assert!(!cal.contains(at(instant)), "inside at {instant}");
    }
}
