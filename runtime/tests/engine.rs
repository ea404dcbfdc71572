//! The engine end to end on small packages compiled from source: what an
//! instance is, event time, out-of-order samples, tenancy, fleets from an
//! inventory, dependencies, calendars and spreading.

use std::sync::Arc;
use upkeep_compiler::package::Loader;
use upkeep_compiler::plan::Plan;
use upkeep_runtime::decode::{Label, Sample};
use upkeep_runtime::engine::Engine;
use upkeep_runtime::events::{Event, EventKind};
use upkeep_runtime::inventory::Inventory;

fn plan(source: &str) -> Plan {
    let loader = Loader::load_sources(&[("main", source)]);
    let (diagnostics, plan) = upkeep_compiler::sema::compile(&loader.packages[0]);
    let errors: Vec<_> = diagnostics.iter().map(|d| d.message.clone()).collect();
    plan.unwrap_or_else(|| panic!("does not compile: {errors:?}"))
}

fn sample(name: &str, labels: &[(&str, &str)], value: f64, seconds: f64) -> Sample {
    let mut labels: Vec<Label> =
        labels.iter().map(|(k, v)| Label { name: (*k).into(), value: (*v).into() }).collect();
    labels.sort();
    Sample {
        name: name.into(),
        labels: Arc::from(labels),
        value,
        timestamp_ms: Some((seconds * 1000.0) as i64),
    }
}

fn kinds(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            let host = e.instance.get("host").map_or("", String::as_str);
            format!("{} {} {} {}", e.ts / 60.0, e.kind, e.level.as_deref().unwrap_or("-"), host)
        })
        .collect()
}

const LOAD: &str = r#"use std.metrics.node
fleet linux = hosts where os == "linux"
policy load on linux {
  every 1m
  warn when load1 > 4 for 2m
}
"#;

/// Feeds `load1` of `host` at one sample a minute from minute 0.
fn feed(engine: &mut Engine, host: &str, values: &[f64]) {
    for (i, v) in values.iter().enumerate() {
        let labels = [("host", host), ("os", "linux")];
        engine.ingest(&sample("node_load1", &labels, *v, i as f64 * 60.0));
    }
}

#[test]
fn evaluations_run_on_event_time_and_see_only_earlier_samples() {
    let mut engine = Engine::new(&plan(LOAD), None).unwrap();
    feed(&mut engine, "a", &[1.0, 5.0, 5.0, 5.0, 1.0]);
    // Nothing is evaluated at 4m until a later sample or the end arrives.
    let before: Vec<Event> = engine.drain_events().collect();
    assert_eq!(kinds(&before), ["1 pending warn a", "3 firing warn a"]);
    engine.finish(240.0);
    let after: Vec<Event> = engine.drain_events().collect();
    assert_eq!(kinds(&after), ["4 resolved warn a"]);
    assert_eq!(engine.stats.evaluations, 5);
}

#[test]
fn one_batch_per_tick_whatever_the_number_of_hosts() {
    let mut engine = Engine::new(&plan(LOAD), None).unwrap();
    for minute in 0..3 {
        for h in 0..50 {
            let labels = [("host", &*format!("h{h}")), ("os", "linux")];
            engine.ingest(&sample("node_load1", &labels, 1.0, f64::from(minute) * 60.0));
        }
    }
    engine.finish(120.0);
    assert_eq!(engine.stats.evaluations, 150);
    assert_eq!(engine.stats.batches, 3);
}

#[test]
fn out_of_order_samples_are_counted_and_dropped_and_same_time_replaces() {
    let mut engine = Engine::new(&plan(LOAD), None).unwrap();
    let labels = [("host", "a"), ("os", "linux")];
    engine.ingest(&sample("node_load1", &labels, 1.0, 120.0));
    engine.ingest(&sample("node_load1", &labels, 9.0, 60.0));
    engine.ingest(&sample("node_load1", &labels, 9.0, 120.0));
    assert_eq!(engine.stats.out_of_order, 1);
    assert_eq!(engine.stats.samples, 2);
    engine.finish(120.0);
    // The replacing 9 at 2m is what the evaluation at 2m saw.
    assert_eq!(kinds(&engine.drain_events().collect::<Vec<_>>()), ["2 pending warn a"]);
}

#[test]
fn a_stale_series_is_unknown_after_its_lookback_and_keeps_the_state() {
    let mut engine = Engine::new(&plan(LOAD), None).unwrap();
    feed(&mut engine, "a", &[5.0, 5.0, 5.0]);
    // No sample after 2m: the value stands for 5 minutes, then is unknown,
    // which neither fires nor resolves.
    engine.finish(20.0 * 60.0);
    let events: Vec<Event> = engine.drain_events().collect();
    assert_eq!(kinds(&events), ["0 pending warn a", "2 firing warn a"]);
}

