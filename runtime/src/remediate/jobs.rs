//! Performing the actions of one evaluation: each job is a program, a
//! webhook or a notification, already recorded as started in the ledger.
//! Jobs of one remediation run at most `concurrency N` at once (and never
//! more than `[exec] parallel`); different remediations run side by side.
//! Every job ends with an outcome, also when it could not be started.

use crate::exec::{ActionOutcome, ActionRequest, Executor, Status};
use crate::notify::{Delivery, deliver};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// What a job does.
#[derive(Debug)]
pub enum Work {
    Run(ActionRequest),
    Notify(Delivery),
    /// Nothing can run: the outcome is this error (no route to the host, no
    /// such channel), recorded like any other.
    Refused(String),
}

#[derive(Debug)]
pub struct Job {
    /// The remediation it belongs to, for `concurrency N`: (policy, trigger).
    pub group: (String, String),
    /// At most this many jobs of the group at once.
    pub limit: u32,
    pub work: Work,
}

/// Performs `jobs`; the outcomes are in the order of the jobs.
pub fn perform(jobs: &[Job], executor: &Executor) -> Vec<ActionOutcome> {
    let mut groups: BTreeMap<&(String, String), Vec<usize>> = BTreeMap::new();
    for (i, job) in jobs.iter().enumerate() {
        groups.entry(&job.group).or_default().push(i);
    }
    let results: Vec<Mutex<Option<ActionOutcome>>> =
        jobs.iter().map(|_| Mutex::new(None)).collect();
    // One cursor per group, outside the scope: the workers borrow them.
    let cursors: Vec<AtomicUsize> = groups.values().map(|_| AtomicUsize::new(0)).collect();
    std::thread::scope(|scope| {
        for (members, next) in groups.values().zip(&cursors) {
            let limit = jobs[members[0]].limit.max(1) as usize;
            let results = &results;
            let workers = limit.min(members.len());
            // One group's workers; the scope joins them all at its end.
            for _ in 0..workers {
                scope.spawn(move || {
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&i) = members.get(n) else { break };
                        let outcome = run(&jobs[i].work, executor);
                        if let Ok(mut slot) = results[i].lock() {
                            *slot = Some(outcome);
                        }
                    }
                });
            }
        }
    });
    results
        .into_iter()
        .map(|m| {
            m.into_inner().ok().flatten().unwrap_or_else(|| refused("the worker stopped".into()))
        })
        .collect()
}

fn run(work: &Work, executor: &Executor) -> ActionOutcome {
    match work {
        Work::Run(request) => executor.run(request),
        Work::Notify(delivery) => deliver(delivery, executor),
        Work::Refused(why) => refused(why.clone()),
    }
}

fn refused(why: String) -> ActionOutcome {
    ActionOutcome {
        status: Status::Error(why),
        attempts: 0,
        duration: Duration::ZERO,
        stdout_excerpt: String::new(),
        stderr_excerpt: String::new(),
    }
}
