//! Turning the parser's "unexpected token, expected one of …" into what the
//! user most likely did: a typo in a keyword, a level clause without `when`,
//! a chained comparison — or else a description of what was expected.

use super::Token;
use crate::error::{Expected, SyntaxError, SyntaxErrorKind};
use crate::span::Span;
use crate::token::Tok;
use lalrpop_util::ParseError;

pub fn convert(
    error: ParseError<usize, Tok<'_>, SyntaxError>,
    tokens: &[Token<'_>],
    src: &str,
) -> SyntaxError {
    let len = src.len();
    match error {
        ParseError::User { error } => error,
        ParseError::InvalidToken { location } => SyntaxError::new(
            SyntaxErrorKind::BadChar('\u{fffd}'),
            Span::new(location, location + 1),
        ),
        ParseError::UnrecognizedEof { location, expected } => SyntaxError::new(
            SyntaxErrorKind::UnexpectedEof { expected: Expected(expected) },
            Span::point(location.min(len)),
        ),
        ParseError::UnrecognizedToken { token: (l, tok, r), expected } => {
            unexpected(tokens, src, l, tok, r, Expected(expected))
        }
        ParseError::ExtraToken { token: (l, tok, r) } => {
            unexpected(tokens, src, l, tok, r, Expected::default())
        }
    }
}

fn unexpected(
    tokens: &[Token<'_>],
    src: &str,
    l: usize,
    tok: Tok<'_>,
    r: usize,
    expected: Expected,
) -> SyntaxError {
    let span = Span::new(l, r);
    let index = tokens.partition_point(|t| t.0 < l);
    let previous = index.checked_sub(1).and_then(|i| tokens.get(i));

    if let Some(misspelled) = misspelled_keyword(tokens, index, &expected, src) {
        return misspelled;
    }
    if is_comparison(tok) && compares_before(tokens, index) {
        return SyntaxError::new(SyntaxErrorKind::ChainedComparison, span);
    }
    if expected.0.iter().any(|e| e == "\"when\"")
        && let Some((_, Tok::Ident(level), _)) = previous
    {
        return SyntaxError::new(SyntaxErrorKind::MissingWhen { level: level.to_string() }, span);
    }
    let after = previous.and_then(|p| p.1.keyword()).map(str::to_string);
    SyntaxError::new(SyntaxErrorKind::Unexpected { found: tok.to_string(), expected, after }, span)
}

fn is_comparison(tok: Tok<'_>) -> bool {
    matches!(tok, Tok::Lt | Tok::LtEq | Tok::Gt | Tok::GtEq | Tok::EqEq | Tok::NotEq)
}

/// Whether the expression that ends just before `index` already contains a
/// comparison at the same nesting depth (`30 < x < 80`). The search stops at
/// the words that begin an expression (`when`, `=`, `verify`, …).
fn compares_before(tokens: &[Token<'_>], index: usize) -> bool {
    let mut depth = 0i32;
    for &(_, tok, _) in tokens[..index.min(tokens.len())].iter().rev() {
        match tok {
            Tok::RParen | Tok::RBracket => depth += 1,
            Tok::LParen | Tok::LBracket if depth == 0 => return false,
            Tok::LParen | Tok::LBracket => depth -= 1,
            Tok::KwAnd | Tok::KwOr | Tok::KwNot if depth == 0 => return false,
            t if depth == 0 && is_comparison(t) => return true,
            t if t.keyword().is_some_and(|k| !matches!(k, "true" | "false" | "in" | "over")) => {
                return false;
            }
            Tok::Assign | Tok::LBrace | Tok::RBrace | Tok::Comma if depth == 0 => return false,
            _ => {}
        }
    }
    false
}

/// `evry 1m`, `polcy x on y {`: a word one typo away from a keyword is
/// reported as that typo when the keyword fits where it stands: either the
/// parser expected that keyword at the word, or the word begins a line
/// (where clauses and declarations begin) and the parser failed right after it.
fn misspelled_keyword(
    tokens: &[Token<'_>],
    index: usize,
    expected: &Expected,
    src: &str,
) -> Option<SyntaxError> {
    let at = |i: usize| -> Option<(&str, Span)> {
        match tokens.get(i)? {
            &(l, Tok::Ident(word), r) => Some((word, Span::new(l, r))),
            _ => None,
        }
    };
    let found = at(index).and_then(|(word, span)| {
        let keyword = closest_keyword(word)?;
        expected.0.iter().any(|e| e.trim_matches('"') == keyword).then_some((word, keyword, span))
    });
    let before = || {
        let (word, span) = at(index.checked_sub(1)?)?;
        let line_start = src[..span.start].rfind('\n').map_or(0, |i| i + 1);
        if !src[line_start..span.start].trim().is_empty() {
            return None;
        }
        Some((word, closest_keyword(word)?, span))
    };
    let (word, keyword, span) = found.or_else(before)?;
    Some(SyntaxError::new(
        SyntaxErrorKind::MisspelledKeyword { word: word.to_string(), keyword },
        span,
    ))
}

/// The keyword `word` is most likely a typo of: one edit away for words of
/// up to six letters, two for longer ones; short words are left alone
/// (`ok` is not a typo of `of`).
pub fn closest_keyword(word: &str) -> Option<&'static str> {
    if word.len() < 4 || word.contains('.') {
        return None;
    }
    let allowed = if word.len() <= 6 { 1 } else { 2 };
    crate::token::KEYWORDS
        .iter()
        .filter(|k| k.len() >= 4)
        .map(|k| (strsim::damerau_levenshtein(word, k), *k))
        .filter(|(d, _)| *d > 0 && *d <= allowed)
        .min()
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::closest_keyword;

    #[test]
    fn typos_of_keywords_are_recognised_and_real_words_are_not() {
        assert_eq!(closest_keyword("evry"), Some("every"));
        assert_eq!(closest_keyword("cooldwn"), Some("cooldown"));
        assert_eq!(closest_keyword("polcy"), Some("policy"));
        for word in ["warn", "crit", "info", "ok", "used", "every"] {
            assert_eq!(closest_keyword(word), None, "{word}");
        }
    }
}
