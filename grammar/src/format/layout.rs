//! Bracketed sequences and their two layouts.
//!
//! A *block* (`{ … }` of a policy, task, test, `on` or `escalate`) always
//! puts one item per line, keeping single blank lines of the source between
//! items; an empty block without comments prints as `{}`.
//!
//! A *list* (`[…]`, exec argv, `x in […]`) or *record* (`{ k: v }`, the
//! `labels { … }` clause) stays on one line unless, written on one line, it
//! would end past column [`MAX_WIDTH`], or a comment sits between its
//! brackets; then it
//! prints one item per line, each with a trailing comma, and no blank lines.
//! Both conditions hold again for the printed result (a comment between the
//! brackets is printed between them), so the choice is stable.

use super::printer::{BlankLines, Printer};
use crate::span::Span;
use crate::token::Tok;

/// Indentation of each nesting level, in spaces.
pub(super) const INDENT: usize = 2;

/// The column a list or record may reach before it is broken over lines.
pub(super) const MAX_WIDTH: usize = 100;

/// The punctuation of one kind of sequence.
#[derive(Clone, Copy, Debug)]
pub(super) struct Delims {
    open: Tok<'static>,
    open_text: &'static str,
    close_text: &'static str,
    /// After each item when broken over lines.
    terminator: &'static str,
    /// A space inside the brackets on one line: `{ a: 1 }`.
    padded: bool,
    blank: BlankLines,
}

/// The body of a policy, task, test, `on` or `escalate`.
pub(super) const BLOCK: Delims = Delims {
    open: Tok::LBrace,
    open_text: "{",
    close_text: "}",
    terminator: "",
    padded: false,
    blank: BlankLines::Keep,
};

pub(super) const LIST: Delims = Delims {
    open: Tok::LBracket,
    open_text: "[",
    close_text: "]",
    terminator: ",",
    padded: false,
    blank: BlankLines::Drop,
};

pub(super) const RECORD: Delims = Delims {
    open: Tok::LBrace,
    open_text: "{",
    close_text: "}",
    terminator: ",",
    padded: true,
    blank: BlankLines::Drop,
};

/// Prints a block: `{`, one item per line, `}`. `closer` is where the
/// source's `}` is.
pub(super) fn block<'a, T>(
    p: &mut Printer<'a>,
    items: &[T],
    closer: usize,
    span: impl Fn(&T) -> Span,
    print: impl Fn(&mut Printer<'a>, &T),
) {
    let first = items.first().map_or(closer, |item| span(item).start);
    let opener_end = p.source().opener_end(BLOCK.open, first);
    if items.is_empty() && !p.source().has_comment_between(opener_end, closer) {
        p.word("{}");
        return;
    }
    one_per_line(p, BLOCK, items, opener_end, closer, span, print);
}

/// Prints a comma-separated list or record, on one line if it fits and
/// holds no comment, else one item per line.
pub(super) fn sequence<'a, T>(
    p: &mut Printer<'a>,
    delims: Delims,
    items: &[T],
    closer: usize,
    span: impl Fn(&T) -> Span,
    print: impl Fn(&mut Printer<'a>, &T),
) {
    let one_line = |p: &mut Printer<'a>| {
        if items.is_empty() {
            p.word(delims.open_text);
            p.word(delims.close_text);
            return;
        }
        p.word(delims.open_text);
        if delims.padded {
            p.word(" ");
        }
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                p.word(", ");
            }
            print(p, item);
        }
        if delims.padded {
            p.word(" ");
        }
        p.word(delims.close_text);
    };
    if p.is_flat() {
        return one_line(p);
    }
    let first = items.first().map_or(closer, |item| span(item).start);
    let opener_end = p.source().opener_end(delims.open, first);
    let commented = p.source().has_comment_between(opener_end, closer);
    if !commented && (items.is_empty() || p.column() + p.width_of(one_line) <= MAX_WIDTH) {
        return one_line(p);
    }
    one_per_line(p, delims, items, opener_end, closer, span, print);
}

fn one_per_line<'a, T>(
    p: &mut Printer<'a>,
    delims: Delims,
    items: &[T],
    opener_end: usize,
    closer: usize,
    span: impl Fn(&T) -> Span,
    print: impl Fn(&mut Printer<'a>, &T),
) {
    let outer = p.line_indent();
    let inner = outer + INDENT;
    let start_of = |i: usize| items.get(i).map_or(closer, |item| span(item).start);
    p.word(delims.open_text);
    p.open_block();
    p.end_line(opener_end, start_of(0), inner, delims.blank);
    for (i, item) in items.iter().enumerate() {
        let item_span = span(item);
        p.begin_unit(inner, item_span.start, delims.blank);
        print(p, item);
        p.word(delims.terminator);
        p.end_unit(item_span.end, start_of(i + 1), inner, delims.blank);
    }
    p.begin_line(outer, closer, BlankLines::Drop);
    p.word(delims.close_text);
}
