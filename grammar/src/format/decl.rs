//! Top-level declarations, with their parameters, types, units and calendar
//! specifications. Each declaration starts a line; policies, tasks and tests
//! continue with a block (see [`super::body`]).

use super::body;
use super::expr::{self, arg_list, expr, list_of, names, string};
use super::layout;
use super::precedence::Level;
use super::printer::Printer;
use crate::ast::*;

pub(super) fn item(p: &mut Printer<'_>, it: &Item) {
    match it {
        Item::Tenant(d) => {
            p.word("tenant ");
            p.word(&d.name.name);
        }
        Item::Use(d) => {
            p.word("use ");
            p.word(&d.path.name);
            if let Some(imported) = &d.names {
                p.word(".{");
                names(p, imported);
                p.word("}");
            }
        }
        Item::Metric(d) => metric(p, d),
        Item::Unit(d) => {
            p.word("unit ");
            match &d.name {
                UnitName::Ident(name) => p.word(&name.name),
                UnitName::Symbol(symbol) => string(p, symbol),
            }
            if let Some(value) = &d.value {
                p.word(" = ");
                expr(p, value);
            }
        }
        Item::Fleet(d) => {
            p.word("fleet ");
            p.word(&d.name.name);
            p.word(" = hosts");
            if let Some(filter) = &d.filter {
                p.word(" where ");
                expr(p, filter);
            }
        }
        Item::Calendar(d) => calendar(p, d),
        Item::Action(d) => action(p, d),
        Item::Fn(d) => {
            p.word("fn ");
            p.word(&d.name.name);
            params(p, &d.params);
            if let Some(ret) = &d.ret {
                p.word(" -> ");
                type_expr(p, ret);
            }
            p.word(" = ");
            expr(p, &d.body);
        }
        Item::Policy(d) => {
            p.word("policy ");
            p.word(&d.name.name);
            if let Some(list) = &d.params {
                params(p, list);
            }
            p.word(" on ");
            p.word(&d.fleet.name);
            p.word(" ");
            body::clauses(p, &d.clauses, closer(d.span));
        }
        Item::Apply(d) => {
            p.word("apply ");
            p.word(&d.policy.name);
            p.word("(");
            arg_list(p, &d.args);
            p.word(") on ");
            p.word(&d.fleet.name);
        }
        Item::Task(d) => {
            p.word("task ");
            p.word(&d.name.name);
            p.word(" on ");
            p.word(&d.fleet.name);
            p.word(" ");
            body::clauses(p, &d.clauses, closer(d.span));
        }
        Item::Test(d) => {
            p.word("test ");
            p.word(&d.name.name);
            p.word(" ");
            layout::block(p, &d.items, closer(d.span), |t| t.span, body::test_item);
        }
        Item::Error(span) => p.word(p.source().slice(*span)),
    }
}

/// Where the closing bracket of a declaration that ends in one is.
fn closer(span: crate::span::Span) -> usize {
    span.end.saturating_sub(1)
}

/// `metric disk.free: gauge<bytes> labels(mount = mountpoint, device) from "…" lookback 5m`
fn metric(p: &mut Printer<'_>, d: &MetricDecl) {
    p.word("metric ");
    p.word(&d.name.name);
    p.word(": ");
    p.word(&d.kind.name);
    if let Some(unit) = &d.unit {
        p.word("<");
        unit_expr(p, unit);
        p.word(">");
    }
    if !d.labels.is_empty() {
        p.word(" labels(");
        for (i, label) in d.labels.iter().enumerate() {
            if i > 0 {
                p.word(", ");
            }
            p.word(&label.name.name);
            if let Some(source) = &label.source {
                p.word(" = ");
                p.word(&source.name);
            }
        }
        p.word(")");
    }
    if let Some(source) = &d.source {
        p.word(" from ");
        string(p, source);
    }
    if let Some(lookback) = &d.lookback {
        p.word(" lookback ");
        expr(p, lookback);
    }
}

