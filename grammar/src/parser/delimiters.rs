//! Bracket matching over the token stream, done before parsing so that a
//! missing `}` is reported where it was opened, not at the end of the file.

use crate::error::{SyntaxError, SyntaxErrorKind, closing};
use crate::span::Span;
use crate::token::Tok;

pub fn check(tokens: &[(usize, Tok<'_>, usize)]) -> Vec<SyntaxError> {
    let mut errors = Vec::new();
    let mut open: Vec<(char, Span)> = Vec::new();
    for &(l, ref tok, r) in tokens {
        let span = Span::new(l, r);
        match tok {
            Tok::LBrace => open.push(('{', span)),
            Tok::LParen => open.push(('(', span)),
            Tok::LBracket => open.push(('[', span)),
            Tok::RBrace | Tok::RParen | Tok::RBracket => {
                let close = match tok {
                    Tok::RBrace => '}',
                    Tok::RParen => ')',
                    _ => ']',
                };
                match open.iter().rposition(|(o, _)| closing(*o) == close) {
                    // Anything opened after the match was left unclosed.
                    Some(i) => {
                        for (o, s) in open.drain(i..).skip(1) {
                            errors.push(unclosed(o, s, span));
                        }
                        open.truncate(i);
                    }
                    None => errors
                        .push(SyntaxError::new(SyntaxErrorKind::UnmatchedClose { close }, span)),
                }
            }
            _ => {}
        }
    }
    let end = tokens.last().map_or(0, |t| t.2);
    for (o, s) in open {
        errors.push(unclosed(o, s, Span::point(end)));
    }
    errors
}

fn unclosed(open: char, at: Span, expected_by: Span) -> SyntaxError {
    SyntaxError::new(SyntaxErrorKind::Unclosed { open }, at)
        .with_related(expected_by, format!("`{}` expected by here", closing(open)))
}
