//! The dispatcher: what turns `action` events into remediations that run
//! exactly once. For each action an evaluation decides on, it
//!
//! 1. builds the idempotency key (tenant, policy, instance, episode, step)
//!    and asks the ledger: a key already finished is not run again — its
//!    recorded outcome is reported instead (after a restart, the input
//!    since the last checkpoint is evaluated again and decides the same
//!    actions); a key started but never finished is `interrupted`;
//! 2. renders it — `exec` through the configured transport, `webhook` as
//!    it is, `notify` through the tenant's channel — records it as started
//!    (the record is on disk before anything runs), performs it under its
//!    `timeout` and `retry`, at most `concurrency N` at once, and records
//!    the outcome;
//! 3. records the actions guards held back and those of a dry run, and
//!    when an episode ends, resolves the notifications it sent.
//!
//! The engine calls it through [`Actuator`] after each evaluation, and
//! escalates at once when an `on LEVEL` remediation failed.

pub mod config;
mod jobs;
mod outcome;
pub mod transport;

use crate::engine::Actuator;
use crate::events::{ActionRecord, Event, EventKind};
use crate::exec::{self, Executor, Limits, Mode, Prepared};
use crate::notify::{Channels, Phase};
use crate::store::{Begin, LedgerStatus, Outcome, RemediationKey, Store, StoreError, now_ms};
use config::RuntimeConfig;
use jobs::{Job, Work};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;
use upkeep_compiler::plan::{ActionPlan, Plan, StepPlan};

/// What the dispatcher did, for the run summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DispatchStats {
    /// Actions performed (programs, webhooks, notifications, resolves).
    pub performed: u64,
    pub succeeded: u64,
    pub failed: u64,
    /// Outcomes reported from the ledger: decided again after a restart,
    /// not run again.
    pub from_ledger: u64,
    /// Found started but unfinished after a crash: reported, not re-run.
    pub interrupted: u64,
    /// Held back by a guard.
    pub held: u64,
    /// Recorded only.
    pub dry_run: u64,
    /// Ledger writes that failed (the action was then not run).
    pub store_errors: u64,
}

/// Why the dispatcher cannot start.
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Channels(#[from] crate::notify::ChannelError),
}

#[derive(Debug)]
pub struct Dispatcher {
    actions: HashMap<String, ActionPlan>,
    config: RuntimeConfig,
    env: Vec<(String, String)>,
    channels: Channels,
    executor: Executor,
    /// `--dry-run`: record everything, run nothing.
    dry_run: bool,
    /// (policy, `on LEVEL`) → `concurrency N`.
    concurrency: HashMap<(String, String), u32>,
    store: Store,
    pub stats: DispatchStats,
    /// Keys found started but unfinished when the dispatcher opened the
    /// store: the last run died while they ran.
    pub interrupted_at_start: Vec<RemediationKey>,
}

impl Dispatcher {
    /// A dispatcher for `plan`'s actions, with `config`'s transport and
    /// channels (secrets read from `env` now), over `store`. Marks the
    /// actions a previous run left unfinished as interrupted.
    pub fn new(
        plan: &Plan,
        config: RuntimeConfig,
        env: &dyn Fn(&str) -> Option<String>,
        mut store: Store,
        dry_run: bool,
    ) -> Result<Dispatcher, DispatchError> {
        let channels = Channels::new(&config.notify, env)?;
        let interrupted_at_start = store.mark_interrupted_on_startup(now_ms())?;
        let allow: Vec<&str> = config.exec.env.iter().map(String::as_str).collect();
        Ok(Dispatcher {
            actions: actions_of(plan),
            env: exec::env_with_allow_list(&allow),
            channels,
            executor: Executor::new(if dry_run { Mode::DryRun } else { Mode::Live }),
            dry_run,
            concurrency: concurrency_of(plan),
            config,
            store,
            stats: DispatchStats::default(),
            interrupted_at_start,
        })
    }

