//! The conformance corpus: `corpus/ok/*.upk` must parse, and their syntax
//! trees are snapshotted; `corpus/err/*.upk` must fail, and their rendered
//! diagnostics are snapshotted (plain Unicode, no colour, relative paths).

use std::collections::BTreeSet;
use std::path::Path;
use upkeep_compiler::render::{self, Style};
use upkeep_compiler::{Code, SourceFile, check_file};
use upkeep_grammar::dump;

/// The name a corpus file is reported under: relative, with forward slashes.
fn corpus_name(path: &Path) -> String {
    let dir = path.parent().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned());
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!("{}/{file}", dir.unwrap_or_default())
}

#[test]
fn ok_corpus_parses_and_matches_its_syntax_tree() {
    insta::glob!("corpus/ok/*.upk", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let checked = check_file(SourceFile::new(corpus_name(path), text));
        let rendered: Vec<String> = checked.diagnostics.iter().map(render::short).collect();
        assert!(rendered.is_empty(), "{}", rendered.join("\n"));
        let tree = dump::file(&checked.parsed.file);
        dump::check_spans(&tree, checked.file.text.len()).unwrap();
        insta::assert_snapshot!(tree.render(false));
    });
}

#[test]
fn err_corpus_reports_located_coded_diagnostics() {
    insta::glob!("corpus/err/*.upk", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let checked = check_file(SourceFile::new(corpus_name(path), text));
        assert!(!checked.diagnostics.is_empty(), "{} has no diagnostic", path.display());
        let report: String =
            checked.diagnostics.iter().map(|d| render::graphical(d, Style::Plain)).collect();
        insta::assert_snapshot!(report);
    });
}

#[test]
fn err_corpus_covers_every_syntax_code() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/err");
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for d in check_file(SourceFile::new(corpus_name(&path), text)).diagnostics {
            seen.insert(d.code);
        }
    }
    // File-level codes are covered by the CLI tests, which can make
    // unreadable and non-UTF-8 files.
    let file_level = [Code::UnreadableFile, Code::NotUtf8];
    // Syntax codes are E00xx; the checker's codes have one-line tests in
    // tests/semantics.rs and compiler/tests/calendar_checks.rs.
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| c.as_str().starts_with("E00"))
        .filter(|c| !seen.contains(c) && !file_level.contains(c))
        .map(|c| c.as_str())
        .collect();
    assert!(missing.is_empty(), "no corpus/err file produces {missing:?}");
}
