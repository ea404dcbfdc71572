//! No metric stream makes the engine panic: arbitrary samples (any metric
//! the example package reads, any labels, NaN and infinite values, times
//! out of order, far in the past or future, missing) go through the whole
//! example package, its actions through the dispatcher (a dry run, with a
//! ledger), and the counters stay consistent.

use proptest::prelude::*;
use std::sync::Arc;
use upkeep_compiler::package::Loader;
use upkeep_compiler::plan::Plan;
use upkeep_runtime::decode::{Label, Sample};
use upkeep_runtime::engine::Engine;
use upkeep_runtime::remediate::Dispatcher;
use upkeep_runtime::remediate::config::RuntimeConfig;
use upkeep_runtime::store::Store;

fn example_plan() -> &'static Plan {
    static PLAN: std::sync::OnceLock<Plan> = std::sync::OnceLock::new();
    PLAN.get_or_init(compile_example)
}

fn compile_example() -> Plan {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/msp");
    let files = upkeep_grammar::files::upk_files(&root);
    let loader = Loader::load(&files);
    let (_, plan) = upkeep_compiler::sema::compile(&loader.packages[0]);
    plan.expect("the example package compiles")
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -1e12..1e12f64,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(0.0),
        1 => Just(1.0),
    ]
}

fn time() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        6 => (0i64..7_200).prop_map(|s| Some(1_764_288_000_000 + s * 1000)),
        1 => Just(None),
        1 => any::<i64>().prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_streams_never_panic(
        samples in proptest::collection::vec(
            (0usize..1000, 0usize..6, 0usize..4, value(), time(), "[a-z/ ]{0,6}"),
            0..400,
        )
    ) {
        let plan = example_plan();
        let names: Vec<&str> = plan.metrics.iter().map(|m| m.source.as_str()).collect();
        let mut engine = Engine::new(plan, None).unwrap();
        // Every action through the dispatcher, recorded (a dry run) in a
        // ledger in memory: the guards and the ledger see the same streams.
        let config = RuntimeConfig::parse("", std::path::Path::new("none.toml")).unwrap();
        let store = Store::in_memory().unwrap();
        let dispatcher = Dispatcher::new(plan, config, &|_| None, store, true).unwrap();
        engine.set_actuator(Box::new(dispatcher));
        // As `upkeep run` does: nothing after (about) now is accepted.
        engine.set_time_limit(1_800_000_000.0);
        let hosts = ["acme-db1", "gx-web1", "", "x"];
        let clients = ["acme", "globex", "", "other", "acme", "globex"];
        let mut fed = 0u64;
        for (name, client, host, v, ts, extra) in &samples {
            let mut labels = vec![
                Label { name: "client".into(), value: clients[*client].into() },
                Label { name: "host".into(), value: hosts[*host].into() },
                Label { name: "mountpoint".into(), value: extra.as_str().into() },
                Label { name: "state".into(), value: extra.as_str().into() },
                Label { name: "os".into(), value: "linux".into() },
            ];
            labels.sort();
            let sample = Sample {
                name: names[name % names.len()].into(),
                labels: Arc::from(labels),
                value: *v,
                timestamp_ms: *ts,
            };
            engine.ingest(&sample);
            fed += 1;
        }
        engine.finish(engine.now().clamp(0.0, 1e12));
        let events: Vec<_> = engine.drain_events().collect();
        let s = &engine.stats;
        prop_assert!(s.samples + s.unused + s.out_of_order + s.untimed + s.out_of_range <= fed * 2);
        for e in &events {
            let json = e.to_json();
            prop_assert!(json.starts_with(r#"{"v":1,"#), "{}", json);
        }
    }
}