    /// Acts for a recompiled package from now on (`upkeep serve`'s
    /// reload): its actions and guards; the ledger, the channels and the
    /// configuration stay.
    pub fn reload(&mut self, plan: &Plan) {
        self.actions = actions_of(plan);
        self.concurrency = concurrency_of(plan);
    }

    /// The store, for checkpoints.
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// One action event: its job, or its outcome at once.
    fn action(
        &mut self,
        at: usize,
        e: &Event,
        a: &ActionRecord,
        jobs: &mut Vec<(usize, Job, Pending)>,
        out: &mut Vec<(usize, Event)>,
    ) {
        let (work, what) = self.render(e, a);
        let entry = outcome::entry(e, a, &what);
        if self.dry_run || a.dry_run {
            self.stats.dry_run += 1;
            let why = json!({"status": "dry run", "would_run": what}).to_string();
            let recorded = self.store.record_not_run(&entry, LedgerStatus::DryRun, &why, now_ms());
            self.record(recorded);
            return;
        }
        match self.store.begin_remediation(&entry, now_ms()) {
            Ok(Begin::Started) => {
                let group = (e.policy.clone(), a.trigger.clone());
                let limit = self
                    .concurrency
                    .get(&group)
                    .copied()
                    .unwrap_or(u32::MAX)
                    .min(self.config.exec.parallel);
                jobs.push((
                    at,
                    Job { group, limit, work },
                    Pending { key: entry.key, what, event: e.clone() },
                ));
            }
            Ok(Begin::AlreadyDone(Outcome::Completed { outcome, .. })) => {
                self.stats.from_ledger += 1;
                let outcome = serde_json::from_str(&outcome).unwrap_or(Value::Null);
                out.push((at, outcome::outcome_event(e, outcome)));
            }
            Ok(Begin::AlreadyDone(Outcome::Interrupted { .. }) | Begin::AlreadyStarted) => {
                self.stats.interrupted += 1;
                out.push((at, outcome::outcome_event(e, outcome::interrupted())));
            }
            Ok(Begin::AlreadyDone(Outcome::NotRun { .. })) => {}
            Err(err) => {
                // Without a record, running it could run it twice: it fails.
                self.stats.store_errors += 1;
                let failed = json!({"status": format!("error: not run, the ledger cannot record it: {err}")});
                out.push((at, outcome::outcome_event(e, failed)));
            }
        }
    }

    /// The work of an action event, and what it runs (without secrets).
    fn render(&self, e: &Event, a: &ActionRecord) -> (Work, Value) {
        let Some(plan) = self.actions.get(&a.name) else {
            let why = format!("no action `{}` in the package", a.name);
            return (Work::Refused(why.clone()), json!({"refused": why}));
        };
        let limits = Limits {
            cwd: self.config.exec.cwd.clone(),
            timeout: a.timeout.map_or(self.config.exec.timeout, secs),
            retry: a.retry.map(|(n, d)| (n, secs(d))),
        };
        let prepared = match exec::prepare(plan, &a.args, &a.key, &limits) {
            Ok(p) => p,
            Err(err) => {
                return (Work::Refused(err.to_string()), json!({"refused": err.to_string()}));
            }
        };
        match prepared {
            Prepared::Run(mut request) => {
                if let exec::ActionKind::Exec { argv, env, .. } = &mut request.kind {
                    // The action's `host` parameter (by name or position),
                    // else the instance's host.
                    let position = plan.params.iter().position(|(name, _)| name == "host");
                    let host = a
                        .args
                        .get("host")
                        .or_else(|| position.and_then(|i| a.args.get(&i.to_string())))
                        .or_else(|| e.instance.get("host"))
                        .map_or("", String::as_str);
                    match transport::route(&self.config.exec, host, argv) {
                        Ok(routed) => *argv = routed,
                        Err(err) => {
                            return (
                                Work::Refused(err.to_string()),
                                json!({"refused": err.to_string()}),
                            );
                        }
                    }
                    *env = self.env.clone();
                }
                let what = request.to_record();
                (Work::Run(request), what)
            }
            Prepared::Notify { channel } => {
                self.notification(e, &channel, Phase::Trigger, &a.key, &limits)
            }
        }
    }

