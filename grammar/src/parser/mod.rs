//! The `parse()` facade: lexes, runs the generated LR parser with error
//! recovery, and turns every problem into a [`SyntaxError`]. lalrpop's types
//! stay inside this module so the parser could be replaced without touching
//! its users.

pub(crate) mod actions;
mod cascade;
mod delimiters;
mod explain;
mod limits;
mod messages;

use crate::ast::File;
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::lexer::{self, Comment, LexErrorKind};
use crate::span::Span;
use crate::token::Tok;
use lalrpop_util::{ErrorRecovery, ParseError};

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused, missing_debug_implementations)]
    grammar,
    "/parser/grammar.rs"
);

type Token<'src> = (usize, Tok<'src>, usize);

/// A parsed file: the tree (with `Error` nodes where parts did not parse),
/// the comments set aside for the formatter, and every syntax error, in
/// source order.
#[derive(Debug)]
pub struct Parsed {
    pub file: File,
    pub comments: Vec<Comment>,
    pub errors: Vec<SyntaxError>,
}

impl Parsed {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Parses one `.upk` file. Never panics and never fails: a file with errors
/// still yields a tree.
pub fn parse(src: &str) -> Parsed {
    let lexed = lexer::lex(src);
    let lex_errors: Vec<SyntaxError> = lexed
        .errors
        .iter()
        .map(|e| {
            let kind = match e.kind {
                LexErrorKind::BadChar(c) => SyntaxErrorKind::BadChar(c),
                LexErrorKind::StrayPercent => SyntaxErrorKind::StrayPercent,
                LexErrorKind::UnterminatedString => SyntaxErrorKind::UnterminatedString,
            };
            SyntaxError::new(kind, e.span)
        })
        .collect();

    if let Some(error) = limits::check(&lexed.tokens) {
        // Too deep to build a tree that later passes can walk: report only this.
        let mut errors = lex_errors;
        errors.push(error);
        errors.sort_by_key(|e| (e.span.start, e.span.end));
        return Parsed {
            file: File { items: Vec::new(), span: Span::new(0, src.len()) },
            comments: lexed.comments,
            errors,
        };
    }

    let mut recovered = Vec::new();
    let result = grammar::FileParser::new().parse(&mut recovered, lexed.tokens.iter().copied());
    let mut items = match result {
        Ok(file) => file.items,
        Err(error) => {
            recovered.push(ErrorRecovery { error, dropped_tokens: Vec::new() });
            Vec::new()
        }
    };
    let grammar_errors: Vec<(SyntaxError, bool)> = recovered
        .into_iter()
        .map(|rec| {
            let from_grammar = !matches!(rec.error, ParseError::User { .. });
            (explain::convert(rec.error, &lexed.tokens, src), from_grammar)
        })
        .collect();
    let delimiter_errors = delimiters::check(&lexed.tokens);
    let errors =
        cascade::keep_first_causes(&lexed.tokens, lex_errors, grammar_errors, delimiter_errors);
    messages::attach_level_messages(&mut items, src);
    let file = File { items, span: Span::new(0, src.len()) };
    Parsed { file, comments: lexed.comments, errors }
}

#[cfg(test)]
mod tests;