#[test]
fn a_tenant_file_reads_only_its_clients_series() {
    let source = format!("tenant acme\n{LOAD}");
    let mut engine = Engine::new(&plan(&source), None).unwrap();
    for (i, client) in ["acme", "globex"].iter().enumerate() {
        let labels = [("host", "db1"), ("os", "linux"), ("client", client)];
        engine.ingest(&sample("node_load1", &labels, 9.0, i as f64));
    }
    engine.finish(60.0);
    let events: Vec<Event> = engine.drain_events().collect();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].tenant.as_deref(), Some("acme"));
}

#[test]
fn fleets_filter_on_inventory_labels_the_series_do_not_carry() {
    let source = LOAD.replace("os == \"linux\"", "role == \"db\"");
    let inventory = Inventory::from_csv("host,role\ndb1,db\nweb1,web\n").unwrap();
    let mut engine = Engine::new(&plan(&source), Some(inventory)).unwrap();
    for host in ["db1", "web1"] {
        engine.ingest(&sample("node_load1", &[("host", host)], 9.0, 0.0));
    }
    engine.finish(0.0);
    let events: Vec<Event> = engine.drain_events().collect();
    // web1 has a row (it sends load1) but is not in the fleet: no event.
    assert_eq!(kinds(&events), ["0 pending warn db1"]);
}

#[test]
fn a_policy_depending_on_another_is_suppressed_while_it_fires() {
    let source = r#"use std.metrics.node
use std.metrics.prometheus
fleet all = hosts
policy reachable on all {
  every 1m
  crit when up == 0
}
policy load on all {
  every 1m
  warn when load1 > 4
  depends on reachable
}
"#;
    let mut engine = Engine::new(&plan(source), None).unwrap();
    for minute in 0..3 {
        let t = f64::from(minute) * 60.0;
        engine.ingest(&sample("node_load1", &[("host", "a")], 9.0, t));
        engine.ingest(&sample("up", &[("host", "a")], if minute == 0 { 1.0 } else { 0.0 }, t));
    }
    engine.finish(120.0);
    let events: Vec<Event> = engine.drain_events().collect();
    let seen: Vec<(f64, EventKind, &str)> =
        events.iter().map(|e| (e.ts, e.kind, e.policy.as_str())).collect();
    assert_eq!(
        seen,
        [
            (0.0, EventKind::Firing, "load"),
            (60.0, EventKind::Firing, "reachable"),
            (60.0, EventKind::Suppressed, "load"),
        ]
    );
}

#[test]
fn paused_policies_are_not_evaluated_inside_their_calendar() {
    let source = format!(
        "{}\n  pause during nights\n}}\ncalendar nights = daily 00:00..00:02 in \"UTC\"\n",
        LOAD.trim_end().trim_end_matches('}')
    );
    let mut engine = Engine::new(&plan(&source), None).unwrap();
    feed(&mut engine, "a", &[1.0, 1.0, 1.0, 1.0]);
    engine.finish(180.0);
    // 0m and 1m fall in the pause; 2m and 3m are evaluated.
    assert_eq!(engine.stats.evaluations, 2);
}

#[test]
fn jitter_spreads_instances_deterministically_inside_the_interval() {
    let source = LOAD.replace("every 1m", "every 1m jitter 30s");
    let offsets = |engine: &Engine| -> Vec<u32> {
        engine.policies[0].rows.iter().map(|r| r.offset).collect()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let mut engine = Engine::new(&plan(&source), None).unwrap();
        for h in 0..40 {
            engine.ingest(&sample(
                "node_load1",
                &[("host", &*format!("h{h}")), ("os", "linux")],
                1.0,
                0.0,
            ));
        }
        runs.push(offsets(&engine));
    }
    assert_eq!(runs[0], runs[1], "the same offsets in every run");
    assert!(runs[0].iter().all(|o| *o < 30));
    let distinct: std::collections::HashSet<_> = runs[0].iter().collect();
    assert!(distinct.len() > 10, "spread over the interval: {:?}", runs[0]);
}

