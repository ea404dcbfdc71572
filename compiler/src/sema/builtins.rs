//! The built-in functions: which take a window (`f(x over D)`), which work
//! across instances (`sum(x) by (client)`), and what each returns.

/// How a built-in's result relates to its (first) argument's unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returns {
    /// The argument's unit: `avg`, `max`, `predict`.
    Same,
    /// Per second: `rate`, `deriv`.
    PerSecond,
    /// A plain number: `count`, `changes`, `count_true`.
    Count,
    /// A ratio: `ratio_true`.
    Ratio,
    /// A duration: `time_until`.
    Duration,
}

/// What the window's input must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// A gauge (a counter here is a mistake: its raw values mean nothing).
    Gauge,
    /// A counter (`rate`, `increase`).
    Counter,
    /// A gauge or a counter (`changes`, `last`).
    Any,
    /// A condition (`count_true`, `ratio_true`).
    Condition,
}

#[derive(Clone, Copy, Debug)]
pub struct Windowed {
    pub name: &'static str,
    pub input: Input,
    pub returns: Returns,
    /// Arguments before the windowed one (`quantile(q, x over D)`).
    pub leading: usize,
    /// Named arguments after it: `predict(x over D, at: D2)`.
    pub trailing: &'static [&'static str],
}

pub const WINDOWED: &[Windowed] = &[
    w("avg", Input::Gauge, Returns::Same),
    w("min", Input::Gauge, Returns::Same),
    w("max", Input::Gauge, Returns::Same),
    w("sum", Input::Gauge, Returns::Same),
    w("count", Input::Any, Returns::Count),
    w("last", Input::Any, Returns::Same),
    w("first", Input::Any, Returns::Same),
    w("stddev", Input::Gauge, Returns::Same),
    Windowed {
        name: "quantile",
        input: Input::Gauge,
        returns: Returns::Same,
        leading: 1,
        trailing: &[],
    },
    w("rate", Input::Counter, Returns::PerSecond),
    w("increase", Input::Counter, Returns::Same),
    w("delta", Input::Gauge, Returns::Same),
    w("deriv", Input::Gauge, Returns::PerSecond),
    w("changes", Input::Any, Returns::Count),
    w("count_true", Input::Condition, Returns::Count),
    w("ratio_true", Input::Condition, Returns::Ratio),
    Windowed {
        name: "predict",
        input: Input::Gauge,
        returns: Returns::Same,
        leading: 0,
        trailing: &["at"],
    },
    Windowed {
        name: "time_until",
        input: Input::Gauge,
        returns: Returns::Duration,
        leading: 0,
        trailing: &["threshold"],
    },
];

const fn w(name: &'static str, input: Input, returns: Returns) -> Windowed {
    Windowed { name, input, returns, leading: 0, trailing: &[] }
}

/// Aggregations across instances: `sum(x) by (client)`.
pub const ACROSS: &[&str] = &["sum", "avg", "min", "max", "count"];

/// Plain functions of numbers: `abs(x)`, `min(a, b)`, `max(a, b)`,
/// `ewma(x, alpha)`, and the clock: `hour_of_day()`, `day_of_week()`.
pub const PLAIN: &[&str] = &["abs", "min", "max", "ewma", "round", "floor", "ceil"];

/// Every built-in name, for did-you-mean.
pub fn names() -> impl Iterator<Item = &'static str> {
    WINDOWED.iter().map(|w| w.name).chain(ACROSS.iter().copied()).chain(PLAIN.iter().copied())
}

pub fn windowed(name: &str) -> Option<&'static Windowed> {
    WINDOWED.iter().find(|w| w.name == name)
}
