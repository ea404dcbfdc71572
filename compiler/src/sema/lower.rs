//! Lowering checked expressions to the evaluator IR: constants folded to
//! base units, metrics and windows turned into input columns, text tests
//! into label-test columns, `let`s and functions inlined.

use super::builtins;
use super::env::Env;
use super::types::MetricKind;
use crate::ir::{BinaryOp as Op, Graph, Node, UnaryOp as Un, ValueId};
use crate::package::Module;
use crate::plan::{Clock, InputSpec, SeriesRef, TextSource, WindowFn};
use crate::resolve::DeclKind;
use std::collections::HashMap;
use upkeep_grammar::ast::{Arg, BinaryOp, Expr, ExprKind, Item, UnaryOp};

/// A lowered expression.
#[derive(Clone, Debug)]
pub enum Lowered {
    Num(ValueId),
    Text(TextSource),
    Series(SeriesRef, MetricKind),
}

/// Why an expression could not be lowered (the checker lets it through,
/// but the evaluator does not support it yet).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct LowerError {
    pub message: String,
    pub span: upkeep_grammar::Span,
}

pub struct Lowerer<'e, 'p> {
    pub env: &'e Env<'p>,
    pub module: &'p Module,
    pub graph: Graph,
    pub inputs: Vec<InputSpec>,
    /// Names in scope: `let`s and parameters.
    pub scope: HashMap<String, Lowered>,
}

fn fail<T>(e: &Expr, message: impl Into<String>) -> Result<T, LowerError> {
    Err(LowerError { message: message.into(), span: e.span })
}

impl<'e, 'p> Lowerer<'e, 'p> {
    pub fn new(env: &'e Env<'p>, module: &'p Module) -> Self {
        Lowerer { env, module, graph: Graph::default(), inputs: Vec::new(), scope: HashMap::new() }
    }

    fn input(&mut self, spec: InputSpec) -> ValueId {
        let index = match self.inputs.iter().position(|s| *s == spec) {
            Some(i) => i,
            None => {
                self.inputs.push(spec);
                self.inputs.len() - 1
            }
        };
        self.graph.inputs = self.inputs.len() as u32;
        self.graph.push(Node::Input(index as u32))
    }

    pub fn output(&mut self, v: ValueId) -> usize {
        self.graph.outputs.push(v);
        self.graph.outputs.len() - 1
    }

    /// The value of a constant expression (a literal, a parameter bound to
    /// one, arithmetic on them), folded.
    pub fn constant(&mut self, e: &Expr) -> Result<f64, LowerError> {
        let v = self.num(e)?;
        match fold(&self.graph, v) {
            Some(c) => Ok(c),
            None => fail(e, "this must be a constant here"),
        }
    }

    pub fn num(&mut self, e: &Expr) -> Result<ValueId, LowerError> {
        match self.lower(e)? {
            Lowered::Num(v) => Ok(v),
            Lowered::Series(s, MetricKind::Gauge | MetricKind::Counter) => {
                Ok(self.input(InputSpec::Latest(s)))
            }
            Lowered::Series(_, MetricKind::State) | Lowered::Text(_) => {
                fail(e, "text cannot be used as a number")
            }
        }
    }

    fn text(&mut self, l: Lowered, e: &Expr) -> Result<TextSource, LowerError> {
        match l {
            Lowered::Text(t) => Ok(t),
            Lowered::Series(s, MetricKind::State) => Ok(TextSource::State(s)),
            _ => fail(e, "expected text"),
        }
    }

