//! What the state machine needs of a policy, read once from its plan: the
//! level clauses in order, the remediations per level, the escalation
//! steps, and the `keep`, `nodata` and `flapping` clauses.

use super::clause::ClauseRule;
use upkeep_compiler::plan::{ActionCallPlan, PolicyPlan, StepPlan};

/// The levels, lowest first. A level's rank is its index.
pub const LEVELS: [&str; 3] = ["info", "warn", "crit"];

/// The rank of a level name; unknown names (which the checker refuses)
/// rank lowest.
pub fn rank(level: &str) -> usize {
    LEVELS.iter().position(|l| *l == level).unwrap_or(0)
}

#[derive(Clone, Debug)]
pub struct LevelClause {
    pub level: usize,
    pub rule: ClauseRule,
    /// Output indices of the condition and of the recover condition.
    pub condition: usize,
    pub recover: Option<usize>,
    pub message: Option<String>,
}

/// `nodata D => OUTCOME`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NodataOutcome {
    Level(usize),
    Ok,
    Keep,
}

#[derive(Clone, Debug)]
pub struct Remediation {
    pub level: usize,
    pub actions: Vec<ActionCallPlan>,
    /// (output index of the condition, seconds).
    pub verify: Option<(usize, f64)>,
    pub cooldown: Option<f64>,
    /// (count, per seconds, then escalate).
    pub at_most: Option<(u32, f64, bool)>,
    pub dry_run: bool,
    /// `at most P% of fleet`: the share (0.5 for 50%) of the policy's
    /// instances that may be under this remediation at once.
    pub fleet_share: Option<f64>,
    /// `concurrency N`: how many of its runs the executor performs at once
    /// (and for a task, how many instances may be under it at once).
    pub concurrency: Option<u32>,
    /// A task's steps: they run once per firing episode (per window) as soon
    /// as room allows, not only when the level starts firing; an instance
    /// that must wait for room waits, it is not held for good.
    pub rolling: bool,
}

#[derive(Clone, Debug)]
pub struct Rules {
    pub clauses: Vec<LevelClause>,
    pub remediations: Vec<Remediation>,
    /// (seconds after the start of the episode, action).
    pub escalation: Vec<(f64, ActionCallPlan)>,
    pub nodata: Option<(f64, NodataOutcome)>,
    /// (changes, seconds).
    pub flapping: Option<(u32, f64)>,
}

impl Rules {
    pub fn new(plan: &PolicyPlan) -> Rules {
        let clauses = plan
            .levels
            .iter()
            .map(|l| LevelClause {
                level: rank(&l.level),
                rule: ClauseRule {
                    hold: l.hold,
                    recover_hold: l.recover.map(|(_, h)| h),
                    keep: plan.keep,
                },
                condition: l.condition,
                recover: l.recover.map(|(o, _)| o),
                message: l.message.clone(),
            })
            .collect();
        let remediations = plan
            .remediations
            .iter()
            .map(|on| {
                let mut r = Remediation {
                    level: rank(&on.level),
                    actions: Vec::new(),
                    verify: None,
                    cooldown: None,
                    at_most: None,
                    dry_run: false,
                    fleet_share: None,
                    concurrency: None,
                    rolling: plan.task.is_some(),
                };
                for step in &on.steps {
                    match step {
                        StepPlan::Run(call) => r.actions.push(call.clone()),
                        StepPlan::Verify { condition, within } => {
                            r.verify = Some((*condition, *within))
                        }
                        StepPlan::Cooldown(d) => r.cooldown = Some(*d),
                        StepPlan::AtMost { count, per, then_escalate } => {
                            r.at_most = Some((*count, *per, *then_escalate))
                        }
                        StepPlan::DryRun => r.dry_run = true,
                        StepPlan::AtMostOfFleet(share) => r.fleet_share = Some(*share),
                        StepPlan::Concurrency(n) => r.concurrency = Some(*n),
                    }
                }
                r
            })
            .collect();
        let mut escalation: Vec<(f64, ActionCallPlan)> =
            plan.escalation.iter().map(|e| (e.after, e.call.clone())).collect();
        escalation.sort_by(|a, b| a.0.total_cmp(&b.0));
        let nodata = plan.nodata.as_ref().map(|(d, outcome)| {
            let outcome = match outcome.as_str() {
                "ok" => NodataOutcome::Ok,
                "keep" => NodataOutcome::Keep,
                level => NodataOutcome::Level(rank(level)),
            };
            (*d, outcome)
        });
        Rules { clauses, remediations, escalation, nodata, flapping: plan.flapping }
    }

    /// Whether an instance in its first state could change with these
    /// outputs: only a true condition or missing data move it.
    pub fn could_start(&self, outputs: &[f64], silent_for: f64) -> bool {
        let holds = |o: usize| outputs.get(o).is_some_and(|v| !v.is_nan() && *v != 0.0);
        self.clauses.iter().any(|c| holds(c.condition))
            || self.nodata.is_some_and(|(d, _)| silent_for >= d)
    }

    /// The output indices the state machine reads (conditions, recover and
    /// verify conditions), for callers that copy only what is needed.
    pub fn outputs(&self) -> impl Iterator<Item = usize> + '_ {
        self.clauses
            .iter()
            .flat_map(|c| std::iter::once(c.condition).chain(c.recover))
            .chain(self.remediations.iter().filter_map(|r| r.verify.map(|v| v.0)))
    }
}
