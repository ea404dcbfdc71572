//! Runs the table in `docs/semantics.md`, row by row, through the reference
//! interpreter: the documented semantics and the implementation cannot
//! drift apart.

use upkeep_compiler::ir::{BinaryOp, Graph, Node, UnaryOp, interp};

fn value(text: &str) -> f64 {
    match text {
        "NaN" => f64::NAN,
        "T" => 1.0,
        "F" => 0.0,
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        "-0" => -0.0,
        other => other.parse().unwrap_or_else(|_| panic!("`{other}` is not a value")),
    }
}

/// Evaluates one operation on constants fed as inputs, through a graph.
fn run(op: &str, args: &[f64]) -> f64 {
    let mut g = Graph { inputs: args.len() as u32, ..Graph::default() };
    let ids: Vec<_> = (0..args.len()).map(|k| g.push(Node::Input(k as u32))).collect();
    let unary = |op| Node::Unary(op, ids[0]);
    let binary = |op| Node::Binary(op, ids[0], ids[1]);
    let node = match op {
        "neg" => unary(UnaryOp::Neg),
        "abs" => unary(UnaryOp::Abs),
        "not" => unary(UnaryOp::Not),
        "floor" => unary(UnaryOp::Floor),
        "ceil" => unary(UnaryOp::Ceil),
        "add" => binary(BinaryOp::Add),
        "sub" => binary(BinaryOp::Sub),
        "mul" => binary(BinaryOp::Mul),
        "div" => binary(BinaryOp::Div),
        "min" => binary(BinaryOp::Min),
        "max" => binary(BinaryOp::Max),
        "lt" => binary(BinaryOp::Lt),
        "le" => binary(BinaryOp::Le),
        "gt" => binary(BinaryOp::Gt),
        "ge" => binary(BinaryOp::Ge),
        "eq" => binary(BinaryOp::Eq),
        "ne" => binary(BinaryOp::Ne),
        "and" => binary(BinaryOp::And),
        "or" => binary(BinaryOp::Or),
        "select" => Node::Select(ids[0], ids[1], ids[2]),
        other => panic!("unknown operation `{other}` in the table"),
    };
    let out = g.push(node);
    g.outputs.push(out);
    let columns: Vec<Vec<f64>> = args.iter().map(|a| vec![*a]).collect();
    let inputs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let mut result = [0.0];
    interp::eval(&g, &inputs, &mut [&mut result[..]], 1).unwrap();
    result[0]
}

#[test]
fn every_row_of_the_documented_table_holds() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/semantics.md"))
        .unwrap();
    let table = doc.split("## The table").nth(1).expect("the table section");
    let mut rows = 0;
    for line in table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| op") && !l.starts_with("|---"))
    {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let (op, expected) = (cells[0], value(cells[4]));
        let args: Vec<f64> =
            cells[1..4].iter().filter(|c| !c.is_empty()).map(|c| value(c)).collect();
        let got = run(op, &args);
        let same = (got.is_nan() && expected.is_nan()) || got.to_bits() == expected.to_bits();
        assert!(same, "{line}: got {got:?} ({:#x})", got.to_bits());
        rows += 1;
    }
    assert!(rows >= 50, "only {rows} rows found");
}

#[test]
fn shapes_are_checked_before_evaluating() {
    let mut g = Graph { inputs: 1, ..Graph::default() };
    let x = g.push(Node::Input(0));
    g.outputs.push(x);
    let col = [1.0, 2.0];
    let mut out = [0.0; 2];
    assert!(interp::eval(&g, &[], &mut [&mut out[..]], 2).is_err());
    assert!(interp::eval(&g, &[&col[..1]], &mut [&mut out[..]], 2).is_err());
    assert!(interp::eval(&g, &[&col], &mut [], 2).is_err());
    let bad = Graph { inputs: 0, nodes: vec![Node::Input(3)], outputs: vec![] };
    assert!(bad.validate().is_err());
    let forward = Graph {
        inputs: 0,
        nodes: vec![Node::Unary(UnaryOp::Neg, upkeep_compiler::ir::ValueId(0))],
        outputs: vec![],
    };
    assert!(forward.validate().is_err());
    interp::eval(&g, &[&col], &mut [&mut out[..]], 2).unwrap();
    assert_eq!(out, [1.0, 2.0]);
}
