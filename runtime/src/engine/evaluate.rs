//! One evaluation of one policy at one time: fill the input columns of
//! the due rows, run the evaluator over all of them in one batch call (once
//! per pass), and hand back the outputs, one column per output.

use super::columns::{Column, Slot, TextSide, window_value};
use super::policy::{PolicyRt, Row};
use crate::series::{SeriesId, SeriesIndex};
use crate::window::Window;
use hashbrown::HashMap;
use upkeep_compiler::plan::Clock;

/// The outputs of one batch: `outputs[j][k]` is output `j` of the `k`-th
/// evaluated row.
#[derive(Debug, Default)]
pub struct Batch {
    pub rows: Vec<u32>,
    pub outputs: Vec<Vec<f64>>,
}

impl Batch {
    pub fn value(&self, output: usize, k: usize) -> f64 {
        self.outputs.get(output).and_then(|c| c.get(k)).copied().unwrap_or(f64::NAN)
    }
}

/// Evaluates `rows` of `policy` at `now`. The column buffers are the
/// policy's own, reused from tick to tick (give them back with
/// [`recycle`]): a tick of thousands of rows allocates nothing.
pub fn evaluate(policy: &mut PolicyRt, index: &SeriesIndex, rows: Vec<u32>, now: f64) -> Batch {
    let n = rows.len();
    let width = policy.columns.len();
    let mut inputs = std::mem::take(&mut policy.scratch_inputs);
    inputs.resize_with(width, Vec::new);
    for column in &mut inputs {
        column.clear();
        column.resize(n, f64::NAN);
    }
    for (k, r) in rows.iter().enumerate() {
        let Row { slots, host, labels, .. } = &mut policy.rows[*r as usize];
        for (c, column) in policy.columns.iter().enumerate() {
            if policy.passes[c] == 0 {
                let row = RowRef { index, host: *host, labels };
                inputs[c][k] = fill(column, &mut slots[c], &mut policy.windows, row, now);
            }
        }
    }
    let outputs_len = policy.plan.graph.outputs.len();
    let mut outputs = std::mem::take(&mut policy.scratch_outputs);
    outputs.resize_with(outputs_len, Vec::new);
    for column in &mut outputs {
        column.clear();
        column.resize(n, f64::NAN);
    }
    let last_pass = policy.passes.iter().copied().max().unwrap_or(0);
    for pass in 0..=last_pass {
        if pass > 0 {
            fill_pass(policy, index, &rows, pass, now, &outputs, &mut inputs);
        }
        let ins: Vec<&[f64]> = inputs.iter().map(Vec::as_slice).collect();
        let mut outs: Vec<&mut [f64]> = outputs.iter_mut().map(Vec::as_mut_slice).collect();
        // The shapes are built from the graph itself, so they always agree;
        // on an error the outputs stay unknown rather than stop the runtime.
        let _ = policy.evaluator.eval(&ins, &mut outs, n);
    }
    policy.scratch_inputs = inputs;
    Batch { rows, outputs }
}

/// Gives a batch's buffers back to its policy for the next tick; returns
/// the rows.
pub fn recycle(policy: &mut PolicyRt, batch: Batch) -> Vec<u32> {
    policy.scratch_outputs = batch.outputs;
    batch.rows
}

/// What filling a column needs of a row.
struct RowRef<'a> {
    index: &'a SeriesIndex,
    host: crate::series::HostId,
    labels: &'a [crate::decode::Label],
}

/// The newest of the series bound to a slot.
pub fn newest(index: &SeriesIndex, ids: &[SeriesId]) -> Option<SeriesId> {
    ids.iter().copied().max_by(|a, b| {
        index.hot[a.0 as usize].last_time.total_cmp(&index.hot[b.0 as usize].last_time)
    })
}

fn fill(
    column: &Column,
    slot: &mut Slot,
    windows: &mut [Window],
    row: RowRef<'_>,
    now: f64,
) -> f64 {
    let index = row.index;
    let lookback = |metric: u32| index.metrics[metric as usize].lookback;
    match (column, slot) {
        (Column::Latest(sel), Slot::Series(ids)) => newest(index, ids)
            .map_or(f64::NAN, |id| index.hot[id.0 as usize].value_at(now, lookback(sel.metric))),
        (Column::Window { function, param, .. }, Slot::Window { window, .. }) => {
            let Some(window) = windows.get_mut(*window as usize) else { return f64::NAN };
            window.expire(now);
            window_value(window, *function, now, *param)
        }
        (Column::Ewma { .. }, Slot::Ewma { value, .. }) => *value,
        (Column::Text { left, right }, Slot::Series(ids)) => {
            // Borrowed, not copied: fleet filters compare texts for every
            // row at every tick.
            let side = |s| text_side(s, &row, ids, now);
            match (side(left), side(right)) {
                (Some(a), Some(b)) => f64::from(u8::from(a == b)),
                _ => f64::NAN,
            }
        }
        (Column::Clock(c), _) => clock(*c, now),
        _ => f64::NAN,
    }
}

