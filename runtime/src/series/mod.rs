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

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct SeriesId(pub u32);

/// A metric as the index reads it.
#[derive(Debug)]
pub struct MetricInfo {
    pub name: Arc<str>,
    /// The exporter's series name.
    pub source: Arc<str>,
    pub scale: f64,
    pub lookback: f64,
    pub is_state: bool,
    /// Exporter label name → policy label name.
    renames: Vec<(Arc<str>, Arc<str>)>,
}

/// One series and its latest sample.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Series {
    pub metric: u32,
    /// Labels as policies name them, sorted by name; without the state label
    /// of a state metric.
    pub labels: Arc<[Label]>,
    pub host: HostId,
    /// A state metric's current state.
    pub state: Option<Arc<str>>,
    /// The label holding a state metric's state in the exporter's series.
    pub state_label: Option<Arc<str>>,
}

/// What every sample of a series reads and writes, apart from the rest of
/// [`Series`] so that the hot part of many series packs into few cache
/// lines (`SeriesIndex::hot`, indexed like `SeriesIndex::series`).
#[derive(Clone, Copy, Debug, serde::Serialize, serde::Deserialize)]
pub struct SeriesHot {
    /// Time (seconds since the epoch) and value, in base units, of the
    /// newest sample; `f64::NEG_INFINITY` before the first.
    pub last_time: f64,
    pub last_value: f64,
    /// Where the engine sends this series' samples: a range of its feeds.
    pub feeds: (u32, u32),
    pub metric: u32,
}

impl SeriesHot {
    /// The latest value at `now`, unknown once older than `lookback`.
    pub fn value_at(&self, now: f64, lookback: f64) -> f64 {
        if now - self.last_time <= lookback { self.last_value } else { f64::NAN }
    }
}

impl Series {
    /// The value of label `name`.
    pub fn label(&self, name: &str) -> Option<&str> {
        label_of(&self.labels, name)
    }
}

/// The value of label `name` in a sorted label set.
pub fn label_of<'a>(labels: &'a [Label], name: &str) -> Option<&'a str> {
    crate::decode::find_label(labels, name).map(|l| &*l.value)
}

/// A series as the exporter names it: (name, labels).
type ExporterKey = (Arc<str>, Arc<[Label]>);

