//! Engine snapshots: everything the engine has learnt from its input —
//! series with their newest samples, hosts, rows, windows, instance states,
//! the evaluation schedule, the watermark (not the counters of a run) — as bytes, and back. A
//! checkpoint stores one beside the input position, so that a restart
//! continues exactly where the saved engine stood: no window starts empty,
//! no `for` timer restarts, no evaluation is skipped or repeated.
//!
//! A snapshot is only valid for an engine built from the same plan (rows
//! and windows are numbered by the plan's columns): [`fingerprint`] names
//! the plan, and [`Engine::restore`] refuses a snapshot of another. The
//! encoding is postcard (compact, serde, no schema to generate); the
//! format carries [`FORMAT`] so that an old snapshot is refused, not
//! misread, after an upgrade.

use super::policy::{Instance, Row};
use super::schedule::Schedule;
use super::{Engine, Feed};
use crate::series::{HostTable, Series, SeriesHot};
use crate::window::Window;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use upkeep_compiler::plan::Plan;

/// The snapshot format's version: bump it on any change to what is saved.
pub const FORMAT: u32 = 2;

/// Why a snapshot cannot be restored.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(
        "the snapshot was saved by another version of the runtime (format {found}, this one reads {FORMAT})"
    )]
    Format { found: u32 },
    #[error("the snapshot does not decode: {0}")]
    Decode(String),
    #[error("the snapshot does not match the policies: {0}")]
    Mismatch(String),
}

/// The name of a plan's content: a snapshot restores only into an engine
/// of the same fingerprint. SHA-256 of the plan's JSON, in hex.
pub fn fingerprint(plan: &Plan) -> String {
    let json = serde_json::to_vec(plan).unwrap_or_default();
    let digest = Sha256::digest(&json);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// What is saved, borrowed from the engine (no copy of the windows).
#[derive(Serialize)]
struct SnapshotRef<'a> {
    format: u32,
    series: &'a [Series],
    hot: &'a [SeriesHot],
    hosts: &'a HostTable,
    feeds: &'a [Feed],
    policies: Vec<PolicyRef<'a>>,
    schedule: &'a Schedule,
    watermark: f64,
}

#[derive(Serialize)]
struct PolicyRef<'a> {
    name: &'a str,
    rows: &'a [Row],
    instances: &'a [Instance],
    windows: &'a [Window],
}

/// The same, owned, as read back. Field for field as [`SnapshotRef`]:
/// postcard is positional.
#[derive(Deserialize)]
struct SnapshotOwned {
    _format: u32,
    series: Vec<Series>,
    hot: Vec<SeriesHot>,
    hosts: HostTable,
    feeds: Vec<Feed>,
    policies: Vec<PolicyOwned>,
    schedule: Schedule,
    watermark: f64,
}

#[derive(Deserialize)]
struct PolicyOwned {
    name: String,
    rows: Vec<Row>,
    instances: Vec<Instance>,
    windows: Vec<Window>,
}

/// Only the format number, read first so that a snapshot of another
/// format is refused before anything else is decoded.
#[derive(Deserialize)]
struct Header {
    format: u32,
}

