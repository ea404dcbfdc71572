//! `cron "…" for D` calendars.

use upkeep_compiler::plan::CalendarRule;
use upkeep_runtime::calendar::CalendarError;

use super::*;

fn cron(schedule: &str, seconds: f64, zone: Option<&str>) -> upkeep_runtime::calendar::Calendar {
    calendar(CalendarRule::Cron { schedule: schedule.into(), seconds }, zone)
}

#[test]
fn sunday_three_for_two_hours() {
    let cal = cron("0 3 * * SUN", 2.0 * HOUR, None);
    assert_window(&cal, "2026-05-03T03:00:00Z", "2026-05-03T05:00:00Z");
    assert_window(&cal, "2026-05-10T03:00:00Z", "2026-05-10T05:00:00Z");
    assert_outside(&cal, &["2026-05-04T03:30:00Z", "2026-05-09T03:30:00Z"]);
}

#[test]
fn minutes_are_civil_in_the_zone() {
    let cal = cron("0 3 * * SUN", 2.0 * HOUR, Some("Europe/Vienna"));
    assert_window(&cal, "2026-05-03T03:00:00+02:00", "2026-05-03T05:00:00+02:00");
    assert_window(&cal, "2026-01-04T03:00:00+01:00", "2026-01-04T05:00:00+01:00");
    // Both change days are Sundays; 03:00 exists on both, once.
    assert_window(&cal, "2026-03-29T03:00:00+02:00", "2026-03-29T05:00:00+02:00");
    assert_window(&cal, "2026-10-25T03:00:00+01:00", "2026-10-25T05:00:00+01:00");
}

#[test]
fn a_minute_in_the_gap_fires_when_the_gap_ends_and_an_ambiguous_one_once() {
    let cal = cron("30 2 * * *", HOUR / 2.0, Some("Europe/Berlin"));
    assert_window(&cal, "2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00");
    assert_window(&cal, "2026-10-25T02:30:00+02:00", "2026-10-25T03:00:00+02:00");
    assert_outside(&cal, &["2026-10-25T02:30:00+01:00", "2026-10-25T02:45:00+01:00"]);
}

#[test]
fn lists_ranges_steps_and_names() {
    let cal = cron("*/15 9-17 * * MON-FRI", 300.0, None);
    for start in ["09:00", "09:15", "12:30", "17:45"] {
        let s = format!("2026-05-06T{start}:00Z");
        let e = at(&s) + 300.0;
        assert!(cal.contains(at(&s)) && cal.contains(e - 1.0) && !cal.contains(e), "{start}");
    }
    assert_outside(
        &cal,
        &[
            "2026-05-06T08:45:00Z",
            "2026-05-06T09:10:00Z",
            "2026-05-06T18:00:00Z",
            "2026-05-09T10:00:00Z", // Saturday
        ],
    );
    // Lower-case names, and 7 for Sunday.
    let cal = cron("0 12 * jan,dec 7", HOUR, None);
    assert_window(&cal, "2026-01-04T12:00:00Z", "2026-01-04T13:00:00Z");
    assert_window(&cal, "2026-12-27T12:00:00Z", "2026-12-27T13:00:00Z");
    assert_outside(&cal, &["2026-02-01T12:30:00Z", "2026-01-05T12:30:00Z"]);
}

#[test]
fn either_day_field_matches_when_both_are_restricted() {
    // January 2026: the 13th is a Tuesday, the 16th a Friday.
    let either = cron("0 12 13 * FRI", HOUR, None);
    assert_window(&either, "2026-01-13T12:00:00Z", "2026-01-13T13:00:00Z");
    assert_window(&either, "2026-01-16T12:00:00Z", "2026-01-16T13:00:00Z");
    assert_outside(&either, &["2026-01-14T12:30:00Z"]);
    let day_only = cron("0 12 13 * *", HOUR, None);
    assert_outside(&day_only, &["2026-01-16T12:30:00Z"]);
    // A day field starting with `*` counts as unrestricted, as in Vixie
    // cron: `*/2` (odd days) and Friday must both hold.
    let both = cron("0 12 */2 * FRI", HOUR, None);
    assert_window(&both, "2026-01-09T12:00:00Z", "2026-01-09T13:00:00Z");
    assert_outside(&both, &["2026-01-16T12:30:00Z", "2026-01-13T12:30:00Z"]);
}

