//! Helpers shared by the test files: paths, the parser and the expectations
//! table that all editor tests read. Not every test file uses every helper.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use tree_sitter::{Language, Node, Parser, Tree};

/// `editors/tree-sitter-upkeep`.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `editors`.
pub fn editors_dir() -> PathBuf {
    crate_dir().join("..")
}

/// The repository's root.
pub fn repo_root() -> PathBuf {
    crate_dir().join("../..")
}

pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

pub fn language() -> Language {
    tree_sitter_upkeep::language().into()
}

pub fn parse(src: &str) -> Tree {
    let mut parser = Parser::new();
    parser.set_language(&language()).expect("the Upkeep grammar loads");
    parser.parse(src, None).expect("the parser returns a tree")
}

/// Every ERROR or MISSING node under `node`, as `line:column: what` (1-based).
pub fn problems(node: Node<'_>) -> Vec<String> {
    let mut found = Vec::new();
    let mut cursor = node.walk();
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            let at = node.start_position();
            let parent = node.parent().map_or("(root)", |p| p.kind());
            let what = if node.is_missing() {
                format!("MISSING {}", node.kind())
            } else {
                "ERROR".to_string()
            };
            found.push(format!("{}:{}: {what} in {parent}", at.row + 1, at.column + 1));
        }
        stack.extend(node.children(&mut cursor));
    }
    found.sort();
    found
}

/// One row of `editors/fixtures/expectations.tsv`.
#[derive(Debug)]
pub struct Expectation {
    pub class: String,
    /// 1-based, as in the table.
    pub line: usize,
    pub text: String,
    /// Byte range of the text in the fixture.
    pub range: std::ops::Range<usize>,
    pub treesitter: String,
}

pub fn fixture_path() -> PathBuf {
    editors_dir().join("fixtures/tokens.upk")
}

/// The rows of the expectations table, located in the fixture: the `nth`
/// occurrence of the text on its line, each search starting one byte after
/// the previous hit (as the TextMate and Vim tests do).
pub fn expectations(fixture: &str) -> Vec<Expectation> {
    let mut line_starts = vec![0];
    line_starts.extend(fixture.match_indices('\n').map(|(i, _)| i + 1));
    let table = read(&editors_dir().join("fixtures/expectations.tsv"));
    table
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|row| {
            let cols: Vec<&str> = row.split('\t').collect();
            assert_eq!(cols.len(), 7, "expectations.tsv: 7 columns in {row:?}");
            let line: usize = cols[1].parse().expect("a line number");
            let nth: usize = cols[3].parse().expect("an occurrence number");
            let text = cols[2].to_string();
            let start = line_starts[line - 1];
            let end = line_starts.get(line).copied().unwrap_or(fixture.len());
            let source_line = &fixture[start..end];
            let mut column = None;
            for _ in 0..nth {
                let from = column.map_or(0, |c| c + 1);
                column = source_line[from..].find(&text).map(|c| c + from);
            }
            let column = column.unwrap_or_else(|| panic!("{text:?} #{nth} is not on line {line}"));
            Expectation {
                class: cols[0].to_string(),
                line,
                range: start + column..start + column + text.len(),
                text,
                treesitter: cols[6].to_string(),
            }
        })
        .collect()
}
