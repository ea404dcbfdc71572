//! The benchmark conditions of issue 4 (E1–E3) as evaluator graphs, built
//! by hand until lowering from source exists. The benchmark, the compile
//! latency measurement and the tests share them; when lowering lands,
//! [`Sample::graph`] can come from lowering [`Sample::source`] instead.
//!
//! Unit conversions are folded the way `docs/semantics.md` says: a
//! `gauge<percent>` column holds the exporter's value (0–100) and the graph
//! multiplies it by 0.01; `90%` is 0.9 and `1GiB` is 1073741824.

use crate::ir::{BinaryOp, Graph, Node, UnaryOp, ValueId};

/// One benchmark condition.
#[derive(Clone, Debug)]
pub struct Sample {
    pub name: &'static str,
    /// The condition in Upkeep syntax.
    pub source: &'static str,
    /// The input columns, in order.
    pub inputs: &'static [&'static str],
    /// One output: the condition's tri-state.
    pub graph: Graph,
}

/// E1: a single comparison.
pub fn e1() -> Sample {
    let mut g = Builder::new(1);
    let x = g.input(0);
    let c90 = g.constant(90.0);
    let out = g.binary(BinaryOp::Gt, x, c90);
    Sample { name: "E1", source: "x > 90", inputs: &["x"], graph: g.finish(out) }
}

/// E2: units, `and`, `or` and a division.
pub fn e2() -> Sample {
    let mut g = Builder::new(4);
    let (cpu, mem, load, cores) = (g.input(0), g.input(1), g.input(2), g.input(3));
    let percent = g.constant(0.01);
    let cpu_ratio = g.binary(BinaryOp::Mul, cpu, percent);
    let c90 = g.constant(0.9);
    let hot = g.binary(BinaryOp::Gt, cpu_ratio, c90);
    let gib = g.constant(1073741824.0);
    let low_mem = g.binary(BinaryOp::Lt, mem, gib);
    let both = g.binary(BinaryOp::And, hot, low_mem);
    let per_core = g.binary(BinaryOp::Div, load, cores);
    let c2 = g.constant(2.0);
    let busy = g.binary(BinaryOp::Gt, per_core, c2);
    let out = g.binary(BinaryOp::Or, both, busy);
    Sample {
        name: "E2",
        source: "(cpu > 90% and mem < 1GiB) or load / cores > 2",
        inputs: &["cpu", "mem", "load", "cores"],
        graph: g.finish(out),
    }
}

/// E3: 21 operations over 8 columns, with `abs`, `min`, `max` and nested
/// `and`/`or`. Plain numbers, no units.
pub fn e3() -> Sample {
    let mut g = Builder::new(8);
    let [cpu, iowait, load1, load5, cores, disk_free, disk_size, temp] =
        std::array::from_fn(|k| g.input(k as u32));
    let k = |g: &mut Builder, x: f64| g.constant(x);

    // max(cpu, iowait) > 80 and abs(load1 - load5) / cores > 0.5
    let busiest = g.binary(BinaryOp::Max, cpu, iowait); // 1
    let c80 = k(&mut g, 80.0);
    let saturated = g.binary(BinaryOp::Gt, busiest, c80); // 2
    let swing = g.binary(BinaryOp::Sub, load1, load5); // 3
    let swing = g.unary(UnaryOp::Abs, swing); // 4
    let swing = g.binary(BinaryOp::Div, swing, cores); // 5
    let c05 = k(&mut g, 0.5);
    let unsteady = g.binary(BinaryOp::Gt, swing, c05); // 6
    let overloaded = g.binary(BinaryOp::And, saturated, unsteady); // 7

    // min(disk_free / disk_size, 1 - iowait / 100) < 0.1
    let free = g.binary(BinaryOp::Div, disk_free, disk_size); // 8
    let c100 = k(&mut g, 100.0);
    let io = g.binary(BinaryOp::Div, iowait, c100); // 9
    let c1 = k(&mut g, 1.0);
    let headroom = g.binary(BinaryOp::Sub, c1, io); // 10
    let least = g.binary(BinaryOp::Min, free, headroom); // 11
    let c01 = k(&mut g, 0.1);
    let starved = g.binary(BinaryOp::Lt, least, c01); // 12

    // temp > 85 or abs(temp - 60) * 2 > max(load1, 30)
    let c85 = k(&mut g, 85.0);
    let hot = g.binary(BinaryOp::Gt, temp, c85); // 13
    let c60 = k(&mut g, 60.0);
    let drift = g.binary(BinaryOp::Sub, temp, c60); // 14
    let drift = g.unary(UnaryOp::Abs, drift); // 15
    let c2 = k(&mut g, 2.0);
    let drift = g.binary(BinaryOp::Mul, drift, c2); // 16
    let c30 = k(&mut g, 30.0);
    let bound = g.binary(BinaryOp::Max, load1, c30); // 17
    let erratic = g.binary(BinaryOp::Gt, drift, bound); // 18
    let thermal = g.binary(BinaryOp::Or, hot, erratic); // 19

    let failing = g.binary(BinaryOp::And, starved, thermal); // 20
    let out = g.binary(BinaryOp::Or, overloaded, failing); // 21
    Sample {
        name: "E3",
        source: E3_SOURCE,
        inputs: &["cpu", "iowait", "load1", "load5", "cores", "disk_free", "disk_size", "temp"],
        graph: g.finish(out),
    }
}

const E3_SOURCE: &str = "(max(cpu, iowait) > 80 and abs(load1 - load5) / cores > 0.5) \
     or (min(disk_free / disk_size, 1 - iowait / 100) < 0.1 \
     and (temp > 85 or abs(temp - 60) * 2 > max(load1, 30)))";

/// E1, E2 and E3.
pub fn all() -> Vec<Sample> {
    vec![e1(), e2(), e3()]
}

/// Appends nodes; every helper returns the new node's id.
struct Builder {
    graph: Graph,
}

impl Builder {
    fn new(inputs: u32) -> Builder {
        Builder { graph: Graph { inputs, ..Graph::default() } }
    }

    fn input(&mut self, k: u32) -> ValueId {
        self.graph.push(Node::Input(k))
    }

    fn constant(&mut self, x: f64) -> ValueId {
        self.graph.push(Node::Const(x))
    }

    fn unary(&mut self, op: UnaryOp, a: ValueId) -> ValueId {
        self.graph.push(Node::Unary(op, a))
    }

    fn binary(&mut self, op: BinaryOp, a: ValueId, b: ValueId) -> ValueId {
        self.graph.push(Node::Binary(op, a, b))
    }

    fn finish(mut self, output: ValueId) -> Graph {
        self.graph.outputs = vec![output];
        self.graph
    }
}
