//! Runs the corpus tests of `test/corpus/*.txt` (tree-sitter's own format,
//! also run by `tree-sitter test`) without the tree-sitter CLI, so that CI
//! checks them too.

mod common;

use common::{crate_dir, problems, read};
use std::fs;

#[derive(Debug)]
struct Case {
    file: String,
    name: String,
    input: String,
    expected: String,
}

fn is_rule(line: &str, c: char) -> bool {
    line.len() >= 3 && line.chars().all(|x| x == c)
}

/// Splits a corpus file: `===` / name / `===`, the input, `---`, the tree.
fn cases(file: &str, text: &str) -> Vec<Case> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !is_rule(lines[i], '=') {
            i += 1;
            continue;
        }
        let name = lines.get(i + 1).copied().unwrap_or_default().trim().to_string();
        i += 3;
        let start = i;
        while i < lines.len() && !is_rule(lines[i], '-') {
            i += 1;
        }
        let input = lines[start..i.min(lines.len())].join("\n");
        i += 1;
        let start = i;
        while i < lines.len() && !is_rule(lines[i], '=') {
            i += 1;
        }
        let expected = lines[start.min(lines.len())..i].join("\n");
        out.push(Case { file: file.to_string(), name, input, expected });
    }
    out
}

/// One line, single spaces, no space inside parentheses.
fn normalize(sexp: &str) -> String {
    let joined = sexp.split_whitespace().collect::<Vec<_>>().join(" ");
    joined.replace("( ", "(").replace(" )", ")")
}

/// Drops `field: ` prefixes, for expectations written without field names
/// (as `tree-sitter test` compares them).
fn strip_fields(sexp: &str) -> String {
    sexp.split(' ').filter(|word| !word.ends_with(':')).collect::<Vec<_>>().join(" ")
}

#[test]
fn corpus() {
    let dir = crate_dir().join("test/corpus");
    let mut all = Vec::new();
    for entry in fs::read_dir(&dir).expect("test/corpus exists") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "txt") {
            let name =
                path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            all.extend(cases(&name, &read(&path)));
        }
    }
    assert!(all.len() >= 20, "expected the corpus, found {} cases", all.len());
    let mut failures = Vec::new();
    for case in &all {
        let tree = common::parse(&case.input);
        let expected = normalize(&case.expected);
        let mut actual = normalize(&tree.root_node().to_sexp());
        if !expected.contains(": (") {
            actual = strip_fields(&actual);
        }
        if actual != expected {
            failures.push(format!(
                "{} / {}:\n  expected {expected}\n  actual   {actual}",
                case.file, case.name
            ));
        }
        // The corpus holds valid Upkeep only.
        if !upkeep_grammar::parse(&case.input).is_ok() {
            failures.push(format!(
                "{} / {}: the Upkeep parser rejects the input",
                case.file, case.name
            ));
        }
        let errors = problems(tree.root_node());
        if !errors.is_empty() {
            failures.push(format!("{} / {}: {errors:?}", case.file, case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
