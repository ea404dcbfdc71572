//! The state of one instance of one policy, moved on by each evaluation:
//! its level clauses, the state of each level as people see it (ok,
//! pending, firing, suppressed, flapping, resolved), the firing episode
//! with its escalation steps, and the guards of its remediations.
//!
//! The machine is pure: it reads the evaluation's outcome and the time
//! it is given, and returns [`Change`]s; it never reads a clock and never
//! runs anything. Everything in it is serialisable, so that it can be
//! stored and moved with its (tenant, host) partition.

use super::clause::{ClauseState, Phase, hold_words, truth};
use super::rules::{LEVELS, NodataOutcome, Rules};
use crate::events::EventKind;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use upkeep_compiler::plan::ActionCallPlan;

/// A level's state as `expect` and the events name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LevelState {
    Ok,
    Pending,
    Firing,
    /// Stopped firing at the last evaluation.
    Resolved,
}

impl LevelState {
    pub fn name(self) -> &'static str {
        match self {
            LevelState::Ok => "ok",
            LevelState::Pending => "pending",
            LevelState::Firing => "firing",
            LevelState::Resolved => "resolved",
        }
    }
}

/// One evaluation's outcome for an instance.
#[derive(Clone, Copy, Debug)]
pub struct Observation<'a> {
    pub now: f64,
    /// The evaluator's outputs for this instance.
    pub outputs: &'a [f64],
    /// Seconds since the instance's newest sample.
    pub silent_for: f64,
    /// A policy this one depends on fires for this instance.
    pub suppressed: bool,
    /// Inside a `quiet during` calendar.
    pub quiet: bool,
    /// Per remediation (in [`Rules::remediations`] order): how many more
    /// instances of the policy may start it now under its `at most P% of
    /// fleet`; shared by the instances of one evaluation, which take from
    /// it. Empty when no remediation has that guard.
    pub fleet_room: &'a [std::cell::Cell<u32>],
}

/// Something that happened, for the caller to turn into an event.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub kind: EventKind,
    pub level: Option<usize>,
    pub from: Option<&'static str>,
    pub to: Option<&'static str>,
    pub reason: String,
    pub action: Option<ActionChange>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActionChange {
    pub call: ActionCallPlan,
    /// `on crit`, `escalate after 15m`.
    pub trigger: String,
    /// Episode and step, for the idempotency key.
    pub episode: u64,
    pub step: String,
    pub dry_run: bool,
}

