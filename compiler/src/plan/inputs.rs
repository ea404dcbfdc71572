//! What each input column of an evaluator holds, as the runtime must fill it.

use serde::{Deserialize, Serialize};

/// A metric and its label matchers: `disk.free{mount="/"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SeriesRef {
    pub metric: String,
    /// (label, operator `=`, `!=`, `=~`, `!~`, value).
    pub matchers: Vec<(String, String, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WindowFn {
    Avg,
    Min,
    Max,
    Sum,
    Count,
    Last,
    First,
    Stddev,
    Quantile,
    Rate,
    Increase,
    Delta,
    Deriv,
    Changes,
    CountTrue,
    RatioTrue,
    Predict,
    TimeUntil,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Clock {
    /// Seconds since the Unix epoch.
    Now,
    HourOfDay,
    DayOfWeek,
}

/// One side of a text comparison.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TextSource {
    /// A label of the instance (or its host, from the inventory).
    Label(String),
    /// The current value of a state metric.
    State(SeriesRef),
    Const(String),
}

/// The content of one input column, per instance; NaN when missing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum InputSpec {
    /// The latest sample within the metric's lookback, in base units.
    Latest(SeriesRef),
    /// A window function of a series over `seconds`, maintained
    /// incrementally. `param` is `q` for `quantile`, the horizon for
    /// `predict`, the threshold (base units) for `time_until`.
    Window {
        function: WindowFn,
        series: SeriesRef,
        seconds: f64,
        param: Option<f64>,
    },
    /// A window over the history of an output of this same graph (a
    /// windowed `let`): the runtime keeps that output's past values.
    WindowOfOutput {
        function: WindowFn,
        output: usize,
        seconds: f64,
        param: Option<f64>,
    },
    /// An exponentially weighted moving average of a series.
    Ewma {
        series: SeriesRef,
        alpha: f64,
    },
    /// 1 if the two texts are equal, 0 if not. A missing label is the empty
    /// text (as in label matchers); a state metric without a current state
    /// is missing, and makes the comparison NaN.
    TextEq(TextSource, TextSource),
    Clock(Clock),
    /// An aggregation across the instances of the policy grouped by labels
    /// (`count(up == 0) by (client)`) of an output of the graph: the runtime
    /// evaluates the graph, aggregates that output per group, and
    /// evaluates again with the result.
    Across {
        function: String,
        by: Vec<String>,
        output: usize,
    },
}
