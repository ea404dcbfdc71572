//! The checks on one series of a request, and what a refused one reports.
//!
//! A series is refused whole (all its samples) when its labels break the
//! Prometheus data model or a [`RemoteWriteLimits`] bound; the rest of the
//! request is decoded as usual. Checks run in label-name order, so the
//! reason given for a series breaking several rules is always the same.

use super::RemoteWriteLimits;
use crate::decode::influx::{is_label_name, is_metric_name};
use std::fmt;

/// The label that carries the metric name.
pub(super) const NAME_LABEL: &str = "__name__";

/// At most this many characters of a name or value are quoted in a reason.
const QUOTED_CHARS: usize = 40;

/// A series of a request that was refused, with its samples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Its position among the request's series, from 0.
    pub series: u64,
    /// Its metric name (the `__name__` label, at most 40 characters), empty
    /// when it has none.
    pub metric: String,
    /// How many samples it carried, all refused with it.
    pub samples: u64,
    /// Why it was refused.
    pub reason: RejectReason,
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "series {}", self.series)?;
        if !self.metric.is_empty() {
            write!(f, " `{}`", self.metric)?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Why a series was refused. The display form is a short lower-case phrase
/// meant to follow the series ("series 3 `up`: duplicate label `job`").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RejectReason {
    /// No `__name__` label, or an empty one.
    #[error("no metric name (`__name__` label)")]
    MissingMetricName,
    /// A metric name outside `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    #[error("invalid metric name `{0}`")]
    InvalidMetricName(String),
    /// A label name outside `[a-zA-Z_][a-zA-Z0-9_]*`.
    #[error("invalid label name `{0}`")]
    InvalidLabelName(String),
    /// The same label name twice.
    #[error("duplicate label `{0}`")]
    DuplicateLabel(String),
    /// More labels (`__name__` included) than
    /// [`RemoteWriteLimits::max_labels_per_series`].
    #[error("{count} labels, more than the limit of {limit}")]
    TooManyLabels {
        /// Labels in the series.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A label name longer than [`RemoteWriteLimits::max_label_name_bytes`].
    #[error("label name `{name}` is {len} bytes, more than the limit of {limit}")]
    LabelNameTooLong {
        /// Its start.
        name: String,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// A label value (the metric name included) longer than
    /// [`RemoteWriteLimits::max_label_value_bytes`].
    #[error("value of label `{name}` is {len} bytes, more than the limit of {limit}")]
    LabelValueTooLong {
        /// The label name.
        name: String,
        /// The value's length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
}

/// A series whose labels passed: its metric name, and whether its labels
/// had to be sorted.
#[derive(Debug)]
pub(super) struct Checked<'m> {
    pub(super) name: &'m str,
    pub(super) unsorted: bool,
}

/// Checks the labels of a series (`count` in all, of which the first
/// `labels.len()` were kept), sorting them by name if they are not.
pub(super) fn check<'m>(
    labels: &mut [(&'m str, &'m str)],
    count: usize,
    limits: &RemoteWriteLimits,
) -> Result<Checked<'m>, RejectReason> {
    if count > limits.max_labels_per_series {
        return Err(RejectReason::TooManyLabels { count, limit: limits.max_labels_per_series });
    }
    // The spec wants labels sorted; Prometheus's own receiver sorts them.
    let unsorted = !labels.is_sorted_by(|a, b| a.0 <= b.0);
    if unsorted {
        labels.sort_by(|a, b| a.0.cmp(b.0));
    }
    let mut previous = None;
    let mut name = None;
    for &(n, v) in labels.iter() {
        if n.len() > limits.max_label_name_bytes {
            let limit = limits.max_label_name_bytes;
            return Err(RejectReason::LabelNameTooLong { name: quote(n), len: n.len(), limit });
        }
        if v.len() > limits.max_label_value_bytes {
            let limit = limits.max_label_value_bytes;
            return Err(RejectReason::LabelValueTooLong { name: quote(n), len: v.len(), limit });
        }
        if previous == Some(n) {
            return Err(RejectReason::DuplicateLabel(quote(n)));
        }
        previous = Some(n);
        if n == NAME_LABEL {
            name = Some(v);
        } else if !is_label_name(n) {
            return Err(RejectReason::InvalidLabelName(quote(n)));
        }
    }
    let name = name.filter(|v| !v.is_empty()).ok_or(RejectReason::MissingMetricName)?;
    if !is_metric_name(name) {
        return Err(RejectReason::InvalidMetricName(quote(name)));
    }
    Ok(Checked { name, unsorted })
}

/// The metric name of a refused series, for its [`Reject`].
pub(super) fn metric_of(labels: &[(&str, &str)]) -> String {
    labels.iter().find(|(n, _)| *n == NAME_LABEL).map(|(_, v)| quote(v)).unwrap_or_default()
}

/// The first [`QUOTED_CHARS`] characters of `s`, then `…` if it was longer.
fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTED_CHARS) {
        Some((at, _)) => format!("{}…", s.get(..at).unwrap_or_default()),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(labels: &[(&'static str, &'static str)]) -> Result<(&'static str, bool), String> {
        let mut labels = labels.to_vec();
        let limits = RemoteWriteLimits { max_label_name_bytes: 8, ..RemoteWriteLimits::default() };
        let count = labels.len();
        check(&mut labels, count, &limits).map(|c| (c.name, c.unsorted)).map_err(|r| r.to_string())
    }

    #[test]
    fn accepts_valid_series_sorting_their_labels() {
        assert_eq!(checked(&[("__name__", "up"), ("job", "x")]), Ok(("up", false)));
        assert_eq!(checked(&[("job", "x"), ("__name__", "a:b_c")]), Ok(("a:b_c", true)));
        // An empty value is allowed (the label is then absent).
        assert_eq!(checked(&[("__name__", "up"), ("a", "")]), Ok(("up", false)));
    }

    #[test]
    fn gives_one_reason_per_broken_rule() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("job", "x")], "no metric name (`__name__` label)"),
            (&[("__name__", "")], "no metric name (`__name__` label)"),
            (&[("__name__", "1up")], "invalid metric name `1up`"),
            (&[("__name__", "up"), ("a-b", "x")], "invalid label name `a-b`"),
            (&[("__name__", "up"), ("a:b", "x")], "invalid label name `a:b`"),
            (&[("__name__", "up"), ("", "x")], "invalid label name ``"),
            (&[("a", "1"), ("__name__", "up"), ("a", "2")], "duplicate label `a`"),
            (
                &[("__name__", "up"), ("longlabel", "x")],
                "label name `longlabel` is 9 bytes, more than the limit of 8",
            ),
        ];
        for (labels, reason) in cases {
            assert_eq!(checked(labels), Err((*reason).to_owned()), "{labels:?}");
        }
    }

    #[test]
    fn bounds_labels_and_quotes() {
        let limits = RemoteWriteLimits { max_labels_per_series: 2, ..Default::default() };
        let mut labels = vec![("__name__", "up")];
        let reason = check(&mut labels, 3, &limits).err().map(|r| r.to_string());
        assert_eq!(reason.as_deref(), Some("3 labels, more than the limit of 2"));
        let long = "x".repeat(100);
        assert_eq!(quote(&long).chars().count(), QUOTED_CHARS + 1);
        let reject = Reject {
            series: 7,
            metric: metric_of(&[("__name__", "up")]),
            samples: 2,
            reason: RejectReason::DuplicateLabel("job".into()),
        };
        assert_eq!(reject.to_string(), "series 7 `up`: duplicate label `job`");
    }
}