/// A firing episode: from the instance's first firing level to its return
/// to no firing level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Episode {
    pub(super) id: u64,
    pub(super) start: f64,
    /// The next escalation step to take.
    pub(super) next_step: usize,
    /// Seconds the escalation was brought forward (`then escalate`, a
    /// failed `verify`).
    pub(super) advanced: f64,
    /// A task's work of this episode is done (verified, or run without a
    /// verify): its escalation is off, unless the run then fails.
    #[serde(default)]
    pub(super) completed: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Guard {
    /// Times the remediation ran, newest last (for `cooldown`, `at most`).
    pub(super) runs: VecDeque<f64>,
    /// A `verify` waiting: (deadline).
    pub(super) verifying: Option<f64>,
    /// A task's steps: the episode in which they ran (or were held by a
    /// guard for good), and the one in which waiting for room was reported.
    pub(super) done_in: Option<u64>,
    pub(super) waiting_in: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceState {
    pub(super) clauses: Vec<ClauseState>,
    pub(super) levels: [LevelState; 3],
    pub(super) suppressed: bool,
    pub(super) flapping: bool,
    pub(super) nodata: bool,
    /// Times of the level changes to or from firing, for `flapping`.
    pub(super) flips: VecDeque<f64>,
    pub(super) episode: Option<Episode>,
    pub(super) episodes: u64,
    pub(super) guards: Vec<Guard>,
}

impl InstanceState {
    pub fn new(rules: &Rules) -> InstanceState {
        InstanceState {
            clauses: vec![ClauseState::default(); rules.clauses.len()],
            levels: [LevelState::Ok; 3],
            suppressed: false,
            flapping: false,
            nodata: false,
            flips: VecDeque::new(),
            episode: None,
            episodes: 0,
            guards: vec![Guard::default(); rules.remediations.len()],
        }
    }

    /// Whether this state is that of a new instance, for all that can follow
    /// from it: the engine then drops it, so the many instances that never
    /// leave `ok` cost no memory. An instance that ever fired keeps its
    /// state (its episode count makes remediation keys unique).
    pub fn is_pristine(&self) -> bool {
        self.episodes == 0
            && self.clauses.iter().all(ClauseState::is_pristine)
            && self.levels.iter().all(|l| *l == LevelState::Ok)
            && !self.suppressed
            && !self.flapping
            && !self.nodata
            && self.flips.is_empty()
            && self.episode.is_none()
    }

    /// The state of `level` (a rank), as `expect` reads it: `ok`, `pending`,
    /// `firing`, `resolved`, or for a firing level `suppressed` or `flapping`.
    pub fn state_of(&self, level: usize) -> &'static str {
        match self.levels.get(level) {
            Some(LevelState::Firing) if self.suppressed => "suppressed",
            Some(LevelState::Firing) if self.flapping => "flapping",
            Some(s) => s.name(),
            None => "ok",
        }
    }

    /// Since when `level` has been in its state (pending, or firing): the
    /// earliest of its clauses in that phase. `None` for `ok`, `resolved`,
    /// or a level held by `nodata`.
    pub fn since(&self, rules: &Rules, level: usize) -> Option<f64> {
        let want_firing = self.levels.get(level) == Some(&LevelState::Firing);
        rules
            .clauses
            .iter()
            .zip(&self.clauses)
            .filter(|(c, s)| c.level == level && s.phase.is_firing() == want_firing)
            .filter_map(|(_, s)| s.phase.since())
            .reduce(f64::min)
    }

    /// The highest firing level, if any.
    pub fn firing_level(&self) -> Option<usize> {
        (0..LEVELS.len()).rev().find(|l| self.levels[*l] == LevelState::Firing)
    }

    /// The current firing episode's number, if the instance is in one.
    pub fn episode_id(&self) -> Option<u64> {
        self.episode.as_ref().map(|e| e.id)
    }

    /// Whether remediation `r` is waiting for its `verify`: the instance
    /// is under remediation, for `at most P% of fleet`.
    pub fn is_verifying(&self, r: usize) -> bool {
        self.guards.get(r).is_some_and(|g| g.verifying.is_some())
    }

    /// Whether every level is ok (nothing pending, firing or just resolved).
    pub fn is_ok(&self) -> bool {
        self.levels.iter().all(|l| *l == LevelState::Ok)
    }

    /// Moves the instance on by one evaluation.
    pub fn step(&mut self, rules: &Rules, obs: &Observation<'_>) -> Vec<Change> {
        let mut out = Vec::new();
        let now = obs.now;
        self.step_clauses(rules, obs, &mut out);
        let before = self.levels;
        let mut after = [LevelState::Ok; 3];
        for (clause, state) in rules.clauses.iter().zip(&self.clauses) {
            let s = match state.phase {
                p if p.is_firing() => LevelState::Firing,
                Phase::Pending { .. } => LevelState::Pending,
                _ => LevelState::Ok,
            };
            let slot = &mut after[clause.level];
            if level_order(s) > level_order(*slot) {
                *slot = s;
            }
        }
        if let (true, Some((_, NodataOutcome::Level(l)))) = (self.nodata, rules.nodata) {
            after[l] = LevelState::Firing;
        }
        for level in 0..LEVELS.len() {
            let (b, a) = (before[level], after[level]);
            let a = match (b, a) {
                (LevelState::Firing, LevelState::Ok | LevelState::Pending) => LevelState::Resolved,
                (_, a) => a,
            };
            self.levels[level] = a;
            if let Some(kind) = transition_kind(b, a) {
                if matches!(kind, EventKind::Firing | EventKind::Resolved) {
                    self.flips.push_back(now);
                }
                out.push(Change {
                    kind,
                    level: Some(level),
                    from: Some(b.name()),
                    to: Some(a.name()),
                    reason: self.reason_for(rules, level, kind),
                    action: None,
                });
            }
        }
        self.step_overlays(rules, obs, &mut out);
        self.step_episode(rules, obs, &before, &mut out);
        out
    }

    fn step_clauses(&mut self, rules: &Rules, obs: &Observation<'_>, out: &mut Vec<Change>) {
        let nodata_now = rules.nodata.is_some_and(|(d, _)| obs.silent_for >= d);
        if nodata_now && !self.nodata {
            out.push(Change {
                kind: EventKind::Nodata,
                level: None,
                from: None,
                to: None,
                reason: format!("no samples for {}", crate::render::duration(obs.silent_for)),
                action: None,
            });
        }
        self.nodata = nodata_now;
        if nodata_now {
            // `keep` and a level: the clauses stay as they are.
            if let Some(NodataOutcome::Ok) = rules.nodata.map(|n| n.1) {
                self.clauses.iter_mut().for_each(|c| *c = ClauseState::default());
            }
            return;
        }
        let value = |i: usize| obs.outputs.get(i).copied().unwrap_or(f64::NAN);
        for (clause, state) in rules.clauses.iter().zip(&mut self.clauses) {
            let cond = truth(value(clause.condition));
            let recover = clause.recover.and_then(|r| truth(value(r)));
            state.step(&clause.rule, obs.now, cond, recover);
        }
    }

    fn reason_for(&self, rules: &Rules, level: usize, kind: EventKind) -> String {
        if self.nodata && kind == EventKind::Firing {
            return "no samples for the `nodata` duration".into();
        }
        let phase_reason = rules
            .clauses
            .iter()
            .zip(&self.clauses)
            .filter(|(c, _)| c.level == level)
            .map(|(c, s)| (c, s.phase))
            .find(|(_, p)| match kind {
                EventKind::Firing => p.is_firing(),
                EventKind::Pending => matches!(p, Phase::Pending { .. }),
                _ => true,
            });
        match (kind, phase_reason) {
            (EventKind::Firing, Some((c, _))) => hold_words(c.rule.hold),
            (EventKind::Pending, _) => "condition true".into(),
            (EventKind::Cancelled, _) => "condition false before it was confirmed".into(),
            (EventKind::Resolved, Some((c, _))) if c.recover.is_some() => {
                "recover condition held".into()
            }
            (EventKind::Resolved, _) => "condition false".into(),
            _ => String::new(),
        }
    }

    fn step_overlays(&mut self, rules: &Rules, obs: &Observation<'_>, out: &mut Vec<Change>) {
        let firing = self.firing_level();
        let suppressed = obs.suppressed && firing.is_some();
        if suppressed != self.suppressed {
            self.suppressed = suppressed;
            let (kind, why) = if suppressed {
                (EventKind::Suppressed, "a policy it depends on fires")
            } else {
                (EventKind::Unsuppressed, "the policy it depends on stopped firing")
            };
            out.push(overlay(kind, firing, why.into()));
        }
        if let Some((changes, window)) = rules.flapping {
            while self.flips.front().is_some_and(|t| *t <= obs.now - window) {
                self.flips.pop_front();
            }
            let flapping = self.flips.len() > changes as usize;
            if flapping != self.flapping {
                self.flapping = flapping;
                let (kind, why) = if flapping {
                    (EventKind::Flapping, format!("{} changes", self.flips.len()))
                } else {
                    (EventKind::Stable, format!("{} changes", self.flips.len()))
                };
                let window = crate::render::duration(window);
                out.push(overlay(kind, firing, format!("{why} in {window}")));
            }
        } else {
            self.flips.clear();
        }
    }
}

pub(super) fn overlay(kind: EventKind, level: Option<usize>, reason: String) -> Change {
    Change { kind, level, from: None, to: None, reason, action: None }
}

fn level_order(s: LevelState) -> u8 {
    match s {
        LevelState::Ok | LevelState::Resolved => 0,
        LevelState::Pending => 1,
        LevelState::Firing => 2,
    }
}

fn transition_kind(before: LevelState, after: LevelState) -> Option<EventKind> {
    use LevelState::*;
    match (before, after) {
        (Ok | Resolved, Pending) => Some(EventKind::Pending),
        (Pending, Ok) => Some(EventKind::Cancelled),
        (Ok | Resolved | Pending, Firing) => Some(EventKind::Firing),
        (Firing, Resolved) => Some(EventKind::Resolved),
        _ => None,
    }
}
