//! The JIT's safe API: shape errors instead of undefined behaviour, the
//! degenerate graphs (no nodes, no outputs, no instances), the fallback to
//! the interpreter, `Send`/`Sync`, and the CLIF text. Value agreement with
//! the interpreter over random graphs is in `jit_differential.rs`; memory
//! release on drop in `jit_memory.rs`.

use upkeep_compiler::ir::interp::{self, ShapeError};
use upkeep_compiler::ir::{BinaryOp, Graph, Node, UnaryOp, ValueId};
use upkeep_compiler::jit::{
    CompiledEvaluator, Evaluator, JitError, OptLevel, clif_text, latency, samples,
};

fn graph(inputs: u32, nodes: Vec<Node>, outputs: &[u32]) -> Graph {
    Graph { nodes, inputs, outputs: outputs.iter().map(|&i| ValueId(i)).collect() }
}

/// `x + y` and `x > y`.
fn sum_and_compare() -> Graph {
    graph(
        2,
        vec![
            Node::Input(0),
            Node::Input(1),
            Node::Binary(BinaryOp::Add, ValueId(0), ValueId(1)),
            Node::Binary(BinaryOp::Gt, ValueId(0), ValueId(1)),
        ],
        &[2, 3],
    )
}

#[test]
fn computes_a_small_batch() {
    let jit = CompiledEvaluator::compile(&sum_and_compare()).expect("compiles");
    let (x, y) = ([1.0, 2.0, f64::NAN], [3.0, 1.0, 0.0]);
    let (mut sum, mut gt) = ([0.0; 3], [0.0; 3]);
    jit.eval(&[&x, &y], &mut [&mut sum, &mut gt], 3).expect("shapes fit");
    assert_eq!(sum[..2], [4.0, 3.0]);
    assert!(sum[2].is_nan());
    assert_eq!(gt[..2], [0.0, 1.0]);
    assert!(gt[2].is_nan());
}

#[test]
fn shape_errors_are_returned_not_undefined_behaviour() {
    let jit = CompiledEvaluator::compile(&sum_and_compare()).expect("compiles");
    let (x, y, short) = ([1.0; 4], [1.0; 4], [1.0; 3]);
    let (mut a, mut b, mut c) = ([0.0; 4], [0.0; 4], [0.0; 4]);

    let err = jit.eval(&[&x], &mut [&mut a, &mut b], 4).unwrap_err();
    assert_eq!(err, ShapeError::Inputs { expected: 2, found: 1 });
    let err = jit.eval(&[&x, &y], &mut [&mut a], 4).unwrap_err();
    assert_eq!(err, ShapeError::Outputs { expected: 2, found: 1 });
    let err = jit.eval(&[&x, &short], &mut [&mut a, &mut b], 4).unwrap_err();
    assert_eq!(err, ShapeError::Rows { index: 1, expected: 4, found: 3 });
    // A batch larger than the columns: the classic overrun.
    let err = jit.eval(&[&x, &y], &mut [&mut a, &mut b], 5).unwrap_err();
    assert_eq!(err, ShapeError::Rows { index: 0, expected: 5, found: 4 });
    let err = jit.eval(&[&x, &y], &mut [&mut a, &mut b, &mut c], 4).unwrap_err();
    assert_eq!(err, ShapeError::Outputs { expected: 2, found: 3 });
    // Nothing was written by the refused calls.
    assert_eq!(a, [0.0; 4]);
}

#[test]
fn an_invalid_graph_is_refused_and_falls_back() {
    let forward = graph(1, vec![Node::Unary(UnaryOp::Neg, ValueId(1)), Node::Input(0)], &[0]);
    assert!(matches!(CompiledEvaluator::compile(&forward), Err(JitError::Invalid(_))));
    let missing_input = graph(1, vec![Node::Input(3)], &[0]);
    assert!(matches!(CompiledEvaluator::compile(&missing_input), Err(JitError::Invalid(_))));
    let dangling_output = graph(0, vec![Node::Const(1.0)], &[1]);
    assert!(clif_text(&dangling_output).is_err());

    let evaluator = Evaluator::new(forward);
    assert_eq!(evaluator.kind(), "interpreter");
    assert!(evaluator.fallback_reason().is_some_and(|r| r.contains("node 0")));
    // The interpreter reports the same invalid graph as a shape error.
    let mut out = [0.0; 1];
    assert!(matches!(evaluator.eval(&[&[1.0]], &mut [&mut out], 1), Err(ShapeError::Invalid(_))));
}

