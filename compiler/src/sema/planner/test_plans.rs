//! `test` blocks as the runtime runs them: the policies a test evaluates,
//! its generated series and its expectations, as [`TestPlan`]s.
//!
//! A test names a policy or a template. A plain policy runs as the package
//! plans it; a template is instantiated with its defaults on its own fleet
//! and named `template()`. Along with it run the policies it depends on and
//! those that depend on it, each transitively (not their other
//! dependencies' dependants: a sibling that also depends on `site_down` can
//! neither suppress the tested policy nor be suppressed by it). A series'
//! values become a generator in [`super::series`].

use super::super::env::Env;
use super::super::lower::{LowerError, Lowered, Lowerer};
use super::{DeclKey, Errors, Instance, LetTypes, policy};
use crate::SourceFile;
use crate::package::{Module, Origin};
use crate::plan::{Expect, ExpectPlan, PolicyPlan, SeriesGen, TestPlan, TextSource};
use crate::resolve::DeclKind;
use std::collections::BTreeSet;
use std::sync::Arc;
use upkeep_grammar::Span;
use upkeep_grammar::ast::{
    ClauseKind, Expectation, Expr, Item, MatchOp, Matcher, TestDecl, TestItem, TestItemKind,
};

/// A test that could not be planned, and the file the reason is in.
type Failure = (Arc<SourceFile>, LowerError);

/// Every `test` of the package, the stdlib's included. `policies` are the
/// package's planned policies and `origins` the declaration of each.
///
/// A user's test that cannot be planned is an error, as a policy is. A
/// stdlib test that cannot be planned (a bug of Upkeep: every one is
/// planned today, see `the_stdlib_tests_are_planned`) is left out, so that
/// it never keeps a package from compiling.
pub(super) fn build(
    env: &Env<'_>,
    lets: &LetTypes,
    policies: &[PolicyPlan],
    origins: &[DeclKey],
    errors: &mut Errors,
) -> Vec<TestPlan> {
    let graph = Dependencies {
        origins,
        depends: origins.iter().map(|&key| depends_on(env, key)).collect(),
    };
    let mut tests = Vec::new();
    for module in &env.package.modules {
        for item in &module.parsed.file.items {
            let Item::Test(t) = item else { continue };
            match test(env, lets, module, t, policies, &graph) {
                Ok(Some(plan)) => tests.push(plan),
                Ok(None) => {}
                Err(_) if module.origin == Origin::Stdlib => {}
                Err(failure) => errors.push(failure),
            }
        }
    }
    tests
}

/// The planned policies' declarations and the declarations each depends on.
struct Dependencies<'a> {
    origins: &'a [DeclKey],
    depends: Vec<Vec<DeclKey>>,
}

impl Dependencies<'_> {
    /// Indexes of the planned policies that `key` depends on and that depend
    /// on `key`, transitively, in package order; none planned from `key`.
    fn related(&self, key: DeclKey, own: Vec<DeclKey>) -> BTreeSet<usize> {
        let mut found = BTreeSet::new();
        // Upwards: what it depends on, and what that depends on.
        let mut wanted: BTreeSet<DeclKey> = own.into_iter().collect();
        self.close(key, &mut found, &mut wanted, |this, i, wanted| {
            wanted.contains(&this.origins[i]).then(|| this.depends[i].clone())
        });
        // Downwards: what depends on it, and what depends on that.
        let mut wanted: BTreeSet<DeclKey> = [key].into();
        self.close(key, &mut found, &mut wanted, |this, i, wanted| {
            this.depends[i].iter().any(|d| wanted.contains(d)).then(|| vec![this.origins[i]])
        });
        found
    }

    /// Adds policies until none is added: `step` says whether policy `i`
    /// belongs, and which declarations it brings into `wanted`.
    fn close(
        &self,
        key: DeclKey,
        found: &mut BTreeSet<usize>,
        wanted: &mut BTreeSet<DeclKey>,
        step: impl Fn(&Self, usize, &BTreeSet<DeclKey>) -> Option<Vec<DeclKey>>,
    ) {
        let mut seen = BTreeSet::new();
        loop {
            let mut grew = false;
            for i in 0..self.origins.len() {
                if self.origins[i] == key || seen.contains(&i) {
                    continue;
                }
                if let Some(more) = step(self, i, wanted) {
                    seen.insert(i);
                    found.insert(i);
                    wanted.extend(more);
                    grew = true;
                }
            }
            if !grew {
                return;
            }
        }
    }
}

/// The policies a policy declaration's `depends on` clauses name, resolved
/// where the declaration is written.
fn depends_on(env: &Env<'_>, (module, item): DeclKey) -> Vec<DeclKey> {
    let Item::Policy(p) = &env.package.module(module).parsed.file.items[item] else {
        return Vec::new();
    };
    p.clauses
        .iter()
        .filter_map(|c| match &c.kind {
            ClauseKind::Depends { policy, .. } => env.scopes.of(module).lookup(&policy.name),
            _ => None,
        })
        .filter(|d| d.kind == DeclKind::Policy)
        .map(|d| (d.module, d.item))
        .collect()
}

