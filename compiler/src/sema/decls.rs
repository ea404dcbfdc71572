//! Declarations other than policies: fleets, actions, functions, `apply`,
//! tests — and the tenancy rule across all of them.

use super::env::TARGET_LABELS;
use super::expr::{Cx, Names, compatible};
use super::policy::{LEVELS, fleet};
use super::types::Ty;
use crate::diagnostics::{Code, Diagnostic, Label, Severity};
use crate::resolve::{DeclKind, DeclRef};
use upkeep_grammar::ast::{
    ActionBody, ActionDecl, ApplyDecl, BinaryOp, Expectation, Expr, ExprKind, FleetDecl, FnDecl,
    TestDecl, TestItemKind,
};

pub fn check_fleet(cx: &mut Cx<'_, '_>, f: &FleetDecl) {
    let Some(filter) = &f.filter else { return };
    cx.expect_bool(filter, "a fleet's `where`");
    let mut equalities: Vec<(String, String, &Expr)> = Vec::new();
    conjunct_equalities(filter, &mut equalities);
    for (i, (label, value, e)) in equalities.iter().enumerate() {
        if let Some((_, other, _)) =
            equalities[..i].iter().find(|(l, v, _)| l == label && v != value)
        {
            let mut d = Diagnostic::error(
                Code::FleetNeverMatches,
                &cx.module.file,
                format!("fleet `{}` can never match: `{label}` cannot be both \"{other}\" and \"{value}\"", f.name.name),
                Label::new(e.span, "contradicts an earlier condition"),
            )
            .with_help(format!("to match either, write `{label} in [\"{other}\", \"{value}\"]`"));
            d.severity = Severity::Warning;
            cx.out.push(d);
        }
    }
}

/// `a == "x" and b == "y"` → [(a, x), (b, y)]; stops at anything but `and`.
fn conjunct_equalities<'a>(e: &'a Expr, out: &mut Vec<(String, String, &'a Expr)>) {
    match &e.kind {
        ExprKind::Binary { op: BinaryOp::And, lhs, rhs } => {
            conjunct_equalities(lhs, out);
            conjunct_equalities(rhs, out);
        }
        ExprKind::Binary { op: BinaryOp::Eq, lhs, rhs } => {
            if let (ExprKind::Name(n), ExprKind::Str(s)) = (&lhs.kind, &rhs.kind)
                && let Some(v) = s.as_plain()
            {
                out.push((n.name.clone(), v, e));
            }
        }
        _ => {}
    }
}

pub fn check_action(cx: &mut Cx<'_, '_>, a: &ActionDecl, decl: DeclRef) {
    let sig = cx.env.signature(decl).cloned().unwrap_or_default();
    for (param, (_, ty, _)) in a.params.iter().zip(sig.params) {
        cx.bind(&param.name, ty, false);
    }
    match &a.body {
        ActionBody::Exec { argv } => {
            if argv.is_empty() {
                cx.error(
                    Code::BadAction,
                    a.name.span,
                    format!("action `{}` runs nothing: its argv is empty", a.name.name),
                    "empty `exec []`",
                );
            }
            for arg in argv {
                match cx.value(arg) {
                    Ty::Text | Ty::Unknown => {}
                    other => {
                        let f = other.describe(&cx.env.units);
                        cx.error(Code::ExecArgNotText, arg.span, format!("`exec` arguments are text, found {f}"), "not text")
                            .help = Some("interpolate it into a string: `\"{name}\"`; argv is passed to the program as it is, never through a shell".into());
                    }
                }
            }
        }
        ActionBody::Webhook { url, body } => {
            cx.expect_text(url, "a webhook's URL");
            if let Some(b) = body {
                cx.value(b);
            }
        }
        ActionBody::Notify { channel } => match &channel.kind {
            // A bare name is the channel's name, configured outside policy files.
            ExprKind::Name(_) => {}
            _ => cx.expect_text(channel, "a notification channel"),
        },
    }
}

pub fn check_fn(cx: &mut Cx<'_, '_>, f: &FnDecl, decl: DeclRef) {
    let sig = cx.env.signature(decl).cloned().unwrap_or_default();
    for (param, (_, ty, _)) in f.params.iter().zip(sig.params) {
        cx.bind(&param.name, ty, false);
    }
    let body = cx.value(&f.body);
    if let Some(ret) = &sig.ret
        && !compatible(ret, &body)
    {
        let (e, found) = (ret.describe(&cx.env.units), body.describe(&cx.env.units));
        cx.error(
            Code::TypeMismatch,
            f.body.span,
            format!("`{}` promises {e} but computes {found}", f.name.name),
            found,
        );
    }
}

pub fn check_apply(cx: &mut Cx<'_, '_>, a: &ApplyDecl) {
    fleet(cx, &a.fleet);
    let Some(d) = cx.decl(&a.policy, &[DeclKind::Policy]) else {
        cx.unknown(Code::UnknownPolicy, "policy", &a.policy, &[DeclKind::Policy]);
        return;
    };
    let Some(sig) = cx.env.signature(d).cloned() else {
        cx.error(Code::NotATemplate, a.policy.span, format!("`{}` is not a template: it has no parameters", a.policy.name), "a plain policy")
            .help = Some("a plain policy already runs on its own fleet; declare parameters, as in `policy disk_space(mount: text) on …`, to apply it".into());
        return;
    };
    cx.check_args(&a.policy, &sig, &a.args, "policy");
}

