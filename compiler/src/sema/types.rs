//! The types of Upkeep values, with units.

use crate::units::{Dimension, UnitTable};

/// What kind of series a metric is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    /// A value that goes up and down: read as it is.
    Gauge,
    /// A monotonic count: read through `rate`, `increase` or `changes`.
    Counter,
    /// A text value per series (a service's state).
    State,
}

impl MetricKind {
    pub fn parse(name: &str) -> Option<MetricKind> {
        match name {
            "gauge" => Some(MetricKind::Gauge),
            "counter" => Some(MetricKind::Counter),
            "state" => Some(MetricKind::State),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MetricKind::Gauge => "gauge",
            MetricKind::Counter => "counter",
            MetricKind::State => "state",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    /// A number with a unit's dimension (`duration` is `Number(seconds)`).
    Number(Dimension),
    Bool,
    Text,
    Labels,
    /// A metric's series, before a window or the latest value is taken.
    Series {
        kind: MetricKind,
        dim: Dimension,
    },
    List(Box<Ty>),
    Record,
    /// The type of something already reported as wrong: it agrees with
    /// everything, so one mistake gives one diagnostic.
    Unknown,
}

impl Ty {
    pub fn number() -> Ty {
        Ty::Number(Dimension::one())
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Ty::Unknown)
    }

    /// The type as a person would write it: `number<bytes/s>`, `bool`.
    pub fn describe(&self, units: &UnitTable) -> String {
        match self {
            Ty::Number(d) if d.is_dimensionless() => "a plain number".into(),
            Ty::Number(d) if Some(d) == units.seconds().as_ref() => "a duration".into(),
            Ty::Number(d) => format!("a number in {}", units.display(d)),
            Ty::Bool => "a condition (bool)".into(),
            Ty::Text => "text".into(),
            Ty::Labels => "labels".into(),
            Ty::Series { kind, dim } if dim.is_dimensionless() => {
                format!("a {} series", kind.as_str())
            }
            Ty::Series { kind, dim } => {
                format!("a {} series in {}", kind.as_str(), units.display(dim))
            }
            Ty::List(item) => format!("a list of {}", item.describe(units)),
            Ty::Record => "a record".into(),
            Ty::Unknown => "an unknown type".into(),
        }
    }

    /// The type as it is written in Upkeep: `number<bytes/s>`, `duration`,
    /// `gauge<B>`, `bool`. Units use the table's friendliest names.
    pub fn written(&self, units: &UnitTable) -> String {
        let unit = |d: &Dimension| units.display_friendly(d);
        match self {
            Ty::Number(d) if d.is_dimensionless() => "number".into(),
            Ty::Number(d) if Some(d) == units.seconds().as_ref() => "duration".into(),
            Ty::Number(d) => format!("number<{}>", unit(d)),
            Ty::Bool => "bool".into(),
            Ty::Text => "text".into(),
            Ty::Labels => "labels".into(),
            Ty::Series { kind, dim } if dim.is_dimensionless() => kind.as_str().into(),
            Ty::Series { kind, dim } => format!("{}<{}>", kind.as_str(), unit(dim)),
            Ty::List(item) => format!("list<{}>", item.written(units)),
            Ty::Record => "record".into(),
            Ty::Unknown => "?".into(),
        }
    }

    /// The unit part alone, for labels under operands: `bytes`, `1`, `text`.
    pub fn unit_label(&self, units: &UnitTable) -> String {
        match self {
            Ty::Number(d) | Ty::Series { dim: d, .. } if d.is_dimensionless() => {
                "a plain number (no unit)".into()
            }
            Ty::Number(d) | Ty::Series { dim: d, .. } => units.display(d),
            other => other.describe(units),
        }
    }
}
