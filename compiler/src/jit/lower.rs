//! Lowering an evaluator [`Graph`] to one CLIF function with the batch entry
//! point every evaluator shares:
//!
//! ```text
//! fn(inputs: *const *const f64, outputs: *const *mut f64, n: usize)
//! ```
//!
//! The loop over instances is inside the function:
//!
//! ```text
//! entry:           load the column pointers (once)
//!                  if n >= 2 goto pair_loop(0) else exit
//! pair_loop(off):  rows off/8 and off/8 + 1 in f64x2 lanes (lanes.rs)
//!                  if off + 16 < pairs_end goto pair_loop(off + 16)
//!                  else goto tail_check(off)
//! tail_check(off): if n is odd and off != last_pair goto pair_loop(last_pair)
//!                  else exit
//! ```
//!
//! The body is branch-free (see [`super::lanes`]) and emitted once: an odd
//! last row is handled by one more trip over the last two rows, so there
//! is no separate scalar tail to compile (or to get wrong). The function
//! needs `n != 1`: [`super::CompiledEvaluator`] pads a single instance to
//! two.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    AbiParam, BlockArg, Function, InstBuilder, MemFlagsData, Signature, Type, Value,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

use super::lanes::{LANES, Lanes};
use crate::ir::{Graph, Node};

/// Bytes per instance in a column.
const ROW_BYTES: i64 = 8;

/// The signature of the batch entry point, for the host's calling
/// convention and pointer width.
pub(crate) fn entry_signature(call_conv: CallConv, pointer: Type) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.push(AbiParam::new(pointer)); // inputs: *const *const f64
    sig.params.push(AbiParam::new(pointer)); // outputs: *const *mut f64
    sig.params.push(AbiParam::new(pointer)); // n: usize
    sig
}

/// Which nodes contribute to an output: the rest is not lowered at all,
/// which keeps compile time proportional to what is read.
fn live_nodes(graph: &Graph) -> Vec<bool> {
    let mut live = vec![false; graph.nodes.len()];
    for out in &graph.outputs {
        live[out.0 as usize] = true;
    }
    for i in (0..graph.nodes.len()).rev() {
        if !live[i] {
            continue;
        }
        match graph.nodes[i] {
            Node::Const(_) | Node::Input(_) => {}
            Node::Unary(_, a) => live[a.0 as usize] = true,
            Node::Binary(_, a, b) => {
                live[a.0 as usize] = true;
                live[b.0 as usize] = true;
            }
            Node::Select(c, a, b) => {
                live[c.0 as usize] = true;
                live[a.0 as usize] = true;
                live[b.0 as usize] = true;
            }
        }
    }
    live
}

/// Fills `func` (whose signature must be [`entry_signature`]) with the
/// batch loop for `graph`. The graph must have passed
/// [`Graph::validate`]: every reference points backwards.
pub(crate) fn build_function(
    graph: &Graph,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
    frontend: TargetFrontendConfig,
) {
    let pointer = frontend.pointer_type();
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let [inputs_pp, outputs_pp, n] = b.block_params(entry) else {
        unreachable!("the entry signature has three parameters")
    };
    let (inputs_pp, outputs_pp, n) = (*inputs_pp, *outputs_pp, *n);

    if graph.outputs.is_empty() {
        b.ins().return_(&[]);
        b.seal_all_blocks();
        b.finalize(frontend);
        return;
    }

    // Column pointers are read once, outside the loop.
    let live = live_nodes(graph);
    let table = MemFlagsData::trusted().with_readonly();
    let mut input_columns = vec![None; graph.inputs as usize];
    for (node, _) in graph.nodes.iter().zip(&live).filter(|(_, l)| **l) {
        if let Node::Input(k) = *node {
            let slot = &mut input_columns[k as usize];
            if slot.is_none() {
                *slot = Some(b.ins().load(
                    pointer,
                    table,
                    inputs_pp,
                    (k as i64 * pointer.bytes() as i64) as i32,
                ));
            }
        }
    }
    let output_columns: Vec<Value> = (0..graph.outputs.len())
        .map(|j| {
            b.ins().load(pointer, table, outputs_pp, (j as i64 * pointer.bytes() as i64) as i32)
        })
        .collect();
    let columns = Columns { inputs: input_columns, outputs: output_columns };

    let pair_loop = b.create_block();
    let tail_check = b.create_block();
    let exit = b.create_block();
    let offset = b.append_block_param(pair_loop, pointer);
    let done = b.append_block_param(tail_check, pointer);

    // Byte offsets: one past the last full pair, and of the last pair.
    let pairs = b.ins().band_imm_s(n, !1i64);
    let pairs_end = b.ins().imul_imm_s(pairs, ROW_BYTES);
    let last_row_pair = b.ins().iadd_imm_s(n, -2);
    let last_pair = b.ins().imul_imm_s(last_row_pair, ROW_BYTES);
    let zero = b.ins().iconst(pointer, 0);
    let at_least_a_pair = b.ins().icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, n, 2);
    b.ins().brif(at_least_a_pair, pair_loop, &[BlockArg::Value(zero)], exit, &[]);

    // Two instances per iteration; a do-while so there is one branch per trip.
    b.switch_to_block(pair_loop);
    let loaded = columns.load_inputs(&mut b, offset);
    let results = Lanes::new(&mut b).instance(graph, &live, &loaded);
    columns.store_outputs(&mut b, &results, offset);
    let next = b.ins().iadd_imm_s(offset, 2 * ROW_BYTES);
    let more = b.ins().icmp(IntCC::UnsignedLessThan, next, pairs_end);
    b.ins().brif(more, pair_loop, &[BlockArg::Value(next)], tail_check, &[BlockArg::Value(offset)]);

    // An odd count leaves one row: run the loop body once more on the last
    // pair, which overlaps the previous one by a row. That row is computed
    // and written twice, with the same result (outputs never alias inputs).
    b.switch_to_block(tail_check);
    let odd = b.ins().band_imm_s(n, 1);
    let odd = b.ins().icmp_imm_u(IntCC::NotEqual, odd, 0);
    let not_yet = b.ins().icmp(IntCC::NotEqual, done, last_pair);
    let again = b.ins().band(odd, not_yet);
    b.ins().brif(again, pair_loop, &[BlockArg::Value(last_pair)], exit, &[]);

    b.switch_to_block(exit);
    b.ins().return_(&[]);
    b.seal_all_blocks();
    b.finalize(frontend);
}

/// The column base pointers, loaded in the entry block.
struct Columns {
    /// `None` for inputs no live node reads.
    inputs: Vec<Option<Value>>,
    outputs: Vec<Value>,
}

/// Column memory: the caller guarantees `n` rows per column, and the
/// loop stays below `n`, so these accesses cannot fault. Rows are not
/// assumed 16-byte aligned.
fn column_access() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

impl Columns {
    /// Two rows of each column read by the graph.
    fn load_inputs(&self, b: &mut FunctionBuilder<'_>, offset: Value) -> Vec<Option<Value>> {
        self.inputs
            .iter()
            .map(|base| {
                let at = b.ins().iadd((*base)?, offset);
                Some(b.ins().load(LANES, column_access(), at, 0))
            })
            .collect()
    }

    /// Stores `results[j]` to two rows of output column `j`.
    fn store_outputs(&self, b: &mut FunctionBuilder<'_>, results: &[Value], offset: Value) {
        for (base, value) in self.outputs.iter().zip(results) {
            let at = b.ins().iadd(*base, offset);
            b.ins().store(column_access(), *value, at, 0);
        }
    }
}
