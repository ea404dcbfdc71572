//! The state machine, one rule at a time: a policy plan is built by hand
//! with its conditions as outputs 0, 1, 2…, and the test feeds the values
//! those outputs take at each evaluation.

use super::*;
use crate::events::EventKind;
use upkeep_compiler::plan::{
    ActionCallPlan, EscalationPlan, HoldPlan, LevelPlan, OnPlan, PolicyPlan, StepPlan,
};

fn plan(levels: Vec<LevelPlan>) -> PolicyPlan {
    PolicyPlan {
        name: "p".into(),
        module: "m".into(),
        tenant: None,
        fleet: "all".into(),
        fleet_filter: None,
        every: 60.0,
        jitter: 0.0,
        inputs: Vec::new(),
        graph: Default::default(),
        levels,
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
    }
}

fn level(name: &str, condition: usize, hold: HoldPlan, recover: Option<(usize, f64)>) -> LevelPlan {
    LevelPlan { level: name.into(), condition, hold, recover, message: None }
}

fn call(name: &str) -> ActionCallPlan {
    ActionCallPlan { action: name.into(), args: Vec::new(), timeout: None, retry: None }
}

/// Runs evaluations every minute with the given outputs; returns, per
/// evaluation, the changes as `kind level` (or `kind level action`).
fn run(plan: &PolicyPlan, steps: &[&[f64]], suppressed_from: Option<usize>) -> Vec<Vec<String>> {
    let rules = Rules::new(plan);
    let mut state = InstanceState::new(&rules);
    steps
        .iter()
        .enumerate()
        .map(|(i, outputs)| {
            let obs = Observation {
                now: i as f64 * 60.0,
                outputs,
                silent_for: 0.0,
                suppressed: suppressed_from.is_some_and(|s| i >= s),
                quiet: false,
                fleet_room: &[],
            };
            state
                .step(&rules, &obs)
                .into_iter()
                .map(|c| {
                    let level = c.level.map_or("-", |l| LEVELS[l]);
                    match c.action {
                        Some(a) => format!("{} {level} {}", c.kind, a.call.action),
                        None => format!("{} {level}", c.kind),
                    }
                })
                .collect()
        })
        .collect()
}

const T: f64 = 1.0;
const F: f64 = 0.0;
const U: f64 = f64::NAN;

#[test]
fn for_a_duration_fires_once_it_has_held_that_long() {
    let p = plan(vec![level("warn", 0, HoldPlan::Seconds(120.0), None)]);
    let out = run(&p, &[&[F], &[T], &[T], &[T], &[F], &[F]], None);
    assert_eq!(out[1], ["pending warn"]);
    assert!(out[2].is_empty(), "held 1m of 2m: {out:?}");
    assert_eq!(out[3], ["firing warn"]);
    assert_eq!(out[4], ["resolved warn"]);
    assert!(out[5].is_empty(), "resolved shows once, then ok: {out:?}");
}

#[test]
fn a_false_check_before_confirmation_cancels_and_an_unknown_one_does_not() {
    let p = plan(vec![level("warn", 0, HoldPlan::Seconds(180.0), None)]);
    let out = run(&p, &[&[T], &[U], &[F], &[T], &[U], &[U], &[T]], None);
    assert_eq!(out[0], ["pending warn"]);
    assert!(out[1].is_empty(), "unknown keeps it pending: {out:?}");
    assert_eq!(out[2], ["cancelled warn"]);
    assert_eq!(out[3], ["pending warn"]);
    // Pending since 3m; unknown at 4m and 5m keeps the timer running: 6m fires.
    assert_eq!(out[6], ["firing warn"]);
}

