//! Reloading a package without losing state: a new engine, built from the
//! recompiled plan, takes over a running one. Every series comes over with
//! its newest sample and is bound to the new policies; the policies that
//! did not change (the same plan, compared whole) keep their windows, their
//! instances' states — pending-since times, episodes, guard counters,
//! escalation steps — and their schedule. Changed and new policies start
//! from their first evaluation, as after a fresh start; removed ones are
//! gone.

use super::Engine;
use super::columns::Slot;
use super::schedule::Due;
use crate::series::SeriesId;

impl Engine {
    /// Takes over `old`'s series, watermark and counters, and the state of
    /// every policy whose plan is unchanged. `self` must be new (built from
    /// the new plan, fed nothing). The actuator is not moved: the caller
    /// gives the new engine one for the new plan's actions.
    pub fn take_over(&mut self, mut old: Engine) {
        let t = old.watermark;
        self.watermark = t;
        self.time_limit = old.time_limit;
        self.stats = old.stats.clone();
        // Series, under the new index's metric ids (by name); those of
        // metrics no new policy reads are left behind.
        let mut adopted: Vec<SeriesId> = Vec::new();
        for (i, series) in old.index.series.iter().enumerate() {
            let name = &old.index.metrics[series.metric as usize].name;
            if let Some(metric) = self.index.metric_id(name) {
                adopted.push(self.index.adopt(&old.index, SeriesId(i as u32), metric));
            }
        }
        for id in adopted {
            if self.index.hot[id.0 as usize].feeds == (0, 0) {
                self.bind(id, t.max(0.0));
            }
        }
        let mut next = Vec::new();
        for p in 0..self.policies.len() {
            let Some(q) = old.policies.iter().position(|o| o.plan == self.policies[p].plan) else {
                continue;
            };
            next.extend(self.keep_policy(p, &mut old, q));
        }
        self.schedule.set_next(next);
    }

    /// Policy `p` is `old`'s policy `q`, unchanged: its rows take their
    /// windows, EWMAs and instance states. Returns its next evaluations,
    /// where the old engine had them.
    fn keep_policy(&mut self, p: usize, old: &mut Engine, q: usize) -> Vec<Due> {
        let rank = self.policies[p].rank;
        let previous = &mut old.policies[q];
        let policy = &mut self.policies[p];
        for r in 0..policy.rows.len() {
            let Some(or) = previous.row_of(&policy.rows[r].key) else { continue };
            let or = or as usize;
            for c in 0..policy.rows[r].slots.len() {
                match (&mut policy.rows[r].slots[c], &previous.rows[or].slots[c]) {
                    (Slot::Window { window, .. }, Slot::Window { window: was, .. }) => {
                        if let (Some(w), Some(from)) = (
                            policy.windows.get_mut(*window as usize),
                            previous.windows.get_mut(*was as usize),
                        ) {
                            *w = from.clone();
                        }
                    }
                    (Slot::Ewma { value, .. }, Slot::Ewma { value: was, .. }) => *value = *was,
                    _ => {}
                }
            }
            let (i, oi) = (policy.rows[r].instance as usize, previous.rows[or].instance as usize);
            if policy.instances[i].state.is_none() {
                policy.instances[i].state = previous.instances[oi].state.take();
            }
        }
        let p = p as u32;
        old.schedule
            .queued()
            .filter(|d| d.policy == q as u32 && self.schedule.rows.contains_key(&(p, d.offset)))
            .map(|d| Due { time: d.time, rank, policy: p, offset: d.offset })
            .collect()
    }
}
