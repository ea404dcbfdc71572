//! The `parse()` facade: lexes, runs the generated LR parser with error
//! recovery, and turns every problem into a [`SyntaxError`]. lalrpop's types
//! stay inside this module so the parser could be replaced without touching
//! its users.

pub(crate) mod actions;
mod delimiters;

use crate::ast::File;
use crate::error::{Expected, SyntaxError, SyntaxErrorKind};
use crate::lexer::{self, Comment, LexErrorKind};
use crate::span::Span;
use crate::token::Tok;
use lalrpop_util::ParseError;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused, missing_debug_implementations)]
    grammar,
    "/parser/grammar.rs"
);

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
    let mut errors: Vec<SyntaxError> = lexed
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
    let delimiter_errors = delimiters::check(&lexed.tokens);

    let mut recovered = Vec::new();
    let result = grammar::FileParser::new().parse(&mut recovered, lexed.tokens.iter().copied());
    let file = match result {
        Ok(file) => file,
        Err(error) => {
            recovered.push(lalrpop_util::ErrorRecovery { error, dropped_tokens: Vec::new() });
            File { items: Vec::new(), span: Span::new(0, src.len()) }
        }
    };
    let mut parse_errors: Vec<SyntaxError> = Vec::new();
    let mut last_reported_token: Option<usize> = None;
    for rec in recovered {
        let from_grammar = !matches!(rec.error, ParseError::User { .. });
        let error = convert(rec.error, &lexed.tokens, src.len());
        // One mistake, one report: recovery can fail again at the same token,
        // or resume on a word inside the broken clause and fail a token or two
        // later. Errors the grammar actions report are precise and always kept.
        let token = lexed.tokens.partition_point(|t| t.0 < error.span.start);
        let cascade = last_reported_token.is_some_and(|last| token <= last + CASCADE_TOKENS);
        if parse_errors.iter().any(|e| e.span.start == error.span.start) || (from_grammar && cascade) {
            continue;
        }
        if from_grammar {
            last_reported_token = Some(token);
        }
        parse_errors.push(error);
    }
    merge_delimiter_errors(&mut parse_errors, delimiter_errors);
    errors.extend(parse_errors);
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    let file = File { items: file.items, span: Span::new(0, src.len()) };
    Parsed { file, comments: lexed.comments, errors }
}

/// Unclosed brackets say more than "the file ends where `}` was expected",
/// so they replace it; a stray closer is reported only when nothing before
/// it went wrong (otherwise it is usually the same mistake seen twice).
fn merge_delimiter_errors(parse_errors: &mut Vec<SyntaxError>, delimiter: Vec<SyntaxError>) {
    let has_unclosed = delimiter.iter().any(|e| matches!(e.kind, SyntaxErrorKind::Unclosed { .. }));
    if has_unclosed {
        parse_errors.retain(|e| !matches!(e.kind, SyntaxErrorKind::UnexpectedEof { .. }));
    }
    for error in delimiter {
        let earlier = parse_errors.iter().any(|p| p.span.start <= error.span.start);
        if matches!(error.kind, SyntaxErrorKind::UnmatchedClose { .. }) && earlier {
            continue;
        }
        parse_errors.push(error);
    }
}

/// A grammar error this many tokens or fewer after the previous one is taken
/// as a consequence of it, not a new mistake.
const CASCADE_TOKENS: usize = 2;

type Token<'src> = (usize, Tok<'src>, usize);

fn convert(
    error: ParseError<usize, Tok<'_>, SyntaxError>,
    tokens: &[Token<'_>],
    len: usize,
) -> SyntaxError {
    match error {
        ParseError::User { error } => error,
        ParseError::InvalidToken { location } => SyntaxError::new(
            SyntaxErrorKind::BadChar('\u{fffd}'),
            Span::new(location, location + 1),
        ),
        ParseError::UnrecognizedEof { location, expected } => {
            let at = location.min(len);
            SyntaxError::new(
                SyntaxErrorKind::UnexpectedEof { expected: Expected(expected) },
                Span::point(at),
            )
        }
        ParseError::UnrecognizedToken { token: (l, tok, r), expected } => {
            unexpected(tokens, l, tok, r, Expected(expected))
        }
        ParseError::ExtraToken { token: (l, tok, r) } => {
            unexpected(tokens, l, tok, r, Expected::default())
        }
    }
}

fn unexpected(
    tokens: &[Token<'_>],
    l: usize,
    tok: Tok<'_>,
    r: usize,
    expected: Expected,
) -> SyntaxError {
    let span = Span::new(l, r);
    let index = tokens.partition_point(|t| t.0 < l);
    let previous = index.checked_sub(1).and_then(|i| tokens.get(i)).map(|t| t.1);
    let expects = |t: &str| expected.0.iter().any(|e| e == t);

    if expects("\"when\"")
        && let Some(Tok::Ident(level)) = previous
    {
        return SyntaxError::new(SyntaxErrorKind::MissingWhen { level: level.to_string() }, span);
    }
    let is_comparison =
        matches!(tok, Tok::Lt | Tok::LtEq | Tok::Gt | Tok::GtEq | Tok::EqEq | Tok::NotEq);
    if is_comparison && expects("\"and\"") && !expects("\"<\"") {
        return SyntaxError::new(SyntaxErrorKind::ChainedComparison, span);
    }
    let after = previous.and_then(|p| p.keyword()).map(str::to_string);
    SyntaxError::new(SyntaxErrorKind::Unexpected { found: tok.to_string(), expected, after }, span)
}

#[cfg(test)]
mod tests;
