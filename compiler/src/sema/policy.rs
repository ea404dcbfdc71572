//! Policy and task bodies: clauses, levels, remediation steps, escalation.

use super::expr::Cx;
use super::types::Ty;
use super::warnings;
use crate::diagnostics::Code;
use crate::resolve::DeclKind;
use upkeep_grammar::ast::{
    ActionCall, Clause, ClauseKind, Hold, Ident, PolicyDecl, Step, StepKind, StrLit, TaskDecl,
};

/// The levels a policy can fire at, from least to most severe.
pub const LEVELS: &[&str] = &["info", "warn", "crit"];

pub fn check_policy(cx: &mut Cx<'_, '_>, p: &PolicyDecl, index: usize) {
    if let Some(params) = &p.params {
        let decl = crate::resolve::DeclRef {
            module: cx.module.id,
            item: index,
            kind: DeclKind::Policy,
            name_span: p.name.span,
        };
        let sig = cx.env.signature(decl).cloned().unwrap_or_default();
        for (param, (_, ty, _)) in params.iter().zip(sig.params) {
            if let Some(default) = &param.default {
                check_default(cx, &param.name, &ty, default);
            }
            cx.bind(&param.name, ty, false);
        }
    }
    fleet(cx, &p.fleet);
    body(cx, &p.clauses);
}

pub fn check_task(cx: &mut Cx<'_, '_>, t: &TaskDecl) {
    fleet(cx, &t.fleet);
    body(cx, &t.clauses);
}

fn check_default(cx: &mut Cx<'_, '_>, name: &Ident, ty: &Ty, default: &upkeep_grammar::ast::Expr) {
    let found = cx.value(default);
    if !super::expr::compatible(ty, &found) {
        let (e, f) = (ty.describe(&cx.env.units), found.describe(&cx.env.units));
        cx.error(
            Code::BadArguments,
            default.span,
            format!("the default of `{}` must be {e}, found {f}", name.name),
            f,
        );
    }
}

pub fn fleet(cx: &mut Cx<'_, '_>, name: &Ident) {
    if cx.decl(name, &[DeclKind::Fleet]).is_none() {
        cx.unknown(Code::UnknownFleet, "fleet", name, &[DeclKind::Fleet]);
    }
}

fn body(cx: &mut Cx<'_, '_>, clauses: &[Clause]) {
    let mut messages: Vec<&StrLit> = Vec::new();
    for clause in clauses {
        match &clause.kind {
            ClauseKind::Every { interval, jitter } => {
                cx.expect_duration(interval, "every");
                if let Some(j) = jitter {
                    cx.expect_duration(j, "jitter");
                }
            }
            ClauseKind::Let { name, value } => {
                let ty = cx.infer(value);
                cx.bind(name, ty, true);
            }
            ClauseKind::Level(level) => {
                level_name(cx, &level.level);
                cx.expect_bool(&level.cond, "a level clause");
                match &level.hold {
                    Some(Hold::Duration(d)) => cx.expect_duration(d, "for"),
                    Some(Hold::Checks(n)) => {
                        positive(cx, n, "`for … checks`");
                    }
                    Some(Hold::OfChecks(n, m)) => {
                        let (n_value, m_value) = (
                            positive(cx, n, "`for N of M checks`"),
                            positive(cx, m, "`for N of M checks`"),
                        );
                        if let (Some(a), Some(b)) = (n_value, m_value)
                            && a > b
                        {
                            cx.error(
                                Code::ChecksOutOfRange,
                                n.span.to(m.span),
                                format!(
                                    "`for {a} of {b} checks` asks for more checks than it looks at"
                                ),
                                "N is larger than M",
                            )
                            .help = Some(format!(
                                "N counts evaluations among the last M: write `for {b} of {a} checks`, or `for {a} checks` for consecutive ones"
                            ));
                        }
                    }
                    None => {}
                }
                if let Some(r) = &level.recover {
                    cx.expect_bool(&r.cond, "`recover when`");
                    if let Some(h) = &r.hold {
                        cx.expect_duration(h, "for");
                    }
                }
                messages.extend(level.message.as_ref());
            }
            ClauseKind::Keep(d) => cx.expect_duration(d, "keep"),
            ClauseKind::Nodata { after, outcome } => {
                cx.expect_duration(after, "nodata");
                if outcome.name != "ok" && outcome.name != "keep" {
                    level_name(cx, outcome);
                }
            }
            ClauseKind::Flapping { changes, window } => {
                positive(cx, changes, "`flapping`");
                cx.expect_duration(window, "in");
            }
            ClauseKind::Message(m) => messages.push(m),
            ClauseKind::Labels(fields) => {
                for f in fields {
                    cx.expect_text(&f.value, "an event label");
                }
            }
            ClauseKind::On { level, steps } => {
                level_name(cx, level);
                for s in steps {
                    step(cx, s);
                }
            }
            ClauseKind::Escalate(steps) => {
                for s in steps {
                    cx.expect_duration(&s.after, "after");
                    action_call(cx, &s.call);
                }
            }
            ClauseKind::Quiet(cal) | ClauseKind::Pause(cal) | ClauseKind::During(cal) => {
                calendar(cx, cal)
            }
            ClauseKind::Depends { policy, .. } => {
                if cx.decl(policy, &[DeclKind::Policy]).is_none() {
                    cx.unknown(Code::UnknownPolicy, "policy", policy, &[DeclKind::Policy]);
                }
            }
            ClauseKind::When(cond) => cx.expect_bool(cond, "`when`"),
            ClauseKind::Step(s) => step(cx, s),
            ClauseKind::Error => {}
        }
    }
    // Messages may name lets declared after them, so they are checked last.
    for m in messages {
        cx.check_interpolations(m);
    }
    warnings::policy(cx, clauses);
}

