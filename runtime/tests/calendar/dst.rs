//! Daylight saving time. In 2026, Europe/Berlin springs forward on March 29
//! (02:00 CET → 03:00 CEST, at 01:00 UTC) and falls back on October 25
//! (03:00 CEST → 02:00 CET, at 01:00 UTC); America/New_York on March 8
//! (02:00 EST → 03:00 EDT, at 07:00 UTC) and November 1 (02:00 EDT →
//! 01:00 EST, at 06:00 UTC).

use super::*;

const BERLIN: Option<&str> = Some("Europe/Berlin");
const NEW_YORK: Option<&str> = Some("America/New_York");

#[test]
fn civil_ends_make_windows_shorter_or_longer() {
    // daily 01:00..05:00: 3 real hours in spring, 5 in autumn.
    let berlin = calendar(daily(range("01:00", "05:00")), BERLIN);
    assert_window(&berlin, "2026-03-29T00:00:00Z", "2026-03-29T03:00:00Z");
    assert_window(&berlin, "2026-10-24T23:00:00Z", "2026-10-25T04:00:00Z");
    // The days around them have 4 hours.
    assert_window(&berlin, "2026-03-28T00:00:00Z", "2026-03-28T04:00:00Z");
    assert_window(&berlin, "2026-03-29T23:00:00Z", "2026-03-30T03:00:00Z");

    let new_york = calendar(daily(range("01:00", "05:00")), NEW_YORK);
    assert_window(&new_york, "2026-03-08T06:00:00Z", "2026-03-08T09:00:00Z");
    // 01:00 is ambiguous on November 1: the window starts at the first one (EDT).
    assert_window(&new_york, "2026-11-01T05:00:00Z", "2026-11-01T10:00:00Z");
}

#[test]
fn elapsed_ends_are_real_hours() {
    // 23:00 for 4h is 4 real hours, 23:00..03:00 is 3 (spring) or 5 (autumn).
    let lasting_4h = calendar(daily(lasting("23:00", 4.0 * HOUR)), BERLIN);
    assert_window(&lasting_4h, "2026-03-28T22:00:00Z", "2026-03-29T02:00:00Z");
    assert_window(&lasting_4h, "2026-10-24T21:00:00Z", "2026-10-25T01:00:00Z");
    let until_3 = calendar(daily(range("23:00", "03:00")), BERLIN);
    assert_window(&until_3, "2026-03-28T22:00:00Z", "2026-03-29T01:00:00Z");
    assert_window(&until_3, "2026-10-24T21:00:00Z", "2026-10-25T02:00:00Z");
}

#[test]
fn a_start_in_the_gap_starts_when_the_gap_ends() {
    // 02:30 does not exist on March 29 in Berlin: the window starts at 03:00
    // CEST (01:00 UTC), the first instant after the gap, and lasts 1h.
    let berlin = calendar(daily(lasting("02:30", HOUR)), BERLIN);
    assert_window(&berlin, "2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00");
    assert_window(&berlin, "2026-03-28T02:30:00+01:00", "2026-03-28T03:30:00+01:00");
    assert_window(&berlin, "2026-03-30T02:30:00+02:00", "2026-03-30T03:30:00+02:00");

    let new_york = calendar(daily(lasting("02:30", HOUR)), NEW_YORK);
    assert_window(&new_york, "2026-03-08T07:00:00Z", "2026-03-08T08:00:00Z");
}

#[test]
fn an_end_in_the_gap_ends_when_the_gap_ends() {
    let cal = calendar(daily(range("01:00", "02:30")), BERLIN);
    assert_window(&cal, "2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00");
}

#[test]
fn a_window_inside_the_gap_is_empty_that_day() {
    let cal = calendar(daily(range("02:10", "02:50")), BERLIN);
    let day = at("2026-03-28T23:00:00Z");
    for minute in 0..23 * 60 {
        let t = day + f64::from(minute) * 60.0;
        assert!(!cal.contains(t), "inside at {minute} minutes into March 29");
    }
    assert_window(&cal, "2026-03-30T02:10:00+02:00", "2026-03-30T02:50:00+02:00");
}

#[test]
fn an_ambiguous_start_takes_the_first_occurrence() {
    // 02:30 happens twice on October 25 in Berlin: at 00:30 UTC (CEST) and
    // at 01:30 UTC (CET). The window starts at the first, once.
    let berlin = calendar(daily(lasting("02:30", HOUR)), BERLIN);
    assert_window(&berlin, "2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00");
    assert_outside(&berlin, &["2026-10-25T02:45:00+01:00"]);

    let new_york = calendar(daily(lasting("01:30", HOUR)), NEW_YORK);
    assert_window(&new_york, "2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00");
    assert_outside(&new_york, &["2026-11-01T01:45:00-05:00"]);
}

#[test]
fn an_ambiguous_end_is_its_first_occurrence() {
    let cal = calendar(daily(range("01:00", "02:30")), BERLIN);
    assert_window(&cal, "2026-10-25T01:00:00+02:00", "2026-10-25T02:30:00+02:00");
    // The second 02:00..02:30 (CET) is outside.
    assert_outside(&cal, &["2026-10-25T02:15:00+01:00"]);
}

#[test]
fn whole_days_follow_the_clock() {
    // weekly sun: March 29 in Berlin has 23 hours, October 25 has 25.
    let rule = CalendarRule::Weekly { days: vec![6], window: whole_day() };
    let cal = calendar(rule, BERLIN);
    assert_window(&cal, "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00");
    assert_window(&cal, "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00");
}
