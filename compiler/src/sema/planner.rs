//! Building the [`Plan`] of a checked package: every plain policy and every
//! `apply` of a template becomes a [`PolicyPlan`] with its evaluator graph
//! (and its fleet's `where` as one more output) and the units of its `let`
//! values ([`units`]); every `calendar` a [`CalendarPlan`] ([`calendars`]);
//! every `test` a [`TestPlan`] ([`test_plans`], its series [`series`]).

mod actions;
mod calendars;
mod messages;
mod metrics;
mod series;
mod test_plans;
mod units;

pub(super) use units::{LetTypes, let_types};

use super::env::Env;
use super::lower::{LowerError, Lowered, Lowerer};
use crate::package::{Module, ModuleId};
use crate::plan::*;
use crate::resolve::DeclKind;
use upkeep_grammar::Span;
use upkeep_grammar::ast::{
    ActionCall, Arg, Clause, ClauseKind, Expr, ExprKind, Hold, Item, Param, StepKind,
};

/// A policy declaration: its module and its index among the module's items.
type DeclKey = (ModuleId, usize);

/// Planning errors, with the file each is in.
type Errors = Vec<(std::sync::Arc<crate::SourceFile>, LowerError)>;

/// A policy to plan: the declaration, the module it is in, the name of the
/// plan, the template arguments (for an `apply`), and the fleet.
struct Instance<'p> {
    /// The template's parameters (`None`: a plain policy or a task).
    params: Option<&'p [Param]>,
    clauses: &'p [Clause],
    span: Span,
    /// A `task`: its `when` is its one condition, its steps its remediation.
    task: bool,
    home: &'p Module,
    name: String,
    args: &'p [Arg],
    apply_module: &'p Module,
    fleet: String,
}

/// Plans a checked package; `lets` are the checker's types of the `let`s
/// of its policies, for the units of their values.
pub fn build(env: &Env<'_>, lets: &LetTypes) -> Result<Plan, Errors> {
    let mut plan = Plan { version: VERSION, ..Plan::default() };
    let mut errors = Vec::new();
    // The declaration each of `plan.policies` was planned from.
    let mut origins: Vec<DeclKey> = Vec::new();
    for module in &env.package.modules {
        for (index, item) in module.parsed.file.items.iter().enumerate() {
            match item {
                Item::Metric(m) => {
                    // The checker already evaluated the metric's unit.
                    let scale = env.metrics.get(&(module.id, index)).map_or(1.0, |info| info.scale);
                    plan.metrics.push(metrics::metric(env, m, scale));
                }
                Item::Policy(p) if p.params.is_none() => {
                    let inst = Instance {
                        params: None,
                        clauses: &p.clauses,
                        span: p.span,
                        task: false,
                        home: module,
                        name: p.name.name.clone(),
                        args: &[],
                        apply_module: module,
                        fleet: p.fleet.name.clone(),
                    };
                    match policy(env, lets, &inst) {
                        Ok(pp) => {
                            plan.policies.push(pp);
                            origins.push((module.id, index));
                        }
                        Err(e) => errors.push((module.file.clone(), e)),
                    }
                }
                Item::Apply(a) => {
                    let Some(d) = env
                        .scopes
                        .of(module.id)
                        .lookup(&a.policy.name)
                        .filter(|d| d.kind == DeclKind::Policy)
                    else {
                        continue;
                    };
                    let home = env.package.module(d.module);
                    let Item::Policy(p) = &home.parsed.file.items[d.item] else { continue };
                    // `disk_space(mount: "/data")`: the template and its arguments as written.
                    let args: Vec<&str> = a
                        .args
                        .iter()
                        .map(|arg| module.file.text.get(arg.span.range()).unwrap_or("?"))
                        .collect();
                    let name = format!("{}({})", a.policy.name, args.join(", "));
                    let inst = Instance {
                        params: p.params.as_deref(),
                        clauses: &p.clauses,
                        span: p.span,
                        task: false,
                        home,
                        name,
                        args: &a.args,
                        apply_module: module,
                        fleet: a.fleet.name.clone(),
                    };
                    match policy(env, lets, &inst) {
                        Ok(pp) => {
                            plan.policies.push(pp);
                            origins.push((d.module, d.item));
                        }
                        Err(e) => errors.push((module.file.clone(), e)),
                    }
                }
                Item::Task(t) => {
                    let inst = Instance {
                        params: None,
                        clauses: &t.clauses,
                        span: t.span,
                        task: true,
                        home: module,
                        name: t.name.name.clone(),
                        args: &[],
                        apply_module: module,
                        fleet: t.fleet.name.clone(),
                    };
                    match policy(env, lets, &inst) {
                        Ok(pp) => {
                            plan.policies.push(pp);
                            origins.push((module.id, index));
                        }
                        Err(e) => errors.push((module.file.clone(), e)),
                    }
                }
                Item::Calendar(c) => match calendars::calendar(env, module, c) {
                    Ok(cp) => plan.calendars.push(cp),
                    Err(e) => errors.push((module.file.clone(), e)),
                },
                Item::Action(a) => plan.actions.push(actions::action(module, a)),
                _ => {}
            }
        }
    }
    plan.tests = test_plans::build(env, lets, &plan.policies, &origins, &mut errors);
    plan.metrics.sort_by(|a, b| a.name.cmp(&b.name));
    plan.metrics.dedup_by(|a, b| a.name == b.name);
    if errors.is_empty() { Ok(plan) } else { Err(errors) }
}

