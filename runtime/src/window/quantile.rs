//! Quantiles of a window, as Prometheus's `quantile_over_time` computes
//! them (`promql/quantile.go`, function `quantile`): the φ-quantile with
//! linear interpolation between the two closest ranks, `rank = q·(n − 1)`.
//!
//! A window built with [`Window::with_quantiles`](super::Window::with_quantiles)
//! keeps its values in a [`SortedValues`]: a sorted `Vec` updated by binary
//! search on every push, expiry and replacement (O(log n) to find, plus a
//! `memmove` of at most n floats, which at window sizes of thousands costs
//! less than the search), so reading a quantile is O(1).

use std::cmp::Ordering;

/// The q-quantile of `sorted` (ascending), exactly as Prometheus
/// computes it, including its edge cases in its order: no values or a NaN
/// `q` give NaN, `q < 0` gives −∞, `q > 1` gives +∞.
///
/// The interpolation is Prometheus's expression, term for term:
/// `lower·(1 − w) + upper·w`. So, as in Prometheus, an infinite value
/// multiplied by a zero weight makes NaN (`[1, +∞]` at `q = 0` is NaN).
pub fn quantile_of_sorted(q: f64, sorted: &[f64]) -> f64 {
    if sorted.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    let n = sorted.len() as f64;
    let rank = q * (n - 1.0);
    let lower = rank.floor().max(0.0);
    let upper = (lower + 1.0).min(n - 1.0);
    let weight = rank - rank.floor();
    // Both are whole numbers in 0..n, so the casts are exact.
    sorted[lower as usize] * (1.0 - weight) + sorted[upper as usize] * weight
}

/// The q-quantile of `values` in any order (sorted in place first), for
/// callers that hold a plain list: a window built without quantiles, or an
/// aggregation across instances. NaN values sort first, as Prometheus sorts
/// them; callers that treat NaN as unknown should leave them out.
pub fn quantile_of(q: f64, values: &mut [f64]) -> f64 {
    values.sort_unstable_by(|a, b| match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.total_cmp(b),
    });
    quantile_of_sorted(q, values)
}

/// A window's values in ascending order (by `f64::total_cmp`, so `-0.0`
/// sorts before `0.0` and removing a value removes that very value).
/// Values are never NaN: the window refuses NaN samples.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct SortedValues {
    values: Vec<f64>,
}

impl SortedValues {
    pub fn new() -> Self {
        SortedValues::default()
    }

    pub fn insert(&mut self, v: f64) {
        let i = self.values.partition_point(|x| x.total_cmp(&v) == Ordering::Less);
        self.values.insert(i, v);
    }

    /// Removes one copy of `v`, which must be present.
    pub fn remove(&mut self, v: f64) {
        match self.values.binary_search_by(|x| x.total_cmp(&v)) {
            Ok(i) => {
                self.values.remove(i);
            }
            Err(_) => debug_assert!(false, "removing {v}, which the window does not hold"),
        }
    }

    /// Empties it, keeping the allocation.
    pub fn clear(&mut self) {
        self.values.clear();
    }

    pub fn as_slice(&self) -> &[f64] {
        &self.values
    }

    pub fn quantile(&self, q: f64) -> f64 {
        quantile_of_sorted(q, &self.values)
    }
}
