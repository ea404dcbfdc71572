//! Deciding which errors are consequences of others.
//!
//! LR error recovery resynchronises by dropping tokens, and can resume in the
//! middle of the broken construct, fail again, and report the same mistake
//! twice. These rules keep one report per mistake:
//!
//! - a grammar error within [`CASCADE_TOKENS`] tokens after a previous error
//!   (lexical or grammatical) is a consequence of it;
//! - a grammar error that expects a declaration while the token is inside
//!   braces means the parser lost track of nesting after an earlier error;
//! - bracket errors found by [`super::delimiters`] are more precise than what
//!   the parser says at the same place, so they win there; an unclosed bracket
//!   replaces "the file ends where `}` was expected".
//!
//! Errors raised by grammar actions (`for 5`, `x = 1`, `l=="v"`) are precise
//! and always kept.

use super::Token;
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::token::Tok;

/// A grammar error this many tokens or fewer after the previous error is
/// taken as a consequence of it, not a new mistake.
const CASCADE_TOKENS: usize = 2;

pub fn keep_first_causes(
    tokens: &[Token<'_>],
    lex_errors: Vec<SyntaxError>,
    grammar_errors: Vec<(SyntaxError, bool)>,
    delimiter_errors: Vec<SyntaxError>,
) -> Vec<SyntaxError> {
    let token_at = |offset: usize| tokens.partition_point(|t| t.0 < offset);
    let depths = brace_depths(tokens);
    let mut kept: Vec<SyntaxError> = Vec::new();
    let mut recent: Vec<usize> = lex_errors.iter().map(|e| token_at(e.span.start)).collect();
    kept.extend(lex_errors);

    for (error, from_grammar) in grammar_errors {
        let token = token_at(error.span.start);
        if kept.iter().any(|k| k.span.start == error.span.start) {
            continue;
        }
        if from_grammar {
            let follows_another = recent.iter().any(|&r| r <= token && token <= r + CASCADE_TOKENS);
            let lost_nesting =
                expects_declaration(&error) && depths.get(token).is_some_and(|&d| d > 0);
            let has_earlier = !kept.is_empty();
            if follows_another || (lost_nesting && has_earlier) {
                continue;
            }
            recent.push(token);
        }
        kept.push(error);
    }

    let unclosed =
        delimiter_errors.iter().any(|e| matches!(e.kind, SyntaxErrorKind::Unclosed { .. }));
    if unclosed {
        kept.retain(|e| !matches!(e.kind, SyntaxErrorKind::UnexpectedEof { .. }));
    }
    for error in delimiter_errors {
        if matches!(error.kind, SyntaxErrorKind::UnmatchedClose { .. }) {
            // Replace the parser's report at the same token; skip it when an
            // earlier mistake probably caused the imbalance.
            let same = kept.iter().position(|k| k.span.start == error.span.start);
            let earlier = kept.iter().any(|k| k.span.start < error.span.start);
            match same {
                Some(i) if !earlier => kept[i] = error,
                Some(_) => {}
                None if earlier => {}
                None => kept.push(error),
            }
        } else {
            kept.push(error);
        }
    }
    kept.sort_by_key(|e| (e.span.start, e.span.end));
    kept
}

/// The brace depth at each token (and one past the end); braces count as
/// inside the block they open or close.
fn brace_depths(tokens: &[Token<'_>]) -> Vec<usize> {
    let mut depth = 0usize;
    let mut out = Vec::with_capacity(tokens.len() + 1);
    for (_, tok, _) in tokens {
        // A `}` counts as inside the block it closes.
        if *tok == Tok::LBrace {
            depth += 1;
        }
        out.push(depth);
        if *tok == Tok::RBrace {
            depth = depth.saturating_sub(1);
        }
    }
    out.push(depth);
    out
}

fn expects_declaration(error: &SyntaxError) -> bool {
    match &error.kind {
        SyntaxErrorKind::Unexpected { expected, .. } => {
            expected.0.iter().any(|t| t == "\"policy\"")
        }
        _ => false,
    }
}