fn policy(env: &Env<'_>, lets: &LetTypes, inst: &Instance<'_>) -> Result<PolicyPlan, LowerError> {
    let mut lw = Lowerer::new(env, inst.home);
    // Template parameters: the apply's arguments (lowered where the apply
    // is written), else the defaults.
    if let Some(params) = inst.params {
        let mut arg_lowerer = Lowerer::new(env, inst.apply_module);
        for (i, p) in params.iter().enumerate() {
            let arg = inst
                .args
                .iter()
                .find(|a| a.name.as_ref().is_some_and(|n| n.name == p.name.name))
                .or_else(|| inst.args.get(i).filter(|a| a.name.is_none()));
            let value = match (arg, &p.default) {
                (Some(a), _) => transfer(&mut arg_lowerer, &mut lw, &a.value)?,
                (None, Some(d)) => lw.lower(d)?,
                (None, None) => {
                    return Err(LowerError {
                        message: format!("missing `{}`", p.name.name),
                        span: inst.span,
                    });
                }
            };
            lw.scope.insert(p.name.name.clone(), value);
        }
    }
    let mut pp = PolicyPlan {
        name: inst.name.clone(),
        module: inst.home.path.clone(),
        tenant: env.scopes.of(inst.apply_module.id).tenant.clone(),
        fleet: inst.fleet.clone(),
        fleet_filter: None,
        every: 60.0,
        jitter: 0.0,
        inputs: Vec::new(),
        graph: Default::default(),
        levels: Vec::new(),
        values: Vec::new(),
        value_units: Vec::new(),
        texts: Vec::new(),
        message: None,
        keep: None,
        nodata: None,
        flapping: None,
        labels: Vec::new(),
        remediations: Vec::new(),
        escalation: Vec::new(),
        quiet_during: Vec::new(),
        pause_during: Vec::new(),
        depends_on: Vec::new(),
        evaluator: String::new(),
        task: None,
    };
    // A task's `during` calendars, `when` and steps.
    let mut during = Vec::new();
    let mut when = None;
    let mut task_steps = Vec::new();
    for clause in inst.clauses {
        match &clause.kind {
            ClauseKind::Every { interval, jitter } => {
                pp.every = lw.constant(interval)?;
                if let Some(j) = jitter {
                    pp.jitter = lw.constant(j)?;
                }
            }
            ClauseKind::Let { name, value } => {
                let l = lw.lower(value)?;
                // A gauge named by a `let` (`let free = disk.free{…}`) is a
                // value too: its latest sample, for messages.
                let number = match &l {
                    Lowered::Num(v) => Some(*v),
                    Lowered::Series(_, super::types::MetricKind::Gauge) => lw.num(value).ok(),
                    _ => None,
                };
                match &l {
                    Lowered::Text(TextSource::State(series))
                    | Lowered::Series(series, super::types::MetricKind::State) => {
                        pp.texts.push((name.name.clone(), series.clone()))
                    }
                    _ => {}
                }
                if let Some(v) = number {
                    let out = lw.output(v);
                    pp.values.push((name.name.clone(), out));
                    // Its type is the template's, whatever the arguments.
                    let ty = lets.get(&(inst.home.id, value.span));
                    pp.value_units
                        .push(ty.map_or_else(String::new, |ty| units::unit_of(ty, &env.units)));
                }
                lw.scope.insert(name.name.clone(), l);
            }
            ClauseKind::Level(level) => {
                let c = lw.num(&level.cond)?;
                let condition = lw.output(c);
                let hold = match &level.hold {
                    None => HoldPlan::None,
                    Some(Hold::Duration(d)) => HoldPlan::Seconds(lw.constant(d)?),
                    Some(Hold::Checks(n)) => HoldPlan::Checks(lw.constant(n)? as u32),
                    Some(Hold::OfChecks(n, m)) => {
                        HoldPlan::OfChecks(lw.constant(n)? as u32, lw.constant(m)? as u32)
                    }
                };
                let recover = match &level.recover {
                    Some(r) => {
                        let v = lw.num(&r.cond)?;
                        let hold = match &r.hold {
                            Some(h) => lw.constant(h)?,
                            None => 0.0,
                        };
                        Some((lw.output(v), hold))
                    }
                    None => None,
                };
                let message = level.message.as_ref().map(|m| messages::constants_in(&m.raw, &lw));
                pp.levels.push(LevelPlan {
                    level: level.level.name.clone(),
                    condition,
                    hold,
                    recover,
                    message,
                });
            }
            ClauseKind::Keep(d) => pp.keep = Some(lw.constant(d)?),
            ClauseKind::Nodata { after, outcome } => {
                pp.nodata = Some((lw.constant(after)?, outcome.name.clone()))
            }
            ClauseKind::Flapping { changes, window } => {
                pp.flapping = Some((lw.constant(changes)? as u32, lw.constant(window)?))
            }
            ClauseKind::Message(m) => pp.message = Some(messages::constants_in(&m.raw, &lw)),
            ClauseKind::Labels(fields) => {
                for f in fields {
                    pp.labels.push((f.key.name.clone(), text_of(&mut lw, &f.value)));
                }
            }
            ClauseKind::On { level, steps } => {
                let mut plan_steps = Vec::new();
                for s in steps {
                    plan_steps.extend(step(&mut lw, &s.kind)?);
                }
                pp.remediations.push(OnPlan { level: level.name.clone(), steps: plan_steps });
            }
            ClauseKind::Escalate(steps) => {
                for s in steps {
                    pp.escalation.push(EscalationPlan {
                        after: lw.constant(&s.after)?,
                        call: call(&mut lw, &s.call)?,
                    });
                }
            }
            ClauseKind::Quiet(c) => pp.quiet_during.push(c.name.clone()),
            ClauseKind::Pause(c) => pp.pause_during.push(c.name.clone()),
            ClauseKind::Depends { policy, on } => pp
                .depends_on
                .push((policy.name.clone(), on.iter().flatten().map(|i| i.name.clone()).collect())),
            ClauseKind::During(c) => during.push(c.name.clone()),
            ClauseKind::When(e) => when = Some(lw.num(e)?),
            ClauseKind::Step(s) => task_steps.extend(step(&mut lw, &s.kind)?),
            ClauseKind::Error => {}
        }
    }
    if inst.task {
        // Due (level `info`, firing) while inside its calendars with its
        // precondition true; its steps run once per host and window.
        let due = when.unwrap_or_else(|| lw.graph.push(crate::ir::Node::Const(1.0)));
        let condition = lw.output(due);
        pp.levels.push(LevelPlan {
            level: "info".into(),
            condition,
            hold: HoldPlan::None,
            recover: None,
            message: None,
        });
        pp.remediations.push(OnPlan { level: "info".into(), steps: task_steps });
        pp.task = Some(TaskPlan { during });
    }
    pp.fleet_filter = fleet_filter(env, inst, &mut lw)?;
    pp.inputs = std::mem::take(&mut lw.inputs);
    pp.graph = crate::ir::optimize(&lw.graph);
    let evaluator = crate::jit::Evaluator::new(pp.graph.clone());
    pp.evaluator = match evaluator.fallback_reason() {
        Some(reason) => format!("{}: {reason}", evaluator.kind()),
        None => evaluator.kind().to_string(),
    };
    Ok(pp)
}

