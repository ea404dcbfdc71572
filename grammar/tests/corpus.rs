//! Every `.upk` file the project ships must parse without errors and with
//! sound spans: the conformance corpus (`tests/corpus/ok`), the examples and
//! the standard library.

use std::path::{Path, PathBuf};
use upkeep_grammar::{dump, parse};

pub fn shipped_files() -> Vec<PathBuf> {
    upkeep_grammar::files::shipped_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
}

#[test]
fn every_shipped_file_parses_cleanly_with_sound_spans() {
    let files = shipped_files();
    assert!(!files.is_empty(), "no .upk files found");
    let mut failures = Vec::new();
    for path in &files {
        let src = std::fs::read_to_string(path).unwrap();
        let parsed = parse(&src);
        for e in &parsed.errors {
            failures.push(format!("{}:{}: {}", path.display(), e.span.start, e.message()));
        }
        if let Err(e) = dump::check_spans(&dump::file(&parsed.file), src.len()) {
            failures.push(format!("{}: span invariant: {e}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
