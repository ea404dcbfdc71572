//! The engines under comparison, behind one interface: evaluate a
//! condition for every row of some columns into an output column of
//! tri-states (1, 0, NaN). Each is set up the fastest way its
//! documentation offers without `unsafe`: compiled once, then evaluated
//! row by row with the row's values bound to the variable names.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use upkeep_compiler::jit::{CompiledEvaluator, Evaluator};

use super::Condition;
use super::native::BatchFn;

pub trait Engine {
    fn name(&self) -> &'static str;
    /// Whether it implements unknowns (NaN in, NaN out where the IR has it).
    fn handles_unknown(&self) -> bool;
    fn eval(&mut self, inputs: &[&[f64]], out: &mut [f64]);
}

/// Every engine for `condition`, in table order.
pub fn all(condition: &Condition) -> Vec<Box<dyn Engine + '_>> {
    let names = condition.sample.inputs;
    vec![
        Box::new(Jit(CompiledEvaluator::compile(&condition.graph).expect("the sample compiles"))),
        Box::new(Interpreter(Evaluator::interpreted(condition.graph.clone()))),
        Box::new(Native(condition.native)),
        Box::new(Fasteval::new(condition.fasteval, names)),
        Box::new(Rhai::new(condition.rhai, names)),
        Box::new(Cel::new(condition.cel, names)),
    ]
}

fn bool_to_tri_state(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

struct Jit(CompiledEvaluator);

impl Engine for Jit {
    fn name(&self) -> &'static str {
        "upkeep-jit"
    }
    fn handles_unknown(&self) -> bool {
        true
    }
    fn eval(&mut self, inputs: &[&[f64]], out: &mut [f64]) {
        let n = out.len();
        self.0.eval(inputs, &mut [out], n).expect("shapes fit");
    }
}

/// The reference interpreter as the runtime falls back to it
/// (`jit::Evaluator::Interpreted`: `ir::interp` over 4096-row chunks).
struct Interpreter(Evaluator);

impl Engine for Interpreter {
    fn name(&self) -> &'static str {
        "upkeep-interpreter"
    }
    fn handles_unknown(&self) -> bool {
        true
    }
    fn eval(&mut self, inputs: &[&[f64]], out: &mut [f64]) {
        let n = out.len();
        self.0.eval(inputs, &mut [out], n).expect("shapes fit");
    }
}

struct Native(BatchFn);

impl Engine for Native {
    fn name(&self) -> &'static str {
        "native-rust"
    }
    fn handles_unknown(&self) -> bool {
        true
    }
    fn eval(&mut self, inputs: &[&[f64]], out: &mut [f64]) {
        (self.0)(inputs, out)
    }
}

/// fasteval: a compiled `Instruction` in a `Slab`, variables through a
/// callback namespace (the documented way to vary them per evaluation).
struct Fasteval {
    slab: fasteval::Slab,
    compiled: fasteval::Instruction,
    names: &'static [&'static str],
}

impl Fasteval {
    fn new(text: &str, names: &'static [&'static str]) -> Fasteval {
        use fasteval::Compiler;
        let mut slab = fasteval::Slab::new();
        let parsed = fasteval::Parser::new().parse(text, &mut slab.ps).expect("fasteval parses");
        let compiled = parsed.from(&slab.ps).compile(&slab.ps, &mut slab.cs);
        Fasteval { slab, compiled, names }
    }
}

impl Engine for Fasteval {
    fn name(&self) -> &'static str {
        "fasteval"
    }
    fn handles_unknown(&self) -> bool {
        false
    }
    fn eval(&mut self, inputs: &[&[f64]], out: &mut [f64]) {
        use fasteval::Evaler;
        for (i, o) in out.iter_mut().enumerate() {
            let mut namespace = |name: &str, _args: Vec<f64>| -> Option<f64> {
                self.names.iter().position(|n| *n == name).map(|k| inputs[k][i])
            };
            *o = self.compiled.eval(&self.slab, &mut namespace).expect("fasteval evaluates");
        }
    }
}

/// rhai: an AST compiled once, one `Scope` whose variables are set per row.
struct Rhai {
    engine: rhai::Engine,
    ast: rhai::AST,
    scope: rhai::Scope<'static>,
    names: &'static [&'static str],
}

impl Rhai {
    fn new(text: &str, names: &'static [&'static str]) -> Rhai {
        let engine = rhai::Engine::new();
        let ast = engine.compile_expression(text).expect("rhai compiles");
        let mut scope = rhai::Scope::new();
        for name in names {
            scope.push(*name, 0.0f64);
        }
        Rhai { engine, ast, scope, names }
    }
}

impl Engine for Rhai {
    fn name(&self) -> &'static str {
        "rhai"
    }
    fn handles_unknown(&self) -> bool {
        false
    }
    fn eval(&mut self, inputs: &[&[f64]], out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            for (name, column) in self.names.iter().zip(inputs) {
                self.scope.set_value(*name, column[i]);
            }
            let holds: bool = self
                .engine
                .eval_ast_with_scope(&mut self.scope, &self.ast)
                .expect("rhai evaluates");
            *o = bool_to_tri_state(holds);
        }
    }
}

/// cel (cel-rust): a program compiled once against the standard library
/// plus the math extension (`math.abs`, `math.greatest`, `math.least`:
/// standard CEL has no `abs`, `min` or `max`); variables come from a resolver
/// that reads the current row.
struct Cel {
    env: Arc<cel::Env>,
    program: cel::Program,
    names: &'static [&'static str],
}

impl Cel {
    fn new(text: &str, names: &'static [&'static str]) -> Cel {
        let mut env = cel::Env::stdlib();
        env.add_extension(cel::extensions::math).expect("the math extension loads");
        let program = env.compile(text).expect("cel compiles");
        Cel { env: Arc::new(env), program, names }
    }
}

/// The current row's values, by variable name.
struct Row<'a> {
    names: &'static [&'static str],
    columns: &'a [&'a [f64]],
    row: AtomicUsize,
}

impl cel::context::VariableResolver for Row<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<cel::common::value::CowVal<'b, 'b>> {
        let k = self.names.iter().position(|n| *n == variable)?;
        let value = self.columns[k][self.row.load(Ordering::Relaxed)];
        Some(cel::common::value::CowVal::owned(cel::common::types::CelDouble::from(value)))
    }
}

impl Engine for Cel {
    fn name(&self) -> &'static str {
        "cel"
    }
    fn handles_unknown(&self) -> bool {
        false
    }
    fn eval(&mut self, inputs: &[&[f64]], out: &mut [f64]) {
        let row = Row { names: self.names, columns: inputs, row: AtomicUsize::new(0) };
        let mut context = cel::Context::with_env(self.env.clone());
        context.set_variable_resolver(&row);
        for (i, o) in out.iter_mut().enumerate() {
            row.row.store(i, Ordering::Relaxed);
            *o = match self.program.execute(&context).expect("cel evaluates") {
                cel::Value::Bool(holds) => bool_to_tri_state(holds),
                other => panic!("cel returned {other:?}, not a bool"),
            };
        }
    }
}