    fn notification(
        &self,
        e: &Event,
        channel: &str,
        phase: Phase,
        key: &str,
        limits: &Limits,
    ) -> (Work, Value) {
        let tenant = e.tenant.as_deref();
        match self.channels.prepare(tenant, channel, e, phase, key, limits.timeout, limits.retry) {
            Ok(Some(delivery)) => {
                let what = json!({"notify": channel, "phase": phase.name(), "delivery": delivery.describe()});
                (Work::Notify(delivery), what)
            }
            Ok(None) => (
                Work::Refused("nothing to send".into()),
                json!({"notify": channel, "phase": phase.name()}),
            ),
            Err(err) => (
                Work::Refused(err.to_string()),
                json!({"notify": channel, "refused": err.to_string()}),
            ),
        }
    }

    /// An action a guard held back: recorded with its reason.
    fn held(&mut self, e: &Event, a: &ActionRecord) {
        self.stats.held += 1;
        let mut entry = outcome::entry(e, a, &json!({"held": e.reason}));
        // Its own key: a task that waits for room runs the same step later.
        entry.key.step = format!("held {}", entry.key.step);
        let why = json!({"status": "held", "reason": e.reason}).to_string();
        let recorded = self.store.record_not_run(&entry, LedgerStatus::Held, &why, now_ms());
        self.record(recorded);
    }

    /// An episode ended: resolve the notifications it sent whose channel
    /// has a resolve (a PagerDuty incident, an Alertmanager alert, a ticket).
    fn resolve(&mut self, at: usize, e: &Event, jobs: &mut Vec<(usize, Job, Pending)>) {
        let Some(episode) = e.episode else { return };
        let rows = match self.store.episode_rows(
            e.tenant.as_deref(),
            &e.policy,
            &e.instance_key(),
            episode,
        ) {
            Ok(rows) => rows,
            Err(_) => {
                self.stats.store_errors += 1;
                return;
            }
        };
        for row in rows {
            let sent = row.status == LedgerStatus::Completed
                && row
                    .outcome
                    .as_deref()
                    .and_then(|o| serde_json::from_str::<Value>(o).ok())
                    .is_some_and(|o| outcome::succeeded(&o));
            let what: Value = serde_json::from_str(&row.entry.what).unwrap_or(Value::Null);
            let (Some(channel), Some("trigger")) = (
                what.get("notify").and_then(Value::as_str),
                what.get("phase").and_then(Value::as_str),
            ) else {
                continue;
            };
            if !sent || !self.channels.sends_resolve(e.tenant.as_deref(), channel).unwrap_or(false)
            {
                continue;
            }
            let step = format!("resolve {}", row.entry.key.step);
            let record = ActionRecord {
                name: row.entry.action.clone(),
                args: Default::default(),
                trigger: "resolved".into(),
                key: format!("{}/resolve", row.entry.key.text()),
                step,
                dry_run: false,
                timeout: None,
                retry: None,
            };
            let limits = Limits {
                cwd: self.config.exec.cwd.clone(),
                timeout: self.config.exec.timeout,
                retry: None,
            };
            let (work, what) = self.notification(e, channel, Phase::Resolve, &record.key, &limits);
            if matches!(work, Work::Refused(_)) {
                continue;
            }
            let mut event = e.clone();
            event.action = Some(record.clone());
            let entry = outcome::entry(&event, &record, &what);
            if let Ok(Begin::Started) = self.store.begin_remediation(&entry, now_ms()) {
                let group = (e.policy.clone(), "resolved".to_string());
                jobs.push((
                    at,
                    Job { group, limit: self.config.exec.parallel, work },
                    Pending { key: entry.key, what, event },
                ));
            }
        }
    }

