//! The engine: samples in, events out, on event time.
//!
//! [`Engine::ingest`] takes decoded samples in (roughly) time order. The
//! clock is the samples' own time: before a sample at time `t` is applied,
//! every evaluation due before `t` runs, so an evaluation at `T` sees
//! exactly the samples at or before `T` — the same events whether the
//! input is replayed in a second or arrives over a day. Nothing here reads
//! the wall clock: `upkeep serve` will drive the same engine with it.
//!
//! Evaluations are scheduled per policy at the multiples of its `every`
//! (plus each row's spreading offset inside `jitter`); all rows due at
//! the same time are evaluated in one batch call of the policy's
//! evaluator. Policies that others depend on go first at equal times.

mod actuate;
mod columns;
mod evaluate;
mod events;
mod passes;
mod policy;
mod query;
mod schedule;
mod snapshot;
mod take_over;

pub use actuate::Actuator;
pub use columns::Matcher;
pub use evaluate::{aggregate, clock};
pub use policy::{Instance, PolicyRt};
pub use query::{ActiveInstance, LevelStatus};
pub use snapshot::{FORMAT as SNAPSHOT_FORMAT, SnapshotError, fingerprint};

use crate::calendar::Calendar;
use crate::decode::Sample;
use crate::events::Event;
use crate::inventory::Inventory;
use crate::series::{Lookup, SeriesId, SeriesIndex};
use columns::Slot;
use schedule::Schedule;
use std::collections::HashMap;
use upkeep_compiler::plan::Plan;

/// Counters of what the engine did, for the run summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EngineStats {
    /// Samples applied to a series some policy reads.
    pub samples: u64,
    /// Samples of metrics no policy reads.
    pub unused: u64,
    /// Samples older than their series' newest: dropped.
    pub out_of_order: u64,
    /// Samples without a time before any timed one: dropped.
    pub untimed: u64,
    /// Samples stamped before 1970 or after [`Engine::set_time_limit`]:
    /// dropped, so that one bad clock cannot move event time years away
    /// from everything else.
    pub out_of_range: u64,
    /// Rows evaluated (one row at one time is one evaluation).
    pub evaluations: u64,
    /// Batch calls of the evaluators.
    pub batches: u64,
}

/// Where the samples of a series go besides the series itself: a window
/// of a policy's arena, or an EWMA column of a row.
#[derive(Clone, Copy, Debug, serde::Serialize, serde::Deserialize)]
enum Feed {
    Window { policy: u32, window: u32 },
    Ewma { policy: u32, row: u32, column: u32, alpha: f64 },
}

#[derive(Debug)]
pub struct Engine {
    pub index: SeriesIndex,
    pub policies: Vec<PolicyRt>,
    /// Per metric: the policies that read it.
    readers: Vec<Vec<u32>>,
    /// Every feed, those of one series together (a series is bound once,
    /// when first seen, so its feeds are contiguous; `Series::feeds` is
    /// its range).
    feeds: Vec<Feed>,
    calendars: HashMap<String, Calendar>,
    /// Per policy: the policies it depends on, with the labels to match.
    depends: Vec<Vec<(u32, Vec<String>)>>,
    schedule: Schedule,
    inventory: Option<Inventory>,
    /// The newest sample time seen: evaluations before it have run.
    watermark: f64,
    /// Samples after this time are dropped (see [`Engine::set_time_limit`]).
    time_limit: f64,
    events: Vec<Event>,
    pub stats: EngineStats,
    scratch: Vec<Lookup>,
    /// Performs actions; `None`: actions are events only.
    actuator: Option<Box<dyn Actuator>>,
}

/// Why an engine could not be built from a plan.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("calendar `{name}`: {source}")]
    Calendar { name: String, source: crate::calendar::CalendarError },
}

impl Engine {
    pub fn new(plan: &Plan, inventory: Option<Inventory>) -> Result<Engine, EngineError> {
        Engine::with_policies(plan, plan.policies.clone(), inventory)
    }

