//! Calendar and label-regex checks (E0400–E0414): one line of source in, the
//! short rendering of each diagnostic out; the valid corpus checks clean;
//! random input never panics.

use std::path::Path;
use std::sync::Arc;

use proptest::prelude::*;
use upkeep_compiler::check::calendar::check_calendar;
use upkeep_compiler::check::pattern::check_matcher_regex;
use upkeep_compiler::render::short;
use upkeep_compiler::{Diagnostic, SourceFile};
use upkeep_grammar::Span;
use upkeep_grammar::ast::*;
use upkeep_grammar::strings::plain;

/// Parses `src` (which must parse cleanly) and runs the calendar and regex
/// checks on everything in it.
fn diagnostics(name: &str, src: &str) -> Vec<Diagnostic> {
    let file = SourceFile::new(name, src);
    let parsed = upkeep_grammar::parse(&file.text);
    assert!(parsed.errors.is_empty(), "{name} does not parse: {:?}", parsed.errors);
    let mut out = Vec::new();
    let mut matchers = Vec::new();
    for item in &parsed.file.items {
        match item {
            Item::Calendar(c) => check_calendar(c, &file, &mut out),
            Item::Fn(f) => collect(&f.body, &mut matchers),
            Item::Fleet(f) => f.filter.iter().for_each(|e| collect(e, &mut matchers)),
            Item::Policy(p) => p.clauses.iter().for_each(|c| clause(c, &mut matchers)),
            Item::Task(t) => t.clauses.iter().for_each(|c| clause(c, &mut matchers)),
            Item::Test(t) => {
                for it in &t.items {
                    match &it.kind {
                        TestItemKind::Series { labels, value, .. } => {
                            matchers.extend(labels);
                            collect(value, &mut matchers);
                        }
                        TestItemKind::Expect { on: Some(on), .. } => matchers.extend(on),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    for m in matchers {
        check_matcher_regex(m, &file, &mut out);
    }
    out
}

fn clause<'a>(c: &'a Clause, out: &mut Vec<&'a Matcher>) {
    match &c.kind {
        ClauseKind::Let { value, .. } | ClauseKind::Keep(value) | ClauseKind::When(value) => {
            collect(value, out)
        }
        ClauseKind::Level(level) => {
            collect(&level.cond, out);
            if let Some(r) = &level.recover {
                collect(&r.cond, out);
            }
        }
        _ => {}
    }
}

/// Every label matcher inside an expression.
fn collect<'a>(e: &'a Expr, out: &mut Vec<&'a Matcher>) {
    match &e.kind {
        ExprKind::Selector { matchers, .. } => out.extend(matchers),
        ExprKind::Call { args, .. } => {
            for a in args {
                collect(&a.value, out);
                a.over.iter().for_each(|o| collect(o, out));
            }
        }
        ExprKind::Unary { operand, .. } => collect(operand, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            collect(lhs, out);
            collect(rhs, out);
        }
        ExprKind::If { cond, then, otherwise } => {
            [cond, then, otherwise].iter().for_each(|e| collect(e, out))
        }
        ExprKind::In { value, list, .. } => {
            collect(value, out);
            list.iter().for_each(|e| collect(e, out));
        }
        ExprKind::List(list) => list.iter().for_each(|e| collect(e, out)),
        ExprKind::Record(fields) => fields.iter().for_each(|f| collect(&f.value, out)),
        _ => {}
    }
}

/// The short rendering of each diagnostic for a one-line file.
fn check(src: &str) -> Vec<String> {
    diagnostics("t.upk", src).iter().map(short).collect()
}

/// The one diagnostic's short line and help.
fn check_one(src: &str) -> (String, String) {
    let ds = diagnostics("t.upk", src);
    assert_eq!(ds.len(), 1, "{:?}", ds.iter().map(short).collect::<Vec<_>>());
    (short(&ds[0]), ds[0].help.clone().unwrap_or_default())
}

#[test]
fn valid_calendars_pass() {
    let src = r#"
calendar a = daily 01:00..05:00 in "Europe/Berlin"
calendar b = daily 22:00..02:00
calendar c = daily 00:00..24:00
calendar d = daily 7:30 for 24h in "UTC"
calendar e = weekly sat, sun in "Europe/Vienna"
calendar f = weekly mon, tue, wed, thu, fri 07:30..19:00 in "America/New_York"
calendar g = weekly sun 02:00 for 7d
calendar h = monthly 2nd tue 22:00 for 4h in "Europe/Berlin"
calendar i = monthly last fri 18:00..23:59
calendar j = monthly 28th 02:00 for 28d
calendar k = monthly last
calendar l = cron "0 3 * * SUN" for 2h in "Etc/GMT-1"
calendar m = cron "*/15 0-5 * * *" for 15m
calendar n = cron "0 22 1-7 jan,Apr,JUL,oct mon-FRI" for 1d
calendar o = cron "5/10 */2 * * 0,7" for 10m in "CET"
"#;
    assert_eq!(check(src), Vec::<String>::new());
}

#[test]
fn e0400_hour_out_of_range() {
    assert_eq!(
        check("calendar c = daily 25:00..02:00"),
        ["t.upk:1:20: error[E0400]: `25:00` is not a time of day: hours go from 00 to 23"]
    );
}

#[test]
fn e0400_minute_out_of_range() {
    assert_eq!(
        check("calendar c = daily 12:00..12:60"),
        ["t.upk:1:27: error[E0400]: `12:60` is not a time of day: minutes go from 00 to 59"]
    );
}

#[test]
fn e0400_midnight_only_ends_a_range() {
    assert_eq!(
        check("calendar c = daily 24:00 for 2h"),
        ["t.upk:1:20: error[E0400]: `24:00` can only end a range"]
    );
}

#[test]
fn e0401_empty_range() {
    assert_eq!(
        check("calendar c = daily 10:00..10:00"),
        ["t.upk:1:20: error[E0401]: the range `10:00..10:00` is empty: it ends when it starts"]
    );
}

#[test]
fn e0402_unknown_weekday() {
    assert_eq!(
        check_one("calendar c = weekly sat, sunday"),
        (
            "t.upk:1:26: error[E0402]: `sunday` is not a day of the week".into(),
            "write `sun`".into()
        )
    );
    assert_eq!(check_one("calendar c = monthly 2nd tuesdy").1, "write `tue`");
    assert_eq!(
        check_one("calendar c = weekly weekdays").1,
        "list the days: `mon, tue, wed, thu, fri`"
    );
}

#[test]
fn e0403_duplicate_weekday() {
    assert_eq!(
        check("calendar c = weekly sat, sun, sat"),
        ["t.upk:1:31: error[E0403]: `sat` is listed twice"]
    );
}

#[test]
fn e0404_bad_ordinal() {
    assert_eq!(
        check_one("calendar c = monthly 2th tue 22:00 for 4h"),
        ("t.upk:1:22: error[E0404]: `2th` is not an ordinal".into(), "write `2nd`".into())
    );
    assert_eq!(check_one("calendar c = monthly 0th").1, "days and weeks count from `1st`");
    assert_eq!(check_one("calendar c = monthly first tue").1, "write `1st`");
    assert_eq!(
        check("calendar c = monthly 32nd"),
        ["t.upk:1:22: error[E0404]: no month has a 32nd day"]
    );
}

#[test]
fn e0405_no_fifth_weekday() {
    assert_eq!(
        check_one("calendar c = monthly 5th mon 22:00 for 4h"),
        (
            "t.upk:1:22: error[E0405]: not every month has a 5th Monday".into(),
            "use `last mon` for the last one of the month".into()
        )
    );
}

#[test]
fn e0406_day_not_in_every_month() {
    assert_eq!(
        check("calendar c = monthly 31st 02:00..04:00"),
        ["t.upk:1:22: error[E0406]: not every month has a 31st day"]
    );
}

#[test]
fn e0407_window_longer_than_period() {
    assert_eq!(
        check("calendar c = daily 22:00 for 25h"),
        [
            "t.upk:1:30: error[E0407]: the window `25h` is longer than the 1d between two occurrences"
        ]
    );
    assert_eq!(
        check("calendar c = weekly sat, sun 20:00 for 30h"),
        [
            "t.upk:1:40: error[E0407]: the window `30h` is longer than the 1d between two occurrences"
        ]
    );
    assert_eq!(
        check("calendar c = monthly 1st 00:00 for 30d"),
        [
            "t.upk:1:36: error[E0407]: the window `30d` is longer than the 28d between two occurrences"
        ]
    );
    assert_eq!(
        check(r#"calendar c = cron "*/15 * * * *" for 1h"#),
        [
            "t.upk:1:38: error[E0407]: the window `1h` is longer than the 15m between two occurrences"
        ]
    );
}

#[test]
fn e0407_empty_window() {
    assert_eq!(
        check("calendar c = daily 01:00 for 0m"),
        ["t.upk:1:30: error[E0407]: the window `0m` is empty"]
    );
}

#[test]
fn e0408_unknown_time_zone() {
    assert_eq!(
        check_one(r#"calendar c = daily 01:00..02:00 in "Europe/Berln""#),
        (
            "t.upk:1:36: error[E0408]: unknown time zone `Europe/Berln`".into(),
            "did you mean `Europe/Berlin`?".into()
        )
    );
    assert_eq!(
        check_one(r#"calendar c = weekly sat in "Vienna""#).1,
        "did you mean `Europe/Vienna`?"
    );
}

#[test]
fn e0409_time_zone_abbreviation() {
    let (line, help) = check_one(r#"calendar c = weekly sat in "PST""#);
    assert_eq!(line, "t.upk:1:28: error[E0409]: `PST` is an abbreviation, not a time zone");
    assert!(help.contains("`America/Los_Angeles`"), "{help}");
    let (_, help) = check_one(r#"calendar c = weekly sat in "EST""#);
    assert!(help.contains("fixed offset") && help.contains("`America/New_York`"), "{help}");
    let (_, help) = check_one(r#"calendar c = weekly sat in "UTC+1""#);
    assert!(help.contains("`Etc/GMT-1`"), "{help}");
}

#[test]
fn e0410_cron_field_count() {
    assert_eq!(
        check(r#"calendar c = cron "0 3 * *" for 2h"#),
        ["t.upk:1:20: error[E0410]: a cron schedule has five fields; this one has 4"]
    );
    assert_eq!(
        check(r#"calendar c = cron "0 0 3 * * SUN" for 2h"#),
        ["t.upk:1:30: error[E0410]: a cron schedule has five fields; this one has 6"]
    );
}

#[test]
fn e0411_bad_cron_field() {
    assert_eq!(
        check(r#"calendar c = cron "0 25 * * *" for 1h"#),
        ["t.upk:1:22: error[E0411]: `25` is out of range for the hour field"]
    );
    assert_eq!(
        check(r#"calendar c = cron "0 3 * * FRI-MON" for 1h"#),
        ["t.upk:1:28: error[E0411]: the range `FRI-MON` goes backwards"]
    );
    assert_eq!(
        check(r#"calendar c = cron "*/0 3 * * *" for 1h"#),
        ["t.upk:1:22: error[E0411]: a step of `0` never moves"]
    );
    let (line, help) = check_one(r#"calendar c = cron "0 3 L * *" for 1h"#);
    assert_eq!(line, "t.upk:1:24: error[E0411]: `L` is not a valid day-of-month value");
    assert!(help.contains("`monthly last fri"), "{help}");
    assert_eq!(check_one(r#"calendar c = cron "0 3 * * SNU" for 1h"#).1, "did you mean `SUN`?");
}

#[test]
fn e0412_cron_macro() {
    assert_eq!(check_one(r#"calendar c = cron "@daily" for 1h"#), (
        "t.upk:1:20: error[E0412]: cron macros such as `@daily` are not supported".into(),
        r#"write the five fields: `"0 0 * * *"`, or use a `daily`, `weekly` or `monthly` calendar"#.into()
    ));
}

#[test]
fn e0413_cron_never_fires() {
    assert_eq!(
        check(r#"calendar c = cron "0 0 30 2 *" for 1h"#),
        ["t.upk:1:24: error[E0413]: this cron schedule never fires: no month has the day it names"]
    );
}

#[test]
fn e0414_bad_regex() {
    assert_eq!(check_one(r#"fn f() = disk.free{mount=~"*web"}"#), (
        "t.upk:1:28: error[E0414]: the regular expression does not compile: repetition operator missing expression"
            .into(),
        "regular expressions, not globs: `.*web`".into()
    ));
    assert_eq!(
        check(r#"fn f() = disk.free{mount!~"/(a|b"}"#),
        ["t.upk:1:29: error[E0414]: the regular expression does not compile: unclosed group"]
    );
    // Fine alone, broken once anchored: the comment swallows `)$`.
    assert_eq!(
        check(r#"fn f() = disk.free{mount=~"(?x)a # b"}"#),
        [
            "t.upk:1:28: error[E0414]: the regular expression does not compile when anchored: unclosed group"
        ]
    );
    // Not a regex matcher: not checked.
    assert_eq!(check(r#"fn f() = disk.free{mount="*web"}"#), Vec::<String>::new());
}

#[test]
fn spans_inside_strings_account_for_escapes() {
    // `\\` is two bytes of source for one of the pattern.
    assert_eq!(
        check(r#"fn f() = m{l=~"\\d\\k"}"#),
        [
            "t.upk:1:19: error[E0414]: the regular expression does not compile: unrecognized escape sequence"
        ]
    );
}

#[test]
fn examples_stdlib_and_ok_corpus_check_clean() {
    let files =
        upkeep_grammar::files::shipped_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    assert!(files.len() > 10, "found only {files:?}");
    for path in files {
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let found: Vec<String> =
            diagnostics(&path.display().to_string(), &text).iter().map(short).collect();
        assert_eq!(found, Vec::<String>::new());
    }
}

/// A calendar built directly, so that any string at all can be tried.
fn calendar(spec: CalendarSpec, zone: &str) -> CalendarDecl {
    let zone = plain(zone, Span::new(0, zone.len() + 2));
    CalendarDecl {
        name: Ident::new("c", Span::new(0, 1)),
        spec,
        zone: Some(zone),
        span: Span::new(0, 1),
    }
}

fn quantity(text: &str) -> Expr {
    Expr::new(ExprKind::Quantity(Quantity::from_token(text)), Span::new(0, text.len()))
}

fn time(text: &str) -> TimeOfDay {
    TimeOfDay { text: text.to_string(), span: Span::new(0, text.len()) }
}

fn run(file_text: &str, decl: &CalendarDecl) {
    let file: Arc<SourceFile> = SourceFile::new("p.upk", file_text);
    let mut out = Vec::new();
    check_calendar(decl, &file, &mut out);
    for d in &out {
        let _ = short(d);
        let _ = upkeep_compiler::render::graphical(d, upkeep_compiler::render::Style::Plain);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_cron_zone_or_time_never_panics(
        schedule in prop_oneof![".*", "[0-9*/,A-Za-z@?#-]{0,6}( [0-9*/,A-Za-z?#-]{1,6}){0,6}"],
        zone in prop_oneof![".*", "[A-Za-z_/+:0-9 -]{0,20}"],
        from in prop_oneof![".*", "[0-9]{1,3}:[0-9]{1,3}"],
        to in prop_oneof![".*", "[0-9]{1,3}:[0-9]{1,3}"],
        nth in ".{0,6}",
        day in ".{0,10}",
        duration in "-?[0-9]{0,25}(\\.[0-9]{0,3})?(ms|s|m|min|h|d|w|GiB|)",
    ) {
        let file_text = format!("\"{schedule}\" \"{zone}\" {from} {to}");
        let cron = CalendarSpec::Cron { schedule: plain(&schedule, Span::new(0, schedule.len() + 2)), duration: quantity(&duration) };
        run(&file_text, &calendar(cron, &zone));
        let daily = CalendarSpec::Daily { time: TimeRange::Between(time(&from), time(&to)) };
        run(&file_text, &calendar(daily, &zone));
        let weekly = CalendarSpec::Weekly {
            days: vec![Ident::new(day.clone(), Span::new(0, 1)), Ident::new(nth.clone(), Span::new(0, 1))],
            time: Some(TimeRange::For(time(&from), quantity(&duration))),
        };
        run(&file_text, &calendar(weekly, &zone));
        let monthly = CalendarSpec::Monthly {
            nth: Ident::new(nth.clone(), Span::new(0, 1)),
            day: Some(Ident::new(day, Span::new(0, 1))).filter(|_| nth.len() % 2 == 0),
            time: Some(TimeRange::For(time(&to), quantity(&duration))),
        };
        run(&file_text, &calendar(monthly, &zone));
    }

    #[test]
    fn any_regex_never_panics(pattern in prop_oneof![".*", "[a-z*+?()|\\[\\]{}^$.\\\\0-9-]{0,12}"]) {
        let file = SourceFile::new("p.upk", format!("\"{pattern}\""));
        let value = plain(&pattern, Span::new(0, pattern.len() + 2));
        for op in [MatchOp::Re, MatchOp::NotRe] {
            let m = Matcher {
                label: Ident::new("l", Span::new(0, 1)),
                op,
                value: Expr::new(ExprKind::Str(value.clone()), value.span),
                span: value.span,
            };
            let mut out = Vec::new();
            check_matcher_regex(&m, &file, &mut out);
            prop_assert!(out.len() <= 1);
            out.iter().for_each(|d| { let _ = short(d); });
        }
    }
}
