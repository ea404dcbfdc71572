//! The output buffer: lines, indentation, blank lines, and the placement of
//! comments.
//!
//! Comments are placed only where a line ends ([`Printer::end_line`]), from
//! what the caller says about the line just printed: which source it covered
//! and where the next line's source starts. Every comment that starts before
//! that next line is placed then, so none can be left behind:
//!
//! - a comment that ended a source line stays at the end of the printed line
//!   (if several land on one line, all but the last move above it, since two
//!   `//` comments cannot share a line), aligned with its neighbours by
//!   [`align_trailing_comments`] at the end;
//! - an own-line comment inside the printed source moves above the unit
//!   (declaration, clause, step, test item or list item) being printed;
//! - an own-line comment between this line and the next goes between them,
//!   at the next line's indentation.
//!
//! The printer also bounds how deep expression printing recurses
//! ([`Printer::nested`]), so that no input can overflow the stack.

use super::align::align_trailing_comments;
use super::source::{PlacedComment, Source};

/// Whether empty lines of the source are kept (one at most) before a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BlankLines {
    Keep,
    Drop,
}

#[derive(Debug)]
pub(super) struct Printer<'a> {
    source: &'a Source<'a>,
    out: String,
    /// Where the current line starts in `out` (before its indentation).
    line_start: usize,
    line_indent: usize,
    /// Measuring the one-line form of something: no line breaks, no comments.
    flat: bool,
    /// The next line is the first inside a block: no blank line before it.
    at_block_start: bool,
    /// Where each unit being printed (a declaration, clause, step, test
    /// item or list item, outermost first) starts in `out`, and its
    /// indentation. Comments that must leave a line go above the innermost
    /// unit's first line: above the current line they could land inside a
    /// list broken over lines, where the next run would leave them.
    units: Vec<(usize, usize)>,
    /// Comments before this index are printed.
    next_comment: usize,
    /// Where each comment at the end of a line starts in `out` (at the space
    /// before `//`), for [`align_trailing_comments`].
    trailing: Vec<usize>,
    /// How many expressions deep the printer is, and whether it went past
    /// [`MAX_DEPTH`] and stopped (see [`Printer::nested`]).
    depth: usize,
    too_deep: bool,
}

/// How deeply nested an expression the printer recurses into. Far beyond
/// what a person writes; well within a 2 MiB thread stack in a debug build.
pub(super) const MAX_DEPTH: usize = 256;

impl<'a> Printer<'a> {
    pub fn new(source: &'a Source<'a>) -> Self {
        Printer {
            source,
            out: String::new(),
            line_start: 0,
            line_indent: 0,
            flat: false,
            at_block_start: false,
            units: Vec::new(),
            next_comment: 0,
            trailing: Vec::new(),
            depth: 0,
            too_deep: false,
        }
    }

    pub fn source(&self) -> &'a Source<'a> {
        self.source
    }

    pub fn word(&mut self, text: &str) {
        self.out.push_str(text);
    }

    pub fn is_flat(&self) -> bool {
        self.flat
    }

    /// The width of the current line so far, in characters.
    pub fn column(&self) -> usize {
        self.out[self.line_start..].chars().count()
    }

    pub fn line_indent(&self) -> usize {
        self.line_indent
    }

