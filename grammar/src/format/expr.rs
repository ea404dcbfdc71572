//! Expressions and the small pieces inside them: arguments, label matchers,
//! record fields, string literals.
//!
//! Spacing: a space around binary operators and after commas, none inside
//! `()`, `[]` or matcher braces, one inside record braces (`{ k: v }`).
//! Literals print as written: strings from their raw text, quantities as
//! number and unit. Parentheses are the minimum (see [`super::precedence`]).

use super::layout::{self, LIST, RECORD};
use super::precedence::{self, Level};
use super::printer::Printer;
use crate::ast::{Arg, BinaryOp, Expr, ExprKind, Field, Ident, Matcher, StrLit, UnaryOp};

/// An expression in a position that takes any expression.
pub(super) fn expr(p: &mut Printer<'_>, e: &Expr) {
    expr_at(p, e, Level::Expr);
}

/// An expression in a position that demands `min`: parenthesised when it
/// binds looser.
pub(super) fn expr_at(p: &mut Printer<'_>, e: &Expr, min: Level) {
    p.nested(|p| {
        if Level::of(e) < min {
            p.word("(");
            bare(p, e);
            p.word(")");
        } else {
            bare(p, e);
        }
    });
}

fn bare(p: &mut Printer<'_>, e: &Expr) {
    match &e.kind {
        ExprKind::Quantity(q) => {
            p.word(&q.number);
            p.word(q.unit.as_deref().unwrap_or(""));
        }
        ExprKind::Str(s) => string(p, s),
        ExprKind::Bool(b) => p.word(if *b { "true" } else { "false" }),
        ExprKind::Name(n) => p.word(&n.name),
        ExprKind::Selector { metric, matchers } => {
            p.word(&metric.name);
            matcher_set(p, matchers);
        }
        ExprKind::Call { func, args, by } => {
            p.word(&func.name);
            p.word("(");
            arg_list(p, args);
            p.word(")");
            if let Some(by) = by {
                p.word(" by (");
                names(p, by);
                p.word(")");
            }
        }
        ExprKind::Unary { op, operand } => {
            // `- -x`, not `--x`, which reads like a decrement.
            let neg_neg = matches!(operand.kind, ExprKind::Unary { op: UnaryOp::Neg, .. });
            p.word(match op {
                UnaryOp::Neg if neg_neg => "- ",
                UnaryOp::Neg => "-",
                UnaryOp::Not => "not ",
            });
            expr_at(p, operand, precedence::unary_operand(*op));
        }
        ExprKind::Binary { op, lhs, rhs } => binary_chain(p, *op, lhs, rhs),
        ExprKind::If { .. } => if_chain(p, e),
        ExprKind::In { value, list, negated } => {
            expr_at(p, value, precedence::IN_VALUE);
            p.word(if *negated { " not in " } else { " in " });
            list_of(p, list, closer(e));
        }
        ExprKind::List(items) => list_of(p, items, closer(e)),
        ExprKind::Record(fields) => {
            layout::sequence(p, RECORD, fields, closer(e), |f| f.span, field);
        }
        // Only in a tree with syntax errors, which `format_source` refuses:
        // keep the text as it was.
        ExprKind::Error => p.word(p.source().slice(e.span)),
    }
}

/// `a + b - c`: the operands down the left side of a left-associative
/// chain are printed in a loop, not by recursion, so that a long chain
/// (a generated `x == 1 or x == 2 or …`) does not count as deep nesting.
fn binary_chain(p: &mut Printer<'_>, op: BinaryOp, lhs: &Expr, rhs: &Expr) {
    let mut links = vec![(op, rhs)];
    let mut innermost = op;
    let mut left = lhs;
    while let ExprKind::Binary { op: inner, lhs: inner_lhs, rhs: inner_rhs } = &left.kind {
        // A left operand that needs parentheses is printed whole, below.
        if Level::of(left) < precedence::binary_operands(innermost).0 {
            break;
        }
        links.push((*inner, inner_rhs));
        innermost = *inner;
        left = inner_lhs;
    }
    expr_at(p, left, precedence::binary_operands(innermost).0);
    for (op, rhs) in links.iter().rev() {
        p.word(" ");
        p.word(op.symbol());
        p.word(" ");
        expr_at(p, rhs, precedence::binary_operands(*op).1);
    }
}

/// `if a then b else if c then d else e`, the `else if` links in a loop.
fn if_chain(p: &mut Printer<'_>, e: &Expr) {
    let mut last = e;
    while let ExprKind::If { cond, then, otherwise } = &last.kind {
        p.word("if ");
        expr(p, cond);
        p.word(" then ");
        expr(p, then);
        p.word(" else ");
        last = otherwise;
    }
    expr(p, last);
}

/// Where the closing bracket of a list, record or `in` expression is: its
/// last character.
fn closer(e: &Expr) -> usize {
    e.span.end.saturating_sub(1)
}

/// `[a, b]`, broken over lines when long; `closer` is where `]` is.
pub(super) fn list_of(p: &mut Printer<'_>, items: &[Expr], closer: usize) {
    layout::sequence(p, LIST, items, closer, |e| e.span, expr);
}

