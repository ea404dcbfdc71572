//! The formatter behind `upkeep fmt`: prints a parsed file in the one
//! canonical layout, keeping every comment.
//!
//! # Layout
//!
//! - Two spaces of indentation per block. One declaration, clause, step,
//!   escalation step or test item per line; a block's `{` ends its header
//!   line and its `}` has a line of its own. An empty block without comments
//!   is `{}`.
//! - Where the source had one or more empty lines between two items,
//!   clauses, steps or comments, one is kept; none at the start or end of a
//!   block or of the file. Lines end in `\n`, whatever the source used;
//!   the file ends in one.
//! - A space around binary operators, after commas and after `:` in named
//!   arguments and record fields; none inside `()`, `[]` or label matchers
//!   (`disk.free{mount="/"}`); one inside record braces (`{ k: v }`).
//!   Keyword phrases take single spaces: `x over 6h`, `count(x) by (site)`,
//!   `use std.actions.{a, b}`, `nodata 15m => warn`.
//! - Strings print exactly as written, quantities as number and unit as
//!   written (`1.5GiB`, `10MB/s`). Unit expressions print without spaces
//!   (`bytes/s`), except `1 / s` and `s^2 / h`, which would otherwise lex as
//!   a quantity.
//! - Parentheses are the fewest the grammar needs (see `precedence.rs`).
//!   Two minus signs in a row are spaced: `- -x`.
//! - Short forms where two spellings make the same tree: `action a = …`
//!   rather than `action a() = …`, `series m = …` rather than
//!   `series m{} = …`, no `labels()` on a metric without labels, no trailing
//!   comma on a list printed on one line.
//! - A level clause's own `message` stays on the level's line; a policy's
//!   default `message` has a line of its own.
//! - Lines are not wrapped, except that a list or record that would pass
//!   column 100, or that holds a comment, prints one item per line with a
//!   trailing comma (see `layout.rs`).
//!
//! # Comments
//!
//! A comment on a line of its own stays on a line of its own, before the
//! item, clause, step or closing brace that follows it, at its indentation.
//! A comment after code stays at the end of the printed line that holds that
//! code; such comments on neighbouring lines of the same indentation are
//! aligned one space after the longest code, except on lines that open or
//! close a block (see `align.rs`). A comment inside an expression that is
//! printed on one line moves to the nearest line boundary: above the
//! declaration, clause, step or list item it was in, or to the end of its
//! last line. No comment is ever dropped; only trailing whitespace is
//! trimmed from their text. See `printer.rs` for the exact rules.

mod align;
mod body;
mod decl;
mod expr;
mod layout;
mod precedence;
mod printer;
mod source;

use crate::ast::File;
use crate::error::SyntaxError;
use crate::lexer::Comment;
use printer::{BlankLines, Printer};
use source::Source;

/// Formats `src`. A file with syntax errors is not formatted: its errors are
/// returned instead.
pub fn format_source(src: &str) -> Result<String, Vec<SyntaxError>> {
    let parsed = crate::parse(src);
    if !parsed.errors.is_empty() {
        return Err(parsed.errors);
    }
    Ok(format_file(&parsed.file, &parsed.comments, src))
}

