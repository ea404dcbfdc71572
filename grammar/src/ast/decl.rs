//! Declarations, policy clauses, remediation steps and test items.

use super::{Arg, Expr, Field, Ident, Matcher, StrLit, TypeExpr, UnitExpr};
use crate::span::Span;

/// `tenant acme`
#[derive(Clone, Debug, PartialEq)]
pub struct TenantDecl {
    pub name: Ident,
    pub span: Span,
}

/// `use std.metrics.node` or `use std.actions.{restart_service, page}`
#[derive(Clone, Debug, PartialEq)]
pub struct UseDecl {
    pub path: Ident,
    pub names: Option<Vec<Ident>>,
    pub span: Span,
}

/// `metric disk.free: gauge<bytes> labels(mount = mountpoint, device) from "node_filesystem_avail_bytes"`
#[derive(Clone, Debug, PartialEq)]
pub struct MetricDecl {
    pub name: Ident,
    /// `gauge`, `counter` or `state`, as written.
    pub kind: Ident,
    pub unit: Option<UnitExpr>,
    pub labels: Vec<LabelDecl>,
    /// The name of the series in the exporter's output, when it differs.
    pub source: Option<StrLit>,
    /// How long the latest sample stands for the current value.
    pub lookback: Option<Expr>,
    pub span: Span,
}

/// A declared label, optionally read from a differently named source label.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelDecl {
    pub name: Ident,
    pub source: Option<Ident>,
    pub span: Span,
}

/// `unit bytes` (a base dimension) or `unit KiB = 1024 * B` (a derived unit).
#[derive(Clone, Debug, PartialEq)]
pub struct UnitDecl {
    pub name: UnitName,
    pub value: Option<Expr>,
    pub span: Span,
}

/// A unit's name: an identifier, or a symbol in quotes such as `"%"`.
#[derive(Clone, Debug, PartialEq)]
pub enum UnitName {
    Ident(Ident),
    Symbol(StrLit),
}

/// `fleet db = hosts where role == "db"`
#[derive(Clone, Debug, PartialEq)]
pub struct FleetDecl {
    pub name: Ident,
    pub filter: Option<Expr>,
    pub span: Span,
}

/// `calendar patch_night = monthly 2nd tue 22:00 for 4h in "Europe/Berlin"`
#[derive(Clone, Debug, PartialEq)]
pub struct CalendarDecl {
    pub name: Ident,
    pub spec: CalendarSpec,
    pub zone: Option<StrLit>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CalendarSpec {
    Daily { time: TimeRange },
    Weekly { days: Vec<Ident>, time: Option<TimeRange> },
    Monthly { nth: Ident, day: Option<Ident>, time: Option<TimeRange> },
    Cron { schedule: StrLit, duration: Expr },
}

/// A time of day as written: `22:00`.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeOfDay {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TimeRange {
    /// `01:00..05:00`
    Between(TimeOfDay, TimeOfDay),
    /// `22:00 for 4h`
    For(TimeOfDay, Expr),
}

/// `action restart(host: host, service: text) = exec ["systemctl", "restart", service]`
#[derive(Clone, Debug, PartialEq)]
pub struct ActionDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    pub body: ActionBody,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ActionBody {
    Exec { argv: Vec<Expr> },
    Webhook { url: Expr, body: Option<Expr> },
    Notify { channel: Expr },
}

/// A parameter of an action, function or template policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub default: Option<Expr>,
    pub span: Span,
}

/// `fn used(free: number<bytes>, size: number<bytes>) -> number<ratio> = 1 - free / size`
#[derive(Clone, Debug, PartialEq)]
pub struct FnDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    pub body: Expr,
    pub span: Span,
}

/// `policy NAME[(params)] on FLEET { clauses }`
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDecl {
    pub name: Ident,
    /// `Some` for a template policy, even with an empty list.
    pub params: Option<Vec<Param>>,
    pub fleet: Ident,
    pub clauses: Vec<Clause>,
    pub span: Span,
}

/// `apply disk_space(mount: "/data") on file_servers`
#[derive(Clone, Debug, PartialEq)]
pub struct ApplyDecl {
    pub policy: Ident,
    pub args: Vec<Arg>,
    pub fleet: Ident,
    pub span: Span,
}

