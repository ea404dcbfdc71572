//! Evaluators, issue 4: median time per evaluated instance of three
//! conditions, at 16,384 instances (cache-resident) and 1,000,000
//! (memory-bound), for
//!
//! - the Upkeep JIT (`jit::CompiledEvaluator`, `opt_level = "speed"`),
//! - the Upkeep reference interpreter (`ir::interp`),
//! - hand-written Rust over the same columns with the same tri-state
//!   semantics (`native` below): the practical limit,
//! - fasteval (compiled expression, callback namespace), rhai (compiled
//!   AST, one scope) and cel (`cel` crate, cel-rust; compiled program, one
//!   context with a variable resolver): what a user would embed instead.
//!
//! The conditions are `jit::samples::{e1, e2, e3}`; their graphs are built
//! by hand (see [`graph_of`] for where lowering from source will plug in).
//! Data is random with a fixed seed. Timing uses one NaN-free data set for
//! every engine (fasteval, rhai and cel have no notion of unknown).
//! Before timing, every engine's result is checked against hand-written
//! Rust on every instance of that data; the JIT and the interpreter are
//! also checked on a second data set with 2 % missing (NaN) values.
//!
//! Also measured: JIT compile latency per condition at `opt_level`
//! `speed` and `none`, and `check + compile` of a generated package of
//! 1,000 policies (front end, lowering and JIT; `end_to_end.rs`). At the end a Markdown table of medians and ratios
//! (from this run) is printed to stderr and written to
//! `target/evaluators-summary.md`.
//!
//! Run: `cargo bench -p upkeep-compiler --bench evaluators`

// In a folder of their own, so cargo does not take them for benchmarks.
#[path = "evaluators/end_to_end.rs"]
mod end_to_end;
#[path = "evaluators/engines.rs"]
mod engines;
#[path = "evaluators/native.rs"]
mod native;
#[path = "evaluators/record.rs"]
mod record;

use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput};
use upkeep_compiler::ir::Graph;
use upkeep_compiler::jit::samples::{self, Sample};
use upkeep_compiler::jit::{CompiledEvaluator, OptLevel};

use engines::Engine;
use record::Recorder;

const SIZES: [usize; 2] = [16_384, 1_000_000];
/// Policies in the end-to-end `check + compile` benchmark.
const POLICIES: usize = 1000;
/// Criterion samples per benchmark (10 at 1,000,000 instances).
const SAMPLES: usize = 20;
const SEED: u64 = 0x00c0_ffee_2024_0004;
/// The fraction of missing values in the NaN data set.
const MISSING: f64 = 0.02;

/// The evaluator graph of a sample. Built by hand for now; once lowering
/// exists this becomes `lower(sample.source)`.
fn graph_of(sample: &Sample) -> Graph {
    sample.graph.clone()
}

/// A condition with its text in each third-party engine's syntax. The
/// texts compute the same as the graph (units already folded: `90%` is
/// `cpu * 0.01 > 0.9`).
struct Condition {
    sample: Sample,
    graph: Graph,
    native: native::BatchFn,
    fasteval: &'static str,
    rhai: &'static str,
    cel: &'static str,
}

