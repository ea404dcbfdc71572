//! `test` blocks as the runtime runs them: generated series and
//! expectations, with times in seconds from the start of the test.

use super::PolicyPlan;
use crate::ir::Graph;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestPlan {
    /// The test's name: the policy or template it tests.
    pub name: String,
    pub module: String,
    /// The test's tenant (from its module), given to series that carry no
    /// `client` label so that the tenant's policies read them.
    pub tenant: Option<String>,
    /// 1-based line of the `test` keyword, for reports.
    pub line: u32,
    /// The policies the test runs: the one it names (a template is
    /// instantiated with its defaults on its own fleet), and every policy
    /// of the package that depends on it or that it depends on.
    pub policies: Vec<PolicyPlan>,
    pub series: Vec<SeriesGen>,
    pub expectations: Vec<ExpectPlan>,
}

/// `series disk.free{host="db1"} = 30GB - 1GB * t / 1m every 1m for 40m`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesGen {
    /// The metric as policies name it (`disk.free`).
    pub metric: String,
    /// Labels as policies name them (`mount`, not `mountpoint`).
    pub labels: Vec<(String, String)>,
    pub values: Generator,
    /// Seconds between samples; `None` when not written (one sample at 0
    /// for a constant, repeated by the runtime at each evaluation).
    pub every: Option<f64>,
    /// Seconds the series lasts; `None` when not written.
    pub duration: Option<f64>,
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Generator {
    /// A graph with one input, `t` in seconds (and a second, `now`, when it
    /// reads it), and one output: the value in base units (NaN: no sample).
    /// A state metric's value is a text, see `Text` and `TextExpr`.
    Expr(Graph),
    /// promtool's expanding notation, as written: `"0+10x100 _x3 5"`. The
    /// numbers are in the metric's own unit (as an exporter writes them).
    Notation(String),
    /// A constant text, for state metrics: `series systemd.unit{…} = "failed"`.
    Text(String),
    /// A text that changes over time, for state metrics: `if t < 5m then
    /// "active" else "failed"`. The graph has the inputs of `Expr` and one
    /// output: an index into `texts` (NaN: no sample).
    TextExpr { graph: Graph, texts: Vec<String> },
}

/// `expect warn firing on {host="db1"} at 21m`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExpectPlan {
    pub what: Expect,
    /// (label, operator `=` `!=` `=~` `!~`, value).
    pub on: Vec<(String, String, String)>,
    /// Seconds from the start; `None`: about the whole run.
    pub at: Option<f64>,
    pub line: u32,
    /// The expectation as written, for reports.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Expect {
    /// `expect warn firing`: `state` is `pending`, `firing`, `resolved`,
    /// `suppressed` or `flapping`.
    State {
        level: String,
        state: String,
    },
    /// `expect ok`.
    Ok,
    Action(String),
    NoAction(Option<String>),
    /// `expect event resolved`: the event kind.
    Event(String),
}
