//! Metrics as the runtime reads them: the exporter's series name, the
//! scale to base units, the label names and the lookback.

use super::super::env::Env;
use crate::plan::MetricPlan;
use upkeep_grammar::ast::{ExprKind, MetricDecl};

/// `scale` is the metric's unit in base units, as the checker evaluated it.
pub(super) fn metric(env: &Env<'_>, m: &MetricDecl, scale: f64) -> MetricPlan {
    let lookback = m
        .lookback
        .as_ref()
        .and_then(|e| {
            if let ExprKind::Quantity(q) = &e.kind {
                env.units.quantity(q, e.span).ok()
            } else {
                None
            }
        })
        .map_or(300.0, |(v, _)| v);
    MetricPlan {
        name: m.name.name.clone(),
        source: m
            .source
            .as_ref()
            .and_then(|s| s.as_plain())
            .unwrap_or_else(|| m.name.name.replace('.', "_")),
        kind: m.kind.name.clone(),
        scale,
        labels: m
            .labels
            .iter()
            .map(|l| (l.name.name.clone(), l.source.as_ref().unwrap_or(&l.name).name.clone()))
            .collect(),
        lookback,
    }
}
