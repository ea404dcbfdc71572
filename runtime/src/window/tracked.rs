//! The aggregates a window keeps up to date only when its function needs
//! them: monotonic deques for `min` and `max`, per-sample counter increases
//! for `rate` and `increase`, per-sample value changes for `changes`. Boxed
//! apart from the window, so a window that needs none of them (`avg`,
//! `predict`, …) carries a null pointer instead.

use super::{Features, MonotonicDeque};
use std::collections::VecDeque;

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(super) struct Tracked {
    pub features: Features,
    pub min: MonotonicDeque,
    pub max: MonotonicDeque,
    /// Counter increases between consecutive samples, resets counted as a
    /// restart from zero; kept per sample so they expire with it.
    pub increases: VecDeque<f64>,
    pub sum_increase: f64,
    pub changes: VecDeque<bool>,
    pub change_count: usize,
}

impl Tracked {
    /// The tracked part for `features`, or `None` when it has nothing to do.
    pub fn for_features(features: Features) -> Option<Box<Tracked>> {
        (features.extrema || features.counter || features.changes).then(|| {
            Box::new(Tracked {
                features,
                min: MonotonicDeque::new(false),
                max: MonotonicDeque::new(true),
                increases: VecDeque::new(),
                sum_increase: 0.0,
                changes: VecDeque::new(),
                change_count: 0,
            })
        })
    }

    /// A sample `v` at relative time `rt` joins, after `prev` (the value of
    /// the sample before it in the window, if any).
    pub fn add(&mut self, rt: f64, v: f64, prev: Option<f64>) {
        let (increase, changed) = match prev {
            Some(prev) => (if v >= prev { v - prev } else { v }, v != prev),
            None => (0.0, false),
        };
        if self.features.extrema {
            self.min.push(rt, v);
            self.max.push(rt, v);
        }
        if self.features.counter {
            self.increases.push_back(increase);
            self.sum_increase += increase;
        }
        if self.features.changes {
            self.changes.push_back(changed);
            self.change_count += usize::from(changed);
        }
    }

    /// The oldest sample, at `rt`, leaves.
    pub fn expire_one(&mut self, rt: f64) {
        if self.features.extrema {
            self.min.expire(rt);
            self.max.expire(rt);
        }
        // The oldest sample's increase (from the one before it) leaves
        // with it.
        if let Some(i) = self.increases.pop_front() {
            self.sum_increase -= i;
        }
        if let Some(c) = self.changes.pop_front() {
            self.change_count -= usize::from(c);
        }
    }

    /// After expiry: the new oldest sample's increase and change came from
    /// a sample that has left, so they are no longer inside the window.
    pub fn settle_front(&mut self) {
        if let Some(first) = self.increases.front_mut() {
            self.sum_increase -= *first;
            *first = 0.0;
        }
        if let Some(first) = self.changes.front_mut() {
            self.change_count -= usize::from(*first);
            *first = false;
        }
    }
}