/// `calendar patch_night = monthly 2nd tue 22:00 for 4h in "Europe/Berlin"`
fn calendar(p: &mut Printer<'_>, d: &CalendarDecl) {
    p.word("calendar ");
    p.word(&d.name.name);
    p.word(" = ");
    match &d.spec {
        CalendarSpec::Daily { time } => {
            p.word("daily ");
            time_range(p, time);
        }
        CalendarSpec::Weekly { days, time } => {
            p.word("weekly ");
            names(p, days);
            if let Some(time) = time {
                p.word(" ");
                time_range(p, time);
            }
        }
        CalendarSpec::Monthly { nth, day, time } => {
            p.word("monthly ");
            p.word(&nth.name);
            if let Some(day) = day {
                p.word(" ");
                p.word(&day.name);
            }
            if let Some(time) = time {
                p.word(" ");
                time_range(p, time);
            }
        }
        CalendarSpec::Cron { schedule, duration } => {
            p.word("cron ");
            string(p, schedule);
            p.word(" for ");
            // The grammar takes a primary here, so that `in "TZ"` after it is
            // not read as the `in […]` operator.
            expr::expr_at(p, duration, Level::Primary);
        }
    }
    if let Some(zone) = &d.zone {
        p.word(" in ");
        string(p, zone);
    }
}

fn time_range(p: &mut Printer<'_>, range: &TimeRange) {
    match range {
        TimeRange::Between(from, to) => {
            p.word(&from.text);
            p.word("..");
            p.word(&to.text);
        }
        TimeRange::For(from, duration) => {
            p.word(&from.text);
            p.word(" for ");
            expr::expr_at(p, duration, Level::Primary);
        }
    }
}

/// `action restart(host: host) = exec ["systemctl", "restart", service]`
fn action(p: &mut Printer<'_>, d: &ActionDecl) {
    p.word("action ");
    p.word(&d.name.name);
    // `action a = …` and `action a() = …` are the same tree; print the short one.
    if !d.params.is_empty() {
        params(p, &d.params);
    }
    p.word(" = ");
    match &d.body {
        ActionBody::Exec { argv } => {
            p.word("exec ");
            list_of(p, argv, closer(d.span));
        }
        ActionBody::Webhook { url, body } => {
            p.word("webhook ");
            expr(p, url);
            if let Some(body) = body {
                p.word(" body ");
                expr(p, body);
            }
        }
        ActionBody::Notify { channel } => {
            p.word("notify ");
            expr(p, channel);
        }
    }
}

/// `(free: number<bytes>, mount: text = "/")`
fn params(p: &mut Printer<'_>, params: &[Param]) {
    p.word("(");
    for (i, param) in params.iter().enumerate() {
        if i > 0 {
            p.word(", ");
        }
        p.word(&param.name.name);
        if let Some(ty) = &param.ty {
            p.word(": ");
            type_expr(p, ty);
        }
        if let Some(default) = &param.default {
            p.word(" = ");
            expr(p, default);
        }
    }
    p.word(")");
}

/// `number<bytes/s>`
fn type_expr(p: &mut Printer<'_>, ty: &TypeExpr) {
    p.word(&ty.name.name);
    if let Some(unit) = &ty.unit {
        p.word("<");
        unit_expr(p, unit);
        p.word(">");
    }
}

/// A unit expression without spaces (`requests/(h*host)`, `s^-1`), except
/// around a `/` that follows a digit: `1/s` or `2/h` would lex as one
/// quantity token with a rate suffix.
fn unit_expr(p: &mut Printer<'_>, unit: &UnitExpr) {
    p.nested(|p| match unit {
        UnitExpr::Name(name) => p.word(&name.name),
        UnitExpr::One(_) => p.word("1"),
        UnitExpr::Mul(..) | UnitExpr::Div(..) => unit_chain(p, unit),
        UnitExpr::Pow(base, exponent, _) => {
            unit_atom(p, base);
            p.word(&format!("^{exponent}"));
        }
    });
}

