//! [`Evaluator`]: the JIT when it can lower a graph, the reference
//! interpreter otherwise. Both compute the same values (the differential
//! test holds them to it), so the fallback changes speed, never results.
//! The interpreter runs in cache-sized chunks of the batch.

use super::CompiledEvaluator;
use crate::ir::Graph;
use crate::ir::interp::{self, ShapeError};

/// How a policy's graph is evaluated.
#[derive(Debug)]
pub enum Evaluator {
    Jit(CompiledEvaluator),
    /// The graph could not be compiled; `reason` says why.
    Interpreted {
        graph: Graph,
        reason: String,
    },
}

impl Evaluator {
    /// Compiles `graph`, falling back to the interpreter if the JIT fails.
    pub fn new(graph: Graph) -> Evaluator {
        match CompiledEvaluator::compile(&graph) {
            Ok(compiled) => Evaluator::Jit(compiled),
            Err(e) => Evaluator::Interpreted { graph, reason: e.to_string() },
        }
    }

    /// The interpreter, without trying the JIT.
    pub fn interpreted(graph: Graph) -> Evaluator {
        Evaluator::Interpreted { graph, reason: "the interpreter was requested".to_owned() }
    }

    /// `"jit"` or `"interpreter"`, as `upkeep compile --emit plan` shows it.
    pub fn kind(&self) -> &'static str {
        match self {
            Evaluator::Jit(_) => "jit",
            Evaluator::Interpreted { .. } => "interpreter",
        }
    }

    /// Why the JIT was not used, if it was not.
    pub fn fallback_reason(&self) -> Option<&str> {
        match self {
            Evaluator::Jit(_) => None,
            Evaluator::Interpreted { reason, .. } => Some(reason),
        }
    }

    pub fn graph(&self) -> &Graph {
        match self {
            Evaluator::Jit(compiled) => compiled.graph(),
            Evaluator::Interpreted { graph, .. } => graph,
        }
    }

    /// Evaluates `n` instances: `inputs[k][i]` is input `k` of instance
    /// `i`, output `j` of instance `i` goes to `outputs[j][i]`.
    pub fn eval(
        &self,
        inputs: &[&[f64]],
        outputs: &mut [&mut [f64]],
        n: usize,
    ) -> Result<(), ShapeError> {
        match self {
            Evaluator::Jit(compiled) => compiled.eval(inputs, outputs, n),
            Evaluator::Interpreted { graph, .. } => eval_in_chunks(graph, inputs, outputs, n),
        }
    }
}

/// Rows the interpreter evaluates at a time. It materialises one column
/// per node; in chunks of this size those stay in the cache (4096 rows
/// are 32 KiB a column) instead of streaming megabytes through memory per
/// node on large batches: 3 to 6 times faster at 1,000,000 instances
/// (BENCHMARKS.md).
const INTERPRETER_CHUNK: usize = 4096;

fn eval_in_chunks(
    graph: &Graph,
    inputs: &[&[f64]],
    outputs: &mut [&mut [f64]],
    n: usize,
) -> Result<(), ShapeError> {
    interp::check_shapes(graph, inputs, outputs, n)?;
    let mut start = 0;
    while start < n {
        let end = (start + INTERPRETER_CHUNK).min(n);
        let chunk_inputs: Vec<&[f64]> = inputs.iter().map(|c| &c[start..end]).collect();
        let mut chunk_outputs: Vec<&mut [f64]> =
            outputs.iter_mut().map(|c| &mut c[start..end]).collect();
        interp::eval(graph, &chunk_inputs, &mut chunk_outputs, end - start)?;
        start = end;
    }
    Ok(())
}
