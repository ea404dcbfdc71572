//! Runs queries/highlights.scm with the tree-sitter crate's Query and
//! QueryCursor over editors/fixtures/tokens.upk and checks the capture of
//! each token class listed in editors/fixtures/expectations.tsv.
//!
//! Highlighters disagree on which of two patterns capturing the same node
//! wins: tree-sitter-highlight and Helix take the first, Neovim the last.
//! Each expectation is checked under both readings, on the innermost
//! captured node that covers the row's text, as highlighters paint it.

mod common;

use common::{crate_dir, expectations, fixture_path, problems, read};
use std::ops::Range;
use streaming_iterator::StreamingIterator;
use tree_sitter::{Query, QueryCursor};

/// Capture names that Neovim, Helix and Zed themes all know.
const COMMON_CAPTURES: &[&str] = &[
    "boolean",
    "comment",
    "constant",
    "constant.builtin",
    "function",
    "function.builtin",
    "function.call",
    "keyword",
    "keyword.conditional",
    "keyword.function",
    "keyword.import",
    "keyword.operator",
    "module",
    "number",
    "operator",
    "property",
    "punctuation.bracket",
    "punctuation.delimiter",
    "string",
    "string.escape",
    "string.regexp",
    "string.special",
    "type",
    "type.builtin",
    "variable",
    "variable.builtin",
    "variable.parameter",
];

/// Predicates every highlighter evaluates the same way.
const PORTABLE_PREDICATES: &[&str] = &["eq?", "match?", "any-of?"];

fn query() -> Query {
    Query::new(&common::language(), &read(&crate_dir().join("queries/highlights.scm")))
        .expect("queries/highlights.scm compiles against the grammar")
}

struct Capture {
    range: Range<usize>,
    pattern: usize,
    name: String,
}

fn captures(query: &Query, src: &str) -> Vec<Capture> {
    let tree = common::parse(src);
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(query, tree.root_node(), src.as_bytes());
    let mut out = Vec::new();
    while let Some(m) = matches.next() {
        for c in m.captures() {
            out.push(Capture {
                range: c.node.byte_range(),
                pattern: m.pattern_index,
                name: query.capture_names()[c.index as usize].to_string(),
            });
        }
    }
    out
}

#[test]
fn every_token_class_has_its_capture() {
    let src = read(&fixture_path());
    assert!(problems(common::parse(&src).root_node()).is_empty(), "tokens.upk parses cleanly");
    assert!(upkeep_grammar::parse(&src).is_ok(), "tokens.upk is valid Upkeep");
    let query = query();
    let all = captures(&query, &src);
    let mut checked = 0;
    let mut failures = Vec::new();
    for row in expectations(&src) {
        if row.treesitter == "-" {
            continue;
        }
        checked += 1;
        let covering: Vec<&Capture> = all
            .iter()
            .filter(|c| c.range.start <= row.range.start && row.range.end <= c.range.end)
            .collect();
        let innermost = covering.iter().map(|c| c.range.len()).min();
        let mut on_node: Vec<&&Capture> =
            covering.iter().filter(|c| Some(c.range.len()) == innermost).collect();
        on_node.sort_by_key(|c| c.pattern);
        let first = on_node.first().map_or("(none)", |c| c.name.as_str());
        let last = on_node.last().map_or("(none)", |c| c.name.as_str());
        if first != row.treesitter || last != row.treesitter {
            failures.push(format!(
                "{}: line {} {:?} should be @{}, got @{first} (first match wins) and @{last} (last match wins)",
                row.class, row.line, row.text, row.treesitter
            ));
        }
    }
    assert!(checked >= 100, "only {checked} expectations for tree-sitter");
    assert!(
        failures.is_empty(),
        "{} of {checked} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn captures_use_common_names() {
    let query = query();
    let odd: Vec<_> =
        query.capture_names().iter().filter(|n| !COMMON_CAPTURES.contains(n)).collect();
    assert!(odd.is_empty(), "capture names outside the common set: {odd:?}");
}

#[test]
fn predicates_are_portable() {
    let text = read(&crate_dir().join("queries/highlights.scm"));
    let code: String = text.lines().map(|l| l.split(';').next().unwrap_or_default()).collect();
    let odd: Vec<&str> = code
        .split('#')
        .skip(1)
        .filter_map(|rest| rest.split([' ', ')']).next())
        .filter(|p| !PORTABLE_PREDICATES.contains(p))
        .collect();
    assert!(odd.is_empty(), "non-portable predicates: {odd:?}");
    let query = query();
    for i in 0..query.pattern_count() {
        assert!(
            query.general_predicates(i).is_empty(),
            "pattern {i} uses a predicate the crate does not know"
        );
    }
}
