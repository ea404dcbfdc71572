//! A monotonic deque: the minimum (or maximum) of a sliding window in
//! amortised constant time per sample.

use std::collections::VecDeque;

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct MonotonicDeque {
    /// (time, value), values monotonic from front to back.
    items: VecDeque<(f64, f64)>,
    /// Keep the maximum at the front instead of the minimum.
    max: bool,
}

impl MonotonicDeque {
    pub fn new(max: bool) -> Self {
        MonotonicDeque { items: VecDeque::new(), max }
    }

    pub fn push(&mut self, t: f64, v: f64) {
        // A newer value that is as good makes older ones irrelevant.
        while let Some(&(_, back)) = self.items.back() {
            let dominated = if self.max { back <= v } else { back >= v };
            if !dominated {
                break;
            }
            self.items.pop_back();
        }
        self.items.push_back((t, v));
    }

    /// Forgets the sample at time `t` if it is still the front.
    pub fn expire(&mut self, t: f64) {
        while let Some(&(front, _)) = self.items.front() {
            if front > t {
                break;
            }
            self.items.pop_front();
        }
    }

    pub fn peek(&self) -> Option<f64> {
        self.items.front().map(|i| i.1)
    }
}