/// The series of one (name, labels) pair of the decoder's `Arc`s: nearly
/// always one, kept inline so the hot lookup reads one small bucket; more
/// (several metrics from one exporter series) are in `more_ids`.
#[derive(Clone, Copy, Debug)]
struct AddressEntry {
    first: SeriesId,
    /// Index into `SeriesIndex::more_ids`, or `u32::MAX` for none.
    more: u32,
}

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
    /// The same, by the addresses of the decoder's shared name and labels.
    by_address: HashMap<(usize, usize), AddressEntry>,
    /// The `Arc`s whose addresses `by_address` holds, kept alive so that no
    /// address is reused for another series while it is there.
    pinned: Vec<(Arc<str>, Arc<[Label]>)>,
    /// The series after the first of `by_address` entries with several.
    more_ids: Vec<Box<[SeriesId]>>,
    /// (metric, labels the policies' way) → series: the several exporter
    /// series of one state metric (one per state) are one series.
    by_labels: HashMap<(u32, Arc<[Label]>), SeriesId>,
    pub series: Vec<Series>,
    /// The hot part of each series, indexed as `series`.
    pub hot: Vec<SeriesHot>,
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
                source: m.source.as_str().into(),
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
        // The decoder hands out the same `Arc`s for a series while its
        // interner keeps them: their addresses find the series without
        // hashing or comparing any text. The entry holds the `Arc`s, so an
        // address cannot be reused for another series while it is there.
        let address =
            (Arc::as_ptr(name) as *const u8 as usize, Arc::as_ptr(labels) as *const u8 as usize);
        if let Some(entry) = self.by_address.get(&address) {
            out.push(Lookup::Series { id: entry.first, new: false });
            if let Some(more) = self.more_ids.get(entry.more as usize) {
                out.extend(more.iter().map(|id| Lookup::Series { id: *id, new: false }));
            }
            return;
        }
        if let Some(ids) = self.by_key.get(&(name.clone(), labels.clone())) {
            out.extend(ids.iter().map(|id| Lookup::Series { id: *id, new: false }));
            let ids = ids.clone();
            self.remember_address(address, name, labels, &ids);
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
                state: None,
                state_label: if info.is_state { state_label(labels, &info.source) } else { None },
            });
            self.hot.push(SeriesHot {
                last_time: f64::NEG_INFINITY,
                last_value: f64::NAN,
                feeds: (0, 0),
                metric,
            });
            self.by_labels.insert((metric, self.series[id.0 as usize].labels.clone()), id);
            ids.push(id);
            out.push(Lookup::Series { id, new: true });
        }
        self.remember_address(address, name, labels, &ids);
        self.by_key.insert((name.clone(), labels.clone()), ids);
    }

    fn remember_address(
        &mut self,
        address: (usize, usize),
        name: &Arc<str>,
        labels: &Arc<[Label]>,
        ids: &[SeriesId],
    ) {
        let Some((first, rest)) = ids.split_first() else { return };
        // After the decoder's interner starts afresh, old addresses are never
        // seen again: forget them all once there are many more than series.
        if self.by_address.len() > 2 * self.by_key.len() + 1024 {
            self.by_address.clear();
            self.pinned.clear();
            self.more_ids.clear();
        }
        let more = if rest.is_empty() {
            u32::MAX
        } else {
            self.more_ids.push(rest.into());
            (self.more_ids.len() - 1) as u32
        };
        self.pinned.push((name.clone(), labels.clone()));
        self.by_address.insert(address, AddressEntry { first: *first, more });
    }

    /// Puts back the series and hosts of a snapshot (taken with the same
    /// metrics) and rebuilds the lookup by labels; the lookups by exporter
    /// key and by address fill again as samples arrive.
    pub fn restore(&mut self, series: Vec<Series>, hot: Vec<SeriesHot>, mut hosts: HostTable) {
        hosts.reindex();
        self.by_labels = series
            .iter()
            .enumerate()
            .map(|(i, s)| ((s.metric, s.labels.clone()), SeriesId(i as u32)))
            .collect();
        self.by_key.clear();
        self.by_address.clear();
        self.pinned.clear();
        self.more_ids.clear();
        self.series = series;
        self.hot = hot;
        self.hosts = hosts;
    }

    /// A series of another index (built from other policies), with its
    /// newest sample and state, under this index's metric `metric`;
    /// returns its id here. Its feeds are for the caller to bind.
    pub fn adopt(&mut self, other: &SeriesIndex, id: SeriesId, metric: u32) -> SeriesId {
        let series = &other.series[id.0 as usize];
        let hot = other.hot[id.0 as usize];
        let host = self.hosts.adopt(&other.hosts, series.host);
        if let Some(existing) = self.by_labels.get(&(metric, series.labels.clone())) {
            return *existing;
        }
        let new = SeriesId(self.series.len() as u32);
        self.series.push(Series {
            metric,
            labels: series.labels.clone(),
            host,
            state: series.state.clone(),
            state_label: series.state_label.clone(),
        });
        self.hot.push(SeriesHot { feeds: (0, 0), metric, ..hot });
        self.by_labels.insert((metric, series.labels.clone()), new);
        new
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
/// metric without its state label. A renamed label wins over a label that
/// already has its new name (`labels(job = exported_job)` on a series that
/// also carries the scrape's `job`).
fn translate(labels: &Arc<[Label]>, info: &MetricInfo) -> Arc<[Label]> {
    let state = if info.is_state { state_label(labels, &info.source) } else { None };
    let touched = |l: &Label| {
        Some(&l.name) == state.as_ref()
            || info.renames.iter().any(|(theirs, ours)| *theirs == l.name || *ours == l.name)
    };
    if !labels.iter().any(touched) {
        // Nothing to rename or drop (the usual case): share the decoder's
        // label set (sorted and unique already) instead of copying it.
        return labels.clone();
    }
    let renamed = |name: &Arc<str>| info.renames.iter().find(|(theirs, _)| theirs == name);
    let shadowed = |name: &Arc<str>| info.renames.iter().any(|(_, ours)| ours == name);
    let mut out: Vec<Label> = labels
        .iter()
        .filter(|l| Some(&l.name) != state.as_ref())
        .filter_map(|l| match renamed(&l.name) {
            Some((_, ours)) => Some(Label { name: ours.clone(), value: l.value.clone() }),
            None if shadowed(&l.name) => None,
            None => Some(l.clone()),
        })
        .collect();
    out.sort();
    out.dedup_by(|a, b| a.name == b.name);
    out.into()
}

/// The label that holds a state metric's state: `state`
/// (`windows_service_state{state="running"}`), else the label the series
/// name ends with (`windows_service_start_mode{start_mode="auto"}`).
pub fn state_label(labels: &[Label], source: &str) -> Option<Arc<str>> {
    labels
        .iter()
        .find(|l| &*l.name == STATE_LABEL)
        .or_else(|| {
            labels.iter().find(|l| {
                source.len() > l.name.len()
                    && source.ends_with(&*l.name)
                    && source.as_bytes()[source.len() - l.name.len() - 1] == b'_'
            })
        })
        .map(|l| l.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Vec<Label> {
        pairs.iter().map(|(n, v)| Label { name: (*n).into(), value: (*v).into() }).collect()
    }

    fn info(source: &str, is_state: bool, renames: &[(&str, &str)]) -> MetricInfo {
        MetricInfo {
            name: "m".into(),
            source: source.into(),
            scale: 1.0,
            lookback: 300.0,
            is_state,
            renames: renames.iter().map(|(t, o)| ((*t).into(), (*o).into())).collect(),
        }
    }

    #[test]
    fn untouched_label_sets_are_shared_not_copied() {
        let m = info("node_load1", false, &[("mountpoint", "mount")]);
        let raw: Arc<[Label]> = labels(&[("host", "a"), ("os", "linux")]).into();
        assert!(Arc::ptr_eq(&translate(&raw, &m), &raw));
    }

    #[test]
    fn a_renamed_label_wins_over_one_with_its_new_name() {
        let m = info("backup_ts", false, &[("exported_job", "job")]);
        let out = translate(&labels(&[("exported_job", "veeam"), ("job", "node")]).into(), &m);
        assert_eq!(&*out, &labels(&[("job", "veeam")])[..]);
    }

    #[test]
    fn state_metrics_drop_their_state_label_whatever_its_name() {
        let m = info("windows_service_start_mode", true, &[("name", "service")]);
        let raw = labels(&[("name", "WinRM"), ("start_mode", "auto")]);
        assert_eq!(state_label(&raw, "windows_service_start_mode").as_deref(), Some("start_mode"));
        assert_eq!(&*translate(&raw.clone().into(), &m), &labels(&[("service", "WinRM")])[..]);
        let raw = labels(&[("name", "x"), ("state", "running")]);
        assert_eq!(state_label(&raw, "windows_service_state").as_deref(), Some("state"));
        // A suffix counts only after a `_`: `art_mode` is not a label name here.
        assert_eq!(state_label(&labels(&[("art_mode", "a")]), "windows_service_start_mode"), None);
    }
}
