//! The clock `upkeep serve` evaluates on: the wall clock, or — for tests
//! and benchmarks only — a manual clock that moves when an admin calls
//! `POST /-/clock?t=SECONDS`, so that a test can feed samples and decide
//! exactly when evaluations run (and compare the events with `upkeep run`).
//!
//! The manual clock cannot be turned on by accident: it needs the
//! environment variable `UPKEEP_CLOCK=manual` (no flag, no configuration
//! key), the server then refuses to listen on anything but loopback, logs
//! a warning at startup, exposes `upkeep_clock_manual 1` on `/metrics`,
//! and the clock endpoint answers only an admin caller connected over
//! loopback. Without the variable the endpoint does not exist (404).

use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable that selects the clock.
pub const CLOCK_ENV: &str = "UPKEEP_CLOCK";

/// Which clock, and the manual clock's time.
#[derive(Debug)]
pub struct Clock {
    manual: bool,
    /// The manual clock's time in seconds, as `f64` bits; NaN until set.
    time: AtomicU64,
}

/// Why a clock setting is refused.
#[derive(Debug, thiserror::Error)]
pub enum ClockError {
    #[error("{CLOCK_ENV} must be `wall` or `manual`, not `{0}`")]
    Unknown(String),
    #[error("the clock is the wall clock: set {CLOCK_ENV}=manual to move it by hand")]
    NotManual,
    #[error("`{0}` is not a time in seconds since the Unix epoch")]
    BadTime(String),
    #[error("the clock only moves forward: it is at {now}, {asked} is earlier")]
    Backwards { now: f64, asked: f64 },
}

impl Clock {
    /// The clock `UPKEEP_CLOCK` asks for: unset or `wall`, or `manual`.
    pub fn from_env(value: Option<&str>) -> Result<Clock, ClockError> {
        let manual = match value {
            None | Some("" | "wall") => false,
            Some("manual") => true,
            Some(other) => return Err(ClockError::Unknown(other.to_string())),
        };
        Ok(Clock { manual, time: AtomicU64::new(f64::NAN.to_bits()) })
    }

    pub fn is_manual(&self) -> bool {
        self.manual
    }

    /// Seconds since the epoch: the wall clock's, or the manual clock's
    /// (`None` until it is first set).
    pub fn now(&self) -> Option<f64> {
        if self.manual {
            let t = f64::from_bits(self.time.load(Ordering::Acquire));
            return (!t.is_nan()).then_some(t);
        }
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        Some(now.map_or(0.0, |d| d.as_secs_f64()))
    }

    /// Moves the manual clock to `text` (seconds since the epoch, a
    /// fraction allowed); never backwards.
    pub fn set(&self, text: &str) -> Result<f64, ClockError> {
        if !self.manual {
            return Err(ClockError::NotManual);
        }
        let t: f64 = text.trim().parse().map_err(|_| ClockError::BadTime(text.to_string()))?;
        if !t.is_finite() || t < 0.0 {
            return Err(ClockError::BadTime(text.to_string()));
        }
        let before = self.time.swap(t.to_bits(), Ordering::AcqRel);
        let before = f64::from_bits(before);
        if before > t {
            self.time.store(before.to_bits(), Ordering::Release);
            return Err(ClockError::Backwards { now: before, asked: t });
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wall_clock_is_the_default_and_cannot_be_set() {
        let c = Clock::from_env(None).unwrap();
        assert!(!c.is_manual());
        assert!(c.now().unwrap() > 1.7e9);
        assert!(matches!(c.set("5"), Err(ClockError::NotManual)));
        assert!(Clock::from_env(Some("fake")).is_err());
    }

    #[test]
    fn the_manual_clock_moves_forward_only() {
        let c = Clock::from_env(Some("manual")).unwrap();
        assert_eq!(c.now(), None);
        assert_eq!(c.set("100.5").unwrap(), 100.5);
        assert_eq!(c.now(), Some(100.5));
        assert!(matches!(c.set("99"), Err(ClockError::Backwards { .. })));
        assert_eq!(c.now(), Some(100.5));
        assert!(matches!(c.set("soon"), Err(ClockError::BadTime(_))));
        assert!(matches!(c.set("NaN"), Err(ClockError::BadTime(_))));
    }
}
