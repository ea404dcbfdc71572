//! The samples of a test's `series` lines, as an exporter would have
//! written them: the metric's source name and label names, values in the
//! metric's own unit, times in milliseconds from the start of the test (0).

use crate::decode::{Label, Sample};
use crate::series::{STATE_LABEL, TENANT_LABEL};
use std::sync::Arc;
use upkeep_compiler::jit::Evaluator;
use upkeep_compiler::plan::{Generator, MetricPlan, SeriesGen};

/// The step of a series written without `every`.
pub const DEFAULT_STEP: f64 = 60.0;

/// Why a `series` line cannot generate samples.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GenerateError {
    #[error("line {line}: no metric `{metric}` in the package")]
    UnknownMetric { line: u32, metric: String },
    #[error("line {line}: {source}")]
    Notation { line: u32, source: crate::notation::NotationError },
    #[error("line {line}: `every` must be more than zero")]
    BadStep { line: u32 },
    #[error("line {line}: more than {limit} samples; shorten the series or raise `every`")]
    TooMany { line: u32, limit: usize },
}

/// No test series may generate more samples than this (a week at 1s).
const MAX_SAMPLES: usize = 604_800;

/// The samples of one `series` line, until `end` seconds when it has no
/// `for` of its own.
pub fn samples(
    generator: &SeriesGen,
    metrics: &[MetricPlan],
    tenant: Option<&str>,
    end: f64,
) -> Result<Vec<Sample>, GenerateError> {
    let line = generator.line;
    let metric = metrics
        .iter()
        .find(|m| m.name == generator.metric)
        .ok_or_else(|| GenerateError::UnknownMetric { line, metric: generator.metric.clone() })?;
    let step = generator.every.unwrap_or(DEFAULT_STEP);
    if step.is_nan() || step <= 0.0 {
        return Err(GenerateError::BadStep { line });
    }
    let mut labels: Vec<Label> = generator
        .labels
        .iter()
        .map(|(name, value)| {
            let theirs = metric.labels.iter().find(|(ours, _)| ours == name).map_or(name, |l| &l.1);
            Label { name: theirs.as_str().into(), value: value.as_str().into() }
        })
        .collect();
    if let Some(t) = tenant
        && !labels.iter().any(|l| &*l.name == TENANT_LABEL)
    {
        labels.push(Label { name: TENANT_LABEL.into(), value: t.into() });
    }
    let name: Arc<str> = metric.source.as_str().into();
    let (values, state): (Vec<Option<f64>>, Option<&str>) = match &generator.values {
        Generator::Notation(text) => {
            let values = crate::notation::expand(text)
                .map_err(|source| GenerateError::Notation { line, source })?;
            (values, None)
        }
        Generator::Expr(graph) => {
            let last = generator.duration.unwrap_or(end);
            let n = (last / step).floor() as usize + 1;
            if n > MAX_SAMPLES {
                return Err(GenerateError::TooMany { line, limit: MAX_SAMPLES });
            }
            (eval_series(graph, n, step, metric.scale), None)
        }
        Generator::Text(text) => {
            let last = generator.duration.unwrap_or(end);
            let n = ((last / step).floor() as usize + 1).min(MAX_SAMPLES);
            (vec![Some(1.0); n], Some(text.as_str()))
        }
    };
    if let Some(s) = state {
        labels.push(Label { name: STATE_LABEL.into(), value: s.into() });
    }
    labels.sort();
    let labels: Arc<[Label]> = labels.into();
    Ok(values
        .into_iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let v = v.filter(|v| !v.is_nan())?;
            Some(Sample {
                name: name.clone(),
                labels: labels.clone(),
                value: v,
                timestamp_ms: Some((i as f64 * step * 1000.0).round() as i64),
            })
        })
        .collect())
}

/// Evaluates a generator graph (input 0 is `t`) at `n` steps; values come
/// back in the metric's own unit (base units divided by its scale).
fn eval_series(
    graph: &upkeep_compiler::ir::Graph,
    n: usize,
    step: f64,
    scale: f64,
) -> Vec<Option<f64>> {
    let times: Vec<f64> = (0..n).map(|i| i as f64 * step).collect();
    let mut out = vec![f64::NAN; n];
    let evaluator = Evaluator::interpreted(graph.clone());
    let inputs: Vec<&[f64]> = (0..graph.inputs).map(|_| times.as_slice()).collect();
    if graph.outputs.is_empty() || evaluator.eval(&inputs, &mut [out.as_mut_slice()], n).is_err() {
        return vec![None; n];
    }
    let scale = if scale == 0.0 { 1.0 } else { scale };
    out.into_iter().map(|v| Some(v / scale)).collect()
}