#[test]
fn n_checks_in_a_row_and_n_of_m() {
    let p = plan(vec![level("crit", 0, HoldPlan::Checks(3), None)]);
    let out = run(&p, &[&[T], &[T], &[F], &[T], &[T], &[T]], None);
    assert_eq!(out[2], ["cancelled crit"]);
    assert_eq!(out[5], ["firing crit"]);

    let p = plan(vec![level("crit", 0, HoldPlan::OfChecks(3, 5), None)]);
    let out = run(&p, &[&[T], &[F], &[T], &[F], &[T]], None);
    assert_eq!(out[0], ["pending crit"]);
    assert!(out[1].is_empty() && out[3].is_empty(), "stays pending: {out:?}");
    assert_eq!(out[4], ["firing crit"]);
}

#[test]
fn recover_when_gives_hysteresis_with_its_own_hold() {
    // Output 0: the condition; output 1: the recover condition.
    let p = plan(vec![level("warn", 0, HoldPlan::None, Some((1, 120.0)))]);
    let out = run(&p, &[&[T, F], &[F, F], &[F, T], &[F, F], &[F, T], &[F, T], &[F, T]], None);
    assert_eq!(out[0], ["firing warn"]);
    assert!(out[1].is_empty(), "condition false but not recovered: {out:?}");
    assert!(out[2].is_empty() && out[3].is_empty(), "recovery interrupted: {out:?}");
    assert!(out[5].is_empty(), "recovering since 4m, 1m of 2m: {out:?}");
    assert_eq!(out[6], ["resolved warn"]);
}

#[test]
fn the_highest_level_and_each_level_are_visible() {
    let p = plan(vec![
        level("warn", 0, HoldPlan::None, None),
        level("crit", 1, HoldPlan::Seconds(60.0), None),
    ]);
    let rules = Rules::new(&p);
    let mut state = InstanceState::new(&rules);
    for (i, outs) in [[T, T], [T, T]].iter().enumerate() {
        let obs = Observation {
            now: i as f64 * 60.0,
            outputs: outs,
            silent_for: 0.0,
            suppressed: false,
            quiet: false,
            fleet_room: &[],
        };
        state.step(&rules, &obs);
        if i == 0 {
            assert_eq!((state.state_of(1), state.state_of(2)), ("firing", "pending"));
        }
    }
    assert_eq!(state.firing_level(), Some(2));
    assert_eq!(state.state_of(1), "firing");
}

#[test]
fn keep_holds_a_cleared_level_and_a_flap_back_restarts_it() {
    let mut p = plan(vec![level("crit", 0, HoldPlan::None, None)]);
    p.keep = Some(120.0);
    let out = run(&p, &[&[T], &[F], &[T], &[F], &[F], &[F]], None);
    assert_eq!(out[0], ["firing crit"]);
    assert!(out[1].is_empty() && out[2].is_empty() && out[4].is_empty(), "{out:?}");
    assert_eq!(out[5], ["resolved crit"]);
}

#[test]
fn remediation_guards_and_escalation() {
    let mut p = plan(vec![level("crit", 0, HoldPlan::None, None)]);
    p.remediations = vec![OnPlan {
        level: "crit".into(),
        steps: vec![
            StepPlan::Run(call("restart")),
            StepPlan::Cooldown(600.0),
            StepPlan::AtMost { count: 5, per: 3600.0, then_escalate: true },
        ],
    }];
    p.escalation = vec![
        EscalationPlan { after: 120.0, call: call("ticket") },
        EscalationPlan { after: 300.0, call: call("page") },
    ];
    let out = run(&p, &[&[T], &[F], &[T], &[T], &[T], &[F]], None);
    assert_eq!(out[0], ["firing crit", "action crit restart"]);
    assert_eq!(out[1], ["resolved crit"]);
    // Fires again at 2m: within the 10m cooldown, held; escalation restarts
    // with the new episode (ticket at 4m), cancelled at 5m before the page.
    assert_eq!(out[2], ["firing crit", "held crit restart"]);
    assert_eq!(out[4], ["action crit ticket"]);
    assert_eq!(out[5], ["resolved crit"]);
}