    /// How wide `print` writes when nothing is broken over lines.
    pub fn width_of(&mut self, print: impl FnOnce(&mut Printer<'a>)) -> usize {
        let mut measure = Printer::new(self.source);
        measure.flat = true;
        measure.depth = self.depth;
        print(&mut measure);
        self.too_deep |= measure.too_deep;
        measure.out.chars().count()
    }

    /// Runs `print` one level of nesting deeper, unless that is deeper than
    /// [`MAX_DEPTH`]: then nothing more is printed and [`Printer::gave_up`]
    /// says so. Recursion is bounded whatever the input.
    pub fn nested(&mut self, print: impl FnOnce(&mut Printer<'a>)) {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.too_deep = true;
        }
        if !self.too_deep {
            print(self);
        }
        self.depth -= 1;
    }

    /// Whether some expression was nested too deeply to print.
    pub fn gave_up(&self) -> bool {
        self.too_deep
    }

    /// Whether the text so far ends in a digit.
    pub fn ends_with_digit(&self) -> bool {
        self.out.ends_with(|c: char| c.is_ascii_digit())
    }

    /// The line about to end opens a block: the first line inside it gets
    /// no blank line before it.
    pub fn open_block(&mut self) {
        self.at_block_start = true;
    }

    /// Starts a line for the source that starts at `at`.
    pub fn begin_line(&mut self, indent: usize, at: usize, blank: BlankLines) {
        let blank_before = blank == BlankLines::Keep
            && !self.at_block_start
            && !self.out.is_empty()
            && self.source.blank_line_before(at);
        self.at_block_start = false;
        if blank_before {
            self.out.push('\n');
        }
        self.line_start = self.out.len();
        self.line_indent = indent;
        self.out.extend(std::iter::repeat_n(' ', indent));
    }

    /// Starts a unit: the first line of a declaration, clause, step, test
    /// item or list item.
    pub fn begin_unit(&mut self, indent: usize, at: usize, blank: BlankLines) {
        self.begin_line(indent, at, blank);
        self.units.push((self.line_start, indent));
    }

    /// Ends the last line of the innermost unit, as [`Printer::end_line`].
    pub fn end_unit(&mut self, covered: usize, next: usize, next_indent: usize, blank: BlankLines) {
        self.end_line(covered, next, next_indent, blank);
        self.units.pop();
    }

    /// Ends the current line, which printed source up to `covered`; the next
    /// line will print source from `next` on, at `next_indent`. Places every
    /// comment that starts before `next` (see the module header).
    pub fn end_line(&mut self, covered: usize, next: usize, next_indent: usize, blank: BlankLines) {
        let pending = self.take_comments_before(next);
        let trailing = pending.iter().rposition(|c| !c.own_line);
        let mut below = Vec::new();
        for (i, comment) in pending.iter().enumerate() {
            if Some(i) == trailing {
                continue;
            }
            if comment.own_line && comment.start >= covered {
                below.push(*comment);
            } else {
                self.hoist(comment.text);
            }
        }
        if let Some(i) = trailing {
            self.trailing.push(self.out.len());
            self.out.push_str(" //");
            self.out.push_str(pending[i].text);
        }
        self.out.push('\n');
        self.line_start = self.out.len();
        for comment in below {
            self.comment_line(next_indent, &comment, blank);
        }
    }

    /// Prints the comments before `next` on lines of their own: those that
    /// start a file, before any line of code.
    pub fn comment_lines_before(&mut self, next: usize, indent: usize, blank: BlankLines) {
        for comment in self.take_comments_before(next) {
            self.comment_line(indent, &comment, blank);
        }
    }

    /// The text: end-of-line comments aligned, one newline at the end, none
    /// at the start.
    pub fn finish(self) -> String {
        let aligned = align_trailing_comments(&self.out, &self.trailing);
        let body = aligned.trim_end_matches('\n');
        if body.is_empty() { String::new() } else { format!("{body}\n") }
    }

    fn take_comments_before(&mut self, next: usize) -> Vec<PlacedComment<'a>> {
        if self.flat {
            return Vec::new();
        }
        let rest = &self.source.comments()[self.next_comment..];
        let count = rest.partition_point(|c| c.start < next);
        self.next_comment += count;
        rest[..count].to_vec()
    }

    fn comment_line(&mut self, indent: usize, comment: &PlacedComment<'_>, blank: BlankLines) {
        self.begin_line(indent, comment.start, blank);
        self.out.push_str("//");
        self.out.push_str(comment.text);
        self.out.push('\n');
        self.line_start = self.out.len();
    }

    /// Inserts a comment line above the innermost unit, at its indentation.
    fn hoist(&mut self, text: &str) {
        let (at, indent) =
            self.units.last().copied().unwrap_or((self.line_start, self.line_indent));
        let line = format!("{:indent$}//{text}\n", "");
        self.out.insert_str(at, &line);
        // Enclosing units start on earlier lines; only this one and the
        // current line move down.
        if let Some(unit) = self.units.last_mut() {
            unit.0 += line.len();
        }
        self.line_start += line.len();
        for code_end in self.trailing.iter_mut().filter(|end| **end >= at) {
            *code_end += line.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;

    /// Prints each excerpt of `text` as one line showing its first word.
    fn print(text: &str, lines: &[(&str, usize)]) -> String {
        let comments = lex(text).comments;
        let source = Source::new(text, &comments);
        let mut p = Printer::new(&source);
        p.comment_lines_before(text.find(lines[0].0).unwrap(), 0, BlankLines::Keep);
        for (i, (code, indent)) in lines.iter().enumerate() {
            let at = text.find(code).unwrap();
            let next = lines.get(i + 1).map_or(usize::MAX, |(n, _)| text.find(n).unwrap());
            let next_indent = lines.get(i + 1).map_or(0, |l| l.1);
            p.begin_unit(*indent, at, BlankLines::Keep);
            p.word(code.split_whitespace().next().unwrap());
            p.end_unit(at + code.len(), next, next_indent, BlankLines::Keep);
        }
        p.finish()
    }

    #[test]
    fn comments_keep_their_lines_and_blank_lines_shrink_to_one() {
        let text = "// head\n\n\n\nalpha // end\n// before\n\nbeta\n// tail";
        assert_eq!(
            print(text, &[("alpha", 0), ("beta", 2)]),
            "// head\n\nalpha // end\n  // before\n\n  beta\n// tail\n"
        );
    }

    #[test]
    fn comments_inside_a_line_move_above_or_to_its_end() {
        let text = "a // one\n// two\nb // three\nc";
        assert_eq!(
            print(text, &[("a // one\n// two\nb", 1), ("c", 1)]),
            " // one\n // two\n a // three\n c\n"
        );
    }

    #[test]
    fn measuring_places_no_comments() {
        let text = "a // c";
        let comments = lex(text).comments;
        let source = Source::new(text, &comments);
        let mut p = Printer::new(&source);
        assert_eq!(p.width_of(|m| m.word("héllo")), 5);
        p.begin_line(0, 0, BlankLines::Keep);
        p.word("a");
        p.end_line(1, usize::MAX, 0, BlankLines::Keep);
        assert_eq!(p.finish(), "a // c\n");
    }
}