/// One side of a text comparison, borrowed from the plan, the series or
/// the host table.
fn text_side<'a>(s: &'a TextSide, row: &RowRef<'a>, ids: &[SeriesId], now: f64) -> Option<&'a str> {
    let index = row.index;
    match s {
        TextSide::Const(c) => Some(c.as_str()),
        // A missing label is the empty string, as in label matchers:
        // `env != "lab"` holds for a host without `env`.
        TextSide::Label(l) => Some(
            crate::series::label_of(row.labels, l)
                .or_else(|| index.hosts.label(row.host, l))
                .unwrap_or(""),
        ),
        TextSide::State(sel) => newest(index, ids)
            .filter(|id| {
                now - index.hot[id.0 as usize].last_time
                    <= index.metrics[sel.metric as usize].lookback
            })
            .and_then(|id| index.series[id.0 as usize].state.as_deref()),
    }
}

/// `now`, `hour_of_day` (0–23) and `day_of_week` (0 = Sunday, as in
/// PromQL), in UTC until tenants have a time zone.
pub fn clock(c: Clock, now: f64) -> f64 {
    let days = (now / 86_400.0).floor();
    match c {
        Clock::Now => now,
        Clock::HourOfDay => ((now - days * 86_400.0) / 3600.0).floor(),
        // 1970-01-01 was a Thursday (4).
        Clock::DayOfWeek => (days + 4.0).rem_euclid(7.0),
    }
}

/// Fills the columns of `pass` from the outputs of the previous pass.
fn fill_pass(
    policy: &mut PolicyRt,
    index: &SeriesIndex,
    rows: &[u32],
    pass: u8,
    now: f64,
    outputs: &[Vec<f64>],
    inputs: &mut [Vec<f64>],
) {
    for (c, column_inputs) in inputs.iter_mut().enumerate() {
        if policy.passes[c] != pass {
            continue;
        }
        match &policy.columns[c] {
            Column::Across { function, by, output } => {
                let Some(values) = outputs.get(*output) else { continue };
                let keys: Vec<Vec<Option<&str>>> = rows
                    .iter()
                    .map(|r| {
                        let row = &policy.rows[*r as usize];
                        by.iter().map(|l| policy.row_label(index, row, l)).collect()
                    })
                    .collect();
                let mut groups: HashMap<&[Option<&str>], Vec<f64>> = HashMap::new();
                for (k, key) in keys.iter().enumerate() {
                    groups.entry(key.as_slice()).or_default().push(values[k]);
                }
                let results: HashMap<&[Option<&str>], f64> =
                    groups.iter().map(|(k, v)| (*k, aggregate(function, v))).collect();
                for (k, key) in keys.iter().enumerate() {
                    column_inputs[k] = results.get(key.as_slice()).copied().unwrap_or(f64::NAN);
                }
            }
            Column::OutWindow { function, output, param, .. } => {
                let (function, output, param) = (*function, *output, *param);
                for (k, r) in rows.iter().enumerate() {
                    let v = outputs.get(output).map_or(f64::NAN, |o| o[k]);
                    if let Slot::Window { window, .. } = policy.rows[*r as usize].slots[c]
                        && let Some(w) = policy.windows.get_mut(window as usize)
                    {
                        w.push(now, v);
                        w.expire(now);
                        column_inputs[k] = window_value(w, function, now, param);
                    }
                }
            }
            _ => {}
        }
    }
}

/// An aggregation across instances; unknown values are left out, and the
/// result is unknown when all are. `count` counts the true (non-zero) values.
pub fn aggregate(function: &str, values: &[f64]) -> f64 {
    let known = values.iter().copied().filter(|v| !v.is_nan());
    match function {
        "count" => known.filter(|v| *v != 0.0).count() as f64,
        "sum" => known.reduce(|a, b| a + b).unwrap_or(f64::NAN),
        "min" => known.reduce(f64::min).unwrap_or(f64::NAN),
        "max" => known.reduce(f64::max).unwrap_or(f64::NAN),
        "avg" => {
            let (sum, n) = known.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
            if n == 0 { f64::NAN } else { sum / n as f64 }
        }
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregations_leave_unknowns_out() {
        let v = [1.0, f64::NAN, 0.0, 1.0];
        assert_eq!(aggregate("count", &v), 2.0);
        assert_eq!(aggregate("sum", &v), 2.0);
        assert_eq!(aggregate("avg", &v), 2.0 / 3.0);
        assert_eq!(aggregate("min", &v), 0.0);
        assert!(aggregate("max", &[f64::NAN]).is_nan());
    }

    #[test]
    fn clock_reads_hours_and_weekdays_in_utc() {
        // 2026-11-29 is a Sunday; 13:30 UTC.
        let t = 1_795_959_000.0 + 0.0;
        assert_eq!(clock(Clock::DayOfWeek, t), 0.0);
        assert_eq!(clock(Clock::HourOfDay, t), 13.0);
        assert_eq!(clock(Clock::Now, t), t);
    }
}
