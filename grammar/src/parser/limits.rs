//! Size limits that keep every pass over the tree within the stack.
//!
//! The parser itself does not recurse, but everything after it does (tree
//! walks, the formatter, the checker, dropping the tree), and a tree is as
//! deep as its deepest expression. An expression's depth is at most its
//! bracket nesting plus the number of operators in it, so both are bounded
//! here, on the tokens, before a tree exists. The limits are far beyond any
//! policy a person would write.

use super::Token;
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::span::Span;
use crate::token::Tok;

/// Brackets (`(`, `[`, `{`) open at once.
pub const MAX_NESTING: usize = 64;
/// Operators in one statement (a clause, a step, a list element…).
pub const MAX_OPERATORS: usize = 256;

/// The first place the input goes past a limit, if any.
pub fn check(tokens: &[Token<'_>]) -> Option<SyntaxError> {
    let mut depth = 0usize;
    let mut operators = 0usize;
    for &(l, tok, r) in tokens {
        let span = Span::new(l, r);
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(too_deep(
                        SyntaxErrorKind::NestedTooDeeply { limit: MAX_NESTING },
                        span,
                    ));
                }
            }
            Tok::RParen | Tok::RBracket | Tok::RBrace => depth = depth.saturating_sub(1),
            Tok::Comma => operators = 0,
            t if is_operator(t) => {
                operators += 1;
                if operators > MAX_OPERATORS {
                    return Some(too_deep(
                        SyntaxErrorKind::TooManyOperators { limit: MAX_OPERATORS },
                        span,
                    ));
                }
            }
            // Any other keyword starts a new statement.
            t if t.keyword().is_some() => operators = 0,
            _ => {}
        }
    }
    None
}

fn too_deep(kind: SyntaxErrorKind, span: Span) -> SyntaxError {
    SyntaxError::new(kind, span)
}

fn is_operator(tok: Tok<'_>) -> bool {
    use Tok::*;
    matches!(
        tok,
        Plus | Minus
            | Star
            | Slash
            | Caret
            | EqEq
            | NotEq
            | Lt
            | LtEq
            | Gt
            | GtEq
            | Assign
            | KwAnd
            | KwOr
            | KwNot
            | KwIf
            | KwThen
            | KwElse
            | KwIn
            | KwOver
            | KwBy
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;

    fn limit_error(src: &str) -> Option<SyntaxErrorKind> {
        check(&lex(src).tokens).map(|e| e.kind)
    }

    #[test]
    fn ordinary_files_are_far_below_the_limits() {
        let many_clauses = "policy p on f {\n".to_string()
            + &"  warn when a + b * c > d and e < f\n".repeat(500)
            + "}";
        assert_eq!(limit_error(&many_clauses), None);
        let long_list = format!("fleet f = hosts where x in [{}]", vec!["-1"; 5000].join(", "));
        assert_eq!(limit_error(&long_list), None);
    }

    #[test]
    fn deep_or_long_expressions_are_refused() {
        assert_eq!(
            limit_error(&"(".repeat(65)),
            Some(SyntaxErrorKind::NestedTooDeeply { limit: 64 })
        );
        let chain = "fn f() = ".to_string() + &"x + ".repeat(300) + "x";
        assert_eq!(limit_error(&chain), Some(SyntaxErrorKind::TooManyOperators { limit: 256 }));
        assert_eq!(
            limit_error(&"-".repeat(300)),
            Some(SyntaxErrorKind::TooManyOperators { limit: 256 })
        );
    }
}
