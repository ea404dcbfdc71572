//! Calendars (E0400–E0413): times of day, days of the week, monthly
//! ordinals, window lengths, time zones and cron schedules.
//!
//! These checks need nothing but the declaration: no names, no types. The
//! rules, as documented in `docs/language.md`:
//!
//! - A time of day is `H:MM` or `HH:MM`, from `00:00` to `23:59`; `24:00`
//!   (midnight at the end of the day) may only end a range. A range that
//!   crosses midnight (`22:00..02:00`) is fine; one that ends when it starts
//!   is empty and refused.
//! - Days are `mon` … `sun`, nothing else: full names get a fix, not a pass,
//!   so that every file spells them one way.
//! - `monthly` takes `1st` … `4th` or `last` before a weekday, and `1st` …
//!   `28th` or `last` for a day of the month: later days are not in every
//!   month.
//! - A `for` window may not be empty nor longer than the time between two
//!   occurrences (a day, the gap between listed days, 28 days for monthly,
//!   the shortest gap of a cron schedule), or it would overlap itself.

mod cron;
mod values;
mod zone;

use std::sync::Arc;

use upkeep_grammar::ast::{CalendarDecl, CalendarSpec, Expr, Ident, TimeOfDay, TimeRange};

use crate::{Code, Diagnostic, Label, SourceFile};
use values::{capitalized, literal_seconds, parse_ordinal, parse_time, upkeep_duration};

/// The days of the week as written in calendars, Monday first.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const FULL_WEEKDAYS: [&str; 7] =
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

const MINUTES_PER_DAY: u64 = 24 * 60;
/// The shortest time between two occurrences of a monthly calendar: the same
/// day (or nth weekday, or last day) of two months can be February's 28 days
/// apart.
const MONTH_MINUTES: u64 = 28 * MINUTES_PER_DAY;

/// Checks one calendar declaration, pushing every problem found to `out`.
pub fn check_calendar(decl: &CalendarDecl, file: &Arc<SourceFile>, out: &mut Vec<Diagnostic>) {
    let mut cx = Cx { file, out };
    match &decl.spec {
        CalendarSpec::Daily { time } => cx.range(time, MINUTES_PER_DAY),
        CalendarSpec::Weekly { days, time } => {
            let gap = cx.weekdays(days);
            if let Some(time) = time {
                cx.range(time, gap.unwrap_or(7) * MINUTES_PER_DAY);
            }
        }
        CalendarSpec::Monthly { nth, day, time } => {
            cx.monthly(nth, day.as_ref());
            if let Some(time) = time {
                cx.range(time, MONTH_MINUTES);
            }
        }
        CalendarSpec::Cron { schedule, duration } => {
            // An invalid schedule has no period; the window is still checked
            // for being empty.
            let gap = cron::check(schedule, file, cx.out);
            cx.window(duration, gap.unwrap_or(u64::MAX));
        }
    }
    if let Some(zone) = &decl.zone {
        zone::check(zone, file, out);
    }
}

struct Cx<'a> {
    file: &'a Arc<SourceFile>,
    out: &'a mut Vec<Diagnostic>,
}

