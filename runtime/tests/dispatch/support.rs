//! The dispatcher's test bench: a package compiled from source, an engine
//! acting through a dispatcher over a state store, one metric fed a
//! minute at a time, and programs written into a temporary folder.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use upkeep_compiler::package::Loader;
use upkeep_compiler::plan::Plan;
use upkeep_runtime::decode::{Label, Sample};
use upkeep_runtime::engine::Engine;
use upkeep_runtime::events::Event;
use upkeep_runtime::remediate::Dispatcher;
use upkeep_runtime::remediate::config::RuntimeConfig;
use upkeep_runtime::store::Store;

pub fn plan(source: &str) -> Plan {
    let loader = Loader::load_sources(&[("main", source)]);
    let (diagnostics, plan) = upkeep_compiler::sema::compile(&loader.packages[0]);
    let errors: Vec<_> = diagnostics.iter().map(|d| d.message.clone()).collect();
    plan.unwrap_or_else(|| panic!("does not compile: {errors:?}"))
}

/// An executable shell script `name` in `dir`.
pub fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

pub fn config(text: &str) -> RuntimeConfig {
    RuntimeConfig::parse(text, Path::new("test.toml")).unwrap()
}

/// An engine running `plan`'s actions through a dispatcher over `store`.
pub fn engine(plan: &Plan, config: RuntimeConfig, store: Store, dry_run: bool) -> Engine {
    let env = |_: &str| None;
    let dispatcher = Dispatcher::new(plan, config, &env, store, dry_run).unwrap();
    let mut engine = Engine::new(plan, None).unwrap();
    engine.set_actuator(Box::new(dispatcher));
    engine
}

pub fn sample(name: &str, host: &str, value: f64, minute: u64) -> Sample {
    let labels: Arc<[Label]> = vec![Label { name: "host".into(), value: host.into() }].into();
    Sample { name: name.into(), labels, value, timestamp_ms: Some((minute * 60_000) as i64) }
}

/// Feeds `metric` of each host a minute at a time, `value(host, minute)`,
/// then evaluates up to the last minute; returns the events.
pub fn replay(
    engine: &mut Engine,
    metric: &str,
    hosts: &[&str],
    minutes: u64,
    value: impl Fn(&str, u64) -> f64,
) -> Vec<Event> {
    for m in 0..minutes {
        for h in hosts {
            engine.ingest(&sample(metric, h, value(h, m), m));
        }
    }
    engine.finish(((minutes - 1) * 60) as f64);
    engine.drain_events().collect()
}

/// `minute kind host action` per event, for assertions that read like the story.
pub fn story(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            let host = e.instance.get("host").map_or("-", String::as_str);
            let action = e.action.as_ref().map_or("", |a| a.name.as_str());
            format!("{} {} {host} {action}", e.ts / 60.0, e.kind).trim_end().to_string()
        })
        .collect()
}
