//! [`CompiledEvaluator`]: one graph's native code and the module that owns
//! it. The only `unsafe` in the compiler lives here: turning the finalized
//! code address into a function pointer, calling it, and freeing the code
//! memory on drop. Each block states why it is sound.

#![allow(unsafe_code)]

use std::cell::RefCell;
use std::sync::Mutex;

use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{Module, default_libcall_names};

use super::host::{OptLevel, host_isa};
use super::{JitError, lower};
use crate::ir::Graph;
use crate::ir::interp::{ShapeError, check_shapes};

/// The one ABI every compiled evaluator has: `inputs[k]` points at column
/// `k` (`n` rows), `outputs[j]` at output column `j` (`n` rows). Rows go in
/// pairs, so `n` must not be 1 (see `lower.rs`).
type BatchFn = unsafe extern "C" fn(inputs: *const *const f64, outputs: *const *mut f64, n: usize);

/// A [`JITModule`] whose code memory is released when it is dropped.
/// `cranelift_jit` leaks code memory by default (so that stray function
/// pointers stay valid); we own every pointer into it, so we can free it.
/// Boxed: a `JITModule` is large, and evaluators are moved around.
struct OwnedModule(Option<Box<JITModule>>);

impl Drop for OwnedModule {
    fn drop(&mut self) {
        if let Some(module) = self.0.take() {
            // SAFETY: the only pointer into this module's memory is the
            // `BatchFn` held next to it (in `CompiledEvaluator`) or none at
            // all (a failed compile). It is never handed out, and dropping
            // needs `&mut`, so no call through it is running or can follow.
            unsafe { (*module).free_memory() }
        }
    }
}

thread_local! {
    /// Cranelift's working memory, kept from one compile to the next on a
    /// thread so that each compile does not allocate it afresh.
    static SCRATCH: RefCell<(Context, FunctionBuilderContext)> =
        RefCell::new((Context::new(), FunctionBuilderContext::new()));
}

/// Runs `f` with a cleared `Context` and `FunctionBuilderContext`.
fn with_scratch<T>(f: impl FnOnce(&mut Context, &mut FunctionBuilderContext) -> T) -> T {
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => {
            let (ctx, fctx) = &mut *scratch;
            ctx.clear();
            f(ctx, fctx)
        }
        // Not reachable (compiling calls nothing that compiles), but a
        // fresh context is always correct.
        Err(_) => f(&mut Context::new(), &mut FunctionBuilderContext::new()),
    })
}

/// A graph compiled to native code.
///
/// `Send` and `Sync`: the code is pure (it reads the input columns and
/// writes the output columns it is given, nothing else), so concurrent
/// calls are fine. The module is behind a [`Mutex`] only because
/// `JITModule` is not `Sync`; it is never locked: nothing touches it after
/// compilation except `Drop`, which has exclusive access.
pub struct CompiledEvaluator {
    entry: BatchFn,
    /// For the shape check before each call.
    graph: Graph,
    /// Owns the code `entry` points into; frees it when dropped.
    _module: Mutex<OwnedModule>,
}

impl std::fmt::Debug for CompiledEvaluator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledEvaluator")
            .field("inputs", &self.graph.inputs)
            .field("outputs", &self.graph.outputs.len())
            .field("nodes", &self.graph.nodes.len())
            .finish_non_exhaustive()
    }
}

impl CompiledEvaluator {
    /// Compiles `graph` with `opt_level = "speed"`.
    pub fn compile(graph: &Graph) -> Result<CompiledEvaluator, JitError> {
        Self::compile_with(graph, OptLevel::Speed)
    }