#[test]
fn events_carry_values_messages_and_instance_labels() {
    let source = r#"use std.metrics.node
fleet linux = hosts where os == "linux"
policy disk on linux {
  every 1m
  let used = 1 - disk.free{mount="/"} / disk.size{mount="/"}
  warn when used > 80%
  message "{mount} on {host} is {used} full"
  labels { team: "ops" }
}
"#;
    let mut engine = Engine::new(&plan(source), None).unwrap();
    let labels = [
        ("host", "db1"),
        ("os", "linux"),
        ("mountpoint", "/"),
        ("device", "sda1"),
        ("fstype", "ext4"),
    ];
    engine.ingest(&sample("node_filesystem_size_bytes", &labels, 100e9, 0.0));
    engine.ingest(&sample("node_filesystem_avail_bytes", &labels, 10e9, 0.0));
    engine.finish(0.0);
    let events: Vec<Event> = engine.drain_events().collect();
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(e.instance.get("mount").map(String::as_str), Some("/"));
    assert_eq!(e.instance.get("device").map(String::as_str), Some("sda1"));
    assert!(e.message.as_deref().is_some_and(|m| m.starts_with("/ on db1 is 0.9")), "{e:?}");
    assert_eq!(e.labels.get("team").map(String::as_str), Some("ops"));
    assert!(
        e.to_json().starts_with(r#"{"v":1,"time":"1970-01-01T00:00:00Z","ts":0.0,"kind":"firing""#)
    );
}

#[test]
fn dependencies_never_cross_tenants_even_between_hosts_of_one_name() {
    let source = r#"use std.metrics.node
use std.metrics.prometheus
fleet all = hosts
policy reachable on all {
  every 1m
  crit when up == 0
}
policy load on all {
  every 1m
  warn when load1 > 4
  depends on reachable
}
"#;
    let mut engine = Engine::new(&plan(source), None).unwrap();
    for minute in 0..2 {
        let t = f64::from(minute) * 60.0;
        for client in ["acme", "globex"] {
            let labels = [("host", "srv1"), ("client", client)];
            engine.ingest(&sample("node_load1", &labels, 9.0, t));
            let up = if client == "acme" && minute == 1 { 0.0 } else { 1.0 };
            engine.ingest(&sample("up", &labels, up, t));
        }
    }
    engine.finish(60.0);
    let suppressed: Vec<Option<String>> = engine
        .drain_events()
        .filter(|e| e.kind == EventKind::Suppressed)
        .map(|e| e.tenant)
        .collect();
    assert_eq!(suppressed, [Some("acme".to_string())]);
}

#[test]
fn a_gap_of_days_in_the_input_is_crossed_without_evaluating_every_minute() {
    let mut engine = Engine::new(&plan(LOAD), None).unwrap();
    feed(&mut engine, "a", &[5.0, 5.0, 5.0]);
    // Thirty days later the host reports again.
    let labels = [("host", "a"), ("os", "linux")];
    engine.ingest(&sample("node_load1", &labels, 1.0, 30.0 * 86_400.0));
    engine.finish(30.0 * 86_400.0);
    let events: Vec<Event> = engine.drain_events().collect();
    // Firing at 2m, unknown from 7m on (stale), resolved when the host is back.
    assert_eq!(kinds(&events), ["0 pending warn a", "2 firing warn a", "43200 resolved warn a"]);
    // Up to three horizons (lookback 5m + for 2m + 1m) each minute, then
    // one evaluation before the new sample and one at it: not 43,200.
    assert!(engine.stats.evaluations < 40, "{}", engine.stats.evaluations);
}

#[test]
fn samples_from_before_1970_or_after_the_limit_are_dropped_and_counted() {
    let mut engine = Engine::new(&plan(LOAD), None).unwrap();
    engine.set_time_limit(1_000.0);
    let labels = [("host", "a"), ("os", "linux")];
    engine.ingest(&sample("node_load1", &labels, 5.0, -60.0));
    engine.ingest(&sample("node_load1", &labels, 5.0, 60.0));
    engine.ingest(&sample("node_load1", &labels, 5.0, 1e9));
    assert_eq!(engine.stats.out_of_range, 2);
    assert_eq!(engine.stats.samples, 1);
    assert_eq!(engine.now(), 60.0);
}

#[test]
fn messages_name_template_arguments_and_the_state_of_state_metrics() {
    let source = r#"use std.metrics.node
fleet all = hosts
policy unit_down(service: text) on all {
  every 1m
  let state = systemd.unit{unit=service}
  crit when state == "failed"
  message "{service} on {host} is {state}"
}
apply unit_down(service: "nginx.service") on all
"#;
    let mut engine = Engine::new(&plan(source), None).unwrap();
    let labels =
        [("host", "web1"), ("name", "nginx.service"), ("type", "service"), ("state", "failed")];
    engine.ingest(&sample("node_systemd_unit_state", &labels, 1.0, 0.0));
    engine.finish(0.0);
    let events: Vec<Event> = engine.drain_events().collect();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].message.as_deref(), Some("nginx.service on web1 is failed"));
}