#[test]
fn a_failed_verify_escalates_at_once() {
    let mut p = plan(vec![level("crit", 0, HoldPlan::None, None)]);
    p.remediations = vec![OnPlan {
        level: "crit".into(),
        steps: vec![
            StepPlan::Run(call("cleanup")),
            StepPlan::Verify { condition: 1, within: 120.0 },
        ],
    }];
    p.escalation = vec![EscalationPlan { after: 3600.0, call: call("page") }];
    let out = run(&p, &[&[T, F], &[T, F], &[T, F], &[T, F]], None);
    assert_eq!(out[0], ["firing crit", "action crit cleanup"]);
    assert_eq!(out[2], ["verify_failed crit", "action crit page"]);
    assert!(out[3].is_empty());
}

#[test]
fn a_suppressed_instance_holds_its_escalation() {
    let mut p = plan(vec![level("crit", 0, HoldPlan::None, None)]);
    p.escalation = vec![EscalationPlan { after: 120.0, call: call("page") }];
    let out = run(&p, &[&[T], &[T], &[T], &[T]], Some(1));
    assert_eq!(out[1], ["suppressed crit"]);
    assert_eq!(out[2], ["held crit page"]);
    let rules = Rules::new(&p);
    assert_eq!(rules.escalation.len(), 1);
}

#[test]
fn flapping_holds_actions_until_stable() {
    let mut p = plan(vec![level("warn", 0, HoldPlan::None, None)]);
    p.flapping = Some((2, 600.0));
    p.remediations = vec![OnPlan { level: "warn".into(), steps: vec![StepPlan::Run(call("fix"))] }];
    let out = run(&p, &[&[T], &[F], &[T], &[F], &[T]], None);
    assert_eq!(out[0], ["firing warn", "action warn fix"]);
    assert_eq!(out[2], ["firing warn", "flapping warn", "held warn fix"]);
    assert_eq!(EventKind::Flapping.name(), "flapping");
}

#[test]
fn nodata_forces_its_level_and_ok_resets() {
    let mut p = plan(vec![level("warn", 0, HoldPlan::Seconds(600.0), None)]);
    p.nodata = Some((300.0, "crit".into()));
    let rules = Rules::new(&p);
    let mut state = InstanceState::new(&rules);
    let mut obs = Observation {
        now: 0.0,
        outputs: &[U],
        silent_for: 0.0,
        suppressed: false,
        quiet: false,
        fleet_room: &[],
    };
    assert!(state.step(&rules, &obs).is_empty());
    obs.now = 300.0;
    obs.silent_for = 300.0;
    let kinds: Vec<_> = state.step(&rules, &obs).into_iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [EventKind::Nodata, EventKind::Firing]);
    assert_eq!(state.state_of(2), "firing");

    p.nodata = Some((300.0, "ok".into()));
    let rules = Rules::new(&p);
    let mut state = InstanceState::new(&rules);
    obs = Observation {
        now: 0.0,
        outputs: &[T],
        silent_for: 0.0,
        suppressed: false,
        quiet: false,
        fleet_room: &[],
    };
    state.step(&rules, &obs);
    assert_eq!(state.state_of(1), "pending");
    obs.now = 400.0;
    obs.silent_for = 400.0;
    state.step(&rules, &obs);
    assert_eq!(state.state_of(1), "ok");
}

#[test]
fn keep_also_follows_a_recovery_with_its_own_hold() {
    let mut p = plan(vec![level("crit", 0, HoldPlan::None, Some((1, 60.0)))]);
    p.keep = Some(120.0);
    let out = run(&p, &[&[T, F], &[F, T], &[F, T], &[F, T], &[F, T], &[F, T]], None);
    assert_eq!(out[0], ["firing crit"]);
    // Recovering from 1m, held 1m at 2m: kept until 4m.
    assert!(out[2].is_empty() && out[3].is_empty(), "{out:?}");
    assert_eq!(out[4], ["resolved crit"]);
}
