//! The cranelift JIT for the evaluator IR: each [`Graph`] becomes one
//! native function that evaluates a whole batch of instances.
//!
//! Every evaluator has the same `extern "C"` entry point — input column
//! pointers, output column pointers, instance count — with the loop over
//! instances inside the compiled code (see [`lower`] for its shape). The
//! generated code computes exactly what the reference interpreter
//! ([`crate::ir::interp`]) computes: bit for bit for every non-NaN value,
//! and NaN (unknown) exactly where the interpreter has NaN; NaN payloads
//! and signs may differ.
//!
//! - [`CompiledEvaluator`] owns the compiled code, frees it on drop, and
//!   checks shapes before every call: there is no way to cause undefined
//!   behaviour from safe code.
//! - [`Evaluator`] is what the runtime holds: the JIT, or the interpreter
//!   when the JIT cannot lower a graph (the reason is kept for
//!   `upkeep compile --emit plan`).
//! - [`clif_text`] is the CLIF the JIT generates, for `--emit clif`.

mod compiled;
mod evaluator;
mod host;
mod lanes;
pub mod latency;
mod lower;
pub mod samples;

pub use compiled::CompiledEvaluator;
pub use evaluator::Evaluator;
pub use host::OptLevel;

use cranelift_codegen::ir::{Function, UserFuncName};
use cranelift_frontend::FunctionBuilderContext;

use crate::ir::{Graph, InvalidGraph};

/// Why a graph could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum JitError {
    #[error(transparent)]
    Invalid(#[from] InvalidGraph),
    /// The host CPU or the cranelift settings are not usable.
    #[error("{0}")]
    Host(String),
    /// Cranelift refused the function or could not map its code.
    #[error("cranelift: {0}")]
    Module(#[source] Box<cranelift_module::ModuleError>),
}

impl From<cranelift_module::ModuleError> for JitError {
    fn from(e: cranelift_module::ModuleError) -> Self {
        JitError::Module(Box::new(e))
    }
}

/// The CLIF function the JIT compiles for `graph`, as cranelift prints it
/// (before cranelift's own optimisations), for `upkeep compile --emit clif`.
pub fn clif_text(graph: &Graph) -> Result<String, JitError> {
    graph.validate()?;
    let isa = host::host_isa(OptLevel::Speed)?;
    let signature = lower::entry_signature(isa.default_call_conv(), isa.pointer_type());
    let mut func = Function::with_name_signature(UserFuncName::testcase("evaluate"), signature);
    lower::build_function(
        graph,
        &mut func,
        &mut FunctionBuilderContext::new(),
        isa.frontend_config(),
    );
    Ok(func.display().to_string())
}
