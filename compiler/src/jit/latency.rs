//! How long compiling takes: the median over repeated compiles of one
//! graph, each including module creation, code generation, mapping the
//! code executable and freeing it again (the drop), as the runtime pays it
//! per policy. The ISA is built before the first timed compile.

use std::time::{Duration, Instant};

use super::{CompiledEvaluator, JitError, OptLevel};
use crate::ir::Graph;

/// The median time to compile (and drop) `graph` at `opt`, over `runs`
/// compiles (at least one).
pub fn median_compile_time(
    graph: &Graph,
    opt: OptLevel,
    runs: usize,
) -> Result<Duration, JitError> {
    // Warm-up: builds the cached ISA and faults in the allocator.
    drop(CompiledEvaluator::compile_with(graph, opt)?);
    let mut times = Vec::with_capacity(runs.max(1));
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let compiled = CompiledEvaluator::compile_with(graph, opt)?;
        drop(compiled);
        times.push(start.elapsed());
    }
    times.sort_unstable();
    Ok(times[times.len() / 2])
}

/// Median compile time of the E3 benchmark condition
/// ([`super::samples::e3`]) at `opt`, in microseconds.
pub fn e3_compile_micros(opt: OptLevel, runs: usize) -> Result<f64, JitError> {
    let time = median_compile_time(&super::samples::e3().graph, opt, runs)?;
    Ok(time.as_secs_f64() * 1e6)
}