/// The output of the `where` of the policy's fleet, lowered into the
/// policy's graph (after everything else, so that the policy's own outputs
/// keep their indices). The fleet is the one visible where the policy or
/// apply is written; its filter's names resolve in the fleet's own module,
/// with none of the policy's `let`s or parameters in scope. `None`: a fleet
/// of every host (`fleet all = hosts`), or `hosts` itself.
fn fleet_filter<'p>(
    env: &Env<'p>,
    inst: &Instance<'_>,
    lw: &mut Lowerer<'_, 'p>,
) -> Result<Option<usize>, LowerError> {
    let Some(d) = env
        .scopes
        .of(inst.apply_module.id)
        .lookup(&inst.fleet)
        .filter(|d| d.kind == DeclKind::Fleet)
    else {
        return Ok(None);
    };
    let home = env.package.module(d.module);
    let Item::Fleet(f) = &home.parsed.file.items[d.item] else { return Ok(None) };
    let Some(filter) = &f.filter else { return Ok(None) };
    let saved_scope = std::mem::take(&mut lw.scope);
    let saved_module = std::mem::replace(&mut lw.module, home);
    let v = lw.num(filter);
    (lw.scope, lw.module) = (saved_scope, saved_module);
    Ok(Some(lw.output(v?)))
}

