//! Reloading a package: a new engine takes over a running one. Policies
//! whose plan did not change go on exactly as if nothing happened — their
//! `for` timers, windows and episodes continue — while a changed policy
//! starts afresh with its new threshold, and series are not lost.

use std::sync::Arc;
use upkeep_compiler::package::Loader;
use upkeep_compiler::plan::Plan;
use upkeep_runtime::decode::{Label, Sample};
use upkeep_runtime::engine::Engine;

fn plan(source: &str) -> Plan {
    let loader = Loader::load_sources(&[("main", source)]);
    let (diagnostics, plan) = upkeep_compiler::sema::compile(&loader.packages[0]);
    let errors: Vec<_> = diagnostics.iter().map(|d| d.message.clone()).collect();
    plan.unwrap_or_else(|| panic!("does not compile: {errors:?}"))
}

fn package(threshold: u32) -> String {
    format!(
        r#"use std.metrics.node
fleet all = hosts
policy slow on all {{
  every 1m
  let avg = avg(load1 over 10m)
  warn when avg > 4 for 10m
}}
policy spike on all {{
  every 1m
  crit when load1 > {threshold}
}}
"#
    )
}

fn sample(host: &str, value: f64, minute: u64) -> Sample {
    let labels: Arc<[Label]> = vec![Label { name: "host".into(), value: host.into() }].into();
    Sample {
        name: "node_load1".into(),
        labels,
        value,
        timestamp_ms: Some((minute * 60_000) as i64),
    }
}

/// Load 6 from minute 3 on, 9 from minute 30 on; two hosts.
fn load(minute: u64) -> f64 {
    match minute {
        0..3 => 1.0,
        3..30 => 6.0,
        _ => 9.0,
    }
}

fn feed(engine: &mut Engine, minutes: std::ops::Range<u64>) -> Vec<String> {
    for m in minutes {
        for h in ["a", "b"] {
            engine.ingest(&sample(h, load(m), m));
        }
    }
    engine
        .drain_events()
        .map(|e| format!("{} {} {} {}", e.ts / 60.0, e.kind, e.policy, e.instance["host"]))
        .collect()
}

#[test]
fn unchanged_policies_carry_on_and_a_changed_one_starts_afresh() {
    let before = plan(&package(10));
    let mut whole = Engine::new(&before, None).unwrap();
    let expected = feed(&mut whole, 0..40);

    let mut first = Engine::new(&before, None).unwrap();
    let mut got = feed(&mut first, 0..8);
    // Reloaded at minute 8, while `slow`'s 10-minute window still holds
    // minutes of load 1: a window started afresh would see only 6s.
    let after = plan(&package(8));
    let mut second = Engine::new(&after, None).unwrap();
    second.take_over(first);
    got.extend(feed(&mut second, 8..40));

    let of = |events: &[String], policy: &str| -> Vec<String> {
        events.iter().filter(|e| e.contains(policy)).cloned().collect()
    };
    // The unchanged policy: the same events at the same times.
    assert_eq!(of(&got, " slow "), of(&expected, " slow "));
    assert!(!of(&expected, " slow ").is_empty());
    // The changed one fires with its new threshold (9 > 8 at minute 30),
    // where the old one (> 10) never does.
    assert!(of(&expected, " spike ").is_empty());
    assert_eq!(of(&got, " spike "), ["30 firing spike a", "30 firing spike b"]);
}

#[test]
fn a_take_over_keeps_the_series_and_their_newest_samples() {
    let before = plan(&package(10));
    let mut first = Engine::new(&before, None).unwrap();
    feed(&mut first, 0..5);
    let series = first.index.len();
    let mut second = Engine::new(&plan(&package(8)), None).unwrap();
    second.take_over(first);
    assert_eq!(second.index.len(), series);
    assert_eq!(second.now(), 240.0);
    // A policy reading the newest sample sees it without a new one: at
    // minute 5 the spike policy evaluates minute 4's sample (6 < 8).
    second.finish(300.0);
    assert_eq!(second.drain_events().count(), 0);
}
