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
        lean in any::<bool>(),
    ) {
        let span = f64::from(span);
        // A lean window computes min, max, changes and increases from its
        // samples when read: the same results as the incremental ones.
        let features = if lean { Features::NONE } else { Features::DEFAULT };
        let mut w = Window::with_features(span, features);
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
    assert_eq!(w.time_until(now, 80e9), 0.0, "crossed 80 GB inside the window: there now");
    assert_eq!(
        w.time_until(now, 200e9),
        f64::INFINITY,
        "never above 200 GB in the window, and moving away from it"
    );
    let mut rising = Window::new(3600.0);
    rising.push(0.0, 10e9);
    rising.push(60.0, 10.1e9);
    assert_eq!(rising.time_until(60.0, 0.0), f64::INFINITY, "growing free space never fills");
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

/// Prometheus's `quantile` (promql/quantile.go), transcribed line by line:
/// the reference the incremental quantile must equal bit for bit.
fn prometheus_quantile(q: f64, values: &[f64]) -> f64 {
    if values.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = sorted.len() as f64;
    let rank = q * (n - 1.0);
    let lower_index = f64::max(0.0, rank.floor());
    let upper_index = f64::min(n - 1.0, lower_index + 1.0);
    let weight = rank - rank.floor();
    sorted[lower_index as usize] * (1.0 - weight) + sorted[upper_index as usize] * weight
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random windows with expiry and same-time replacement (a step of 0
    /// seconds), values drawn from a small range so ties are common.
    #[test]
    fn quantile_matches_a_sort_of_the_window(
        steps in prop::collection::vec((0u32..20, -20i32..20), 1..150),
        span in 5u32..200,
        q in 0.0f64..=1.0,
    ) {
        let span = f64::from(span);
        let mut w = Window::with_quantiles(span);
        let mut plain = Window::new(span);
        let mut all: Vec<(f64, f64)> = Vec::new();
        let mut t = 1_700_000_000.0;
        for (dt, v) in steps {
            t += f64::from(dt);
            let v = f64::from(v) / 4.0;
            let expected = if all.last().is_some_and(|s| s.0 == t) {
                all.pop();
                Pushed::Replaced
            } else {
                Pushed::Added
            };
            all.push((t, v));
            prop_assert_eq!(w.push(t, v), expected);
            prop_assert_eq!(plain.push(t, v), expected);
            w.expire(t);
            plain.expire(t);
            let values: Vec<f64> = naive(&all, t, span).iter().map(|s| s.1).collect();
            prop_assert_eq!(w.count(), values.len() as f64);
            for q in [q, 0.0, 0.25, 0.5, 0.9, 0.99, 1.0] {
                let reference = prometheus_quantile(q, &values);
                prop_assert!(same(w.quantile(q), reference), "q={} {} vs {}", q, w.quantile(q), reference);
                prop_assert!(same(plain.quantile(q), reference), "without the sorted values");
            }
            prop_assert!(same(w.sum(), plain.sum()) && same(w.max(), plain.max()));
            prop_assert!(same(w.increase(), plain.increase()));
        }
    }
}

#[test]
fn quantile_follows_the_prometheus_examples() {
    let mut w = Window::with_quantiles(3600.0);
    for i in 1..=10 {
        w.push(f64::from(i) * 60.0, f64::from(i));
    }
    assert_eq!(w.quantile(0.5), 5.5);
    assert!((w.quantile(0.9) - 9.1).abs() < 1e-12, "{}", w.quantile(0.9));
    assert_eq!(
        w.quantile(0.9),
        prometheus_quantile(0.9, &[1., 2., 3., 4., 5., 6., 7., 8., 9., 10.])
    );
    assert_eq!((w.quantile(0.0), w.quantile(1.0)), (1.0, 10.0), "the ends are min and max");
    assert!((w.quantile(0.75) - 7.75).abs() < 1e-12);
    // One value: every q in [0, 1] gives it.
    let mut one = Window::with_quantiles(60.0);
    one.push(0.0, 42.0);
    assert_eq!((one.quantile(0.0), one.quantile(0.3), one.quantile(1.0)), (42.0, 42.0, 42.0));
}

#[test]
fn quantile_edge_cases() {
    let mut w = Window::with_quantiles(600.0);
    assert!(w.quantile(0.5).is_nan(), "an empty window is unknown");
    assert!(w.quantile(-1.0).is_nan(), "empty comes first, whatever q");
    w.push(0.0, 3.0);
    w.push(60.0, 1.0);
    assert!(w.quantile(f64::NAN).is_nan());
    assert_eq!(w.quantile(-0.01), f64::NEG_INFINITY);
    assert_eq!(w.quantile(f64::NEG_INFINITY), f64::NEG_INFINITY);
    assert_eq!(w.quantile(1.01), f64::INFINITY);
    assert_eq!(w.quantile(f64::INFINITY), f64::INFINITY);
    assert_eq!(w.quantile(0.5), 2.0);
    // As in Prometheus, an infinite value times a zero weight is NaN.
    let mut inf = Window::with_quantiles(600.0);
    inf.push(0.0, 1.0);
    inf.push(60.0, f64::INFINITY);
    assert!(inf.quantile(0.0).is_nan());
    assert_eq!(inf.quantile(0.5), f64::INFINITY);
    // After expiring everything the window is empty and works again.
    w.expire(10_000.0);
    assert!(w.quantile(0.5).is_nan());
    w.push(10_000.0, 7.0);
    assert_eq!(w.quantile(0.5), 7.0);
}

#[test]
fn replacing_and_expiring_remove_the_very_value() {
    // -0.0 and 0.0 compare equal; the sorted values keep them apart, so a
    // replaced or expired zero takes its own sign with it.
    // (At q = 1 the maximum comes out with its sign: `-0·1 + -0·0` is -0.)
    let mut w = Window::with_quantiles(100.0);
    w.push(0.0, -0.0);
    w.push(10.0, 0.0);
    w.push(10.0, -1.0); // replaces the 0.0: -1.0 and -0.0 are left
    assert_eq!(w.quantile(1.0).to_bits(), (-0.0f64).to_bits());
    w.push(20.0, 0.0);
    w.expire(100.0); // the -0.0 leaves: -1.0 and 0.0 are left
    assert_eq!(w.quantile(1.0).to_bits(), 0.0f64.to_bits());
    assert_eq!(w.quantile(0.0), -1.0);
}

#[test]
fn only_quantile_windows_keep_sorted_values() {
    assert!(!Window::new(60.0).has_quantiles());
    assert!(Window::with_quantiles(60.0).has_quantiles());
    // An ordinary window grows by one (boxed) pointer at most.
    assert!(std::mem::size_of::<Option<Box<SortedValues>>>() == std::mem::size_of::<usize>());
}

#[test]
fn quantile_of_a_plain_list_sorts_nan_first_as_prometheus_does() {
    let mut values = [3.0, f64::NAN, 1.0, 2.0];
    assert!(quantile_of(0.0, &mut values).is_nan());
    assert_eq!(quantile_of(1.0, &mut values), 3.0);
    assert_eq!(quantile_of(0.5, &mut [4.0, 1.0, 3.0, 2.0]), 2.5);
}

#[test]
fn count_true_and_ratio_true_are_sum_and_avg_of_a_condition() {
    let mut w = Window::new(300.0);
    for (i, held) in [true, false, true, true].into_iter().enumerate() {
        w.push(60.0 * i as f64, f64::from(u8::from(held)));
    }
    assert_eq!(w.push(240.0, f64::NAN), Pushed::NotANumber, "an unknown evaluation is not counted");
    assert_eq!((w.sum(), w.avg()), (3.0, 0.75));
}