#[test]
fn a_valid_graph_gets_the_jit() {
    let evaluator = Evaluator::new(sum_and_compare());
    assert_eq!(evaluator.kind(), "jit");
    assert_eq!(evaluator.fallback_reason(), None);
    let interpreted = Evaluator::interpreted(sum_and_compare());
    assert_eq!(interpreted.kind(), "interpreter");
    let (x, y) = ([1.0, -0.0], [2.0, 0.0]);
    let (mut a1, mut b1, mut a2, mut b2) = ([0.0; 2], [0.0; 2], [0.0; 2], [0.0; 2]);
    evaluator.eval(&[&x, &y], &mut [&mut a1, &mut b1], 2).expect("shapes fit");
    interpreted.eval(&[&x, &y], &mut [&mut a2, &mut b2], 2).expect("shapes fit");
    assert_eq!(a1.map(f64::to_bits), a2.map(f64::to_bits));
    assert_eq!(b1.map(f64::to_bits), b2.map(f64::to_bits));
}

#[test]
fn the_empty_graph_compiles_and_runs() {
    let jit = CompiledEvaluator::compile(&Graph::default()).expect("compiles");
    jit.eval(&[], &mut [], 0).expect("no columns, no rows");
    jit.eval(&[], &mut [], 1000).expect("no columns: any batch size");
}

#[test]
fn a_graph_without_outputs_writes_nothing() {
    let g = graph(1, vec![Node::Input(0), Node::Unary(UnaryOp::Floor, ValueId(0))], &[]);
    let jit = CompiledEvaluator::compile(&g).expect("compiles");
    jit.eval(&[&[1.5; 9]], &mut [], 9).expect("shapes fit");
    assert!(clif_text(&g).expect("lowers").contains("return"));
}

#[test]
fn zero_instances_touch_nothing() {
    let jit = CompiledEvaluator::compile(&sum_and_compare()).expect("compiles");
    let empty: [f64; 0] = [];
    let (mut a, mut b) = ([0.0; 0], [0.0; 0]);
    jit.eval(&[&empty, &empty], &mut [&mut a, &mut b], 0).expect("shapes fit");
}

#[test]
fn constants_only_and_one_input_feeding_two_outputs() {
    let g = graph(1, vec![Node::Const(-0.0), Node::Input(0)], &[0, 1, 1]);
    let jit = CompiledEvaluator::compile(&g).expect("compiles");
    let x = [f64::from_bits(0x7ff4_0000_0000_0001), 5e-324, -1.0];
    let (mut c, mut o1, mut o2) = ([1.0; 3], [0.0; 3], [0.0; 3]);
    jit.eval(&[&x], &mut [&mut c, &mut o1, &mut o2], 3).expect("shapes fit");
    assert!(c.iter().all(|v| v.to_bits() == (-0.0f64).to_bits()));
    // An input passed straight through keeps its exact bits, NaN payload too.
    assert_eq!(o1.map(f64::to_bits), x.map(f64::to_bits));
    assert_eq!(o2.map(f64::to_bits), x.map(f64::to_bits));
}

/// The bits of `x`, with every NaN as the canonical one: the JIT's unknowns
/// are NaN, not necessarily with the interpreter's payload.
fn canonical_bits(x: f64) -> u64 {
    if x.is_nan() { f64::NAN.to_bits() } else { x.to_bits() }
}

#[test]
fn both_opt_levels_compute_the_same() {
    for sample in samples::all() {
        let n = 9;
        let columns: Vec<Vec<f64>> = (0..sample.graph.inputs)
            .map(|k| (0..n).map(|i| (i as f64 - 3.0) * (k as f64 + 7.5)).collect())
            .collect();
        let inputs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
        let mut results = Vec::new();
        for opt in [OptLevel::None, OptLevel::Speed] {
            let jit = CompiledEvaluator::compile_with(&sample.graph, opt).expect("compiles");
            let mut out = vec![0.0; n];
            jit.eval(&inputs, &mut [&mut out], n).expect("shapes fit");
            results.push(out.iter().map(|&v| canonical_bits(v)).collect::<Vec<_>>());
        }
        let mut expected = vec![0.0; n];
        interp::eval(&sample.graph, &inputs, &mut [&mut expected], n).expect("shapes fit");
        let expected: Vec<u64> = expected.iter().map(|&v| canonical_bits(v)).collect();
        assert_eq!(results[0], expected, "{} at opt_level=none", sample.name);
        assert_eq!(results[1], expected, "{} at opt_level=speed", sample.name);
    }
}