fn positive(cx: &mut Cx<'_, '_>, e: &upkeep_grammar::ast::Expr, context: &str) -> Option<f64> {
    let n = cx.expect_count(e, context)?;
    if n < 1.0 {
        cx.error(Code::ExpectedCount, e.span, format!("{context} needs at least 1"), "zero");
        return None;
    }
    Some(n)
}

pub fn level_name(cx: &mut Cx<'_, '_>, level: &Ident) {
    if LEVELS.contains(&level.name.as_str()) {
        return;
    }
    let near = crate::suggest::closest(&level.name, LEVELS.iter().copied());
    cx.error(
        Code::UnknownLevel,
        level.span,
        format!("unknown level `{}`", level.name),
        "not a level",
    )
    .help = Some(match near {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("the levels are {}", LEVELS.join(", ")),
    });
}

fn calendar(cx: &mut Cx<'_, '_>, name: &Ident) {
    if cx.decl(name, &[DeclKind::Calendar]).is_none() {
        cx.unknown(Code::UnknownCalendar, "calendar", name, &[DeclKind::Calendar]);
    }
}

pub fn step(cx: &mut Cx<'_, '_>, s: &Step) {
    match &s.kind {
        StepKind::Run(call) => action_call(cx, call),
        StepKind::Verify { cond, within } => {
            cx.expect_bool(cond, "`verify`");
            cx.expect_duration(within, "within");
        }
        StepKind::Cooldown(d) => cx.expect_duration(d, "cooldown"),
        StepKind::AtMost { count, per, .. } => {
            positive(cx, count, "`at most`");
            cx.expect_duration(per, "per");
        }
        StepKind::AtMostOfFleet(share) => match cx.value(share) {
            Ty::Number(d) if d.is_dimensionless() => {
                if let upkeep_grammar::ast::ExprKind::Quantity(q) = &share.kind
                    && let Ok((v, _)) = cx.env.units.quantity(q, share.span)
                    && !(v > 0.0 && v <= 1.0)
                {
                    cx.error(
                        Code::ExpectedShare,
                        share.span,
                        format!(
                            "`at most {} of fleet` must be a share between 0% and 100%",
                            q.text()
                        ),
                        "out of range",
                    );
                }
            }
            Ty::Unknown => {}
            other => {
                let f = other.describe(&cx.env.units);
                cx.error(
                    Code::ExpectedShare,
                    share.span,
                    format!("`at most … of fleet` needs a share such as `20%`, found {f}"),
                    "not a share",
                );
            }
        },
        StepKind::Concurrency(n) => {
            positive(cx, n, "`concurrency`");
        }
        StepKind::DryRun | StepKind::Error => {}
    }
}

pub fn action_call(cx: &mut Cx<'_, '_>, call: &ActionCall) {
    match cx.decl(&call.action, &[DeclKind::Action]) {
        Some(d) => {
            let sig = cx.env.signature(d).cloned().unwrap_or_default();
            cx.check_args(&call.action, &sig, &call.args, "action");
        }
        None => {
            cx.unknown(Code::UnknownAction, "action", &call.action, &[DeclKind::Action]);
            for a in &call.args {
                cx.infer(&a.value);
            }
        }
    }
    if let Some(t) = &call.timeout {
        cx.expect_duration(t, "timeout");
    }
    if let Some(r) = &call.retry {
        cx.expect_count(&r.count, "`retry`");
        if let Some(b) = &r.backoff {
            cx.expect_duration(b, "backoff");
        }
    }
}
