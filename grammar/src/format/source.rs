//! What the printer needs to know about the original text beyond the tree:
//! where the comments are (and whether each one has code before it on its
//! line), where blank lines were, and where a bracket opens.
//!
//! The tree keeps no comments, no blank lines and no brackets, so these facts
//! are read from the source text and its tokens. Every lookup is defensive:
//! [`super::format_file`] may be handed a tree whose spans do not fit the
//! text, and must not panic then either.

use crate::lexer::{self, Comment};
use crate::span::Span;
use crate::token::Tok;

/// A comment, ready to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct PlacedComment<'a> {
    pub start: usize,
    /// The text after `//`, without trailing whitespace (a `\r` of a CRLF
    /// file, or spaces nobody can see).
    pub text: &'a str,
    /// Nothing but whitespace before it on its line. Otherwise it ends a
    /// line of code and stays at the end of a printed line.
    pub own_line: bool,
}

/// The source text with its comments and tokens.
#[derive(Debug)]
pub(super) struct Source<'a> {
    text: &'a str,
    comments: Vec<PlacedComment<'a>>,
    tokens: Vec<(usize, Tok<'a>, usize)>,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str, comments: &'a [Comment]) -> Self {
        let mut placed: Vec<PlacedComment<'a>> = comments
            .iter()
            .map(|c| PlacedComment {
                start: c.span.start,
                text: c.text.trim_end(),
                own_line: is_first_on_its_line(text, c.span.start),
            })
            .collect();
        placed.sort_by_key(|c| c.start);
        Source { text, comments: placed, tokens: lexer::lex(text).tokens }
    }

    /// All comments, in source order.
    pub fn comments(&self) -> &[PlacedComment<'a>] {
        &self.comments
    }

    /// Whether a comment starts in `from..to`.
    pub fn has_comment_between(&self, from: usize, to: usize) -> bool {
        let first = self.comments.partition_point(|c| c.start < from);
        self.comments.get(first).is_some_and(|c| c.start < to)
    }

    /// Whether the source had at least one empty line right before the
    /// token or comment that starts at `pos`.
    pub fn blank_line_before(&self, pos: usize) -> bool {
        let Some(before) = self.text.get(..pos) else {
            return false;
        };
        let code = before.trim_end_matches(is_layout);
        !code.is_empty() && before[code.len()..].matches('\n').count() >= 2
    }

    /// The end of the bracket `open` that a list or block starts with, given
    /// the start of its first item (or of its closing bracket when empty):
    /// the last such token before that point. Falls back to `first` itself.
    pub fn opener_end(&self, open: Tok<'static>, first: usize) -> usize {
        let before = self.tokens.partition_point(|t| t.2 <= first);
        self.tokens[..before].iter().rev().find(|t| t.1 == open).map_or(first, |t| t.2)
    }

    /// The text of `span`, or nothing when the span does not fit the text.
    pub fn slice(&self, span: Span) -> &'a str {
        self.text.get(span.range()).unwrap_or("")
    }
}

/// The whitespace the lexer skips.
fn is_layout(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{c}')
}

fn is_first_on_its_line(text: &str, pos: usize) -> bool {
    let before = text.get(..pos).unwrap_or("");
    let line = before.rsplit('\n').next().unwrap_or("");
    line.chars().all(is_layout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;

    fn with_source<R>(text: &str, f: impl FnOnce(&Source<'_>) -> R) -> R {
        let comments = lex(text).comments;
        f(&Source::new(text, &comments))
    }

    #[test]
    fn comments_know_whether_code_precedes_them() {
        with_source("a // one\n  // two\nb //three  \r\n", |s| {
            let got: Vec<_> = s.comments().iter().map(|c| (c.text, c.own_line)).collect();
            assert_eq!(got, vec![(" one", false), (" two", true), ("three", false)]);
        });
    }

    #[test]
    fn blank_lines_are_seen_through_comments_and_indentation() {
        let text = "a\n\n  // c\n  b\nc\r\n\r\nd";
        with_source(text, |s| {
            let at = |needle: &str| text.find(needle).unwrap();
            assert!(s.blank_line_before(at("// c")));
            assert!(!s.blank_line_before(at("b")));
            assert!(s.blank_line_before(at("d")));
            assert!(!s.blank_line_before(0));
            assert!(!s.blank_line_before(999));
        });
    }

    #[test]
    fn spans_that_do_not_fit_the_text_read_as_nothing() {
        with_source("a é", |s| {
            assert_eq!(s.slice(Span::new(0, 1)), "a");
            assert_eq!(s.slice(Span::new(3, 4)), "");
            assert_eq!(s.slice(Span::new(2, 99)), "");
            assert_eq!(s.opener_end(Tok::LBrace, 99), 99);
        });
    }

    #[test]
    fn openers_are_found_before_the_first_item() {
        let text = "f(x in [ // c\n (1), 2])";
        with_source(text, |s| {
            let one = text.find('1').unwrap();
            let bracket = text.find('[').unwrap();
            assert_eq!(s.opener_end(Tok::LBracket, one), bracket + 1);
            assert_eq!(s.opener_end(Tok::LBrace, one), one);
            assert!(s.has_comment_between(bracket, one));
            assert!(!s.has_comment_between(one, text.len()));
        });
    }
}