impl Cx<'_> {
    fn error(&mut self, code: Code, message: String, label: Label, help: Option<String>) {
        let mut d = Diagnostic::error(code, self.file, message, label);
        if let Some(help) = help {
            d = d.with_help(help);
        }
        self.out.push(d);
    }

    /// A time range; `period` is the time between two occurrences, in minutes.
    fn range(&mut self, range: &TimeRange, period: u64) {
        match range {
            TimeRange::Between(from, to) => {
                let start = self.time(from, false);
                let end = self.time(to, true);
                if let (Some(start), Some(end)) = (start, end)
                    && start == end
                {
                    self.error(
                        Code::EmptyTimeRange,
                        format!("the range `{}..{}` is empty: it ends when it starts", from.text, to.text),
                        Label::new(from.span.to(to.span), "an empty window"),
                        Some(format!(
                            "for a whole day write `00:00..24:00`; for a day from {0} write `{0} for 24h`",
                            from.text
                        )),
                    );
                }
            }
            TimeRange::For(from, duration) => {
                self.time(from, false);
                self.window(duration, period);
            }
        }
    }

    /// Minutes after midnight, or `None` after reporting why not. `24:00`
    /// (1440) is allowed only as the end of a range.
    fn time(&mut self, t: &TimeOfDay, is_end: bool) -> Option<u64> {
        let problem = match parse_time(&t.text) {
            Ok(m) if m < MINUTES_PER_DAY || is_end => return Some(m),
            Ok(_) => (
                format!("`{}` can only end a range", t.text),
                "midnight at the start of a day is `00:00`".to_string(),
            ),
            Err(why) => (
                format!("`{}` is not a time of day: {why}", t.text),
                "write `HH:MM`, such as `22:30`".into(),
            ),
        };
        self.error(
            Code::BadTimeOfDay,
            problem.0,
            Label::new(t.span, "not a time of day here"),
            Some(problem.1),
        );
        None
    }

    /// Checks a `for` window: positive, and no longer than `period` minutes.
    fn window(&mut self, duration: &Expr, period: u64) {
        let Some(seconds) = literal_seconds(duration) else { return };
        let text = &self.file.text;
        let written = text.get(duration.span.range()).unwrap_or("this window").to_string();
        if seconds <= 0.0 {
            self.error(
                Code::BadWindowDuration,
                format!("the window `{written}` is empty"),
                Label::new(duration.span, "a window must last some time"),
                None,
            );
        } else if seconds > (period as f64) * 60.0 {
            let period = upkeep_duration(period);
            self.error(
                Code::BadWindowDuration,
                format!(
                    "the window `{written}` is longer than the {period} between two occurrences"
                ),
                Label::new(duration.span, "each occurrence would overlap the next"),
                Some(format!("make it at most `{period}`")),
            );
        }
    }

    /// Checks a `weekly` day list; returns the shortest gap, in days, between
    /// two listed days (7 for a single day), or `None` if no day is valid.
    fn weekdays(&mut self, days: &[Ident]) -> Option<u64> {
        let mut first_seen: [Option<&Ident>; 7] = [None; 7];
        for day in days {
            let Some(i) = self.weekday(day) else { continue };
            match first_seen[i] {
                Some(first) => self.out.push(
                    Diagnostic::error(
                        Code::DuplicateWeekday,
                        self.file,
                        format!("`{}` is listed twice", day.name),
                        Label::new(day.span, "listed again here"),
                    )
                    .with_secondary(Label::new(first.span, "first listed here")),
                ),
                None => first_seen[i] = Some(day),
            }
        }
        let listed: Vec<u64> = (0..7).filter(|&i| first_seen[i as usize].is_some()).collect();
        let (first, last) = (*listed.first()?, *listed.last()?);
        // The gap from the last listed day round to the first of next week.
        let wrap = first + 7 - last;
        Some(listed.windows(2).map(|w| w[1] - w[0]).fold(wrap, u64::min))
    }

    /// The index of a day of the week (Monday = 0), or `None` after reporting.
    fn weekday(&mut self, day: &Ident) -> Option<usize> {
        if let Some(i) = WEEKDAYS.iter().position(|d| *d == day.name) {
            return Some(i);
        }
        let lower = day.name.to_ascii_lowercase();
        let help = match lower.as_str() {
            "weekdays" | "workdays" | "weekday" | "workday" => {
                "list the days: `mon, tue, wed, thu, fri`".into()
            }
            "weekend" | "weekends" => "list the days: `sat, sun`".into(),
            _ => {
                let candidates = WEEKDAYS.iter().chain(FULL_WEEKDAYS.iter()).copied();
                let found = FULL_WEEKDAYS
                    .iter()
                    .position(|d| *d == lower)
                    .or_else(|| WEEKDAYS.iter().position(|d| *d == lower))
                    .or_else(|| {
                        let near = crate::suggest::closest(&lower, candidates)?;
                        FULL_WEEKDAYS
                            .iter()
                            .chain(WEEKDAYS.iter())
                            .position(|d| *d == near)
                            .map(|i| i % 7)
                    });
                match found {
                    Some(i) => format!("write `{}`", WEEKDAYS[i]),
                    None => {
                        "days are written `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`".into()
                    }
                }
            }
        };
        self.error(
            Code::UnknownWeekday,
            format!("`{}` is not a day of the week", day.name),
            Label::new(day.span, "expected `mon` … `sun`"),
            Some(help),
        );
        None
    }

    /// `monthly NTH [DAY]`: `last`, `1st`–`4th` before a weekday, `1st`–`28th` alone.
    fn monthly(&mut self, nth: &Ident, day: Option<&Ident>) {
        // An unknown day is reported here; the ordinal is still checked as
        // one that counts weekdays.
        let weekday = day.and_then(|d| self.weekday(d));
        if nth.name == "last" {
            return;
        }
        let n = match parse_ordinal(&nth.name) {
            Ok(n) => n,
            Err(help) => {
                self.error(
                    Code::BadOrdinal,
                    format!("`{}` is not an ordinal", nth.name),
                    Label::new(nth.span, "expected `1st`, `2nd`, `3rd`, `4th` … or `last`"),
                    Some(help),
                );
                return;
            }
        };
        if day.is_some() {
            if n > 4 {
                let name = weekday.map_or("weekday".into(), |i| capitalized(FULL_WEEKDAYS[i]));
                let short = weekday.map_or("mon", |i| WEEKDAYS[i]);
                let which = if n == 5 { "not every" } else { "no" };
                self.error(
                    Code::NoFifthWeekday,
                    format!("{which} month has a {} {name}", nth.name),
                    Label::new(nth.span, "a month has four or five of each weekday"),
                    Some(format!("use `last {short}` for the last one of the month")),
                );
            }
        } else if n > 31 {
            self.error(
                Code::BadOrdinal,
                format!("no month has a {} day", nth.name),
                Label::new(nth.span, "months have at most 31 days"),
                Some("use `last` for the last day of the month".into()),
            );
        } else if n > 28 {
            self.error(
                Code::DayNotInEveryMonth,
                format!("not every month has a {} day", nth.name),
                Label::new(nth.span, "February has 28 or 29 days, and four months have 30"),
                Some("use `last` for the last day of the month, or a day up to the `28th`".into()),
            );
        }
    }
}
