//! The evaluator IR: what a policy's conditions and values compute, as a
//! straight-line graph over `f64` columns, evaluated for a batch of
//! instances at once.
//!
//! - **Inputs** are columns the runtime fills per instance: a metric's latest
//!   value, a window aggregate it maintains incrementally, a label test
//!   (`role == "db"` as 1/0), the time. Unit conversions are folded into the
//!   graph, so columns hold exporter values as they come.
//! - **Values** are `f64`. A condition is a *tri-state*: `1.0` true, `0.0`
//!   false, NaN unknown. A missing input is NaN, so missing data is unknown,
//!   never silently false.
//! - **Outputs** are the values the runtime reads: every level's condition and
//!   recover condition, and the numbers messages and `verify` need.
//!
//! The semantics of every operation are in `docs/semantics.md`; the
//! reference interpreter ([`interp`]) is their executable form and the
//! oracle for the JIT.

pub mod interp;
mod optimize;
mod semantics;

pub use optimize::optimize;
pub use semantics::{apply_binary, apply_select, apply_unary};

use serde::{Deserialize, Serialize};

/// An index into [`Graph::nodes`]. A node only refers to earlier nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ValueId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnaryOp {
    Neg,
    Abs,
    /// Kleene `not`: unknown stays unknown.
    Not,
    Floor,
    Ceil,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    /// Division by zero (either sign) is unknown.
    Div,
    /// Unknown if either side is unknown.
    Min,
    Max,
    /// Comparisons are tri-state: unknown if either side is unknown.
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    /// Kleene `and` / `or` over tri-states.
    And,
    Or,
}

impl UnaryOp {
    /// Every unary operation, for tests and fuzzers that must cover them all.
    pub const ALL: [UnaryOp; 5] =
        [UnaryOp::Neg, UnaryOp::Abs, UnaryOp::Not, UnaryOp::Floor, UnaryOp::Ceil];
}

impl BinaryOp {
    /// Every binary operation, for tests and fuzzers that must cover them all.
    pub const ALL: [BinaryOp; 14] = [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Min,
        BinaryOp::Max,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::And,
        BinaryOp::Or,
    ];
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Node {
    Const(f64),
    /// Column `i` of the inputs.
    Input(u32),
    Unary(UnaryOp, ValueId),
    Binary(BinaryOp, ValueId, ValueId),
    /// `if c then a else b`: unknown when `c` is unknown.
    Select(ValueId, ValueId, ValueId),
}

/// A straight-line program: nodes in dependency order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Graph {
    pub nodes: Vec<Node>,
    /// The number of input columns the graph reads.
    pub inputs: u32,
    /// The values the evaluator writes, one output column each.
    pub outputs: Vec<ValueId>,
}

/// A graph that refers to a node that does not exist yet, or to an input
/// beyond `inputs`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("node {node} of the evaluator graph refers to {what}")]
pub struct InvalidGraph {
    pub node: usize,
    pub what: String,
}

impl Graph {
    pub fn push(&mut self, node: Node) -> ValueId {
        self.nodes.push(node);
        ValueId((self.nodes.len() - 1) as u32)
    }

    /// Checks that every reference points backwards and every input exists:
    /// what the interpreter and the JIT rely on.
    pub fn validate(&self) -> Result<(), InvalidGraph> {
        let bad = |node: usize, what: String| Err(InvalidGraph { node, what });
        let before = |node: usize, v: ValueId| (v.0 as usize) < node;
        for (i, n) in self.nodes.iter().enumerate() {
            match *n {
                Node::Const(_) => {}
                Node::Input(k) if k >= self.inputs => {
                    return bad(i, format!("input {k} of {}", self.inputs));
                }
                Node::Input(_) => {}
                Node::Unary(_, a) if !before(i, a) => return bad(i, format!("node {}", a.0)),
                Node::Binary(_, a, b) if !before(i, a) || !before(i, b) => {
                    return bad(i, format!("nodes {} and {}", a.0, b.0));
                }
                Node::Select(c, a, b) if !before(i, c) || !before(i, a) || !before(i, b) => {
                    return bad(i, format!("nodes {}, {} and {}", c.0, a.0, b.0));
                }
                _ => {}
            }
        }
        for o in &self.outputs {
            if o.0 as usize >= self.nodes.len() {
                return bad(self.nodes.len(), format!("output node {}", o.0));
            }
        }
        Ok(())
    }
}

/// The tri-state values.
pub const TRUE: f64 = 1.0;
pub const FALSE: f64 = 0.0;
pub const UNKNOWN: f64 = f64::NAN;
