//! Incremental windows: the samples of one series in `(now - D, now]`, with
//! every aggregate the language's window functions need kept up to date as
//! samples arrive and expire, so a tick costs the same whatever the window's
//! length.
//!
//! - sums of `v`, `v²`, `t`, `t·v`, `t²` for `avg`, `sum`, `stddev` and the
//!   least-squares line behind `deriv`, `predict` and `time_until`;
//! - monotonic deques for `min` and `max`;
//! - counter increases with resets handled (a drop means the counter
//!   restarted from zero) for `rate` and `increase`;
//! - the number of value changes for `changes`;
//! - only in windows built with [`Window::with_quantiles`], the values in
//!   sorted order for `quantile` ([`quantile`](mod@quantile)): ordinary
//!   windows do not pay for it.
//!
//! `count_true(cond over D)` and `ratio_true(cond over D)` need nothing of
//! their own: a condition's window holds 1.0 (true) and 0.0 (false), and
//! unknown evaluations (NaN) are refused by `push`, so `count_true` is
//! [`Window::sum`] and `ratio_true` is [`Window::avg`], the share of the
//! *known* evaluations that held; both are NaN for an empty window.
//!
//! Sums over a sliding window drift as values are added and removed; to
//! keep them exact enough, times are stored relative to the first sample
//! ever pushed, and the sums are recomputed from the samples when the
//! window empties. Out-of-order samples (older than the newest one) are
//! refused by `push` and counted by the caller; a sample with the same time
//! as the newest replaces it (the later write wins), as Prometheus does.

mod deque;
pub mod quantile;
mod tracked;
mod trend;

pub use deque::MonotonicDeque;
pub use quantile::{SortedValues, quantile_of, quantile_of_sorted};
use tracked::Tracked;

use std::collections::VecDeque;

/// What `push` did with a sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pushed {
    Added,
    /// Same time as the newest sample: it replaced it.
    Replaced,
    /// Older than the newest sample: refused.
    OutOfOrder,
    /// A NaN value or time: not a sample (a missing value is the absence
    /// of samples, not a value), refused so the sums stay finite.
    NotANumber,
}

/// Which aggregates a window keeps up to date beyond its samples and sums.
/// One that is not kept is computed from the samples when read (the same
/// result, in time proportional to the window): a runtime keeps only what
/// its policies read, so a window for `avg` does not pay for the deques of
/// `min` and `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Features {
    /// Monotonic deques for `min` and `max`.
    pub extrema: bool,
    /// Per-sample counter increases for `rate` and `increase`.
    pub counter: bool,
    /// Per-sample value changes for `changes`.
    pub changes: bool,
    /// The values in order, for `quantile`.
    pub quantiles: bool,
}

impl Features {
    /// Everything but the sorted values: what [`Window::new`] keeps.
    pub const DEFAULT: Features =
        Features { extrema: true, counter: true, changes: true, quantiles: false };
    /// Only the samples and the sums.
    pub const NONE: Features =
        Features { extrema: false, counter: false, changes: false, quantiles: false };
}

/// One series' window of length `span` seconds.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Window {
    span: f64,
    /// (time relative to `origin`, value), oldest first.
    samples: VecDeque<(f64, f64)>,
    origin: Option<f64>,
    sum_v: f64,
    sum_vv: f64,
    sum_t: f64,
    sum_tv: f64,
    sum_tt: f64,
    /// The aggregates kept only when needed (see [`Features`]).
    tracked: Option<Box<Tracked>>,
    /// The values in order, for `quantile`; only in windows built with
    /// `with_quantiles` (boxed, so other windows grow by one pointer).
    sorted: Option<Box<SortedValues>>,
}

impl Window {
    pub fn new(span_seconds: f64) -> Self {
        Window::with_features(span_seconds, Features::DEFAULT)
    }

