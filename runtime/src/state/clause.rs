//! One level clause of one instance: `warn when COND for D recover when
//! COND2 for D2`, tracked from evaluation to evaluation.
//!
//! A clause is `Inactive`, `Pending` (its condition holds but is not yet
//! confirmed), `Active` (confirmed: the level fires), `Recovering` (the
//! `recover when` condition holds and waits for its own `for`), or
//! `Keeping` (cleared, but `keep D` holds it firing a while longer).
//! An unknown condition (NaN) is neither true nor false: the clause stays
//! where it is, and time keeps running for the `for` it is in.

use serde::{Deserialize, Serialize};
use upkeep_compiler::plan::HoldPlan;

/// Where a clause is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Phase {
    Inactive,
    /// Since when the condition has held.
    Pending {
        since: f64,
    },
    /// Firing since `since`.
    Active {
        since: f64,
    },
    /// Firing since `since`; the recover condition has held since `recovering`.
    Recovering {
        since: f64,
        recovering: f64,
    },
    /// Firing since `since`; the condition cleared, `keep` holds it until `until`.
    Keeping {
        since: f64,
        until: f64,
    },
}

impl Phase {
    /// Since when the clause has been pending or firing.
    pub fn since(self) -> Option<f64> {
        match self {
            Phase::Inactive => None,
            Phase::Pending { since }
            | Phase::Active { since }
            | Phase::Recovering { since, .. }
            | Phase::Keeping { since, .. } => Some(since),
        }
    }

    pub fn is_firing(self) -> bool {
        matches!(self, Phase::Active { .. } | Phase::Recovering { .. } | Phase::Keeping { .. })
    }
}

/// A clause's tracker: its phase and the recent checks for `for N of M`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClauseState {
    pub phase: Phase,
    /// The last M outcomes, newest last, for `for N checks` and `for N of M
    /// checks` (true, false; an unknown check is not recorded).
    recent: Vec<bool>,
}

/// What a clause is made of, as the state machine needs it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClauseRule {
    pub hold: HoldPlan,
    /// The recover condition's hold, when the clause has `recover when`.
    pub recover_hold: Option<f64>,
    /// `keep D` of the policy.
    pub keep: Option<f64>,
}

/// A change of phase, with the words that explain it.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub from: Phase,
    pub to: Phase,
    pub reason: String,
}

impl Default for ClauseState {
    fn default() -> Self {
        ClauseState { phase: Phase::Inactive, recent: Vec::new() }
    }
}

/// A value from an evaluator as a condition: `Some(true)`, `Some(false)`,
/// or `None` when unknown.
pub fn truth(v: f64) -> Option<bool> {
    if v.is_nan() { None } else { Some(v != 0.0) }
}

impl ClauseState {
    /// Whether the clause is where a new one starts, as far as anything
    /// later can tell (false checks in its memory change nothing).
    pub fn is_pristine(&self) -> bool {
        self.phase == Phase::Inactive && !self.recent.iter().any(|c| *c)
    }

    /// Moves the clause on with the outcome of one evaluation at `now`:
    /// `cond` is the condition, `recover` the recover condition (when the
    /// clause has one). Returns the change, if there was one.
    pub fn step(
        &mut self,
        rule: &ClauseRule,
        now: f64,
        cond: Option<bool>,
        recover: Option<bool>,
    ) -> Option<Step> {
        if let Some(c) = cond {
            self.record(rule.hold, c);
        }
        let from = self.phase;
        let (to, reason) = self.next(rule, now, cond, recover)?;
        self.phase = to;
        Some(Step { from, to, reason })
    }

    fn record(&mut self, hold: HoldPlan, c: bool) {
        let keep = match hold {
            HoldPlan::Checks(n) => n as usize,
            HoldPlan::OfChecks(_, m) => m as usize,
            _ => 0,
        };
        if keep == 0 {
            return;
        }
        self.recent.push(c);
        if self.recent.len() > keep {
            let extra = self.recent.len() - keep;
            self.recent.drain(..extra);
        }
    }