    pub fn lower(&mut self, e: &Expr) -> Result<Lowered, LowerError> {
        Ok(match &e.kind {
            ExprKind::Quantity(q) => match self.env.units.quantity(q, e.span) {
                Ok((v, _)) => Lowered::Num(self.graph.push(Node::Const(v))),
                Err(err) => return fail(e, err.message()),
            },
            ExprKind::Str(s) => match s.as_plain() {
                Some(text) => Lowered::Text(TextSource::Const(text)),
                None => return fail(e, "an interpolated string cannot be compared"),
            },
            ExprKind::Bool(b) => {
                Lowered::Num(self.graph.push(Node::Const(if *b { 1.0 } else { 0.0 })))
            }
            ExprKind::Name(n) => self.name(e, &n.name)?,
            ExprKind::Selector { metric, matchers } => {
                let mut series = self.series(e, &metric.name)?;
                let Lowered::Series(s, _) = &mut series else { return Ok(series) };
                for m in matchers {
                    let value = match self.lower(&m.value)? {
                        Lowered::Text(TextSource::Const(v)) => v,
                        _ => {
                            return fail(&m.value, "a label matcher's value must be constant text");
                        }
                    };
                    s.matchers.push((m.label.name.clone(), m.op.symbol().to_string(), value));
                }
                series
            }
            ExprKind::Call { func, args, by } => self.call(e, &func.name, args, by.as_deref())?,
            ExprKind::Unary { op, operand } => {
                let v = self.num(operand)?;
                let op = if *op == UnaryOp::Not { Un::Not } else { Un::Neg };
                Lowered::Num(self.graph.push(Node::Unary(op, v)))
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs)?,
            ExprKind::If { cond, then, otherwise } => {
                let (c, a, b) = (self.num(cond)?, self.num(then)?, self.num(otherwise)?);
                Lowered::Num(self.graph.push(Node::Select(c, a, b)))
            }
            ExprKind::In { value, list, negated } => {
                let mut any: Option<ValueId> = None;
                for item in list {
                    let eq = self.compare(BinaryOp::Eq, value, item)?;
                    any = Some(match any {
                        Some(prev) => self.graph.push(Node::Binary(Op::Or, prev, eq)),
                        None => eq,
                    });
                }
                let v = any.unwrap_or_else(|| self.graph.push(Node::Const(0.0)));
                Lowered::Num(if *negated { self.graph.push(Node::Unary(Un::Not, v)) } else { v })
            }
            ExprKind::List(_) | ExprKind::Record(_) | ExprKind::Error => {
                return fail(e, "lists and records are not values of a condition");
            }
        })
    }

    fn series(&mut self, e: &Expr, name: &str) -> Result<Lowered, LowerError> {
        let Some(d) =
            self.env.scopes.of(self.module.id).lookup(name).filter(|d| d.kind == DeclKind::Metric)
        else {
            return fail(e, format!("unknown metric `{name}`"));
        };
        let kind = self.env.metric(d).map_or(MetricKind::Gauge, |m| m.kind);
        Ok(Lowered::Series(SeriesRef { metric: name.to_string(), matchers: Vec::new() }, kind))
    }

    fn name(&mut self, e: &Expr, name: &str) -> Result<Lowered, LowerError> {
        if let Some(l) = self.scope.get(name) {
            return Ok(l.clone());
        }
        let clock = match name {
            "now" => Some(Clock::Now),
            "hour_of_day" => Some(Clock::HourOfDay),
            "day_of_week" => Some(Clock::DayOfWeek),
            _ => None,
        };
        if let Some(c) = clock {
            return Ok(Lowered::Num(self.input(InputSpec::Clock(c))));
        }
        if self
            .env
            .scopes
            .of(self.module.id)
            .lookup(name)
            .is_some_and(|d| d.kind == DeclKind::Metric)
        {
            return self.series(e, name);
        }
        Ok(Lowered::Text(TextSource::Label(name.to_string())))
    }

