//! When each policy's rows are evaluated, and in which order: a queue of
//! (time, dependency rank, policy, offset), earliest first. A policy's
//! rows run at `k · every + offset` on the epoch's grid, so the times do
//! not depend on when the runtime started, and two runtimes (or a restart)
//! evaluate at the same instants.

use super::policy::PolicyRt;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap, HashSet};
use upkeep_compiler::plan::{InputSpec, TextSource};

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Due {
    pub time: f64,
    pub rank: u32,
    pub policy: u32,
    pub offset: u32,
}

impl Eq for Due {}

impl Ord for Due {
    fn cmp(&self, other: &Self) -> Ordering {
        self.time
            .total_cmp(&other.time)
            .then(self.rank.cmp(&other.rank))
            .then(self.policy.cmp(&other.policy))
            .then(self.offset.cmp(&other.offset))
    }
}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Schedule {
    queue: BinaryHeap<Reverse<Due>>,
    scheduled: HashSet<(u32, u32)>,
    /// (policy, offset) → the rows evaluated together at that offset.
    pub rows: HashMap<(u32, u32), Vec<u32>>,
}

impl Schedule {
    /// Whether every policy and row the schedule names exists, given the
    /// number of rows of each policy (a restored snapshot is checked so).
    pub fn is_within(&self, rows: Vec<u32>) -> bool {
        let policy_ok = |p: u32| (p as usize) < rows.len();
        self.queue.iter().all(|Reverse(d)| policy_ok(d.policy))
            && self.scheduled.iter().all(|(p, _)| policy_ok(*p))
            && self.rows.iter().all(|((p, _), list)| {
                rows.get(*p as usize).is_some_and(|n| list.iter().all(|r| r < n))
            })
    }

    /// Registers a new row; its offset is scheduled from `t` on if it is
    /// the first row there.
    pub fn add_row(&mut self, p: u32, policy: &PolicyRt, row: u32, offset: u32, t: f64) {
        self.rows.entry((p, offset)).or_default().push(row);
        if self.scheduled.insert((p, offset)) {
            let every = policy.plan.every.max(1e-3);
            let off = f64::from(offset);
            let time = ((t - off) / every).ceil() * every + off;
            self.push(Due { time, rank: policy.rank, policy: p, offset });
        }
    }

    /// The next evaluations of the (policy, offset)s of `next` are at their
    /// `time` instead of whatever was scheduled (one rebuild of the queue).
    pub fn set_next(&mut self, next: Vec<Due>) {
        let replaced: HashSet<(u32, u32)> = next.iter().map(|d| (d.policy, d.offset)).collect();
        let queue = std::mem::take(&mut self.queue);
        self.queue = queue
            .into_iter()
            .filter(|Reverse(d)| !replaced.contains(&(d.policy, d.offset)))
            .chain(next.into_iter().map(Reverse))
            .collect();
        self.scheduled.extend(replaced);
    }

    /// The scheduled evaluations, in no order.
    pub fn queued(&self) -> impl Iterator<Item = &Due> {
        self.queue.iter().map(|Reverse(d)| d)
    }

    pub fn push(&mut self, due: Due) {
        self.queue.push(Reverse(due));
    }

    /// The next evaluation due before `t` (or at `t`, when `inclusive`).
    pub fn pop_due(&mut self, t: f64, inclusive: bool) -> Option<Due> {
        let Reverse(next) = self.queue.peek()?;
        if next.time < t || (inclusive && next.time <= t) {
            self.queue.pop().map(|r| r.0)
        } else {
            None
        }
    }
}

/// The metrics an input reads.
pub fn metrics_of(spec: &InputSpec) -> Vec<&str> {
    match spec {
        InputSpec::Latest(r)
        | InputSpec::Window { series: r, .. }
        | InputSpec::Ewma { series: r, .. } => {
            vec![r.metric.as_str()]
        }
        InputSpec::TextEq(a, b) => [a, b]
            .into_iter()
            .filter_map(|s| match s {
                TextSource::State(r) => Some(r.metric.as_str()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Resolves `depends on P by (labels)`: P is the policy named P, or every
/// instance of the template P (`P(…)`); without `by`, the same `host`.
pub fn dependencies(policies: &[PolicyRt]) -> Vec<Vec<(u32, Vec<String>)>> {
    policies
        .iter()
        .map(|p| {
            let mut deps = Vec::new();
            for (name, by) in &p.plan.depends_on {
                let by = if by.is_empty() {
                    vec![crate::series::HOST_LABEL.to_string()]
                } else {
                    by.clone()
                };
                for (q, other) in policies.iter().enumerate() {
                    let base = other.plan.name.split('(').next().unwrap_or("");
                    if (other.plan.name == *name || base == name) && !std::ptr::eq(other, p) {
                        deps.push((q as u32, by.clone()));
                    }
                }
            }
            deps
        })
        .collect()
}

/// Gives each policy a rank above those it depends on (cycles, which the
/// checker should refuse, are cut at a bounded depth).
pub fn rank(policies: &mut [PolicyRt], depends: &[Vec<(u32, Vec<String>)>]) {
    let n = policies.len();
    let mut ranks = vec![0u32; n];
    for _ in 0..n.min(64) {
        let mut changed = false;
        for p in 0..n {
            let want = depends[p].iter().map(|(q, _)| ranks[*q as usize] + 1).max().unwrap_or(0);
            if want > ranks[p] && want <= 64 {
                ranks[p] = want;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (p, r) in policies.iter_mut().zip(ranks) {
        p.rank = r;
    }
}