/// `"…"`, exactly as written.
pub(super) fn string(p: &mut Printer<'_>, s: &StrLit) {
    p.word("\"");
    p.word(&s.raw);
    p.word("\"");
}

/// `a, b, c`
pub(super) fn names(p: &mut Printer<'_>, names: &[Ident]) {
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            p.word(", ");
        }
        p.word(&name.name);
    }
}

/// `x, at: 1d, rate(y over 5m)` (without the parentheses).
pub(super) fn arg_list(p: &mut Printer<'_>, args: &[Arg]) {
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            p.word(", ");
        }
        if let Some(name) = &arg.name {
            p.word(&name.name);
            p.word(": ");
        }
        expr(p, &arg.value);
        if let Some(over) = &arg.over {
            p.word(" over ");
            expr(p, over);
        }
    }
}

/// `{mount="/", device!~"tmpfs.*"}`
pub(super) fn matcher_set(p: &mut Printer<'_>, matchers: &[Matcher]) {
    p.word("{");
    for (i, m) in matchers.iter().enumerate() {
        if i > 0 {
            p.word(", ");
        }
        p.word(&m.label.name);
        p.word(m.op.symbol());
        expr(p, &m.value);
    }
    p.word("}");
}

/// `key: value`. A key written as a string (`"Content-Type": …`) keeps its
/// quotes; the tree holds only its value.
pub(super) fn field(p: &mut Printer<'_>, f: &Field) {
    let written = p.source().slice(f.key.span);
    p.word(if written.starts_with('"') { written } else { f.key.name.as_str() });
    p.word(": ");
    expr(p, &f.value);
}

#[cfg(test)]
mod tests {
    use crate::format::format_source;

    /// Formats `let x = <src>` in a policy and returns what follows `let x = `.
    fn fmt_expr(src: &str) -> String {
        let file = format!("policy p on f {{\n  let x = {src}\n}}\n");
        let out = format_source(&file).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        let line = out.lines().nth(1).unwrap();
        line.trim_start().strip_prefix("let x = ").unwrap().to_string()
    }

    #[test]
    fn redundant_parentheses_go() {
        assert_eq!(fmt_expr("((a)) + (b * c)"), "a + b * c");
        assert_eq!(fmt_expr("(a - b) - c"), "a - b - c");
        assert_eq!(fmt_expr("(a and b) or (c and d)"), "a and b or c and d");
        assert_eq!(fmt_expr("(not a) and b"), "not a and b");
        assert_eq!(fmt_expr("not (a in [1])"), "not a in [1]");
        assert_eq!(fmt_expr("(a < b) == (c in [1])"), "(a < b) == c in [1]");
    }

    #[test]
    fn needed_parentheses_stay() {
        assert_eq!(fmt_expr("a - (b - c)"), "a - (b - c)");
        assert_eq!(fmt_expr("a / (b * c)"), "a / (b * c)");
        assert_eq!(fmt_expr("-(a + b)"), "-(a + b)");
        assert_eq!(fmt_expr("not (a and b)"), "not (a and b)");
        assert_eq!(fmt_expr("(a or b) and c"), "(a or b) and c");
        assert_eq!(fmt_expr("(a < b) == c"), "(a < b) == c");
        assert_eq!(fmt_expr("(a == b) in [true]"), "(a == b) in [true]");
        assert_eq!(fmt_expr("(not a) in [true]"), "(not a) in [true]");
        assert_eq!(fmt_expr("(a in [1]) + 1"), "(a in [1]) + 1");
        assert_eq!(fmt_expr("1 + (if a then b else c)"), "1 + (if a then b else c)");
        assert_eq!(fmt_expr("(if a then b else c) or d"), "(if a then b else c) or d");
        assert_eq!(fmt_expr("-(-a)"), "- -a");
    }

    #[test]
    fn if_needs_no_parentheses_at_the_top() {
        assert_eq!(
            fmt_expr("if (a) then (if b then 1 else 2) else (c or d)"),
            "if a then if b then 1 else 2 else c or d"
        );
    }

    #[test]
    fn spacing_of_calls_selectors_and_literals() {
        assert_eq!(
            fmt_expr("predict( disk.free{ mount = \"/\" , dev!~\"x{2}\" } over 6h , at : 1d )"),
            "predict(disk.free{mount=\"/\", dev!~\"x{2}\"} over 6h, at: 1d)"
        );
        assert_eq!(
            fmt_expr("count(up==false)by(client,site)"),
            "count(up == false) by (client, site)"
        );
        assert_eq!(fmt_expr("10MB/s / s + 1.5GiB+1e6"), "10MB/s / s + 1.5GiB + 1e6");
        assert_eq!(fmt_expr("\"{{x}} {host}\\n\""), "\"{{x}} {host}\\n\"");
        assert_eq!(
            fmt_expr("{\"Content-Type\":\"a\",at:[1,2]}"),
            "{ \"Content-Type\": \"a\", at: [1, 2] }"
        );
        assert_eq!(fmt_expr("x not in [ ]"), "x not in []");
        assert_eq!(fmt_expr("{ }"), "{}");
    }
}