    fn binary(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> Result<Lowered, LowerError> {
        let arith = match op {
            BinaryOp::Add => Op::Add,
            BinaryOp::Sub => Op::Sub,
            BinaryOp::Mul => Op::Mul,
            BinaryOp::Div => Op::Div,
            BinaryOp::And => Op::And,
            BinaryOp::Or => Op::Or,
            _ => return Ok(Lowered::Num(self.compare(op, lhs, rhs)?)),
        };
        let (a, b) = (self.num(lhs)?, self.num(rhs)?);
        Ok(Lowered::Num(self.graph.push(Node::Binary(arith, a, b))))
    }

    /// A comparison: of numbers in the graph, or of texts as an input column.
    fn compare(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> Result<ValueId, LowerError> {
        let (a, b) = (self.lower(lhs)?, self.lower(rhs)?);
        let is_text =
            |l: &Lowered| matches!(l, Lowered::Text(_) | Lowered::Series(_, MetricKind::State));
        if is_text(&a) || is_text(&b) {
            let (ta, tb) = (self.text(a, lhs)?, self.text(b, rhs)?);
            let eq = self.input(InputSpec::TextEq(ta, tb));
            return match op {
                BinaryOp::Eq => Ok(eq),
                BinaryOp::Ne => Ok(self.graph.push(Node::Unary(Un::Not, eq))),
                _ => fail(lhs, "text can only be compared with `==` and `!=`"),
            };
        }
        let to_num = |this: &mut Self, l: Lowered, e: &Expr| match l {
            Lowered::Num(v) => Ok(v),
            Lowered::Series(s, _) => Ok(this.input(InputSpec::Latest(s))),
            Lowered::Text(_) => fail(e, "expected a number"),
        };
        let (x, y) = (to_num(self, a, lhs)?, to_num(self, b, rhs)?);
        let op = match op {
            BinaryOp::Lt => Op::Lt,
            BinaryOp::Le => Op::Le,
            BinaryOp::Gt => Op::Gt,
            BinaryOp::Ge => Op::Ge,
            BinaryOp::Eq => Op::Eq,
            _ => Op::Ne,
        };
        Ok(self.graph.push(Node::Binary(op, x, y)))
    }

    fn call(
        &mut self,
        e: &Expr,
        func: &str,
        args: &[Arg],
        by: Option<&[upkeep_grammar::ast::Ident]>,
    ) -> Result<Lowered, LowerError> {
        if args.iter().any(|a| a.over.is_some()) {
            return self.window(e, func, args).map(Lowered::Num);
        }
        if by.is_some()
            || (builtins::ACROSS.contains(&func)
                && args.len() == 1
                && func != "min"
                && func != "max")
        {
            let Some(arg) = args.first() else { return fail(e, "missing argument") };
            let inner = self.num(&arg.value)?;
            let output = self.output(inner);
            let by = by.unwrap_or_default().iter().map(|i| i.name.clone()).collect();
            return Ok(Lowered::Num(self.input(InputSpec::Across {
                function: func.to_string(),
                by,
                output,
            })));
        }
        let unary = |this: &mut Self, op| -> Result<Lowered, LowerError> {
            let Some(a) = args.first() else { return fail(e, "missing argument") };
            let v = this.num(&a.value)?;
            Ok(Lowered::Num(this.graph.push(Node::Unary(op, v))))
        };
        match func {
            "abs" => unary(self, Un::Abs),
            "floor" => unary(self, Un::Floor),
            "ceil" => unary(self, Un::Ceil),
            "min" | "max" => {
                let op = if func == "min" { Op::Min } else { Op::Max };
                let mut acc: Option<ValueId> = None;
                for a in args {
                    let v = self.num(&a.value)?;
                    acc = Some(match acc {
                        Some(prev) => self.graph.push(Node::Binary(op, prev, v)),
                        None => v,
                    });
                }
                acc.map(Lowered::Num)
                    .ok_or(LowerError { message: "missing argument".into(), span: e.span })
            }
            "ewma" => {
                let (Some(x), Some(alpha)) = (args.first(), args.get(1)) else {
                    return fail(e, "ewma(x, alpha)");
                };
                let Lowered::Series(series, _) = self.lower(&x.value)? else {
                    return fail(e, "ewma of a metric");
                };
                let alpha = self.constant(&alpha.value)?;
                Ok(Lowered::Num(self.input(InputSpec::Ewma { series, alpha })))
            }
            _ => self.inline(e, func, args),
        }
    }

    fn window(&mut self, e: &Expr, func: &str, args: &[Arg]) -> Result<ValueId, LowerError> {
        let Some(position) = args.iter().position(|a| a.over.is_some()) else {
            return fail(e, "no window");
        };
        let function = window_fn(func)
            .ok_or(LowerError { message: format!("`{func}` has no window form"), span: e.span })?;
        let windowed = &args[position];
        let seconds = match &windowed.over {
            Some(over) => self.constant(over)?,
            None => return fail(e, "no window"),
        };
        let param = match function {
            WindowFn::Quantile => Some(self.constant(&args[0].value)?),
            WindowFn::Predict | WindowFn::TimeUntil => match args.get(position + 1) {
                Some(a) => Some(self.constant(&a.value)?),
                None => return fail(e, "missing the second argument"),
            },
            _ => None,
        };
        let spec = match self.lower(&windowed.value)? {
            Lowered::Series(series, _) => InputSpec::Window { function, series, seconds, param },
            Lowered::Num(v) => {
                let output = self.output(v);
                InputSpec::WindowOfOutput { function, output, seconds, param }
            }
            Lowered::Text(_) => return fail(e, "a window over text"),
        };
        Ok(self.input(spec))
    }

    /// A user function, inlined: its parameters bound to the arguments, its
    /// body lowered in its own module's scope.
    fn inline(&mut self, e: &Expr, func: &str, args: &[Arg]) -> Result<Lowered, LowerError> {
        let Some(d) =
            self.env.scopes.of(self.module.id).lookup(func).filter(|d| d.kind == DeclKind::Fn)
        else {
            return fail(e, format!("unknown function `{func}`"));
        };
        let home = self.env.package.module(d.module);
        let Item::Fn(f) = &home.parsed.file.items[d.item] else { return fail(e, "not a function") };
        let mut bound = HashMap::new();
        for (i, p) in f.params.iter().enumerate() {
            let arg = args
                .iter()
                .find(|a| a.name.as_ref().is_some_and(|n| n.name == p.name.name))
                .or_else(|| args.get(i).filter(|a| a.name.is_none()));
            let value = match (arg, &p.default) {
                (Some(a), _) => self.lower(&a.value)?,
                (None, Some(default)) => self.lower(default)?,
                (None, None) => return fail(e, format!("missing argument `{}`", p.name.name)),
            };
            bound.insert(p.name.name.clone(), value);
        }
        let saved_scope = std::mem::replace(&mut self.scope, bound);
        let saved_module = std::mem::replace(&mut self.module, home);
        let result = self.lower(&f.body);
        self.scope = saved_scope;
        self.module = saved_module;
        result
    }
}

fn window_fn(name: &str) -> Option<WindowFn> {
    Some(match name {
        "avg" => WindowFn::Avg,
        "min" => WindowFn::Min,
        "max" => WindowFn::Max,
        "sum" => WindowFn::Sum,
        "count" => WindowFn::Count,
        "last" => WindowFn::Last,
        "first" => WindowFn::First,
        "stddev" => WindowFn::Stddev,
        "quantile" => WindowFn::Quantile,
        "rate" => WindowFn::Rate,
        "increase" => WindowFn::Increase,
        "delta" => WindowFn::Delta,
        "deriv" => WindowFn::Deriv,
        "changes" => WindowFn::Changes,
        "count_true" => WindowFn::CountTrue,
        "ratio_true" => WindowFn::RatioTrue,
        "predict" => WindowFn::Predict,
        "time_until" => WindowFn::TimeUntil,
        _ => return None,
    })
}

/// The value of a node built from constants only, computed with the
/// evaluator's own semantics.
pub fn fold(graph: &Graph, v: ValueId) -> Option<f64> {
    let node = *graph.nodes.get(v.0 as usize)?;
    Some(match node {
        Node::Const(c) => c,
        Node::Input(_) => return None,
        Node::Unary(op, a) => crate::ir::apply_unary(op, fold(graph, a)?),
        Node::Binary(op, a, b) => crate::ir::apply_binary(op, fold(graph, a)?, fold(graph, b)?),
        Node::Select(c, a, b) => {
            crate::ir::apply_select(fold(graph, c)?, fold(graph, a)?, fold(graph, b)?)
        }
    })
}
