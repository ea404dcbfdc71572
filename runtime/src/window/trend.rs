//! Trends of a window: the least-squares line through its samples, kept as
//! running sums, behind `deriv`, `predict` and `time_until`.

use super::Window;

impl Window {
    /// The least-squares line `v = a + b·t` (relative time), if defined.
    fn line(&self) -> Option<(f64, f64)> {
        let n = self.count();
        if n < 2.0 {
            return None;
        }
        let denominator = n * self.sum_tt - self.sum_t * self.sum_t;
        if denominator == 0.0 {
            return None;
        }
        let slope = (n * self.sum_tv - self.sum_t * self.sum_v) / denominator;
        let intercept = (self.sum_v - slope * self.sum_t) / n;
        Some((intercept, slope))
    }

    /// Per-second slope of the least-squares line.
    pub fn deriv(&self) -> f64 {
        self.line().map_or(f64::NAN, |(_, slope)| slope)
    }

    /// The value the line predicts `horizon` seconds after `now`.
    pub fn predict(&self, now: f64, horizon: f64) -> f64 {
        let (Some((a, b)), Some(origin)) = (self.line(), self.origin) else { return f64::NAN };
        a + b * (now - origin + horizon)
    }

    /// Seconds from `now` until the least-squares line reaches `threshold`.
    /// When the line crossed it in the past: 0 if that was inside the
    /// window (the samples show the value passing it: it is there now),
    /// infinite if before (the value never was on the other side, and is
    /// moving away: a disk's free space that grows is not "full in 0").
    /// Infinite for a flat line, unless it sits on the threshold.
    pub fn time_until(&self, now: f64, threshold: f64) -> f64 {
        let (Some((a, b)), Some(origin), Some(first)) =
            (self.line(), self.origin, self.samples.front())
        else {
            return f64::NAN;
        };
        if b == 0.0 {
            return if a == threshold { 0.0 } else { f64::INFINITY };
        }
        // Times relative to `origin`, as the line's.
        let crossing = (threshold - a) / b;
        let now = now - origin;
        if crossing >= now {
            crossing - now
        } else if crossing >= first.0 {
            0.0
        } else {
            f64::INFINITY
        }
    }
}