/// `a*b/c`: left-associative, so printed in a loop down the left side.
fn unit_chain(p: &mut Printer<'_>, unit: &UnitExpr) {
    let mut links = Vec::new();
    let mut left = unit;
    loop {
        match left {
            UnitExpr::Mul(a, b) => {
                links.push(("*", b));
                left = a;
            }
            UnitExpr::Div(a, b) => {
                links.push(("/", b));
                left = a;
            }
            _ => break,
        }
    }
    unit_expr(p, left);
    for (op, right) in links.iter().rev() {
        let spaced = *op == "/" && p.ends_with_digit();
        p.word(if spaced { " / " } else { op });
        unit_factor(p, right);
    }
}

/// The right side of `*` or `/`: a power or an atom.
fn unit_factor(p: &mut Printer<'_>, unit: &UnitExpr) {
    if let UnitExpr::Mul(..) | UnitExpr::Div(..) = unit {
        p.word("(");
        unit_expr(p, unit);
        p.word(")");
    } else {
        unit_expr(p, unit);
    }
}

/// The base of `^`: a name, `1`, or something in parentheses.
fn unit_atom(p: &mut Printer<'_>, unit: &UnitExpr) {
    if let UnitExpr::Name(_) | UnitExpr::One(_) = unit {
        unit_expr(p, unit);
    } else {
        p.word("(");
        unit_expr(p, unit);
        p.word(")");
    }
}

#[cfg(test)]
mod tests {
    use crate::format::format_source;

    fn fmt(src: &str) -> String {
        format_source(src).unwrap_or_else(|e| panic!("{src}: {e:?}"))
    }

    #[test]
    fn declarations_on_one_line_each() {
        let src = "tenant   acme use std.actions . { a ,b } use std.metrics.node\n\
                   fleet db=hosts where role==\"db\" fleet all = hosts\n\
                   unit bytes unit \"%\" = 1 / 100 unit KiB=1024*B";
        assert_eq!(
            fmt(src),
            "tenant acme\nuse std.actions.{a, b}\nuse std.metrics.node\n\
             fleet db = hosts where role == \"db\"\nfleet all = hosts\n\
             unit bytes\nunit \"%\" = 1 / 100\nunit KiB = 1024 * B\n"
        );
    }

    #[test]
    fn units_print_compactly_unless_a_digit_would_swallow_the_slash() {
        let src = "metric m: gauge<requests / (h * host)>\nmetric r: counter<1 / s>\n\
                   fn f(x: number<s ^ 2 / h>, y: number<(b/s)^-1> = 2) -> number<1> = x";
        assert_eq!(
            fmt(src),
            "metric m: gauge<requests/(h*host)>\nmetric r: counter<1 / s>\n\
             fn f(x: number<s^2 / h>, y: number<(b/s)^-1> = 2) -> number<1> = x\n"
        );
    }

    #[test]
    fn calendars_keep_a_primary_after_for() {
        let src = "calendar a = cron \"0 3 * * SUN\" for (1h + 30m) in \"UTC\"\n\
                   calendar b = weekly sat,sun 01:00 .. 05:00\n\
                   calendar c = monthly 2nd tue 22:00 for (4h)\ncalendar d = daily 22:00 for 1h";
        assert_eq!(
            fmt(src),
            "calendar a = cron \"0 3 * * SUN\" for (1h + 30m) in \"UTC\"\n\
             calendar b = weekly sat, sun 01:00..05:00\n\
             calendar c = monthly 2nd tue 22:00 for 4h\ncalendar d = daily 22:00 for 1h\n"
        );
    }

    #[test]
    fn actions_functions_and_applications() {
        let src = "action a() = notify \"ops\" action r(host: host, s: text) = exec [\"x\", s]\n\
                   action w = webhook \"https://x\" body {text: \"hi\"}\n\
                   apply p(mount: \"/\", 5) on all\nmetric m: state labels(a=b, c) from \"up\" lookback 5m";
        assert_eq!(
            fmt(src),
            "action a = notify \"ops\"\naction r(host: host, s: text) = exec [\"x\", s]\n\
             action w = webhook \"https://x\" body { text: \"hi\" }\n\
             apply p(mount: \"/\", 5) on all\n\
             metric m: state labels(a = b, c) from \"up\" lookback 5m\n"
        );
    }
}