    /// An engine running `policies` (a test's, say) with the metrics and
    /// calendars of `plan`.
    pub fn with_policies(
        plan: &Plan,
        policies: Vec<upkeep_compiler::plan::PolicyPlan>,
        inventory: Option<Inventory>,
    ) -> Result<Engine, EngineError> {
        let used: std::collections::HashSet<&str> =
            policies.iter().flat_map(|p| p.inputs.iter()).flat_map(schedule::metrics_of).collect();
        let index = SeriesIndex::new(&plan.metrics, |m| used.contains(m));
        let mut runtimes: Vec<PolicyRt> =
            policies.into_iter().map(|p| PolicyRt::new(p, &plan.metrics, &index)).collect();
        let depends = schedule::dependencies(&runtimes);
        schedule::rank(&mut runtimes, &depends);
        let mut readers = vec![Vec::new(); index.metrics.len()];
        for (p, rt) in runtimes.iter().enumerate() {
            for c in &rt.columns {
                if let Some(s) = c.selector()
                    && !readers[s.metric as usize].contains(&(p as u32))
                {
                    readers[s.metric as usize].push(p as u32);
                }
            }
        }
        let utc = jiff::tz::TimeZone::UTC;
        let mut calendars = HashMap::new();
        for c in &plan.calendars {
            let calendar = Calendar::new(c, &utc)
                .map_err(|source| EngineError::Calendar { name: c.name.clone(), source })?;
            calendars.insert(c.name.clone(), calendar);
        }
        Ok(Engine {
            index,
            policies: runtimes,
            readers,
            feeds: Vec::new(),
            calendars,
            depends,
            schedule: Schedule::default(),
            inventory,
            watermark: f64::NEG_INFINITY,
            time_limit: f64::INFINITY,
            events: Vec::new(),
            stats: EngineStats::default(),
            scratch: Vec::new(),
            actuator: None,
        })
    }

