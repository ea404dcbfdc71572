//! The durable runner: the engine with its dispatcher, its event output
//! and its checkpoints, the one code path of `upkeep run` (and, with the
//! wall clock, of `upkeep serve`).
//!
//! **Checkpoints** are taken at a boundary of event time: when a sample
//! newer than everything so far arrives, every sample up to the watermark
//! `W` has been applied and none after. Then the events so far are written
//! out and synced, and one transaction saves the engine's snapshot, `W`
//! and the length of the events file. After a crash, [`Runner::open`]
//! restores that snapshot, cuts the events file back to that length, and
//! skips every sample stamped at or before `W` (at-least-once input, as a
//! broker delivers it again from an earlier offset, is applied once). The
//! evaluations between the checkpoint and the crash run again and decide
//! the same actions; the ledger reports those that ran instead of running
//! them twice.

use crate::decode::Sample;
use crate::engine::{Engine, fingerprint};
use crate::events::Event;
use crate::remediate::Dispatcher;
use crate::store::{Checkpoint, EngineSnapshot, InputPosition, StoreError, now_ms};
use std::sync::{Arc, Mutex, MutexGuard};
use upkeep_compiler::plan::Plan;

/// Where events go.
pub trait EventSink {
    fn write(&mut self, event: &Event) -> std::io::Result<()>;
    /// Makes everything written durable and returns the output's length,
    /// or `None` for an output that cannot be cut back (a pipe).
    fn sync(&mut self) -> std::io::Result<Option<u64>>;
}

/// Why the runner cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing events: {0}")]
    Events(#[from] std::io::Error),
    #[error(
        "the state in {path} was saved with other policies (the package changed since), by \
         an upkeep that did not keep them: use another --state file, or remove this one to \
         start afresh"
    )]
    OtherPlan { path: String },
    #[error("the state in {path} cannot be restored: {source}")]
    Snapshot { path: String, source: crate::engine::SnapshotError },
}

/// Where a restart continues, from the last checkpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct Resume {
    /// Samples stamped at or before this were applied before the restart.
    pub watermark: f64,
    /// The length of the events output at the checkpoint, if it had one.
    pub events_len: Option<u64>,
    /// The package changed since the checkpoint: (policies unchanged, whose
    /// state was carried over; policies now).
    pub carried: Option<(usize, usize)>,
}

/// The engine with what makes it durable.
pub struct Runner {
    pub engine: Engine,
    dispatcher: Arc<Mutex<Dispatcher>>,
    plan_fingerprint: String,
    /// The plan as JSON, saved with each snapshot.
    plan_json: String,
    /// Seconds of event time between checkpoints; infinite: only at the end.
    checkpoint_every: f64,
    last_checkpoint: f64,
    /// Samples at or before this time are skipped (see [`Resume`]).
    skip_until: f64,
    /// Samples skipped as applied before a restart.
    pub skipped: u64,
    pub checkpoints: u64,
    /// Wall-clock seconds spent saving checkpoints.
    pub checkpoint_seconds: f64,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner").field("skip_until", &self.skip_until).finish_non_exhaustive()
    }
}

/// Runs actions through the shared dispatcher.
#[derive(Debug)]
struct Shared(Arc<Mutex<Dispatcher>>);

impl crate::engine::Actuator for Shared {
    fn perform(&mut self, events: &[Event]) -> Vec<(usize, Event)> {
        match self.0.lock() {
            Ok(mut d) => d.perform(events),
            // A worker panicked while holding it: nothing more can run.
            Err(_) => Vec::new(),
        }
    }
}

impl Runner {
    /// A runner for `engine` (built from `plan`), acting through
    /// `dispatcher`, whose store holds the checkpoints. Restores the last
    /// checkpoint when there is one, and says where to continue.
    pub fn open(
        plan: &Plan,
        mut engine: Engine,
        dispatcher: Dispatcher,
        checkpoint_every: f64,
    ) -> Result<(Runner, Option<Resume>), RunnerError> {
        let plan_fingerprint = fingerprint(plan);
        let saved = dispatcher.store().load_checkpoint()?;
        let path = dispatcher.store().path().display().to_string();
        let mut resume = None;
        if let Some(cp) = saved {
            let Some(snapshot) = cp.snapshot else {
                return Err(RunnerError::OtherPlan { path });
            };
            let carried = if snapshot.plan == plan_fingerprint {
                engine
                    .restore(&snapshot.data)
                    .map_err(|source| RunnerError::Snapshot { path, source })?;
                None
            } else {
                Some(carry_over(plan, &mut engine, &snapshot, &path)?)
            };
            let events_len = serde_json::from_str::<serde_json::Value>(&cp.position.position)
                .ok()
                .and_then(|p| p.get("events_len")?.as_u64());
            resume = Some(Resume {
                watermark: cp.position.watermark.unwrap_or(f64::NEG_INFINITY),
                events_len,
                carried,
            });
        }
        let dispatcher = Arc::new(Mutex::new(dispatcher));
        engine.set_actuator(Box::new(Shared(Arc::clone(&dispatcher))));
        let skip_until = resume.as_ref().map_or(f64::NEG_INFINITY, |r| r.watermark);
        let runner = Runner {
            engine,
            dispatcher,
            plan_fingerprint,
            plan_json: serde_json::to_string(plan).unwrap_or_default(),
            checkpoint_every,
            last_checkpoint: skip_until,
            skip_until,
            skipped: 0,
            checkpoints: 0,
            checkpoint_seconds: 0.0,
        };
        Ok((runner, resume))
    }

