//! The reference interpreter: evaluates a [`Graph`] over a batch of
//! instances, one node at a time over whole columns. Simple enough to be
//! obviously right; fast enough to be a fallback.

use super::{Graph, Node, apply_binary, apply_select, apply_unary};

/// Shapes that do not fit the graph.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    #[error("the graph reads {expected} input columns, {found} were given")]
    Inputs { expected: usize, found: usize },
    #[error("the graph writes {expected} output columns, {found} were given")]
    Outputs { expected: usize, found: usize },
    #[error("column {index} has {found} rows, the batch has {expected}")]
    Rows { index: usize, expected: usize, found: usize },
    #[error(transparent)]
    Invalid(#[from] super::InvalidGraph),
}

/// Checks that columns fit the graph and the batch size `n`.
pub fn check_shapes(
    graph: &Graph,
    inputs: &[&[f64]],
    outputs: &[&mut [f64]],
    n: usize,
) -> Result<(), ShapeError> {
    graph.validate()?;
    if inputs.len() != graph.inputs as usize {
        return Err(ShapeError::Inputs { expected: graph.inputs as usize, found: inputs.len() });
    }
    if outputs.len() != graph.outputs.len() {
        return Err(ShapeError::Outputs { expected: graph.outputs.len(), found: outputs.len() });
    }
    let lengths = inputs.iter().map(|c| c.len()).chain(outputs.iter().map(|c| c.len()));
    for (index, found) in lengths.enumerate() {
        if found != n {
            return Err(ShapeError::Rows { index, expected: n, found });
        }
    }
    Ok(())
}

/// Evaluates `graph` for `n` instances: `inputs[k][i]` is input `k` of
/// instance `i`; output `j` of instance `i` is written to `outputs[j][i]`.
pub fn eval(
    graph: &Graph,
    inputs: &[&[f64]],
    outputs: &mut [&mut [f64]],
    n: usize,
) -> Result<(), ShapeError> {
    check_shapes(graph, inputs, outputs, n)?;
    let mut values: Vec<Vec<f64>> = Vec::with_capacity(graph.nodes.len());
    for node in &graph.nodes {
        let column: Vec<f64> = match *node {
            Node::Const(c) => vec![c; n],
            Node::Input(k) => inputs[k as usize].to_vec(),
            Node::Unary(op, a) => {
                values[a.0 as usize].iter().map(|&x| apply_unary(op, x)).collect()
            }
            Node::Binary(op, a, b) => {
                let (xs, ys) = (&values[a.0 as usize], &values[b.0 as usize]);
                xs.iter().zip(ys).map(|(&x, &y)| apply_binary(op, x, y)).collect()
            }
            Node::Select(c, a, b) => {
                let (cs, xs, ys) =
                    (&values[c.0 as usize], &values[a.0 as usize], &values[b.0 as usize]);
                (0..n).map(|i| apply_select(cs[i], xs[i], ys[i])).collect()
            }
        };
        values.push(column);
    }
    for (out, id) in outputs.iter_mut().zip(&graph.outputs) {
        out.copy_from_slice(&values[id.0 as usize]);
    }
    Ok(())
}