    /// Whether the condition is confirmed after holding since `since`.
    fn confirmed(&self, hold: HoldPlan, now: f64, since: f64) -> bool {
        match hold {
            HoldPlan::None => true,
            HoldPlan::Seconds(d) => now - since >= d,
            HoldPlan::Checks(n) => {
                self.recent.len() >= n as usize && self.recent.iter().all(|c| *c)
            }
            HoldPlan::OfChecks(n, _) => self.recent.iter().filter(|c| **c).count() >= n as usize,
        }
    }

    /// Whether a pending clause is still pending when its condition is
    /// false now: only `for N of M checks` tolerates false checks, while
    /// some of the last M were true.
    fn still_pending(&self, hold: HoldPlan) -> bool {
        matches!(hold, HoldPlan::OfChecks(..)) && self.recent.iter().any(|c| *c)
    }

    fn next(
        &self,
        rule: &ClauseRule,
        now: f64,
        cond: Option<bool>,
        recover: Option<bool>,
    ) -> Option<(Phase, String)> {
        let hold = rule.hold;
        match self.phase {
            Phase::Inactive => match cond {
                Some(true) if self.confirmed(hold, now, now) => {
                    Some((Phase::Active { since: now }, "condition true".into()))
                }
                Some(true) => Some((Phase::Pending { since: now }, "condition true".into())),
                _ => None,
            },
            Phase::Pending { since } => match cond {
                Some(true) if self.confirmed(hold, now, since) => {
                    Some((Phase::Active { since: now }, hold_words(hold)))
                }
                Some(false) if self.still_pending(hold) => None,
                Some(false) => Some((Phase::Inactive, "condition false before confirmed".into())),
                Some(true) | None => {
                    // `for N of M`: confirmed by the checks alone.
                    if matches!(hold, HoldPlan::OfChecks(..)) && self.confirmed(hold, now, since) {
                        Some((Phase::Active { since: now }, hold_words(hold)))
                    } else {
                        None
                    }
                }
            },
            Phase::Active { since } => self.clearing(rule, now, since, cond, recover),
            Phase::Recovering { since, recovering } => match recover {
                Some(true) if now - recovering >= rule.recover_hold.unwrap_or(0.0) => {
                    Some(self.cleared(rule, now, since, "recover condition held"))
                }
                Some(false) => Some((Phase::Active { since }, "recover condition false".into())),
                _ => None,
            },
            Phase::Keeping { since, until } => match cond {
                Some(true) => Some((Phase::Active { since }, "condition true again".into())),
                _ if now >= until => Some((Phase::Inactive, "kept for `keep`, cleared".into())),
                _ => None,
            },
        }
    }

    /// An active clause: does it start to clear?
    fn clearing(
        &self,
        rule: &ClauseRule,
        now: f64,
        since: f64,
        cond: Option<bool>,
        recover: Option<bool>,
    ) -> Option<(Phase, String)> {
        let cleared_reason = match rule.recover_hold {
            Some(hold) => match recover {
                Some(true) if hold > 0.0 => {
                    return Some((
                        Phase::Recovering { since, recovering: now },
                        "recover condition true".into(),
                    ));
                }
                Some(true) => "recover condition true",
                _ => return None,
            },
            None => match cond {
                Some(false) => "condition false",
                _ => return None,
            },
        };
        Some(self.cleared(rule, now, since, cleared_reason))
    }

    /// The clause cleared: inactive, or kept firing for `keep`.
    fn cleared(&self, rule: &ClauseRule, now: f64, since: f64, why: &str) -> (Phase, String) {
        match rule.keep {
            Some(keep) if keep > 0.0 => (
                Phase::Keeping { since, until: now + keep },
                format!("{why}; kept firing for `keep`"),
            ),
            _ => (Phase::Inactive, why.into()),
        }
    }
}

/// Why a clause was confirmed, in words: "condition held for 10m".
pub fn hold_words(hold: HoldPlan) -> String {
    match hold {
        HoldPlan::None => "condition true".into(),
        HoldPlan::Seconds(d) => format!("condition held for {}", crate::render::duration(d)),
        HoldPlan::Checks(n) => format!("condition true in {n} checks in a row"),
        HoldPlan::OfChecks(n, m) => format!("condition true in {n} of the last {m} checks"),
    }
}
