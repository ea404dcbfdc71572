//! Actions, performed: after each evaluation of a policy, the engine hands
//! its events to the [`Actuator`] (the runtime's dispatcher, which runs
//! programs, sends webhooks and notifications, and keeps the ledger), puts
//! each outcome event right after its action, and when an `on LEVEL`
//! remediation failed, starts that instance's escalation at once — in the
//! same evaluation, so the outcome never depends on how the input was
//! batched. Without an actuator, actions stay events (`upkeep test`).

use super::Engine;
use super::events::{Episodes, TickEvents, event};
use crate::events::{Event, EventKind};
use crate::state::Change;

/// Performs the actions an evaluation decided on.
pub trait Actuator: std::fmt::Debug + Send {
    /// Performs the `action` events among `events` (one evaluation's, in
    /// order; the actuator sees the others too: a `resolved` that closes an
    /// episode resolves its notifications) and returns the outcome events,
    /// each with the index of the event it follows.
    fn perform(&mut self, events: &[Event]) -> Vec<(usize, Event)>;
}

/// Escalation rounds after failures within one evaluation: a failed step
/// can only bring forward steps that follow it, so the rounds end; the
/// bound only guards against a policy with thousands of steps.
const MAX_ROUNDS: usize = 64;

impl Engine {
    /// Runs actions through `actuator` from now on.
    pub fn set_actuator(&mut self, actuator: Box<dyn Actuator>) {
        self.actuator = Some(actuator);
    }

    /// Takes the actuator back (to flush or close it).
    pub fn take_actuator(&mut self) -> Option<Box<dyn Actuator>> {
        self.actuator.take()
    }

    pub(super) fn actuate(&mut self, p: usize, now: f64, mut tick: TickEvents) -> Vec<Event> {
        let Some(mut actuator) = self.actuator.take() else { return tick.events };
        let mut out = Vec::with_capacity(tick.events.len());
        for _ in 0..MAX_ROUNDS {
            if tick.events.is_empty() {
                break;
            }
            let outcomes = actuator.perform(&tick.events);
            let mut failed = Vec::new();
            let mut outcomes = outcomes.into_iter().peekable();
            for (k, e) in tick.events.drain(..).enumerate() {
                out.push(e);
                while let Some((_, outcome)) = outcomes.next_if(|(at, _)| *at == k) {
                    if self.escalates(p, &outcome) {
                        failed.push((tick.owners[k], outcome.episode.unwrap_or(0)));
                    }
                    out.push(outcome);
                }
            }
            out.extend(outcomes.map(|(_, e)| e));
            tick.owners.clear();
            for (i, episode) in failed {
                self.escalate_failed(p, i, now, episode, &mut tick);
            }
        }
        self.actuator = Some(actuator);
        out
    }

    /// Whether an outcome is a failed `on LEVEL` remediation that starts
    /// the escalation: a failure, or an interruption (the runtime died
    /// while it ran) of a remediation without a `verify` to decide.
    fn escalates(&self, p: usize, outcome: &Event) -> bool {
        let Some(action) = &outcome.action else { return false };
        let Some(level) = action.trigger.strip_prefix("on ") else { return false };
        match outcome.kind {
            EventKind::Failed => true,
            EventKind::Interrupted => !self.policies[p]
                .rules
                .remediations
                .iter()
                .any(|r| crate::state::LEVELS[r.level] == level && r.verify.is_some()),
            _ => false,
        }
    }

    fn escalate_failed(&mut self, p: usize, i: u32, now: f64, episode: u64, tick: &mut TickEvents) {
        let policy = &mut self.policies[p];
        let Some(state) = policy.instances.get_mut(i as usize).and_then(|x| x.state.as_mut())
        else {
            return;
        };
        let changes: Vec<Change> = state.remediation_failed(&policy.rules, now, episode);
        let id = state.episode_id();
        let episodes = Episodes { before: id, after: id };
        let nan = Vec::new();
        let outputs = tick.outputs.get(&i).unwrap_or(&nan);
        let instance = &policy.instances[i as usize];
        for change in changes {
            tick.events.push(event(policy, &self.index, instance, outputs, now, episodes, change));
            tick.owners.push(i);
        }
    }
}