    /// A window that keeps `features` up to date (see [`Features`]).
    pub fn with_features(span_seconds: f64, features: Features) -> Self {
        Window {
            span: span_seconds,
            samples: VecDeque::new(),
            origin: None,
            sum_v: 0.0,
            sum_vv: 0.0,
            sum_t: 0.0,
            sum_tv: 0.0,
            sum_tt: 0.0,
            tracked: Tracked::for_features(features),
            sorted: features.quantiles.then(Box::default),
        }
    }

    /// A window that also keeps its values sorted, so [`Window::quantile`]
    /// is read in constant time; each push, expiry and replacement then
    /// costs a binary search and a move of at most `len` floats.
    pub fn with_quantiles(span_seconds: f64) -> Self {
        Window::with_features(span_seconds, Features { quantiles: true, ..Features::DEFAULT })
    }

    /// What the window keeps up to date.
    pub fn features(&self) -> Features {
        let tracked = self.tracked.as_ref().map_or(Features::NONE, |t| t.features);
        Features { quantiles: self.sorted.is_some(), ..tracked }
    }

    /// Whether this window keeps its values sorted for `quantile`.
    pub fn has_quantiles(&self) -> bool {
        self.sorted.is_some()
    }

    /// Back to empty, keeping the span, the time origin and the sorted
    /// values' allocation (emptied).
    fn reset(&mut self) {
        let mut sorted = self.sorted.take();
        if let Some(s) = sorted.as_mut() {
            s.clear();
        }
        let (span, origin, features) = (self.span, self.origin, self.features());
        *self = Window::with_features(span, Features { quantiles: false, ..features });
        self.origin = origin;
        self.sorted = sorted;
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Adds a sample at absolute time `t` (seconds).
    pub fn push(&mut self, t: f64, v: f64) -> Pushed {
        if !t.is_finite() || v.is_nan() {
            return Pushed::NotANumber;
        }
        let origin = *self.origin.get_or_insert(t);
        let rt = t - origin;
        match self.samples.back() {
            Some(&(last, _)) if rt < last => return Pushed::OutOfOrder,
            Some(&(last, _)) if rt == last => {
                self.pop_newest();
                self.add(rt, v);
                return Pushed::Replaced;
            }
            _ => {}
        }
        self.add(rt, v);
        Pushed::Added
    }

    fn add(&mut self, rt: f64, v: f64) {
        if let Some(t) = self.tracked.as_mut() {
            t.add(rt, v, self.samples.back().map(|s| s.1));
        }
        self.samples.push_back((rt, v));
        self.sum_v += v;
        self.sum_vv += v * v;
        self.sum_t += rt;
        self.sum_tv += rt * v;
        self.sum_tt += rt * rt;
        if let Some(s) = self.sorted.as_mut() {
            s.insert(v);
        }
    }

    /// Removes the newest sample (for a same-time replacement): the sums are
    /// rebuilt, which is rare enough not to matter. The sorted values lose
    /// just that one value and are set aside while the rest is re-added.
    fn pop_newest(&mut self) {
        let Some((_, newest)) = self.samples.pop_back() else { return };
        let mut sorted = self.sorted.take();
        if let Some(s) = sorted.as_mut() {
            s.remove(newest);
        }
        let kept: Vec<(f64, f64)> = self.samples.drain(..).collect();
        self.reset();
        for (rt, v) in kept {
            self.add(rt, v);
        }
        self.sorted = sorted;
    }

    /// Drops the samples at or before `now - span` (the window is open at
    /// its start).
    pub fn expire(&mut self, now: f64) {
        let Some(origin) = self.origin else { return };
        let cutoff = now - origin - self.span;
        while let Some(&(rt, v)) = self.samples.front() {
            if rt > cutoff {
                break;
            }
            self.samples.pop_front();
            self.sum_v -= v;
            self.sum_vv -= v * v;
            self.sum_t -= rt;
            self.sum_tv -= rt * v;
            self.sum_tt -= rt * rt;
            if let Some(t) = self.tracked.as_mut() {
                t.expire_one(rt);
            }
            if let Some(s) = self.sorted.as_mut() {
                s.remove(v);
            }
        }
        if let Some(t) = self.tracked.as_mut() {
            t.settle_front();
        }
        if self.samples.is_empty() {
            self.reset();
        }
    }

    pub fn count(&self) -> f64 {
        self.samples.len() as f64
    }

    pub fn sum(&self) -> f64 {
        if self.is_empty() { f64::NAN } else { self.sum_v }
    }

    pub fn avg(&self) -> f64 {
        self.sum() / self.count()
    }

    pub fn min(&self) -> f64 {
        match self.tracked.as_ref().filter(|t| t.features.extrema) {
            Some(t) => t.min.peek().unwrap_or(f64::NAN),
            None => self.values().reduce(f64::min).unwrap_or(f64::NAN),
        }
    }

    pub fn max(&self) -> f64 {
        match self.tracked.as_ref().filter(|t| t.features.extrema) {
            Some(t) => t.max.peek().unwrap_or(f64::NAN),
            None => self.values().reduce(f64::max).unwrap_or(f64::NAN),
        }
    }

    fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.samples.iter().map(|s| s.1)
    }