    /// The events emitted since the last call.
    pub fn drain_events(&mut self) -> std::vec::Drain<'_, Event> {
        self.events.drain(..)
    }

    /// The event time: the newest sample's time.
    pub fn now(&self) -> f64 {
        self.watermark
    }

    /// Drops samples stamped after `t` (seconds since the epoch). The
    /// engine never reads the clock; a caller replaying recorded metrics
    /// sets this to a little after its wall clock, as no real sample can
    /// come from the future.
    pub fn set_time_limit(&mut self, t: f64) {
        self.time_limit = t;
    }

    /// Applies one sample, first running the evaluations due before it.
    pub fn ingest(&mut self, sample: &Sample) {
        let t = match sample.timestamp_ms {
            Some(ms) => ms as f64 / 1000.0,
            None if self.watermark.is_finite() => self.watermark,
            None => {
                self.stats.untimed += 1;
                return;
            }
        };
        if !(0.0..=self.time_limit).contains(&t) {
            self.stats.out_of_range += 1;
            return;
        }
        if t > self.watermark {
            self.run_until(t, false);
            self.watermark = t;
        }
        let mut lookups = std::mem::take(&mut self.scratch);
        let hosts_before = self.index.hosts.len();
        self.index.lookup(&sample.name, &sample.labels, &mut lookups);
        if self.index.hosts.len() > hosts_before {
            self.apply_inventory(hosts_before);
        }
        for l in &lookups {
            match *l {
                Lookup::Unused => self.stats.unused += 1,
                Lookup::Series { id, new } => {
                    if new {
                        self.bind(id, t);
                    }
                    self.apply(id, sample, t);
                }
            }
        }
        self.scratch = lookups;
    }

    /// Runs every evaluation due at or before `t` (the end of a replay, or a
    /// test's last time).
    pub fn finish(&mut self, t: f64) {
        self.run_until(t, true);
        self.watermark = self.watermark.max(t);
    }

    fn apply_inventory(&mut self, from: usize) {
        let Some(inv) = &self.inventory else { return };
        for h in from..self.index.hosts.len() {
            let id = crate::series::HostId(h as u32);
            let key = self.index.hosts.key(id).clone();
            if let Some(labels) = inv.host_labels(key.tenant.as_deref(), &key.host) {
                let labels = labels.to_vec();
                self.index.hosts.set_inventory(id, &labels);
            }
        }
    }

    /// Connects a new series to the rows of the policies that read it. A
    /// window or EWMA column takes its samples from the first series bound
    /// to it: two series pushing into one window would replace each
    /// other's samples at every shared timestamp.
    fn bind(&mut self, id: SeriesId, t: f64) {
        let metric = self.index.series[id.0 as usize].metric as usize;
        let start = self.feeds.len() as u32;
        for &p in &self.readers[metric] {
            let policy = &mut self.policies[p as usize];
            let columns = policy.columns_for(&self.index, id);
            if columns.is_empty() {
                continue;
            }
            let rows_before = policy.rows.len();
            let row = policy.bind(&self.index, id, &columns);
            if policy.rows.len() > rows_before {
                let offset = policy.rows[row as usize].offset;
                self.schedule.add_row(p, policy, row, offset, t);
            }
            for c in columns {
                let alpha = match &policy.columns[c as usize] {
                    columns::Column::Ewma { alpha, .. } => *alpha,
                    _ => 0.0,
                };
                match &mut policy.rows[row as usize].slots[c as usize] {
                    Slot::Window { series, window } if series.is_none() => {
                        *series = Some(id);
                        self.feeds.push(Feed::Window { policy: p, window: *window });
                    }
                    Slot::Ewma { series, .. } if series.is_none() => {
                        *series = Some(id);
                        self.feeds.push(Feed::Ewma { policy: p, row, column: c, alpha });
                    }
                    _ => {}
                }
            }
        }
        self.index.hot[id.0 as usize].feeds = (start, self.feeds.len() as u32);
    }

    /// Applies a sample to its series and to the windows it feeds.
    fn apply(&mut self, id: SeriesId, sample: &Sample, t: f64) {
        let hot = &mut self.index.hot[id.0 as usize];
        if t < hot.last_time {
            self.stats.out_of_order += 1;
            return;
        }
        let info = &self.index.metrics[hot.metric as usize];
        let value = if info.is_state {
            let series = &mut self.index.series[id.0 as usize];
            let state = series.state_label.as_deref().and_then(|l| sample.label(l));
            if sample.value != 0.0 {
                series.state = state.map(Into::into);
            } else if series.state.as_deref() == state {
                series.state = None;
            }
            sample.value
        } else {
            sample.value * info.scale
        };
        let hot = &mut self.index.hot[id.0 as usize];
        hot.last_time = t;
        hot.last_value = value;
        self.stats.samples += 1;
        let (start, end) = hot.feeds;
        for feed in &self.feeds[start as usize..end as usize] {
            match *feed {
                Feed::Window { policy, window } => {
                    if let Some(w) = self.policies[policy as usize].windows.get_mut(window as usize)
                    {
                        w.push(t, value);
                    }
                }
                Feed::Ewma { policy, row, column, alpha } => {
                    let row = &mut self.policies[policy as usize].rows[row as usize];
                    if let Slot::Ewma { value: e, .. } = &mut row.slots[column as usize]
                        && !value.is_nan()
                    {
                        *e = if e.is_nan() { value } else { alpha * value + (1.0 - alpha) * *e };
                    }
                }
            }
        }
    }

    /// Runs the evaluations due before `t` (or at `t` too, when `inclusive`).
    fn run_until(&mut self, t: f64, inclusive: bool) {
        while let Some(mut due) = self.schedule.pop_due(t, inclusive) {
            if let Some(later) = self.idle_until(&due, t, inclusive) {
                due.time = later;
            }
            self.tick(due.policy, due.offset, due.time);
            let every = self.policies[due.policy as usize].plan.every;
            self.schedule.push(schedule::Due { time: due.time + every, ..due });
        }
    }

    /// When the rows due have had no sample for long enough that nothing
    /// can change any more (every lookback, window, hold, `keep`, `nodata`
    /// and escalation step is over: three horizons), evaluating each
    /// interval up to `t` would only repeat the same outcome — across a gap
    /// of days, millions of times. The evaluation moves to the last grid
    /// time before `t` instead.
    fn idle_until(&self, due: &schedule::Due, t: f64, inclusive: bool) -> Option<f64> {
        let policy = &self.policies[due.policy as usize];
        let every = policy.plan.every.max(1e-3);
        if t - due.time <= 2.0 * every {
            return None;
        }
        let rows = self.schedule.rows.get(&(due.policy, due.offset))?;
        let newest = rows
            .iter()
            .map(|r| policy.last_sample(&self.index, &policy.rows[*r as usize]))
            .fold(f64::NEG_INFINITY, f64::max);
        if due.time <= newest + 3.0 * policy.horizon {
            return None;
        }
        let offset = f64::from(due.offset);
        let mut last = ((t - offset) / every).floor() * every + offset;
        if last > t || (last == t && !inclusive) {
            last -= every;
        }
        (last > due.time).then_some(last)
    }

    /// The value of label `name` for instance `i` of policy `p`: its
    /// identity, then its first row's series and host labels.
    pub fn instance_label(&self, p: usize, i: usize, name: &str) -> Option<String> {
        let policy = self.policies.get(p)?;
        events::lookup_label(policy, &self.index, policy.instances.get(i)?, name)
    }

    fn in_calendar(&self, names: &[String], t: f64) -> bool {
        names.iter().any(|n| self.calendars.get(n).is_some_and(|c| c.contains(t)))
    }
}
