//! The instance state machine (LANGUAGE §6): level clauses with their
//! `for` and `recover when`, the levels people see, firing episodes with
//! their remediations and escalation steps. Pure and serialisable: it is
//! given the time and the evaluation's outcome, and says what changed.

mod clause;
mod episode;
mod instance;
mod rules;

pub use clause::{ClauseRule, ClauseState, Phase, truth};
pub use instance::{ActionChange, Change, InstanceState, LevelState, Observation};
pub use rules::{LEVELS, NodataOutcome, Remediation, Rules, rank};

#[cfg(test)]
mod tests;