    /// The sum of counter increases inside the window (resets as restarts
    /// from zero), kept or computed.
    fn increases_sum(&self) -> f64 {
        if let Some(t) = self.tracked.as_ref().filter(|t| t.features.counter) {
            return t.sum_increase;
        }
        let values: Vec<f64> = self.values().collect();
        values.windows(2).map(|p| if p[1] >= p[0] { p[1] - p[0] } else { p[1] }).sum()
    }

    pub fn first(&self) -> f64 {
        self.samples.front().map_or(f64::NAN, |s| s.1)
    }

    pub fn last(&self) -> f64 {
        self.samples.back().map_or(f64::NAN, |s| s.1)
    }

    /// Population standard deviation.
    pub fn stddev(&self) -> f64 {
        let n = self.count();
        if n == 0.0 {
            return f64::NAN;
        }
        let mean = self.sum_v / n;
        (self.sum_vv / n - mean * mean).max(0.0).sqrt()
    }

    /// The q-quantile of the values, as Prometheus's `quantile_over_time`:
    /// linear interpolation between the two closest ranks
    /// (`rank = q·(n − 1)`); NaN for an empty window or a NaN `q`, −∞ for
    /// `q < 0`, +∞ for `q > 1`. Constant time in a window built with
    /// [`Window::with_quantiles`]; any other window sorts a copy of its
    /// values (O(n log n)), which gives the same result.
    pub fn quantile(&self, q: f64) -> f64 {
        match &self.sorted {
            Some(s) => s.quantile(q),
            None => {
                let mut values: Vec<f64> = self.samples.iter().map(|s| s.1).collect();
                quantile_of(q, &mut values)
            }
        }
    }

    pub fn delta(&self) -> f64 {
        self.last() - self.first()
    }

    /// A counter's increase over the window, resets handled; unknown with
    /// fewer than two samples.
    pub fn increase(&self) -> f64 {
        if self.samples.len() < 2 { f64::NAN } else { self.increases_sum() }
    }

    /// Per-second increase between the first and last sample.
    pub fn rate(&self) -> f64 {
        let (Some(a), Some(b)) = (self.samples.front(), self.samples.back()) else {
            return f64::NAN;
        };
        if self.samples.len() < 2 || b.0 == a.0 {
            return f64::NAN;
        }
        self.increases_sum() / (b.0 - a.0)
    }

    pub fn changes(&self) -> f64 {
        if self.is_empty() {
            f64::NAN
        } else if let Some(t) = self.tracked.as_ref().filter(|t| t.features.changes) {
            t.change_count as f64
        } else {
            let values: Vec<f64> = self.values().collect();
            values.windows(2).filter(|p| p[1] != p[0]).count() as f64
        }
    }
}

#[cfg(test)]
mod tests;