fn conditions() -> Vec<Condition> {
    let e3_fasteval = "(max(cpu, iowait) > 80 && abs(load1 - load5) / cores > 0.5) \
        || (min(disk_free / disk_size, 1 - iowait / 100) < 0.1 \
        && (temp > 85 || abs(temp - 60) * 2 > max(load1, 30)))";
    let e3_rhai = "(max(cpu, iowait) > 80.0 && abs(load1 - load5) / cores > 0.5) \
        || (min(disk_free / disk_size, 1.0 - iowait / 100.0) < 0.1 \
        && (temp > 85.0 || abs(temp - 60.0) * 2.0 > max(load1, 30.0)))";
    let e3_cel = "(math.greatest(cpu, iowait) > 80.0 && math.abs(load1 - load5) / cores > 0.5) \
        || (math.least(disk_free / disk_size, 1.0 - iowait / 100.0) < 0.1 \
        && (temp > 85.0 || math.abs(temp - 60.0) * 2.0 > math.greatest(load1, 30.0)))";
    let e2 = "(cpu * 0.01 > 0.9 && mem < 1073741824.0) || load / cores > 2.0";
    let condition = |sample: Sample, native, fasteval, rhai, cel| Condition {
        graph: graph_of(&sample),
        sample,
        native,
        fasteval,
        rhai,
        cel,
    };
    vec![
        condition(samples::e1(), native::e1 as native::BatchFn, "x > 90", "x > 90.0", "x > 90.0"),
        condition(samples::e2(), native::e2, e2, e2, e2),
        condition(samples::e3(), native::e3, e3_fasteval, e3_rhai, e3_cel),
    ]
}

/// splitmix64: small, fast and good enough for benchmark data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }
}

/// One column of plausible values for an input of the samples.
fn column(name: &str, n: usize, rng: &mut Rng, missing: f64) -> Vec<f64> {
    (0..n)
        .map(|_| {
            if rng.uniform(0.0, 1.0) < missing {
                return f64::NAN;
            }
            match name {
                "x" => rng.uniform(0.0, 180.0),
                "cpu" | "iowait" => rng.uniform(0.0, 100.0),
                "mem" => rng.uniform(0.0, 4.0 * 1073741824.0),
                "load" | "load1" | "load5" => rng.uniform(0.0, 64.0),
                // Whole cores, never zero: the engines without unknowns
                // would disagree on a division by zero.
                "cores" => rng.uniform(1.0, 33.0).floor(),
                "disk_size" => rng.uniform(1e10, 1e12),
                // A fraction of disk_size: filled in by `dataset`.
                "disk_free" => rng.uniform(0.0, 1.0),
                "temp" => rng.uniform(20.0, 100.0),
                other => unreachable!("no distribution for input `{other}`"),
            }
        })
        .collect()
}

/// Columns for `sample`, `n` rows.
fn dataset(sample: &Sample, n: usize, seed: u64, missing: f64) -> Vec<Vec<f64>> {
    let mut rng = Rng(seed);
    let mut columns: Vec<Vec<f64>> =
        sample.inputs.iter().map(|name| column(name, n, &mut rng, missing)).collect();
    if let (Some(free), Some(size)) = (
        sample.inputs.iter().position(|i| *i == "disk_free"),
        sample.inputs.iter().position(|i| *i == "disk_size"),
    ) {
        let sizes = columns[size].clone();
        for (f, s) in columns[free].iter_mut().zip(sizes) {
            *f *= s;
        }
    }
    columns
}

fn refs(columns: &[Vec<f64>], n: usize) -> Vec<&[f64]> {
    columns.iter().map(|c| &c[..n]).collect()
}