/// Lowers an `apply` argument in the apply's module, then re-expresses it
/// in the template's lowerer (constants and texts carry over; anything else
/// is lowered again where the template is).
fn transfer(
    from: &mut Lowerer<'_, '_>,
    to: &mut Lowerer<'_, '_>,
    e: &Expr,
) -> Result<Lowered, LowerError> {
    match from.lower(e)? {
        Lowered::Num(v) => match super::lower::fold(&from.graph, v) {
            Some(c) => Ok(Lowered::Num(to.graph.push(crate::ir::Node::Const(c)))),
            None => Err(LowerError {
                message: "a template argument must be a constant".into(),
                span: e.span,
            }),
        },
        other => Ok(other),
    }
}

fn step(lw: &mut Lowerer<'_, '_>, kind: &StepKind) -> Result<Option<StepPlan>, LowerError> {
    Ok(Some(match kind {
        StepKind::Run(c) => StepPlan::Run(call(lw, c)?),
        StepKind::Verify { cond, within } => {
            let v = lw.num(cond)?;
            StepPlan::Verify { condition: lw.output(v), within: lw.constant(within)? }
        }
        StepKind::Cooldown(d) => StepPlan::Cooldown(lw.constant(d)?),
        StepKind::AtMost { count, per, then_escalate } => StepPlan::AtMost {
            count: lw.constant(count)? as u32,
            per: lw.constant(per)?,
            then_escalate: *then_escalate,
        },
        StepKind::AtMostOfFleet(share) => StepPlan::AtMostOfFleet(lw.constant(share)?),
        StepKind::Concurrency(n) => StepPlan::Concurrency(lw.constant(n)? as u32),
        StepKind::DryRun => StepPlan::DryRun,
        StepKind::Error => return Ok(None),
    }))
}

fn call(lw: &mut Lowerer<'_, '_>, c: &ActionCall) -> Result<ActionCallPlan, LowerError> {
    let args = c
        .args
        .iter()
        .enumerate()
        .map(|(i, a)| {
            (a.name.as_ref().map_or(i.to_string(), |n| n.name.clone()), text_of(lw, &a.value))
        })
        .collect();
    let retry = match &c.retry {
        Some(r) => Some((
            lw.constant(&r.count)? as u32,
            match &r.backoff {
                Some(b) => lw.constant(b)?,
                None => 0.0,
            },
        )),
        None => None,
    };
    Ok(ActionCallPlan {
        action: c.action.name.clone(),
        args,
        timeout: c.timeout.as_ref().map(|t| lw.constant(t)).transpose()?,
        retry,
    })
}

/// An argument or label value as a text template for the runtime:
/// strings as written, constants as their value, names as `{name}`.
fn text_of(lw: &mut Lowerer<'_, '_>, e: &Expr) -> String {
    match &e.kind {
        ExprKind::Str(s) => s.raw.clone(),
        ExprKind::Name(n) => match lw.scope.get(&n.name) {
            Some(Lowered::Text(crate::plan::TextSource::Const(t))) => t.clone(),
            _ => format!("{{{}}}", n.name),
        },
        _ => match lw.constant(e) {
            Ok(v) => format!("{v}"),
            Err(_) => lw.module.file.text.get(e.span.range()).unwrap_or("").to_string(),
        },
    }
}