/// `task NAME on FLEET { clauses }`: scheduled maintenance.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskDecl {
    pub name: Ident,
    pub fleet: Ident,
    pub clauses: Vec<Clause>,
    pub span: Span,
}

/// One clause of a policy or task body.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    pub kind: ClauseKind,
    pub span: Span,
}

// Clauses are few per policy and built once; boxing the large variants would
// only add noise to every match on them.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum ClauseKind {
    Every {
        interval: Expr,
        jitter: Option<Expr>,
    },
    Let {
        name: Ident,
        value: Expr,
    },
    Level(LevelClause),
    Keep(Expr),
    Nodata {
        after: Expr,
        outcome: Ident,
    },
    Flapping {
        changes: Expr,
        window: Expr,
    },
    Message(StrLit),
    Labels(Vec<Field>),
    On {
        level: Ident,
        steps: Vec<Step>,
    },
    Escalate(Vec<EscalationStep>),
    Quiet(Ident),
    Pause(Ident),
    Depends {
        policy: Ident,
        on: Option<Vec<Ident>>,
    },
    /// In a task: run only inside this calendar.
    During(Ident),
    /// In a task: a precondition.
    When(Expr),
    /// In a task: an action or guard, as inside `on LEVEL { … }`.
    Step(Step),
    /// A clause that did not parse.
    Error,
}

/// `warn when COND [for …] [recover when COND [for D]] [message "…"]`
#[derive(Clone, Debug, PartialEq)]
pub struct LevelClause {
    pub level: Ident,
    pub cond: Expr,
    pub hold: Option<Hold>,
    pub recover: Option<Recover>,
    pub message: Option<StrLit>,
}

/// How long a condition must hold before it is confirmed.
#[derive(Clone, Debug, PartialEq)]
pub enum Hold {
    /// `for 10m`
    Duration(Expr),
    /// `for 3 checks`
    Checks(Expr),
    /// `for 3 of 5 checks`
    OfChecks(Expr, Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Recover {
    pub cond: Expr,
    pub hold: Option<Expr>,
}

/// An action or a guard inside `on LEVEL { … }` or a task.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub kind: StepKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StepKind {
    Run(ActionCall),
    Verify { cond: Expr, within: Expr },
    Cooldown(Expr),
    AtMost { count: Expr, per: Expr, then_escalate: bool },
    AtMostOfFleet(Expr),
    Concurrency(Expr),
    DryRun,
    Error,
}

/// `restart(host, "nginx") timeout 2m retry 2 backoff 30s`
#[derive(Clone, Debug, PartialEq)]
pub struct ActionCall {
    pub action: Ident,
    pub args: Vec<Arg>,
    pub timeout: Option<Expr>,
    pub retry: Option<Retry>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Retry {
    pub count: Expr,
    pub backoff: Option<Expr>,
}

/// `after 15m open_ticket(queue: "NOC")`
#[derive(Clone, Debug, PartialEq)]
pub struct EscalationStep {
    pub after: Expr,
    pub call: ActionCall,
    pub span: Span,
}

/// `test NAME { items }`
#[derive(Clone, Debug, PartialEq)]
pub struct TestDecl {
    pub name: Ident,
    pub items: Vec<TestItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TestItem {
    pub kind: TestItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TestItemKind {
    /// `series disk.free{host="db1"} = 30GB - 1GB * t/1m every 1m for 40m`
    Series {
        metric: Ident,
        labels: Vec<Matcher>,
        value: Expr,
        every: Option<Expr>,
        duration: Option<Expr>,
    },
    /// `expect warn firing on {host="db1"} at 21m`
    Expect {
        what: Expectation,
        on: Option<Vec<Matcher>>,
        at: Option<Expr>,
    },
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expectation {
    /// `expect warn firing`, `expect ok`
    State { level: Ident, state: Option<Ident> },
    /// `expect action NAME`
    Action(Ident),
    /// `expect no action [NAME]`
    NoAction(Option<Ident>),
    /// `expect event KIND`
    Event(Ident),
}
