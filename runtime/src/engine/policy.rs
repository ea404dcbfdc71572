//! One policy at run time: its compiled evaluator, its input columns, and
//! its rows — one per instance of the series it reads — with what each
//! row keeps between evaluations.
//!
//! **Instances.** A policy's instance is identified by its tenant, its
//! host and the labels that every metric it reads declares (for
//! `disk.free{mount="/"} / disk.size{mount="/"}`: `mount`, `device`,
//! `fstype`). A series feeds the row whose identity labels it carries.
//! When several series of one selector fall on one row (a metric with more
//! labels than the others), the newest sample wins. A policy with an
//! aggregation `by (labels)` has one instance per group of rows instead.

use super::columns::{Column, Key, Slot};
use crate::decode::Label;
use crate::series::{HOST_LABEL, HostId, SeriesId, SeriesIndex, TENANT_LABEL, label_of};
use crate::state::{InstanceState, Rules};
use crate::window::Window;

use hashbrown::HashMap;
use std::sync::Arc;
use upkeep_compiler::jit::Evaluator;
use upkeep_compiler::plan::{MetricPlan, PolicyPlan};

/// One instance of the series a policy reads.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Row {
    /// Values of the policy's identity labels, in [`PolicyRt::key_labels`] order.
    pub key: Key,
    pub host: HostId,
    /// The labels of the first series that fed the row, for messages.
    pub labels: Arc<[Label]>,
    pub slots: Vec<Slot>,
    /// Every series bound to the row, whatever the column.
    pub series: Vec<SeriesId>,
    /// Seconds after each multiple of `every` when the row is evaluated.
    pub offset: u32,
    /// The row's instance (its group, for a policy with `by`).
    pub instance: u32,
}

/// A policy's instance: one row, or a group of rows.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Instance {
    /// A group's identity: (label, value), sorted by label. Empty for a
    /// policy without `by`, whose instance is its row and whose identity is
    /// the row's key (see [`PolicyRt::identity`]): not stored twice.
    group_labels: Vec<(Arc<str>, Arc<str>)>,
    first_row: u32,
    /// A group's other rows.
    more_rows: Vec<u32>,
    /// `None` while the instance is as new (ok, nothing pending): most
    /// instances never leave it, and cost no state.
    pub state: Option<Box<InstanceState>>,
}

impl Instance {
    /// The rows of the instance.
    pub fn rows(&self) -> impl Iterator<Item = u32> + '_ {
        std::iter::once(self.first_row).chain(self.more_rows.iter().copied())
    }

    /// The state of `level`, as `expect` reads it (see
    /// [`InstanceState::state_of`]).
    pub fn state_of(&self, level: usize) -> &'static str {
        self.state.as_ref().map_or("ok", |s| s.state_of(level))
    }

    /// The highest firing level.
    pub fn firing_level(&self) -> Option<usize> {
        self.state.as_ref().and_then(|s| s.firing_level())
    }
}

#[derive(Debug)]
pub struct PolicyRt {
    pub plan: PolicyPlan,
    pub evaluator: Evaluator,
    pub rules: Rules,
    pub columns: Vec<Column>,
    /// The pass in which each column is filled: 0 from series, then one
    /// pass per level of aggregations and windows over outputs.
    pub passes: Vec<u8>,
    /// Identity labels, `client` and `host` first.
    pub key_labels: Vec<Arc<str>>,
    /// The union of the `by` labels of the policy's aggregations.
    pub group_by: Option<Vec<String>>,
    pub rows: Vec<Row>,
    row_by_key: HashMap<Key, u32>,
    pub instances: Vec<Instance>,
    instance_by_key: HashMap<Key, u32>,
    /// Rank in dependency order: a policy is evaluated after those it
    /// depends on at the same time.
    pub rank: u32,
    /// Seconds after which the past cannot change an evaluation any more:
    /// the longest lookback, window, hold, `keep`, `nodata`, guard or
    /// escalation step of the policy, plus one interval.
    pub horizon: f64,
    /// Text `let`s of state metrics, and the column whose series hold them.
    pub texts: Vec<(String, usize)>,
    /// Every window of every row, in one arena.
    pub windows: Vec<crate::window::Window>,
    /// The empty text, shared by every missing label of an identity.
    empty: Arc<str>,
    /// Column buffers of the evaluator, kept between ticks.
    pub scratch_inputs: Vec<Vec<f64>>,
    pub scratch_outputs: Vec<Vec<f64>>,
}

