//! Cleaning a graph before it is evaluated: constant folding (with the
//! evaluator's own semantics, so results are identical), sharing of equal
//! nodes, and removal of nodes no output needs.

use super::{Graph, Node, ValueId, apply_binary, apply_select, apply_unary};
use std::collections::HashMap;

/// A node as a hashable key (constants by their bits, so NaN and -0 keep
/// their identity).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Const(u64),
    Input(u32),
    Unary(super::UnaryOp, u32),
    Binary(super::BinaryOp, u32, u32),
    Select(u32, u32, u32),
}

/// An equivalent graph with folded constants, shared nodes and no dead ones.
/// Outputs keep their order and meaning.
pub fn optimize(graph: &Graph) -> Graph {
    // Forward pass: fold and share. `map[i]` is the new id of old node i.
    let mut nodes: Vec<Node> = Vec::with_capacity(graph.nodes.len());
    let mut seen: HashMap<Key, u32> = HashMap::new();
    let mut map: Vec<u32> = Vec::with_capacity(graph.nodes.len());
    let constant = |nodes: &[Node], id: u32| match nodes[id as usize] {
        Node::Const(c) => Some(c),
        _ => None,
    };
    for node in &graph.nodes {
        let r = |v: ValueId| map[v.0 as usize];
        let node = match *node {
            Node::Const(c) => Node::Const(c),
            Node::Input(k) => Node::Input(k),
            Node::Unary(op, a) => match constant(&nodes, r(a)) {
                Some(x) => Node::Const(apply_unary(op, x)),
                None => Node::Unary(op, ValueId(r(a))),
            },
            Node::Binary(op, a, b) => match (constant(&nodes, r(a)), constant(&nodes, r(b))) {
                (Some(x), Some(y)) => Node::Const(apply_binary(op, x, y)),
                _ => Node::Binary(op, ValueId(r(a)), ValueId(r(b))),
            },
            Node::Select(c, a, b) => {
                match (constant(&nodes, r(c)), constant(&nodes, r(a)), constant(&nodes, r(b))) {
                    (Some(x), Some(y), Some(z)) => Node::Const(apply_select(x, y, z)),
                    _ => Node::Select(ValueId(r(c)), ValueId(r(a)), ValueId(r(b))),
                }
            }
        };
        let key = match node {
            Node::Const(c) => Key::Const(c.to_bits()),
            Node::Input(k) => Key::Input(k),
            Node::Unary(op, a) => Key::Unary(op, a.0),
            Node::Binary(op, a, b) => Key::Binary(op, a.0, b.0),
            Node::Select(c, a, b) => Key::Select(c.0, a.0, b.0),
        };
        let id = *seen.entry(key).or_insert_with(|| {
            nodes.push(node);
            (nodes.len() - 1) as u32
        });
        map.push(id);
    }
    let outputs: Vec<u32> = graph.outputs.iter().map(|o| map[o.0 as usize]).collect();
    // Backward pass: keep what outputs reach, then renumber.
    let mut live = vec![false; nodes.len()];
    for &o in &outputs {
        live[o as usize] = true;
    }
    for i in (0..nodes.len()).rev() {
        if !live[i] {
            continue;
        }
        match nodes[i] {
            Node::Unary(_, a) => live[a.0 as usize] = true,
            Node::Binary(_, a, b) => {
                live[a.0 as usize] = true;
                live[b.0 as usize] = true;
            }
            Node::Select(c, a, b) => {
                for v in [c, a, b] {
                    live[v.0 as usize] = true;
                }
            }
            Node::Const(_) | Node::Input(_) => {}
        }
    }
    let mut renumber = vec![0u32; nodes.len()];
    let mut out = Graph { nodes: Vec::new(), inputs: graph.inputs, outputs: Vec::new() };
    for (i, node) in nodes.iter().enumerate() {
        if !live[i] {
            continue;
        }
        let r = |v: ValueId| ValueId(renumber[v.0 as usize]);
        let node = match *node {
            Node::Unary(op, a) => Node::Unary(op, r(a)),
            Node::Binary(op, a, b) => Node::Binary(op, r(a), r(b)),
            Node::Select(c, a, b) => Node::Select(r(c), r(a), r(b)),
            other => other,
        };
        renumber[i] = out.push(node).0;
    }
    out.outputs = outputs.iter().map(|&o| ValueId(renumber[o as usize])).collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{BinaryOp, interp};

    #[test]
    fn folds_shares_and_drops_without_changing_results() {
        let mut g = Graph { inputs: 1, ..Graph::default() };
        let x = g.push(Node::Input(0));
        let x2 = g.push(Node::Input(0));
        let two = g.push(Node::Const(2.0));
        let three = g.push(Node::Const(3.0));
        let six = g.push(Node::Binary(BinaryOp::Mul, two, three));
        let _dead = g.push(Node::Binary(BinaryOp::Add, x, two));
        let a = g.push(Node::Binary(BinaryOp::Gt, x, six));
        let b = g.push(Node::Binary(BinaryOp::Gt, x2, six));
        g.outputs = vec![a, b];
        let o = optimize(&g);
        assert_eq!(o.nodes.len(), 3, "{:?}", o.nodes);
        assert_eq!(o.outputs[0], o.outputs[1]);
        let col = [5.0, 7.0, f64::NAN];
        let (mut r1, mut r2) = ([0.0; 3], [0.0; 3]);
        let (mut s1, mut s2) = ([0.0; 3], [0.0; 3]);
        interp::eval(&g, &[&col], &mut [&mut r1[..], &mut r2[..]], 3).unwrap();
        interp::eval(&o, &[&col], &mut [&mut s1[..], &mut s2[..]], 3).unwrap();
        for (x, y) in r1.iter().chain(&r2).zip(s1.iter().chain(&s2)) {
            assert!(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()));
        }
    }
}