/// Same value, NaN counting as equal to any NaN.
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Every engine against hand-written Rust, instance by instance.
fn check_agreement(
    condition: &Condition,
    engines: &mut [Box<dyn Engine + '_>],
    clean: &[Vec<f64>],
    missing: &[Vec<f64>],
) {
    let n = clean[0].len();
    let mut expected = vec![0.0; n];
    let mut actual = vec![0.0; n];
    (condition.native)(&refs(clean, n), &mut expected);
    for engine in engines.iter_mut() {
        actual.fill(-1.0);
        engine.eval(&refs(clean, n), &mut actual);
        let bad = expected.iter().zip(&actual).position(|(e, a)| !same(*e, *a));
        assert!(
            bad.is_none(),
            "{} {}: {} disagrees with native at row {bad:?}",
            condition.sample.name,
            n,
            engine.name()
        );
    }
    (condition.native)(&refs(missing, n), &mut expected);
    assert!(expected.iter().any(|e| e.is_nan()), "the NaN data set yields unknowns");
    for engine in engines.iter_mut().filter(|e| e.handles_unknown()) {
        actual.fill(-1.0);
        engine.eval(&refs(missing, n), &mut actual);
        let bad = expected.iter().zip(&actual).position(|(e, a)| !same(*e, *a));
        assert!(
            bad.is_none(),
            "{} {} with NaN: {} disagrees with native at row {bad:?}",
            condition.sample.name,
            n,
            engine.name()
        );
    }
}

fn bench_evaluation(c: &mut Criterion, recorder: &Recorder) {
    for condition in conditions() {
        let largest = SIZES[SIZES.len() - 1];
        let clean = dataset(&condition.sample, largest, SEED, 0.0);
        let missing = dataset(&condition.sample, largest, SEED ^ 1, MISSING);
        let mut engines = engines::all(&condition);
        check_agreement(&condition, &mut engines, &clean, &missing);

        for n in SIZES {
            let inputs = refs(&clean, n);
            let mut out = vec![0.0; n];
            let mut group = c.benchmark_group(format!("{}/{n}", condition.sample.name));
            group.throughput(Throughput::Elements(n as u64));
            let samples = if n >= 1_000_000 { 10 } else { SAMPLES };
            if n >= 1_000_000 {
                // Slow engines take seconds per batch: same iterations per sample.
                group.sampling_mode(SamplingMode::Flat).sample_size(samples);
            }
            for engine in engines.iter_mut() {
                let key = record::Key::eval(condition.sample.name, n, engine.name());
                recorder.expect(&key, samples);
                group.bench_function(engine.name(), |b| {
                    b.iter_custom(|iters| {
                        let start = Instant::now();
                        for _ in 0..iters {
                            engine.eval(
                                std::hint::black_box(&inputs),
                                std::hint::black_box(&mut out),
                            );
                        }
                        let elapsed = start.elapsed();
                        recorder.sample(&key, iters * n as u64, elapsed);
                        elapsed
                    })
                });
            }
            group.finish();
        }
    }
}

fn bench_compile(c: &mut Criterion, recorder: &Recorder) {
    let mut group = c.benchmark_group("compile");
    for condition in conditions() {
        for opt in [OptLevel::Speed, OptLevel::None] {
            let key = record::Key::compile(condition.sample.name, opt);
            recorder.expect(&key, SAMPLES);
            group.bench_function(format!("{}/{opt:?}", condition.sample.name), |b| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let compiled = CompiledEvaluator::compile_with(&condition.graph, opt)
                            .expect("compiles");
                        drop(std::hint::black_box(compiled));
                    }
                    let elapsed = start.elapsed();
                    recorder.sample(&key, iters, elapsed);
                    elapsed
                })
            });
        }
    }
    group.finish();
}

/// `check + compile` of 1,000 policies, JIT included.
fn bench_end_to_end(c: &mut Criterion, recorder: &Recorder) {
    let src = end_to_end::package_source(POLICIES);
    assert_eq!(end_to_end::check_and_compile(&src), POLICIES, "every policy gets the JIT");
    let mut group = c.benchmark_group("end-to-end");
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    let key = record::Key::EndToEnd { policies: POLICIES };
    recorder.expect(&key, 10);
    group.bench_function(format!("check+compile {POLICIES} policies"), |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                std::hint::black_box(end_to_end::check_and_compile(std::hint::black_box(&src)));
            }
            let elapsed = start.elapsed();
            recorder.sample(&key, iters, elapsed);
            elapsed
        })
    });
    group.finish();
}

fn main() {
    let recorder = Recorder::default();
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(SAMPLES)
        .configure_from_args();
    bench_evaluation(&mut criterion, &recorder);
    bench_compile(&mut criterion, &recorder);
    bench_end_to_end(&mut criterion, &recorder);
    criterion.final_summary();
    recorder.report(&SIZES, &["E1", "E2", "E3"]);
}