#[test]
fn windows_cross_year_ends_and_last_years() {
    let cal = cron("0 23 31 12 *", 2.0 * HOUR, None);
    assert_window(&cal, "2026-12-31T23:00:00Z", "2027-01-01T01:00:00Z");
    // Every February 29, for 1400 days: bounded work even so.
    let cal = cron("0 0 29 2 *", 1400.0 * 86_400.0, None);
    assert!(cal.contains(at("2028-02-29T00:00:00Z")));
    assert!(cal.contains(at("2031-12-29T23:59:59Z")));
    assert!(!cal.contains(at("2031-12-30T00:00:00Z")));
    assert!(!cal.contains(at("2028-02-28T23:59:59Z")));
}

#[test]
fn every_minute() {
    let always = cron("* * * * *", 60.0, None);
    let half = cron("* * * * *", 30.0, None);
    for t in [at("2026-05-05T10:00:00Z"), at("2026-05-05T10:07:29.5Z")] {
        assert!(always.contains(t) && half.contains(t));
    }
    assert!(always.contains(at("2026-05-05T10:07:45Z")));
    assert!(!half.contains(at("2026-05-05T10:07:45Z")));
}

#[test]
fn bad_schedules_are_refused() {
    for schedule in ["0 3 * *", "0 3 * * FUN", "61 * * * *", "@daily"] {
        let rule = CalendarRule::Cron { schedule: schedule.into(), seconds: 60.0 };
        assert!(
            matches!(try_calendar(rule, None), Err(CalendarError::BadCron { .. })),
            "{schedule}"
        );
    }
    let rule = CalendarRule::Cron { schedule: "0 3 * * *".into(), seconds: 0.0 };
    assert!(matches!(try_calendar(rule, None), Err(CalendarError::BadRule { .. })));
}

#[test]
fn zones_far_from_utc() {
    let kiritimati = cron("0 3 * * SUN", 2.0 * HOUR, Some("Pacific/Kiritimati"));
    assert_window(&kiritimati, "2026-05-03T03:00:00+14:00", "2026-05-03T05:00:00+14:00");
    let pago_pago = cron("0 23 * * SAT", 2.0 * HOUR, Some("Pacific/Pago_Pago"));
    assert_window(&pago_pago, "2026-05-02T23:00:00-11:00", "2026-05-03T01:00:00-11:00");
}

mod agrees_with_day_windows {
    //! `cron "M H * * *" for D` and `daily H:M for D` are the same calendar,
    //! reached by two different searches; so are `cron "M H * * DOW"` and
    //! `weekly`. Compared on random instants, many of them close to
    //! daylight-saving changes, in zones with odd rules.

    use proptest::prelude::*;
    use upkeep_compiler::plan::CalendarRule;

    use super::super::{at, calendar, lasting};

    const ZONES: [&str; 7] = [
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe", // half-hour daylight saving
        "America/Santiago",    // changes at midnight
        "Pacific/Apia",        // skipped 2011-12-30 entirely
        "Asia/Kathmandu",      // +05:45
    ];

    fn instants() -> impl Strategy<Value = f64> {
        let anchors = [
            "2026-03-29T01:00:00Z",
            "2026-10-25T01:00:00Z",
            "2026-03-08T07:00:00Z",
            "2026-11-01T06:00:00Z",
            "2026-04-05T03:00:00Z",
            "2026-09-06T04:00:00Z",
            "2011-12-30T10:00:00Z",
            "2026-06-15T12:00:00Z",
        ];
        (0..anchors.len(), -3.0 * 86_400.0..3.0 * 86_400.0f64)
            .prop_map(move |(i, offset)| at(anchors[i]) + offset.round())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn daily_and_weekly(
            zone in 0..ZONES.len(),
            hour in 0u32..24,
            minute in 0u32..60,
            minutes in 1u32..(24 * 60),
            weekday in proptest::option::of(0u8..7),
            t in instants(),
        ) {
            let seconds = f64::from(minutes) * 60.0;
            let window = lasting(&format!("{hour}:{minute}"), seconds);
            let (schedule, days) = match weekday {
                // cron counts from Sunday, calendars from Monday.
                Some(d) => (format!("{minute} {hour} * * {}", (d + 1) % 7), vec![d]),
                None => (format!("{minute} {hour} * * *"), (0..7).collect()),
            };
            let zone = Some(ZONES[zone]);
            let days = calendar(CalendarRule::Weekly { days, window }, zone);
            let cron = calendar(CalendarRule::Cron { schedule: schedule.clone(), seconds }, zone);
            prop_assert_eq!(days.contains(t), cron.contains(t), "{} at {}", schedule, t);
        }
    }
}
