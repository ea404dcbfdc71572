//! Which parentheses an expression needs: exactly those without which the
//! grammar would read it differently.
//!
//! The grammar's expression nonterminals form a ladder, loosest first:
//! `Expr` (`if … then … else`, allowed only at the top of an expression),
//! `OrExpr`, `AndExpr`, `NotExpr` (prefix `not`), `CmpExpr` (comparisons,
//! which do not chain), `InExpr` (`x in […]`, whose left side is an additive
//! expression), `AddExpr`, `MulExpr`, `UnaryExpr` (prefix `-`), `Primary`.
//! [`Level`] mirrors that ladder. Each node has the level of the rule that
//! builds it, each operand position demands a level, and an operand whose
//! level is looser than demanded is parenthesised.

use crate::ast::{BinaryOp, Expr, ExprKind, UnaryOp};

/// A rung of the grammar's expression ladder, loosest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Level {
    /// `if … then … else …`: only at the top of an expression.
    Expr,
    Or,
    And,
    /// Prefix `not`.
    Not,
    Cmp,
    In,
    Add,
    Mul,
    /// Prefix `-`.
    Unary,
    Primary,
}

impl Level {
    /// The next tighter rung.
    pub fn tighter(self) -> Level {
        match self {
            Level::Expr => Level::Or,
            Level::Or => Level::And,
            Level::And => Level::Not,
            Level::Not => Level::Cmp,
            Level::Cmp => Level::In,
            Level::In => Level::Add,
            Level::Add => Level::Mul,
            Level::Mul => Level::Unary,
            Level::Unary | Level::Primary => Level::Primary,
        }
    }

    /// The rung that parses `e` as written without parentheses.
    pub fn of(e: &Expr) -> Level {
        match &e.kind {
            ExprKind::If { .. } => Level::Expr,
            ExprKind::Binary { op, .. } => Level::of_binary(*op),
            ExprKind::Unary { op, .. } => Level::of_unary(*op),
            ExprKind::In { .. } => Level::In,
            ExprKind::Quantity(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Name(_)
            | ExprKind::Selector { .. }
            | ExprKind::Call { .. }
            | ExprKind::List(_)
            | ExprKind::Record(_)
            | ExprKind::Error => Level::Primary,
        }
    }

    pub fn of_binary(op: BinaryOp) -> Level {
        match op {
            BinaryOp::Or => Level::Or,
            BinaryOp::And => Level::And,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => Level::Cmp,
            BinaryOp::Add | BinaryOp::Sub => Level::Add,
            BinaryOp::Mul | BinaryOp::Div => Level::Mul,
        }
    }

    pub fn of_unary(op: UnaryOp) -> Level {
        match op {
            UnaryOp::Not => Level::Not,
            UnaryOp::Neg => Level::Unary,
        }
    }
}

/// The levels the left and right operands of `op` must have.
///
/// `or`, `and`, `+ -` and `* /` are left-associative: the left operand may be
/// the same operator again, the right one must bind tighter (`a - (b - c)`).
/// Comparisons do not chain, so neither side may be a comparison.
pub(super) fn binary_operands(op: BinaryOp) -> (Level, Level) {
    let own = Level::of_binary(op);
    if own == Level::Cmp { (own.tighter(), own.tighter()) } else { (own, own.tighter()) }
}

/// The level the operand of a prefix operator must have: `not not a` and
/// `--a` nest, `not a and b` would not mean `not (a and b)`.
pub(super) fn unary_operand(op: UnaryOp) -> Level {
    Level::of_unary(op)
}

/// The level of the value left of `in`: an additive expression.
pub(super) const IN_VALUE: Level = Level::Add;

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [BinaryOp; 12] = [
        BinaryOp::Or,
        BinaryOp::And,
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
    ];

    #[test]
    fn levels_agree_with_the_ast_precedence() {
        for a in ALL {
            for b in ALL {
                assert_eq!(
                    a.precedence().cmp(&b.precedence()),
                    Level::of_binary(a).cmp(&Level::of_binary(b)),
                    "{a:?} vs {b:?}"
                );
            }
        }
    }

    #[test]
    fn prefix_operators_sit_where_the_grammar_puts_them() {
        // `not` binds looser than comparisons, `-` tighter than `*`.
        assert!(Level::Not < Level::of_binary(BinaryOp::Lt));
        assert!(Level::Not > Level::of_binary(BinaryOp::And));
        assert!(Level::Unary > Level::of_binary(BinaryOp::Mul));
        assert!(Level::In > Level::Cmp && IN_VALUE == Level::In.tighter());
    }

    #[test]
    fn operand_levels() {
        assert_eq!(binary_operands(BinaryOp::Sub), (Level::Add, Level::Mul));
        assert_eq!(binary_operands(BinaryOp::Lt), (Level::In, Level::In));
        assert_eq!(binary_operands(BinaryOp::Or), (Level::Or, Level::And));
        assert_eq!(unary_operand(UnaryOp::Neg), Level::Unary);
    }
}
