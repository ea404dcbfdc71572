//! The values of a test's `series` line as a [`Generator`]: promtool's
//! notation as written, an expression of `t` and `now` in base units, or
//! for a state metric a text: constant, or chosen over time by `if … then
//! "…" else "…"`.

use super::super::env::Env;
use super::super::lower::{LowerError, Lowered, Lowerer};
use super::super::types::MetricKind;
use crate::ir::{Graph, Node, ValueId};
use crate::package::Module;
use crate::plan::Generator;
use crate::resolve::DeclKind;
use upkeep_grammar::Span;
use upkeep_grammar::ast::{Expr, ExprKind, Ident};

/// The values of a series: a text for a state metric, promtool's notation
/// as written, or an expression of `t` (input 0; `now`, if used, is input 1:
/// the simulated time in seconds since the epoch) in base units.
pub(super) fn generator(
    env: &Env<'_>,
    module: &Module,
    metric: &Ident,
    value: &Expr,
) -> Result<Generator, LowerError> {
    let state = env
        .scopes
        .of(module.id)
        .lookup(&metric.name)
        .filter(|d| d.kind == DeclKind::Metric)
        .and_then(|d| env.metric(d))
        .is_some_and(|m| m.kind == MetricKind::State);
    if let ExprKind::Str(s) = &value.kind {
        let text = plain(value, s)?;
        return if state {
            Ok(Generator::Text(text))
        } else if is_notation(&text) {
            Ok(Generator::Notation(text))
        } else {
            Err(error(
                value.span,
                format!("`{text}` is not promtool's series notation, such as \"0+10x100 _x3\""),
            ))
        };
    }
    let mut lw = series_lowerer(env, module);
    if state {
        let mut texts = Vec::new();
        let v = text_index(&mut lw, value, &mut texts)?;
        let graph = finish(lw, v, value.span)?;
        return Ok(Generator::TextExpr { graph, texts });
    }
    let v = lw.num(value)?;
    Ok(Generator::Expr(finish(lw, v, value.span)?))
}

/// A lowerer with `t` and `now` bound like parameters, to columns the
/// lowerer does not hand out (its `inputs`, which must stay empty, are
/// per-instance columns a series cannot read).
fn series_lowerer<'e, 'p>(env: &'e Env<'p>, module: &'p Module) -> Lowerer<'e, 'p> {
    let mut lw = Lowerer::new(env, module);
    lw.graph.inputs = 2;
    for (column, name) in ["t", "now"].into_iter().enumerate() {
        let v = lw.graph.push(Node::Input(column as u32));
        lw.scope.insert(name.to_string(), Lowered::Num(v));
    }
    lw
}

/// The generator's graph with `v` as its one output, optimised; one input
/// when it does not read `now`.
fn finish(mut lw: Lowerer<'_, '_>, v: ValueId, span: Span) -> Result<Graph, LowerError> {
    if !lw.inputs.is_empty() {
        return Err(error(
            span,
            "a test series is computed from `t` and `now`, not from metrics or clocks".into(),
        ));
    }
    lw.output(v);
    let mut graph = crate::ir::optimize(&lw.graph);
    if !graph.nodes.contains(&Node::Input(1)) {
        graph.inputs = 1;
    }
    Ok(graph)
}

/// A state series' text as the index of the text in `texts` (added there
/// if new): a text literal, or an `if` whose branches are such texts.
fn text_index(
    lw: &mut Lowerer<'_, '_>,
    e: &Expr,
    texts: &mut Vec<String>,
) -> Result<ValueId, LowerError> {
    match &e.kind {
        ExprKind::Str(s) => {
            let text = plain(e, s)?;
            let index = match texts.iter().position(|t| *t == text) {
                Some(i) => i,
                None => {
                    texts.push(text);
                    texts.len() - 1
                }
            };
            Ok(lw.graph.push(Node::Const(index as f64)))
        }
        ExprKind::If { cond, then, otherwise } => {
            let c = lw.num(cond)?;
            let a = text_index(lw, then, texts)?;
            let b = text_index(lw, otherwise, texts)?;
            Ok(lw.graph.push(Node::Select(c, a, b)))
        }
        _ => Err(error(
            e.span,
            "a state series' value is a text, or `if … then \"…\" else \"…\"` choosing among texts"
                .into(),
        )),
    }
}

/// A string literal's text, which cannot interpolate.
fn plain(e: &Expr, s: &upkeep_grammar::ast::StrLit) -> Result<String, LowerError> {
    s.as_plain().ok_or_else(|| error(e.span, "a series' text cannot interpolate `{…}`".into()))
}

/// Whether a text reads as promtool's expanding notation: numbers, `+`,
/// `-`, `x`, `_` and spaces (`"0+10x100 _x3 5"`, `"1e3x5"`).
fn is_notation(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii_digit() || "+-x_ .e".contains(c))
        && text.chars().any(|c| c.is_ascii_digit() || c == '_')
}

fn error(span: Span, message: String) -> LowerError {
    LowerError { message, span }
}
