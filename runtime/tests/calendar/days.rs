//! `daily`, `weekly` and `monthly` calendars, in UTC unless said otherwise.

use jiff::tz::TimeZone;
use upkeep_compiler::plan::{CalendarRule, DayWindow, WindowEnd};
use upkeep_runtime::calendar::{Calendar, CalendarError};

use super::*;

#[test]
fn daily_range() {
    let cal = calendar(daily(range("01:00", "05:00")), None);
    assert_window(&cal, "2026-05-05T01:00:00Z", "2026-05-05T05:00:00Z");
    assert_window(&cal, "2026-05-06T01:00:00Z", "2026-05-06T05:00:00Z");
    assert_outside(&cal, &["2026-05-05T00:00:00Z", "2026-05-05T12:00:00Z"]);
}

#[test]
fn daily_range_crossing_midnight_month_and_year_ends() {
    let cal = calendar(daily(range("22:00", "02:00")), None);
    assert_window(&cal, "2026-05-05T22:00:00Z", "2026-05-06T02:00:00Z");
    assert_window(&cal, "2026-01-31T22:00:00Z", "2026-02-01T02:00:00Z");
    assert_window(&cal, "2026-12-31T22:00:00Z", "2027-01-01T02:00:00Z");
    assert_outside(&cal, &["2026-05-06T12:00:00Z", "2026-05-06T21:59:59Z"]);
}

#[test]
fn daily_for_a_duration_crossing_midnight() {
    let cal = calendar(daily(lasting("23:30", 6.0 * HOUR)), None);
    assert_window(&cal, "2026-05-05T23:30:00Z", "2026-05-06T05:30:00Z");
    assert_outside(&cal, &["2026-05-06T12:00:00Z"]);
}

#[test]
fn a_whole_day_every_day_is_always() {
    let cal = calendar(daily(range("00:00", "24:00")), None);
    for instant in ["2026-01-01T00:00:00Z", "2026-05-05T23:59:59.999Z", "2028-02-29T12:00:00Z"] {
        assert!(cal.contains(at(instant)), "{instant}");
    }
}

#[test]
fn weekly_whole_days() {
    // weekly sat,sun: from Saturday 00:00 to Monday 00:00.
    let cal = calendar(CalendarRule::Weekly { days: vec![5, 6], window: whole_day() }, None);
    assert_window(&cal, "2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z");
    assert_window(&cal, "2026-05-09T00:00:00Z", "2026-05-11T00:00:00Z");
    assert_outside(&cal, &["2026-03-27T12:00:00Z", "2026-03-31T12:00:00Z"]);
}

#[test]
fn weekly_with_hours() {
    let days = vec![0, 1, 2, 3, 4];
    let cal = calendar(CalendarRule::Weekly { days, window: range("07:30", "19:00") }, None);
    assert_window(&cal, "2026-05-06T07:30:00Z", "2026-05-06T19:00:00Z"); // Wednesday
    assert_window(&cal, "2026-05-08T07:30:00Z", "2026-05-08T19:00:00Z"); // Friday
    assert_outside(&cal, &["2026-05-09T10:00:00Z", "2026-05-10T10:00:00Z"]); // weekend
}

#[test]
fn monthly_second_tuesday_for_four_hours() {
    let rule =
        CalendarRule::MonthlyWeekday { nth: 2, weekday: 1, window: lasting("22:00", 4.0 * HOUR) };
    let cal = calendar(rule, Some("Europe/Berlin"));
    // April 2026 starts on a Wednesday: its Tuesdays are the 7th, 14th, …
    assert_window(&cal, "2026-04-14T22:00:00+02:00", "2026-04-15T02:00:00+02:00");
    // September 2026 starts on a Tuesday.
    assert_window(&cal, "2026-09-08T22:00:00+02:00", "2026-09-09T02:00:00+02:00");
    assert_outside(
        &cal,
        &["2026-04-07T22:30:00+02:00", "2026-04-21T22:30:00+02:00", "2026-09-01T22:30:00+02:00"],
    );
}

#[test]
fn monthly_last_friday() {
    let rule =
        CalendarRule::MonthlyWeekday { nth: -1, weekday: 4, window: range("18:00", "23:59") };
    let cal = calendar(rule, None);
    assert_window(&cal, "2026-01-30T18:00:00Z", "2026-01-30T23:59:00Z");
    assert_window(&cal, "2026-07-31T18:00:00Z", "2026-07-31T23:59:00Z");
    assert_outside(&cal, &["2026-01-23T19:00:00Z", "2026-07-24T19:00:00Z"]);
}

