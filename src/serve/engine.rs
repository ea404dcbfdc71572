//! The engine thread: the one owner of the [`Runner`] (engine, dispatcher,
//! checkpoints), fed over a bounded channel by the HTTP handlers, which
//! decode in parallel. It holds samples until their time is due, steps the
//! runner on the clock, and publishes what the read side shows.
//!
//! **When samples are applied.** A sample stamped `t` waits until the
//! clock's time, less the configured delay, reaches `t`; then the samples
//! due are applied in time order (stably: samples of one time keep their
//! arrival order) and the evaluations due up to then run. So a sample up
//! to `delay` late is still seen by the evaluations of its time, and the
//! engine gets samples in the order `upkeep run` gets a time-ordered file:
//! the same samples give the same events. A sample that arrives after its
//! time was stepped is applied at once (counted as late when the engine's
//! time is past it). On the wall clock the thread steps about once a
//! second; on the manual clock, when the clock is moved.

use super::clock::Clock;
use super::metrics::{Counters, Histogram, Published};
use super::reload::{self, Rebuild, ReloadReport, SwapError};
use crate::sink::Sink;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use upkeep_compiler::plan::Plan;
use upkeep_runtime::decode::Sample;
use upkeep_runtime::runner::{Runner, RunnerError};

/// What the HTTP side asks of the engine thread.
#[derive(Debug)]
pub enum Command {
    /// Decoded samples, every one with a timestamp.
    Samples(Vec<Sample>),
    /// The manual clock moved to `t`: apply what is due, evaluate, answer.
    Advance { t: f64, done: oneshot::Sender<()> },
    /// Wakes the thread on the wall clock when no samples come.
    Tick,
    /// Run this plan instead.
    Reload { plan: Box<Plan>, done: oneshot::Sender<Result<ReloadReport, String>> },
}

/// What the engine thread and the HTTP side share.
#[derive(Debug, Default)]
pub struct Shared {
    pub published: RwLock<Arc<Published>>,
    pub counters: Counters,
    /// The engine thread is running (`/readyz`).
    pub ready: AtomicBool,
    /// The engine thread stopped on an error (`/healthz`); the server
    /// then stops too.
    pub failed: AtomicBool,
    pub failure: tokio::sync::Notify,
    /// A signal asked the server to stop (`/readyz` answers 503).
    pub stopping: AtomicBool,
    /// Labels that carry a sample's tenant (`client`, and any label a
    /// metric of the running package renames to `client`).
    pub tenant_labels: RwLock<Arc<[String]>>,
}

impl Shared {
    pub fn published(&self) -> Arc<Published> {
        Shared::get(&self.published)
    }

    pub fn tenant_labels(&self) -> Arc<[String]> {
        Shared::get(&self.tenant_labels)
    }

