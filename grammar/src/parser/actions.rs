//! Helpers called from the grammar's actions: building nodes, and reporting
//! the mistakes the grammar accepts on purpose so that it can say something
//! more useful than "unexpected token" (`for 5`, `x = 1`, `{l=="v"}`).

use crate::ast::*;
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::span::Span;
use crate::token::Tok;
use lalrpop_util::{ErrorRecovery, ParseError};

pub type Errors<'src> = Vec<ErrorRecovery<usize, Tok<'src>, SyntaxError>>;

pub fn push(errors: &mut Errors<'_>, error: SyntaxError) {
    errors.push(ErrorRecovery { error: ParseError::User { error }, dropped_tokens: Vec::new() });
}

pub fn push_all(errors: &mut Errors<'_>, found: Vec<SyntaxError>) {
    for error in found {
        push(errors, error);
    }
}

pub fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
    let span = lhs.span.to(rhs.span);
    Expr::new(ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span)
}

pub fn unary(op: UnaryOp, operand: Expr, span: Span) -> Expr {
    Expr::new(ExprKind::Unary { op, operand: Box::new(operand) }, span)
}

/// The operand of `for`, `every`, `cooldown`, …: a bare number such as `5`
/// is almost always a forgotten unit, so it is reported here, where the
/// keyword is known, rather than later as a type error.
pub fn duration(errors: &mut Errors<'_>, keyword: Tok<'_>, expr: Expr) -> Expr {
    if let ExprKind::Quantity(Quantity { number, unit: None }) = &expr.kind {
        let keyword = keyword.fixed_text().unwrap_or("this clause");
        push(
            errors,
            SyntaxError::new(
                SyntaxErrorKind::MissingDurationUnit { keyword, number: number.clone() },
                expr.span,
            ),
        );
    }
    expr
}

/// `x = 1` where a comparison was meant: reported, then read as `x == 1`.
pub fn assign_as_eq(errors: &mut Errors<'_>, lhs: Expr, rhs: Expr, op: Span) -> Expr {
    push(errors, SyntaxError::new(SyntaxErrorKind::AssignInCondition, op));
    binary(BinaryOp::Eq, lhs, rhs)
}

/// `{mount=="/"}`: reported, then read as `=`.
pub fn double_eq_in_matcher(errors: &mut Errors<'_>, op: Span) -> MatchOp {
    push(errors, SyntaxError::new(SyntaxErrorKind::DoubleEqInMatcher, op));
    MatchOp::Eq
}

pub fn metric(errors: &mut Errors<'_>, decl: MetricDecl) -> MetricDecl {
    if !matches!(decl.kind.name.as_str(), "gauge" | "counter" | "state") {
        push(
            errors,
            SyntaxError::new(
                SyntaxErrorKind::UnknownMetricKind(decl.kind.name.clone()),
                decl.kind.span,
            ),
        );
    }
    decl
}

/// `1` is the only number allowed in a unit expression (the dimensionless unit).
pub fn unit_one(errors: &mut Errors<'_>, (text, span): (&str, Span)) -> UnitExpr {
    // `1/s` lexes as one rate literal; in a unit it means 1 divided by `s`.
    if let Some(per) = text.strip_prefix("1/") {
        let per_span = Span::new(span.start + 2, span.end);
        return UnitExpr::Div(
            Box::new(UnitExpr::One(Span::new(span.start, span.start + 1))),
            Box::new(UnitExpr::Name(Ident::new(per, per_span))),
        );
    }
    if text != "1" {
        push(errors, SyntaxError::new(SyntaxErrorKind::NumberInUnit(text.to_string()), span));
    }
    UnitExpr::One(span)
}

pub fn unit_pow(
    errors: &mut Errors<'_>,
    base: UnitExpr,
    negative: bool,
    (text, exp_span): (&str, Span),
    span: Span,
) -> UnitExpr {
    // `s^2/h` lexes `2/h` as one rate literal; it means `(s^2) / h`.
    if let Some((power, per)) = text.split_once('/')
        && !per.is_empty()
    {
        let slash = exp_span.start + power.len();
        let pow = unit_pow(
            errors,
            base,
            negative,
            (power, Span::new(exp_span.start, slash)),
            Span::new(span.start, slash),
        );
        let per = UnitExpr::Name(Ident::new(per, Span::new(slash + 1, exp_span.end)));
        return UnitExpr::Div(Box::new(pow), Box::new(per));
    }
    let exponent = match text.parse::<i32>() {
        Ok(e) if e != 0 => e,
        _ => {
            push(
                errors,
                SyntaxError::new(SyntaxErrorKind::BadUnitExponent(text.to_string()), exp_span),
            );
            1
        }
    };
    UnitExpr::Pow(Box::new(base), if negative { -exponent } else { exponent }, span)
}

/// `expect LEVEL [STATE]`, or `expect event KIND`.
pub fn expectation(level: Ident, state: Option<Ident>) -> Expectation {
    match state {
        Some(kind) if level.name == "event" => Expectation::Event(kind),
        state => Expectation::State { level, state },
    }
}
