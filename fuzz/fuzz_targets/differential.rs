//! The JIT and the reference interpreter agree on any evaluator graph and
//! any inputs: the same bits for every number, NaN exactly where the
//! interpreter has NaN (payloads may differ). `compiler/tests/
//! jit_differential.rs` checks the same property with a fixed case count.
//!
//! The bytes are decoded by hand, so that every input is a valid graph:
//! a header (inputs, nodes, outputs, batch size, optimisation level), then
//! one record per node (kind, operation, operands taken backwards from the
//! node), then the column values. Missing bytes read as zero, and values
//! past the end of the input repeat the special values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use upkeep_compiler::ir::{BinaryOp, Graph, Node, UnaryOp, ValueId, interp};
use upkeep_compiler::jit::{CompiledEvaluator, OptLevel};

const UNARY: [UnaryOp; 5] = UnaryOp::ALL;
const BINARY: [BinaryOp; 14] = BinaryOp::ALL;
const SPECIAL: [f64; 20] = [
    f64::NAN,
    -f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    0.0,
    -0.0,
    1.0,
    -1.0,
    2.0,
    0.5,
    -1.5,
    f64::MIN_POSITIVE / 2.0,
    5e-324,
    -5e-324,
    1e308,
    f64::MAX,
    f64::MIN,
    90.0,
    4503599627370497.0,
    f64::from_bits(0x7ff0_0000_0000_0001),
];
/// Batch sizes around the two-lane loop's edges, and a large one.
const SIZES: [usize; 8] = [0, 1, 2, 3, 7, 8, 33, 1000];

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    /// A special value, a small integer, or any 64-bit pattern.
    fn value(&mut self, fallback: usize) -> f64 {
        if self.0.is_empty() {
            return SPECIAL[fallback % SPECIAL.len()];
        }
        match self.byte() {
            tag @ 0..=159 => SPECIAL[tag as usize % SPECIAL.len()],
            tag @ 160..=223 => f64::from(tag as i32 - 192),
            _ => f64::from_bits(u64::from_le_bytes(std::array::from_fn(|_| self.byte()))),
        }
    }

    /// An operand of node `at` (> 0), counted backwards from it.
    fn operand(&mut self, at: usize) -> ValueId {
        ValueId((at - 1 - self.byte() as usize % at) as u32)
    }
}

fn decode(bytes: &mut Bytes<'_>) -> (Graph, usize, OptLevel) {
    let inputs = u32::from(bytes.byte() % 6);
    let nodes = bytes.byte() as usize % 48;
    let outputs = bytes.byte() as usize % 5;
    let header = bytes.byte();
    let n = SIZES[header as usize % SIZES.len()];
    let opt = if header & 0x80 == 0 { OptLevel::Speed } else { OptLevel::None };
    let mut graph = Graph { inputs, ..Graph::default() };
    for at in 0..nodes {
        let kind = bytes.byte();
        let node = match kind % 8 {
            _ if at == 0 && inputs == 0 => Node::Const(bytes.value(at)),
            _ if at == 0 => Node::Input(u32::from(kind) % inputs),
            0 => Node::Const(bytes.value(at)),
            1 if inputs > 0 => Node::Input(u32::from(bytes.byte()) % inputs),
            2 => Node::Unary(UNARY[bytes.byte() as usize % UNARY.len()], bytes.operand(at)),
            3 => Node::Select(bytes.operand(at), bytes.operand(at), bytes.operand(at)),
            _ => Node::Binary(
                BINARY[bytes.byte() as usize % BINARY.len()],
                bytes.operand(at),
                bytes.operand(at),
            ),
        };
        graph.push(node);
    }
    if nodes > 0 {
        graph.outputs = (0..outputs).map(|_| bytes.operand(nodes)).collect();
    }
    (graph, n, opt)
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = Bytes(data);
    let (graph, n, opt) = decode(&mut bytes);
    let columns: Vec<Vec<f64>> = (0..graph.inputs as usize)
        .map(|k| (0..n).map(|i| bytes.value(i * 7 + k)).collect())
        .collect();
    let inputs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();

    let mut expected = vec![vec![0.0; n]; graph.outputs.len()];
    let mut actual = vec![vec![0.0; n]; graph.outputs.len()];
    let mut expected_refs: Vec<&mut [f64]> = expected.iter_mut().map(Vec::as_mut_slice).collect();
    let mut actual_refs: Vec<&mut [f64]> = actual.iter_mut().map(Vec::as_mut_slice).collect();
    interp::eval(&graph, &inputs, &mut expected_refs, n).expect("a decoded graph is valid");
    let jit = CompiledEvaluator::compile_with(&graph, opt).expect("a valid graph compiles");
    jit.eval(&inputs, &mut actual_refs, n).expect("shapes fit");

    for (j, (want, got)) in expected.iter().zip(&actual).enumerate() {
        for (i, (w, g)) in want.iter().zip(got).enumerate() {
            let agree = if w.is_nan() { g.is_nan() } else { w.to_bits() == g.to_bits() };
            assert!(agree, "output {j}, row {i}: interpreter {w:?}, JIT {g:?}\n{graph:#?}");
        }
    }
});
