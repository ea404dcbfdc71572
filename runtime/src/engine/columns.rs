//! The input columns of a policy's evaluator, as the runtime fills them:
//! which series feed a column (label matchers, compiled once), and the
//! per-instance slot that holds what the column needs between evaluations
//! (a window, an EWMA).

use crate::decode::Label;
use crate::series::{HostId, HostTable, label_of};
use crate::window::{Features, Window};
use regex::Regex;
use std::sync::Arc;
use upkeep_compiler::plan::{Clock, InputSpec, SeriesRef, TextSource, WindowFn};

/// A label matcher, ready to run.
#[derive(Debug)]
pub enum Matcher {
    Eq(String, String),
    Ne(String, String),
    /// `None`: a pattern that does not compile (the checker refuses those),
    /// which matches nothing.
    Re(String, Option<Regex>),
    NotRe(String, Option<Regex>),
}

impl Matcher {
    /// Compiles `(label, op, value)`; a bad pattern (which the checker
    /// refuses) matches nothing.
    pub fn new(label: &str, op: &str, value: &str) -> Matcher {
        // Whole-value matches, as Prometheus anchors its label regexes.
        let anchored = |v: &str| Regex::new(&format!("^(?:{v})$")).ok();
        match op {
            "!=" => Matcher::Ne(label.into(), value.into()),
            "=~" => Matcher::Re(label.into(), anchored(value)),
            "!~" => Matcher::NotRe(label.into(), anchored(value)),
            _ => Matcher::Eq(label.into(), value.into()),
        }
    }

    /// Whether a series matches, reading `label` from the series' labels,
    /// then from its host's labels (a missing label is the empty string, as
    /// in Prometheus).
    pub fn matches(&self, labels: &[Label], hosts: &HostTable, host: HostId) -> bool {
        self.test(|name| label_of(labels, name).or_else(|| hosts.label(host, name)))
    }

    /// Whether the label values that `value` looks up match.
    pub fn matches_value(&self, value: impl Fn(&str) -> Option<String>) -> bool {
        self.test(value)
    }

    fn test<S: AsRef<str>>(&self, value: impl Fn(&str) -> Option<S>) -> bool {
        let (Matcher::Eq(l, _) | Matcher::Ne(l, _) | Matcher::Re(l, _) | Matcher::NotRe(l, _)) =
            self;
        let found = value(l);
        // A missing label is the empty string, as in Prometheus.
        let text = found.as_ref().map_or("", |s| s.as_ref());
        match self {
            Matcher::Eq(_, v) => text == v,
            Matcher::Ne(_, v) => text != v,
            Matcher::Re(_, re) => re.as_ref().is_some_and(|re| re.is_match(text)),
            Matcher::NotRe(_, re) => re.as_ref().is_some_and(|re| !re.is_match(text)),
        }
    }
}

/// A series selector: a metric and its matchers.
#[derive(Debug)]
pub struct Selector {
    pub metric: u32,
    pub matchers: Vec<Matcher>,
}

impl Selector {
    pub fn new(metric: u32, r: &SeriesRef) -> Selector {
        Selector {
            metric,
            matchers: r.matchers.iter().map(|(l, op, v)| Matcher::new(l, op, v)).collect(),
        }
    }
}

/// What fills one column.
#[derive(Debug)]
pub enum Column {
    /// The latest sample of a series.
    Latest(Selector),
    Window {
        selector: Selector,
        function: WindowFn,
        seconds: f64,
        param: f64,
    },
    Ewma {
        selector: Selector,
        alpha: f64,
    },
    /// The current state of a state metric compared with a text, or two
    /// texts compared.
    Text {
        left: TextSide,
        right: TextSide,
    },
    Clock(Clock),
    /// Filled between passes from the graph's own outputs.
    Across {
        function: String,
        by: Vec<String>,
        output: usize,
    },
    OutWindow {
        function: WindowFn,
        output: usize,
        seconds: f64,
        param: f64,
    },
    /// A metric no series can have (not declared): always unknown.
    Unknown,
}

#[derive(Debug)]
pub enum TextSide {
    Label(String),
    State(Selector),
    Const(String),
}