#[test]
fn monthly_first_day() {
    let cal = calendar(CalendarRule::MonthlyDay { day: 1, window: whole_day() }, None);
    assert_window(&cal, "2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z");
    assert_window(&cal, "2027-01-01T00:00:00Z", "2027-01-02T00:00:00Z");
    assert_outside(&cal, &["2026-02-15T00:00:00Z"]);
}

#[test]
fn monthly_last_day() {
    let cal = calendar(CalendarRule::MonthlyDay { day: -1, window: whole_day() }, None);
    assert_window(&cal, "2026-02-28T00:00:00Z", "2026-03-01T00:00:00Z");
    assert_window(&cal, "2028-02-29T00:00:00Z", "2028-03-01T00:00:00Z"); // leap year
    assert_window(&cal, "2026-04-30T00:00:00Z", "2026-05-01T00:00:00Z");
    assert_outside(&cal, &["2028-02-28T12:00:00Z", "2026-03-30T12:00:00Z"]);
}

#[test]
fn monthly_last_day_crossing_into_the_next_month_and_year() {
    let rule = CalendarRule::MonthlyDay { day: -1, window: range("22:00", "02:00") };
    let cal = calendar(rule, None);
    assert_window(&cal, "2026-01-31T22:00:00Z", "2026-02-01T02:00:00Z");
    assert_window(&cal, "2026-12-31T22:00:00Z", "2027-01-01T02:00:00Z");
    assert_outside(&cal, &["2026-01-30T23:00:00Z"]);
}

#[test]
fn own_zone_default_zone_and_utc() {
    let rule = daily(range("09:00", "17:00"));
    let berlin = TimeZone::get("Europe/Berlin").expect("Berlin");
    let in_utc = calendar(rule.clone(), None);
    assert_window(&in_utc, "2026-05-05T09:00:00Z", "2026-05-05T17:00:00Z");
    // Without a zone of its own, the calendar is in the default zone.
    let in_default = Calendar::new(&plan(rule.clone(), None), &berlin).expect("valid");
    assert_window(&in_default, "2026-05-05T09:00:00+02:00", "2026-05-05T17:00:00+02:00");
    assert_window(&in_default, "2026-01-05T09:00:00+01:00", "2026-01-05T17:00:00+01:00");
    // Its own zone wins over the default.
    let own = Calendar::new(&plan(rule, Some("America/New_York")), &berlin).expect("valid");
    assert_window(&own, "2026-05-05T09:00:00-04:00", "2026-05-05T17:00:00-04:00");
    assert_eq!(own.zone().iana_name(), Some("America/New_York"));
}

#[test]
fn instants_that_are_not_times_are_outside() {
    let cal = calendar(daily(range("00:00", "24:00")), None);
    for t in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e15, -1e15] {
        assert!(!cal.contains(t), "{t}");
    }
}

#[test]
fn bad_plans_are_refused() {
    let window = range("01:00", "02:00");
    let unknown = try_calendar(daily(window), Some("Mars/Olympus_Mons"));
    assert!(
        matches!(unknown, Err(CalendarError::UnknownZone { zone, .. }) if zone == "Mars/Olympus_Mons")
    );
    let bad_window = |window| try_calendar(daily(window), None);
    let bad_rules = [
        try_calendar(CalendarRule::Weekly { days: vec![7], window }, None),
        try_calendar(CalendarRule::Weekly { days: vec![], window }, None),
        try_calendar(CalendarRule::MonthlyWeekday { nth: 5, weekday: 0, window }, None),
        try_calendar(CalendarRule::MonthlyWeekday { nth: 0, weekday: 0, window }, None),
        try_calendar(CalendarRule::MonthlyWeekday { nth: 1, weekday: 7, window }, None),
        try_calendar(CalendarRule::MonthlyDay { day: 29, window }, None),
        try_calendar(CalendarRule::MonthlyDay { day: 0, window }, None),
        bad_window(DayWindow { start_minute: 1440, end: WindowEnd::Minute(60) }),
        bad_window(DayWindow { start_minute: 0, end: WindowEnd::Minute(0) }),
        bad_window(DayWindow { start_minute: 0, end: WindowEnd::Minute(1441) }),
        bad_window(lasting("01:00", 0.0)),
        bad_window(lasting("01:00", -1.0)),
        bad_window(lasting("01:00", f64::NAN)),
        bad_window(lasting("01:00", 400.0 * 86_400.0)),
    ];
    for (i, result) in bad_rules.into_iter().enumerate() {
        assert!(matches!(result, Err(CalendarError::BadRule { .. })), "case {i}: {result:?}");
    }
}