    /// Goes on with a recompiled package: `engine` (new, built from `plan`)
    /// takes over the running one — series, and the state of every policy
    /// whose plan did not change (`Engine::take_over`) — and the dispatcher
    /// acts for the new plan's actions. The next checkpoint is of the new
    /// plan.
    pub fn reload(&mut self, plan: &Plan, engine: Engine) {
        let old = std::mem::replace(&mut self.engine, engine);
        self.engine.take_over(old);
        self.engine.set_actuator(Box::new(Shared(Arc::clone(&self.dispatcher))));
        self.dispatcher().reload(plan);
        self.plan_fingerprint = fingerprint(plan);
        self.plan_json = serde_json::to_string(plan).unwrap_or_default();
    }

    /// The dispatcher (its statistics, its store).
    pub fn dispatcher(&self) -> MutexGuard<'_, Dispatcher> {
        match self.dispatcher.lock() {
            Ok(d) => d,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Applies one sample: skipped when applied before a restart; else a
    /// checkpoint first when one is due at this boundary.
    pub fn ingest(&mut self, sample: &Sample, sink: &mut dyn EventSink) -> Result<(), RunnerError> {
        let t = sample.timestamp_ms.map(|ms| ms as f64 / 1000.0);
        match t {
            Some(t) if t <= self.skip_until => {
                self.skipped += 1;
                return Ok(());
            }
            None if self.engine.now() <= self.skip_until && self.skip_until.is_finite() => {
                self.skipped += 1;
                return Ok(());
            }
            _ => {}
        }
        if let Some(t) = t
            && self.checkpoint_due(t)
        {
            self.checkpoint(sink)?;
        }
        self.engine.ingest(sample);
        Ok(())
    }

    /// Whether moving to `t` crosses a boundary of event time (everything up
    /// to the watermark applied, nothing after) at which a checkpoint is due.
    fn checkpoint_due(&self, t: f64) -> bool {
        let watermark = self.engine.now();
        t > watermark
            && watermark.is_finite()
            && watermark - self.last_checkpoint >= self.checkpoint_every
    }

    /// Writes the events so far.
    pub fn drain(&mut self, sink: &mut dyn EventSink) -> Result<(), RunnerError> {
        for event in self.engine.drain_events() {
            sink.write(&event)?;
        }
        Ok(())
    }

    /// Runs the evaluations due at or before `t` and writes their events:
    /// on the wall clock (`upkeep serve`), evaluations are due whether or
    /// not samples arrive — that is how missing data is noticed. Saves a
    /// checkpoint first when one is due.
    pub fn advance(&mut self, t: f64, sink: &mut dyn EventSink) -> Result<(), RunnerError> {
        if self.checkpoint_due(t) {
            self.checkpoint(sink)?;
        }
        if t.is_finite() && t > self.skip_until {
            self.engine.finish(t);
        }
        self.drain(sink)
    }

    /// Runs the evaluations due at or before `t`, writes the events, and
    /// saves a last checkpoint.
    pub fn finish(&mut self, t: f64, sink: &mut dyn EventSink) -> Result<(), RunnerError> {
        if t.is_finite() && t > self.skip_until {
            self.engine.finish(t);
        }
        self.checkpoint(sink)
    }

    /// Writes and syncs the events, then saves the engine, the watermark
    /// and the events' length in one transaction.
    pub fn checkpoint(&mut self, sink: &mut dyn EventSink) -> Result<(), RunnerError> {
        let started = std::time::Instant::now();
        self.drain(sink)?;
        let events_len = sink.sync()?;
        let watermark = self.engine.now();
        let position = serde_json::json!({"events_len": events_len}).to_string();
        let mut cp = Checkpoint::new(
            InputPosition { position, watermark: watermark.is_finite().then_some(watermark) },
            now_ms(),
        );
        cp.snapshot = Some(EngineSnapshot {
            plan_json: Some(self.plan_json.clone()),
            plan: self.plan_fingerprint.clone(),
            data: self.engine.snapshot(),
        });
        self.dispatcher().store_mut().save_instances(&cp)?;
        self.last_checkpoint = watermark;
        self.checkpoints += 1;
        self.checkpoint_seconds += started.elapsed().as_secs_f64();
        Ok(())
    }
}

/// The package changed since the snapshot: rebuilds the engine of the plan
/// it was taken with, restores it, and has `engine` take it over — the
/// unchanged policies keep their state, as after a reload of `serve`.
/// Returns (policies unchanged, policies now).
fn carry_over(
    plan: &Plan,
    engine: &mut Engine,
    snapshot: &EngineSnapshot,
    path: &str,
) -> Result<(usize, usize), RunnerError> {
    let other = || RunnerError::OtherPlan { path: path.to_string() };
    let json = snapshot.plan_json.as_deref().ok_or_else(other)?;
    let old_plan: Plan = serde_json::from_str(json).map_err(|_| other())?;
    let mut old = Engine::new(&old_plan, None).map_err(|_| other())?;
    old.restore(&snapshot.data)
        .map_err(|source| RunnerError::Snapshot { path: path.to_string(), source })?;
    let unchanged =
        plan.policies.iter().filter(|p| old_plan.policies.iter().any(|o| o == *p)).count();
    engine.take_over(old);
    Ok((unchanged, plan.policies.len()))
}
