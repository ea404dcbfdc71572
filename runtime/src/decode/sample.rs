//! The decoders' output: one [`Sample`] per value, whatever the format.
//!
//! Names and label sets are shared `Arc`s handed out by the decoder's
//! interner, so a sample costs no allocation once its series has been seen,
//! and the series index downstream can keep them without copying.

use std::fmt;
use std::sync::Arc;

/// One label of a series: `mountpoint="/var"`, `host="db1"`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Label {
    /// The label (tag) name.
    pub name: Arc<str>,
    /// Its value, unescaped.
    pub value: Arc<str>,
}

/// One value of one series at one time.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The series name: `node_filesystem_avail_bytes`, or for InfluxDB line
    /// protocol `MEASUREMENT_FIELD` (`disk_free`).
    pub name: Arc<str>,
    /// The labels, sorted by name, names unique. Lines with the same label
    /// set share one allocation.
    pub labels: Arc<[Label]>,
    /// The value; NaN and ±∞ where the format can express them.
    pub value: f64,
    /// Milliseconds since the Unix epoch, when the line carries a time.
    pub timestamp_ms: Option<i64>,
}

impl Sample {
    /// The value of label `name`, if the sample has it.
    pub fn label(&self, name: &str) -> Option<&str> {
        find_label(&self.labels, name).map(|l| &*l.value)
    }
}

/// The label `name` of a label set sorted by name (as decoders and the
/// series index keep them): a binary search, label sets are small anyway.
pub fn find_label<'a>(labels: &'a [Label], name: &str) -> Option<&'a Label> {
    labels.binary_search_by(|l| (*l.name).cmp(name)).ok().and_then(|i| labels.get(i))
}

impl fmt::Display for Sample {
    /// Prometheus text form (`name{a="x"} 1.5 1700000000000`), for messages
    /// and tests; label values are escaped as that format requires.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if !self.labels.is_empty() {
            f.write_str("{")?;
            for (i, l) in self.labels.iter().enumerate() {
                let sep = if i == 0 { "" } else { "," };
                write!(f, "{sep}{}=\"", l.name)?;
                for c in l.value.chars() {
                    match c {
                        '\\' => f.write_str("\\\\")?,
                        '"' => f.write_str("\\\"")?,
                        '\n' => f.write_str("\\n")?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"")?;
            }
            f.write_str("}")?;
        }
        write!(f, " {}", PromFloat(self.value))?;
        if let Some(ts) = self.timestamp_ms {
            write!(f, " {ts}")?;
        }
        Ok(())
    }
}

/// A float as the Prometheus text format writes it (`NaN`, `+Inf`, `-Inf`).
struct PromFloat(f64);

impl fmt::Display for PromFloat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            v if v.is_nan() => f.write_str("NaN"),
            f64::INFINITY => f.write_str("+Inf"),
            f64::NEG_INFINITY => f.write_str("-Inf"),
            v => write!(f, "{v}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(name: &str, value: &str) -> Label {
        Label { name: name.into(), value: value.into() }
    }

    #[test]
    fn looks_up_labels_and_displays_as_prometheus_text() {
        let s = Sample {
            name: "disk_free".into(),
            labels: vec![label("host", "db1"), label("path", "C:\\ \"x\"\n")].into(),
            value: f64::NEG_INFINITY,
            timestamp_ms: Some(1_700_000_000_000),
        };
        assert_eq!(s.label("host"), Some("db1"));
        assert_eq!(s.label("nope"), None);
        assert_eq!(
            s.to_string(),
            r#"disk_free{host="db1",path="C:\\ \"x\"\n"} -Inf 1700000000000"#
        );
        let bare = Sample { labels: Arc::new([]), value: 0.5, timestamp_ms: None, ..s };
        assert_eq!(bare.to_string(), "disk_free 0.5");
    }
}