impl Column {
    /// The column for an input; `metric` finds a metric's index.
    pub fn new(spec: &InputSpec, metric: impl Fn(&str) -> Option<u32>) -> Column {
        let selector = |r: &SeriesRef| metric(&r.metric).map(|m| Selector::new(m, r));
        match spec {
            InputSpec::Latest(r) => selector(r).map_or(Column::Unknown, Column::Latest),
            InputSpec::Window { function, series, seconds, param } => match selector(series) {
                Some(selector) => Column::Window {
                    selector,
                    function: *function,
                    seconds: *seconds,
                    param: param.unwrap_or(f64::NAN),
                },
                None => Column::Unknown,
            },
            InputSpec::Ewma { series, alpha } => match selector(series) {
                Some(selector) => Column::Ewma { selector, alpha: *alpha },
                None => Column::Unknown,
            },
            InputSpec::TextEq(a, b) => {
                let side = |s: &TextSource| match s {
                    TextSource::Label(l) => Some(TextSide::Label(l.clone())),
                    TextSource::Const(c) => Some(TextSide::Const(c.clone())),
                    TextSource::State(r) => selector(r).map(TextSide::State),
                };
                match (side(a), side(b)) {
                    (Some(left), Some(right)) => Column::Text { left, right },
                    _ => Column::Unknown,
                }
            }
            InputSpec::Clock(c) => Column::Clock(*c),
            InputSpec::Across { function, by, output } => {
                Column::Across { function: function.clone(), by: by.clone(), output: *output }
            }
            InputSpec::WindowOfOutput { function, output, seconds, param } => Column::OutWindow {
                function: *function,
                output: *output,
                seconds: *seconds,
                param: param.unwrap_or(f64::NAN),
            },
        }
    }

    /// The selectors of the column: the series that feed it.
    pub fn selector(&self) -> Option<&Selector> {
        match self {
            Column::Latest(s)
            | Column::Window { selector: s, .. }
            | Column::Ewma { selector: s, .. } => Some(s),
            Column::Text { left: TextSide::State(s), .. }
            | Column::Text { right: TextSide::State(s), .. } => Some(s),
            _ => None,
        }
    }

    /// A new slot for one instance; its window, if it has one, goes into
    /// `windows` (the policy's arena).
    pub fn slot(&self, windows: &mut Vec<Window>) -> Slot {
        match self {
            Column::Window { function, seconds, .. }
            | Column::OutWindow { function, seconds, .. } => {
                windows.push(Window::with_features(*seconds, features(*function)));
                Slot::Window { window: (windows.len() - 1) as u32, series: None }
            }
            Column::Ewma { .. } => Slot::Ewma { value: f64::NAN, series: None },
            _ => Slot::Series(Vec::new()),
        }
    }
}

/// What a window must keep up to date for `function`; the rest of its
/// aggregates it computes when read, if ever.
fn features(function: WindowFn) -> Features {
    let mut f = Features::NONE;
    match function {
        WindowFn::Min | WindowFn::Max => f.extrema = true,
        WindowFn::Rate | WindowFn::Increase => f.counter = true,
        WindowFn::Changes => f.changes = true,
        WindowFn::Quantile => f.quantiles = true,
        _ => {}
    }
    f
}

/// What one instance keeps for one column.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub enum Slot {
    /// The series bound to the column (the newest sample wins when several).
    Series(Vec<crate::series::SeriesId>),
    /// A window (its index in the policy's arena: a sample reaches it
    /// without reading the row), and the series whose samples it holds
    /// (none for a window over an output).
    Window {
        window: u32,
        series: Option<crate::series::SeriesId>,
    },
    Ewma {
        value: f64,
        series: Option<crate::series::SeriesId>,
    },
}

/// A window function's value at `now`.
pub fn window_value(w: &Window, function: WindowFn, now: f64, param: f64) -> f64 {
    match function {
        WindowFn::Avg | WindowFn::RatioTrue => w.avg(),
        WindowFn::Min => w.min(),
        WindowFn::Max => w.max(),
        WindowFn::Sum | WindowFn::CountTrue => w.sum(),
        WindowFn::Count => w.count(),
        WindowFn::Last => w.last(),
        WindowFn::First => w.first(),
        WindowFn::Stddev => w.stddev(),
        WindowFn::Quantile => w.quantile(param),
        WindowFn::Rate => w.rate(),
        WindowFn::Increase => w.increase(),
        WindowFn::Delta => w.delta(),
        WindowFn::Deriv => w.deriv(),
        WindowFn::Changes => w.changes(),
        WindowFn::Predict => w.predict(now, param),
        WindowFn::TimeUntil => w.time_until(now, param),
    }
}

/// Labels shared as `Arc`s, for instance identities.
pub type Key = Arc<[Arc<str>]>;