#[test]
fn evaluators_can_move_to_and_be_shared_with_worker_threads() {
    fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<CompiledEvaluator>();
    send_and_sync::<Evaluator>();

    let jit =
        std::sync::Arc::new(CompiledEvaluator::compile(&samples::e1().graph).expect("compiles"));
    let workers: Vec<_> = (0..2)
        .map(|t| {
            let jit = jit.clone();
            std::thread::spawn(move || {
                let x: Vec<f64> = (0..1001).map(|i| (i + t) as f64 / 10.0).collect();
                let mut out = vec![0.0; x.len()];
                jit.eval(&[&x], &mut [&mut out], x.len()).expect("shapes fit");
                out.iter().zip(&x).all(|(o, x)| *o == if *x > 90.0 { 1.0 } else { 0.0 })
            })
        })
        .collect();
    for worker in workers {
        assert!(worker.join().expect("no panic"));
    }
}

#[test]
fn clif_text_shows_the_batch_loop() {
    let text = clif_text(&samples::e2().graph).expect("lowers");
    assert!(text.starts_with("function %evaluate(i64, i64, i64)"), "{text}");
    for needle in ["f64x2", "fcmp", "bitselect", "brif", "band", "bor"] {
        assert!(text.contains(needle), "no {needle} in\n{text}");
    }
    assert_eq!(text, clif_text(&samples::e2().graph).expect("lowers"), "deterministic");
}

/// Prints the compile latency of an E3-class condition; no bound is
/// asserted (wall-clock checks do not belong in tests, and this is a debug
/// build): `cargo bench --bench evaluators` reports release numbers.
#[test]
#[allow(clippy::print_stderr, reason = "the measurement is the output")]
fn compile_latency_is_measured() {
    for opt in [OptLevel::None, OptLevel::Speed] {
        let micros = latency::e3_compile_micros(opt, 21).expect("compiles");
        assert!(micros > 0.0);
        eprintln!("E3 compile (debug build), opt_level={opt:?}: median {micros:.0} µs");
    }
}

#[test]
fn the_interpreter_fallback_works_in_chunks_and_agrees() {
    // 10,001 rows: two full 4096-row chunks and a partial one.
    let sample = samples::e3();
    let n = 10_001;
    let columns: Vec<Vec<f64>> = (0..sample.graph.inputs)
        .map(|k| (0..n).map(|i| ((i * 37 + k as usize * 11) % 101) as f64 - 7.0).collect())
        .collect();
    let inputs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let (mut whole, mut chunked, mut jitted) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    interp::eval(&sample.graph, &inputs, &mut [&mut whole], n).expect("shapes fit");
    Evaluator::interpreted(sample.graph.clone())
        .eval(&inputs, &mut [&mut chunked], n)
        .expect("shapes fit");
    Evaluator::new(sample.graph.clone()).eval(&inputs, &mut [&mut jitted], n).expect("shapes fit");
    assert_eq!(
        whole.iter().map(|&v| canonical_bits(v)).collect::<Vec<_>>(),
        chunked.iter().map(|&v| canonical_bits(v)).collect::<Vec<_>>()
    );
    assert_eq!(
        whole.iter().map(|&v| canonical_bits(v)).collect::<Vec<_>>(),
        jitted.iter().map(|&v| canonical_bits(v)).collect::<Vec<_>>()
    );
    let short = vec![0.0; n - 1];
    let mut out = vec![0.0; n];
    let mut inputs_short = inputs.clone();
    inputs_short[3] = &short;
    assert!(matches!(
        Evaluator::interpreted(sample.graph.clone()).eval(&inputs_short, &mut [&mut out], n),
        Err(ShapeError::Rows { index: 3, .. })
    ));
}