pub fn check_test(cx: &mut Cx<'_, '_>, t: &TestDecl) {
    // A test is named after the policy (or task) it tests (a template is
    // tested with its defaults); the runner evaluates that policy.
    if cx.decl(&t.name, &[DeclKind::Policy, DeclKind::Task]).is_none() {
        let near = cx
            .env
            .scopes
            .of(cx.module.id)
            .suggest(&t.name.name, &[DeclKind::Policy, DeclKind::Task]);
        cx.error(
            Code::TestOfUnknownPolicy,
            t.name.span,
            format!("there is no policy `{}` to test", t.name.name),
            "not a policy",
        )
        .help = Some(match near {
            Some(s) => format!("a test is named after the policy it tests: did you mean `{s}`?"),
            None => {
                "a test is named after the policy it tests; declare or import that policy".into()
            }
        });
    }
    for item in &t.items {
        match &item.kind {
            TestItemKind::Series { metric, labels, value, every, duration } => {
                let dim = match cx.decl(metric, &[DeclKind::Metric]) {
                    Some(d) => cx.env.metric(d).map(|m| (m.dim.clone(), m.labels.clone())),
                    None => {
                        cx.unknown(Code::UnknownMetric, "metric", metric, &[DeclKind::Metric]);
                        None
                    }
                };
                if let Some((_, declared)) = &dim {
                    for m in labels {
                        // A test series may carry host labels (role, site…) as well.
                        let ok = declared.contains(&m.label.name)
                            || TARGET_LABELS.contains(&m.label.name.as_str())
                            || cx.env.host_labels.contains(&m.label.name);
                        if !ok {
                            let listed = declared.join(", ");
                            cx.error(
                                Code::UnknownLabel,
                                m.label.span,
                                format!("metric `{}` has no label `{}`", metric.name, m.label.name),
                                "not a label of this metric",
                            )
                            .help = Some(format!(
                                "its labels: {listed}; every series also has {}, and hosts have {}",
                                TARGET_LABELS.join(", "),
                                super::env::INVENTORY_LABELS.join(", ")
                            ));
                        }
                    }
                }
                let saved = cx.names;
                cx.names = Names::TestSeries;
                let ty = cx.value(value);
                cx.names = saved;
                if let (Some((dim, _)), Ty::Number(found)) = (&dim, &ty)
                    && dim != found
                    && !found.is_dimensionless()
                {
                    let (e, f) = (cx.env.units.display(dim), cx.env.units.display(found));
                    cx.error(
                        Code::DimensionMismatch,
                        value.span,
                        format!("`{}` is in {e}, but this series is in {f}", metric.name),
                        f.to_string(),
                    );
                }
                if let Some(e) = every {
                    cx.expect_duration(e, "every");
                }
                if let Some(d) = duration {
                    cx.expect_duration(d, "for");
                }
            }
            TestItemKind::Expect { what, at, .. } => {
                match what {
                    Expectation::State { level, state } => {
                        if level.name != "ok" {
                            super::policy::level_name(cx, level);
                        }
                        if let Some(s) = state {
                            state_name(cx, s);
                        }
                    }
                    Expectation::Event(kind) => event_kind(cx, kind),
                    Expectation::Action(name) | Expectation::NoAction(Some(name)) => {
                        if cx.decl(name, &[DeclKind::Action]).is_none() {
                            cx.unknown(Code::UnknownAction, "action", name, &[DeclKind::Action]);
                        }
                    }
                    Expectation::NoAction(None) => {}
                }
                if let Some(at) = at {
                    cx.expect_duration(at, "at");
                }
            }
            TestItemKind::Error => {}
        }
    }
}

const STATES: &[&str] = &["ok", "pending", "firing", "resolved", "suppressed", "flapping"];

fn state_name(cx: &mut Cx<'_, '_>, s: &upkeep_grammar::ast::Ident) {
    if LEVELS.contains(&s.name.as_str()) {
        return;
    }
    known_name(cx, s, STATES, "state", "the states are");
}

/// `expect event KIND`: one of the kinds the runtime emits.
fn event_kind(cx: &mut Cx<'_, '_>, s: &upkeep_grammar::ast::Ident) {
    known_name(cx, s, crate::plan::EVENT_KINDS, "event kind", "the event kinds are");
}

/// Reports `s` (E0306) unless it is one of `names`, with the closest one
/// as a fix.
fn known_name(
    cx: &mut Cx<'_, '_>,
    s: &upkeep_grammar::ast::Ident,
    names: &[&str],
    what: &str,
    all: &str,
) {
    if names.contains(&s.name.as_str()) {
        return;
    }
    let near = crate::suggest::closest(&s.name, names.iter().copied());
    let message = format!("unknown {what} `{}`", s.name);
    cx.error(Code::UnknownState, s.span, message, format!("not {} {what}", article(what))).help =
        Some(match near {
            Some(n) => format!("did you mean `{n}`?"),
            None => format!("{all} {}", names.join(", ")),
        });
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

/// A file with `tenant T` may use provider-wide declarations and its own,
/// but not another tenant's.
pub fn check_tenancy(cx: &mut Cx<'_, '_>) {
    let Some(own) = cx.env.scopes.of(cx.module.id).tenant.clone() else { return };
    let referenced = std::mem::take(&mut cx.referenced);
    for (decl, span) in referenced {
        let Some(theirs) = cx.env.scopes.of(decl.module).tenant.clone() else { continue };
        if theirs != own {
            let home = &cx.env.package.module(decl.module).file;
            let name = home.text.get(decl.name_span.range()).unwrap_or("?").to_string();
            cx.error(
                Code::CrossTenant,
                span,
                format!("tenant `{own}` uses `{name}`, a {} of tenant `{theirs}`", decl.kind.describe()),
                format!("belongs to `{theirs}`"),
            )
            .help = Some("each client's policies may use only their own declarations and the provider-wide ones (files without `tenant`); move shared things to a provider-wide module".into());
        }
    }
}