    /// Compiles `graph` at the given optimisation level.
    pub fn compile_with(graph: &Graph, opt: OptLevel) -> Result<CompiledEvaluator, JitError> {
        graph.validate()?;
        let isa = host_isa(opt)?;
        let mut module = OwnedModule(Some(Box::new(JITModule::new(JITBuilder::with_isa(
            isa,
            default_libcall_names(),
        )))));
        let jit = module.0.as_mut().unwrap_or_else(|| unreachable!("just created"));

        let signature =
            lower::entry_signature(jit.isa().default_call_conv(), jit.isa().pointer_type());
        let id = jit.declare_anonymous_function(&signature)?;
        with_scratch(|ctx, fctx| {
            ctx.func.signature = signature;
            lower::build_function(graph, &mut ctx.func, fctx, jit.isa().frontend_config());
            jit.define_function(id, ctx).map_err(JitError::from)
        })?;
        jit.finalize_definitions()?;
        let code = jit.get_finalized_function(id);

        // SAFETY: `code` is the finalized (executable) address of the
        // function just defined with `entry_signature`, which is exactly
        // `BatchFn` under the host's default calling convention (three
        // pointer-sized integer arguments, no result) — and `extern "C"` is
        // that convention on every host cranelift-native supports.
        let entry = unsafe { std::mem::transmute::<*const u8, BatchFn>(code) };
        Ok(CompiledEvaluator { entry, graph: graph.clone(), _module: Mutex::new(module) })
    }

    /// The graph this evaluator computes.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Evaluates `n` instances, like [`crate::ir::interp::eval`]. The shapes
    /// are checked first, so a mismatch is an error, never an
    /// out-of-bounds access.
    pub fn eval(
        &self,
        inputs: &[&[f64]],
        outputs: &mut [&mut [f64]],
        n: usize,
    ) -> Result<(), ShapeError> {
        check_shapes(&self.graph, inputs, outputs, n)?;
        match n {
            0 => {}
            1 => self.eval_single(inputs, outputs),
            _ => {
                let input_ptrs: Vec<*const f64> = inputs.iter().map(|c| c.as_ptr()).collect();
                let output_ptrs: Vec<*mut f64> =
                    outputs.iter_mut().map(|c| c.as_mut_ptr()).collect();
                // SAFETY: `check_shapes` established one pointer per input and
                // output column, each column `n` rows long; inputs are shared
                // borrows, outputs distinct `&mut` borrows, so no write aliases
                // a read or another write. `n >= 2`.
                unsafe { self.call(&input_ptrs, &output_ptrs, n) };
            }
        }
        Ok(())
    }

    /// One instance: the compiled loop works on pairs of rows, so the row
    /// is evaluated twice in a padded copy.
    fn eval_single(&self, inputs: &[&[f64]], outputs: &mut [&mut [f64]]) {
        let padded: Vec<[f64; 2]> = inputs.iter().map(|c| [c[0], c[0]]).collect();
        let mut results = vec![[0.0; 2]; outputs.len()];
        let input_ptrs: Vec<*const f64> = padded.iter().map(|c| c.as_ptr()).collect();
        let output_ptrs: Vec<*mut f64> = results.iter_mut().map(|c| c.as_mut_ptr()).collect();
        // SAFETY: one pointer per input and output column of the graph
        // (`check_shapes` counted the columns these copies come from), each
        // to two `f64`s owned here, the outputs distinct from each other and
        // from the inputs.
        unsafe { self.call(&input_ptrs, &output_ptrs, 2) };
        for (out, result) in outputs.iter_mut().zip(&results) {
            out[0] = result[0];
        }
    }

    /// Runs the compiled loop.
    ///
    /// # Safety
    ///
    /// `inputs` has one pointer per input column of the graph and `outputs`
    /// one per output, each valid for `n` consecutive `f64` reads (inputs)
    /// or writes (outputs); no output range overlaps another output or an
    /// input; `n != 1`.
    unsafe fn call(&self, inputs: &[*const f64], outputs: &[*mut f64], n: usize) {
        debug_assert!(
            inputs.len() == self.graph.inputs as usize && outputs.len() == self.graph.outputs.len()
        );
        debug_assert!(n != 1);
        // SAFETY: the caller's guarantees are what the code needs: it reads
        // rows `0..n` of the columns the graph uses and writes rows `0..n`
        // of every output, nothing else (lower.rs). The pointer arrays live
        // until the call returns; the code lives as long as `self`.
        unsafe { (self.entry)(inputs.as_ptr(), outputs.as_ptr(), n) }
    }
}
