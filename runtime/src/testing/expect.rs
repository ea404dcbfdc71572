//! Checking `expect` lines against a running engine and its events.
//!
//! - `expect LEVEL STATE on {…} at T` holds when some instance whose labels
//!   match is in that state at that level after the evaluations at T;
//! - `expect ok on {…} at T` when every matching instance is ok (nothing
//!   pending, firing or just resolved) — also when none exists;
//! - `expect action NAME` / `expect event KIND` when such an event of a
//!   matching instance happened at T (without `at`: at any time);
//! - `expect no action [NAME]` when none did.
//!
//! Labels are matched against the instance's identity, its series' labels
//! and its host's labels (`client` is the tenant).

use crate::engine::Engine;
use crate::engine::Matcher;
use crate::events::{Event, EventKind};
use crate::render::duration;
use crate::state::rank;
use upkeep_compiler::plan::{Expect, ExpectPlan, TestPlan};

/// An expectation that did not hold, with what happened instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub line: u32,
    /// The `expect` line as written.
    pub text: String,
    pub expected: String,
    pub actual: Vec<String>,
}

pub struct Checker<'t> {
    test: &'t TestPlan,
    matchers: Vec<Vec<Matcher>>,
    passed: usize,
    failures: Vec<Failure>,
}

impl<'t> Checker<'t> {
    pub fn new(test: &'t TestPlan) -> Checker<'t> {
        let matchers = test
            .expectations
            .iter()
            .map(|e| e.on.iter().map(|(l, op, v)| Matcher::new(l, op, v)).collect())
            .collect();
        Checker { test, matchers, passed: 0, failures: Vec::new() }
    }

    pub fn finish(self) -> (usize, Vec<Failure>) {
        let mut failures = self.failures;
        failures.sort_by_key(|f| f.line);
        (self.passed, failures)
    }

    /// Checks the expectations at time `at`.
    pub fn check_at(&mut self, engine: &Engine, events: &[Event], at: f64) {
        for (k, e) in self.test.expectations.iter().enumerate() {
            if e.at == Some(at) {
                self.check(engine, events, k, e, Some(at));
            }
        }
    }

    /// Checks the expectations without `at`.
    pub fn check_whole_run(&mut self, engine: &Engine, events: &[Event]) {
        for (k, e) in self.test.expectations.iter().enumerate() {
            if e.at.is_none() {
                self.check(engine, events, k, e, None);
            }
        }
    }

    fn check(
        &mut self,
        engine: &Engine,
        events: &[Event],
        k: usize,
        e: &ExpectPlan,
        at: Option<f64>,
    ) {
        let matchers = &self.matchers[k];
        let result = match &e.what {
            Expect::State { level, state } => {
                let states = instance_states(engine, matchers, rank(level));
                let ok = states.iter().any(|(_, s)| s == state);
                let actual = if states.is_empty() {
                    vec!["no instance matches".to_string()]
                } else {
                    states.iter().map(|(who, s)| format!("{level} is {s} on {who}")).collect()
                };
                (ok, format!("{level} {state}"), actual)
            }
            Expect::Ok => {
                let all = instance_states_all(engine, matchers);
                let not_ok: Vec<String> = all
                    .iter()
                    .filter(|(_, states)| !states.is_empty())
                    .map(|(who, states)| format!("{} on {who}", states.join(", ")))
                    .collect();
                (not_ok.is_empty(), "ok".to_string(), not_ok)
            }
            Expect::Action(name) => {
                let found = matching_events(events, matchers, at, |ev| {
                    ev.kind == EventKind::Action
                        && ev.action.as_ref().is_some_and(|a| &a.name == name)
                });
                (!found.is_empty(), format!("action {name}"), actions_seen(events, matchers))
            }
            Expect::NoAction(name) => {
                let found = matching_events(events, matchers, at, |ev| {
                    ev.kind == EventKind::Action
                        && name
                            .as_ref()
                            .is_none_or(|n| ev.action.as_ref().is_some_and(|a| &a.name == n))
                });
                let what =
                    name.as_deref().map_or("no action".to_string(), |n| format!("no action {n}"));
                (found.is_empty(), what, found.iter().map(|e| describe(e)).collect())
            }
            Expect::Event(kind) => {
                let found =
                    matching_events(events, matchers, at, |ev| ev.kind.name() == kind.as_str());
                let seen = matching_events(events, matchers, None, |_| true);
                (
                    !found.is_empty(),
                    format!("event {kind}"),
                    seen.iter().map(|e| describe(e)).collect(),
                )
            }
        };
        let (ok, expected, actual) = result;
        if ok {
            self.passed += 1;
        } else {
            let when = at.map_or(String::new(), |t| format!(" at {}", duration(t)));
            self.failures.push(Failure {
                line: e.line,
                text: e.text.clone(),
                expected: format!("{expected}{when}"),
                actual,
            });
        }
    }
}

/// `(instance, state of level)` for every matching instance.
fn instance_states(engine: &Engine, matchers: &[Matcher], level: usize) -> Vec<(String, String)> {
    matching(engine, matchers, |inst| inst.state_of(level).to_string())
}

/// `(instance, the levels that are not ok)` for every matching instance.
fn instance_states_all(engine: &Engine, matchers: &[Matcher]) -> Vec<(String, Vec<String>)> {
    matching(engine, matchers, |inst| {
        crate::state::LEVELS
            .iter()
            .enumerate()
            .filter(|(l, _)| inst.state_of(*l) != "ok")
            .map(|(l, name)| format!("{name} {}", inst.state_of(l)))
            .collect()
    })
}

/// `(instance, what(instance))` for every instance of every policy whose
/// labels match.
fn matching<T>(
    engine: &Engine,
    matchers: &[Matcher],
    what: impl Fn(&crate::engine::Instance) -> T,
) -> Vec<(String, T)> {
    let mut out = Vec::new();
    for (p, policy) in engine.policies.iter().enumerate() {
        for (i, inst) in policy.instances.iter().enumerate() {
            let labels = |name: &str| engine.instance_label(p, i, name);
            if matchers.iter().all(|m| m.matches_value(labels)) {
                out.push((who(&policy.plan.name, &policy.identity(inst)), what(inst)));
            }
        }
    }
    out
}

fn who(policy: &str, labels: &[(std::sync::Arc<str>, std::sync::Arc<str>)]) -> String {
    let parts: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{policy}{{{}}}", parts.join(", "))
}

fn matching_events<'e>(
    events: &'e [Event],
    matchers: &[Matcher],
    at: Option<f64>,
    what: impl Fn(&Event) -> bool,
) -> Vec<&'e Event> {
    events
        .iter()
        .filter(|e| at.is_none_or(|t| (e.ts - t).abs() < 1e-6))
        .filter(|e| what(e))
        .filter(|e| {
            matchers.iter().all(|m| {
                m.matches_value(|name| match name {
                    "client" => e.tenant.clone(),
                    _ => e.instance.get(name).cloned(),
                })
            })
        })
        .collect()
}

fn actions_seen(events: &[Event], matchers: &[Matcher]) -> Vec<String> {
    let seen = matching_events(events, matchers, None, |e| {
        matches!(e.kind, EventKind::Action | EventKind::Held)
    });
    if seen.is_empty() {
        return vec!["no action of a matching instance at any time".into()];
    }
    seen.iter().map(|e| describe(e)).collect()
}

/// An event in a line: `26m  crit firing on disk_space{host="db1"}: …`.
pub fn describe(e: &Event) -> String {
    let level = e.level.as_deref().map_or(String::new(), |l| format!(" {l}"));
    let action = e.action.as_ref().map_or(String::new(), |a| format!(" {}", a.name));
    format!(
        "{:>7}  {}{level}{action} on {}{} ({})",
        duration(e.ts),
        e.kind,
        e.policy,
        e.instance_text(),
        e.reason
    )
}