/// Prints an already parsed file. `comments` and `src` are the comments and
/// the text it was parsed from. A tree with errors prints, but its `Error`
/// nodes are copied from `src` as they were.
///
/// A file with an expression nested more than 256 levels
/// deep (long `a + b + …` or `else if` chains do not count) is returned as
/// it is: the printer does not recurse that deep, so that no input can
/// overflow the stack.
pub fn format_file(file: &File, comments: &[Comment], src: &str) -> String {
    let source = Source::new(src, comments);
    let mut p = Printer::new(&source);
    let first = file.items.first().map_or(usize::MAX, |item| item.span().start);
    p.comment_lines_before(first, 0, BlankLines::Keep);
    for (i, item) in file.items.iter().enumerate() {
        let span = item.span();
        let next = file.items.get(i + 1).map_or(usize::MAX, |n| n.span().start);
        p.begin_unit(0, span.start, BlankLines::Keep);
        decl::item(&mut p, item);
        p.end_unit(span.end, next, 0, BlankLines::Keep);
    }
    if p.gave_up() {
        return src.to_string();
    }
    p.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(src: &str) -> String {
        format_source(src).unwrap_or_else(|e| panic!("{src}: {e:?}"))
    }

    #[test]
    fn files_with_errors_are_refused() {
        let errors = format_source("policy p on f { warn x > 1 }").unwrap_err();
        assert!(!errors.is_empty());
    }

    #[test]
    fn empty_and_comment_only_files() {
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("\n\n  \n"), "");
        assert_eq!(fmt("  // a  \n\n\n   // b\n"), "// a\n\n// b\n");
    }

    #[test]
    fn blank_lines_collapse_and_vanish_at_block_edges() {
        let src =
            "\n\ntenant a\n\n\n\nuse b\npolicy p on f {\n\n  every 1m\n\n\n  let x = 1\n\n}\n\n";
        assert_eq!(fmt(src), "tenant a\n\nuse b\npolicy p on f {\n  every 1m\n\n  let x = 1\n}\n");
    }

    #[test]
    fn comments_stay_where_they_belong() {
        let src = "// header

tenant a // who
policy p on f { // about p
  // before every
  every 1m
  let x = 1 + // inside
    2
  // at the end
} // after p
// last
";
        let expected = "// header

tenant a // who
policy p on f { // about p
  // before every
  every 1m
  let x = 1 + 2 // inside
  // at the end
} // after p
// last
";
        assert_eq!(fmt(src), expected);
    }

    #[test]
    fn own_line_comments_inside_a_line_move_above_it() {
        let src = "fleet a = hosts where\n  // why\n  role == \"db\"\n";
        assert_eq!(fmt(src), "// why\nfleet a = hosts where role == \"db\"\n");
    }

    #[test]
    fn long_and_commented_lists_break_one_item_per_line() {
        let long = format!("action a = exec [\"{}\", \"{}\"]", "x".repeat(40), "y".repeat(40));
        assert_eq!(
            fmt(&long),
            format!("action a = exec [\n  \"{}\",\n  \"{}\",\n]\n", "x".repeat(40), "y".repeat(40))
        );
        let commented =
            "action w = webhook \"u\" body {text: \"hi\", // the text\n channel: \"#ops\"}";
        assert_eq!(
            fmt(commented),
            "action w = webhook \"u\" body {\n  text: \"hi\", // the text\n  channel: \"#ops\",\n}\n"
        );
    }

    #[test]
    fn long_chains_format_and_inputs_past_the_parser_limits_are_refused() {
        // Unit tests run on 2 MiB threads: this also checks the stack bound.
        // The parser refuses expressions past its limits (see
        // `parser/limits.rs`), so the longest chains that reach the printer
        // have some 250 operators.
        let chain = format!("fn f() = {}", vec!["x"; 200].join(" or "));
        assert_eq!(fmt(&chain), format!("{chain}\n"));
        let else_ifs = format!("fn f() = {}0", "if a then 1 else ".repeat(85));
        assert_eq!(fmt(&else_ifs), format!("{else_ifs}\n"));
        let units = format!("metric m: gauge<{}>", vec!["s"; 200].join("*"));
        assert_eq!(fmt(&units), format!("{units}\n"));
        let nested = format!("fn f() = {}1", "-".repeat(250));
        assert_eq!(fmt(&nested), format!("fn f() = {}-1\n", "- ".repeat(249)));
        for too_deep in [
            format!("fn f( ) = {}1", "-".repeat(3_000)),
            format!("fn f( ) = {}{}", "[".repeat(3_000), "]".repeat(3_000)),
            format!("fn f() = {}", vec!["x"; 5_000].join(" or ")),
        ] {
            assert!(format_source(&too_deep).is_err());
        }
    }

    #[test]
    fn trees_with_errors_print_their_broken_parts_verbatim() {
        let src = "tenant a\npolicy p on f { every 1m wat wat }\nfn f() = 1 +\n";
        let parsed = crate::parse(src);
        assert!(!parsed.errors.is_empty());
        let out = format_file(&parsed.file, &parsed.comments, src);
        assert!(out.starts_with("tenant a\n"), "{out}");
    }
}