impl PolicyRt {
    pub fn new(plan: PolicyPlan, metrics: &[MetricPlan], index: &SeriesIndex) -> PolicyRt {
        let evaluator = Evaluator::new(plan.graph.clone());
        let columns: Vec<Column> =
            plan.inputs.iter().map(|spec| Column::new(spec, |m| index.metric_id(m))).collect();
        let passes = super::passes::of(&plan.graph, &columns);
        let mut key_labels: Vec<Arc<str>> = vec![TENANT_LABEL.into(), HOST_LABEL.into()];
        let declared = |name: &str| -> Vec<String> {
            metrics
                .iter()
                .find(|m| m.name == name)
                .map(|m| m.labels.iter().map(|(ours, _)| ours.clone()).collect())
                .unwrap_or_default()
        };
        let mut common: Option<Vec<String>> = None;
        for c in &columns {
            if let Some(s) = c.selector() {
                let labels = declared(&index.metrics[s.metric as usize].name);
                common = Some(match common {
                    None => labels,
                    Some(c) => c.into_iter().filter(|l| labels.contains(l)).collect(),
                });
            }
        }
        let mut common = common.unwrap_or_default();
        common.sort();
        key_labels.extend(common.into_iter().map(Arc::from));
        let by: Vec<String> = columns
            .iter()
            .filter_map(|c| match c {
                Column::Across { by, .. } => Some(by.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        let group_by = (!by.is_empty()).then(|| {
            let mut by = by;
            by.sort();
            by.dedup();
            by
        });
        let horizon = horizon(&plan, &columns, index);
        PolicyRt {
            horizon,
            texts: text_columns(&plan),
            empty: Arc::from(""),
            windows: Vec::new(),
            scratch_inputs: Vec::new(),
            scratch_outputs: Vec::new(),
            rules: Rules::new(&plan),
            plan,
            evaluator,
            columns,
            passes,
            key_labels,
            group_by,
            rows: Vec::new(),
            row_by_key: HashMap::new(),
            instances: Vec::new(),
            instance_by_key: HashMap::new(),
            rank: 0,
        }
    }

    /// Puts back the rows, instances and windows of a snapshot (taken from
    /// an engine with the same plan) and rebuilds the lookups over them.
    pub(super) fn restore(
        &mut self,
        rows: Vec<Row>,
        instances: Vec<Instance>,
        windows: Vec<Window>,
    ) {
        self.row_by_key = rows.iter().enumerate().map(|(i, r)| (r.key.clone(), i as u32)).collect();
        self.instance_by_key = instances
            .iter()
            .enumerate()
            .filter(|(_, x)| !x.group_labels.is_empty())
            .map(|(i, x)| {
                let key: Key =
                    x.group_labels.iter().flat_map(|(k, v)| [k.clone(), v.clone()]).collect();
                (key, i as u32)
            })
            .collect();
        self.rows = rows;
        self.instances = instances;
        self.windows = windows;
    }

    /// The row with identity `key`, if any.
    pub(super) fn row_of(&self, key: &Key) -> Option<u32> {
        self.row_by_key.get(key).copied()
    }

    /// The columns a series of `metric` with `labels` feeds, if the policy
    /// may read it (tenant and matchers).
    pub fn columns_for(&self, index: &SeriesIndex, id: SeriesId) -> Vec<u32> {
        let series = &index.series[id.0 as usize];
        let tenant = index.hosts.key(series.host).tenant.as_deref();
        if self.plan.tenant.as_deref().is_some_and(|t| Some(t) != tenant) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, c) in self.columns.iter().enumerate() {
            if let Some(s) = c.selector()
                && s.metric == series.metric
                && s.matchers.iter().all(|m| m.matches(&series.labels, &index.hosts, series.host))
            {
                out.push(i as u32);
            }
        }
        out
    }

    /// Binds a new series to its row (created when new) for `columns`.
    /// Returns the row.
    pub fn bind(&mut self, index: &SeriesIndex, id: SeriesId, columns: &[u32]) -> u32 {
        let series = &index.series[id.0 as usize];
        let host = series.host;
        // The label values are the series' own `Arc`s, shared, not copies.
        let value = |name: &str| -> Arc<str> {
            crate::decode::find_label(&series.labels, name)
                .map(|l| l.value.clone())
                .or_else(|| index.hosts.label_arc(host, name))
                .unwrap_or_else(|| self.empty.clone())
        };
        let key: Key = self.key_labels.iter().map(|l| value(l)).collect();
        let row = match self.row_by_key.get(&key) {
            Some(r) => *r,
            None => self.new_row(index, key, host, series.labels.clone()),
        };
        let r = &mut self.rows[row as usize];
        if !r.series.contains(&id) {
            r.series.push(id);
        }
        let slots = &mut r.slots;
        for c in columns {
            if let Slot::Series(ids) = &mut slots[*c as usize]
                && !ids.contains(&id)
            {
                ids.push(id);
            }
        }
        row
    }

    fn new_row(
        &mut self,
        index: &SeriesIndex,
        key: Key,
        host: HostId,
        labels: Arc<[Label]>,
    ) -> u32 {
        let row = self.rows.len() as u32;
        let offset = self.offset_of(&key);
        // The instance: the row itself, or its group.
        let identity: Vec<(Arc<str>, Arc<str>)> = match &self.group_by {
            None => Vec::new(),
            Some(by) => {
                let mut names: Vec<&str> = by.iter().map(String::as_str).collect();
                if !names.contains(&TENANT_LABEL) {
                    names.insert(0, TENANT_LABEL);
                }
                names
                    .into_iter()
                    .map(|n| {
                        let v = label_of(&labels, n).or_else(|| index.hosts.label(host, n));
                        (Arc::from(n), Arc::from(v.unwrap_or("")))
                    })
                    .collect()
            }
        };
        let mut identity: Vec<(Arc<str>, Arc<str>)> =
            identity.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        identity.sort();
        // Without `by`, a row is its own instance: no lookup needed.
        let ikey: Option<Key> = self
            .group_by
            .as_ref()
            .map(|_| identity.iter().flat_map(|(k, v)| [k.clone(), v.clone()]).collect());
        let known = ikey.as_ref().and_then(|k| self.instance_by_key.get(k)).copied();
        let instance = match known {
            Some(i) => {
                self.instances[i as usize].more_rows.push(row);
                i
            }
            None => {
                let i = self.instances.len() as u32;
                let group_labels = if ikey.is_some() { identity } else { Vec::new() };
                self.instances.push(Instance {
                    group_labels,
                    first_row: row,
                    more_rows: Vec::new(),
                    state: None,
                });
                if let Some(k) = ikey {
                    self.instance_by_key.insert(k, i);
                }
                i
            }
        };
        self.rows.push(Row {
            key: key.clone(),
            host,
            labels,
            slots: self.columns.iter().map(|c| c.slot(&mut self.windows)).collect(),
            series: Vec::new(),
            offset,
            instance,
        });
        self.row_by_key.insert(key, row);
        row
    }

    /// The row's place inside the interval: a hash of the policy and the
    /// row's identity, within `jitter` (0 without one). Aggregating policies
    /// evaluate all rows together, so they do not spread.
    fn offset_of(&self, key: &Key) -> u32 {
        let jitter = self.plan.jitter.min(self.plan.every).floor();
        if jitter < 1.0 || self.group_by.is_some() {
            return 0;
        }
        // FNV-1a: stable across processes and releases, unlike the std hasher.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let name = self.plan.name.as_bytes();
        for part in std::iter::once(name).chain(key.iter().map(|k| k.as_bytes())) {
            for b in part.iter().chain(&[0xff]) {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        (h % jitter as u64) as u32
    }

    /// An instance's identity: (label, value) sorted by label, without the
    /// empty ones.
    pub fn identity(&self, i: &Instance) -> Vec<(Arc<str>, Arc<str>)> {
        if self.group_by.is_some() {
            return i.group_labels.clone();
        }
        let key = &self.rows[i.first_row as usize].key;
        let mut out: Vec<(Arc<str>, Arc<str>)> = self
            .key_labels
            .iter()
            .zip(key.iter())
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.sort();
        out
    }

    /// One label of an instance's identity, without building it.
    pub fn identity_label<'a>(&'a self, i: &'a Instance, name: &str) -> Option<&'a str> {
        let found = if self.group_by.is_some() {
            i.group_labels.iter().find(|(k, _)| &**k == name).map(|(_, v)| &**v)
        } else {
            let at = self.key_labels.iter().position(|k| &**k == name)?;
            self.rows[i.first_row as usize].key.get(at).map(|v| &**v)
        };
        found.filter(|v| !v.is_empty())
    }

    /// The time of the newest sample of any series of a row.
    pub fn last_sample(&self, index: &SeriesIndex, row: &Row) -> f64 {
        row.series
            .iter()
            .map(|id| index.hot[id.0 as usize].last_time)
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// The value of label `name` for a row: its series' labels, then its
    /// host's.
    pub fn row_label<'a>(
        &'a self,
        index: &'a SeriesIndex,
        row: &'a Row,
        name: &str,
    ) -> Option<&'a str> {
        label_of(&row.labels, name).or_else(|| index.hosts.label(row.host, name))
    }
}

/// See [`PolicyRt::horizon`].
fn horizon(plan: &PolicyPlan, columns: &[Column], index: &SeriesIndex) -> f64 {
    use upkeep_compiler::plan::{HoldPlan, StepPlan};
    let mut longest: f64 = 0.0;
    let mut take = |v: f64| {
        if v.is_finite() {
            longest = longest.max(v);
        }
    };
    for c in columns {
        match c {
            Column::Window { seconds, .. } | Column::OutWindow { seconds, .. } => take(*seconds),
            _ => {}
        }
        if let Some(s) = c.selector() {
            take(index.metrics[s.metric as usize].lookback);
        }
    }
    for l in &plan.levels {
        match l.hold {
            HoldPlan::Seconds(d) => take(d),
            HoldPlan::Checks(n) | HoldPlan::OfChecks(_, n) => take(f64::from(n) * plan.every),
            HoldPlan::None => {}
        }
        take(l.recover.map_or(0.0, |r| r.1));
    }
    take(plan.keep.unwrap_or(0.0));
    take(plan.nodata.as_ref().map_or(0.0, |n| n.0));
    take(plan.flapping.map_or(0.0, |f| f.1));
    for e in &plan.escalation {
        take(e.after);
    }
    for on in &plan.remediations {
        for step in &on.steps {
            match step {
                StepPlan::Verify { within, .. } => take(*within),
                StepPlan::Cooldown(d) => take(*d),
                StepPlan::AtMost { per, .. } => take(*per),
                _ => {}
            }
        }
    }
    longest + plan.every
}

/// For each text `let` of a state metric, a column that reads that series
/// (a comparison with it); a text never compared has no column, and stays
/// as written in messages.
fn text_columns(plan: &PolicyPlan) -> Vec<(String, usize)> {
    use upkeep_compiler::plan::{InputSpec, TextSource};
    plan.texts
        .iter()
        .filter_map(|(name, series)| {
            let reads = |s: &TextSource| matches!(s, TextSource::State(r) if r == series);
            let column = plan
                .inputs
                .iter()
                .position(|spec| matches!(spec, InputSpec::TextEq(a, b) if reads(a) || reads(b)))?;
            Some((name.clone(), column))
        })
        .collect()
}
