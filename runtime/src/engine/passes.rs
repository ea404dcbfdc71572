//! Evaluation passes. Most columns are filled from series before the
//! evaluator runs; two kinds are filled from the evaluator's own outputs:
//! aggregations across instances (`avg(x) by (host)`) and windows over a
//! `let` (`quantile(0.95, busy over 30m)`). Such a column can only be
//! filled once the outputs it reads are known, which may themselves read
//! such columns: a column's pass is one more than the highest pass of the
//! columns its output depends on. The evaluator runs once per pass.

use super::columns::Column;
use upkeep_compiler::ir::{Graph, Node};

/// The pass of each column: 0 for columns filled from series.
pub fn of(graph: &Graph, columns: &[Column]) -> Vec<u8> {
    let reads = inputs_read(graph);
    let mut passes = vec![0u8; columns.len()];
    // Outputs can only depend on earlier passes, so this settles in at most
    // as many rounds as there are columns; the bound keeps a malformed
    // (cyclic) plan from looping.
    for _ in 0..=columns.len() {
        let mut changed = false;
        for (i, c) in columns.iter().enumerate() {
            let output = match c {
                Column::Across { output, .. } | Column::OutWindow { output, .. } => *output,
                _ => continue,
            };
            let Some(deps) = graph.outputs.get(output).and_then(|v| reads.get(v.0 as usize)) else {
                continue;
            };
            let pass = deps
                .iter()
                .map(|d| passes.get(*d as usize).copied().unwrap_or(0))
                .max()
                .unwrap_or(0)
                .saturating_add(1);
            if pass != passes[i] && pass <= columns.len() as u8 {
                passes[i] = pass;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    passes
}

/// For every node, the input columns it reads, directly or not.
fn inputs_read(graph: &Graph) -> Vec<Vec<u32>> {
    let mut reads: Vec<Vec<u32>> = Vec::with_capacity(graph.nodes.len());
    for node in &graph.nodes {
        let mut r: Vec<u32> = match node {
            Node::Const(_) => Vec::new(),
            Node::Input(i) => vec![*i],
            Node::Unary(_, a) => reads.get(a.0 as usize).cloned().unwrap_or_default(),
            Node::Binary(_, a, b) => [a, b]
                .iter()
                .flat_map(|v| reads.get(v.0 as usize).cloned().unwrap_or_default())
                .collect(),
            Node::Select(c, a, b) => [c, a, b]
                .iter()
                .flat_map(|v| reads.get(v.0 as usize).cloned().unwrap_or_default())
                .collect(),
        };
        r.sort_unstable();
        r.dedup();
        reads.push(r);
    }
    reads
}

#[cfg(test)]
mod tests {
    use super::*;
    use upkeep_compiler::ir::{BinaryOp, ValueId};
    use upkeep_compiler::plan::{Clock, WindowFn};

    #[test]
    fn an_aggregation_of_a_window_over_an_aggregation_takes_three_passes() {
        // in0 = clock, in1 = avg(out0) by host, in2 = quantile over out1.
        let mut g = Graph::default();
        let i0 = g.push(Node::Input(0));
        let i1 = g.push(Node::Input(1));
        let i2 = g.push(Node::Input(2));
        let sum = g.push(Node::Binary(BinaryOp::Add, i1, i2));
        g.inputs = 3;
        g.outputs = vec![i0, i1, sum];
        let columns = vec![
            Column::Clock(Clock::Now),
            Column::Across { function: "avg".into(), by: vec!["host".into()], output: 0 },
            Column::OutWindow { function: WindowFn::Max, output: 1, seconds: 60.0, param: 0.0 },
        ];
        assert_eq!(of(&g, &columns), [0, 1, 2]);
        assert_eq!(g.outputs[2], ValueId(3));
    }
}
