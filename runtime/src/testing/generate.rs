//! The samples of a test's `series` lines, as an exporter would have
//! written them: the metric's source name and label names, values in the
//! metric's own unit, times in milliseconds from the start of the test (0).
//! A state metric's sample carries its text in the label `state`, with the
//! value 1, as node_exporter's systemd collector writes it.

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
    // Each sample's value and, for a state metric, the index of its text
    // in `states`.
    let (values, states): (Vec<(Option<f64>, usize)>, Vec<&str>) = match &generator.values {
        Generator::Notation(text) => {
            let values = crate::notation::expand(text)
                .map_err(|source| GenerateError::Notation { line, source })?;
            (values.into_iter().map(|v| (v, 0)).collect(), Vec::new())
        }
        Generator::Expr(graph) => {
            let n = count(generator, end, step)
                .ok_or(GenerateError::TooMany { line, limit: MAX_SAMPLES })?;
            let values = eval_series(graph, n, step, metric.scale);
            (values.into_iter().map(|v| (v, 0)).collect(), Vec::new())
        }
        Generator::Text(text) => {
            let n = count(generator, end, step).unwrap_or(MAX_SAMPLES);
            (vec![(Some(1.0), 0); n], vec![text.as_str()])
        }
        Generator::TextExpr { graph, texts } => {
            let n = count(generator, end, step)
                .ok_or(GenerateError::TooMany { line, limit: MAX_SAMPLES })?;
            // The graph's output is an index into `texts`: no unit to scale.
            let values = eval_series(graph, n, step, 1.0)
                .into_iter()
                .map(|i| {
                    match i.filter(|i| i.fract() == 0.0 && (0.0..texts.len() as f64).contains(i)) {
                        Some(i) => (Some(1.0), i as usize),
                        None => (None, 0),
                    }
                })
                .collect();
            (values, texts.iter().map(String::as_str).collect())
        }
    };
    labels.sort();
    // One label set per state (the state in its label), else the labels alone.
    let label_sets: Vec<Arc<[Label]>> = if states.is_empty() {
        vec![labels.into()]
    } else {
        states
            .iter()
            .map(|s| {
                let mut with_state = labels.clone();
                with_state.push(Label { name: STATE_LABEL.into(), value: (*s).into() });
                with_state.sort();
                with_state.into()
            })
            .collect()
    };
    Ok(values
        .into_iter()
        .enumerate()
        .filter_map(|(i, (v, state))| {
            let v = v.filter(|v| !v.is_nan())?;
            Some(Sample {
                name: name.clone(),
                labels: label_sets[state].clone(),
                value: v,
                timestamp_ms: Some((i as f64 * step * 1000.0).round() as i64),
            })
        })
        .collect())
}

/// How many samples a generated series has (one at 0, then one each
/// `step` until its `for`, or else until `end`); `None` beyond
/// [`MAX_SAMPLES`].
fn count(generator: &SeriesGen, end: f64, step: f64) -> Option<usize> {
    let last = generator.duration.unwrap_or(end);
    let n = (last / step).floor() as usize + 1;
    (n <= MAX_SAMPLES).then_some(n)
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

#[cfg(test)]
mod tests {
    use super::*;
    use upkeep_compiler::ir::{BinaryOp, Graph, Node};

    /// `if t < 1m then "active" else if t < 2m then "failed" else <none>`,
    /// as the planner writes it: an index into the texts, NaN for none.
    #[test]
    fn a_state_series_carries_each_samples_text_in_its_state_label() {
        let mut g = Graph { inputs: 1, ..Graph::default() };
        let t = g.push(Node::Input(0));
        let (minute, two) = (g.push(Node::Const(60.0)), g.push(Node::Const(120.0)));
        let (active, failed) = (g.push(Node::Const(0.0)), g.push(Node::Const(1.0)));
        let none = g.push(Node::Const(f64::NAN));
        let early = g.push(Node::Binary(BinaryOp::Lt, t, minute));
        let middle = g.push(Node::Binary(BinaryOp::Lt, t, two));
        let later = g.push(Node::Select(middle, failed, none));
        let v = g.push(Node::Select(early, active, later));
        g.outputs.push(v);
        let generator = SeriesGen {
            metric: "systemd.unit".into(),
            labels: vec![("unit".into(), "cron.service".into())],
            values: Generator::TextExpr { graph: g, texts: vec!["active".into(), "failed".into()] },
            every: Some(30.0),
            duration: Some(150.0),
            line: 3,
        };
        let metric = MetricPlan {
            name: "systemd.unit".into(),
            source: "node_systemd_unit_state".into(),
            kind: "state".into(),
            scale: 1.0,
            labels: vec![("unit".into(), "name".into())],
            lookback: 300.0,
        };
        let samples = samples(&generator, &[metric], Some("acme"), 600.0).unwrap();
        let shown: Vec<(i64, String, f64)> = samples
            .iter()
            .map(|s| {
                let labels: Vec<String> =
                    s.labels.iter().map(|l| format!("{}={}", l.name, l.value)).collect();
                (s.timestamp_ms.unwrap(), labels.join(","), s.value)
            })
            .collect();
        let at = |ms: i64, state: &str| {
            (ms, format!("client=acme,name=cron.service,state={state}"), 1.0)
        };
        // 0s … 150s every 30s; from 2m on, no sample.
        assert_eq!(
            shown,
            [at(0, "active"), at(30_000, "active"), at(60_000, "failed"), at(90_000, "failed"),]
        );
        assert!(samples.iter().all(|s| &*s.name == "node_systemd_unit_state"));
    }
}