    /// The value behind `lock`, shared (a poisoned lock still holds a
    /// whole value: every write replaces it at once).
    fn get<T: ?Sized>(lock: &RwLock<Arc<T>>) -> Arc<T> {
        match lock.read() {
            Ok(p) => Arc::clone(&p),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn set<T>(lock: &RwLock<T>, value: T) {
        match lock.write() {
            Ok(mut g) => *g = value,
            Err(poisoned) => *poisoned.into_inner() = value,
        }
    }
}

/// More samples than this waiting for their time: the oldest are applied
/// early (a flood of samples stamped ahead of the clock).
const MAX_PENDING: usize = 1 << 22;

/// The engine thread's state.
pub struct EngineThread {
    pub runner: Runner,
    pub sink: Sink,
    pub clock: Arc<Clock>,
    pub delay: f64,
    pub shared: Arc<Shared>,
    pub rebuild: Rebuild,
    pending: Vec<Sample>,
    /// Samples at or before this time have been released.
    cutoff: f64,
    late: u64,
    steps: Histogram,
    last_step: Instant,
}

impl EngineThread {
    pub fn new(
        runner: Runner,
        sink: Sink,
        clock: Arc<Clock>,
        delay: Duration,
        shared: Arc<Shared>,
        rebuild: Rebuild,
        plan: &Plan,
    ) -> EngineThread {
        Shared::set(&shared.tenant_labels, reload::tenant_labels(plan));
        EngineThread {
            runner,
            sink,
            clock,
            delay: delay.as_secs_f64(),
            shared,
            rebuild,
            pending: Vec::new(),
            cutoff: f64::NEG_INFINITY,
            late: 0,
            steps: Histogram::default(),
            last_step: Instant::now(),
        }
    }

    /// Serves commands until every sender is gone, then applies what is
    /// due and saves a last checkpoint.
    pub fn run(mut self, mut rx: mpsc::Receiver<Command>) -> Result<(), RunnerError> {
        self.publish();
        self.shared.ready.store(true, Ordering::Release);
        let result = self.serve(&mut rx);
        self.shared.ready.store(false, Ordering::Release);
        if result.is_err() {
            self.shared.failed.store(true, Ordering::Release);
            self.shared.failure.notify_one();
            return result;
        }
        // Shutting down: what is due now (the delay no longer matters:
        // nothing later will come) is applied; samples stamped ahead of
        // the clock are not.
        let now = self.clock.now().unwrap_or(self.cutoff);
        self.step(now)?;
        if !self.pending.is_empty() {
            super::log(&format!(
                "{} samples stamped after the clock ({now:.3}) were not applied",
                self.pending.len()
            ));
        }
        self.runner.checkpoint(&mut self.sink)
    }

    fn serve(&mut self, rx: &mut mpsc::Receiver<Command>) -> Result<(), RunnerError> {
        while let Some(command) = rx.blocking_recv() {
            match command {
                Command::Samples(batch) => self.accept(batch)?,
                Command::Advance { t, done } => {
                    self.step(t)?;
                    let _ = done.send(());
                }
                Command::Tick => {}
                Command::Reload { plan, done } => match self.reload(*plan) {
                    Ok(report) => {
                        let _ = done.send(Ok(report));
                    }
                    Err(SwapError::Refused(message)) => {
                        let _ = done.send(Err(message));
                    }
                    Err(SwapError::Runner(e)) => {
                        let _ = done.send(Err(e.to_string()));
                        return Err(e);
                    }
                },
            }
            if !self.clock.is_manual() && self.last_step.elapsed() >= Duration::from_secs(1) {
                let now = self.clock.now().unwrap_or(self.cutoff);
                self.step(now - self.delay)?;
            }
        }
        Ok(())
    }

    /// Applies the samples whose time was already stepped; holds the rest.
    fn accept(&mut self, batch: Vec<Sample>) -> Result<(), RunnerError> {
        let cutoff = self.cutoff;
        for sample in batch {
            let t = seconds(&sample);
            if t <= cutoff {
                self.apply(&sample)?;
            } else {
                self.pending.push(sample);
            }
        }
        if self.pending.len() > MAX_PENDING {
            self.release_first(self.pending.len() - MAX_PENDING / 2)?;
        }
        Ok(())
    }

    fn apply(&mut self, sample: &Sample) -> Result<(), RunnerError> {
        if seconds(sample) < self.runner.engine.now() {
            self.late += 1;
        }
        self.runner.ingest(sample, &mut self.sink)
    }

    /// Applies the `n` oldest pending samples, in time order.
    fn release_first(&mut self, n: usize) -> Result<(), RunnerError> {
        self.pending.sort_by_key(|s| s.timestamp_ms);
        let due: Vec<Sample> = self.pending.drain(..n.min(self.pending.len())).collect();
        for sample in &due {
            self.apply(sample)?;
        }
        Ok(())
    }

    /// Moves to time `t`: the samples due, then the evaluations due.
    fn step(&mut self, t: f64) -> Result<(), RunnerError> {
        let started = Instant::now();
        self.last_step = started;
        if !t.is_finite() || t <= self.cutoff {
            return Ok(());
        }
        self.cutoff = t;
        if !self.pending.is_empty() {
            self.pending.sort_by_key(|s| s.timestamp_ms);
            let due = self.pending.partition_point(|s| seconds(s) <= t);
            self.release_first(due)?;
        }
        self.runner.advance(t, &mut self.sink)?;
        self.steps.observe(started.elapsed().as_secs_f64());
        self.publish();
        Ok(())
    }

    fn reload(&mut self, plan: Plan) -> Result<ReloadReport, SwapError> {
        let report = reload::swap(&mut self.runner, &mut self.sink, &plan, &self.rebuild)?;
        Shared::set(&self.shared.tenant_labels, reload::tenant_labels(&plan));
        self.publish();
        Ok(report)
    }

    /// Publishes what the read side shows.
    fn publish(&mut self) {
        let engine = &self.runner.engine;
        let published = Published {
            instances: engine.active_instances(),
            engine: engine.stats.clone(),
            events: self.sink.counts.clone(),
            steps: self.steps.clone(),
            engine_time: engine.now(),
            clock_time: self.cutoff + self.delay,
            pending: self.pending.len(),
            late: self.late,
            checkpoints: self.runner.checkpoints,
            policies: engine.policies.len(),
        };
        Shared::set(&self.shared.published, Arc::new(published));
    }
}

/// A sample's time in seconds (every queued sample has one).
fn seconds(sample: &Sample) -> f64 {
    sample.timestamp_ms.map_or(f64::NEG_INFINITY, |ms| ms as f64 / 1000.0)
}
