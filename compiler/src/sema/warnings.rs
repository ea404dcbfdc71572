//! Warnings: policies that are valid but probably not what was meant.
//! `--deny-warnings` turns them into errors.

use super::expr::Cx;
use crate::diagnostics::{Code, Diagnostic, Label, Severity};
use upkeep_grammar::ast::{BinaryOp, Clause, ClauseKind, Expr, ExprKind, Hold, LevelClause};
use upkeep_grammar::dump;

fn warn(
    cx: &mut Cx<'_, '_>,
    code: Code,
    span: upkeep_grammar::Span,
    message: String,
    label: &str,
    help: String,
) {
    let mut d =
        Diagnostic::error(code, &cx.module.file, message, Label::new(span, label)).with_help(help);
    d.severity = Severity::Warning;
    cx.out.push(d);
}

/// The value of a literal quantity in base units, if `e` is one.
fn literal(cx: &Cx<'_, '_>, e: &Expr) -> Option<f64> {
    match &e.kind {
        ExprKind::Quantity(q) => cx.env.units.quantity(q, e.span).ok().map(|(v, _)| v),
        ExprKind::Unary { op: upkeep_grammar::ast::UnaryOp::Neg, operand } => {
            literal(cx, operand).map(|v| -v)
        }
        _ => None,
    }
}

/// `x > 80%` as (the text of `x`, direction, threshold): `direction` is +1
/// when the condition holds above the threshold, -1 below.
fn threshold(cx: &Cx<'_, '_>, cond: &Expr) -> Option<(String, i8, f64)> {
    let ExprKind::Binary { op, lhs, rhs } = &cond.kind else { return None };
    let direction = match op {
        BinaryOp::Gt | BinaryOp::Ge => 1,
        BinaryOp::Lt | BinaryOp::Le => -1,
        _ => return None,
    };
    let value = literal(cx, rhs)?;
    Some((dump::expr(lhs).render(false), direction, value))
}

pub fn policy(cx: &mut Cx<'_, '_>, clauses: &[Clause]) {
    let every = clauses.iter().find_map(|c| match &c.kind {
        ClauseKind::Every { interval, .. } => literal(cx, interval).map(|v| (v, interval)),
        _ => None,
    });
    let levels: Vec<&LevelClause> = clauses
        .iter()
        .filter_map(|c| if let ClauseKind::Level(l) = &c.kind { Some(l) } else { None })
        .collect();
    for level in &levels {
        if let (Some(Hold::Duration(hold)), Some((interval, every_expr))) = (&level.hold, every)
            && let Some(h) = literal(cx, hold)
            && h < interval
        {
            let every_text = &cx.module.file.text[every_expr.span.range()];
            warn(
                cx,
                Code::ForShorterThanEvery,
                hold.span,
                format!("`for` is shorter than the evaluation interval (`every {every_text}`)"),
                "shorter than one interval",
                "the condition is confirmed at the first evaluation that sees it; make `for` a multiple of `every`, or drop it".into(),
            );
        }
        if let Some(recover) = &level.recover
            && let (Some((x, dir, trigger)), Some((y, rdir, back))) =
                (threshold(cx, &level.cond), threshold(cx, &recover.cond))
            && x == y
            && dir == -rdir
            && (dir > 0 && back > trigger || dir < 0 && back < trigger)
        {
            warn(
                cx,
                Code::NoHysteresis,
                recover.cond.span,
                "`recover when` overlaps the trigger: both can hold at once".into(),
                "overlaps the trigger",
                "recover on the far side of the threshold (for `x > 80%`, `recover when x < 75%`), so the level does not flap around it".into(),
            );
        }
    }
    inverted_levels(cx, &levels);
    for local in cx.locals.clone() {
        if local.is_let && !local.used {
            warn(
                cx,
                Code::UnusedLet,
                local.span,
                format!("`{}` is never used", local.name),
                "unused",
                "remove it, or use it in a condition or a message".into(),
            );
        }
    }
}

/// `warn when x > 90%` with `crit when x > 80%`: crit fires first, and warn
/// can never be the highest level.
fn inverted_levels(cx: &mut Cx<'_, '_>, levels: &[&LevelClause]) {
    let rank = |name: &str| super::policy::LEVELS.iter().position(|l| *l == name);
    for lower in levels {
        for higher in levels {
            let (Some(a), Some(b)) = (rank(&lower.level.name), rank(&higher.level.name)) else {
                continue;
            };
            if a >= b {
                continue;
            }
            let (Some((x, dir, t_low)), Some((y, dir2, t_high))) =
                (threshold(cx, &lower.cond), threshold(cx, &higher.cond))
            else {
                continue;
            };
            if x != y || dir != dir2 {
                continue;
            }
            let inverted = if dir > 0 { t_high < t_low } else { t_high > t_low };
            if inverted {
                warn(
                    cx,
                    Code::InvertedLevels,
                    higher.cond.span,
                    format!(
                        "`{}` triggers before `{}`: its threshold is the less severe one",
                        higher.level.name, lower.level.name
                    ),
                    "reached first",
                    format!(
                        "swap the thresholds: `{}` should need a worse value than `{}`",
                        higher.level.name, lower.level.name
                    ),
                );
            }
        }
    }
}

/// `cpu.usage_idle < 10` where the metric is declared in percent: the
/// samples are converted to a ratio, so `10` means 1000%. Almost always a
/// forgotten `%`.
pub fn percent_as_plain_number(cx: &mut Cx<'_, '_>, lhs: &Expr, rhs: &Expr) {
    for (metric_side, number_side) in [(lhs, rhs), (rhs, lhs)] {
        let ExprKind::Quantity(q) = &number_side.kind else { continue };
        if q.unit.is_some() {
            continue;
        }
        let Some(name) = super::expr::metric_name(metric_side) else { continue };
        let Some(d) = cx.env.scopes.of(cx.module.id).lookup(name) else { continue };
        let Some(info) = cx.env.metric(d) else { continue };
        let value: f64 = q.number.parse().unwrap_or(0.0);
        if info.dim.is_dimensionless() && info.scale == 0.01 && value > 1.0 {
            warn(
                cx,
                Code::PercentAsPlainNumber,
                number_side.span,
                format!("`{name}` is in percent, so `{}` here means {}%", q.number, value * 100.0),
                "a plain number",
                format!("write `{}%`", q.number),
            );
        }
    }
}
