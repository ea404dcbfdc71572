//! Aligns the comments at the ends of neighbouring lines, as the project's
//! own files are written:
//!
//! ```text
//! keep 5m                    // stay firing 5m after the condition clears
//! nodata 5m => crit          // no samples for 5m: treat as down
//! flapping 5 changes in 30m  // more than 5 state changes in 30m
//! ```
//!
//! A *run* is a stretch of consecutive lines with the same indentation that
//! all end in a comment; within a run every comment starts one space after
//! the longest code. Some lines take no part, and keep their comment one
//! space after the code: a line wider than [`MAX_WIDTH`], so that it does
//! not push its neighbours' comments far to the right, and a line that
//! opens or closes a block or list (`policy p on f {`, `}`), which belongs
//! with neither the line before nor the line after. Runs depend only on the
//! code and on which lines end in comments, both of which formatting keeps,
//! so aligning is stable.

use super::layout::MAX_WIDTH;

/// One line that ends in a comment.
#[derive(Clone, Copy, Debug)]
struct Commented {
    /// Where the code ends and the ` //` begins, in the text.
    code_end: usize,
    line: usize,
    indent: usize,
    width: usize,
    /// Whether the line may be aligned with its neighbours.
    joins: bool,
}

/// Pads the comments that start at `code_ends` (offsets of the space before
/// each `//`, in ascending order) so that runs line up.
pub(super) fn align_trailing_comments(text: &str, code_ends: &[usize]) -> String {
    let lines = describe(text, code_ends);
    let mut padding = vec![0; lines.len()];
    let mut start = 0;
    while start < lines.len() {
        let mut end = start + 1;
        while end < lines.len() && same_run(&lines[end - 1], &lines[end]) {
            end += 1;
        }
        let column = lines[start..end].iter().map(|l| l.width).max().unwrap_or(0);
        for (pad, line) in padding[start..end].iter_mut().zip(&lines[start..end]) {
            *pad = column - line.width;
        }
        start = end;
    }
    let mut out = String::with_capacity(text.len() + padding.iter().sum::<usize>());
    let mut copied = 0;
    for (line, pad) in lines.iter().zip(padding) {
        out.push_str(&text[copied..line.code_end]);
        out.extend(std::iter::repeat_n(' ', pad));
        copied = line.code_end;
    }
    out.push_str(&text[copied..]);
    out
}

fn same_run(a: &Commented, b: &Commented) -> bool {
    b.line == a.line + 1 && b.indent == a.indent && a.joins && b.joins
}

fn opens_or_closes(code: &str) -> bool {
    let code = code.trim();
    code.ends_with(['{', '[']) || code.starts_with(['}', ']'])
}

fn describe(text: &str, code_ends: &[usize]) -> Vec<Commented> {
    let mut out = Vec::with_capacity(code_ends.len());
    let mut line = 0;
    let mut counted = 0;
    for &code_end in code_ends {
        let Some(before) = text.get(counted..code_end) else {
            continue;
        };
        line += before.matches('\n').count();
        counted = code_end;
        let line_start = text[..code_end].rfind('\n').map_or(0, |i| i + 1);
        let code = &text[line_start..code_end];
        let width = code.chars().count();
        out.push(Commented {
            code_end,
            line,
            indent: code.len() - code.trim_start_matches(' ').len(),
            width,
            joins: width <= MAX_WIDTH && !opens_or_closes(code),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn align(text: &str) -> String {
        let ends: Vec<usize> = text.match_indices(" //").map(|(i, _)| i).collect();
        align_trailing_comments(text, &ends)
    }

    #[test]
    fn runs_of_neighbouring_lines_line_up() {
        let text = "a // 1\nbbb // 2\n\ncc // 3\n  d // 4\n  eeee // 5\nf\ng // 6\n";
        assert_eq!(
            align(text),
            "a   // 1\nbbb // 2\n\ncc // 3\n  d    // 4\n  eeee // 5\nf\ng // 6\n"
        );
    }

    #[test]
    fn block_edges_take_no_part() {
        let text = "a // 1\np on f { // 2\n  bb // 3\n  c // 4\n} // 5\nd // 6\nee // 7\n";
        assert_eq!(
            align(text),
            "a // 1\np on f { // 2\n  bb // 3\n  c  // 4\n} // 5\nd  // 6\nee // 7\n"
        );
    }

    #[test]
    fn wide_lines_take_no_part() {
        let wide = "x".repeat(MAX_WIDTH + 1);
        let text = format!("a // 1\n{wide} // 2\nb // 3\ncc // 4\n");
        assert_eq!(align(&text), format!("a // 1\n{wide} // 2\nb  // 3\ncc // 4\n"));
    }

    #[test]
    fn widths_count_characters_not_bytes() {
        assert_eq!(
            align("let é = 1 // a\nlet x = 22 // b\n"),
            "let é = 1  // a\nlet x = 22 // b\n"
        );
    }
}