    fn record(&mut self, result: Result<Begin, StoreError>) {
        if result.is_err() {
            self.stats.store_errors += 1;
        }
    }

    /// Runs the jobs and records their outcomes.
    fn finish(&mut self, jobs: Vec<(usize, Job, Pending)>, out: &mut Vec<(usize, Event)>) {
        if jobs.is_empty() {
            return;
        }
        let mut places = Vec::with_capacity(jobs.len());
        let mut work = Vec::with_capacity(jobs.len());
        let mut pending = Vec::with_capacity(jobs.len());
        for (at, job, p) in jobs {
            places.push(at);
            work.push(job);
            pending.push(p);
        }
        let outcomes = jobs::perform(&work, &self.executor);
        let batched = self.store.begin_batch().is_ok();
        for ((at, p), result) in places.into_iter().zip(pending).zip(outcomes) {
            self.stats.performed += 1;
            let json = outcome::outcome_json(&result, &p.what);
            if result.status == exec::Status::Succeeded {
                self.stats.succeeded += 1;
            } else {
                self.stats.failed += 1;
            }
            if self.store.finish_remediation(&p.key, &json.to_string(), now_ms()).is_err() {
                self.stats.store_errors += 1;
            }
            out.push((at, outcome::outcome_event(&p.event, json)));
        }
        if batched && self.store.commit_batch().is_err() {
            // The outcomes are reported; the ledger keeps them `started`,
            // so the next start marks them interrupted: never run twice.
            self.stats.store_errors += 1;
        }
    }
}

/// A started job's key and what it runs, for its outcome.
#[derive(Debug)]
struct Pending {
    key: RemediationKey,
    what: Value,
    event: Event,
}

impl Actuator for Dispatcher {
    fn perform(&mut self, events: &[Event]) -> Vec<(usize, Event)> {
        if !events.iter().any(|e| e.action.is_some() || e.closes_episode) {
            return Vec::new();
        }
        let mut jobs = Vec::new();
        let mut out = Vec::new();
        // One commit for the evaluation's records, on disk before any of
        // its actions runs.
        let batched = self.store.begin_batch().is_ok();
        for (at, e) in events.iter().enumerate() {
            match (e.kind, &e.action) {
                (EventKind::Action, Some(a)) => self.action(at, e, a, &mut jobs, &mut out),
                (EventKind::Held, Some(a)) => self.held(e, a),
                (EventKind::Resolved, _) if e.closes_episode => self.resolve(at, e, &mut jobs),
                _ => {}
            }
        }
        if batched && let Err(err) = self.store.commit_batch() {
            // Not recorded, so not run: running them could run them twice.
            self.stats.store_errors += jobs.len() as u64;
            let why = format!("error: not run, the ledger cannot record it: {err}");
            for (at, _, p) in jobs.drain(..) {
                out.push((at, outcome::outcome_event(&p.event, json!({"status": why}))));
            }
        }
        self.finish(jobs, &mut out);
        out.sort_by_key(|(at, _)| *at);
        out
    }
}

fn actions_of(plan: &Plan) -> HashMap<String, ActionPlan> {
    plan.actions.iter().map(|a| (a.name.clone(), a.clone())).collect()
}

/// (policy, `on LEVEL`) → `concurrency N`.
fn concurrency_of(plan: &Plan) -> HashMap<(String, String), u32> {
    let mut concurrency = HashMap::new();
    for p in &plan.policies {
        for on in &p.remediations {
            for step in &on.steps {
                if let StepPlan::Concurrency(n) = step {
                    concurrency.insert((p.name.clone(), format!("on {}", on.level)), *n);
                }
            }
        }
    }
    concurrency
}

fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or(exec::MAX_TIMEOUT)
}
