//! Tasks (`task` blocks): scheduled maintenance that is not triggered by a
//! threshold. Inside its `during` calendar a task is due on each host whose
//! `when` holds; its steps run once per host and window, one host at a
//! time under `concurrency 1` (the next starts when the last one's verify
//! held), never more than `at most P% of fleet`; outside the window it is
//! not due, and the next window starts again.

use std::sync::Arc;
use upkeep_compiler::package::Loader;
use upkeep_compiler::plan::Plan;
use upkeep_runtime::decode::{Label, Sample};
use upkeep_runtime::engine::Engine;
use upkeep_runtime::events::{Event, EventKind};

fn plan(source: &str) -> Plan {
    let loader = Loader::load_sources(&[("main", source)]);
    let (diagnostics, plan) = upkeep_compiler::sema::compile(&loader.packages[0]);
    let errors: Vec<_> = diagnostics.iter().map(|d| d.message.clone()).collect();
    plan.unwrap_or_else(|| panic!("does not compile: {errors:?}"))
}

const PATCHING: &str = r#"metric backup.ok: gauge from "backup_ok"
metric up: gauge from "up"
fleet all = hosts
calendar nightly = daily 01:00..03:00
action patch(host: host) = exec ["/usr/local/bin/patch", host]
task patching on all {
  during nightly
  let fresh = backup.ok
  when fresh == 1
  message "patched {host}"
  patch(host) timeout 1h
  verify up == 1 within 10m
  concurrency 1
}
"#;

/// Four hosts, a sample a minute for two days; h4's backup is stale.
fn replay(plan: &Plan) -> Vec<Event> {
    let mut engine = Engine::new(plan, None).unwrap();
    for minute in 0..(2 * 24 * 60) {
        for host in ["h1", "h2", "h3", "h4"] {
            let labels: Arc<[Label]> =
                vec![Label { name: "host".into(), value: host.into() }].into();
            let t = Some(minute * 60_000);
            let ok = if host == "h4" { 0.0 } else { 1.0 };
            engine.ingest(&Sample {
                name: "backup_ok".into(),
                labels: labels.clone(),
                value: ok,
                timestamp_ms: t,
            });
            engine.ingest(&Sample { name: "up".into(), labels, value: 1.0, timestamp_ms: t });
        }
    }
    engine.finish(engine.now());
    engine.drain_events().collect()
}

fn at(e: &Event) -> String {
    let minutes = (e.ts / 60.0) as u64;
    format!("d{} {:02}:{:02}", minutes / 1440, minutes / 60 % 24, minutes % 60)
}

#[test]
fn a_task_runs_once_per_host_and_window_one_host_at_a_time() {
    let events = replay(&plan(PATCHING));
    let runs: Vec<String> = events
        .iter()
        .filter(|e| e.kind == EventKind::Action)
        .map(|e| format!("{} {}", at(e), e.instance["host"]))
        .collect();
    // Each night from 01:00: h1, then h2 once h1's verify held (a minute
    // later, at the next evaluation, as `up` is 1), then h3; h4 never
    // (its backup is stale).
    assert_eq!(
        runs,
        ["d0 01:00 h1", "d0 01:02 h2", "d0 01:04 h3", "d1 01:00 h1", "d1 01:02 h2", "d1 01:04 h3"]
    );
    // Waiting for the one slot is said once per host and night.
    let waiting: Vec<String> = events
        .iter()
        .filter(|e| e.kind == EventKind::Held)
        .map(|e| format!("{} {} {}", at(e), e.instance["host"], e.reason))
        .collect();
    assert_eq!(
        waiting[..2],
        [
            "d0 01:00 h2 concurrency 1: waiting for a host to finish",
            "d0 01:00 h3 concurrency 1: waiting for a host to finish",
        ]
    );
    assert_eq!(waiting.len(), 4);
    // Due inside the window only: the episode ends when it closes.
    let resolved: Vec<String> = events
        .iter()
        .filter(|e| e.kind == EventKind::Resolved && e.instance["host"] == "h1")
        .map(at)
        .collect();
    assert_eq!(resolved, ["d0 03:00", "d1 03:00"]);
    assert!(!events.iter().any(|e| e.instance["host"] == "h4"));
}

#[test]
fn without_concurrency_every_host_runs_when_the_window_opens() {
    let source = PATCHING.replace("  concurrency 1\n", "");
    let events = replay(&plan(&source));
    let first_night: Vec<String> = events
        .iter()
        .filter(|e| e.kind == EventKind::Action && e.ts < 86_400.0)
        .map(|e| format!("{} {}", at(e), e.instance["host"]))
        .collect();
    assert_eq!(first_night, ["d0 01:00 h1", "d0 01:00 h2", "d0 01:00 h3"]);
}

#[test]
fn at_most_a_share_of_the_fleet_at_once() {
    let source = PATCHING.replace("  concurrency 1\n", "  at most 50% of fleet\n");
    let events = replay(&plan(&source));
    let first_night: Vec<String> = events
        .iter()
        .filter(|e| e.kind == EventKind::Action && e.ts < 86_400.0)
        .map(|e| format!("{} {}", at(e), e.instance["host"]))
        .collect();
    // Four hosts: two at once; h3 when the first two have verified.
    assert_eq!(first_night, ["d0 01:00 h1", "d0 01:00 h2", "d0 01:02 h3"]);
}
