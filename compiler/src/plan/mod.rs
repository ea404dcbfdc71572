//! The Plan: a compiled package, as the runtime loads it — policies with
//! their schedules, levels, guards and evaluator graphs; metrics with their
//! sources and scales; fleets, calendars and actions. Serialisable
//! (`upkeep compile -o plan.json`), so the runtime can start from a plan
//! without the sources.
//!
//! All durations are in seconds and all values in base units: the runtime
//! multiplies every sample by its metric's `scale` when it reads it, and
//! the graphs never convert units.

mod actions;
mod calendar;
mod inputs;
mod test;
pub mod text;

pub use actions::{ActionBodyPlan, ActionPlan};
pub use calendar::{CalendarPlan, CalendarRule, DayWindow, WindowEnd};
pub use inputs::{Clock, InputSpec, SeriesRef, TextSource, WindowFn};
pub use test::{Expect, ExpectPlan, Generator, SeriesGen, TestPlan};

use crate::ir::Graph;
use serde::{Deserialize, Serialize};

/// The kinds of events the runtime emits (docs/events.md), which a test's
/// `expect event KIND` may name. The runtime's own list is tested against
/// this one.
pub const EVENT_KINDS: &[&str] = &[
    "pending",
    "cancelled",
    "firing",
    "resolved",
    "suppressed",
    "unsuppressed",
    "flapping",
    "stable",
    "nodata",
    "action",
    "held",
    "verified",
    "verify_failed",
    "succeeded",
    "failed",
    "interrupted",
];

/// The plan format's version; bumped on any incompatible change.
pub const VERSION: u32 = 1;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub version: u32,
    pub metrics: Vec<MetricPlan>,
    pub policies: Vec<PolicyPlan>,
    #[serde(default)]
    pub calendars: Vec<CalendarPlan>,
    #[serde(default)]
    pub tests: Vec<TestPlan>,
    #[serde(default)]
    pub actions: Vec<ActionPlan>,
}

/// A metric as the runtime reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricPlan {
    /// The name policies use: `disk.free`.
    pub name: String,
    /// The series name in the exporter's output: `node_filesystem_avail_bytes`.
    pub source: String,
    pub kind: String,
    /// Multiply a sample by this to get base units (`gauge<percent>`: 0.01).
    pub scale: f64,
    /// (label as policies name it, label as the exporter names it).
    pub labels: Vec<(String, String)>,
    /// Seconds the latest sample stands for the current value.
    pub lookback: f64,
}

/// One policy, or one `apply` of a template with its arguments bound.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyPlan {
    /// `disk_space`, or for an apply `disk_space(mount: "/data")`.
    pub name: String,
    pub module: String,
    pub tenant: Option<String>,
    pub fleet: String,
    /// Output index of the fleet's `where` over the instance's host labels:
    /// an instance belongs to the policy while it is true. `None`: every host.
    #[serde(default)]
    pub fleet_filter: Option<usize>,
    pub every: f64,
    pub jitter: f64,
    /// The columns the evaluator reads, in order.
    pub inputs: Vec<InputSpec>,
    /// The evaluator: conditions and values, over the inputs.
    pub graph: Graph,
    pub levels: Vec<LevelPlan>,
    /// Named values for messages and events: (name, output index).
    pub values: Vec<(String, usize)>,
    /// The unit of each of `values`, in the same order, for messages:
    /// `s`, `ratio`, `bytes`, `B/s`, or a declared unit's name; empty for
    /// a plain number.
    #[serde(default)]
    pub value_units: Vec<String>,
    /// Text `let`s of state metrics (`let state = systemd.unit{…}`), for
    /// messages: the runtime fills `{state}` with the current state.
    #[serde(default)]
    pub texts: Vec<(String, SeriesRef)>,
    pub message: Option<String>,
    pub keep: Option<f64>,
    pub nodata: Option<(f64, String)>,
    pub flapping: Option<(u32, f64)>,
    pub labels: Vec<(String, String)>,
    pub remediations: Vec<OnPlan>,
    pub escalation: Vec<EscalationPlan>,
    pub quiet_during: Vec<String>,
    pub pause_during: Vec<String>,
    pub depends_on: Vec<(String, Vec<String>)>,
    /// Which evaluator the graph got when the plan was compiled: `jit`, or
    /// `interpreter` with the reason the JIT could not take it. The runtime
    /// compiles the graph again when it loads the plan (machine code is not
    /// part of a plan), and falls back the same way.
    #[serde(default)]
    pub evaluator: String,
    /// For a `task`: what makes it one. Its `when` is its one level
    /// (`info`) and its steps that level's remediation.
    #[serde(default)]
    pub task: Option<TaskPlan>,
}

/// What a task adds to a policy plan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskPlan {
    /// `during CAL`: due only inside these calendars (any of them); empty:
    /// always.
    pub during: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LevelPlan {
    pub level: String,
    /// Output index of the condition.
    pub condition: usize,
    pub hold: HoldPlan,
    /// Output index of the recover condition, and its hold in seconds.
    pub recover: Option<(usize, f64)>,
    pub message: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum HoldPlan {
    /// Fires at once.
    None,
    Seconds(f64),
    Checks(u32),
    OfChecks(u32, u32),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OnPlan {
    pub level: String,
    pub steps: Vec<StepPlan>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StepPlan {
    Run(ActionCallPlan),
    /// Output index of the condition, and the time it has to become true.
    Verify {
        condition: usize,
        within: f64,
    },
    Cooldown(f64),
    AtMost {
        count: u32,
        per: f64,
        then_escalate: bool,
    },
    AtMostOfFleet(f64),
    Concurrency(u32),
    DryRun,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionCallPlan {
    pub action: String,
    /// Arguments as templates: text with `{name}` interpolations, resolved
    /// per instance by the runtime.
    pub args: Vec<(String, String)>,
    pub timeout: Option<f64>,
    pub retry: Option<(u32, f64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EscalationPlan {
    pub after: f64,
    pub call: ActionCallPlan,
}
