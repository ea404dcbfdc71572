//! Every aggregate of an incremental window equals the same aggregate
//! computed from scratch over the samples in the window.

use super::*;
use proptest::prelude::*;

/// The naive reference: recomputes from the samples in `(now - span, now]`.
fn naive(samples: &[(f64, f64)], now: f64, span: f64) -> Vec<(f64, f64)> {
    samples.iter().copied().filter(|&(t, _)| t > now - span && t <= now).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn incremental_aggregates_match_recomputation(
        steps in prop::collection::vec((1u32..30, -1000i32..1000), 1..120),
        span in 10u32..300,
    ) {
        let span = f64::from(span);
        let mut w = Window::new(span);
        let mut all: Vec<(f64, f64)> = Vec::new();
        let mut t = 1_700_000_000.0;
        for (dt, v) in steps {
            t += f64::from(dt);
            let v = f64::from(v) / 10.0;
            prop_assert_eq!(w.push(t, v), Pushed::Added);
            all.push((t, v));
            w.expire(t);
            let inside = naive(&all, t, span);
            let values: Vec<f64> = inside.iter().map(|s| s.1).collect();
            let n = values.len() as f64;
            prop_assert_eq!(w.count(), n);
            prop_assert!(close(w.sum(), values.iter().sum()));
            prop_assert!(close(w.min(), values.iter().copied().fold(f64::INFINITY, f64::min)));
            prop_assert!(close(w.max(), values.iter().copied().fold(f64::NEG_INFINITY, f64::max)));
            prop_assert!(close(w.first(), values[0]));
            prop_assert!(close(w.last(), values[values.len() - 1]));
            let changes = values.windows(2).filter(|p| p[0] != p[1]).count() as f64;
            prop_assert!(close(w.changes(), changes));
            let increase: f64 = values.windows(2).map(|p| if p[1] >= p[0] { p[1] - p[0] } else { p[1] }).sum();
            let expected_increase = if values.len() < 2 { f64::NAN } else { increase };
            prop_assert!(close(w.increase(), expected_increase), "{} vs {}", w.increase(), expected_increase);
        }
    }
}

#[test]
fn linear_trends_predict_exactly() {
    let mut w = Window::new(3600.0);
    // 100 GB free, losing 1 GB a minute.
    for i in 0..30 {
        let t = 1000.0 + 60.0 * f64::from(i);
        w.push(t, 100e9 - 1e9 * f64::from(i));
    }
    let now = 1000.0 + 60.0 * 29.0;
    assert!((w.deriv() - (-1e9 / 60.0)).abs() < 1e-3);
    assert!((w.time_until(now, 0.0) - 71.0 * 60.0).abs() < 1e-3, "{}", w.time_until(now, 0.0));
    assert!((w.predict(now, 600.0) - 61e9).abs() < 1.0);
    assert_eq!(
        w.time_until(now, 200e9),
        0.0,
        "already past the threshold in the direction of travel"
    );
    let mut flat = Window::new(3600.0);
    flat.push(0.0, 5.0);
    flat.push(60.0, 5.0);
    assert_eq!(flat.time_until(60.0, 0.0), f64::INFINITY, "a flat line never gets there");
}

#[test]
fn counter_resets_count_as_restarts_and_rate_needs_two_samples() {
    let mut w = Window::new(600.0);
    w.push(0.0, 100.0);
    assert!(w.rate().is_nan());
    w.push(60.0, 160.0);
    w.push(120.0, 10.0); // restarted: +10 since the reset
    assert_eq!(w.increase(), 70.0);
    assert!((w.rate() - 70.0 / 120.0).abs() < 1e-12);
}

#[test]
fn late_and_duplicate_samples_follow_the_documented_rule() {
    let mut w = Window::new(600.0);
    assert_eq!(w.push(100.0, 1.0), Pushed::Added);
    assert_eq!(w.push(50.0, 9.0), Pushed::OutOfOrder);
    assert_eq!(w.push(100.0, 2.0), Pushed::Replaced);
    assert_eq!(w.push(200.0, f64::NAN), Pushed::NotANumber);
    assert_eq!((w.count(), w.last()), (1.0, 2.0));
}

#[test]
fn the_window_is_open_at_its_start() {
    let mut w = Window::new(300.0);
    w.push(0.0, 1.0);
    w.push(300.0, 2.0);
    w.expire(300.0);
    assert_eq!((w.count(), w.first()), (1.0, 2.0), "a sample exactly D old has left");
}
