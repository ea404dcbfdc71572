//! Remediation and state benchmarks (a `harness = false` bench: it prints a
//! table). Everything is measured against a baseline taken in the same run,
//! since these machines are noisy:
//!
//! - **actions/s with guards**: 400 instances fire in one evaluation, each
//!   runs `/bin/true` through the dispatcher — ledger on disk
//!   (`synchronous=FULL`), `cooldown`, `at most`, `verify`, `concurrency 8`
//!   — against the executor alone running the same 400 programs, 8 at once;
//!   and the same evaluation under `--dry-run` (the guards and the ledger
//!   without processes);
//! - **checkpoints**: the snapshot of an engine with 2,000 series whose
//!   windows hold an hour of samples, its size, and the time to save it
//!   with the input position, against serialising it alone.
//!
//! `cargo bench -p upkeep-runtime --bench remediation`

// A benchmark's output is its table on standard output.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};
use upkeep_compiler::package::Loader;
use upkeep_compiler::plan::Plan;
use upkeep_runtime::decode::{Label, Sample};
use upkeep_runtime::engine::{Engine, fingerprint};
use upkeep_runtime::exec::{ActionKind, ActionRequest, Executor, Mode};
use upkeep_runtime::remediate::Dispatcher;
use upkeep_runtime::remediate::config::RuntimeConfig;
use upkeep_runtime::store::{Checkpoint, EngineSnapshot, InputPosition, Store};

const HOSTS: usize = 400;

fn plan(source: &str) -> Plan {
    let loader = Loader::load_sources(&[("main", source)]);
    let (diagnostics, plan) = upkeep_compiler::sema::compile(&loader.packages[0]);
    let errors: Vec<_> = diagnostics.iter().map(|d| d.message.clone()).collect();
    plan.unwrap_or_else(|| panic!("does not compile: {errors:?}"))
}

fn sample(host: &str, value: f64, seconds: i64) -> Sample {
    let labels: Arc<[Label]> = vec![Label { name: "host".into(), value: host.into() }].into();
    Sample { name: "node_load1".into(), labels, value, timestamp_ms: Some(seconds * 1000) }
}

const GUARDED: &str = r#"use std.metrics.node
fleet all = hosts
action fix(host: host) = exec ["/bin/true", host]
policy load on all {
  every 1m
  crit when load1 > 4
  on crit {
    fix(host) timeout 30s
    verify load1 < 4 within 5m
    cooldown 1h
    at most 3 per 1d then escalate
    concurrency 8
  }
}
"#;

/// Seconds for one evaluation in which every host fires and remediates.
fn dispatch(plan: &Plan, dir: &std::path::Path, dry_run: bool) -> (f64, u64) {
    let config =
        RuntimeConfig::parse("[exec]\nvia = []\nparallel = 8", "bench.toml".as_ref()).unwrap();
    let store = Store::open(dir.join(format!("ledger-{dry_run}.db"))).unwrap();
    let dispatcher = Dispatcher::new(plan, config, &|_| None, store, dry_run).unwrap();
    let mut engine = Engine::new(plan, None).unwrap();
    engine.set_actuator(Box::new(dispatcher));
    for h in 0..HOSTS {
        engine.ingest(&sample(&format!("h{h}"), 9.0, 0));
    }
    let started = Instant::now();
    engine.finish(0.0);
    let seconds = started.elapsed().as_secs_f64();
    let actions = engine.drain_events().filter(|e| e.action.is_some()).count() as u64;
    (seconds, actions)
}

/// Seconds for the executor alone to run `/bin/true` once per host, 8 at once.
fn executor_alone() -> f64 {
    let executor = Executor::new(Mode::Live);
    let request = |h: usize| ActionRequest {
        key: format!("k{h}"),
        kind: ActionKind::Exec {
            argv: vec!["/bin/true".into(), format!("h{h}")],
            cwd: "/".into(),
            env: upkeep_runtime::exec::default_env(),
        },
        timeout: Duration::from_secs(30),
        retry: None,
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                loop {
                    let h = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if h >= HOSTS {
                        break;
                    }
                    let outcome = executor.run(&request(h));
                    assert_eq!(outcome.status, upkeep_runtime::exec::Status::Succeeded);
                }
            });
        }
    });
    started.elapsed().as_secs_f64()
}

fn checkpoints(dir: &std::path::Path) {
    let plan = plan(
        "use std.metrics.node\nfleet all = hosts\npolicy load on all {\n  every 1m\n  let avg = avg(load1 over 1h)\n  warn when avg > 4\n}\n",
    );
    let mut engine = Engine::new(&plan, None).unwrap();
    let hosts = 2000;
    for minute in 0..60 {
        for h in 0..hosts {
            engine.ingest(&sample(&format!("h{h}"), (h % 7) as f64, minute * 60));
        }
    }
    let rounds = 20;
    let started = Instant::now();
    let mut bytes = 0;
    for _ in 0..rounds {
        bytes = engine.snapshot().len();
    }
    let encode = started.elapsed().as_secs_f64() / f64::from(rounds);
    let mut store = Store::open(dir.join("checkpoints.db")).unwrap();
    let fp = fingerprint(&plan);
    let started = Instant::now();
    for round in 0..rounds {
        let position = InputPosition { position: "{}".into(), watermark: Some(f64::from(round)) };
        let mut cp = Checkpoint::new(position, 0);
        cp.snapshot =
            Some(EngineSnapshot { plan: fp.clone(), data: engine.snapshot(), plan_json: None });
        store.save_instances(&cp).unwrap();
    }
    let save = started.elapsed().as_secs_f64() / f64::from(rounds);
    println!(
        "checkpoint, {hosts} series × 60 samples in windows: {bytes} bytes ({:.0} B/series); \
         snapshot {:.2} ms, snapshot + save {:.2} ms ({:.2}× the snapshot alone)",
        bytes as f64 / f64::from(hosts),
        encode * 1e3,
        save * 1e3,
        save / encode
    );
}

fn main() {
    // `cargo test --benches` runs benches once in test mode: keep it quick.
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let plan = plan(GUARDED);
    let alone = executor_alone();
    let (live, performed) = dispatch(&plan, dir.path(), false);
    let (dry, recorded) = dispatch(&plan, dir.path(), true);
    assert_eq!((performed, recorded), (2 * HOSTS as u64, HOSTS as u64));
    println!("actions (/bin/true), {HOSTS} hosts firing in one evaluation, 8 at once:");
    println!("  executor alone (baseline)       {:>8.0} actions/s", HOSTS as f64 / alone);
    println!(
        "  dispatcher, guards + ledger     {:>8.0} actions/s ({:.2}× the baseline)",
        HOSTS as f64 / live,
        alone / live
    );
    println!(
        "  dispatcher, --dry-run           {:>8.0} actions/s (guards + ledger, no process)",
        HOSTS as f64 / dry
    );
    println!(
        "  ledger cost per action          {:>8.3} ms (dry run: the records of one evaluation, one commit)",
        dry * 1e3 / HOSTS as f64
    );
    checkpoints(dir.path());
}
