//! Events: what the runtime tells the world. Every state transition of an
//! instance, every action it would run and every guard that held one back
//! is one [`Event`], written as one JSON object per line. The schema is
//! versioned ([`SCHEMA_VERSION`]) and documented in `docs/events.md`.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// The version of the event schema; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A level's condition became true; it is waiting for its `for`.
    Pending,
    /// A pending level's condition stopped before it was confirmed.
    Cancelled,
    /// A level was confirmed.
    Firing,
    /// A firing level cleared (or recovered).
    Resolved,
    /// A firing level is held back because a policy it depends on fires.
    Suppressed,
    /// The policy it depended on stopped firing: the level fires again.
    Unsuppressed,
    /// The instance changed state too often: its actions are held.
    Flapping,
    /// The instance is stable again after flapping.
    Stable,
    /// No samples for the `nodata` duration.
    Nodata,
    /// An action the policy asks for at this point (`on LEVEL`, `escalate`).
    Action,
    /// A guard held an action back (`cooldown`, `at most`, quiet, flapping…).
    Held,
    /// A `verify` condition became true within its time.
    Verified,
    /// A `verify` condition did not become true within its time.
    VerifyFailed,
    /// An action ran and succeeded (exit 0, a 2xx answer, a line written).
    Succeeded,
    /// An action ran and failed (after its retries), timed out, or could
    /// not be started; an `on LEVEL` remediation that fails escalates.
    Failed,
    /// An action was started before a crash and its outcome is unknown: it
    /// is not run again.
    Interrupted,
}

impl EventKind {
    /// Every kind, in the order of docs/events.md.
    pub const ALL: [EventKind; 16] = [
        EventKind::Pending,
        EventKind::Cancelled,
        EventKind::Firing,
        EventKind::Resolved,
        EventKind::Suppressed,
        EventKind::Unsuppressed,
        EventKind::Flapping,
        EventKind::Stable,
        EventKind::Nodata,
        EventKind::Action,
        EventKind::Held,
        EventKind::Verified,
        EventKind::VerifyFailed,
        EventKind::Succeeded,
        EventKind::Failed,
        EventKind::Interrupted,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EventKind::Pending => "pending",
            EventKind::Cancelled => "cancelled",
            EventKind::Firing => "firing",
            EventKind::Resolved => "resolved",
            EventKind::Suppressed => "suppressed",
            EventKind::Unsuppressed => "unsuppressed",
            EventKind::Flapping => "flapping",
            EventKind::Stable => "stable",
            EventKind::Nodata => "nodata",
            EventKind::Action => "action",
            EventKind::Held => "held",
            EventKind::Verified => "verified",
            EventKind::VerifyFailed => "verify_failed",
            EventKind::Succeeded => "succeeded",
            EventKind::Failed => "failed",
            EventKind::Interrupted => "interrupted",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One event, as written to the events stream.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    /// [`SCHEMA_VERSION`].
    pub v: u32,
    /// Event time, RFC 3339 in UTC (the time of the evaluation that decided).
    pub time: String,
    /// The same time in seconds since the Unix epoch.
    pub ts: f64,
    pub kind: EventKind,
    /// The client, or `None` for provider-wide instances without a client.
    pub tenant: Option<String>,
    pub policy: String,
    /// The labels that identify the instance.
    pub instance: BTreeMap<String, String>,
    pub level: Option<String>,
    /// The level's state before and after, for transitions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Why: the clause that decided, in words.
    pub reason: String,
    /// The policy's named values at that evaluation, rendered with units.
    pub values: BTreeMap<String, String>,
    /// The rendered message, when the policy has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// For `action`, `held` and the outcomes: the action and its arguments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<ActionRecord>,
    /// For `succeeded`, `failed` and `interrupted`: what ran and how it
    /// ended (see docs/events.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<serde_json::Value>,
    /// The firing episode the event belongs to (counted per instance from
    /// 1), for events inside one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub episode: Option<u64>,
    /// On a `resolved` event: the instance has no firing level left, its
    /// episode is over (notifications that can be resolved are).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub closes_episode: bool,
    /// The policy's `labels { … }`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// An action as an event names it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActionRecord {
    pub name: String,
    /// Arguments with the instance's labels and values filled in.
    pub args: BTreeMap<String, String>,
    /// `on crit`, `escalate after 15m`.
    pub trigger: String,
    /// The idempotency key: tenant, policy, instance, firing episode and step.
    pub key: String,
    /// The step within the episode: `on crit#0`, `escalate#1`.
    pub step: String,
    /// Recorded only (`dry run`): never executed.
    pub dry_run: bool,
    /// The call's `timeout`, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<f64>,
    /// The call's `retry N backoff D`: (N, seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<(u32, f64)>,
}

impl Event {
    /// The event as one line of JSON (no newline).
    pub fn to_json(&self) -> String {
        // Serialising plain strings, maps and numbers cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The instance labels as keys write them: `host=db1,mount=/`.
    pub fn instance_key(&self) -> String {
        label_text(&self.instance, ",")
    }

    /// The instance labels as `{host="db1", mount="/"}`.
    pub fn instance_text(&self) -> String {
        let parts: Vec<String> = self.instance.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
        format!("{{{}}}", parts.join(", "))
    }
}

/// Labels as `host=db1<sep>mount=/`, sorted by name: the form of the
/// instance in idempotency keys, ledger rows and dedup keys.
pub fn label_text(labels: &BTreeMap<String, String>, sep: &str) -> String {
    let parts: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.join(sep)
}

/// RFC 3339 text of a time in seconds since the epoch, in UTC; the number
/// itself when it is out of range.
pub fn rfc3339(ts: f64) -> String {
    let nanos = (ts * 1e9).round() as i128;
    match jiff::Timestamp::from_nanosecond(nanos) {
        Ok(t) => t.to_string(),
        Err(_) => format!("{ts}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checker_knows_every_kind_the_runtime_emits() {
        let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names, upkeep_compiler::plan::EVENT_KINDS);
        let docs = include_str!("../../docs/events.md");
        for name in names {
            assert!(docs.contains(&format!("| `{name}` |")), "docs/events.md lacks `{name}`");
        }
    }
}