fn test(
    env: &Env<'_>,
    lets: &LetTypes,
    module: &Module,
    t: &TestDecl,
    policies: &[PolicyPlan],
    graph: &Dependencies<'_>,
) -> Result<Option<TestPlan>, Failure> {
    let here = |e: LowerError| (module.file.clone(), e);
    // An unknown policy has been reported by the checker.
    let Some(d) = env
        .scopes
        .of(module.id)
        .lookup(&t.name.name)
        .filter(|d| matches!(d.kind, DeclKind::Policy | DeclKind::Task))
    else {
        return Ok(None);
    };
    let key = (d.module, d.item);
    let home = env.package.module(d.module);
    let params = match &home.parsed.file.items[d.item] {
        Item::Policy(p) => p.params.as_ref().map(|params| (p, params)),
        Item::Task(_) => None,
        _ => return Ok(None),
    };
    let tested = match params {
        // Its plan, unless planning it failed (and was reported).
        None => match graph.origins.iter().position(|&o| o == key) {
            Some(i) => policies[i].clone(),
            None => return Ok(None),
        },
        Some((p, params)) => {
            if let Some(missing) = params.iter().find(|p| p.default.is_none()) {
                return Err(here(error(
                    t.name.span,
                    format!(
                        "test `{}` needs a default for parameter `{}`: a template is tested with its defaults",
                        t.name.name, missing.name.name
                    ),
                )));
            }
            let inst = Instance {
                params: p.params.as_deref(),
                clauses: &p.clauses,
                span: p.span,
                task: false,
                home,
                name: format!("{}()", p.name.name),
                args: &[],
                apply_module: home,
                fleet: p.fleet.name.clone(),
            };
            policy(env, lets, &inst).map_err(|e| (home.file.clone(), e))?
        }
    };
    let mut plan = TestPlan {
        name: t.name.name.clone(),
        module: module.path.clone(),
        tenant: env.scopes.of(module.id).tenant.clone(),
        line: line(module, t.span),
        policies: vec![tested],
        series: Vec::new(),
        expectations: Vec::new(),
    };
    let related = graph.related(key, depends_on(env, key));
    plan.policies.extend(related.into_iter().map(|i| policies[i].clone()));
    for item in &t.items {
        match &item.kind {
            TestItemKind::Series { metric, labels, value, every, duration } => {
                let mut lw = Lowerer::new(env, module);
                plan.series.push(SeriesGen {
                    metric: metric.name.clone(),
                    labels: labels
                        .iter()
                        .map(|m| label(&mut lw, m))
                        .collect::<Result<_, _>>()
                        .map_err(here)?,
                    values: super::series::generator(env, module, metric, value).map_err(here)?,
                    every: every.as_ref().map(|e| lw.constant(e)).transpose().map_err(here)?,
                    duration: duration
                        .as_ref()
                        .map(|e| lw.constant(e))
                        .transpose()
                        .map_err(here)?,
                    line: line(module, item.span),
                });
            }
            TestItemKind::Expect { what, on, at } => {
                plan.expectations.push(expectation(env, module, item, what, on, at).map_err(here)?)
            }
            TestItemKind::Error => {}
        }
    }
    Ok(Some(plan))
}

/// `host="db1"` in a series: the label and its value.
fn label(lw: &mut Lowerer<'_, '_>, m: &Matcher) -> Result<(String, String), LowerError> {
    if m.op != MatchOp::Eq {
        return Err(error(m.span, "a test series sets its labels with `=`".into()));
    }
    Ok((m.label.name.clone(), constant_text(lw, &m.value)?))
}

fn constant_text(lw: &mut Lowerer<'_, '_>, e: &Expr) -> Result<String, LowerError> {
    match lw.lower(e)? {
        Lowered::Text(TextSource::Const(text)) => Ok(text),
        _ => Err(error(e.span, "a label's value here must be constant text".into())),
    }
}

fn expectation(
    env: &Env<'_>,
    module: &Module,
    item: &TestItem,
    what: &Expectation,
    on: &Option<Vec<Matcher>>,
    at: &Option<Expr>,
) -> Result<ExpectPlan, LowerError> {
    let mut lw = Lowerer::new(env, module);
    let what = match what {
        Expectation::State { level, .. } if level.name == "ok" => Expect::Ok,
        Expectation::State { level, state } => Expect::State {
            level: level.name.clone(),
            state: state.as_ref().map_or("firing", |s| s.name.as_str()).to_string(),
        },
        Expectation::Action(name) => Expect::Action(name.name.clone()),
        Expectation::NoAction(name) => Expect::NoAction(name.as_ref().map(|n| n.name.clone())),
        Expectation::Event(kind) => Expect::Event(kind.name.clone()),
    };
    let on = on
        .iter()
        .flatten()
        .map(|m| {
            let value = constant_text(&mut lw, &m.value)?;
            Ok((m.label.name.clone(), m.op.symbol().to_string(), value))
        })
        .collect::<Result<_, LowerError>>()?;
    Ok(ExpectPlan {
        what,
        on,
        at: at.as_ref().map(|e| lw.constant(e)).transpose()?,
        line: line(module, item.span),
        text: module.file.text.get(item.span.range()).unwrap_or("").trim().to_string(),
    })
}

/// The 1-based line where a span starts.
fn line(module: &Module, span: Span) -> u32 {
    module.file.line_col(span.start).line as u32
}

fn error(span: Span, message: String) -> LowerError {
    LowerError { message, span }
}
