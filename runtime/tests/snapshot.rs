//! Engine snapshots: a replay cut anywhere, saved, restored into a fresh
//! engine and continued gives exactly the events of the replay without the
//! cut — windows, `for` timers, episodes and the schedule all come back.
//! A snapshot of other policies, or bytes that are not a snapshot, are
//! refused with an error and leave the engine untouched.

use proptest::prelude::*;
use upkeep_compiler::package::Loader;
use upkeep_compiler::plan::Plan;
use upkeep_runtime::decode::{Decoder, Format, Sample};
use upkeep_runtime::engine::{Engine, SnapshotError};

fn example_plan() -> Plan {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/msp");
    let files = upkeep_grammar::files::upk_files(&root);
    let loader = Loader::load(&files);
    let (_, plan) = upkeep_compiler::sema::compile(&loader.packages[0]);
    plan.expect("the example package compiles")
}

fn night() -> Vec<Sample> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/msp/streams/night.prom");
    let file = std::fs::File::open(path).expect("the example stream exists");
    Decoder::new(std::io::BufReader::new(file), Format::Prometheus).flatten().collect()
}

fn events_of(engine: &mut Engine) -> Vec<String> {
    engine.drain_events().map(|e| e.to_json()).collect()
}

/// Replays `samples` with a snapshot and restore into a new engine after
/// `cut` of them.
fn replay_with_cut(plan: &Plan, samples: &[Sample], cut: usize) -> Vec<String> {
    let mut first = Engine::new(plan, None).unwrap();
    for s in &samples[..cut] {
        first.ingest(s);
    }
    let mut events = events_of(&mut first);
    let bytes = first.snapshot();
    drop(first);
    let mut second = Engine::new(plan, None).unwrap();
    second.restore(&bytes).expect("a snapshot of the same plan restores");
    for s in &samples[cut..] {
        second.ingest(s);
    }
    second.finish(second.now());
    events.extend(events_of(&mut second));
    events
}

#[test]
fn a_replay_cut_and_restored_anywhere_gives_the_same_events() {
    let plan = example_plan();
    let samples = night();
    assert!(samples.len() > 10_000, "the example stream is the whole night");
    let mut whole = Engine::new(&plan, None).unwrap();
    for s in &samples {
        whole.ingest(s);
    }
    whole.finish(whole.now());
    let expected = events_of(&mut whole);
    assert!(expected.len() > 20, "the night has a story to tell");
    for cut in [1, samples.len() / 7, samples.len() / 3, samples.len() / 2, samples.len() - 1] {
        let got = replay_with_cut(&plan, &samples, cut);
        assert_eq!(got.len(), expected.len(), "cut after {cut} samples");
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(g, e, "cut after {cut} samples");
        }
    }
}

#[test]
fn a_snapshot_of_other_policies_is_refused_and_changes_nothing() {
    let plan = example_plan();
    let samples = night();
    let mut engine = Engine::new(&plan, None).unwrap();
    for s in &samples[..2000] {
        engine.ingest(s);
    }
    let bytes = engine.snapshot();
    let mut fewer = plan.clone();
    fewer.policies.pop();
    let mut other = Engine::new(&fewer, None).unwrap();
    let err = other.restore(&bytes).unwrap_err();
    assert!(matches!(err, SnapshotError::Mismatch(_)), "{err}");
    assert!(other.now().is_infinite(), "the refused engine still starts from nothing");
}

#[test]
fn the_fingerprint_names_the_plan() {
    let plan = example_plan();
    let mut changed = plan.clone();
    changed.policies[0].every += 1.0;
    let a = upkeep_runtime::engine::fingerprint(&plan);
    assert_eq!(a, upkeep_runtime::engine::fingerprint(&plan.clone()));
    assert_ne!(a, upkeep_runtime::engine::fingerprint(&changed));
    assert_eq!(a.len(), 64);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Bytes that are not a snapshot — or a real one, damaged — never
    /// panic the restore, and a refused one leaves the engine as it was.
    #[test]
    fn damaged_snapshots_are_refused_without_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(),
    ) {
        static SNAPSHOT: std::sync::OnceLock<(Plan, Vec<u8>)> = std::sync::OnceLock::new();
        let (plan, bytes) = SNAPSHOT.get_or_init(|| {
            let plan = example_plan();
            let mut engine = Engine::new(&plan, None).unwrap();
            for s in night().iter().take(3000) {
                engine.ingest(s);
            }
            let bytes = engine.snapshot();
            (plan, bytes)
        });
        let mut damaged = bytes.clone();
        for (at, value) in &flips {
            let i = at.index(damaged.len());
            damaged[i] = *value;
        }
        damaged.truncate(cut.index(damaged.len() + 1));
        let mut engine = Engine::new(plan, None).unwrap();
        if engine.restore(&damaged).is_ok() {
            // A restore that passes the checks must leave a usable engine.
            engine.finish(engine.now().max(0.0) + 600.0);
        } else {
            prop_assert!(engine.now().is_infinite());
        }
    }
}
