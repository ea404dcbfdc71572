//! End to end: checking and compiling a package of 1,000 policies through
//! the real front end — parsing, names, types and units, lowering to the
//! evaluator IR and JIT-compiling every policy's graph
//! (`sema::compile`, which builds each policy's `jit::Evaluator`).
//! The policies are generated: E2- and E3-like conditions over the
//! standard node metrics, each with its own thresholds so that no two
//! graphs are the same.

use upkeep_compiler::package::Loader;
use upkeep_compiler::{Severity, sema};

/// A package of `policies` policies, as one module.
pub fn package_source(policies: usize) -> String {
    let mut src = String::from("use std.metrics.node\n\nfleet all = hosts\n\n");
    for i in 0..policies {
        let (a, b, c) = (80 + i % 15, 1 + i % 7, 2 + i % 5);
        src.push_str(&format!(
            "policy p{i} on all {{\n  every 1m\n  \
             warn when (load1 > {c} and mem.available < {b}GiB) or load5 / load15 > {c} for 5m\n  \
             crit when (max(load1, load5) > {a} and abs(load1 - load15) > 0.5) \
             or (min(mem.available / mem.total, swap.free / swap.total) < 0.{b} \
             and (load15 > {a} or abs(load5 - 60) * 2 > max(load1, {c}))) for 5m\n}}\n\n"
        ));
    }
    src
}

/// Checks and compiles `src`; returns how many policies got the JIT.
/// Panics on any error diagnostic: the generated source must be valid.
pub fn check_and_compile(src: &str) -> usize {
    let loader = Loader::load_sources(&[("main", src)]);
    assert!(
        loader.diagnostics.iter().all(|d| d.severity != Severity::Error),
        "{:?}",
        loader.diagnostics.first()
    );
    let mut jitted = 0;
    for package in &loader.packages {
        let (diagnostics, plan) = sema::compile(package);
        let errors: Vec<_> = diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
        assert!(errors.is_empty(), "the generated package has errors: {:#?}", errors.first());
        let plan = plan.expect("a package without errors has a plan");
        jitted += plan.policies.iter().filter(|p| p.evaluator == "jit").count();
    }
    jitted
}
