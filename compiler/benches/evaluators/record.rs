//! Keeps every timed batch criterion runs, so that the end of the run can
//! print one table of medians and ratios from this very run (criterion
//! reports each benchmark on its own). Criterion calls a routine first
//! for its warm-up, then once per sample; the last `samples` calls of a
//! benchmark are its measurement.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use upkeep_compiler::jit::OptLevel;

/// Which benchmark a batch belongs to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Eval { condition: &'static str, n: usize, engine: &'static str },
    Compile { condition: &'static str, opt: &'static str },
    EndToEnd { policies: usize },
}

impl Key {
    pub fn eval(condition: &'static str, n: usize, engine: &'static str) -> Key {
        Key::Eval { condition, n, engine }
    }

    pub fn compile(condition: &'static str, opt: OptLevel) -> Key {
        Key::Compile { condition, opt: if opt == OptLevel::Speed { "speed" } else { "none" } }
    }
}

/// One benchmark's calls: how many samples criterion will measure, and
/// every call's (units of work, elapsed).
#[derive(Default)]
struct Calls {
    samples: usize,
    timed: Vec<(u64, Duration)>,
}

#[derive(Default)]
pub struct Recorder {
    calls: Mutex<BTreeMap<Key, Calls>>,
}

const ENGINES: [&str; 6] =
    ["upkeep-jit", "upkeep-interpreter", "native-rust", "fasteval", "rhai", "cel"];

impl Recorder {
    /// Announces a benchmark with `samples` measured samples.
    pub fn expect(&self, key: &Key, samples: usize) {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        calls.entry(key.clone()).or_default().samples = samples;
    }

    /// One routine call: `units` instances (or compiles) in `elapsed`.
    pub fn sample(&self, key: &Key, units: u64, elapsed: Duration) {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        calls.entry(key.clone()).or_default().timed.push((units, elapsed));
    }

    /// The median nanoseconds per unit over the measured samples, if the
    /// benchmark ran in full (not filtered out, not `--test`).
    fn median_ns(&self, key: &Key) -> Option<f64> {
        let calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        let Calls { samples, timed: all } = calls.get(key)?;
        if *samples == 0 || all.len() < *samples {
            return None;
        }
        let mut per_unit: Vec<f64> = all[all.len() - samples..]
            .iter()
            .map(|(units, t)| t.as_nanos() as f64 / *units as f64)
            .collect();
        per_unit.sort_by(f64::total_cmp);
        let mid = per_unit.len() / 2;
        Some(if per_unit.len().is_multiple_of(2) {
            (per_unit[mid - 1] + per_unit[mid]) / 2.0
        } else {
            per_unit[mid]
        })
    }

    /// Prints the tables to stderr and writes them to
    /// `target/evaluators-summary.md`.
    pub fn report(&self, sizes: &[usize], conditions: &[&'static str]) {
        let mut md = String::new();
        let row_keys: Vec<(&str, usize)> =
            conditions.iter().flat_map(|c| sizes.iter().map(move |n| (*c, *n))).collect();
        let header = |md: &mut String, title: &str| {
            let _ =
                writeln!(md, "\n{title}\n\n| condition | instances | {} |", ENGINES.join(" | "));
            let _ = writeln!(md, "|---|---:|{}", "---:|".repeat(ENGINES.len()));
        };
        let cell =
            |x: Option<f64>, digits: usize| x.map_or("–".to_owned(), |x| format!("{x:.digits$}"));

        header(&mut md, "Median ns per instance:");
        for &(c, n) in &row_keys {
            let cells: Vec<String> =
                ENGINES.iter().map(|e| cell(self.median_ns(&Key::eval(c, n, e)), 2)).collect();
            let _ = writeln!(md, "| {c} | {n} | {} |", cells.join(" | "));
        }
        header(
            &mut md,
            "Time relative to hand-written Rust (engine ÷ native-rust; lower is better):",
        );
        for &(c, n) in &row_keys {
            let native = self.median_ns(&Key::eval(c, n, "native-rust"));
            let cells: Vec<String> = ENGINES
                .iter()
                .map(|e| {
                    cell(self.median_ns(&Key::eval(c, n, e)).zip(native).map(|(t, r)| t / r), 2)
                })
                .collect();
            let _ = writeln!(md, "| {c} | {n} | {} |", cells.join(" | "));
        }
        header(&mut md, "Speed-up over fasteval (fasteval ÷ engine; higher is better):");
        for &(c, n) in &row_keys {
            let fasteval = self.median_ns(&Key::eval(c, n, "fasteval"));
            let cells: Vec<String> = ENGINES
                .iter()
                .map(|e| {
                    cell(self.median_ns(&Key::eval(c, n, e)).zip(fasteval).map(|(t, f)| f / t), 1)
                })
                .collect();
            let _ = writeln!(md, "| {c} | {n} | {} |", cells.join(" | "));
        }
        let _ = writeln!(md, "\nJIT compile latency, median µs per condition (compile + free):\n");
        let _ = writeln!(md, "| condition | opt_level=speed | opt_level=none |\n|---|---:|---:|");
        for c in conditions {
            let us = |opt| {
                cell(self.median_ns(&Key::Compile { condition: c, opt }).map(|ns| ns / 1000.0), 0)
            };
            let _ = writeln!(md, "| {c} | {} | {} |", us("speed"), us("none"));
        }

        if let Some(ns) = self.median_ns(&Key::EndToEnd { policies: 1000 }) {
            let _ = writeln!(
                md,
                "\n`check + compile` of 1,000 policies (front end, lowering, JIT): median {:.0} ms",
                ns / 1e6
            );
        }

        #[allow(clippy::print_stderr, reason = "the benchmark's report")]
        {
            eprintln!("{md}");
        }
        let dir = std::env::var_os("CARGO_TARGET_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
        let _ = std::fs::write(dir.join("evaluators-summary.md"), md);
    }
}