impl Engine {
    /// The engine's learnt state, as bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        let snapshot = SnapshotRef {
            format: FORMAT,
            series: &self.index.series,
            hot: &self.index.hot,
            hosts: &self.index.hosts,
            feeds: &self.feeds,
            policies: self
                .policies
                .iter()
                .map(|p| PolicyRef {
                    name: &p.plan.name,
                    rows: &p.rows,
                    instances: &p.instances,
                    windows: &p.windows,
                })
                .collect(),
            schedule: &self.schedule,
            watermark: self.watermark,
        };
        // Plain data into a Vec: postcard cannot fail here.
        postcard::to_stdvec(&snapshot).unwrap_or_default()
    }

    /// Puts back a snapshot taken by an engine with the same plan (the
    /// caller compares [`fingerprint`]s first). On an error the engine is
    /// left as it was.
    pub fn restore(&mut self, bytes: &[u8]) -> Result<(), SnapshotError> {
        let header: Header =
            postcard::from_bytes(bytes).map_err(|e| SnapshotError::Decode(e.to_string()))?;
        if header.format != FORMAT {
            return Err(SnapshotError::Format { found: header.format });
        }
        let s: SnapshotOwned =
            postcard::from_bytes(bytes).map_err(|e| SnapshotError::Decode(e.to_string()))?;
        self.check(&s)?;
        self.index.restore(s.series, s.hot, s.hosts);
        self.feeds = s.feeds;
        for (policy, saved) in self.policies.iter_mut().zip(s.policies) {
            policy.restore(saved.rows, saved.instances, saved.windows);
        }
        self.schedule = s.schedule;
        self.watermark = s.watermark;
        Ok(())
    }

    /// Every index in the snapshot points inside it, and its policies are
    /// ours in our order: a snapshot that passes cannot make the engine
    /// index out of bounds later.
    fn check(&self, s: &SnapshotOwned) -> Result<(), SnapshotError> {
        let bad = |what: String| Err(SnapshotError::Mismatch(what));
        if s.policies.len() != self.policies.len() {
            return bad(format!(
                "{} policies saved, {} now",
                s.policies.len(),
                self.policies.len()
            ));
        }
        if s.series.len() != s.hot.len() {
            return bad("series and their samples differ in number".into());
        }
        let metrics = self.index.metrics.len() as u32;
        if s.series.iter().any(|x| x.metric >= metrics) || s.hot.iter().any(|h| h.metric >= metrics)
        {
            return bad("a series of an unknown metric".into());
        }
        if s.hot.iter().any(|h| h.feeds.0 > h.feeds.1 || h.feeds.1 as usize > s.feeds.len()) {
            return bad("a series' feeds are out of range".into());
        }
        for (p, (now, saved)) in self.policies.iter().zip(&s.policies).enumerate() {
            if now.plan.name != saved.name {
                return bad(format!("policy {p} was `{}`, is `{}`", saved.name, now.plan.name));
            }
            let rows = saved.rows.len() as u32;
            let windows = saved.windows.len() as u32;
            let series = s.series.len() as u32;
            for row in &saved.rows {
                let in_range = row.slots.len() == now.columns.len()
                    && (row.instance as usize) < saved.instances.len()
                    && row.series.iter().all(|id| id.0 < series)
                    && row.slots.iter().all(|slot| slot_in_range(slot, windows, series));
                if !in_range {
                    return bad(format!("a row of `{}` is out of range", saved.name));
                }
            }
            if saved.instances.iter().any(|i| i.rows().any(|r| r >= rows)) {
                return bad(format!("an instance of `{}` is out of range", saved.name));
            }
        }
        for feed in &s.feeds {
            let ok = match *feed {
                Feed::Window { policy, window } => s
                    .policies
                    .get(policy as usize)
                    .is_some_and(|p| (window as usize) < p.windows.len()),
                Feed::Ewma { policy, row, column, .. } => s
                    .policies
                    .get(policy as usize)
                    .and_then(|p| p.rows.get(row as usize))
                    .is_some_and(|r| (column as usize) < r.slots.len()),
            };
            if !ok {
                return bad("a feed is out of range".into());
            }
        }
        if !s.schedule.is_within(s.policies.iter().map(|p| p.rows.len() as u32).collect()) {
            return bad("the schedule names rows that are not there".into());
        }
        Ok(())
    }
}

fn slot_in_range(slot: &super::columns::Slot, windows: u32, series: u32) -> bool {
    use super::columns::Slot;
    match slot {
        Slot::Series(ids) => ids.iter().all(|id| id.0 < series),
        Slot::Window { window, series: s } => *window < windows && s.is_none_or(|id| id.0 < series),
        Slot::Ewma { series: s, .. } => s.is_none_or(|id| id.0 < series),
    }
}
