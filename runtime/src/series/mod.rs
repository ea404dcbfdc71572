//! The series index: every series the policies read, by metric and label
//! set, with its latest sample; and the host table, every (tenant, host)
//! with its host labels.
//!
//! A decoded sample names its series the exporter's way
//! (`node_filesystem_avail_bytes{mountpoint="/"}`); the index translates it
//! the policies' way (`disk.free{mount="/"}`) once, when the series is
//! first seen, and afterwards finds it by the sample's name and label set.
//! Series of metrics no policy declares are not kept.
//!
//! Everything here is keyed so it can be split by (tenant, host): a series
//! belongs to one host, and a host to one tenant ([`HostKey`]).

mod hosts;

pub use hosts::{HostId, HostKey, HostTable};

use crate::decode::Label;
use hashbrown::HashMap;
use std::sync::Arc;
use upkeep_compiler::plan::MetricPlan;

/// The label that names a series' host, and the one that names its tenant.
pub const HOST_LABEL: &str = "host";
pub const TENANT_LABEL: &str = "client";
/// A state metric's series carry the state's name in this label, with the
/// value 1 for the current state (as windows_exporter and node_exporter's
/// systemd collector write them).
pub const STATE_LABEL: &str = "state";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeriesId(pub u32);

/// A metric as the index reads it.
#[derive(Debug)]
pub struct MetricInfo {
    pub name: Arc<str>,
    pub scale: f64,
    pub lookback: f64,
    pub is_state: bool,
    /// Exporter label name → policy label name.
    renames: Vec<(Arc<str>, Arc<str>)>,
}

/// One series and its latest sample.
#[derive(Debug)]
pub struct Series {
    pub metric: u32,
    /// Labels as policies name them, sorted by name; without the state label
    /// of a state metric.
    pub labels: Arc<[Label]>,
    pub host: HostId,
    /// Time (seconds since the epoch) and value, in base units, of the
    /// newest sample; `f64::NEG_INFINITY` before the first.
    pub last_time: f64,
    pub last_value: f64,
    /// A state metric's current state.
    pub state: Option<Arc<str>>,
}

impl Series {
    /// The value of label `name`.
    pub fn label(&self, name: &str) -> Option<&str> {
        label_of(&self.labels, name)
    }

    /// The latest value at `now`, unknown once older than `lookback`.
    pub fn value_at(&self, now: f64, lookback: f64) -> f64 {
        if now - self.last_time <= lookback { self.last_value } else { f64::NAN }
    }
}

/// The value of label `name` in a sorted label set.
pub fn label_of<'a>(labels: &'a [Label], name: &str) -> Option<&'a str> {
    labels.binary_search_by(|l| (*l.name).cmp(name)).ok().map(|i| &*labels[i].value)
}

/// A series as the exporter names it: (name, labels).
type ExporterKey = (Arc<str>, Arc<[Label]>);

/// What the index did with a sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The sample belongs to this series; `new` when first seen.
    Series { id: SeriesId, new: bool },
    /// No policy reads this metric.
    Unused,
}

#[derive(Debug, Default)]
pub struct SeriesIndex {
    pub metrics: Vec<MetricInfo>,
    /// Exporter series name → the metrics declared from it.
    by_source: HashMap<Arc<str>, Vec<u32>>,
    /// (exporter name, exporter labels) → one series per metric of that source.
    by_key: HashMap<ExporterKey, Vec<SeriesId>>,
    /// (metric, labels the policies' way) → series: the several exporter
    /// series of one state metric (one per state) are one series.
    by_labels: HashMap<(u32, Arc<[Label]>), SeriesId>,
    pub series: Vec<Series>,
    pub hosts: HostTable,
}

impl SeriesIndex {
    /// An index of the metrics of a plan that `used` says some policy reads.
    pub fn new(metrics: &[MetricPlan], used: impl Fn(&str) -> bool) -> SeriesIndex {
        let mut index = SeriesIndex::default();
        for m in metrics.iter().filter(|m| used(&m.name)) {
            let id = index.metrics.len() as u32;
            index.metrics.push(MetricInfo {
                name: m.name.as_str().into(),
                scale: m.scale,
                lookback: m.lookback,
                is_state: m.kind == "state",
                renames: m
                    .labels
                    .iter()
                    .filter(|(ours, theirs)| ours != theirs)
                    .map(|(ours, theirs)| (theirs.as_str().into(), ours.as_str().into()))
                    .collect(),
            });
            index.by_source.entry(m.source.as_str().into()).or_default().push(id);
        }
        index
    }

    /// The metric index of a policy-side metric name.
    pub fn metric_id(&self, name: &str) -> Option<u32> {
        self.metrics.iter().position(|m| &*m.name == name).map(|i| i as u32)
    }

    /// Finds (or creates) the series of a sample; `out` receives one id per
    /// metric declared from the sample's series name.
    pub fn lookup(&mut self, name: &Arc<str>, labels: &Arc<[Label]>, out: &mut Vec<Lookup>) {
        out.clear();
        if let Some(ids) = self.by_key.get(&(name.clone(), labels.clone())) {
            out.extend(ids.iter().map(|id| Lookup::Series { id: *id, new: false }));
            return;
        }
        let Some(metrics) = self.by_source.get(name).cloned() else {
            out.push(Lookup::Unused);
            return;
        };
        let mut ids = Vec::with_capacity(metrics.len());
        for metric in metrics {
            let info = &self.metrics[metric as usize];
            let translated = translate(labels, info);
            if let Some(id) = self.by_labels.get(&(metric, translated.clone())) {
                ids.push(*id);
                out.push(Lookup::Series { id: *id, new: false });
                continue;
            }
            let tenant = label_of(&translated, TENANT_LABEL).map(Arc::<str>::from);
            let host = label_of(&translated, HOST_LABEL).unwrap_or("");
            let host = self.hosts.intern(tenant, host.into());
            self.hosts.observe(host, &translated);
            let id = SeriesId(self.series.len() as u32);
            self.series.push(Series {
                metric,
                labels: translated,
                host,
                last_time: f64::NEG_INFINITY,
                last_value: f64::NAN,
                state: None,
            });
            self.by_labels.insert((metric, self.series[id.0 as usize].labels.clone()), id);
            ids.push(id);
            out.push(Lookup::Series { id, new: true });
        }
        self.by_key.insert((name.clone(), labels.clone()), ids);
    }

    /// The number of series kept.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }
}

/// A sample's labels the policies' way: renamed, sorted, and for a state
/// metric without the state label.
fn translate(labels: &[Label], info: &MetricInfo) -> Arc<[Label]> {
    let mut out: Vec<Label> = labels
        .iter()
        .filter(|l| !(info.is_state && &*l.name == STATE_LABEL))
        .map(|l| match info.renames.iter().find(|(theirs, _)| *theirs == l.name) {
            Some((_, ours)) => Label { name: ours.clone(), value: l.value.clone() },
            None => l.clone(),
        })
        .collect();
    out.sort();
    out.dedup_by(|a, b| a.name == b.name);
    out.into()
}
