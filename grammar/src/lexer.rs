//! Turns source text into the token stream the parser reads.
//!
//! Wraps the logos lexer with what it cannot do alone: attaching rate
//! suffixes (`10MB/s`), setting comments aside for the formatter, and turning
//! every bad character or unterminated string into a [`LexError`] while the
//! stream goes on.

use crate::span::Span;
use crate::token::Tok;
use logos::Logos;

/// A comment, kept for the formatter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    /// The text after `//`, untrimmed.
    pub text: String,
}

/// What went wrong while lexing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexErrorKind {
    /// A character that starts no token.
    BadChar(char),
    /// A `%` that does not directly follow a number.
    StrayPercent,
    /// A `"` without its closing quote on the same line.
    UnterminatedString,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    pub kind: LexErrorKind,
    pub span: Span,
}

/// The result of lexing one file.
#[derive(Debug, Default)]
pub struct Lexed<'src> {
    pub tokens: Vec<(usize, Tok<'src>, usize)>,
    pub comments: Vec<Comment>,
    pub errors: Vec<LexError>,
}

/// Lexes `src` completely. Never fails: problems are collected in `errors`.
pub fn lex(src: &str) -> Lexed<'_> {
    let mut out = Lexed::default();
    let mut lexer = Tok::lexer(src);
    while let Some(result) = lexer.next() {
        let span = lexer.span();
        match result {
            Ok(Tok::Comment(text)) => out
                .comments
                .push(Comment { span: span.clone().into(), text: text[2..].to_string() }),
            Ok(Tok::Quantity(_)) => {
                let end = rate_suffix_end(src, span.end);
                if end > span.end {
                    lexer.bump(end - span.end);
                }
                out.tokens.push((span.start, Tok::Quantity(&src[span.start..end]), end));
            }
            Ok(Tok::UnterminatedStr(text)) => {
                out.errors.push(LexError {
                    kind: LexErrorKind::UnterminatedString,
                    span: Span::new(span.start, span.start + 1),
                });
                out.tokens.push((span.start, Tok::Str(text), span.end));
            }
            Ok(tok) => out.tokens.push((span.start, tok, span.end)),
            Err(()) => {
                let c = src[span.start..].chars().next().unwrap_or('\u{fffd}');
                let kind =
                    if c == '%' { LexErrorKind::StrayPercent } else { LexErrorKind::BadChar(c) };
                // Report a run of bad characters once, not once per byte.
                let end = span.start + c.len_utf8().max(span.len());
                match out.errors.last_mut() {
                    Some(prev) if prev.span.end == span.start && prev.kind == kind => {
                        prev.span.end = end
                    }
                    _ => out.errors.push(LexError { kind, span: Span::new(span.start, end) }),
                }
            }
        }
    }
    out
}

/// If a quantity ending at `end` is directly followed by `/letters` (as in
/// `10MB/s` or `100/s`), the offset where that rate suffix ends; else `end`.
///
/// The slash must touch both the number and the unit: `x / 2 / s` with spaces
/// stays a division, which is how the formatter prints divisions.
fn rate_suffix_end(src: &str, end: usize) -> usize {
    let rest = &src.as_bytes()[end..];
    if rest.first() != Some(&b'/') {
        return end;
    }
    let letters = rest[1..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let after = rest.get(1 + letters).copied();
    let continues_ident =
        after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
    if letters == 0 || continues_ident { end } else { end + 1 + letters }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::KEYWORDS;

    fn kinds(src: &str) -> Vec<Tok<'_>> {
        let lexed = lex(src);
        assert!(lexed.errors.is_empty(), "{:?}", lexed.errors);
        lexed.tokens.into_iter().map(|(_, t, _)| t).collect()
    }

    #[test]
    fn every_keyword_lexes_as_that_keyword() {
        for kw in KEYWORDS {
            let toks = kinds(kw);
            assert_eq!(toks.len(), 1, "{kw}");
            assert_eq!(toks[0].keyword(), Some(*kw), "{kw} is in KEYWORDS but not in the lexer");
        }
    }

    #[test]
    fn unit_literals_are_single_tokens() {
        for lit in ["20%", "1.5GiB", "500MB", "250ms", "10m", "3d", "10MB/s", "100/s", "0B", "1e6"]
        {
            assert_eq!(kinds(lit), vec![Tok::Quantity(lit)], "{lit}");
        }
    }

    #[test]
    fn division_with_spaces_or_by_identifier_is_not_a_rate() {
        assert_eq!(kinds("t/1m"), vec![Tok::Ident("t"), Tok::Slash, Tok::Quantity("1m")]);
        assert_eq!(kinds("2 / s"), vec![Tok::Quantity("2"), Tok::Slash, Tok::Ident("s")]);
        assert_eq!(kinds("2/cores"), vec![Tok::Quantity("2/cores")]);
        assert_eq!(kinds("2/s.x"), vec![Tok::Quantity("2"), Tok::Slash, Tok::Ident("s.x")]);
    }

    #[test]
    fn dotted_identifiers_and_import_lists() {
        assert_eq!(kinds("disk.free"), vec![Tok::Ident("disk.free")]);
        assert_eq!(
            kinds("std.actions.{a}"),
            vec![Tok::Ident("std.actions"), Tok::Dot, Tok::LBrace, Tok::Ident("a"), Tok::RBrace]
        );
    }

    #[test]
    fn calendar_tokens() {
        assert_eq!(
            kinds("2nd tue 22:00 01:00..05:00"),
            vec![
                Tok::Ordinal("2nd"),
                Tok::Ident("tue"),
                Tok::Time("22:00"),
                Tok::Time("01:00"),
                Tok::DotDot,
                Tok::Time("05:00")
            ]
        );
    }

    #[test]
    fn comments_are_set_aside() {
        let lexed = lex("a // one\nb");
        assert_eq!(lexed.tokens.len(), 2);
        assert_eq!(lexed.comments[0].text, " one");
        assert_eq!(lexed.comments[0].span, Span::new(2, 8));
    }

    #[test]
    fn strings_with_escapes_and_braces() {
        assert_eq!(kinds(r#""a \"b\" {c}""#), vec![Tok::Str(r#"a \"b\" {c}"#)]);
    }

    #[test]
    fn bad_input_is_reported_and_lexing_goes_on() {
        let lexed = lex("a $$ b \"open\nc % d");
        let kinds: Vec<_> = lexed.errors.iter().map(|e| e.kind.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                LexErrorKind::BadChar('$'),
                LexErrorKind::UnterminatedString,
                LexErrorKind::StrayPercent
            ]
        );
        assert_eq!(lexed.errors[0].span, Span::new(2, 4));
        assert_eq!(lexed.tokens.len(), 5);
    }
}
